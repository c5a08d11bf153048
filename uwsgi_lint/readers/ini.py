"""INI, read as ``core/ini.c: uwsgi_ini_config()`` reads it.

Lines split on ``\\n`` only; space, TAB and CR stripped at both ends; a line starting with
``[`` is a header whose name is the rest minus its last character (no check for ``]``);
only whole-line ``;``/``#`` comments; ``key = value`` split at the first ``=``; a line
without ``=`` is a key with an empty value; quotes and trailing text are kept; repeated
sections merge; keys before any header belong to the unnamed section ``""``.

What uWSGI silently ignores in the section it is asked for is recorded as problems, with
the code of the rule that reports it: a header read under another name than written
(``UW004``), a byte order mark hiding the first header (``UW003``), no such section at all
(``UW002``), keys before the first header (``UW005``), a trailing ``\\`` taken for a line
continuation (``UW006``).
"""

from __future__ import annotations

import re

from ..model import Applicability, Comment, ConfigFile, Directive, Edit, Fix, Format, Problem, Span
from ..source import Expanded
from .common import make_directive, section_of, without_bom

SECTION_NOT_FOUND = "UW002"
BYTE_ORDER_MARK = "UW003"
HEADER_MISREAD = "UW004"
KEYS_BEFORE_SECTION = "UW005"
NO_CONTINUATION = "UW006"

_WS = " \t\r"
_SHOWN = 6  # names listed in a message
_SECTION_NAME = re.compile(r"[^\s\[\];#]+")  # a name a fix writes in a header
_OPTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # a key a fix puts in a section


def parse(exp: Expanded, openers: frozenset[str], section: str = "uwsgi") -> ConfigFile:
    """Every section of the file; ``section`` (the one uWSGI is asked for) only decides
    which silently ignored text is worth a problem."""
    text = exp.text
    cfg = ConfigFile(path=exp.path, format=Format.INI)
    if "\r\n" in exp.source:
        cfg.newline = "\r\n"
    order: list[str] = []
    found: dict[str, list[Directive]] = {"": []}
    headers: dict[str, Span | None] = {"": None}
    # headers read under another name than written: offsets, name read, name meant, keys
    misread: list[tuple[int, int, str, str, list[str]]] = []
    lines: list[tuple[int, int]] = []  # the non-empty lines: (start, end) after stripping
    current = ""
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl == -1 else nl
        # uWSGI works on C strings: a NUL ends the line early
        nul = text.find("\0", pos, line_end)
        end = line_end if nul == -1 else nul
        s = pos
        while s < end and text[s] in _WS:
            s += 1
        e = end
        while e > s and text[e - 1] in _WS:
            e -= 1
        if s < e:
            lines.append((s, e))
            first = text[s]
            if first == "[":
                current = text[s + 1 : e - 1] if e - s > 1 else ""
                meant = _meant(text[s + 1 : e])
                if meant != current:
                    misread.append((s, e, current, meant, []))
                if current not in found:
                    found[current] = []
                    headers[current] = exp.span(s, e)
                    order.append(current)
            elif first in ";#":
                cfg.comments.append(Comment(exp.raw(s, e), exp.span(s, e)))
            else:
                eq = text.find("=", s, e)
                if eq == -1:
                    key, value = (s, e), (e, e)
                else:
                    ke = eq
                    while ke > s and text[ke - 1] in _WS:
                        ke -= 1
                    vs = eq + 1
                    while vs < e and text[vs] in _WS:
                        vs += 1
                    key, value = (s, ke), (vs, e)
                d = make_directive(exp, Format.INI, current, key, value, (s, e))
                found[current].append(d)
                if misread and misread[-1][2] == current and misread[-1][1] < s:
                    misread[-1][4].append(d.key)
        pos = line_end + 1
    if found[""]:
        order.insert(0, "")
    cfg.sections = [section_of(name, headers[name], found[name], openers) for name in order]
    _Checks(exp, cfg, section, found, headers, misread, lines).run()
    return cfg


def _meant(inside: str) -> str:
    """The name a header was meant to give: ``uwsgi`` for ``[uwsgi``, ``[ uwsgi ]``,
    ``[uwsgi] ; comment`` and ``[uwsgi]x`` alike."""
    close = inside.find("]")
    return (inside if close == -1 else inside[:close]).strip(" \t")


def _names(names: list[str]) -> str:
    shown = ", ".join(f"`{k}`" for k in list(dict.fromkeys(names))[:_SHOWN])
    return shown + (", ..." if len(set(names)) > _SHOWN else "")


def _keys(n: int) -> str:
    return "1 key" if n == 1 else f"{n} keys"


class _Checks:
    """What uWSGI ignores without a word when it reads ``section`` from this file."""

    def __init__(
        self,
        exp: Expanded,
        cfg: ConfigFile,
        section: str,
        found: dict[str, list[Directive]],
        headers: dict[str, Span | None],
        misread: list[tuple[int, int, str, str, list[str]]],
        lines: list[tuple[int, int]],
    ) -> None:
        self.exp = exp
        self.text = exp.text
        self.cfg = cfg
        self.section = section
        self.found = found
        self.headers = headers
        self.misread = misread
        self.lines = lines
        self.explained = False  # the missing section is already explained by a problem
        # a byte order mark glued to the first header: its keys are no one's to move
        self.hidden = False

    def add(self, code: str, message: str, span: Span, detail: str = "",
            fix: Fix | None = None) -> None:
        self.cfg.problems.append(Problem(code, message, span, detail, fix))

    def run(self) -> None:
        self.byte_order_mark()
        self.headers_misread()
        self.missing_section()
        self.keys_before_section()
        self.continuations()

    def byte_order_mark(self) -> None:
        """``\\ufeff[uwsgi]`` is no header: uWSGI sees a key in the unnamed section."""
        if not self.lines or not self.text.startswith("\ufeff"):
            return
        s, e = self.lines[0]
        if s != 0 or not self.text[1:e].lstrip(_WS).startswith("["):
            return
        self.hidden = True
        header = self.text[1:e].lstrip(_WS)
        if header[1:-1] != self.section:
            return  # another section: said when uWSGI is asked for that one
        self.explained = self.section not in self.headers
        lost = [d.key for d in self.found[""][1:]]
        what = f"the {_keys(len(lost))} under it ({_names(lost)})" if lost else "its keys"
        tail = "reads nothing from this file" if self.explained else f"ignores {what}"
        self.add(
            BYTE_ORDER_MARK,
            f"uWSGI does not see `{header}` behind the UTF-8 byte order mark and {tail}; "
            "save the file without the BOM",
            self.exp.span(0, e),
            "The file starts with a UTF-8 byte order mark, so its first line is no section "
            "header for uWSGI" + (": it finds no such section." if self.explained else "."),
            without_bom(self.exp),
        )

    def headers_misread(self) -> None:
        for s, e, name, meant, keys in self.misread:
            why = "takes everything after `[` but the last character of the line"
            if keys:
                lost = f"the {_keys(len(keys))} under it ({_names(keys)})"
                are = "is" if len(keys) == 1 else "are"
            else:
                lost, are = "keys under it", "are"
            if meant == self.section:
                self.explained = self.explained or self.section not in self.headers
                tail = f"{are} ignored"
                why += f", so the keys under it are not in `[{meant}]`"
            else:
                tail = f"{are} in section `{name}`, not `{meant}`"
            self.add(
                HEADER_MISREAD,
                f"uWSGI reads this header as section `{name}`: {lost} {tail}; "
                f"write `[{meant}]` alone on the line",
                self.exp.span(s, e),
                f"For the section name, uWSGI {why}.",
                self.header_fix(s, e, meant),
            )

    def header_fix(self, s: int, e: int, meant: str) -> Fix | None:
        """``[meant]`` written for the header at ``[s, e)``; a comment after it goes to a
        line of its own above (``[uwsgi]x``: no fix, the ``x`` is a guess)."""
        text = self.text
        first = text.rfind("\n", 0, s) + 1
        nl = text.find("\n", e)
        if not _SECTION_NAME.fullmatch(meant) or self.exp.raw(first, e) != text[first:e]:
            return None
        if "\0" in text[first : len(text) if nl == -1 else nl]:
            return None
        close = text.find("]", s, e)
        rest = "" if close == -1 else text[close + 1 : e].strip(_WS)
        header = f"[{meant}]"
        if not rest:
            return Fix(f"write `{header}`", (Edit(self.exp.span(s, e), header),),
                       Applicability.UNSAFE)
        if rest[0] not in ";#":
            return None
        above = f"{rest}{self.ending(s)}{text[first:s]}{header}"
        return Fix(f"write `{header}` alone, the comment on the line above",
                   (Edit(self.exp.span(s, e), above),), Applicability.UNSAFE)

    def ending(self, offset: int) -> str:
        """The line ending of the line ``offset`` is on (the last line, which has none:
        the file's)."""
        source = self.exp.source
        at = self.exp.src_start(offset)
        nl = source.find("\n", at)
        if nl != -1:
            return "\r\n" if nl > 0 and source[nl - 1] == "\r" else "\n"
        return self.cfg.newline

    def missing_section(self) -> None:
        if self.section in self.headers or self.explained:
            return
        others = [n for n in self.headers if n and n != self.section]
        loose = [d for d in self.found[""] if d.key.strip("\ufeff")]
        if not others and not loose:
            return
        if others:
            span = self.headers[others[0]]
            has = "sections " + ", ".join(f"`[{n}]`" for n in others[:_SHOWN])
            if len(others) == 1:
                has = f"the section `[{others[0]}]`"
        else:
            span = loose[0].span
            has = f"{_keys(len(loose))} but no section header"
        hint = ""
        fix = None
        near = [n for n in others if n.lower().strip() == self.section.lower()]
        if near:
            hint = f"; write `[{self.section}]` (section names are case-sensitive)"
            fix = self.renamed(near[0]) if len(near) == 1 else None
        elif not others:
            hint = f"; put `[{self.section}]` above them"
            fix = self.header_above(loose)
        assert span is not None
        self.add(
            SECTION_NOT_FOUND,
            f"no `[{self.section}]` section in this file, which has {has}: uWSGI reads "
            f"nothing from it{hint}",
            span,
            "uWSGI logs \"Can't find section\" and goes on without this file's options.",
            fix,
        )

    def renamed(self, name: str) -> Fix | None:
        """Every ``[name]`` header written ``[section]``; none when one of them is not
        written ``[name]`` as it is read (UW004 speaks for those first)."""
        header = f"[{self.section}]"
        edits = []
        for s, e in self.lines:
            if self.text[s] == "[" and self.text[s + 1 : e - 1] == name:
                if self.exp.raw(s, e) != f"[{name}]":
                    return None
                edits.append(Edit(self.exp.span(s, e), header))
        return Fix(f"write `{header}`", tuple(edits), Applicability.UNSAFE)

    def header_above(self, loose: list[Directive]) -> Fix | None:
        """``[section]`` on a line of its own above the first of the ``loose`` keys (those
        before any header); none when one of them is no option name (a line left over
        from a shell here-document) or the first stands behind a byte order mark."""
        from ..textfix import line_above

        if not all(_OPTION_NAME.fullmatch(d.key) for d in loose):
            return None
        above = line_above(loose[0], f"[{self.section}]")
        if above is None:
            return None
        return Fix(f"put `[{self.section}]` above the first key", (above,), Applicability.UNSAFE)

    def keys_before_section(self) -> None:
        loose = [d for d in self.found[""] if d.key.strip("\ufeff")]
        if not loose or self.section not in self.headers:
            return
        if self.hidden:
            return  # the keys of the header that the mark hides (UW003 if it matters)
        keys = [d.key for d in loose]
        belong, them = ("belongs", "it") if len(keys) == 1 else ("belong", "them")
        self.add(
            KEYS_BEFORE_SECTION,
            f"{_keys(len(keys))} ({_names(keys)}) before the first section header {belong} to "
            f"no section: uWSGI ignores {them}; move {them} under `[{self.section}]`",
            loose[0].span,
            fix=self.header_moved(loose),
        )

    def header_moved(self, loose: list[Directive]) -> Fix | None:
        """``[section]`` above the ``loose`` keys (as :meth:`header_above`); when the first
        header of the file is ``[section]`` itself, moved there (the section goes on)."""
        fix = self.header_above(loose)
        if fix is None:
            return None
        header = f"[{self.section}]"
        s, e = next((s, e) for s, e in self.lines if self.text[s] == "[")
        if self.exp.raw(s, e) != header:
            return fix
        source = self.exp.source
        start = self.exp.src_start(s)
        line_start = source.rfind("\n", 0, start) + 1
        nl = source.find("\n", self.exp.src_end(e))
        if source[line_start:start].strip(_WS):
            return fix
        end = len(source) if nl == -1 else nl + 1
        lines = self.exp.lines
        cut = Span(self.exp.path, lines.position(line_start), lines.position(end))
        return Fix(f"move `{header}` above the first key", (*fix.edits, Edit(cut, "")),
                   Applicability.UNSAFE)

    def continuations(self) -> None:
        """A value ending in ``\\``: no line continuation in uWSGI's INI."""
        items = self.found.get(self.section, [])
        for d in items:
            vs, ve = d.loc.value
            if ve <= vs or self.text[ve - 1] != "\\":
                continue
            message = f"`{d.key}` keeps the `\\` at the end of its value"
            nl = self.text.find("\n", ve)
            if nl != -1:
                nxt = self.text.find("\n", nl + 1)
                line = self.text[nl + 1 : len(self.text) if nxt == -1 else nxt].strip(_WS)
                if line and line[0] not in "[;#":
                    key = line.split("=", 1)[0].rstrip(_WS)
                    message += f", and the next line is an option of its own: `{_short(key)}`"
            message += "; write the whole value on one line"
            self.add(NO_CONTINUATION, message, self.exp.span(ve - 1, ve),
                     "uWSGI's INI reader has no line continuation: a `\\` that ends a line "
                     "stays in the value, and the line after it is read on its own.")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
