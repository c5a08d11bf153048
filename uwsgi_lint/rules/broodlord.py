"""UW410-UW416: Broodlord/zerg scaling, and Cheaper used where it cannot work.

A vassal asks for reinforcements with ``vassal-sos`` (all workers busy, at most once per
N seconds: ``core/master.c: uwsgi_update_load_counters()``) or ``vassal-sos-backlog``
(listen queue at or above N: ``master_check_listen_queue()``).  Only an Emperor with
``emperor-broodlord`` above 0 answers (byte 30 in ``core/emperor.c: emperor_loop()``): it
starts the same config name with ``:zerg`` appended, i.e. the ``zerg`` section of the
vassal's file, which should attach to the vassal's ``zerg-server`` with ``zerg``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..catalog import Catalog
from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive, Format, Instance, Section, Span
from ..values import shown
from . import Instances, rule

_REFS = ("%(", "$(", "@(")
_SECTION = {
    Format.INI: "`[zerg]` section",
    Format.YAML: "top-level `zerg:` mapping",
    Format.JSON: "top-level `\"zerg\"` object",
    Format.XML: "`<uwsgi id=\"zerg\">` block",
}
# what the zerg instance does when the file has no zerg section
_NO_SECTION = {
    Format.INI: "logs \"Can't find section \\\"zerg\\\"\", reads nothing and exits with \"The "
    "-s/--socket option is missing and stdin is not a socket\"",
    Format.YAML: "reads nothing and exits with \"The -s/--socket option is missing and stdin "
    "is not a socket\"",
    Format.JSON: "exits with \"you must define a object named zerg in your JSON data\"",
}


def _injected(d: Directive) -> bool:
    """An entry the Emperor adds to every vassal (`vassal-set`, `vassals-include` ...)."""
    return any(o.kind.startswith("vassal") for o in d.origin)


def _where(view: View, d: Directive) -> Span:
    """The asking line, or the start of the vassal's file when the Emperor added it."""
    return view.file_start if _injected(d) else d.key_span


def _monitor_related(inst: Instance) -> tuple[Related, ...]:
    if inst.monitor is None:
        return ()
    return (Related("the Emperor that starts this vassal", inst.monitor.directive.span),)


# -- UW410, UW411: nobody answers the SOS -----------------------------------------------


@rule(
    "UW410",
    "vassal-sos-without-broodlord",
    Severity.WARNING,
    "`vassal-sos`/`vassal-sos-backlog` under an Emperor without `emperor-broodlord`: every "
    "SOS is ignored.",
    on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_no_broodlord(view: View) -> Iterator[Finding]:
    emperor = view.emperor
    if emperor is None:
        return
    on, line = emperor.broodlord()
    if on is not False:
        return
    related = _monitor_related(view.inst)
    why = "has no `emperor-broodlord`"
    if line is not None:
        why = f"sets `{line.key} = {shown(line.effective)}`"
        related = (Related("Broodlord mode is off here", line.span),)
    for d, n in view.sos():
        yield Finding(
            _where(view, d),
            f"`{d.key} = {n}` asks the Emperor for reinforcements, but the Emperor that starts "
            f"this vassal {why} (0: Broodlord mode off) and ignores every SOS, so no zerg is "
            "ever started; set `emperor-broodlord` (the most zergs at once) in the Emperor, "
            "or remove this line",
            related,
        )


@rule(
    "UW411",
    "vassal-sos-without-emperor",
    Severity.INFO,
    "`vassal-sos`/`vassal-sos-backlog` in a config that no Emperor linted here starts.",
    on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_no_emperor(view: View) -> Iterator[Finding]:
    if view.inst.emperor is not None:
        return
    for d, n in view.sos():
        if d.key == "vassal-sos":
            alone = (
                "run on its own, uWSGI logs \"[broodlord] instance not governed by an "
                "Emperor !!!\" at each overload"
            )
        else:
            alone = "run on its own, uWSGI does not even check the backlog"
        yield Finding(
            d.key_span,
            f"`{d.key} = {n}` asks an Emperor for reinforcements, but no Emperor linted here "
            f"starts this file: only an Emperor with `emperor-broodlord` answers ({alone}); "
            "lint it together with its Emperor to check the pairing",
        )


# -- UW412, UW413: the zerg the Emperor starts ---------------------------------------------


def _zerg_sections(inst: Instance) -> list[Section]:
    """The sections uWSGI reads for ``FILE:zerg`` (INI reads every ``[zerg]``)."""
    return [s for s in inst.root.sections if s.name == "zerg"]


def _zerg_lines(view: View, sections: list[Section]) -> list[Directive]:
    names = view.names("zerg")
    own = [d for s in sections for d in s.directives() if d.key in names]
    # the Emperor wraps the zerg in the same vassal-set/vassals-include as the vassal
    return own + [d for d in view.entries("zerg") if _injected(d)]


def _opaque(sections: list[Section], catalog: Catalog) -> bool:
    """The zerg section pulls in more config (an include) that is not read here."""
    for s in sections:
        for d in s.directives():
            opt = catalog.get(d.key)
            if opt is not None and opt.value_kind == "include":
                return True
    return False


def _same_socket(a: str, b: str) -> bool:
    if a.startswith("@") or b.startswith("@"):
        return a == b
    return os.path.normpath(a) == os.path.normpath(b)


@rule(
    "UW412",
    "broodlord-zerg-section-missing",
    Severity.ERROR,
    "A vassal asks a Broodlord Emperor for zergs but its file has no `zerg` section: every "
    "zerg exits at start-up.",
    on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_zerg_missing(view: View) -> Iterator[Finding]:
    inst = view.inst
    brood = view.governing_broodlord()
    fmt = inst.root.format
    if brood is None or fmt not in _NO_SECTION or _zerg_sections(inst):
        return
    asks = view.sos()
    if not asks:
        return
    d, n = asks[0]  # one finding per vassal, at the first line that asks
    name = os.path.basename(inst.root.path)
    server = view.last("zerg-server")
    if server is not None:
        fix = (
            f"add a {_SECTION[fmt]} with `zerg = {shown(server.effective)}` (this vassal's "
            "`zerg-server`)"
        )
    else:
        fix = (
            f"add `zerg-server = PATH` (a UNIX socket) here and a {_SECTION[fmt]} with "
            "`zerg = PATH`"
        )
    yield Finding(
        _where(view, d),
        f"`{d.key} = {n}` makes the Broodlord Emperor start `{name}:zerg`, the "
        f"{_SECTION[fmt]} of this file, and there is none: each zerg {_NO_SECTION[fmt]}, "
        f"and the Emperor respawns it over and over; {fix} and `idle`/`die-on-idle` so that "
        "idle zergs go away",
        (Related("the Emperor answers an SOS with zergs here", brood.span),),
    )


@rule(
    "UW413",
    "broodlord-zerg-not-attached",
    Severity.WARNING,
    "The `zerg` section of a vassal that asks for zergs does not attach to its `zerg-server`.",
    on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_zerg_attach(view: View) -> Iterator[Finding]:
    inst, cat = view.inst, view.catalog
    brood = view.governing_broodlord()
    asks = view.sos()
    if brood is None or not asks:
        return
    sections = _zerg_sections(inst)
    xml_same = False
    if not sections:
        if inst.root.format != Format.XML or not inst.root.sections:
            return  # UW412's case
        # a <uwsgi> without id answers any id: the zerg reads the vassal's own block again
        sections, xml_same = inst.root.sections[:1], True
    if _opaque(sections, cat):
        return
    related = [Related("the Emperor answers an SOS with zergs here", brood.span)]
    server = view.last("zerg-server")
    lines = _zerg_lines(view, sections)
    header = sections[0].span
    where = "this file's zerg section"
    if xml_same:
        where = (
            "the zerg (with no `<uwsgi id=\"zerg\">` block it reads this vassal's own "
            "`<uwsgi>` again, a block without id answering any id)"
        )
    if server is None:
        d = asks[0][0]
        yield Finding(
            _where(view, d),
            f"`{d.key}` asks for zergs, but this vassal sets no `zerg-server`, so the zergs "
            "have no socket of it to attach to: each one serves on its own sockets, or exits; "
            "add `zerg-server = PATH` (a UNIX socket) here and `zerg = PATH` to "
            f"{where}",
            tuple(related),
        )
        return
    if server.unresolved or any(r in d.value for d in lines for r in _REFS):
        return
    related.append(Related("this vassal's zerg server", server.span))
    if any(_same_socket(d.effective, server.effective) for d in lines):
        return
    path = shown(server.effective)
    if not lines:
        span = header if header is not None and not xml_same else _where(view, asks[0][0])
        yield Finding(
            span,
            f"{where[0].upper()}{where[1:]} has no `zerg` line: each zerg the Emperor starts "
            "is an instance of its own instead of attaching to this vassal's sockets through "
            f"`zerg-server = {path}` (it binds its own sockets, or exits when it has none); "
            f"add `zerg = {path}`",
            tuple(related),
        )
        return
    for d in lines:
        yield Finding(
            d.value_span if not _injected(d) else view.file_start,
            f"`{d.key} = {shown(d.effective)}` does not name this vassal's `zerg-server` "
            f"({path}): the zerg attaches to whatever serves {shown(d.effective)}, or exits with "
            f"code 1 when nothing does (unless `zerg-fallback`); write `zerg = {path}`",
            tuple(related),
        )


# -- UW414: Broodlord where Cheaper fits ---------------------------------------------------


@rule(
    "UW414",
    "broodlord-instead-of-cheaper",
    Severity.INFO,
    "A vassal asks for zergs while it runs a fixed number of workers: Cheaper would grow "
    "them first.",
    on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_instead_of_cheaper(view: View) -> Iterator[Finding]:
    brood = view.governing_broodlord()
    if brood is None:
        return
    cheapers = view.numbers("cheaper", 0)
    procs = view.numbers("processes", 1)
    if cheapers is None or procs is None or any(c != 0 for _, c in cheapers):
        return
    counts = sorted({p for _, p in procs})
    fixed = " or ".join(str(p) for p in counts)
    for d, _ in view.sos()[:1]:  # one finding per vassal
        yield Finding(
            _where(view, d),
            f"`{d.key}` asks for reinforcements while this vassal runs a fixed number of "
            f"workers ({fixed}: `cheaper` is unset or 0): at every overload the Emperor "
            "starts a whole new zerg instance, though this vassal's own workers could have "
            "grown first. Broodlord spawns whole new instances on the same socket; Cheaper "
            "adapts the workers of one instance: make `processes` the maximum and set "
            "`cheaper` (the minimum), `cheaper-initial` and `cheaper-step`, keeping "
            f"`{d.key}` for when even the maximum is busy",
            (Related("the Emperor answers an SOS with zergs here", brood.span),),
        )


# -- UW415: Cheaper without the master -----------------------------------------------------


@rule(
    "UW415",
    "cheaper-without-master",
    Severity.WARNING,
    "`cheaper` with `master = false`: the master runs Cheaper, so no worker is ever added or "
    "cheaped.",
    on=Instances(needs=frozenset({"cheaper"})),
)
def check_cheaper_master(view: View) -> Iterator[Finding]:
    # every possible entry must be an explicit off: without one, cheaper turns the master on
    masters = view.candidates("master")
    if None in masters or view.flag("master") is not False:
        return
    master = masters[0]
    assert master is not None
    cheapers = view.numbers("cheaper", 0)
    if not cheapers or any(c <= 0 for _, c in cheapers):
        return  # cheaper off: UW405 speaks for the other cheaper options
    c = cheapers[0][0]
    assert c is not None
    yield Finding(
        master.value_span if master.raw_value else master.key_span,
        f"`{master.key} = {shown(master.effective)}` turns the master process off (it wins "
        "over the master that every cheaper option turns on), and the master is what runs "
        f"Cheaper: with `{c.key} = {cheapers[0][1]}` uWSGI starts a fixed set of workers "
        "(the first `cheaper-initial`, plus the main process serving as a second worker 1) "
        "and never adds, cheaps or respawns one; remove this line",
        (Related("cheaper mode is asked for here", c.span),),
    )


# -- UW416: Broodlord with a monitor that has no files ----------------------------------


@rule(
    "UW416",
    "broodlord-plugin-monitor",
    Severity.WARNING,
    "`emperor-broodlord` with a database/queue monitor (`pg://`, `zmq://` ...): zergs are "
    "started from a file that does not exist.",
    on=Instances(needs=frozenset({"emperor-broodlord"})),
)
def check_plugin_monitor(view: View) -> Iterator[Finding]:
    on, line = view.broodlord()
    if not on or line is None:
        return
    for m in view.inst.monitors:
        if m.kind in ("dir", "glob"):
            continue
        d = m.directive
        yield Finding(
            d.value_span,
            f"Broodlord mode does not work with the `{m.kind}://` monitor: the Emperor answers "
            "an SOS by starting `<vassal name>:zerg` as a config file (`--ini NAME:zerg` ...), "
            f"but the vassals of this monitor get their config pushed from {m.kind} and no file "
            "of that name exists, so every zerg fails to start; keep vassals that need zergs "
            "in a directory or glob monitor, or let them scale with Cheaper",
            (Related("Broodlord mode is on here", line.span),),
        )
