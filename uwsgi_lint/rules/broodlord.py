"""UW410-UW416, UW419: Broodlord/zerg scaling, and Cheaper used where it cannot work.

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
from ..deploy import Runs
from ..diagnostics import Finding, Related, Severity
from ..facts import AsRoot, View
from ..model import Applicability, Directive, Format, Instance, Section, Span
from ..textfix import remove_entry
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
    fix="unsafe",
)
def check_no_broodlord(view: View) -> Iterator[Finding]:
    emperor = view.emperor
    if emperor is None:
        return
    on, line = emperor.broodlord()
    if on is not False or (line is None and not emperor.read_whole()):
        return  # (what was not read of the Emperor may set `emperor-broodlord`)
    related = _monitor_related(view.inst)
    why = "has no `emperor-broodlord`"
    if line is not None:
        why = f"sets `{line.key} = {shown(line.effective)}`"
        related = (Related("Broodlord mode is off here", line.span),)
    for d, n in view.sos():
        yield Finding(
            _where(view, d),
            f"`{d.key} = {n}` is ignored: this vassal's Emperor {why}; set `emperor-broodlord` "
            "in the Emperor, or remove this line",
            related,
            detail=f"`{d.key}` asks the Emperor for reinforcements, but the Emperor that "
            f"starts this vassal {why} (0: Broodlord mode off) and ignores every SOS, so no "
            "zerg is ever started. `emperor-broodlord` is the most zergs at once.",
            fix=remove_entry(view, d, f"remove the `{d.key}` line", Applicability.UNSAFE),
        )


@rule(
    "UW411",
    "vassal-sos-without-emperor",
    Severity.INFO,
    "`vassal-sos`/`vassal-sos-backlog` in a config that no Emperor linted here starts.",
    group="pedantic", on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_no_emperor(view: View) -> Iterator[Finding]:
    if view.inst.emperor is not None:
        return
    for d, n in view.sos():
        if d.key == "vassal-sos":
            alone = (
                "Run on its own, uWSGI logs \"[broodlord] instance not governed by an "
                "Emperor !!!\" at each overload."
            )
        else:
            alone = "Run on its own, uWSGI does not even check the backlog."
        yield Finding(
            d.key_span,
            f"`{d.key} = {n}` asks an Emperor for reinforcements, but no Emperor linted here "
            "starts this file; lint it with its Emperor to check the pairing",
            detail=f"Only an Emperor with `emperor-broodlord` answers. {alone}",
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
    root = inst.root
    if root.stopped is not None or any(p.code in View.INCOMPLETE for p in root.problems):
        return  # the file was not read to its end: the section may be there
    asks = view.sos()
    if not asks:
        return
    d, n = asks[0]  # one finding per vassal, at the first line that asks
    name = os.path.basename(inst.root.path)
    server = view.last("zerg-server")
    if server is not None:
        fix = f"add one with `zerg = {shown(server.effective)}`"
        attach = "(this vassal's `zerg-server`)"
    else:
        fix = "add `zerg-server = PATH` here and one with `zerg = PATH`"
        attach = "(`zerg-server` takes a UNIX socket)"
    yield Finding(
        _where(view, d),
        f"the Broodlord Emperor starts `{name}:zerg`, and this file has no {_SECTION[fmt]}: "
        f"every zerg exits; {fix}",
        (Related("the Emperor answers an SOS with zergs here", brood.span),),
        detail=f"`{d.key} = {n}` makes the Broodlord Emperor start `{name}:zerg`, the "
        f"{_SECTION[fmt]} of this file: each zerg {_NO_SECTION[fmt]}, and the Emperor "
        f"respawns it over and over. The zerg section attaches to the vassal's socket {attach}; "
        "give it `idle`/`die-on-idle` too, so that idle zergs go away.",
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
    where, same = "this file's zerg section", ""
    if xml_same:
        where = "the `<uwsgi>` block the zerg reads"
        same = (
            " With no `<uwsgi id=\"zerg\">` block, the zerg reads this vassal's own `<uwsgi>` "
            "again, a block without id answering any id."
        )
    if server is None:
        d = asks[0][0]
        yield Finding(
            _where(view, d),
            f"`{d.key}` asks for zergs, but this vassal has no `zerg-server`; add "
            f"`zerg-server = PATH` here and `zerg = PATH` to {where}",
            tuple(related),
            detail="The zergs have no socket of this vassal to attach to: each one serves on "
            f"its own sockets, or exits. `zerg-server` takes a UNIX socket.{same}",
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
            f"{where[0].upper()}{where[1:]} has no `zerg` line: each zerg runs on its own "
            f"instead of attaching to this vassal; add `zerg = {path}`",
            tuple(related),
            detail="Each zerg the Emperor starts is an instance of its own instead of "
            f"attaching to this vassal's sockets through `zerg-server = {path}`: it binds its "
            f"own sockets, or exits when it has none.{same}",
        )
        return
    for d in lines:
        yield Finding(
            d.value_span if not _injected(d) else view.file_start,
            f"`{d.key} = {shown(d.effective)}` is not this vassal's `zerg-server`: the zerg "
            f"attaches to whatever serves it, or exits; write `zerg = {path}`",
            tuple(related),
            detail=f"This vassal's `zerg-server` is {path}: the zerg attaches to whatever "
            f"serves {shown(d.effective)}, or exits with code 1 when nothing does (unless "
            "`zerg-fallback`).",
        )


# -- UW414: Broodlord where Cheaper fits ---------------------------------------------------


@rule(
    "UW414",
    "broodlord-instead-of-cheaper",
    Severity.INFO,
    "A vassal asks for zergs while it runs a fixed number of workers: Cheaper would grow "
    "them first.",
    group="pedantic", on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
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
            f"workers ({fixed}); set `cheaper` so that its own workers grow first",
            (Related("the Emperor answers an SOS with zergs here", brood.span),),
            detail="`cheaper` is unset or 0: at every overload the Emperor starts a whole new "
            "zerg instance, though this vassal's own workers could have grown first. "
            "Broodlord spawns whole new instances on the same socket; Cheaper adapts the "
            "workers of one instance: make `processes` the maximum and set `cheaper` (the "
            f"minimum), `cheaper-initial` and `cheaper-step`, keeping `{d.key}` for when "
            "even the maximum is busy.",
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
        f"`{master.key} = {shown(master.effective)}` turns off the master, which runs "
        "Cheaper: uWSGI never adds, cheaps or respawns a worker; remove this line",
        (Related("cheaper mode is asked for here", c.span),),
        detail="It wins over the master that every cheaper option turns on. With "
        f"`{c.key} = {cheapers[0][1]}` uWSGI starts a fixed set of workers (the first "
        "`cheaper-initial`, plus the main process serving as a second worker 1)."
        + (_NO_MASTER_VASSAL if view.emperor is not None else ""),
    )


# what a vassal without its master misses (UW415 says it for a cheaper vassal, UW223 else)
_NO_MASTER_VASSAL = (
    " The master is also what obeys the Emperor: touching the file does not reload this "
    "vassal, and stopping it ends in a SIGKILL after `emperor-curse-tolerance` (30 s) "
    "that leaves its workers running (verified with uWSGI 2.0.31)."
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
            f"Broodlord mode does not work with the `{m.kind}://` monitor: every zerg fails to "
            "start; use a directory or glob monitor for vassals that need zergs, or Cheaper",
            (Related("Broodlord mode is on here", line.span),),
            detail="The Emperor answers an SOS by starting `<vassal name>:zerg` as a config "
            f"file (`--ini NAME:zerg` ...), but the vassals of this monitor get their config "
            f"pushed from {m.kind} and no file of that name exists.",
        )


# -- UW419: zergs that run as root ------------------------------------------------------


@rule(
    "UW419",
    "broodlord-zerg-runs-as-root",
    Severity.WARNING,
    "A vassal that drops root asks a root Broodlord Emperor for zergs whose `zerg` section "
    "sets no `uid`: every zerg serves as root.",
    on=Instances(needs=frozenset({"vassal-sos", "vassal-sos-backlog"})),
)
def check_zerg_root(view: View) -> Iterator[Finding]:
    inst, emperor = view.inst, view.emperor
    brood = view.governing_broodlord()
    if brood is None or emperor is None or not view.sos():
        return
    sections = _zerg_sections(inst)
    root = inst.root
    if not sections or _opaque(sections, view.catalog) or root.stopped is not None or any(
            p.code in View.INCOMPLETE for p in root.problems):
        return
    if emperor.drops_root_for_vassals() or view.start().runs is Runs.UNPRIVILEGED:
        return  # Tyrant mode: zergs run as the file's owner; else as the Emperor's user
    effect = view.uid_effect()
    if effect is None or effect[0] is not AsRoot.DROPS or effect[1] is None:
        return
    setter = effect[1]
    ids = {n for key in ("uid", "immediate-uid") for n in view.names(key)}
    if any(d.key in ids for s in sections for d in s.directives()) or any(
            _injected(d) for key in ("uid", "immediate-uid") for d in view.entries(key)):
        return  # the zerg drops root itself (the Emperor injects the same lines into it)
    name = os.path.basename(root.path)
    gid = view.last("gid")
    also = ""
    if gid is not None and not gid.unresolved:
        also = f" Give it `gid = {shown(gid.effective)}` too, as the vassal has."
    header = sections[0].span
    section = _SECTION.get(root.format, "zerg section")
    yield Finding(
        header if header is not None else _where(view, view.sos()[0][0]),
        f"the Broodlord Emperor starts `{name}:zerg` as root, and this {section} "
        f"sets no `uid`: each zerg serves as root; add `uid = {shown(setter.effective)}`",
        (Related("the vassal itself drops root here, not its zergs", setter.span),
         Related("the Emperor answers an SOS with zergs here", brood.span)),
        detail=f"A zerg reads only the zerg section of this file (`{name}:zerg`), and the "
        "Emperor starts it as it starts every vassal, as root: it attaches to this vassal's "
        "sockets and runs the app as root, though the vassal itself runs as "
        f"`{setter.key} = {shown(setter.effective)}` (verified with uWSGI 2.0.31: the vassal "
        "ran as nobody, its zergs as uid 0; under Tyrant mode they run as the file's owner)."
        f"{also}",
    )
