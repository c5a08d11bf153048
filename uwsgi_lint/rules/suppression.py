"""UW090, UW091: suppression comments that silence nothing or name no rule.

These rules judge the final findings, which no rule over the configs sees: the engine's
post-processing step (:func:`uwsgi_lint.postprocess.apply`, with :mod:`uwsgi_lint.suppress`)
makes their findings after the suppressions have been applied.  Settings (``ignore``,
``per-file-ignores``, ``severity``) govern them like any rule; a suppression comment
cannot silence them.
"""

from __future__ import annotations

from ..diagnostics import Severity
from . import Report, declare

UNUSED = declare(
    "UW090",
    "unused-suppression",
    Severity.WARNING,
    "A `uwsgi-lint: disable` comment silences no finding.",
    on=Report(),
    fix="safe",
)

UNKNOWN = declare(
    "UW091",
    "unknown-suppression",
    Severity.WARNING,
    "A `uwsgi-lint:` suppression comment names a code or rule that does not exist.",
    on=Report(),
)
