"""UW025: uwsgi-lint stopped expanding a config at one of the run's budgets.

The expander (``uwsgi_lint/instance/``) and the Emperor assembly (``tree.py``) charge
every option, loop copy, substitution, byte and vassal to the run's budget (``budget.py``)
and record the place where a limit was reached as a problem with this code, so that a
partial check is never silent.
"""

from __future__ import annotations

from ..budget import BUDGET_REACHED
from ..diagnostics import Severity
from . import Reader, declare

declare(
    BUDGET_REACHED,
    "expansion-budget-reached",
    Severity.ERROR,
    "uwsgi-lint stopped expanding a config at a limit of the run (loop copies, "
    "substitutions, bytes, options, vassals, time): the rest was not checked.",
    on=Reader(),
)
