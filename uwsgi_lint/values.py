"""What uWSGI's option handlers make of a value (``core/uwsgi.c: uwsgi_opt_*``).

Rules use these to say what uWSGI will actually do, not just that a value looks wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalog import Catalog
from .expand import Instance
from .model import Directive

FALSE_WORDS = ("false", "off", "no")  # compared case-insensitively; "0" only exactly
_LEADING_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?)(\d*)")

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
    m = _LEADING_INT.match(text)
    assert m is not None  # the pattern matches the empty string
    sign, digits = m.groups()
    if not digits:
        return Number(0, False)
    n = int(digits) * (-1 if sign == "-" else 1)
    clamped = max(-(2**63), min(2**63 - 1, n))
    wrapped = ((clamped + 2**31) % 2**32) - 2**31
    rest = text[m.end() :].strip()
    return Number(wrapped, not rest, overflow=wrapped != n)


def strtoul(text: str) -> Number:
    """C ``strtoul(text, NULL, 10)`` on 64-bit Linux: negatives wrap, overflow saturates."""
    m = _LEADING_INT.match(text)
    assert m is not None
    sign, digits = m.groups()
    if not digits:
        return Number(0, False)
    n = int(digits)
    overflow = n > ULONG_MAX
    n = min(n, ULONG_MAX)
    if sign == "-":
        n = (-n) % 2**64
    rest = text[m.end() :].strip()
    return Number(n, not rest, overflow=overflow)


def names_of(catalog: Catalog, name: str) -> frozenset[str]:
    """An option's name and all its aliases (they set the same thing)."""
    opt = catalog.get(name)
    if opt is None:
        return frozenset({name})
    return frozenset({name, *opt.aliases})


def occurrences(inst: Instance, catalog: Catalog, name: str) -> list[Directive]:
    """Every entry that sets ``name`` (or an alias of it), in the order uWSGI applies them."""
    names = names_of(catalog, name)
    return [d for d in inst.options if d.key in names]


def effective(inst: Instance, catalog: Catalog, name: str) -> Directive | None:
    """The entry whose value takes effect for a scalar option: the last one."""
    found = occurrences(inst, catalog, name)
    return found[-1] if found else None
