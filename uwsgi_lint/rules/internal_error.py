"""UW099: a bug in uwsgi-lint itself, contained to the rule and file it happened on.

The engine (:func:`uwsgi_lint.dispatch.internal_error`) makes these findings when a rule
raises; the rule is declared here so that it has a code, a name, a page, and can be
selected or ignored like any other."""

from __future__ import annotations

from ..diagnostics import Severity
from . import Report, declare

INTERNAL_ERROR = declare(
    "UW099",
    "internal-error",
    Severity.ERROR,
    "A rule of uwsgi-lint failed on this file (a bug in uwsgi-lint): the other rules and "
    "files were still checked, but this rule's findings for this file are missing.",
    on=Report(),
)
