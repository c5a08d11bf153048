"""What uWSGI's option handlers make of a value (``core/uwsgi.c: uwsgi_opt_*``).

Rules use these to say what uWSGI will actually do, not just that a value looks wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import untrusted
from .instance.cnum import leading_integer
from .model import Directive, Span

FALSE_WORDS = ("false", "off", "no")  # compared case-insensitively; "0" only exactly

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
ULONG_MAX = 2**64 - 1


def flag_is_on(value: str) -> bool:
    """``uwsgi_opt_true``: off only for false/off/no (any case) or exactly ``0``."""
    return not (value.lower() in FALSE_WORDS or value == "0")


@dataclass(frozen=True, slots=True)
class Number:
    """A number as C reads it: the value, and whether the whole text was that number."""

    value: int
    clean: bool  # the text was exactly a decimal number (surrounding blanks allowed)
    overflow: bool = False


def atoi(text: str) -> Number:
    """C ``atoi()`` on glibc: leading blanks, a sign, digits; the rest is ignored.

    glibc's atoi is ``(int) strtol()``: out-of-range values saturate to LONG_MIN/MAX and
    are then cut to 32 bits.
    """
    n, digits, end = leading_integer(text)
    if not digits:
        return Number(0, False)
    clamped = max(-(2**63), min(2**63 - 1, n))
    wrapped = ((clamped + 2**31) % 2**32) - 2**31
    rest = text[end:].strip()
    return Number(wrapped, not rest, overflow=wrapped != n)


def strtoul(text: str) -> Number:
    """C ``strtoul(text, NULL, 10)`` on 64-bit Linux: negatives wrap, overflow saturates."""
    signed, digits, end = leading_integer(text)
    if not digits:
        return Number(0, False)
    n = abs(signed)
    overflow = n > ULONG_MAX
    n = min(n, ULONG_MAX)
    if signed < 0:
        n = (-n) % 2**64
    rest = text[end:].strip()
    return Number(n, not rest, overflow=overflow)


# -- helpers for the value rules (UW102-UW115) ------------------------------------------

NUMBER_KINDS = frozenset({"int", "uint64", "uint16", "megabytes"})
_QUOTES = "\"'"


def read_number(kind: str, text: str) -> Number:
    """The number an option handler of ``kind`` stores (before any unit scaling).

    ``int``: ``atoi``; ``uint64``/``megabytes``: ``strtoul``; ``uint16``: ``strtoul``
    clamped to 65535 (``overflow`` is then set).
    """
    if kind == "int":
        return atoi(text)
    n = strtoul(text)
    if kind == "uint16" and n.value > 65535:
        return Number(65535, n.clean, overflow=True)
    return n


def inline_comment(value: str) -> int | None:
    """Where a ``#``/``;`` that looks like an inline comment starts in ``value``, if any.

    Only a marker preceded by a blank counts, and not one inside a quoted stretch
    (``"a # b"``): uWSGI keeps both in the value, but only the first is a likely mistake.
    """
    quote = ""
    last = {q: value.rfind(q) for q in _QUOTES}  # a quote opens only if it closes later
    for i, c in enumerate(value):
        if quote:
            if c == quote:
                quote = ""
        elif c in _QUOTES and i < last[c]:
            quote = c
        elif c in "#;" and i > 0 and value[i - 1] in " \t":
            return i
    return None


def value_subspan(d: Directive, start: int, end: int) -> Span:
    """The source span of ``d.value[start:end]``; the whole value span when the value is
    not a plain slice of the text uWSGI parsed (JSON escapes, XML entities, ``%(_)``)."""
    vs, ve = d.loc.value
    text = getattr(d.loc.text, "text", None)
    if not isinstance(text, str) or not 0 <= start <= end <= len(d.value):
        return d.value_span
    written = text[vs:ve]
    if written == d.value:
        return d.loc.text.span(vs + start, vs + end)
    if written == f'"{d.value}"':  # a JSON string without escapes
        return d.loc.text.span(vs + 1 + start, vs + 1 + end)
    return d.value_span


@cache
def magic_letters() -> frozenset[str]:
    """The characters after ``%`` that uWSGI's magic table defines (any other vanishes)."""
    from .magic import Host, file_table

    return frozenset(file_table("", "", "", Host()).values)


def logic_kind(d: Directive) -> str | None:
    """The opener key of the config-logic block ``d`` is written in (body lines only)."""
    block = d.block
    if block is None or block.opener is d or block.closer is d:
        return None
    return block.kind


def shown(value: str, limit: int = 60) -> str:
    """A value as a message shows it: secrets masked, control characters escaped, long
    values cut (``untrusted.clean``)."""
    return untrusted.clean(value, limit)


# -- helpers for the start-up rules (UW120-UW139, UW401-UW409) ---------------------------


def is_a_number(value: str) -> bool:
    """``core/utils.c: is_a_number()``: only ASCII digits; the empty string counts."""
    return all("0" <= c <= "9" for c in value)


def switched_on(kind: str | None, value: str) -> bool:
    """Whether a setting that is a flag in one version and a number in another is on:
    ``memory-report`` is ``uwsgi_opt_true`` on 2.0 but ``uwsgi_opt_set_int`` on 2.1, where
    `true` reads as 0 (off)."""
    if kind in NUMBER_KINDS:
        return read_number(kind or "int", value).value != 0
    return flag_is_on(value)


# -- helpers for the exposure rules (UW501-UW529) and `show` ----------------------------

MASK = untrusted.MASK
BASICAUTH = untrusted.BASICAUTH  # a basicauth route action with an inline user:password
secret_name = untrusted.secret_name
_REFERENCE = re.compile(r"[$@%]\(")
# values that stand for a secret rather than being one: templates and stand-ins
_TEMPLATE = re.compile(r"\{\{|\{%|\$\{|^\$[A-Za-z_]|^<.*>$|^%%.*%%$|^@\w+@$|^__\w+__$")
_STAND_IN = re.compile(
    r"(x+|\*+|\.+|-+|_+|#+|\?+|change[-_ ]?(it|me|this)\S*|replace[-_ ]?(it|me|this)\S*|"
    r"your[-_ ]?\S*|todo|fixme|tbd|dummy|example|sample|placeholder|none|null|nil|empty|"
    r"false|true|yes|no|on|off|0|1|secret|password|passwd|token|key|test|testing|redacted|"
    r"masked|hidden|not[-_ ]?set|unset|default)",
    re.IGNORECASE,
)
ASSIGNING_KEYS = ("env", "ienv", "set", "set-placeholder", "set-ph", "vassal-set",
                  "vassals-set")


def literal_secret(value: str) -> bool:
    """Whether ``value`` is a secret written out, not a reference (``$(ENV)``, ``@(file)``,
    ``%(name)``), a template (``{{ x }}``, ``${X}``) or a stand-in (``changeme``, ``xxx``)."""
    v = value.strip().strip("\"'").strip()
    if not v or _REFERENCE.search(v) or _TEMPLATE.search(v):
        return False
    return _STAND_IN.fullmatch(v) is None


def url_password(value: str) -> tuple[int, int] | None:
    """Where a literal password sits in a ``scheme://user:password@host`` URL of ``value``."""
    for start, end in untrusted.url_passwords(value):
        scheme = value.rfind("://", 0, start)
        if scheme > 0 and value[scheme - 1].isalnum() and literal_secret(value[start:end]):
            return start, end
    return None


def mask_text(text: str) -> str:
    """``text`` with every secret masked (``untrusted.mask``): secret-named ``NAME=value``
    pairs, URL passwords, tokens, keys ..."""
    return untrusted.mask(text)


def masked(key: str, value: str, option: bool = False) -> str:
    """A value as it may be shown: the whole value of a secret-named placeholder (a key
    that is not an ``option``), the value of ``env = SECRET_NAME=...`` and URL passwords
    masked (``mask_text``)."""
    if not option and value.strip() and secret_name(key):
        return MASK
    name, eq, rest = value.partition("=")
    if eq and key in ASSIGNING_KEYS and rest.strip() and secret_name(name):
        return f"{name}={MASK}"
    if key == "legion":  # name addr weight algo:secret
        fields = value.split(" ")
        words = [f for f in fields if f]
        if len(words) >= 4 and ":" in words[3]:
            algo = words[3].partition(":")[0]
            return value.replace(words[3], f"{algo}:{MASK}", 1)
    return mask_text(value)


_PLACEHOLDER_REF = re.compile(r"%\(([^()\s]+)\)")


def secret_placeholders(entries: list[tuple[str, str]]) -> frozenset[str]:
    """Placeholders whose value ends up in a secret: the ``%(name)`` read by an
    ``env = SECRET_NAME=...%(name)...`` among these ``(key, value)`` entries."""
    out: set[str] = set()
    for key, value in entries:
        name, eq, rest = value.partition("=")
        if eq and key in ASSIGNING_KEYS and secret_name(name):
            out.update(_PLACEHOLDER_REF.findall(rest))
    return frozenset(out)
