"""UW103/UW104: numbers that uWSGI reads with ``atoi``/``strtoul`` differently from how
they are written, and negative values that ``uwsgi_opt_set_int`` refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ..catalog import Option
from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Directive, Fix, Format
from ..textfix import replace_value
from ..values import NUMBER_KINDS, ULONG_MAX, atoi, inline_comment, read_number, shown
from . import Entries, rule
from .flag_value import before_comment

SET_INT = "uwsgi_opt_set_int"  # exits on a negative value
# uint64 options that count bytes, where a small number is a slip for megabytes
BYTES_OPTIONS = frozenset({"cheaper-rss-limit-soft", "cheaper-rss-limit-hard"})
MIB = 1024 * 1024
_UNIT = re.compile(
    r"\s*(?P<number>[+-]?\d+(?:\.\d+)?)\s*"
    r"(?P<unit>[kmgtp]i?b?|b|bytes?|ms|s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)\s*",
    re.I,
)
_SIZE_UNITS = {"k": 1024, "m": MIB, "g": 1024 * MIB, "t": 1024 * 1024 * MIB}
_EXPANSIONS = ("$(", "%(", "@(")


def _quoted(value: str) -> bool:
    """A value that starts with a quote: ``atoi``/``strtoul`` read 0 whatever follows."""
    return value.lstrip()[:1] in ("'", '"')


def _skip(opt: Option, d: Directive, value: str) -> bool:
    if d.unresolved and not _quoted(value):
        return True  # unknown here: $(ENV) unset, %h ... (but `"%k"` reads 0)
    return opt.immediate and any(s in value for s in _EXPANSIONS)  # UW111's case


def _unit_scale(unit: str) -> int | None:
    u = unit.lower()
    if u and u[0] in _SIZE_UNITS and (len(u) == 1 or u[1:] in ("b", "ib")):
        return _SIZE_UNITS[u[0]]
    return None


def _amount(kind: str, name: str, n: int) -> str:
    if kind == "megabytes":
        return f"{n} ({n} MB)"
    if name in BYTES_OPTIONS:
        return f"{n} ({n} bytes)"
    return str(n)


def _scaled(number: str, scale: int, unit: int) -> str | None:
    """``number`` times ``scale``, in units of ``unit``, when that is a whole number."""
    amount = Decimal(number) * scale / unit
    return str(int(amount)) if amount > 0 and amount == int(amount) else None


def misread(opt: Option, d: Directive, value: str, view: View) -> tuple[str, str | None] | None:
    """What uWSGI makes of ``value`` when that is not the number written, and the number
    to write when the message names one; None when ``value`` is read as written."""
    kind = opt.value_kind or ""
    write: str | None = None
    num = read_number(kind, value)
    n = num.value
    shown_n = _amount(kind, d.key, n)
    if not num.clean:
        stripped = value.strip()
        if stripped == "":
            text = f"an empty value is read as {shown_n}"
        elif _quoted(stripped):
            text = (
                f"uWSGI keeps the quotes: `{shown(value)}` is read as {shown_n}, whatever is "
                "inside; write it without quotes"
            )
            inner = stripped[1:-1].strip()
            if len(stripped) > 2 and stripped[-1] == stripped[0] and re.fullmatch(r"[0-9]+", inner):
                write = inner
        elif re.match(r"[+-]?0[xX]", stripped):
            text = f"uWSGI reads decimal numbers only: `{shown(value)}` is {shown_n}"
        elif unit := _UNIT.fullmatch(value):
            text = f"uWSGI takes plain numbers, no units: `{shown(value)}` is read as {shown_n}"
            scale = _unit_scale(unit["unit"])
            if scale and kind == "megabytes" and scale >= MIB:
                write = _scaled(unit["number"], scale, MIB)
            elif scale and d.key in BYTES_OPTIONS:
                write = _scaled(unit["number"], scale, 1)
            if write is not None:
                text += f"; write `{write}` for {shown(stripped)}"
        elif re.match(r"[+-]?\d+\.\d", stripped):
            text = f"uWSGI reads whole numbers only: `{shown(value)}` is {shown_n}"
        elif re.match(r"[+-]?\d", stripped):
            text = f"uWSGI reads `{shown(value)}` as {shown_n}: the rest is ignored"
        elif "${" in value:
            text = (
                f"uWSGI does not expand `${{...}}` (only `$(...)`): `{shown(value)}` "
                f"is read as {shown_n}"
            )
        elif stripped.lower() in ("false", "off", "no") and n == 0:
            return None  # written off, read as 0: the same thing
        elif stripped.lower() in ("true", "yes", "on", "enabled"):
            text = f"`{d.key}` takes a number, not a flag: `{shown(value)}` is read as {shown_n}"
            if n == 0:
                text += ", which usually means off"
        else:
            text = f"`{shown(value)}` is not a number: uWSGI reads it as {shown_n}"
        if n == 0 and d.key in view.names("processes"):
            text += ", so the master starts with no workers, without an error"
        return text, write
    if num.overflow:
        if kind == "uint16":
            return f"`{shown(value)}` is above 65535: uWSGI uses 65535", None
        if kind == "int":
            return f"`{shown(value)}` does not fit a C int: uWSGI reads {shown_n}", None
        return f"`{shown(value)}` is above {ULONG_MAX}: uWSGI uses {ULONG_MAX}", None
    if kind != "int" and value.strip().startswith("-") and n != 0:
        return f"`{shown(value)}` is read as an unsigned number: it wraps around to {n}", None
    if d.format is Format.JSON and re.fullmatch(r"-?\d+", d.raw_value):
        written = int(d.raw_value)
        if written != int(value):
            return (f"the JSON integer `{written}` is cut to a C int: uWSGI reads {shown_n}",
                    None)
    if d.key in BYTES_OPTIONS and 0 < n < MIB:
        return (
            f"`{d.key}` counts bytes, not megabytes: `{n}` is {n} bytes; "
            f"for {n} MB write `{n * MIB}`"
        ), str(n * MIB)
    return None


@rule(
    "UW103",
    "number-misread",
    Severity.WARNING,
    "A number that uWSGI reads differently from how it is written (`four`, `1G`, `0x10`).",
    on=Entries(kinds=NUMBER_KINDS, unique=True),
    fix="unsafe",
)
def check_misread(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None:
        return
    value, span = d.effective, d.value_span
    if inline_comment(d.value) is not None:
        # judged without the comment (UW105's), and fixed once UW105 moved it
        cut = before_comment(d)
        if cut is None:
            return
        value, span = cut
    if _skip(opt, d, value):
        return
    if opt.handler == SET_INT and atoi(value).value < 0:
        return  # UW104
    found = misread(opt, d, value, view)
    if found is None:
        return
    message, write = found
    edits = None
    if write is not None and value == d.value:
        edits = replace_value(d, write)
    fix = Fix(f"write `{write}`", edits, Applicability.UNSAFE) if edits else None
    yield Finding(span, message, fix=fix)


@rule(
    "UW104",
    "negative-number-refused",
    Severity.ERROR,
    "A negative value (or one that wraps to negative) for an option uWSGI requires to be >= 0.",
    on=Entries(handlers=frozenset({SET_INT}), unique=True),
)
def check_negative(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None:
        return
    value = d.effective
    if _skip(opt, d, value):
        return
    num = atoi(value)
    if num.value >= 0:
        return
    how = f"`{d.key}` cannot be negative"
    if value.strip() != str(num.value):
        how = f"`{shown(value)}` is read as {num.value}"
    if d.format is Format.JSON and d.raw_value.lstrip("-").isdigit() and d.raw_value != value:
        how = f"the JSON integer `{d.raw_value}` is cut to a C int, {num.value}"
    elif num.overflow:
        how = f"`{shown(value)}` does not fit a C int and wraps to {num.value}"
    yield Finding(
        d.value_span,
        f"{how}: uWSGI exits with 'invalid value for option \"{d.key}\": must be > 0'",
    )
