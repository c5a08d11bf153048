"""UW207-UW210, UW224: the Emperor's clocks (``core/emperor.c: emperor_loop()``,
``uwsgi_emperor_blacklist_add()``, ``emperor_add()``; defaults from ``core/init.c``).

* ``emperor-freq`` (s, default 3) is the poll timeout of the loop: 0 makes
  ``epoll_wait()`` return at once, so the Emperor rescans its monitors in a busy loop
  (verified: one core at 98 %).
* Throttling (only for vassals that die before their first request, unless
  ``emperor-no-blacklist``): the first penalty is ``emperor-throttle`` *microseconds*;
  each further death adds ``emperor-throttle`` milliseconds while the penalty is below
  ``emperor-max-throttle`` ms, and halves it once at or above (it is not a cap).  The
  penalty is a C ``int`` of microseconds, and the comparison computes
  ``emperor-max-throttle * 1000`` in ``int`` too.
* ``emperor-curse-tolerance`` (s, default 30): a stopped vassal still alive that long is
  SIGKILLed.  ``emperor-required-heartbeat`` (s, default 30): a vassal that has sent one
  heartbeat and then none for longer is SIGKILLed; a vassal's ``heartbeat = N`` sends one
  at most every N s, from idle workers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive
from . import Instances, rule

FREQ, THROTTLE, MAX_THROTTLE = 3, 1000, 180_000  # core/init.c: uwsgi_init_default()
HEARTBEAT, CURSE_TOLERANCE = 30, 30
SLOW_FREQ = 60  # seconds: a new or touched vassal waits a minute or more
SHOWN_DEATHS = 6


def _written(view: View, name: str, default: int) -> tuple[Directive, int] | None:
    """:meth:`~uwsgi_lint.facts.View.decided_number`, but only when the config itself
    sets the value."""
    found = view.decided_number(name, default)
    if found is None or found[0] is None:
        return None
    return found[0], found[1]


def _as_read(d: Directive, n: int) -> str:
    """`key = value`, with how uWSGI reads it when the text is not that number."""
    text = d.effective.strip()
    if text == str(n):
        return f"`{d.key} = {n}`"
    return f"`{d.key} = {text}` (read as {n})"


@rule(
    "UW207",
    "emperor-freq-out-of-range",
    Severity.WARNING,
    "`emperor-freq = 0` makes the Emperor spin on a CPU; a large one makes new and touched "
    "vassal files wait minutes.",
    on=Instances(needs=frozenset({"emperor-freq"})),
)
def check_freq(view: View) -> Iterator[Finding]:
    if not view.governs():
        return
    found = _written(view, "emperor-freq", FREQ)
    if found is None:
        return
    d, n = found
    if n == 0:
        yield Finding(
            d.value_span,
            f"{_as_read(d, n)}: the Emperor never waits and rescans its monitors in a busy "
            f"loop; remove it (default {FREQ} s) or use 1 or more",
            detail="`emperor-freq` is the Emperor's poll timeout in seconds: with 0 the loop "
            "keeps a CPU core at 100 %.",
        )
    elif n >= SLOW_FREQ:
        wait = f"{n // 60} minute{'s' if n >= 120 else ''}" if n % 60 == 0 else f"{n} s"
        yield Finding(
            d.value_span,
            f"{_as_read(d, n)}: the Emperor notices a new, touched or removed vassal file "
            f"only every {wait}; the default is {FREQ} s",
            detail=f"The Emperor scans its monitors every {wait}, so a new vassal file, a "
            "touched one (reload) or a removed one (stop) waits that long to be noticed, and "
            "a throttled vassal is retried only at that pace.",
        )


# -- throttling ---------------------------------------------------------------------------


def _i32(x: int) -> int:
    return ((x + 2**31) % 2**32) - 2**31


def penalties(throttle: int, max_throttle: int, deaths: int = SHOWN_DEATHS) -> list[int]:
    """The wait (microseconds, never below 0) after each of the first ``deaths`` deaths of
    an unloyal vassal, as ``uwsgi_emperor_blacklist_add()`` computes it in C ints."""
    level = throttle
    out = [level]
    for _ in range(deaths - 1):
        if level < _i32(max_throttle * 1000):
            level = _i32(level + _i32(throttle * 1000))
        else:
            level = int(level / 2)  # C division truncates toward zero
        out.append(level)
    return [max(v, 0) for v in out]


def _seconds(us: int) -> str:
    s = us / 1_000_000
    if s >= 100:
        return f"{s:.0f} s"
    return (f"{s:.3f}" if s >= 1 else f"{s:.6f}").rstrip("0").rstrip(".") + " s"


def _sequence(throttle: int, max_throttle: int) -> str:
    waits = ", ".join(_seconds(w) for w in penalties(throttle, max_throttle))
    return f"the waits after its first {SHOWN_DEATHS} deaths are {waits}"


def _setting(found: tuple[Directive | None, int], name: str) -> str:
    d, n = found
    return f"`{name}` ({n} ms, the default)" if d is None else f"`{d.key}` ({n} ms)"


@rule(
    "UW208",
    "emperor-throttle-misread",
    Severity.WARNING,
    "`emperor-throttle`/`emperor-max-throttle` that are 0, in seconds instead of "
    "milliseconds, inverted or too large: a failing vassal is barely throttled.",
    on=Instances(needs=frozenset({"emperor-throttle", "emperor-max-throttle"})),
)
def check_throttle(view: View) -> Iterator[Finding]:
    if not view.governs() or view.flag("emperor-no-blacklist") is not False:
        return
    t_found = view.decided_number("emperor-throttle", THROTTLE)
    m_found = view.decided_number("emperor-max-throttle", MAX_THROTTLE)
    if t_found is None or m_found is None:
        return
    (td, t), (md, m) = t_found, m_found
    who = "a vassal that keeps dying before it serves its first request"
    how = (
        "(the first penalty is `emperor-throttle` microseconds, each further death adds "
        "`emperor-throttle` milliseconds, and at or above `emperor-max-throttle` the "
        "penalty is halved, not capped)"
    )
    waits = f"For {who}, {_sequence(t, m)} {how}."
    reported = False
    if td is not None and t == 0:
        reported = True
        yield Finding(
            td.value_span,
            f"{_as_read(td, t)}: a vassal that keeps dying is respawned at every scan, with "
            f"no penalty; remove it (default {THROTTLE} ms)",
            detail=f"{who[0].upper()}{who[1:]} gets no penalty at all.",
        )
    elif td is not None and t < 100:
        reported = True
        yield Finding(
            td.value_span,
            f"{_as_read(td, t)} looks like seconds, but `emperor-throttle` is in "
            f"milliseconds: {t} ms more per death; write {t * 1000} for {t} s",
            detail=f"{who[0].upper()}{who[1:]} waits only {t} ms longer after each death. "
            f"{waits}",
        )
    if md is not None and m == 0:
        yield Finding(
            md.value_span,
            f"{_as_read(md, m)}: a vassal that keeps dying is hardly throttled; remove it "
            f"(default {MAX_THROTTLE} ms, 3 minutes)",
            detail="The penalty is at the maximum from the start and is halved at every "
            f"death. {waits}",
        )
        return
    if md is not None and m < 1000:
        below = f", below {_setting(t_found, 'emperor-throttle')}" if m < t else ""
        yield Finding(
            md.value_span,
            f"{_as_read(md, m)} looks like seconds, but `emperor-max-throttle` is in "
            f"milliseconds ({m} ms{below}); write {m * 1000} for {m} s",
            detail=waits,
        )
        return
    if (m + t) * 1000 > 2**31 - 1 and (md is not None or td is not None):
        d = md if md is not None else td
        assert d is not None
        yield Finding(
            d.value_span,
            f"{_setting(m_found, 'emperor-max-throttle')} with "
            f"{_setting(t_found, 'emperor-throttle')} overflows the penalty; keep their sum "
            "below 2147483 ms",
            detail="uWSGI keeps the penalty in a 32-bit count of microseconds (at most "
            f"2147 s, about 35 minutes). {waits}",
        )
        return
    if t > m and not reported:
        d = td if td is not None else md
        assert d is not None
        other = md if d is td else td
        yield Finding(
            d.value_span,
            f"{_setting(t_found, 'emperor-throttle')} is above "
            f"{_setting(m_found, 'emperor-max-throttle')}: the penalty swings up and down; "
            "keep it well below `emperor-max-throttle`",
            (Related("set here", other.span),) if other is not None else (),
            detail=f"After the second death the penalty is already past the maximum. {waits}",
        )


@rule(
    "UW209",
    "emperor-curse-tolerance-misread",
    Severity.WARNING,
    "`emperor-curse-tolerance = 0` SIGKILLs stopping vassals at once; a value in the "
    "thousands looks like milliseconds.",
    on=Instances(needs=frozenset({"emperor-curse-tolerance"})),
)
def check_curse(view: View) -> Iterator[Finding]:
    if not view.governs():
        return
    found = _written(view, "emperor-curse-tolerance", CURSE_TOLERANCE)
    if found is None:
        return
    d, n = found
    if n == 0:
        yield Finding(
            d.value_span,
            f"{_as_read(d, n)}: a vassal that the Emperor stops is SIGKILLed at once; use the "
            f"time a vassal needs to stop (default {CURSE_TOLERANCE} s)",
            detail="A vassal that the Emperor stops (file removed, Emperor shutting down) or "
            "that lost its way is SIGKILLed at the next pass of the loop, with no time to "
            "finish its requests or run its shutdown.",
        )
    elif n >= 1000:
        yield Finding(
            d.value_span,
            f"{_as_read(d, n)} is in seconds, not milliseconds: a stopped vassal that "
            f"hangs is SIGKILLed only after {n // 60} minutes; write {max(n // 1000, 1)} "
            f"for {max(n // 1000, 1)} s",
            detail=f"The default is {CURSE_TOLERANCE} s.",
        )


# -- heartbeat ---------------------------------------------------------------------------


@rule(
    "UW210",
    "vassal-heartbeat-not-below-required",
    Severity.WARNING,
    "A vassal `heartbeat` above its Emperor's `emperor-required-heartbeat` (default 30 s): "
    "the Emperor SIGKILLs it again and again.",
    on=Instances(needs=frozenset({"heartbeat"})),
)
def check_heartbeat(view: View) -> Iterator[Finding]:
    emperor = view.emperor
    if emperor is None or view.governs():
        return  # only a worker-running vassal sends heartbeats
    mine = view.numbers("heartbeat", 0)
    needed = emperor.numbers("emperor-required-heartbeat", HEARTBEAT)
    if mine is None or needed is None:
        return
    if not emperor.read_whole() and any(r is None for r, _ in needed):
        return  # the default counts, and what was not read of the Emperor may set it
    seen: set[object] = set()
    for d, beat in mine:
        if d is None or beat <= 0 or (d.file, d.loc.whole) in seen:
            continue
        if not all(beat > req for _, req in needed):
            # equal is fine: the Emperor kills only after MORE than the required seconds
            # (verified with uWSGI 2.0.31: `heartbeat = 5` under 5 never killed)
            continue
        seen.add((d.file, d.loc.whole))
        req = max(r for _, r in needed)
        explicit = [r for r, _ in needed if r is not None]
        default = ""
        if explicit:
            related = tuple(
                Related("the Emperor requires a heartbeat this often here", r.span)
                for r in explicit
            )
        else:
            default = (f" The Emperor does not set `emperor-required-heartbeat`: {req} s is "
                       "the default.")
            related = (Related(
                f"the Emperor (emperor-required-heartbeat not set: {req} s)",
                emperor.entries("emperor")[0].span,
            ),)
        yield Finding(
            d.value_span,
            f"{_as_read(d, beat)} is above the Emperor's `emperor-required-heartbeat` "
            f"({req} s): it SIGKILLs this vassal again and again; use e.g. "
            f"`heartbeat = {max(req // 3, 1)}`",
            related,
            detail=f"Once the vassal has sent a heartbeat, the Emperor kills it with SIGKILL "
            f"whenever more than {req} s pass without one (\"sent no heartbeat in last {req} "
            f"seconds, brutally respawning it\"), and a heartbeat comes at best every {beat} "
            f"s.{default}",
        )


@rule(
    "UW224",
    "emperor-required-heartbeat-unused",
    Severity.INFO,
    "`emperor-required-heartbeat` in an Emperor whose vassals set no `heartbeat`: it "
    "watches only vassals that send one.",
    on=Instances(needs=frozenset({"emperor-required-heartbeat"})),
)
def check_heartbeat_unused(view: View) -> Iterator[Finding]:
    if not view.governs():
        return
    found = _written(view, "emperor-required-heartbeat", HEARTBEAT)
    vassals = view.vassals
    monitors = view.inst.monitors
    if found is None or not vassals or any(m.kind not in ("dir", "glob") for m in monitors):
        return  # (a vassal pushed by a database or queue monitor is not seen here)
    d, req = found
    silent: list[str] = []
    for v in vassals:
        beats = v.numbers("heartbeat", 0)
        if beats is None or any(n > 0 for _, n in beats):
            continue
        if not v.read_whole():
            return  # what was not read may set `heartbeat`
        silent.append(os.path.basename(v.inst.root.path))
    if not silent:
        return
    names = ", ".join(silent[:3]) + (" ..." if len(silent) > 3 else "")
    if len(silent) == len(vassals):
        message = (f"{_as_read(d, req)} does nothing: no vassal of this Emperor sets "
                   f"`heartbeat`; add `heartbeat = {max(req // 3, 1)}` to them, or remove it")
    else:
        message = (f"{_as_read(d, req)} does not watch {len(silent)} of the "
                   f"{len(vassals)} vassals ({names}): they set no `heartbeat`")
    yield Finding(
        d.value_span,
        message,
        detail="The Emperor kills a vassal that stops sending heartbeats only once it has "
        "sent one (core/emperor.c: `last_heartbeat > 0`), and a vassal sends them only "
        "with `heartbeat = N` (verified with uWSGI 2.0.31: a vassal without `heartbeat` "
        f"under `emperor-required-heartbeat = 5` was never killed). Vassals without it: "
        f"{names}. A `heartbeat` at most {req} s makes the Emperor respawn a vassal whose "
        "workers are all stuck.",
    )
