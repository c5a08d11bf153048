"""The expansion budget of one run: how much a config may make uwsgi-lint produce.

uWSGI sets no limit: a ``for-times`` with a huge count, a placeholder that doubles at
each step, an include fan-out or Emperors of Emperors make it (and a naive reader) run
for hours.  Each instance gets an :class:`Allowance` with its own limits, drawn from one
pool per run (a :class:`Budget`, kept by the run's :mod:`~uwsgi_lint.session`) that
grows with the number of
instances: the expander charges every option, include, loop copy, substitution and byte
it produces, the Emperor every vassal it starts, and the CPU time spent on each file is
checked.  When a limit is reached, expansion of that file stops at that line and says why
(rule UW025): a run stays bounded and is never silently partial.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import session

# problem code of a spent budget (reported by UW025 `expansion-budget-reached`)
BUDGET_REACHED = "UW025"  # the rule that reports it

# the limits of one instance (a config and what it includes); a real deployment stays far
# below each of them
LIMITS: dict[str, int] = {
    "options": 100_000,  # option entries
    "includes": 10_000,  # files read into another by `ini`, `include`, `inherit` ...
    "copies": 20_000,  # body lines emitted by `for`, `for-times`, `for-glob` ...
    "substitutions": 100_000,  # $() @() %() replacements
    "bytes": 32 * 1024 * 1024,  # bytes that substitutions and loop copies produce
}
# the run's pool: what every instance of the run may produce together.  It starts at
# RUN_BASE times an instance's limits and grows by GRANT of them for each instance read,
# so a tree of many small files is never cut short (the pool grows with the input) while
# many small files that each expand to the limit are (the amplification stays linear)
RUN_BASE, GRANT = 10, 0.05
INSTANCES = 100_000  # vassal instances started by Emperors, per run
SECONDS_PER_FILE = 5.0  # CPU time to expand one instance: the last resort
HINTS = 200  # did-you-mean searches (difflib) per run; past it, findings give no hint
WHAT = {
    "options": "option entries",
    "includes": "includes (`ini =`, `include =`, `inherit =` ... files read into another)",
    "copies": "loop copies (`for`, `for-times` ... body lines)",
    "substitutions": "`$()`/`@()`/`%()` substitutions",
    "bytes": "bytes produced by expansion",
    "instances": "vassal instances started by Emperors",
}


@dataclass(slots=True)
class Budget:
    """What is left of the run's pool (see :data:`RUN_BASE`), of vassal starts and of
    did-you-mean searches for the rest of the run."""

    pool: dict[str, float] = field(
        default_factory=lambda: {k: v * RUN_BASE for k, v in LIMITS.items()})
    instances: int = INSTANCES
    seconds: float = field(default_factory=lambda: SECONDS_PER_FILE)
    hints: int = HINTS

    def hint(self) -> bool:
        """Whether a did-you-mean search may still run (it is charged)."""
        self.hints -= 1
        return self.hints >= 0

    def start(self) -> bool:
        """Charge one vassal start; false once the run has spent :data:`INSTANCES`."""
        self.instances -= 1
        return self.instances >= 0

    def instance(self) -> Allowance:
        """The allowance of one more instance (its pool grant is added to the run's)."""
        for k, v in LIMITS.items():
            self.pool[k] += v * GRANT
        return Allowance(self)

    def reason(self, what: str) -> str:
        """The run-wide limit ``what`` in words, for a UW025 message."""
        if what == "instances":
            return f"the run reached its limit of {INSTANCES:,} {WHAT[what]}"
        return (f"the run reached its limit of {WHAT[what]} (what all its files together "
                "may produce)")


@dataclass(slots=True)
class Allowance:
    """What one instance may still produce: its own limits and the run's pool."""

    run: Budget
    left: dict[str, int] = field(default_factory=lambda: dict(LIMITS))
    spent_by: str = ""  # "instance" or "run": which limit the last failed charge met

    @property
    def seconds(self) -> float:
        return self.run.seconds

    def spend(self, what: str, amount: int = 1) -> bool:
        """Charge ``amount`` of ``what``; false once this instance or the run has spent
        that limit."""
        self.left[what] -= amount
        self.run.pool[what] -= amount
        if self.left[what] < 0:
            self.spent_by = "instance"
            return False
        if self.run.pool[what] < 0:
            self.spent_by = "run"
            return False
        return True

    def reason(self, what: str) -> str:
        """The limit ``what`` that was met, in words, for a UW025 message."""
        if what == "seconds":
            return f"it reached its limit of {self.seconds:g} seconds of CPU time per file"
        if self.spent_by == "run":
            return self.run.reason(what)
        return f"it reached its limit of {LIMITS[what]:,} {WHAT[what]} per instance"


class Clock:
    """The CPU time spent on one file, checked every so many steps (cheaply)."""

    __slots__ = ("deadline", "steps")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.process_time() + seconds
        self.steps = 0

    def expired(self) -> bool:
        self.steps += 1
        return not self.steps & 0x3FF and time.process_time() > self.deadline


def current() -> Budget:
    """The budget of the run in progress (:mod:`uwsgi_lint.session`); outside a run
    (library use) a fresh one, so that each instance built on its own is bounded by the
    same limits."""
    active = session.current()
    return active.budget if active is not None else Budget()
