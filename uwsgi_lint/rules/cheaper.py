"""UW401-UW406: the cheaper subsystem as ``core/init.c: sanitize_args()`` and
``core/master.c: master_loop()`` judge it at start-up.

uWSGI prints one line without a file or a line number and exits (or goes on with another
setting); these rules say which directive is at fault.  A scalar takes its last value;
an entry under an undecided logic condition may or may not apply, so a finding needs
every possible combination of the other options to agree (``View.numbers``).

UW417 is UW405 for the other option families that only matter when a parent option turns
their subsystem on (:data:`DEPENDENT`: `carbon-*`, `spooler-*`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from ..catalog import Catalog, close_matches, load_catalog, plugin_default_build
from ..diagnostics import Finding, Related, Severity
from ..facts import Numbers, View
from ..model import Applicability, Directive, Span
from ..textfix import remove_entry
from ..values import shown, switched_on
from . import Entries, Instances, rule

CORE_ALGOS = ("spare", "backlog", "manual")  # core/uwsgi.c: uwsgi_setup()
CORE_ALGOS_21 = ("spare2",)  # [2.1-dev] core
PLUGIN_ALGOS = {"busyness": "cheaper_busyness", "backlog2": "cheaper_backlog2"}
FALLBACK = "unable to find requested cheaper algorithm, falling back to spare"


def _where(d: Directive) -> tuple[str, tuple[int, int]]:
    return (d.file, d.loc.whole)


def _setting(name: str, numbers: Numbers, default_note: str = "the default") -> str:
    """`processes` (4), `processes` (not set: 1, the default), or every possible value."""
    values = sorted({n for _, n in numbers})
    shown_values = " or ".join(str(v) for v in values)
    if len(numbers) == 1:
        d, n = numbers[0]
        if d is None:
            return f"`{name}` ({n}: not set, {default_note})"
        return f"`{d.key}` ({n})"
    return f"`{name}` ({shown_values}, depending on undecided conditions)"


def _whole_or_set(view: View, numbers: Numbers) -> bool:
    """Whether a finding may use ``numbers``: the option is surely set, or its default
    counts and the instance was read whole (what was not read may set it:
    :meth:`View.read_whole`)."""
    return all(d is not None for d, _ in numbers) or view.read_whole()


def _related(numbers: Numbers, what: str) -> tuple[Related, ...]:
    return tuple(Related(what, d.span) for d, _ in numbers if d is not None)


@rule(
    "UW401",
    "cheaper-not-below-processes",
    Severity.ERROR,
    "`cheaper` at or above `processes` (default 1): uWSGI exits at start-up.",
    on=Instances(needs=frozenset({"cheaper"})),
)
def check_cheaper_processes(view: View) -> Iterator[Finding]:
    cheapers = view.numbers("cheaper", 0)
    procs = view.numbers("processes", 1)
    if cheapers is None or procs is None or not _whole_or_set(view, procs):
        return
    seen: set[tuple[str, tuple[int, int]]] = set()
    for d, c in cheapers:
        if d is None or c <= 0 or _where(d) in seen:
            continue  # 0: cheaper mode off
        if not all(c >= p for _, p in procs):
            continue
        seen.add(_where(d))
        hint = f"set `processes` above {c}"
        if any(pd is not None for pd, _ in procs):
            hint = f"lower `{d.key}` below the number of processes or raise `processes`"
        yield Finding(
            d.value_span,
            f"`{d.key}` ({c}) is not below {_setting('processes', procs)}: uWSGI exits at "
            f"start-up; {hint}",
            _related(procs, "`processes` is set here"),
            detail="uWSGI exits with \"invalid cheaper value: must be lower than processes\": "
            "`cheaper` is the minimum of workers kept, `processes` the maximum.",
        )


@rule(
    "UW402",
    "cheaper-initial-out-of-range",
    Severity.WARNING,
    "`cheaper-initial` below `cheaper` or above `processes`: uWSGI replaces it at start-up.",
    on=Instances(needs=frozenset({"cheaper-initial"})),
)
def check_cheaper_initial(view: View) -> Iterator[Finding]:
    initials = view.numbers("cheaper-initial", 0)
    cheapers = view.numbers("cheaper", 0)
    procs = view.numbers("processes", 1)
    if initials is None or cheapers is None or procs is None:
        return
    if not (_whole_or_set(view, cheapers) and _whole_or_set(view, procs)):
        return
    seen: set[tuple[str, tuple[int, int]]] = set()
    for d, i in initials:
        if d is None or i == 0 or _where(d) in seen:
            continue  # 0: unset, uWSGI starts `cheaper` workers
        outcomes: list[str] = []
        for _, c in cheapers:
            for _, p in procs:
                if 0 < c < p and i < c:
                    outcomes.append("below")
                elif 0 < c < p and i > p:
                    outcomes.append("above")
        if len(outcomes) != len(cheapers) * len(procs) or len(set(outcomes)) != 1:
            continue  # cheaper off, fatal (UW401) or in range in some case
        seen.add(_where(d))
        if outcomes[0] == "below":
            message = (
                f"`{d.key}` ({i}) is below {_setting('cheaper', cheapers)}: uWSGI starts "
                f"{_count(cheapers, 'cheaper')} workers instead"
            )
            related = _related(cheapers, "`cheaper` is set here")
        else:
            message = (
                f"`{d.key}` ({i}) is above {_setting('processes', procs)}: uWSGI starts all "
                f"{_count(procs, 'processes')} workers instead"
            )
            related = _related(procs, "`processes` is set here")
        yield Finding(
            d.value_span,
            f"{message}; set it between `cheaper` and `processes`",
            related,
            detail="uWSGI logs \"warning: invalid cheaper-initial value\". Both `cheaper` and "
            "`processes` are valid values of `cheaper-initial`.",
        )


def _count(numbers: Numbers, name: str) -> str:
    values = sorted({n for _, n in numbers})
    if len(values) == 1:
        return str(values[0])
    return f"`{name}` (" + " or ".join(str(v) for v in values) + ")"


@cache
def _memory_options(catalog: Catalog) -> frozenset[str]:
    """Options whose MEMORY flag forces memory collection (``force_get_memusage``)."""
    return frozenset(
        n for n in catalog.names() if (o := catalog.get(n)) is not None and "MEMORY" in o.flags
    )


@rule(
    "UW403",
    "cheaper-rss-limit-without-memory-report",
    Severity.ERROR,
    "`cheaper-rss-limit-soft` without `memory-report`: uWSGI exits at start-up.",
    on=Instances(needs=frozenset({"cheaper-rss-limit-soft"})),
)
def check_rss_soft(view: View) -> Iterator[Finding]:
    cat = view.catalog
    softs = view.numbers("cheaper-rss-limit-soft", 0)
    if softs is None:
        return
    if not _memory_options(cat).isdisjoint(view.keys):
        return  # reload-on-rss & co. collect memory usage too
    reports = [d for d in view.candidates("memory-report") if d is not None]
    if any(d.unresolved for d in reports) or not (reports or view.read_whole()):
        return  # (what was not read may set `memory-report`)
    opt = cat.get("memory-report")
    kind = opt.value_kind if opt is not None else "bool"
    if any(switched_on(kind, d.effective) for d in reports):
        return
    seen: set[tuple[str, tuple[int, int]]] = set()
    for d, s in softs:
        if d is None or s == 0 or _where(d) in seen:
            continue
        seen.add(_where(d))
        fix, number = "add `memory-report = true`", ""
        if kind != "bool":
            fix = "add `memory-report = 1`"
            number = " `memory-report` is a number on this uWSGI version: `true` reads as 0."
        why = "`memory-report` is not set"
        if reports:
            why = f"`memory-report = {shown(reports[0].effective)}` leaves it off"
        yield Finding(
            d.key_span,
            f"`{d.key}` needs the memory report and {why}: uWSGI exits at start-up; {fix}",
            tuple(Related("`memory-report` is set here", r.span) for r in reports),
            detail="uWSGI exits with \"enabling cheaper-rss-limit-soft requires enabling also "
            f"memory-report\".{number}",
        )


@rule(
    "UW404",
    "cheaper-rss-limit-hard-invalid",
    Severity.ERROR,
    "`cheaper-rss-limit-hard` without a soft limit, or not above it: uWSGI exits at start-up.",
    on=Instances(needs=frozenset({"cheaper-rss-limit-hard"})),
)
def check_rss_hard(view: View) -> Iterator[Finding]:
    hards = view.numbers("cheaper-rss-limit-hard", 0)
    softs = view.numbers("cheaper-rss-limit-soft", 0)
    if hards is None or softs is None or not _whole_or_set(view, softs):
        return
    seen: set[tuple[str, tuple[int, int]]] = set()
    for d, h in hards:
        if d is None or h == 0 or _where(d) in seen:
            continue
        if all(s == 0 for _, s in softs):
            seen.add(_where(d))
            yield Finding(
                d.key_span,
                f"`{d.key}` without `cheaper-rss-limit-soft`: uWSGI exits at start-up; add a "
                f"soft limit below {h} bytes",
                _related(softs, "`cheaper-rss-limit-soft` is 0 here"),
                detail="uWSGI exits with \"enabling cheaper-rss-limit-hard requires setting "
                "also cheaper-rss-limit-soft\". The soft limit also needs `memory-report`.",
            )
        elif all(s > 0 and h <= s for _, s in softs):
            seen.add(_where(d))
            yield Finding(
                d.value_span,
                f"`{d.key}` ({h} bytes) is not above "
                f"{_setting('cheaper-rss-limit-soft', softs)}: uWSGI exits at start-up; make "
                "the hard limit the higher one",
                _related(softs, "`cheaper-rss-limit-soft` is set here"),
                detail="uWSGI exits with \"cheaper-rss-limit-hard value must be higher than "
                "cheaper-rss-limit-soft value\". The hard limit is the one that stops workers.",
            )


@dataclass(frozen=True, slots=True)
class Family:
    """Options named ``prefix*`` that only matter when one of ``parents`` turns their
    subsystem on (``others``: options with the prefix that are not part of it)."""

    prefix: str
    parents: tuple[str, ...]
    others: tuple[str, ...] = ()
    off: str = ""  # what uWSGI does without a parent
    fix: str = ""  # what to add
    why: str = ""  # the longer explanation


# UW405: `core/init.c: sanitize_args()` turns cheaper mode off unless `cheaper` > 0
CHEAPER = Family("cheaper-", ("cheaper",), others=("cheaper-algo-list",))
# UW417: the other families whose parent turns the subsystem on
DEPENDENT = (
    # plugins/carbon/carbon.c: carbon_post_init() returns at once without a server, and
    # carbon_push_stats() pushes to the servers it built
    Family("carbon-", ("carbon",), off="uWSGI pushes no statistics to carbon",
           fix="add `carbon = host:2003`",
           why="The carbon plugin sets itself up only for the servers listed in `carbon` "
           "and pushes only to them; the `carbon-*` options tune that push."),
    # core/spooler.c: spooler processes run only for the `spooler` directories;
    # the `spooler-*` settings (and the Python `spooler-import`) are read only there
    Family("spooler-", ("spooler", "spooler-external"), off="uWSGI starts no spooler",
           fix="add `spooler = /path/to/spool/dir`",
           why="uWSGI starts spooler processes only for the directories given with "
           "`spooler`; the `spooler-*` options are read by those processes."),
)


@cache
def family_options(catalog: Catalog, family: Family) -> frozenset[str]:
    """The options of ``family`` in ``catalog``: its prefix, not a parent or another."""
    skip = set(family.others) | set(family.parents)
    for name in family.others + family.parents:
        skip.update(catalog.same_option(name))
    return frozenset(
        n for n in catalog.names() if n.startswith(family.prefix) and n not in skip
    )


def _any_version(families: tuple[Family, ...]) -> frozenset[str]:
    """The entries a rule looks at, in either uWSGI version (each run keeps its own)."""
    return frozenset().union(*(
        family_options(load_catalog(v), f) for v in ("2.0", "2.1") for f in families))


def _cheaper_options(catalog: Catalog) -> frozenset[str]:
    """`cheaper-*` settings that only matter in cheaper mode (not the `cheaper-list` flags)."""
    return family_options(catalog, CHEAPER)


_ANY_CHEAPER_OPTION = _any_version((CHEAPER,))


@rule(
    "UW405",
    "cheaper-option-without-cheaper",
    Severity.WARNING,
    "A `cheaper-*` option while `cheaper` is unset or 0: ignored, though it turns the master on.",
    on=Entries(names=_ANY_CHEAPER_OPTION, unique=True),
    fix="unsafe",
)
def check_without_cheaper(view: View, d: Directive) -> Iterator[Finding]:
    cat = view.catalog
    if d.key not in _cheaper_options(cat):
        return
    cheapers = view.numbers("cheaper", 0)
    if cheapers is None or any(c != 0 for _, c in cheapers):
        return
    if not _whole_or_set(view, cheapers):
        return
    set_to_zero = [z for z, _ in cheapers if z is not None]
    if set_to_zero:
        why = f"`{set_to_zero[0].key} = {shown(set_to_zero[0].effective)}`"
        detail = f"{why} reads as 0, which"
    else:
        why = "`cheaper` is not set"
        detail = "`cheaper` is not set (0, the default), which"
    opt = cat.get(d.key)
    master = ""
    if opt is not None and opt.master:
        master = ", yet this option still turns the master process on"
    yield Finding(
        d.key_span,
        f"`{d.key}` is ignored: {why}, so cheaper mode is off; set `cheaper` (the fewest "
        "workers) or remove this line",
        tuple(Related("`cheaper` is set here", z.span) for z in set_to_zero),
        detail=f"{detail} turns cheaper mode off{master}. Set `cheaper` to the minimum "
        "number of workers (below `processes`).",
        fix=remove_entry(view, d, f"remove the `{d.key}` line", Applicability.UNSAFE),
    )


@rule(
    "UW417",
    "option-without-parent",
    Severity.WARNING,
    "A `carbon-*` or `spooler-*` option without `carbon` or `spooler`: uWSGI ignores it.",
    on=Entries(names=_any_version(DEPENDENT), unique=True),
    fix="unsafe",
)
def check_without_parent(view: View, d: Directive) -> Iterator[Finding]:
    """UW405's check for the other families of :data:`DEPENDENT`: their parent is a list
    (a server, a directory), on as soon as one entry sets it."""
    cat = view.catalog
    family = next((f for f in DEPENDENT if d.key in family_options(cat, f)), None)
    if family is None or any(view.sets(p) for p in family.parents) or not view.read_whole():
        return  # (what was not read may set the parent)
    parents = " or ".join(f"`{p}`" for p in family.parents)
    yield Finding(
        d.key_span,
        f"`{d.key}` is ignored: without {parents}, {family.off}; {family.fix} or remove "
        "this line",
        detail=f"{family.why} No other option turns it on.",
        fix=remove_entry(view, d, f"remove the `{d.key}` line", Applicability.UNSAFE),
    )


def _loaded_plugins(view: View) -> set[str]:
    """The plugins loaded, by file name without ``_plugin.so``/``.so`` but with their
    digits (``cheaper_backlog2``), unlike :meth:`~uwsgi_lint.facts.View.loaded_plugins`."""
    names = set(view.assume.plugins or ())
    for d in view.entries("plugins"):
        for spec in re.split(r"[,\s]+", d.value):
            base = os.path.basename(spec)
            for suffix in ("_plugin.so", ".so"):
                base = base.removesuffix(suffix)
            if base:
                names.add(base)
    return names


@rule(
    "UW406",
    "unknown-cheaper-algo",
    Severity.WARNING,
    "A `cheaper-algo` uWSGI does not have: it logs a line and falls back to `spare`.",
    on=Instances(needs=frozenset({"cheaper-algo"})),
)
def check_algo(view: View) -> Iterator[Finding]:
    version = view.assume.version
    loaded = _loaded_plugins(view)
    known = set(CORE_ALGOS) | (set(CORE_ALGOS_21) if view.catalog.version == "2.1" else set())
    for algo, plugin in PLUGIN_ALGOS.items():
        if plugin_default_build(plugin, version) or plugin in loaded:
            known.add(algo)
    seen: set[Span] = set()
    for d in view.candidates("cheaper-algo"):
        if d is None or d.unresolved or d.value_span in seen:
            continue
        name = d.effective
        if name in known:
            continue
        seen.add(d.value_span)
        hint = f"use one of {', '.join(sorted(known))}"
        more = ""
        if name in PLUGIN_ALGOS:
            plugin = PLUGIN_ALGOS[name]
            why = f"`{name}` needs the {plugin} plugin, not loaded here"
            more = (f"The {plugin} plugin is not in the default uWSGI build and this config "
                    f"does not load it. Or {hint}. ")
            hint = f"add `plugins = {plugin}`"
        elif name in CORE_ALGOS_21:
            why = f"`{name}` exists only in uWSGI 2.1 (target version {version})"
        else:
            why = f"uWSGI has no cheaper algorithm `{shown(name)}`"
            close = close_matches(name.strip().strip("\"'").lower(), sorted(known)) or []
            if close:
                hint = f"did you mean `{close[0]}`?"
        yield Finding(
            d.value_span,
            f"{why}: uWSGI uses `spare`; {hint}",
            detail=f"{more}When the master starts, uWSGI logs \"{FALLBACK}\" and uses `spare`.",
        )
