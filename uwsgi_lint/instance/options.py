"""The option list being assembled for one instance (``uwsgi.exported_opts``, filled by
``core/config.c: add_exported_option_do()``): its entries in order, which of them uWSGI
applied while reading, the problems and unread sources met on the way, and the budget
(see :mod:`uwsgi_lint.budget`) that every stage of the build charges."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..budget import BUDGET_REACHED, Allowance, Clock
from ..budget import current as current_budget
from ..catalog import Catalog
from ..model import Directive, Problem, Unread
from . import Assumptions

MAX_VALUE = 1 << 20  # the longest value expanded, and the most of a file read for one


@dataclass(slots=True)
class CommandEntry:
    """The command line's own loader entry (``ini = FILE`` for ``uwsgi --ini FILE``): uWSGI
    lists it after the options given before the file, so ``%(ini)`` and ``if-opt = ini``
    see it; it is not an option of the config, so it is not in the list here."""

    key: str
    value: str  # as the list holds it now (its loader cuts `:section` off while it reads)
    at: int  # the number of entries before it


class OptionList:
    """What the stages of the build share: the entries and what is known of them."""

    def __init__(self, root: str, assume: Assumptions, catalog: Catalog) -> None:
        self.assume = assume
        self.catalog = catalog
        self.cwd = assume.cwd or os.path.dirname(os.path.abspath(root))
        self.options: list[Directive] = []
        self.configured: list[bool] = []  # applied while reading: the passes skip it
        self.conditional: set[int] = set()  # added under a condition decided nowhere here
        self.first_index: dict[str, int] = {}  # key -> index of its first option entry
        self.command: CommandEntry | None = None
        # entries whose value in uWSGI's list differs from what was written: the
        # `:section` a loader cut off its own entry (index -> the value listed)
        self.listed: dict[int, str] = {}
        self.problems: list[Problem] = []
        self.unread: list[Unread] = []
        self.budget: Allowance = current_budget().instance()
        self.clock = Clock(self.budget.seconds)
        self.stopped = False  # a budget was reached: nothing more is added or expanded

    def append(self, d: Directive, configured: bool, decided: bool) -> bool:
        """Store ``d`` at the end of the list, charged to the budget (``False``: it is
        spent, and ``d`` is not stored)."""
        if not self.budget.spend("options"):
            self.stop(d, "options")
            return False
        self.first_index.setdefault(d.key, len(self.options))
        self.options.append(d)
        self.configured.append(configured)
        if not decided:
            self.conditional.add(len(self.options) - 1)
        return True

    def first_value(self, key: str) -> tuple[int | None, str | None]:
        """The first entry named ``key`` as ``uwsgi_get_exported_opt()`` finds it: its index
        (``None`` for the command line's own entry, or when there is none) and its value
        as listed (before the passes)."""
        at = self.first_index.get(key)
        cmd = self.command
        if cmd is not None and cmd.key == key and (at is None or at >= cmd.at):
            return None, cmd.value
        if at is None:
            return None, None
        return at, self.listed.get(at, self.options[at].value)

    def fatal(
        self, d: Directive, message: str, code: str = "uwsgi-fatal", detail: str = ""
    ) -> None:
        self.problems.append(Problem(code, message, d.span, detail))

    def stop(self, d: Directive, what: str) -> None:
        """A budget (see :mod:`uwsgi_lint.budget`) is reached at ``d``: say so there
        (UW025) and add or expand nothing more for this instance."""
        if not self.stopped:
            self.stopped = True
            self.problems.append(Problem(
                BUDGET_REACHED, f"uwsgi-lint stopped expanding here: {self.budget.reason(what)}",
                d.span, "The rest of this file was not checked."))

    def path(self, p: str) -> str:
        """``p`` as uWSGI opens it: relative to its working directory."""
        return p if os.path.isabs(p) else os.path.join(self.cwd, p)
