"""Columns in the units another tool counts.

The linter's columns are 1-based and count characters (Unicode code points).  The
Language Server Protocol counts 0-based code units of a negotiated encoding: UTF-16 by
default (a character outside the Basic Multilingual Plane, such as an emoji, is two
units), UTF-8 or UTF-32 when client and server agree on it.  ``--format json`` can give
its columns in any of the three (``--position-encoding``).
"""

from __future__ import annotations

ENCODINGS = ("utf-32", "utf-16", "utf-8")


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-16":
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    if encoding != "utf-8":
        raise ValueError(f"unknown position encoding {encoding!r}")
    # lone surrogates (undecodable bytes of a config) count as the byte they stand for
    return len(text.encode("utf-8", "surrogateescape"))


def to_units(line_text: str, column: int, encoding: str) -> int:
    """The 0-based offset, in code units of ``encoding``, of 1-based character ``column``
    of ``line_text`` (a column past the end counts the missing characters as one unit)."""
    before = line_text[: column - 1]
    return _units(before, encoding) + max(0, column - 1 - len(line_text))


def from_units(line_text: str, units: int, encoding: str) -> int:
    """The 1-based character column at 0-based code-unit offset ``units`` of
    ``line_text`` (an offset inside a character gives that character's column)."""
    if encoding == "utf-32":
        return units + 1
    seen = 0
    for i, ch in enumerate(line_text):
        width = _units(ch, encoding)
        if seen + width > units:
            return i + 1
        seen += width
    return len(line_text) + 1 + max(0, units - seen)
