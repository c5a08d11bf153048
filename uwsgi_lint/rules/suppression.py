"""UW090, UW091: suppression comments that silence nothing or name no rule.

These rules judge the final findings, which a rule over one instance never sees: their
``check`` yields nothing, and the engine's post-processing step
(:func:`uwsgi_lint.engine.apply`, with :mod:`uwsgi_lint.suppress`) creates their
diagnostics through ``rule.diagnostic(...)`` after the suppressions have been applied.
Settings (``ignore``, ``per-file-ignores``, ``severity``) govern them like any rule; a
suppression comment cannot silence them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity
from ..expand import Instance
from . import Rule, RuleContext, rule


@rule(
    "UW090",
    "unused-suppression",
    Severity.WARNING,
    "A `uwsgi-lint: disable` comment silences no finding.",
)
def unused(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    return iter(())


@rule(
    "UW091",
    "unknown-suppression",
    Severity.WARNING,
    "A `uwsgi-lint:` suppression comment names a code or rule that does not exist.",
)
def unknown(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    return iter(())
