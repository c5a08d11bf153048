"""YAML, read the two ways uWSGI 2.0.31 reads it (``core/yaml.c: uwsgi_yaml_config()``).

:func:`parse` is the embedded line reader of the default (pip) build: no YAML at all, just
``key: value`` lines under the first top-level ``section:`` line, and a silent stop at the
first line it does not understand.  :func:`parse_libyaml` follows the ``UWSGI_LIBYAML``
branch (Debian's packages) token by token with PyYAML's scanner, which is libyaml itself
when PyYAML was built with it.  Both return the section asked for (``file.yml:name``) and
every other top-level key that opens a block, each read as if uWSGI were asked for it;
what uWSGI silently loses is reported for the asked section only, as problems (and
``ConfigFile.stopped``) that carry the code of the rule reporting them.  Each reader also
reads the file the other way: where the other build of uWSGI would refuse the file or lose
keys that this one reads, a ``UW013`` problem says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, cast

from ..model import Comment, ConfigFile, Directive, Format, Problem, Section, Span
from ..source import Expanded
from .common import CLOSERS, make_directive, section_of, without_bom

if TYPE_CHECKING:
    from yaml.tokens import ScalarToken, Token

# problem codes: the rule that reports each (uwsgi_lint/rules/format_*.py)
SYNTAX = "UW001"  # uWSGI cannot parse the file and exits
UNAVAILABLE = "UW001"  # PyYAML is not installed: the libyaml reading cannot be checked
LIMIT = "UW001"  # nesting too deep to scan in reasonable time: not read past that point
SECTION_NOT_FOUND = "UW002"  # no top-level key names the asked section
BOM = "UW003"  # a byte order mark glued to the section key hides the section
STOP = "UW007"  # the reader stopped early: ConfigFile.stopped
INLINE = "UW008"  # the section written inline (`uwsgi: {...}`): skipped whole
HASH = "UW010"  # `#` cuts a value that YAML would keep whole
EMPTY = "UW011"  # `key:` with no value is skipped
ALIAS = "UW012"  # an alias (or anchor) never gives its value
OTHER_READER = "UW013"  # the other YAML reader refuses the file or loses keys

_WS = " \t\r"
_SHOWN = 6  # key names listed in a message

# ---------------------------------------------------------------------------------------
# shared message helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(keys: list[str], items: int = 0, lines: int = 0, noun: str = "key") -> tuple[str, int]:
    """``"3 keys (a, b, c) and 2 list items"`` and how many things that counts."""
    parts: list[str] = []
    if keys:
        names = list(dict.fromkeys(keys))
        shown = ", ".join(_short(n) for n in names[:_SHOWN])
        shown += ", ..." if len(names) > _SHOWN else ""
        parts.append(f"{_plural(len(keys), noun)} ({shown})")
    if items:
        parts.append(_plural(items, "list item"))
    if parts:
        return " and ".join(parts), len(keys) + items
    return _plural(lines, "line"), lines


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------
# the embedded line reader


@dataclass(frozen=True, slots=True)
class _Line:
    """One line as ``yaml_get_line()`` leaves it: cut at ``#``, NUL or the newline."""

    start: int  # first character of the line
    end: int  # end of the C string (before ``#``, NUL or ``\\n``)
    body: int  # first character after leading space/TAB/CR

    @property
    def top(self) -> bool:
        """At depth 0 (no leading space/TAB/CR).

        ``yaml_get_depth()`` counts spaces as 1 and TAB/CR as 8, but ``current_depth`` starts
        at 0 and is only ever lowered: a section opens only in column 1, every deeper line
        belongs to it and the next column-1 line ends it.
        """
        return self.body == self.start


@dataclass(slots=True)
class _Lost:
    """What a YAML reader would see in lines uWSGI skips."""

    keys: list[str] = field(default_factory=list)
    items: int = 0
    others: int = 0

    def count(self, text: str, line: _Line) -> None:
        s, e = line.body, _rstrip(text, line.body, line.end, _WS)
        if text[s] == "-":
            self.items += 1
            return
        colon = text.find(":", s, e)
        if colon != -1 and (colon + 1 == e or text[colon + 1] in " \t"):
            self.keys.append(text[s:colon].strip().strip("\"'") or '""')
        else:
            self.others += 1

    def __bool__(self) -> bool:
        return bool(self.keys or self.items or self.others)


@dataclass(slots=True)
class _Block:
    """A section being read: its header line, what uWSGI reads and where it stops."""

    name: str
    head: _Line
    found: list[Directive] = field(default_factory=list)
    stop: _Line | None = None
    lost: _Lost = field(default_factory=_Lost)
    only_bare_key: bool = False  # all that is lost is one ``key:`` line


def _rstrip(text: str, start: int, end: int, chars: str) -> int:
    while end > start and text[end - 1] in chars:
        end -= 1
    return end


def _lines(exp: Expanded, comments: list[Comment]) -> Iterator[_Line]:
    """The non-empty lines of ``exp.text``, collecting ``#`` comments on the way."""
    text = exp.text
    n = len(text)
    pos = 0
    while pos < n:
        nl = text.find("\n", pos)
        line_end = n if nl == -1 else nl
        end = line_end
        hash_at = text.find("#", pos, line_end)
        if hash_at != -1:
            cend = _rstrip(text, hash_at, line_end, _WS)
            comments.append(Comment(exp.raw(hash_at, cend), exp.span(hash_at, cend)))
            end = hash_at
        nul = text.find("\0", pos, end)
        if nul != -1:
            end = nul
        if end > pos:
            body = pos
            while body < end and text[body] in _WS:
                body += 1
            yield _Line(pos, end, body)
        pos = line_end + 1


def _head_name(text: str, line: _Line) -> str | None:
    """The name a depth-0 line gives a section: the text before its first colon."""
    if text[line.start] in "-[{":
        return None
    colon = text.find(":", line.start, line.end)
    return None if colon == -1 else text[line.start : colon]


def _stop_reason(text: str, line: _Line) -> str | None:
    """Why uWSGI stops at this (deeper, non-blank) line, or None when it reads it."""
    s = line.body
    e = _rstrip(text, s, line.end, _WS)
    first = text[s]
    if first == "-":
        return "a list item"
    if first in "[{":
        return "a flow collection"
    if text.find(": ", s, line.end) != -1 or text.find(":\t", s, line.end) != -1:
        return None
    if text[e - 1] == ":":
        return "nothing follows the colon: a nested block, a list or an empty value"
    if text.find(":", s, e) != -1:
        return "no space after the colon"
    return "no `key: value` on this line"


def _entry(exp: Expanded, line: _Line, section: str) -> Directive:
    """A ``key: value`` line split at the first ``": "`` (else ``":\\t"``)."""
    text = exp.text
    s, e = line.body, line.end
    colon = text.find(": ", s, e)
    if colon == -1:
        colon = text.find(":\t", s, e)
    ke = _rstrip(text, s, colon, " \t")
    vs = colon + 2
    while vs < e and text[vs] in _WS:
        vs += 1
    ve = _rstrip(text, vs, e, " \t")
    whole = max(ve, _rstrip(text, s, e, _WS))
    return make_directive(exp, Format.YAML, section, (s, ke), (vs, ve), (s, whole))


def _explain(text: str, block: _Block) -> str:
    """Why uWSGI stopped reading ``block``, with a hint for the usual culprits."""
    assert block.stop is not None
    reason = _stop_reason(text, block.stop) or "?"
    line = block.stop
    key = text[line.body : _rstrip(text, line.body, line.end, _WS) - 1]
    if _bare_key(text, line) and key in CLOSERS:
        return f"`{key}:` has no value; write `{key}: 1`"  # a closer: never long
    last = block.found[-1].value if block.found else ""
    if last[:1] in ("|", ">") and not _bare_key(text, line):
        return f"a line of a `{last}` multi-line value, which this reader does not know"
    return reason


def _bare_key(text: str, line: _Line) -> bool:
    return text[_rstrip(text, line.body, line.end, _WS) - 1] == ":"


def _opens_block(text: str, head: _Line, name: str) -> bool:
    """A ``name:`` line with nothing after the colon (a mapping in YAML terms)."""
    after = head.start + len(name) + 1
    return _rstrip(text, after, head.end, _WS) == after


class _Embedded:
    """One pass over the lines: each section read as if uWSGI were asked for it."""

    def __init__(self, exp: Expanded, section: str) -> None:
        self.exp = exp
        self.text = exp.text
        self.section = section
        self.blocks: list[_Block] = []
        self.seen: set[str] = set()
        self.current: _Block | None = None  # being read
        self.asked: _Block | None = None
        self.after_asked: _Line | None = None  # the depth-0 line that ended it
        self.later: list[_Line] = []  # heads of later blocks with the asked name
        self.later_lost = _Lost()
        self.in_later = False
        self.problems: list[Problem] = []
        self.tops: list[tuple[_Line, str]] = []  # depth-0 lines with a key, and the key

    def line(self, line: _Line) -> None:
        if line.top:
            self._head(line)
        elif self.current is not None:
            self._body(self.current, line)
        elif self.in_later and line.body != line.end:
            self.later_lost.count(self.text, line)

    def _head(self, line: _Line) -> None:
        if self.asked is not None and self.after_asked is None:
            self.after_asked = line
        name = _head_name(self.text, line)
        if name is not None:
            self.tops.append((line, name))
        self.current = None
        self.in_later = name == self.section and name in self.seen
        if self.in_later:
            self.later.append(line)
        if name is None or name in self.seen:
            return
        self.seen.add(name)
        if name == self.section or _opens_block(self.text, line, name):
            self.current = _Block(name, line)
            self.blocks.append(self.current)
            if name == self.section:
                self.asked = self.current

    def _body(self, block: _Block, line: _Line) -> None:
        if line.body == line.end:
            return  # only whitespace
        if block.stop is None:
            if _stop_reason(self.text, line) is None:
                d = _entry(self.exp, line, block.name)
                block.found.append(d)
                if block is self.asked and self.text[line.end : line.end + 1] == "#":
                    self._hash(d, line)
                return
            block.stop = line
            block.only_bare_key = _bare_key(self.text, line)
        else:
            block.only_bare_key = False
        if block is self.asked:
            block.lost.count(self.text, line)

    def _hash(self, d: Directive, line: _Line) -> None:
        """A ``#`` that YAML would keep in the value: inside quotes, or without a blank
        before it (``url: http://h/#x``)."""
        text = self.text
        vs = d.loc.value[0]
        hash_at = line.end
        nl = text.find("\n", hash_at)
        eol = _rstrip(text, hash_at, len(text) if nl == -1 else nl, _WS)
        quote = text[vs] if vs < hash_at and text[vs] in "\"'" else ""
        if quote:
            if text.find(quote, vs + 1, hash_at) != -1:
                return  # the quoted part closed before the `#`
            close = text.find(quote, hash_at, eol)
            if close == -1:
                return  # not valid YAML either
            meant = text[vs + 1 : close]
            why = "even inside quotes"
            eol = close + 1
        elif vs < hash_at and text[hash_at - 1] not in " \t":
            comments = (text.find(" #", hash_at, eol), text.find("\t#", hash_at, eol))
            eol = _rstrip(text, hash_at, min((i for i in comments if i != -1), default=eol), _WS)
            meant = text[vs:eol]
            why = "even with no blank before it"
        else:
            return
        lost = text[hash_at:eol]
        self.problems.append(
            Problem(
                HASH,
                f"`{_short(d.key)}` gets `{_short(d.value)}`, not `{_short(meant)}`: the `#` "
                "starts a comment; set this option in an INI file instead (`ini: file.ini`)",
                self.exp.span(hash_at, eol),
                f"uWSGI's embedded YAML reader starts a comment at every `#`, {why}, and "
                f"`{_short(lost)}` is dropped. No quoting helps.",
            )
        )

    def stopped(self) -> Problem | None:
        """The stop point of the asked section, when something that looks like config is lost."""
        block = self.asked
        if block is None:
            return None
        here = block.stop is not None and not block.only_bare_key
        if not here and not self.later_lost:
            return None
        lost = block.lost if here else _Lost()
        summary, count = _summary(
            lost.keys + self.later_lost.keys,
            lost.items + self.later_lost.items,
            lost.others + self.later_lost.others,
        )
        lines = ", ".join(str(self.exp.span(h.start, h.start).start.line) for h in self.later)
        name = self.section
        if here and block.stop is not None:
            again = f" (a later `{name}:` block, line {lines}, is never read)" if lines else ""
            why, _, fix = _explain(self.text, block).partition("; ")  # a closer: its fix
            return Problem(
                STOP,
                f"uWSGI's embedded YAML reader stops here: {summary} from here to the end of "
                f"the `{name}` section {_are(count)} ignored" + (f"; {fix}" if fix else ""),
                _line_span(self.exp, block.stop),
                f"It stops at this line: {why}.{again}",
            )
        assert self.after_asked is not None
        return Problem(
            STOP,
            f"uWSGI's embedded YAML reader reads only the first `{name}:` block: {summary} "
            f"in the later one{'s' if len(self.later) > 1 else ''} (line {lines}) "
            f"{_are(count)} ignored",
            _header_span(self.exp, self.after_asked),
            f"It stops at this line: it starts in column 1, which ends the `{name}` section.",
        )


def _header_span(exp: Expanded, line: _Line) -> Span:
    return exp.span(line.start, _rstrip(exp.text, line.start, line.end, _WS))


def _line_span(exp: Expanded, line: _Line) -> Span:
    return exp.span(line.body, _rstrip(exp.text, line.body, line.end, _WS))


def parse(exp: Expanded, openers: frozenset[str], section: str = "uwsgi") -> ConfigFile:
    """Read ``exp`` as the embedded reader does; ``section`` is the one uWSGI is asked for."""
    cfg = _parse_embedded(exp, openers, section)
    if not _plain(exp.text) and _pyyaml() is not None:
        _compare(cfg, _parse_libyaml(exp, openers, section), LIBYAML_BUILD)
    return cfg


# a line both readers read the same way: a comment, a blank, a top-level `key:`, or an
# indented `key: value` whose value has nothing YAML would treat specially
_PLAIN_LINE = re.compile(
    r"[ ]*(?:#.*)?|[A-Za-z0-9_.-]+:"
    r"|[ ]+[A-Za-z0-9_.-]+:[ ]+[^\s'\"#&*!|>{}\[\]%@`,?:-](?:[^\t'\"#:]|:(?=[^ ]))*"
)


# what libyaml refuses (control characters) or reads as a line break (NEL, LS, PS)
_NOT_PLAIN_CHAR = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                             "\U00010000-\U0010ffff]")


def _plain(text: str) -> bool:
    """Whether every line is plain enough that libyaml cannot read it differently: no TAB,
    CR, BOM or character libyaml refuses, and the indented lines of a block all at the
    same depth (a deeper one continues the value above it)."""
    if "\t" in text or "\r" in text or _NOT_PLAIN_CHAR.search(text):
        return False
    depth = None
    for line in text.split("\n"):
        if not _PLAIN_LINE.fullmatch(line):
            return False
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        if indent == 0:
            depth = None
        elif depth is None:
            depth = indent
        elif indent != depth:
            return False
    return True


def _parse_embedded(exp: Expanded, openers: frozenset[str], section: str) -> ConfigFile:
    cfg = ConfigFile(path=exp.path, format=Format.YAML)
    if "\r\n" in exp.source:
        cfg.newline = "\r\n"
    reader = _Embedded(exp, section)
    first: _Line | None = None
    for line in _lines(exp, cfg.comments):
        if first is None and line.top:
            first = line
        reader.line(line)
    for block in reader.blocks:
        header = _header_span(exp, block.head)
        cfg.sections.append(section_of(block.name, header, block.found, openers))
    cfg.problems.extend(reader.problems)
    if reader.asked is not None:
        _check_header(exp, reader.asked, cfg)
        cfg.stopped = reader.stopped()
        cfg.ended_early = reader.asked.stop is not None or reader.after_asked is not None
        _check_last_bare_key(exp, reader.asked, cfg)
        _check_aliases(exp, reader.asked, cfg)
    elif first is not None and not _check_bom(exp, first, section, cfg) and reader.tops:
        line, name = reader.tops[0]
        names = [name for _, name in reader.tops]
        scalars = all(not _opens_block(exp.text, ln, name) for ln, name in reader.tops)
        span = exp.span(line.start, line.start + len(name))
        cfg.problems.append(_not_found(section, names, scalars, span))
    return cfg


def _check_last_bare_key(exp: Expanded, block: _Block, cfg: ConfigFile) -> None:
    """``key:`` on the last line of the section: the reader stops there and loses only it."""
    line = block.stop
    if line is None or not block.only_bare_key:
        return
    text = exp.text
    end = _rstrip(text, line.body, line.end, _WS)
    key = text[line.body : end - 1].rstrip(" \t")
    hint = f"`{key}: 1`" if key in CLOSERS else f"`{_short(key)}: <value>`"
    msg = (
        f"`{_short(key)}:` has no value: uWSGI's embedded YAML reader stops here and loses "
        f"`{_short(key)}`; write {hint}"
    )
    cfg.problems.append(Problem(
        EMPTY, msg, exp.span(line.body, end),
        f"It stops at this line; as it is the last one of the `{block.name}` section, only "
        f"`{_short(key)}` is lost."))


# an anchor as YAML defines one: `&name` at the start of a value or list item
_ANCHOR_DEF = re.compile(r"(?:^|[\s\[{,])&([^\s,\[\]{}]+)")
_ANCHOR_VALUE = re.compile(r"&([^\s,\[\]{}]+)")
_ALIAS_VALUE = re.compile(r"\*([^\s,\[\]{}]+)")


def _check_aliases(exp: Expanded, block: _Block, cfg: ConfigFile) -> None:
    """YAML anchors and aliases, which the embedded reader keeps as text.

    An alias is reported only when the file defines its anchor (``*.py`` is a glob)."""
    if "&" not in exp.text or "*" not in exp.text:
        anchors: set[str] = set()
    else:
        anchors = set(_ANCHOR_DEF.findall(exp.text))
    for d in block.found:
        value = d.value
        if value.startswith("&") and (m := _ANCHOR_VALUE.match(value)):
            rest = value[m.end() :].lstrip(" \t")
            msg = (
                f"`{_short(d.key)}` gets `{_short(value)}`, anchor included"
                + (f", not `{_short(rest)}`" if rest else "")
                + "; remove the anchor (and write out the values that refer to it)"
            )
            cfg.problems.append(Problem(ALIAS, msg, d.value_span,
                                        "uWSGI's embedded YAML reader does not know YAML "
                                        "anchors."))
        elif (m := _ALIAS_VALUE.fullmatch(value)) and m.group(1) in anchors:
            merge = " (merge keys do not work either)" if d.key == "<<" else ""
            msg = (
                f"`{_short(d.key)}` gets the text `{_short(value)}`, not the value of "
                f"`&{_short(m.group(1))}`{merge}; write the value out"
            )
            cfg.problems.append(Problem(ALIAS, msg, d.value_span,
                                        "uWSGI's embedded YAML reader does not know YAML "
                                        "aliases."))


def _not_found(section: str, names: list[str], scalars: bool, span: Span) -> Problem:
    """No top-level key names the section: uWSGI reads nothing, and says nothing."""
    shown = ", ".join(f"`{_short(n)}`" for n in list(dict.fromkeys(names))[:_SHOWN])
    hint, why = "", ""
    if any(n.strip().lower() == section.lower() for n in names):
        hint = f"; write `{section}:`"
        why = " Keys are case-sensitive and end at the colon."
    elif scalars:
        hint = f"; put a `{section}:` line first, the options indented under it"
    return Problem(
        SECTION_NOT_FOUND,
        f"no `{section}:` key at the top of this file (it has {shown}): uWSGI reads nothing "
        f"from it{hint}",
        span,
        f"uWSGI reads nothing from this file, without a warning.{why}",
    )


def _check_header(exp: Expanded, block: _Block, cfg: ConfigFile) -> None:
    """Text after ``uwsgi:`` on its own line (an inline ``{...}`` map) is dropped."""
    text = exp.text
    start = block.head.start + len(block.name) + 1
    end = _rstrip(text, start, block.head.end, _WS)
    while start < end and text[start] in _WS:
        start += 1
    if start < end and not _ANCHOR_OR_TAG.fullmatch(text, start, end):
        inline = text[start] in "{["
        lost = "the section is written inline, and nothing of it" if inline else "it"
        msg = f"`{_short(text[start:end])}` after `{block.name}:` is never read"
        if inline:
            msg += f"; write `{block.name}:` alone and one `key: value` per line below it"
        cfg.problems.append(Problem(
            INLINE, msg, exp.span(start, end),
            f"uWSGI's embedded YAML reader ignores everything after `{block.name}:` on its "
            f"line ({lost} reaches uWSGI)."))


_ANCHOR_OR_TAG = re.compile(r"(?:[&!][^\s]*\s*)+")


def _check_bom(exp: Expanded, first: _Line, section: str, cfg: ConfigFile) -> bool:
    """A byte order mark glued to the first key hides the section from uWSGI."""
    if first.start == 0 and _head_name(exp.text, first) == "\ufeff" + section:
        msg = (
            f"uWSGI does not see `{section}:` behind the UTF-8 byte order mark and reads "
            "nothing from this file; save the file without the BOM"
        )
        cfg.problems.append(Problem(
            BOM, msg, _header_span(exp, first),
            f"The file starts with a UTF-8 byte order mark: uWSGI's embedded YAML reader "
            f"reads the first key as BOM + `{section}` and does not find the `{section}` "
            "section.", without_bom(exp)))
        return True
    return False


# -- how the other build of uWSGI reads the file ----------------------------------------

LIBYAML_BUILD = "a libyaml build of uWSGI (as Debian and Ubuntu package it)"
EMBEDDED_BUILD = "the embedded YAML reader of a pip-installed uWSGI"
_LOSSES = frozenset({SYNTAX, SECTION_NOT_FOUND, BOM, STOP, INLINE, HASH, EMPTY, ALIAS})
# UW001 problems that are limits of uwsgi-lint, not of uWSGI
_OWN_LIMITS = ("PyYAML is not installed", "flow collections nested more than")


def _placeholder_start(problem: Problem) -> bool:
    """libyaml refusing a plain value that starts with `%` or `@`: ``%(name)``, ``@(file)``
    and magic variables are written so for the embedded reader, which would keep the quotes
    libyaml needs; no spelling reads the same in both, so this is no news worth a finding."""
    return problem.code == SYNTAX and any(
        _RESERVED_HINT.format(ch=ch) in problem.message for ch in "%@"
    )


def _compare(cfg: ConfigFile, other: ConfigFile, build: str) -> None:
    """One ``UW013`` problem when the other reader refuses the file or loses keys that
    this one reads (differences in values are left to the rules of the target reader)."""
    # a line this reader has something to say about already (the same anchor, say)
    mine = {p.span.start.line for p in cfg.problems}
    if cfg.stopped is not None:
        mine.add(cfg.stopped.span.start.line)
    missing = any(p.code == SECTION_NOT_FOUND for p in cfg.problems)
    found = [p for p in other.problems if p.code in _LOSSES]
    if other.stopped is not None:
        found.append(other.stopped)
    found = [
        p
        for p in found
        if p.span.start.line not in mine
        and not _placeholder_start(p)
        and not (p.code == SYNTAX and p.message.startswith(_OWN_LIMITS))
        and not (p.code == SECTION_NOT_FOUND and missing)
    ]
    if not found:
        return
    found.sort(key=lambda p: (p.span.start, p.span.end))
    first = found[0]
    more = f" ({len(found) - 1} more)" if len(found) > 1 else ""
    short = build.split(" (")[0]
    msg = f"{short} reads this file differently{more}: {first.message}"
    detail = " ".join(filter(None, [first.detail, f"The other build: {build}."]))
    cfg.problems.append(Problem(OTHER_READER, msg, first.span, detail))


# ---------------------------------------------------------------------------------------
# the libyaml token reader

# libyaml's reader refuses these (yaml_parser_update_buffer); surrogates are undecodable bytes
_NON_PRINTABLE = re.compile(r"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RAW_CHUNK = 16384  # YAML_RAW_BUFFER_SIZE: libyaml decodes (and checks) input in chunks
# the scanner checks every open flow level at each token: quadratic in the nesting depth
_MAX_FLOW_DEPTH = 500

# token kinds, named after libyaml's yaml_token_type_t
_KEY, _VALUE, _SEQ_START, _ENTRY, _BLOCK_ENTRY, _MAP_START, _END, _SCALAR = range(8)
_STREAM_END, _FLOW_MAP_START, _FLOW_MAP_END, _ALIAS, _OTHER = range(8, 13)


def _kinds() -> dict[type, int]:
    from yaml import tokens as t

    return {
        t.KeyToken: _KEY,
        t.ValueToken: _VALUE,
        t.BlockSequenceStartToken: _SEQ_START,
        t.FlowSequenceStartToken: _SEQ_START,
        t.BlockEntryToken: _BLOCK_ENTRY,
        t.FlowEntryToken: _ENTRY,
        t.BlockMappingStartToken: _MAP_START,
        t.BlockEndToken: _END,
        t.FlowSequenceEndToken: _END,
        t.ScalarToken: _SCALAR,
        t.StreamEndToken: _STREAM_END,
        t.FlowMappingStartToken: _FLOW_MAP_START,
        t.FlowMappingEndToken: _FLOW_MAP_END,
        t.AliasToken: _ALIAS,
    }


@dataclass(slots=True)
class _Run:
    """uWSGI reading one section name: its ``in_uwsgi_section`` counter and what it read."""

    name: str
    depth: int = 0  # in_uwsgi_section
    done: bool = False  # the section closed: uWSGI stopped parsing
    header: Span | None = None
    found: list[Directive] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # keys read after the reader halted


@dataclass(slots=True)
class _Halt:
    """Where uWSGI logged ``unsupported YAML token`` and stopped."""

    span: Span
    reason: str
    asked_reading: bool  # the asked section was not finished yet


class _Machine:
    """The token loop of ``uwsgi_yaml_config()``, run for several section names at once.

    ``key`` and ``status`` do not depend on the section asked for, so one pass serves the
    asked section and every top-level block mapping.  After an unsupported token uWSGI
    stops; the machine goes on to count what that loses (``_Run.lost``).
    """

    def __init__(self, exp: Expanded, base: int, section: str) -> None:
        self.exp = exp
        self.base = base  # offset of the scanned text in exp.text (a skipped BOM)
        self.asked = _Run(section)
        self.runs: dict[str, _Run] = {section: self.asked}
        self.active: list[_Run] = []
        self.order: list[_Run] = []
        self.key: ScalarToken | None = None
        self.status = 0
        self.level = 0  # block/flow collections open (to spot top-level mappings)
        self.prev: Token | None = None
        self.entry: int | None = None  # start of the block entry a scalar follows
        self.halt: _Halt | None = None
        self.problems: list[Problem] = []
        self.pending: ScalarToken | None = None  # a key of the asked section awaiting a value
        self.tops: list[ScalarToken] = []  # keys of the root mapping

    def offsets(self, tok: Token) -> tuple[int, int]:
        return tok.start_mark.index + self.base, tok.end_mark.index + self.base

    def feed(self, kind: int, tok: Token) -> None:
        if self.pending is not None:
            if kind in (_KEY, _END, _ENTRY, _FLOW_MAP_END, _STREAM_END):
                self._no_value(self.pending)
            self.pending = None
        if kind == _VALUE and self.status == 1 and self.halt is None and self.awaits():
            self.pending = self.key
        if kind == _KEY:
            self.status = 1
        elif kind == _VALUE:
            self.status = 2
        elif kind == _SEQ_START:
            self._open()
            self.status = 3
        elif kind in (_ENTRY, _BLOCK_ENTRY):
            self.status = 3
        elif kind == _MAP_START:
            self._map_start()
        elif kind == _END:
            self._close()
        elif kind == _SCALAR:
            self._scalar(cast("ScalarToken", tok))
        else:
            self._other(kind, tok)
        self.entry = self.offsets(tok)[0] if kind == _BLOCK_ENTRY else None
        self.prev = tok

    def _open(self) -> None:
        self.level += 1
        for run in self.active:
            run.depth += 1

    def _close(self) -> None:
        self.level -= 1
        for run in self.active:
            run.depth -= 1
            if run.depth == 0:
                run.done = True
        self.active = [r for r in self.active if not r.done]
        self.key = None
        self.status = 0

    def _map_start(self) -> None:
        top = self.level == 1
        self._open()
        if self.key is None:
            return
        name = self.key.value
        run = self.runs.get(name)
        if run is None and top:
            run = self.runs[name] = _Run(name)
        if run is None or run.done or run.depth:
            return
        run.depth = 1
        self.active.append(run)
        if self.halt is None:
            ks, _ = self.offsets(self.key)
            run.header = self.exp.span(ks, self.offsets(self.prev or self.key)[1])
            self.order.append(run)

    def awaits(self) -> bool:
        """A key of the asked section was just read: a value should follow."""
        return self.key is not None and self.asked in self.active

    def _no_value(self, key: ScalarToken) -> None:
        """``key:`` with nothing after it: no scalar comes, so uWSGI adds nothing."""
        s, e = self.offsets(key)
        name = _short(key.value)
        hint = f"write `{name}: 1`" if key.value in CLOSERS else f"give `{name}` a value"
        msg = (
            f"uWSGI's libyaml reader skips a key with no value: `{name}` is never set; {hint}"
        )
        self.problems.append(Problem(EMPTY, msg, self.exp.span(s, e)))

    def _scalar(self, tok: ScalarToken) -> None:
        if self.status == 1:
            if self.level == 1:
                self.tops.append(tok)
            self.key = tok
        elif self.status in (2, 3):
            if self.key is not None:
                for run in self.active:
                    self._add(run, self.key, tok)
            if self.status == 2:
                self.key = None
                self.status = 0
        elif self.halt is None:
            self._halted(tok)

    def _add(self, run: _Run, key: ScalarToken, val: ScalarToken) -> None:
        if self.halt is not None:
            run.lost.append(key.value)
            return
        ks, ke = self.offsets(key)
        vs, ve = self.offsets(val)
        if val.style in ("|", ">"):
            ve = _rstrip(self.exp.text, vs, ve, " \t\r\n")
        item = self.status == 3
        start = self.entry if item and self.entry is not None else (vs if item else ks)
        note = "a YAML list item: uWSGI repeats the key for each one" if item else ""
        d = make_directive(
            self.exp,
            Format.YAML,
            run.name,
            (ks, ke),
            (vs, ve),
            (start, ve),
            key_text=key.value,
            value_text=val.value,
            note=note,
        )
        run.found.append(d)

    def _halted(self, tok: ScalarToken) -> None:
        prev = type(self.prev).__name__
        reasons = {
            "AnchorToken": "a value with an anchor (`&name`)",
            "TagToken": "a value with a tag (`!tag`)",
            "AliasToken": "a scalar right after an alias",
            "FlowMappingStartToken": "a flow-mapping entry without `: value`",
            "StreamStartToken": "a document that is a plain scalar",
            "DocumentStartToken": "a document that is a plain scalar",
        }
        start, end = self.offsets(tok)
        if prev in ("AnchorToken", "TagToken") and self.prev is not None:
            start = self.offsets(self.prev)[0]
        reason = reasons.get(prev, "a scalar that is neither a key nor a value")
        asked = not self.asked.done
        self.halt = _Halt(self.exp.span(start, end), reason, asked)
        if self.key is not None and self.asked in self.active:
            self.asked.lost.append(self.key.value)  # the key of the value it stops at

    def _other(self, kind: int, tok: Token) -> None:
        if kind == _FLOW_MAP_START:
            self._flow_section(tok)
            self.level += 1
        elif kind == _FLOW_MAP_END:
            self.level -= 1
        elif kind == _ALIAS and self.asked.depth and self.halt is None:
            s, e = self.offsets(tok)
            key = self.key
            what = f"`{_short(key.value)}` gets no value" if key is not None else "it is lost"
            msg = (
                f"uWSGI's libyaml reader skips aliases: {what} from `{_short(self.exp.text[s:e])}`"
                "; write the value out"
            )
            self.problems.append(Problem(ALIAS, msg, self.exp.span(s, e)))
        self.status = 0

    def _flow_section(self, tok: Token) -> None:
        run = self.asked
        key = self.key
        if key is None or self.status != 2 or key.value != run.name or run.depth or run.done:
            return
        if self.halt is None:
            s, _ = self.offsets(tok)
            msg = (
                "uWSGI's libyaml reader skips this flow mapping `{...}` with everything in it; "
                f"write `{run.name}:` alone and one `key: value` per line below it"
            )
            self.problems.append(Problem(
                INLINE, msg, self.exp.span(s, s + 1),
                f"It reads the `{run.name}` section only as a block mapping."))

    def error(self, message: str, at: int) -> None:
        """uWSGI exits on a scanner error, unless it had stopped reading before it."""
        if self.asked.done or self.halt is not None:
            return
        at = min(at, len(self.exp.text))
        end = min(at + 1, len(self.exp.text))
        msg = f"uWSGI exits on this YAML (error parsing YAML file): {message}"
        ch = self.exp.text[at] if at < len(self.exp.text) else ""
        if message == _NO_TOKEN and ch in _RESERVED:
            msg += f"; {_RESERVED_HINT.format(ch=ch)}: put the value in quotes"
        self.problems.append(Problem(SYNTAX, msg, self.exp.span(at, end)))

    def too_deep(self, tok: Token) -> None:
        s, e = self.offsets(tok)
        msg = (
            f"flow collections nested more than {_MAX_FLOW_DEPTH} levels deep: uwsgi-lint "
            f"does not read this file past this point (libyaml slows down quadratically)"
        )
        self.problems.append(Problem(LIMIT, msg, self.exp.span(s, e)))

    def stopped(self) -> Problem | None:
        halt = self.halt
        if halt is None or not halt.asked_reading or not self.asked.lost:
            return None
        summary, count = _summary(self.asked.lost, noun="option")
        msg = (
            f"uWSGI's libyaml reader stops at {halt.reason}: {summary} of the "
            f"`{self.asked.name}` section from there on {_are(count)} ignored"
        )
        return Problem(STOP, msg, halt.span,
                       f"It logs \"unsupported YAML token 21 in {self.asked.name} block\".")


def _libyaml_text(exp: Expanded) -> tuple[str, int]:
    """The text libyaml scans and its offset in ``exp.text``.

    uWSGI hands libyaml ``len - 1`` bytes to drop its terminating NUL; a lone ``%`` at the
    very end has already eaten that NUL, so the last real character is dropped instead.
    libyaml skips a leading byte order mark.
    """
    text = exp.text
    trailing = len(exp.source) - len(exp.source.rstrip("%"))
    if trailing % 2 and text:
        text = text[:-1]
    if text.startswith("\ufeff"):
        return text[1:], 1
    return text, 0


def _untab(text: str) -> str:
    """TABs after a line's indentation as spaces: libyaml skips them, pure PyYAML does not."""
    if "\t" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "\t" in line:
            indent = len(line) - len(line.lstrip(" \t"))
            lines[i] = line[:indent] + line[indent:].replace("\t", " ")
    return "\n".join(lines)


_FLOW_STEP = {
    "FlowSequenceStartToken": 1,
    "FlowMappingStartToken": 1,
    "FlowSequenceEndToken": -1,
    "FlowMappingEndToken": -1,
}


def _bad_char(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":
        return f"invalid UTF-8 (byte 0x{ord(ch) - 0xDC00:02x})"
    return f"control characters are not allowed (U+{ord(ch):04X})"


def parse_libyaml(exp: Expanded, openers: frozenset[str], section: str = "uwsgi") -> ConfigFile:
    """Read ``exp`` as a libyaml build of uWSGI does; needs PyYAML (imported here)."""
    cfg = _parse_libyaml(exp, openers, section)
    if _pyyaml() is not None:
        _compare(cfg, _parse_embedded(exp, openers, section), EMBEDDED_BUILD)
    return cfg


def _pyyaml() -> ModuleType | None:
    try:
        import yaml
    except ImportError:
        return None
    return yaml


def _parse_libyaml(exp: Expanded, openers: frozenset[str], section: str) -> ConfigFile:
    cfg = ConfigFile(path=exp.path, format=Format.YAML)
    if "\r\n" in exp.source:
        cfg.newline = "\r\n"
    yaml = _pyyaml()
    if yaml is None:
        msg = "PyYAML is not installed: cannot check how a libyaml build of uWSGI reads this"
        cfg.problems.append(Problem(UNAVAILABLE, msg, exp.span(0, 0)))
        return cfg
    text, base = _libyaml_text(exp)
    machine = _Machine(exp, base, section)
    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is None or not _scan(text, machine, cfg.comments, c_loader):
        # pure-Python PyYAML: no nesting limit, but no TAB between tokens (libyaml has)
        machine = _Machine(exp, base, section)
        cfg.comments = []
        _scan(_untab(text), machine, cfg.comments, yaml.SafeLoader)
    cfg.problems.extend(machine.problems)
    cfg.stopped = machine.stopped()
    cfg.sections = [_section(run, openers) for run in machine.order]
    if machine.asked.header is None and machine.halt is None and machine.tops and not any(
        p.code in (SYNTAX, INLINE) for p in cfg.problems
    ):
        names = [t.value for t in machine.tops]
        first = machine.tops[0]
        scalars = not machine.order
        span = exp.span(*machine.offsets(first))
        cfg.problems.append(_not_found(section, names, scalars, span))
    return cfg


def _section(run: _Run, openers: frozenset[str]) -> Section:
    return section_of(run.name, run.header, run.found, openers)


_NO_TOKEN = "found character that cannot start any token"
_RESERVED = "%@`"  # YAML indicators that cannot start a plain scalar
_RESERVED_HINT = "a plain YAML value cannot start with `{ch}`"

# newer libyaml (bundled with PyYAML >= 6.0.2 wheels) refuses deep nesting; 0.2.5 does not
_NEST_LIMIT_ERROR = "exceeded maximum nesting depth"


def _scan(text: str, machine: _Machine, comments: list[Comment], loader: type) -> bool:
    """Feed the tokens of ``text`` to ``machine`` until libyaml ends or fails.

    libyaml checks its input a chunk at a time, before scanning it: a bad character fails
    the whole read as soon as the scanner reaches the chunk that holds it.  False when the
    scanner hit a nesting limit that the libyaml of uWSGI builds does not have.
    """
    import yaml

    bad = _NON_PRINTABLE.search(text)
    cut = len(text) if bad is None else bad.start()
    fires = len(text) + 1 if bad is None else (cut // _RAW_CHUNK) * _RAW_CHUNK
    kinds = _kinds()
    seen = 0  # end of the last token: comments live in the gaps
    flow = 0  # open flow collections
    try:
        for tok in yaml.scan(text[:cut], Loader=loader):
            if tok.end_mark.index >= fires:
                break
            start = tok.start_mark.index
            if start > seen:
                _gap_comments(machine.exp, machine.base, text, seen, start, comments)
            seen = max(seen, tok.end_mark.index)
            kind = kinds.get(type(tok), _OTHER)
            if kind == _STREAM_END:
                return True
            flow += _FLOW_STEP.get(type(tok).__name__, 0)
            if flow > _MAX_FLOW_DEPTH:
                machine.too_deep(tok)
                return True
            machine.feed(kind, tok)
    except yaml.MarkedYAMLError as err:
        if err.problem == _NEST_LIMIT_ERROR:
            return False
        mark = err.problem_mark
        at = cut if mark is None else mark.index
        if at < fires:
            machine.error(f"{err.problem}", at + machine.base)
            return True
    except yaml.YAMLError as err:  # unmarked: a reader error, which the cut above prevents
        machine.error(str(err), cut + machine.base)
        return True
    if bad is not None:
        machine.error(_bad_char(text[cut]), cut + machine.base)
    return True


def _gap_comments(
    exp: Expanded, base: int, text: str, start: int, end: int, out: list[Comment]
) -> None:
    """``#`` comments between two tokens (the scanner drops them)."""
    i = text.find("#", start, end)
    while i != -1:
        nl = text.find("\n", i, end)
        stop = _rstrip(text, i, end if nl == -1 else nl, _WS)
        out.append(Comment(exp.raw(i + base, stop + base), exp.span(i + base, stop + base)))
        if nl == -1:
            return
        i = text.find("#", nl, end)
