"""UW025: uwsgi-lint stopped expanding a config at one of the run's budgets.

The expander (``expand.py``) and the Emperor assembly (``context.py``) charge every option,
loop copy, substitution, byte and vassal to the run's budget (``budget.py``); the place
where a limit was reached is reported here, so that a partial check is never silent.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..budget import BUDGET_REACHED
from ..diagnostics import Diagnostic, Severity
from ..expand import Instance
from ..model import Span
from . import Rule, RuleContext, rule


@rule(
    "UW025",
    "expansion-budget-reached",
    Severity.ERROR,
    "uwsgi-lint stopped expanding a config at a limit of the run (loop copies, "
    "substitutions, bytes, options, vassals, time): the rest was not checked.",
)
def check(self: Rule, inst: Instance, ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: set[tuple[Span, str]] = set()
    for p in inst.problems:
        if p.code == BUDGET_REACHED and (p.span, p.message) not in seen:
            seen.add((p.span, p.message))
            yield self.diagnostic(p.span, p.message)
