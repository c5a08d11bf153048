"""UW004-UW006: INI text that uWSGI's INI reader reads otherwise than it looks.

The INI reader records each of them (``uwsgi_lint/readers/ini.py``).
"""

from __future__ import annotations

from ..diagnostics import Severity
from . import Reader, declare

header_misread = declare(
    "UW004",
    "ini-header-misread",
    Severity.ERROR,
    "A section header that uWSGI reads under another name (`[uwsgi`, `[ uwsgi ]`, "
    "`[uwsgi] ; comment`): the keys under it are ignored.",
    on=Reader(),
    fix="unsafe",
)


keys_before_section = declare(
    "UW005",
    "ini-keys-before-section",
    Severity.ERROR,
    "Keys above the first section header belong to no section: uWSGI ignores them.",
    on=Reader(),
    fix="unsafe",
)


backslash = declare(
    "UW006",
    "ini-backslash-continuation",
    Severity.WARNING,
    "A value ending in `\\`: uWSGI has no line continuation, the next line is a key of its own.",
    on=Reader(),
)
