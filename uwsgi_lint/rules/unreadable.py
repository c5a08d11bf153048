"""UW001: a file that cannot be read or parsed."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Severity
from ..expand import Instance
from . import Rule, RuleContext, rule


@rule(
    "UW001",
    "unreadable-file",
    Severity.ERROR,
    "The file cannot be read or parsed, so uWSGI refuses it and nothing in it is checked.",
)
def check(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    for problem in inst.problems:
        if problem.code == self.code:
            yield self.diagnostic(problem.span, problem.message)
