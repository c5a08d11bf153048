"""Edits for the rules' automatic fixes (:class:`~uwsgi_lint.model.Fix`), made on the
text as written.

A fix changes the file where the text it changes is written, and only text it can place
exactly: these helpers give ``None`` (no fix) when what uWSGI reads is not written there
as it reads it (a magic ``%`` variable, a ``%(placeholder)`` or ``$(ENV)``, an XML
entity or a JSON escape, a value that ``set``/``vassal-set`` split off), or when the
edit would touch more than the directive (another directive or a comment on its line).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from .model import Applicability, Directive, Edit, Fix, Format, Position, Span
from .source import LineIndex

if TYPE_CHECKING:
    from .facts import View

_JSON_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_WORD = re.compile(r"[^\s%]+")  # what a fix writes as a value or a key
_YAML_QUOTING = re.compile(r"[:#\"'{}\[\],&*!|>@`]")  # a YAML value with these needs quotes


def advance(start: Position, text: str) -> Position:
    """The position just after ``text`` written from ``start``."""
    lines = text.count("\n")
    if not lines:
        return Position(start.line, start.column + len(text))
    return Position(start.line + lines, len(text) - text.rfind("\n"))


def at(start: Position, text: str, offset: int, file: str) -> Span:
    """The empty span at ``offset`` of ``text`` written from ``start`` (an insertion)."""
    p = advance(start, text[:offset])
    return Span(file, p, p)


def written_value(d: Directive) -> Span | None:
    """The span of ``d``'s value as written (inside a JSON string's quotes) when that text
    is exactly the value uWSGI's handler receives."""
    if d.note.startswith("from ") or d.unresolved or d.effective != d.value:
        return None
    raw, span = d.raw_value, d.value_span
    if raw == d.value:
        return span
    if d.format is Format.JSON and raw == f'"{d.value}"':
        return Span(span.file, advance(span.start, '"'), advance(span.start, raw[:-1]))
    return None


def replace_value(d: Directive, new: str) -> tuple[Edit, ...] | None:
    """``d``'s value written as ``new`` (a word or a number), in the syntax of its format:
    a JSON string stays a string, a JSON number becomes a string unless ``new`` is an
    integer too."""
    span = written_value(d)
    if span is None or not _WORD.fullmatch(new) or d.value.endswith("\r"):
        return None  # (a carriage return there is the line's CRLF ending: kept)
    content = new
    if d.format is Format.JSON:
        quoted = d.raw_value.startswith('"')
        if quoted:
            content = json.dumps(new)[1:-1]
        elif not _JSON_INTEGER.fullmatch(new):
            content = json.dumps(new)
    elif d.format is Format.XML:
        content = new.replace("&", "&amp;").replace("<", "&lt;")
    elif d.format is Format.YAML and _YAML_QUOTING.search(new):
        return None  # would need quoting, which uWSGI's YAML reader keeps in the value
    return (Edit(span, content),)


def rename_key(d: Directive, new: str) -> tuple[Edit, ...] | None:
    """``d``'s key written as ``new``: both tags of an XML element, inside the quotes of a
    JSON key."""
    if d.note.startswith("from ") or not _WORD.fullmatch(new):
        return None
    span = d.key_span
    if d.format is Format.JSON:
        if d.raw_key != f'"{d.key}"' or json.dumps(new)[1:-1] != new:
            return None
        inner = Span(span.file, advance(span.start, '"'), advance(span.start, d.raw_key[:-1]))
        return (Edit(inner, new),)
    if d.raw_key != d.key:
        return None
    if d.format is not Format.XML:
        return (Edit(span, new),)
    whole = d.loc.text.raw(*d.loc.whole)
    if whole.endswith("/>"):
        return (Edit(span, new),)
    closing = f"</{d.key}>"
    if not whole.endswith(closing):
        return None
    tag = advance(d.span.start, whole[: len(whole) - len(closing) + 2])
    end = Span(span.file, tag, advance(tag, d.key))
    return (Edit(span, new), Edit(end, new))


def _source(d: Directive) -> tuple[str, LineIndex] | None:
    """The text of ``d``'s file as written, and its line index."""
    text, lines = getattr(d.loc.text, "source", None), getattr(d.loc.text, "lines", None)
    if isinstance(text, str) and isinstance(lines, LineIndex) and lines.text is text:
        return text, lines
    return None


def _offset(lines: LineIndex, p: Position) -> int:
    return lines.starts[p.line - 1] + p.column - 1


def _line_start(src: str, offset: int) -> int:
    return src.rfind("\n", 0, offset) + 1


def _content_end(src: str, offset: int) -> int:
    """The end of the line ``offset`` is on, before its line ending."""
    nl = src.find("\n", offset)
    end = len(src) if nl == -1 else nl
    return end - 1 if end > offset and src[end - 1] == "\r" else end


def _line_end(src: str, offset: int) -> int:
    """The start of the line after the one ``offset`` is on (the end of the text)."""
    nl = src.find("\n", offset)
    return len(src) if nl == -1 else nl + 1


def remove_directive(d: Directive) -> tuple[Edit, ...] | None:
    """``d`` removed: its whole lines when nothing else is written on them (blanks
    aside); in JSON the member with the comma that joins it to its neighbour."""
    found = _source(d)
    if found is None or d.note.startswith("from "):
        return None
    src, lines = found
    start, end = _offset(lines, d.span.start), _offset(lines, d.span.end)
    first = _line_start(src, start)
    alone = not src[first:start].strip(" \t")
    tail = src[end:_content_end(src, end)].strip(" \t")
    if d.format is not Format.JSON:
        if not alone or tail:
            return None
        return (Edit(Span(d.file, lines.position(first), lines.position(_line_end(src, end))),
                     ""),)
    if tail.startswith(","):
        if alone and tail == ",":
            cut = (first, _line_end(src, end))
        else:  # the member and its comma, up to the next member on the line
            after = src.index(",", end) + 1
            while after < len(src) and src[after] in " \t":
                after += 1
            cut = (start, after)
    else:  # the last member: the comma before it goes with it
        before = src[:start].rstrip(" \t\r\n")
        if not before.endswith(",") or not (tail == "" or tail.startswith("}")):
            return None
        cut = (len(before) - 1, end)
    return (Edit(Span(d.file, lines.position(cut[0]), lines.position(cut[1])), ""),)


def line_above(d: Directive, text: str) -> Edit | None:
    """``text`` inserted as a line of its own above the line ``d`` starts on, with that
    line's indentation and line ending; ``None`` when something other than blanks comes
    before ``d`` on its line."""
    found = _source(d)
    if found is None:
        return None
    src, lines = found
    start = _offset(lines, d.span.start)
    first = _line_start(src, start)
    indent = src[first:start]
    if indent.strip(" \t"):
        return None
    ending = src[_content_end(src, start):_line_end(src, start)]
    if not ending:  # the last line, without a line ending: as the one before it
        ending = "\r\n" if src[:first].endswith("\r\n") else "\n"
    p = lines.position(first)
    return Edit(Span(d.file, p, p), indent + text + ending)




def directive_after(d: Directive, key: str, value: str) -> Edit | None:
    """``key`` set to ``value`` (a word or a number) right after ``d``, as ``d``'s format
    writes it: on a line of its own below ``d``'s, with its indentation and line ending
    (in JSON the next member of its object, on ``d``'s line when ``d`` shares it; in XML
    just after ``d`` when it shares its line); ``None`` when ``d`` shares its line in INI or
    YAML, in YAML with CRLF line endings, is an element of a JSON array, or is not written
    in its file as read."""
    found = _source(d)
    if found is None or d.note.startswith("from ") or not (
            _WORD.fullmatch(key) and _WORD.fullmatch(value)):
        return None
    src, lines = found
    start, end = _offset(lines, d.span.start), _offset(lines, d.span.end)
    first = _line_start(src, start)
    indent = src[first:start]
    alone = not indent.strip(" \t")
    tail = src[end:_content_end(src, end)].strip(" \t")
    right_after = Span(d.file, d.span.end, d.span.end)
    if d.format is Format.JSON:
        if d.loc.key_start != d.loc.whole_start:
            return None  # an element of an array
        written = value if _JSON_INTEGER.fullmatch(value) or value == "true" else json.dumps(value)
        member = f"{json.dumps(key)}: {written}"
        if alone and tail in ("", ","):
            return Edit(right_after, f",{_ending(src, end)}{indent}{member}")
        return Edit(right_after, f", {member}")
    if d.format is Format.XML:
        text = f"<{key}>{value.replace('&', '&amp;').replace('<', '&lt;')}</{key}>"
        if not alone or (tail and not (tail.startswith("<!--") and tail.endswith("-->"))):
            return Edit(right_after, text)
    elif d.format is Format.YAML:
        if not alone or (tail and not tail.startswith("#")) or _YAML_QUOTING.search(value):
            return None
        if "\r" in _ending(src, end):
            return None  # uWSGI's YAML reader would keep the \r in the value
        text = f"{key}: {value}"
    else:
        if not alone or tail:
            return None
        text = f"{key} = {value}"
    ending = src[_content_end(src, end):_line_end(src, end)]
    if not ending:  # the last line, without a line ending: the new line goes after it
        at = lines.position(len(src))
        return Edit(Span(d.file, at, at), _ending(src, end) + indent + text)
    at = lines.position(_line_end(src, end))
    return Edit(Span(d.file, at, at), indent + text + ending)


def _ending(src: str, offset: int) -> str:
    """The line ending of the line ``offset`` is on (the last line, without one: as the
    line before it)."""
    ending = src[_content_end(src, offset):_line_end(src, offset)]
    if ending:
        return ending
    return "\r\n" if src[:_line_start(src, offset)].endswith("\r\n") else "\n"


def remove_entry(view: View, d: Directive, message: str,
                 applicability: Applicability) -> Fix | None:
    """The fix that removes ``d``, an entry of ``view``'s instance, when nothing but its
    option reads it: it is the option's only entry, written in the instance's own file (not
    an include, nor added by the Emperor), no ``%(key)`` nor ``if-opt`` reads it, and it
    does not turn on the master that nothing else turns on."""
    if (d.file != view.inst.root.path or d.origin or d.note.startswith("from ")
            or len(view.entries(d.key)) != 1 or d.key in view.placeholder_names()):
        return None
    opt = view.catalog.get(d.key)
    if opt is not None and view.MASTER_FLAGS & opt.flags and view.flag("master") is not True:
        return None  # it turns the master on
    edits = remove_directive(d)
    return Fix(message, edits, applicability) if edits else None
