"""Numbers as C reads them: glibc's ``strtol()``/``strtoll()``/``atoi()``, which uWSGI
uses for a ``for-times`` count (``core/logic.c``), placeholder arithmetic
(``core/config.c: uwsgi_manage_placeholder()``) and numeric option values."""

from __future__ import annotations

import re

_LEADING = re.compile(r"[ \t\n\v\f\r]*([+-]?)(\d*)")  # isspace(), then strtol()


def leading_integer(text: str) -> tuple[int, bool, int]:
    """The integer C's ``strto*()`` read at the start of ``text`` (after ASCII blanks, an
    optional sign), as ``(value, digits, end)``: whether there were digits, and where
    they end.  Beyond 21 significant digits the value is cut (it is past any C range
    anyway, so every saturation still applies): a number of any length is read in time
    linear in its length and never converted whole (Python refuses 4,300 digits)."""
    m = _LEADING.match(text)
    assert m is not None  # the pattern matches the empty string
    sign, digits = m.groups()
    v = int(digits.lstrip("0")[:21] or "0")
    return (-v if sign == "-" else v), bool(digits), m.end()


def strtoll(s: str) -> int:
    """``strtoll()``: the leading integer, saturated to 64 bits."""
    v = leading_integer(s)[0]
    return max(-(2**63), min(2**63 - 1, v))


def atoi(s: str) -> int:
    """glibc ``atoi()``: ``(int) strtol()``."""
    v = strtoll(s)
    return ((v + 2**31) % 2**32) - 2**31
