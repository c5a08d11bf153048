"""JSON, read as ``core/json.c: uwsgi_json_config()`` reads it with jansson 2.14.

``json_loads(data, 0)``: the text ends at the first NUL; the root must be an object or array
and nothing may follow it; no comments, trailing commas, ``NaN`` or leading zeros; invalid
UTF-8, ``\\u0000`` and lone surrogates are errors; nesting deeper than 2048 is an error.  The
member named ``section`` of the root must be an object; for each of its members, in order
(a repeated name keeps the LAST value at the FIRST name's place): a string is taken as is,
``true`` is ``"1"``, ``false`` and ``null`` are ``"0"``, an integer is cast to a C ``int``
and printed into 11 bytes (``snprintf(s, 11, "%d")``: at most 10 characters), reals and
objects are dropped, and an array gives one option per element with the same rules.

What uWSGI drops without a word in the asked object (reals, objects, nested arrays, the
earlier values of a repeated key) is recorded as ``UW014`` problems.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C string scanner

from ..model import Applicability, ConfigFile, Directive, Edit, Fix, Format, Problem
from ..source import Expanded
from .common import make_directive, section_of

MAX_DEPTH = 2048  # JSON_PARSER_MAX_DEPTH
DROPPED = "UW014"  # a value uWSGI drops without a word
_INT64 = 1 << 63

_WS = re.compile(r"[ \t\n\r]*")
_STR_RUN = re.compile('[^"\\\\\x00-\x1f\ud800-\udfff]*')
_DIGITS = re.compile(r"[0-9]*")
_ALPHA = re.compile(r"[A-Za-z]*")
# the common tokens in one match; anything else goes the slow, exact way
_FAST = re.compile(
    "[ \t\n\r]*(?:([][{}:,])"
    '|"([^"\\\\\x00-\x1f\ud800-\udfff]*)"'
    "|(-?(?:0|[1-9][0-9]{0,17}))(?![0-9.eE\ud800-\udfff])"
    "|(true|false|null)(?![A-Za-z\ud800-\udfff]))"
)
# a whole valid string token (the escapes are then decoded by the stdlib's C scanner)
_STR_PLAIN = '[^"\\\\\x00-\x1f\ud800-\udfff]*'
_STR_FULL = re.compile(f'"{_STR_PLAIN}(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{{4}}){_STR_PLAIN})*"')
_SURROGATE = re.compile("[\ud800-\udfff]")
_HEX = "0123456789abcdefABCDEF"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WORDS = {"true": "true", "false": "false", "null": "null"}
_SCALARS = frozenset({"string", "integer", "true", "false", "null"})  # what uWSGI appends


class _Error(Exception):
    """A jansson error: its message (with jansson's ``near`` part) and where it stands."""

    def __init__(self, text: str, start: int, offset: int) -> None:
        super().__init__(text)
        self.text = text
        self.start = start
        self.offset = offset


def _near(msg: str, saved: str, bad_byte: bool = False) -> str:
    """jansson's ``error_set()``: add the token read so far (at most 20 bytes)."""
    if saved:
        if len(saved.encode("utf-8", "surrogateescape")) <= 20:
            return f"{msg} near '{_show(saved)}'"
        return msg
    return msg if bad_byte else f"{msg} near end of file"


def _show(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_bad(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def _byte(ch: str) -> int:
    if "\udc80" <= ch <= "\udcff":
        return ord(ch) - 0xDC00
    return ch.encode("utf-8", "surrogatepass")[0]


@dataclass(slots=True, eq=False)
class _Tok:
    kind: str  # "{", "}", "[", "]", ":", ",", "string", "integer", "real", "true", ...
    start: int
    end: int
    text: str = ""  # decoded string
    number: int = 0


@dataclass(slots=True, eq=False)
class _Value:
    kind: str
    start: int
    end: int
    text: str = ""
    number: int = 0
    members: list[_Member] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    items: list[_Value] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Member:
    key: str
    key_start: int
    key_end: int
    value: _Value
    replaced: list[int] = field(default_factory=list)  # key offsets of earlier duplicates
    earlier: list[_Member] = field(default_factory=list)  # the members it replaced


class _Lexer:
    """jansson's lexer over ``text[:limit]``; raises :class:`_Error` for its own errors."""

    def __init__(self, text: str) -> None:
        self.text = text
        nul = text.find("\0")
        self.limit = len(text) if nul == -1 else nul
        self.pos = 0

    def at(self, i: int) -> str:
        return self.text[i] if i < self.limit else ""

    def check(self, i: int, start: int) -> None:
        """Raise if jansson's read of character ``i`` fails (invalid UTF-8)."""
        ch = self.at(i)
        if ch and _is_bad(ch):
            msg = f"unable to decode byte 0x{_byte(ch):x}"
            raise _Error(_near(msg, self.text[start:i], bad_byte=True), i, i)

    def next(self) -> _Tok:
        m = _FAST.match(self.text, self.pos, self.limit)
        if m is not None:
            self.pos = end = m.end()
            group = m.lastindex
            if group == 1:
                return _Tok(m[1], end - 1, end)
            if group == 2:
                return _Tok("string", m.start(2) - 1, end, text=m[2])
            if group == 3:
                return _Tok("integer", m.start(3), end, number=int(m[3]))
            return _Tok(m[4], m.start(4), end)
        return self.slow()

    def slow(self) -> _Tok:
        i = _WS.match(self.text, self.pos, self.limit).end()  # type: ignore[union-attr]
        if i >= self.limit:
            self.pos = self.limit
            return _Tok("eof", self.limit, self.limit)
        self.check(i, i)
        ch = self.text[i]
        if ch in "{}[]:,":
            tok = _Tok(ch, i, i + 1)
        elif ch == '"':
            tok = self.string(i)
        elif ch == "-" or "0" <= ch <= "9":
            tok = self.number(i)
        elif "a" <= ch <= "z" or "A" <= ch <= "Z":
            end = _ALPHA.match(self.text, i, self.limit).end()  # type: ignore[union-attr]
            self.check(end, i)
            tok = _Tok(_WORDS.get(self.text[i:end], "invalid"), i, end)
        else:
            tok = _Tok("invalid", i, i + 1)
        self.pos = tok.end
        return tok

    def string(self, start: int) -> _Tok:
        text, limit = self.text, self.limit
        if _STR_FULL.match(text, start, limit):
            value, end = scanstring(text, start + 1, True)
            if not _SURROGATE.search(value):
                return _Tok("string", start, end, text=value)
        parts: list[str | int] = []
        i = start + 1
        while True:
            j = _STR_RUN.match(text, i, limit).end()  # type: ignore[union-attr]
            if j > i:
                parts.append(text[i:j])
            if j >= limit:
                raise _Error(_near("premature end of input", text[start:limit]), start, limit)
            ch = text[j]
            if ch == '"':
                break
            self.check(j, start)
            if ch != "\\":
                msg = "unexpected newline" if ch == "\n" else f"control character 0x{ord(ch):x}"
                raise _Error(_near(msg, text[start:j]), start, j)
            i = self.escape(start, j + 1, parts)
        end = j + 1
        return _Tok("string", start, end, text=self.decode(parts, start, end))

    def escape(self, start: int, k: int, parts: list[str | int]) -> int:
        """Read the escape after the backslash at ``k - 1``; returns where the string goes on."""
        text = self.text
        if k >= self.limit:
            raise _Error(_near("invalid escape", text[start:k]), start, k)
        self.check(k, start)
        ch = text[k]
        if ch in _ESCAPES:
            parts.append(_ESCAPES[ch])
            return k + 1
        if ch != "u":
            raise _Error(_near("invalid escape", text[start : k + 1]), start, k + 1)
        for p in range(k + 1, k + 5):
            if p >= self.limit:
                raise _Error(_near("invalid escape", text[start:p]), start, p)
            self.check(p, start)
            if text[p] not in _HEX:
                raise _Error(_near("invalid escape", text[start : p + 1]), start, p + 1)
        parts.append(int(text[k + 1 : k + 5], 16))
        return k + 5

    def decode(self, parts: list[str | int], start: int, end: int) -> str:
        """Join the pieces, pairing UTF-16 surrogates as jansson does."""
        out: list[str] = []
        i = 0
        while i < len(parts):
            part = parts[i]
            i += 1
            if isinstance(part, str):
                out.append(part)
                continue
            if 0xD800 <= part <= 0xDBFF:
                low = parts[i] if i < len(parts) else None
                if not isinstance(low, int):
                    self.unicode_error(start, end, f"\\u{part:04X}")
                elif not 0xDC00 <= low <= 0xDFFF:
                    self.unicode_error(start, end, f"\\u{part:04X}\\u{low:04X}")
                else:
                    i += 1
                    part = ((part - 0xD800) << 10) + (low - 0xDC00) + 0x10000
            elif 0xDC00 <= part <= 0xDFFF:
                self.unicode_error(start, end, f"\\u{part:04X}")
            out.append(chr(part))
        return "".join(out)

    def unicode_error(self, start: int, end: int, what: str) -> None:
        raise _Error(_near(f"invalid Unicode '{what}'", self.text[start:end]), start, end)

    def number(self, start: int) -> _Tok:
        """``lex_scan_number()``: an integer, a real, or an invalid token."""
        text, i = self.text, start
        if text[i] == "-":
            i += 1
            self.check(i, start)
        ch = self.at(i)
        if ch == "0":
            i += 1
            self.check(i, start)
            if "0" <= self.at(i) <= "9":
                return _Tok("invalid", start, i)
        elif "0" <= ch <= "9":
            i = self.digits(i, start)
        else:
            return _Tok("invalid", start, i)
        ch = self.at(i)
        if ch not in (".", "e", "E"):
            digits = i - start - (text[start] == "-")
            value = int(text[start:i]) if digits <= 19 else _INT64 * 2
            if text[start] == "-":
                value = -abs(value)
            if not -_INT64 <= value < _INT64:
                msg = "too big negative integer" if value < 0 else "too big integer"
                raise _Error(_near(msg, text[start:i]), start, i)
            return _Tok("integer", start, i, number=value)
        if ch == ".":
            i += 1
            self.check(i, start)
            if not "0" <= self.at(i) <= "9":
                return _Tok("invalid", start, i)
            i = self.digits(i, start)
        if self.at(i) in ("e", "E"):
            i += 1
            self.check(i, start)
            if self.at(i) in ("+", "-"):
                i += 1
                self.check(i, start)
            if not "0" <= self.at(i) <= "9":
                return _Tok("invalid", start, i)
            i = self.digits(i, start)
        if math.isinf(float(text[start:i])):
            raise _Error(_near("real number overflow", text[start:i]), start, i)
        return _Tok("real", start, i)

    def digits(self, i: int, start: int) -> int:
        end = _DIGITS.match(self.text, i, self.limit).end()  # type: ignore[union-attr]
        self.check(end, start)
        return end


@dataclass(slots=True, eq=False)
class _Frame:
    value: _Value
    key: _Tok | None = None


class _Parser:
    """jansson's recursive-descent parser, made iterative (nesting costs no Python stack)."""

    def __init__(self, text: str) -> None:
        self.lex = _Lexer(text)
        self.text = text
        self.stack: list[_Frame] = []
        self.root: _Value | None = None

    def fail(self, msg: str, tok: _Tok) -> _Error:
        saved = self.text[tok.start : tok.end]
        return _Error(_near(msg, saved), tok.start, tok.end)

    def document(self) -> _Value:
        tok = self.lex.next()
        if tok.kind not in ("{", "["):
            raise self.fail("'[' or '{' expected", tok)
        root = self.root = self.value(tok)
        tok = self.lex.next()
        if tok.kind != "eof":
            raise self.fail("end of file expected", tok)
        return root

    def value(self, tok: _Tok) -> _Value:
        """``parse_value()`` for the value starting at ``tok``."""
        while True:
            if len(self.stack) + 1 > MAX_DEPTH:
                raise self.fail("maximum parsing depth reached", tok)
            opened = self.open(tok)
            if isinstance(opened, _Tok):  # a container was opened: its first value follows
                tok = opened
                continue
            done = opened
            while True:
                nxt = self.close(done)
                if isinstance(nxt, _Tok):
                    tok = nxt
                    break
                if nxt is None:
                    return done
                done = nxt

    def open(self, tok: _Tok) -> _Value | _Tok:
        """A scalar value, an empty container, or (after pushing a container) the token
        of its first value."""
        kind = tok.kind
        if kind == "string" and "\0" in tok.text:
            raise self.fail("\\u0000 is not allowed without JSON_ALLOW_NUL", tok)
        if kind in ("string", "integer", "real", "true", "false", "null"):
            return _Value(kind, tok.start, tok.end, text=tok.text, number=tok.number)
        if kind == "invalid":
            raise self.fail("invalid token", tok)
        if kind not in ("{", "["):
            raise self.fail("unexpected token", tok)
        value = _Value("object" if kind == "{" else "array", tok.start, tok.end)
        frame = _Frame(value)
        first = self.lex.next()
        if first.kind == ("}" if kind == "{" else "]"):
            value.end = first.end
            return value
        self.stack.append(frame)
        if kind == "{":
            self.key(frame, first)
            return self.lex.next()
        if first.kind == "eof":
            raise self.fail("']' expected", first)
        return first

    def key(self, frame: _Frame, tok: _Tok) -> None:
        if tok.kind != "string":
            raise self.fail("string or '}' expected", tok)
        if "\0" in tok.text:
            raise self.fail("NUL byte in object key not supported", tok)
        colon = self.lex.next()
        if colon.kind != ":":
            raise self.fail("':' expected", colon)
        frame.key = tok

    def close(self, done: _Value) -> _Tok | _Value | None:
        """Store a finished value in its container.

        Returns the token of the next value, the container when it is finished too, or
        ``None`` when ``done`` is the root.
        """
        if not self.stack:
            return None
        frame = self.stack[-1]
        _store(frame, done)
        tok = self.lex.next()
        is_object = frame.value.kind == "object"
        if tok.kind == ",":
            tok = self.lex.next()
            if is_object:
                self.key(frame, tok)
                return self.lex.next()
            if tok.kind == "eof":
                raise self.fail("']' expected", tok)
            return tok
        if tok.kind != ("}" if is_object else "]"):
            raise self.fail("'}' expected" if is_object else "']' expected", tok)
        self.stack.pop()
        frame.value.end = tok.end
        return frame.value

    def salvage(self) -> _Value | None:
        """After an error: the root, with the open containers each stored in its parent."""
        done: _Value | None = self.root
        while self.stack:
            frame = self.stack.pop()
            if done is not None:
                _store(frame, done)
            done = frame.value
            done.end = max(done.end, self.lex.pos)
        return done


def _store(frame: _Frame, value: _Value) -> None:
    container = frame.value
    if container.kind == "array":
        container.items.append(value)
        return
    key = frame.key
    if key is None:
        return
    member = _Member(key.text, key.start, key.end, value)
    frame.key = None
    at = container.index.get(key.text)
    if at is None:
        container.index[key.text] = len(container.members)
        container.members.append(member)
    else:  # jansson replaces the value in place
        old = container.members[at]
        # the lists move to the new member (never copied: a key repeated n times costs n)
        member.replaced, old.replaced = old.replaced, []
        member.earlier, old.earlier = old.earlier, []
        member.replaced.append(old.key_start)
        member.earlier.append(old)
        container.members[at] = member


# -- what uwsgi_json_config() appends --------------------------------------------------------


def _c_int(value: int) -> str:
    """``uwsgi_num2str((int) v)``: a C int cast, printed into an 11-byte buffer."""
    value &= 0xFFFFFFFF
    if value >= 1 << 31:
        value -= 1 << 32
    return str(value)[:10]


def _convert(value: _Value, raw: str) -> tuple[str, str] | None:
    """The text uWSGI appends for a scalar, and a note; ``None`` when it is dropped."""
    kind = value.kind
    if kind == "string":
        return value.text, ""
    if kind == "true":
        return "1", "JSON true becomes 1"
    if kind in ("false", "null"):
        return "0", f"JSON {kind} becomes 0"
    if kind == "integer":
        text = _c_int(value.number)
        if text == raw:
            return text, ""
        return text, f"JSON integer {raw} becomes {text} (uWSGI casts it to a C int)"
    return None


_KINDS = {
    "real": "a number with a fraction or exponent",
    "object": "an object",
    "array": "an array",
}


def _dropped(
    exp: Expanded, member: _Member, problems: list[Problem], line_of: Callable[[int], int]
) -> None:
    """Problems for what uWSGI drops of ``member``: its replaced duplicates, a real or an
    object value, and array elements that are not scalars."""
    value = member.value
    merged = _merged(exp, member)
    for old in member.earlier:
        n = len(old.value.items) if old.value.kind == "array" else 1
        what = "this value" if n == 1 else f"these {n} values"
        problems.append(
            Problem(
                DROPPED,
                f"`{member.key}` is repeated: uWSGI never sees {what}, only the last one (line "
                f"{line_of(member.key_start)}); to give several values, use one array: "
                f'`"{member.key}": [..., ...]`',
                exp.span(old.key_start, old.value.end),
                "jansson, uWSGI's JSON parser, keeps only the last value of a repeated key.",
                merged if old is member.earlier[0] else None,
            )
        )
    if value.kind in ("real", "object"):
        what = _KINDS[value.kind]
        tail = (
            "write it as a string or an integer"
            if value.kind == "real"
            else "uWSGI reads only `\"option\": value` members of the section: move its "
            "members up one level"
        )
        problems.append(
            Problem(
                DROPPED,
                f"uWSGI drops {what} without a word: `{member.key}` is never set; {tail}",
                exp.span(member.key_start, value.end),
            )
        )
    elif value.kind == "array":
        for item in value.items:
            if item.kind in _KINDS:
                problems.append(
                    Problem(
                        DROPPED,
                        f"uWSGI drops {_KINDS[item.kind]} inside an array without a word: this "
                        f"element gives `{member.key}` nothing; use a string",
                        exp.span(item.start, item.end),
                    )
                )


def _merged(exp: Expanded, member: _Member) -> Fix | None:
    """The values of a repeated key as one array at the place of the first (where jansson
    puts the last one), the later members removed with the comma before each; none when
    a value is not one that uWSGI appends (a real, an object, a nested array), or the
    text is not written as uWSGI reads it (a magic ``%`` variable)."""
    members = [*member.earlier, member]
    start, end = members[0].key_start, member.value.end
    if len(members) < 2 or exp.raw(start, end) != exp.text[start:end]:
        return None
    texts: list[str] = []
    for m in members:
        items = m.value.items if m.value.kind == "array" else [m.value]
        if any(item.kind not in _SCALARS for item in items):
            return None
        texts += [exp.text[item.start : item.end] for item in items]
    merged = "[" + ", ".join(texts) + "]"
    first = members[0].value
    edits = [Edit(exp.span(first.start, first.end), merged)]
    for m in members[1:]:
        comma = m.key_start - 1
        while comma > 0 and exp.text[comma] in " \t\r\n":
            comma -= 1
        if exp.text[comma] != ",":
            return None
        edits.append(Edit(exp.span(comma, m.value.end), ""))
    return Fix(f"write the {len(texts)} values as one array, at the first one's place",
               tuple(edits), Applicability.UNSAFE)


def _directives(
    exp: Expanded, name: str, obj: _Value, problems: list[Problem] | None = None
) -> list[Directive]:
    """The options uWSGI appends for the members of ``obj``, in jansson's order; what it
    drops goes to ``problems`` when given."""
    out: list[Directive] = []
    for member in obj.members:
        if problems is not None:
            _dropped(exp, member, problems, lambda at: exp.span(at, at).start.line)
        dup = ""
        if member.replaced:
            first = exp.span(member.replaced[0], member.replaced[0] + 1).start
            dup = (
                f"duplicate key: replaces the earlier value(s) and takes the place of the first "
                f"one (line {first.line}, column {first.column})"
            )
        key = (member.key_start, member.key_end)
        value = member.value
        items = value.items if value.kind == "array" else [value]
        for item in items:
            conv = _convert(item, exp.text[item.start : item.end])
            if conv is None:
                continue
            whole = (item.start, item.end) if item is not value else (key[0], item.end)
            note = "; ".join(filter(None, [conv[1], dup]))
            d = make_directive(
                exp,
                Format.JSON,
                name,
                key,
                (item.start, item.end),
                whole,
                key_text=member.key,
                value_text=conv[0],
                note=note,
            )
            out.append(d)
    return out


def parse(exp: Expanded, openers: frozenset[str], section: str = "uwsgi") -> ConfigFile:
    """The object uWSGI reads for ``section``, and the other top-level objects."""
    cfg = ConfigFile(path=exp.path, format=Format.JSON)
    if "\r\n" in exp.source:
        cfg.newline = "\r\n"
    name = section or "uwsgi"  # FILE: (empty name) keeps "uwsgi"
    parser = _Parser(exp.text)
    root: _Value | None
    try:
        root = parser.document()
    except _Error as err:
        cfg.problems.append(_parse_problem(exp, err))
        root = parser.salvage()
    if root is None:
        return cfg
    member = _member(root, name)
    if (member is None or member.value.kind != "object") and not cfg.problems:
        where = (root.start, root.start + 1)
        if member is not None:
            where = (member.key_start, member.value.end)
        msg = f"you must define a object named {name} in your JSON data (uWSGI exits)"
        cfg.problems.append(Problem("UW001", msg, exp.span(*where)))
    failed = bool(cfg.problems)  # uWSGI exits: nothing it would drop matters
    if member is not None and member.value.kind == "object" and not failed:
        for old in member.earlier:
            if old.value.kind != "object":
                continue
            n = len(old.value.members)
            line = exp.span(member.key_start, member.key_start).start.line
            cfg.problems.append(
                Problem(
                    DROPPED,
                    f"`{name}` is repeated: uWSGI never sees the {n} option"
                    f"{'' if n == 1 else 's'} of this one, only the last object (line {line}); "
                    "merge them into one object",
                    exp.span(old.key_start, old.value.start + 1),
                    "jansson, uWSGI's JSON parser, keeps only the last value of a repeated key.",
                )
            )
    for top in root.members:
        if top.value.kind == "object":
            header = exp.span(top.key_start, top.key_end)
            asked = top is member and not failed
            directives = _directives(exp, top.key, top.value, cfg.problems if asked else None)
            cfg.sections.append(section_of(top.key, header, directives, openers))
    return cfg


def _member(root: _Value, name: str) -> _Member | None:
    if root.kind != "object":
        return None
    at = root.index.get(name)
    return None if at is None else root.members[at]


def _parse_problem(exp: Expanded, err: _Error) -> Problem:
    text = exp.text
    line = text.count("\n", 0, err.offset) + 1
    msg = f"invalid JSON, uWSGI exits: error parsing JSON data: line {line} {err.text}"
    if text.startswith("\ufeff") and err.start == 0:
        msg += " (the file starts with a UTF-8 byte order mark, which jansson rejects)"
    start, end = err.start, err.offset
    if end <= start:
        start, end = err.offset, min(err.offset + 1, len(text))
    return Problem("UW001", msg, exp.span(start, end))
