"""The expansion budget of one run: how much a config may make uwsgi-lint produce.

uWSGI sets no limit: a ``for-times`` with a huge count, a placeholder that doubles at
each step, an include fan-out or Emperors of Emperors make it (and a naive reader) run
for hours.  A run shares one :class:`Budget` (made current by :func:`run`, as
:func:`uwsgi_lint.fs.boundary` does for the read boundary): the expander charges every
option, include, loop copy, substitution, byte it produces and vassal it starts, and checks the
CPU time spent on each file.  When a limit is reached it stops expanding that file at
that line and records why (rule UW025): a run stays bounded and is never silently
partial.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# problem code of a spent budget (reported by UW025 `expansion-budget-reached`)
BUDGET_REACHED = "expansion-budget"

# the limits of one run; a real deployment stays far below each of them
LIMITS: dict[str, int] = {
    "options": 100_000,  # option entries, over every instance of the run
    "includes": 10_000,  # files read into another by `ini`, `include`, `inherit` ...
    "copies": 20_000,  # body lines emitted by `for`, `for-times`, `for-glob` ...
    "substitutions": 100_000,  # $() @() %() replacements
    "bytes": 32 * 1024 * 1024,  # bytes that substitutions and loop copies produce
    "instances": 10_000,  # vassals started by Emperors
}
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
    """What is left of each limit of :data:`LIMITS` for the rest of the run."""

    left: dict[str, int] = field(default_factory=lambda: dict(LIMITS))
    seconds: float = field(default_factory=lambda: SECONDS_PER_FILE)
    hints: int = field(default_factory=lambda: HINTS)

    def hint(self) -> bool:
        """Whether a did-you-mean search may still run (it is charged)."""
        self.hints -= 1
        return self.hints >= 0

    def spend(self, what: str, amount: int = 1) -> bool:
        """Charge ``amount`` of ``what``; false once the run has spent that limit."""
        left = self.left[what] - amount
        self.left[what] = left
        return left >= 0

    def reason(self, what: str) -> str:
        """The limit ``what`` in words, for a UW025 message."""
        if what == "seconds":
            return f"{self.seconds:g} seconds of CPU time per file"
        return f"{LIMITS[what]:,} {WHAT[what]} per run"


class Clock:
    """The CPU time spent on one file, checked every so many steps (cheaply)."""

    __slots__ = ("deadline", "steps")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.process_time() + seconds
        self.steps = 0

    def expired(self) -> bool:
        self.steps += 1
        return not self.steps & 0x3FF and time.process_time() > self.deadline


_ACTIVE: list[Budget] = []


@contextmanager
def run(budget: Budget | None = None) -> Iterator[Budget]:
    """Make ``budget`` (a fresh one by default) the budget of the run in progress."""
    active = budget or Budget()
    _ACTIVE.append(active)
    try:
        yield active
    finally:
        _ACTIVE.remove(active)


def current() -> Budget:
    """The budget of the run in progress; outside a run (library use) a fresh one, so
    that each instance built on its own is bounded by the same limits."""
    return _ACTIVE[-1] if _ACTIVE else Budget()
