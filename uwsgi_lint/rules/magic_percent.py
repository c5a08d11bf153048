"""UW106/UW107: a ``%`` that uWSGI's magic substitution eats.

uWSGI replaces every ``%`` and the character after it in the raw file text, before any
parser runs (``core/utils.c: magic_sub()``): ``%`` at the end of a line swallows the line
break, so the next line joins the value (or the comment) and its directive is lost; a
character the magic table does not define vanishes together with the ``%``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, ConfigFile, Directive, Edit, Fix, Format, Position
from ..textfix import at as insertion
from ..values import magic_letters, shown
from . import Files, Instances, rule

LINE_FORMATS = (Format.INI, Format.YAML)  # a line break ends a directive only there
_HEX = "0123456789abcdefABCDEF"
MEANING = {
    "d": "the config file's directory",
    "p": "the config file's path",
    "s": "the config file's name",
    "n": "the config file's name without extension",
    "e": "the config file's extension",
    "c": "the name of the config file's directory",
    "x": "the section name",
    "o": "the config file as given",
    "i": "the config file's inode number",
    "j": "a hash of the config file's path",
    "h": "the hostname",
    "k": "the number of CPUs",
    "u": "the uid",
    "U": "the user name",
    "g": "the gid",
    "G": "the group name",
    "t": "the start-up time",
    "T": "the start-up time in microseconds",
    "V": "the uWSGI version",
    "v": "the working directory",
    "b": "the uWSGI binary's path",
}


def meaning(ch: str) -> str:
    if ch.isdigit():
        return f"component {int(ch) + 1} of the config file's directory"
    if ch in "ODSPCENXIJ":
        return MEANING[ch.lower()].replace("the config file", "the first config file")
    return MEANING.get(ch, "a magic variable")


@dataclass(frozen=True, slots=True)
class Eaten:
    at: int  # offset of the `%` in the raw text
    char: str  # what follows it ("" at the end of the text)
    known: bool  # a defined magic variable (replaced by something, not vanishing)


def scan(raw: str, strftime: bool) -> tuple[list[Eaten], list[int]]:
    """The suspicious ``%X`` in ``raw``, and the offsets of ``%`` + line break."""
    letters = magic_letters()
    found: list[Eaten] = []
    breaks: list[int] = []
    i = raw.find("%")
    while i != -1:
        ch = raw[i + 1] if i + 1 < len(raw) else ""
        if ch == "%":
            i = raw.find("%", i + 2)
            continue
        if ch == "\n":
            breaks.append(i)
        elif ch in letters and ch:
            nxt = raw[i + 2] if i + 2 < len(raw) else ""
            if strftime and ch not in "([":
                found.append(Eaten(i, ch, True))
            elif ch.isdigit() and nxt and nxt in _HEX and not strftime:
                found.append(Eaten(i, ch, True))  # %2F: URL encoding read as a directory
        else:
            found.append(Eaten(i, ch, False))
        i = raw.find("%", i + 2)
    return found, breaks


def swallowed(raw: str, at: int) -> list[str]:
    """The lines a ``%`` + line break at ``at`` (and any that follow in a chain) join."""
    lines: list[str] = []
    rest = raw[at + 2 :]
    while True:
        line, nl, rest = rest.partition("\n")
        lines.append(line)
        if not nl or not line.rstrip("\r").endswith("%") or line.rstrip("\r").endswith("%%"):
            return lines


def describe_line(line: str, fmt: Format) -> tuple[str, str] | None:
    """``(what is lost, key)`` for a swallowed line, None for an empty one."""
    text = line.strip(" \t\r")
    if not text:
        return None
    if text.startswith("["):
        return f"the section header `{shown(text)}`", ""
    if text.startswith(("#", ";")) and (fmt is Format.INI or text.startswith("#")):
        return f"the comment `{shown(text, 40)}`", ""
    if fmt is Format.YAML:
        key = re.split(r":[ \t]|:$", text.lstrip("- "), maxsplit=1)[0].strip()
    else:
        key = text.split("=", 1)[0].strip()
    return f"`{shown(text, 50)}`", key


def strftime_context(view: View, d: Directive) -> bool:
    """Whether ``d`` is a strftime format: ``log-date``, a ``strftime:`` log variable, or
    ``log-format`` while ``logformat-strftime`` may be on (:meth:`View.flag`: the last entry
    applied wins)."""
    if "strftime:" in d.value or d.key in view.names("log-date"):
        return True
    if d.key in view.names("log-format"):
        return view.flag("logformat-strftime") is not False
    return False


def fixed(raw: str, eaten: list[Eaten], fmt: Format) -> str:
    """The raw value with every eaten ``%`` doubled."""
    out = raw
    for e in sorted(eaten, key=lambda e: e.at, reverse=True):
        out = out[: e.at] + "%" + out[e.at :]
    if fmt is Format.JSON and len(out) > 1 and out[0] == out[-1] == '"':
        out = out[1:-1]
    return out


def _line_of(start_line: int, raw: str, at: int) -> int:
    return start_line + raw.count("\n", 0, at)


def _lost(raw: str, at: int, fmt: Format, start: int) -> tuple[str, str] | None:
    """``(the lines joined, what is lost)`` for a ``%`` + line break at ``at``."""
    lines: list[str] = []
    lost: list[str] = []
    line = _line_of(start, raw, at) + 1
    for text in swallowed(raw, at):
        got = describe_line(text, fmt)
        if got is not None:
            what, key = got
            lines.append(f"line {line} ({what})")
            if key:
                lost.append(f"`{key}`")
            elif what.startswith("the section header"):
                lost.append(what)
        line += 1
    if not lines:
        return None
    joined = " and ".join(lines) + (" become" if len(lines) > 1 else " becomes")
    if not lost:
        return joined, ""
    return joined, "uWSGI never sees " + " or ".join(lost)


@rule(
    "UW106",
    "percent-swallows-line",
    Severity.ERROR,
    "A `%` at the end of a line eats the line break: the next line joins the value and is lost.",
    on=Files(),
    fix="unsafe",
)
def check_swallow(view: View, cfg: ConfigFile) -> Iterator[Finding]:
    if cfg.format not in LINE_FORMATS:
        return
    for d, raw in view.percent_values(cfg):
        _, breaks = scan(raw, False)
        start = d.value_span.start.line
        covered = -1
        for at in breaks:
            if at < covered:
                continue  # a later link of a chain this report already covers
            covered = at + 2 + sum(len(line) + 1 for line in swallowed(raw, at))
            got = _lost(raw, at, d.format, start)
            if got is None:
                continue
            joined, lost = got
            what = lost or f"{joined} part of the `{d.key}` value"
            chain = [b for b in breaks if at <= b < covered]
            yield Finding(
                d.value_span,
                f"the `%` ending line {_line_of(start, raw, at)} eats the line break: {what}; "
                "write `%%` for a literal percent sign",
                detail=f"A `%` before a line break is a magic variable that eats it: {joined} "
                f"part of the `{d.key}` value (`{shown(d.value)}`).",
                fix=doubled(d.file, d.value_span.start, raw, chain, Applicability.UNSAFE),
            )
    for c in cfg.comments:
        at = c.text.find("%\n")
        while at != -1 and at > 0 and c.text[at - 1] == "%":
            at = c.text.find("%\n", at + 2)
        if at == -1:
            continue
        got = _lost(c.text, at, cfg.format, c.span.start.line)
        if got is None or not got[1]:
            continue  # only comments or blank lines joined: nothing is lost
        joined, lost = got
        yield Finding(
            c.span,
            f"this comment ends in `%`, which eats the line break: {lost}; write `%%` for a "
            "literal percent sign",
            detail=f"A `%` before a line break is a magic variable that eats it: {joined} "
            "part of the comment.",
            fix=doubled(c.span.file, c.span.start, c.text, scan(c.text, False)[1],
                        Applicability.UNSAFE),
        )


@rule(
    "UW107",
    "percent-vanishes",
    Severity.WARNING,
    "A `%` followed by a letter uWSGI does not define vanishes with it (`%Y`, `50% off`).",
    on=Instances(),
    fix="safe",
)
def check_vanish(view: View) -> Iterator[Finding]:
    for cfg in view.files():
        for d, raw in view.percent_values(cfg):
            strftime = strftime_context(view, d)
            eaten, breaks = scan(raw, strftime)
            for at in breaks:
                empty = all(not line.strip(" \t\r") for line in swallowed(raw, at))
                if d.format not in LINE_FORMATS or empty:
                    eaten.append(Eaten(at, "\n", False))
            if not eaten:
                continue
            eaten.sort(key=lambda e: e.at)
            gone = [e for e in eaten if not e.known]
            kept = [e for e in eaten if e.known]
            parts = []
            if gone:
                tokens = ", ".join(f"`{_token(e)}`" for e in gone)
                parts.append(f"{tokens} {'vanishes' if len(gone) == 1 else 'vanish'}")
            for e in kept:
                parts.append(f"`%{e.char}` becomes {meaning(e.char)}")
            why = "; ".join(parts)
            if strftime and kept:
                why += " (before strftime sees the format)"
            # a defined variable is surely meant literally only in a strftime format
            meant = not kept or d.key in view.names("log-date")
            fix = doubled(d.file, d.value_span.start, raw, [e.at for e in eaten],
                          Applicability.SAFE) if meant else None
            yield Finding(
                d.value_span,
                f"uWSGI substitutes magic `%` variables here: the value is `{shown(d.value)}`; "
                f"write `{shown(fixed(raw, eaten, d.format))}`",
                detail=f"uWSGI substitutes magic `%` variables in the raw text: {why}.",
                fix=fix,
            )


def doubled(file: str, start: Position, raw: str, where: list[int],
            applicability: Applicability) -> Fix:
    """The fix that doubles the ``%`` at each offset in ``where`` of ``raw``, the text
    written from ``start``: ``%%`` is uWSGI's literal percent sign."""
    edits = tuple(Edit(insertion(start, raw, i, file), "%") for i in sorted(where))
    return Fix("write `%%` for a literal percent sign", edits, applicability)


def _token(e: Eaten) -> str:
    if e.char == "":
        return "%"
    if e.char == "\n":
        return "%" + "\\n"
    return "%" + shown(e.char)
