"""UW024: bytes that are not UTF-8 in an INI or YAML config (the readers record the first
of each file: ``readers.INVALID_UTF8``)."""

from __future__ import annotations

from ..diagnostics import Severity
from ..readers import INVALID_UTF8
from . import Reader, declare

declare(
    INVALID_UTF8,
    "invalid-utf8",
    Severity.INFO,
    "Bytes that are not UTF-8: uWSGI passes them through, editors and tools may not.",
    on=Reader(once_per_file=True),
    group="pedantic",
)
