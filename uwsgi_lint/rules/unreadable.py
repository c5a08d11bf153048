"""UW001: a file that cannot be read or parsed.  The readers record it, and the engine
for a path that does not exist (:func:`uwsgi_lint.engine.targets`)."""

from __future__ import annotations

from ..diagnostics import Severity
from . import Reader, declare

UNREADABLE = declare(
    "UW001",
    "unreadable-file",
    Severity.ERROR,
    "The file cannot be read or parsed, so uWSGI refuses it and nothing in it is checked.",
    on=Reader(),
)
