"""Suppression comments, and ``--add-noqa`` which writes them.

Forms, in each format's comment syntax (INI ``;``/``#`` lines, YAML ``#``, XML
``<!-- -->``; JSON has no comments: use ``per-file-ignores``)::

    ; uwsgi-lint: disable=UW101,unknown-option -- the reason
    <!-- uwsgi-lint: disable-file=UW105 - the reason -->
    # uwsgi-lint: enable=UW101

* ``disable=CODES`` after something else on the same line (a YAML or XML trailing
  comment) silences that line.
* ``disable=CODES`` on a line of its own silences the next line that is not itself only a
  comment ("the line above"; INI has no trailing comments, so this is its form) - unless a
  later ``enable=`` on a line of its own names the same code (or ``all``): then it silences
  every line up to that ``enable`` (a range).
* ``disable-file=CODES`` anywhere silences the whole file.

CODES are rule codes or names separated by commas, or ``all`` (every rule except UW090 and
UW091, which only settings can turn off).  What follows the codes is the reason; a leading
``--``, ``-`` or ``:`` is dropped (XML comments may not contain ``--``, so write ``-``).

A suppression that silences nothing is reported as UW090, a code or name that no rule has
as UW091 (see :mod:`uwsgi_lint.rules.suppression`).
"""

from __future__ import annotations

import os
import re
import stat
from array import array
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic
from .model import Applicability, Comment, ConfigFile, Edit, Fix, Format, Position, Span

if TYPE_CHECKING:
    from .report import Report

_DIRECTIVE = re.compile(
    r"uwsgi-lint:\s*(disable-file|disable|enable)\s*=\s*"
    r"([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)(.*)",
    re.S,
)
_XML_END = re.compile(r"\s*-->\s*\Z")
ALL = "all"
SELF = frozenset({"UW090", "UW091"})  # never silenced by a comment
LAST = 1 << 30


@dataclass(slots=True)
class Entry:
    """One code of one suppression comment, and the lines it covers (inclusive)."""

    comment: Comment
    kind: str  # "disable", "disable-file", "enable"
    code: str  # as written
    first: int
    last: int
    used: bool = False
    index: int = 0  # its place in the comment's list of codes (unknown codes counted)


@dataclass(slots=True)
class Suppressions:
    """What the comments of one file say."""

    entries: list[Entry] = field(default_factory=list)
    unknown: list[tuple[Comment, str]] = field(default_factory=list)
    stray: list[Entry] = field(default_factory=list)  # enable= with no disable before it

    def silences(self, d: Diagnostic) -> bool:
        if d.code in SELF:
            return False
        line = d.span.start.line
        hit = False
        for e in self.entries:
            if e.first <= line <= e.last and e.code in (d.code, d.name, ALL):
                e.used = True
                hit = True
        return hit


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: str
    codes: tuple[str, ...]
    reason: str
    indexes: tuple[int, ...] = ()  # the place of each code in the list as written


def parse_comment(text: str) -> Parsed | None:
    """The suppression a comment's text holds, if any."""
    m = _DIRECTIVE.search(text)
    if m is None:
        return None
    codes = tuple(c.strip() for c in m.group(2).split(","))
    rest = _XML_END.sub("", m.group(3)).strip()
    for lead in ("--", "-", ":", "\u2014"):
        if rest.startswith(lead):
            rest = rest[len(lead) :].strip()
            break
    return Parsed(m.group(1), codes, rest, tuple(range(len(codes))))


def _known(code: str, codes: frozenset[str]) -> bool:
    return code == ALL or code in codes


def known_codes() -> frozenset[str]:
    from .rules import all_rules

    rules = all_rules()
    return frozenset({r.code for r in rules} | {r.name for r in rules})


def collect(cfg: ConfigFile, lines: list[str]) -> Suppressions:
    """The suppressions of one file; ``lines`` is its text split into lines (no ends)."""
    known = known_codes()
    out = Suppressions()
    own: list[tuple[Comment, Parsed]] = []
    comment_lines: set[int] = set()
    found: list[tuple[Comment, Parsed, bool]] = []
    for c in sorted(cfg.comments, key=lambda c: (c.span.start.line, c.span.start.column)):
        first, last = c.span.start, c.span.end
        before = lines[first.line - 1][: first.column - 1] if first.line <= len(lines) else ""
        after = lines[last.line - 1][last.column - 1 :] if last.line <= len(lines) else ""
        alone = not before.strip() and not after.strip()
        if alone:
            comment_lines.update(range(first.line, last.line + 1))
        p = parse_comment(c.text)
        if p is None:
            continue
        good: list[tuple[int, str]] = []
        for index, code in zip(p.indexes, p.codes, strict=True):
            if _known(code, known):
                good.append((index, code))
            else:
                out.unknown.append((c, code))
        p = Parsed(p.kind, tuple(code for _, code in good), p.reason,
                   tuple(index for index, _ in good))
        found.append((c, p, alone))
        if alone:
            own.append((c, p))

    def next_code_line(after: int) -> int:
        line = after + 1
        while line in comment_lines:
            line += 1
        return line

    closed: set[tuple[int, str]] = set()  # (id of the enable comment, code) matched
    for i, (c, p, alone) in enumerate(found):
        line = c.span.start.line
        if p.kind == "disable-file":
            out.entries.extend(Entry(c, p.kind, code, 1, LAST, index=index)
                               for index, code in zip(p.indexes, p.codes, strict=True))
        elif p.kind == "disable":
            for index, code in zip(p.indexes, p.codes, strict=True):
                if not alone:
                    out.entries.append(Entry(c, p.kind, code, line, c.span.end.line,
                                             index=index))
                    continue
                end: Comment | None = None
                for j in range(i + 1, len(found)):
                    c2, p2, alone2 = found[j]
                    if p2.kind == "disable" and alone2 and code in p2.codes:
                        break  # another disable of the code comes first: this one is
                        # for the next line
                    if p2.kind == "enable" and alone2 and (code in p2.codes or ALL in p2.codes):
                        end = c2
                        closed.add((j, code if code in p2.codes else ALL))
                        break
                if end is not None:
                    out.entries.append(Entry(c, "range", code, line, end.span.start.line,
                                             index=index))
                else:
                    target = next_code_line(c.span.end.line)
                    out.entries.append(Entry(c, p.kind, code, target, target, index=index))
    for j, (c, p, _) in enumerate(found):
        if p.kind == "enable":
            for index, code in zip(p.indexes, p.codes, strict=True):
                if (j, code) not in closed:
                    line = c.span.start.line
                    out.stray.append(Entry(c, "enable", code, line, line, index=index))
    return out


def removal(comment: Comment, indexes: Collection[int], source: str,
            cfg: ConfigFile) -> Fix | None:
    """The fix that takes the codes at ``indexes`` out of the list of the suppression
    ``comment`` (``source``: the text of its file ``cfg`` as written), or the whole comment
    when no code is left: its lines when nothing else is written on them, else the comment
    and the blanks before it (a trailing YAML or XML comment).  ``None`` when the comment
    is not found there as read, lies inside a directive (an XML element's text), or cuts
    the CR of a CRLF line off a YAML value."""
    from .source import LineIndex
    from .textfix import advance

    lines = LineIndex(source)

    def offset(p: Position) -> int:
        return lines.starts[p.line - 1] + p.column - 1 if p.line <= len(lines.starts) else -1

    start, end = offset(comment.span.start), offset(comment.span.end)
    m = _DIRECTIVE.search(comment.text)
    if start < 0 or source[start:end] != comment.text or m is None or any(
            d.span.file == comment.span.file and d.span.start < comment.span.start
            and comment.span.end <= d.span.end
            for sec in cfg.sections for d in sec.directives()):
        return None
    codes = [(m.start(2) + c.start(), m.start(2) + c.end())
             for c in re.finditer(r"[A-Za-z0-9_-]+", m.group(2))]
    gone = sorted(set(indexes))
    if not gone or gone[-1] >= len(codes):
        return None
    if len(gone) < len(codes):
        edits = []
        for run in _runs(gone):
            if run[-1] + 1 < len(codes):  # the codes and the separator after them
                cut = (codes[run[0]][0], codes[run[-1] + 1][0])
            else:  # the last ones, with the separator before them
                cut = (codes[run[0] - 1][1], codes[run[-1]][1])
            edits.append(Edit(Span(comment.span.file,
                                   advance(comment.span.start, comment.text[:cut[0]]),
                                   advance(comment.span.start, comment.text[:cut[1]])), ""))
        listed = ", ".join(f"`{comment.text[slice(*codes[i])]}`" for i in gone)
        return Fix(f"remove {listed} from the suppression", tuple(edits), Applicability.SAFE)
    first = source.rfind("\n", 0, start) + 1
    nl = source.find("\n", end)
    line_end = len(source) if nl == -1 else nl
    if source[end:line_end].strip(" \t\r"):
        return None  # something follows it on its line
    if source[first:start].strip(" \t"):  # after a directive: the comment and its blanks
        if cfg.format is Format.YAML and "\r" in source[end:line_end]:
            return None  # the value would end with the \r that the comment cuts off now
        cut = (len(source[:start].rstrip(" \t")), end)
    else:
        cut = (first, len(source) if nl == -1 else nl + 1)
    edit = Edit(Span(comment.span.file, lines.position(cut[0]), lines.position(cut[1])), "")
    return Fix("remove the suppression comment", (edit,), Applicability.SAFE)


def _runs(indexes: list[int]) -> list[list[int]]:
    """Sorted ``indexes`` cut into runs of consecutive numbers."""
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def read_text(path: str) -> str:
    """The text of ``path`` (through :func:`uwsgi_lint.fs.read_regular`: a regular file
    inside the run's boundary, read once), empty when it cannot be read."""
    from .fs import Unreadable, read_regular
    from .source import decode

    try:
        return decode(read_regular(path))
    except Unreadable:
        return ""


def describe(e: Entry) -> str:
    if e.kind == "disable-file":
        return "in this file"
    if e.kind == "range":
        return f"on lines {e.first + 1}-{e.last - 1}"
    return f"on line {e.first}"


# --- --add-noqa ---------------------------------------------------------------------


def _format_of(path: str, data: bytes) -> Format:
    from .readers import file_format

    return file_format(path, data)


def _comment(
    fmt: Format, codes: list[str], reason: str, indent: str, kind: str = "disable"
) -> str:
    listed = ",".join(codes)
    if fmt is Format.XML:
        why = f" - {re.sub(r'-{2,}', '-', reason).rstrip('-')}" if reason else ""
        return f"{indent}<!-- uwsgi-lint: {kind}={listed}{why} -->"
    mark = ";" if fmt is Format.INI else "#"
    why = f" -- {reason}" if reason else ""
    return f"{indent}{mark} uwsgi-lint: {kind}={listed}{why}"


# findings about a file as a whole, silenced with the file-level form (a comment above
# their line could not silence them, or would change the file: above a byte order mark)
FILE_WIDE = frozenset({"UW001", "UW002", "UW003"})
_YAML_BLOCK = re.compile(r"^([ \t]*)(?:- +)?[^#\s][^#]*:[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _inside_text(fmt: Format, physical: list[bytes]) -> set[int]:
    """The lines (1-based) where a comment would become text: inside a YAML block
    scalar (``key: |``) or an XML CDATA section; a finding there is silenced with the
    file-level form."""
    inside: set[int] = set()
    if fmt is Format.YAML:
        block: int | None = None  # the indentation of the key that opened a block
        for n, raw in enumerate(physical, 1):
            line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
            indent = len(line) - len(line.lstrip(" \t"))
            if block is not None and (not line.strip() or indent > block):
                inside.add(n)
                continue
            found = _YAML_BLOCK.match(line)
            block = len(found.group(1)) if found else None
    elif fmt is Format.XML:
        text = b"".join(physical)
        for m in re.finditer(rb"<!\[CDATA\[.*?(?:\]\]>|\Z)", text, re.S):
            first = text.count(b"\n", 0, m.start()) + 1
            inside.update(range(first, text.count(b"\n", 0, m.end()) + 2))
    return inside


def _dominant_newline(data: bytes) -> bytes:
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n") - crlf
    return b"\r\n" if crlf > lf else b"\n"


def _with_comments(
    fmt: Format, data: bytes, lines: dict[int, list[str]], reason: str
) -> bytes:
    """``data`` with a suppression comment above each line of ``lines`` (line -> codes),
    and one ``disable-file=`` comment at its end for the findings about the whole file
    (:data:`FILE_WIDE`) and those on a line where a comment would become text."""
    nl = _dominant_newline(data)
    physical = data.splitlines(keepends=True)
    inside = _inside_text(fmt, physical)
    whole: list[str] = []
    lines = dict(lines)
    for n in sorted(lines):
        if n in inside:
            whole += lines.pop(n)
        else:
            here = [c for c in lines[n] if c not in FILE_WIDE]
            whole += [c for c in lines[n] if c in FILE_WIDE]
            if here:
                lines[n] = here
            else:
                del lines[n]
    for n in sorted(lines, reverse=True):
        codes = sorted(lines[n])
        index = min(max(n, 1), len(physical) + 1) - 1
        line = physical[index] if index < len(physical) else b""
        text = line.decode("utf-8", errors="surrogateescape")
        body = text.rstrip("\r\n")
        indent = body[: len(body) - len(body.lstrip())]
        if fmt is Format.XML and body.lstrip().startswith("<?xml"):
            # nothing may come before the XML declaration: comment on its line
            ending = text[len(body) :] or ""
            new = body + " " + _comment(fmt, codes, reason, "") + ending
            physical[index] = new.encode("utf-8", errors="surrogateescape")
            continue
        comment = _comment(fmt, codes, reason, indent)
        physical.insert(index, comment.encode("utf-8", errors="surrogateescape") + nl)
        if index > 0 and not physical[index - 1].endswith((b"\n", b"\r")):
            physical[index - 1] += nl
    if whole:
        if physical and not physical[-1].endswith((b"\n", b"\r")):
            physical[-1] += nl
        comment = _comment(fmt, sorted(set(whole)), reason, "", "disable-file")
        physical.append(comment.encode("utf-8", errors="surrogateescape") + nl)
    return b"".join(physical)


def add_noqa(
    report: Report,
    reason: str | None = None,
    *,
    roots: Sequence[str],
    skipped: list[str] | None = None,
    refused: list[tuple[str, str]] | None = None,
) -> list[str]:
    """Insert a suppression comment above every finding's line; the files changed.

    Files are written through :func:`uwsgi_lint.edits.rewrite`: only inside ``roots``
    (real paths, :func:`uwsgi_lint.fs.roots_for` of the linted paths), in place, and only
    when the file, read again, says the same to uWSGI.  A file that may not be written
    is left alone and, with ``refused``, listed there as ``(path, reason)``.  Findings
    that cannot carry a comment (JSON files, files that are not there, UW090 and UW091)
    are left alone and, with ``skipped``, listed there as ``file:line: CODE``.  A second
    run over the report of a fresh lint changes nothing: every finding it commented is
    silenced.
    """
    from .edits import Refused, comments_only, rewrite

    reason = (reason or "").strip()
    # the file (device, inode) -> its name as first shown, and line -> codes
    by_file: dict[tuple[int, int], tuple[str, dict[int, list[str]]]] = {}
    for d in report.diagnostics:
        where = f"{d.span.file}:{d.span.start.line}: {d.code}"
        try:
            st = os.stat(d.span.file)
        except OSError:
            st = None
        if d.code in SELF or st is None or not stat.S_ISREG(st.st_mode):
            if skipped is not None:
                skipped.append(where)
            continue
        # one file reached by two names (a symlink, a hard link) is changed once
        shown, lines = by_file.setdefault((st.st_dev, st.st_ino), (d.span.file, {}))
        codes = lines.setdefault(d.span.start.line, [])
        if d.code not in codes:
            codes.append(d.code)
    changed: list[str] = []
    for shown, lines in sorted(by_file.values()):
        plan = _Plan(shown, lines, reason)
        try:
            if rewrite(shown, roots, plan.change, comments_only(shown)):
                changed.append(shown)
        except Refused as exc:
            if refused is not None:
                refused.append((shown, str(exc)))
            continue
        if plan.json and skipped is not None:
            skipped.extend(f"{shown}:{n}: {c}" for n, codes in sorted(lines.items()) for c in codes)
    return changed


@dataclass(slots=True)
class _Plan:
    """The comments to add to one file."""

    path: str
    lines: dict[int, list[str]]  # line -> codes
    reason: str
    json: bool = False  # the file turned out to be JSON: no comments possible

    def change(self, data: bytes) -> bytes:
        fmt = _format_of(self.path, data)
        self.json = fmt is Format.JSON
        return data if self.json else _with_comments(fmt, data, self.lines, self.reason)


# --- the suppression of one finding, as edits (the language server, --format json) ------


@dataclass(frozen=True, slots=True)
class Suppression:
    """The edits that silence one finding with the comment ``--add-noqa`` writes: ``line``
    inserts ``disable=CODE`` above the finding's line, ``file`` appends
    ``disable-file=CODE``; None where that form is not possible or would not silence it."""

    line: Edit | None
    file: Edit | None


def suppression_edits(path: str, data: bytes, line: int, code: str) -> Suppression:
    """The suppression of finding ``code`` on line ``line`` of the file ``path`` whose bytes
    are ``data``, as edits in the linter's positions (:func:`uwsgi_lint.source.decode`:
    1-based lines, columns in characters; an empty span inserts).  Applied with
    :func:`uwsgi_lint.fix.apply_edits`, ``line`` gives the bytes ``--add-noqa`` (with no
    reason) writes for this finding alone; it is None where ``--add-noqa`` would use the
    file form (:data:`FILE_WIDE` codes, a line inside a YAML block scalar or XML CDATA).
    Both are None for a JSON file (no comments) and for UW090 and UW091."""
    layout = _layout(path, data)
    fmt, nl, physical = layout.format, layout.newline, layout.physical
    if fmt is Format.JSON or code in SELF:
        return Suppression(None, None)

    def insert(offset: int, content: bytes) -> Edit:
        """Insert ``content`` at byte ``offset`` of ``data``."""
        at = layout.position(data, offset)
        return Edit(Span(path, at, at), content.decode("utf-8", "surrogateescape"))

    ends_open = not data.endswith((b"\n", b"\r")) and bool(data)
    whole = _comment(fmt, [code], "", "", "disable-file").encode()
    file_edit = insert(len(data), (nl if ends_open else b"") + whole + nl)
    if code in FILE_WIDE or line in layout.inside:
        return Suppression(None, file_edit)
    # as _with_comments places the comment of one line
    index = min(max(line, 1), len(physical) + 1) - 1
    start = physical[index] if index < len(physical) else len(data)
    end = physical[index + 1] if index + 1 < len(physical) else len(data)
    body = data[start:end].rstrip(b"\r\n")
    text = body.decode("utf-8", "surrogateescape")
    if fmt is Format.XML and text.lstrip().startswith("<?xml"):
        # nothing may come before the XML declaration: the comment goes at its end
        comment = b" " + _comment(fmt, [code], "", "").encode()
        return Suppression(insert(start + len(body), comment), file_edit)
    indent = text[: len(text) - len(text.lstrip())]
    comment = _comment(fmt, [code], "", indent).encode("utf-8", "surrogateescape") + nl
    before = nl if ends_open and index == len(physical) else b""  # after the last line
    return Suppression(insert(start, before + comment), file_edit)


@dataclass(frozen=True, slots=True)
class _Layout:
    """What :func:`suppression_edits` needs of one file, worked out once for all of its
    findings (offsets, not copies of the lines: a file may be 50 MB)."""

    format: Format
    newline: bytes  # the dominant line ending
    physical: array[int]  # where each line starts as --add-noqa splits them (CR, LF, CRLF)
    lines: array[int]  # where each of the linter's lines starts (after each LF)
    inside: frozenset[int]  # the lines where a comment would become text

    def position(self, data: bytes, offset: int) -> Position:
        """The linter's position of byte ``offset`` of ``data`` (at a line's start or end:
        what comes before it on its line decodes alone as it does in the whole text)."""
        line = bisect_right(self.lines, offset) - 1
        before = data[self.lines[line] : offset].decode("utf-8", "surrogateescape")
        return Position(line + 1, len(before) + 1)


@lru_cache(maxsize=2)
def _layout(path: str, data: bytes) -> _Layout:
    fmt = _format_of(path, data)
    physical = array("q", [0] if data else [])
    physical.extend(m.end() for m in re.finditer(rb"\r\n|\r|\n", data))
    if physical and physical[-1] == len(data):
        physical.pop()  # no line after the last line break (bytes.splitlines)
    lines = array("q", [0])
    lines.extend(m.end() for m in re.finditer(rb"\n", data))
    inside: set[int] = set()
    if fmt in (Format.YAML, Format.XML):
        inside = _inside_text(fmt, data.splitlines(keepends=True))
    return _Layout(fmt, _dominant_newline(data), physical, lines, frozenset(inside))
