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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic
from .model import Comment, ConfigFile, Format

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
    return Parsed(m.group(1), codes, rest)


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
        good = []
        for code in p.codes:
            if _known(code, known):
                good.append(code)
            else:
                out.unknown.append((c, code))
        p = Parsed(p.kind, tuple(good), p.reason)
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
            out.entries.extend(Entry(c, p.kind, code, 1, LAST) for code in p.codes)
        elif p.kind == "disable":
            for code in p.codes:
                if not alone:
                    out.entries.append(Entry(c, p.kind, code, line, c.span.end.line))
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
                    out.entries.append(Entry(c, "range", code, line, end.span.start.line))
                else:
                    target = next_code_line(c.span.end.line)
                    out.entries.append(Entry(c, p.kind, code, target, target))
    for j, (c, p, _) in enumerate(found):
        if p.kind == "enable":
            for code in p.codes:
                if (j, code) not in closed:
                    line = c.span.start.line
                    out.stray.append(Entry(c, "enable", code, line, line))
    return out


def read_lines(path: str) -> list[str]:
    """The lines of ``path`` (through :func:`uwsgi_lint.fs.read_regular`: a regular file
    inside the run's boundary, read once), empty when it cannot be read."""
    from .fs import Unreadable, read_regular

    try:
        data = read_regular(path)
    except Unreadable:
        return []
    return re.split(r"\r\n|\n|\r", data.decode("utf-8", "replace"))


def describe(e: Entry) -> str:
    if e.kind == "disable-file":
        return "in this file"
    if e.kind == "range":
        return f"on lines {e.first + 1}-{e.last - 1}"
    return f"on line {e.first}"


# --- --add-noqa ---------------------------------------------------------------------


def _format_of(path: str, data: bytes) -> Format:
    from .readers import format_for, sniff

    return format_for(path) or sniff(data)


def _comment(fmt: Format, codes: list[str], reason: str, indent: str) -> str:
    listed = ",".join(codes)
    if fmt is Format.XML:
        why = f" - {re.sub(r'-{2,}', '-', reason).rstrip('-')}" if reason else ""
        return f"{indent}<!-- uwsgi-lint: disable={listed}{why} -->"
    mark = ";" if fmt is Format.INI else "#"
    why = f" -- {reason}" if reason else ""
    return f"{indent}{mark} uwsgi-lint: disable={listed}{why}"


def _dominant_newline(data: bytes) -> bytes:
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n") - crlf
    return b"\r\n" if crlf > lf else b"\n"


def _with_comments(
    fmt: Format, data: bytes, lines: dict[int, list[str]], reason: str
) -> bytes:
    """``data`` with a suppression comment above each line of ``lines`` (line -> codes)."""
    nl = _dominant_newline(data)
    physical = data.splitlines(keepends=True)
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
