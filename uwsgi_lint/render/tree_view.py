"""``uwsgi-lint show --tree``: the deployment as uWSGI runs it, drawn from one lint run.

Each Emperor, its monitors, and every process it starts -- vassals, sub-Emperors, the zergs
a Broodlord Emperor starts from ``FILE:zerg`` (``core/emperor.c``: with the vassal's own
uid/gid, then the ``zerg`` section's) -- with the user and group it runs as, the sockets
it binds, whether it starts at all, and the findings of the run beside it.

Whether a process starts is read from the findings of the run (the code sets below):

=================  ====================================================================
status             when
=================  ====================================================================
``starts``         no finding says otherwise
``never-started``  a file in a watched directory the Emperor never starts (UW205,
                   UW206), a vassal whose name another one took (UW216), or a process
                   whose Emperor (or vassal) does not start
``refused``        uWSGI exits at start-up (UW001, UW020, UW021, UW027, UW104, UW109,
                   UW113, UW120-UW122, UW124, UW204, UW401, UW403, UW404, UW509), or a
                   Tyrant Emperor refuses the file (UW303)
``crash-looping``  a vassal or zerg that exits at start-up: its Emperor starts it again
                   and again (the codes above, UW220, UW221, UW304, UW310; UW307 or
                   UW309 on the Emperor for each of its vassals; UW412 for the zergs)
=================  ====================================================================

Every path, name and socket comes from a config or the disk: it is printed through
``untrusted.clean`` (secrets masked, control characters escaped), and Mermaid and DOT
labels are escaped for their own syntax on top of that.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic
from ..facts import AsRoot, View, Views
from ..instance import AssumeFor
from ..model import Instance, Monitor, Role
from ..untrusted import clean
from . import display_path, shown_path

# what a finding says about whether the process starts (the module docstring's table)
EXITS_AT_START = frozenset({
    "UW001", "UW020", "UW021", "UW027", "UW104", "UW109", "UW113", "UW120", "UW121",
    "UW122", "UW124", "UW204", "UW401", "UW403", "UW404", "UW509",
})
NEVER_STARTED = frozenset({"UW205", "UW206"})
NAME_TAKEN = frozenset({"UW216"})  # a vassal whose name another one took
TYRANT_REFUSES = frozenset({"UW303"})
RESPAWNED = frozenset({"UW220", "UW221", "UW304", "UW310"})
VASSALS_FAIL = frozenset({"UW307", "UW309"})  # found on the Emperor: each of its vassals fails
ZERG_CODES = frozenset({"UW412", "UW413", "UW419"})  # about a vassal's zergs: drawn on them
ZERGS_FAIL = frozenset({"UW412"})
DOWN = ("never-started", "refused", "crash-looping")  # a process that serves nothing
UNKNOWN = "unknown"


@dataclass(slots=True)
class Identity:
    """Who a process is: the user and group as shown, and whether it is surely root."""

    user: str
    group: str

    @property
    def root(self) -> bool:
        return self.user == "root"


@dataclass(slots=True)
class Node:
    """One box of the drawing: an Emperor, a monitor, or a process an Emperor starts."""

    id: str
    kind: str  # "emperor", "monitor", "vassal", "zerg" or "standalone"
    path: str  # the file (a zerg: ``FILE:zerg``), or the monitor's directory or pattern
    user: str | None = None  # None: no process (a monitor)
    group: str | None = None
    sockets: list[tuple[str, str]] = field(default_factory=list)  # (option, address)
    status: str = "starts"  # a monitor: "watching", "missing" or "not-listed"
    reasons: list[str] = field(default_factory=list)  # the codes that decided the status
    findings: list[Diagnostic] = field(default_factory=list)
    context: bool = False  # the Emperor above a file checked: read, not checked
    monitor: str = ""  # a monitor's kind: "dir", "glob", or a plugin's scheme


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    kind: str  # "watches" (Emperor -> monitor), "starts", "zergs" (vassal -> its zergs)


@dataclass(slots=True)
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def children(self, node: Node) -> list[tuple[Edge, Node]]:
        by_id = {n.id: n for n in self.nodes}
        return [(e, by_id[e.target]) for e in self.edges if e.source == node.id]

    def roots(self) -> list[Node]:
        targets = {e.target for e in self.edges}
        return [n for n in self.nodes if n.id not in targets]


# --- building the graph --------------------------------------------------------------


def build(instances: Sequence[Instance], diagnostics: Sequence[Diagnostic],
          assume_for: AssumeFor) -> Graph:
    """The graph of the instances a lint run checked (``engine.lint(instances=...)``),
    with that run's ``diagnostics``; the Emperors above them that were read for context
    only are drawn too (``context``), with just the path down to the files checked."""
    return _Builder(instances, diagnostics, assume_for).graph


class _Builder:
    def __init__(self, instances: Sequence[Instance], diagnostics: Sequence[Diagnostic],
                 assume_for: AssumeFor) -> None:
        self.graph = Graph()
        self.views = Views(assume_for)
        self.checked = {id(i) for i in instances}
        self.drawn: dict[str, Node] = {}  # the real path of an instance's file -> its node
        self.by_file: dict[str, list[Diagnostic]] = {}
        for d in diagnostics:
            self.by_file.setdefault(os.path.realpath(d.span.file), []).append(d)
        self.wanted = set(self.checked)  # the checked ones and the Emperors above them
        tops: list[Instance] = []
        for inst in instances:
            top = inst
            while top.emperor is not None:
                top = top.emperor
                self.wanted.add(id(top))
            if all(t is not top for t in tops):
                tops.append(top)
        # the files of the instances: an include of one of them that is another's own
        # file keeps its findings on that other node
        self.instance_files = {os.path.realpath(i.root.path) for i in instances}
        # the Emperors first: a file of a watched directory that the Emperor never starts
        # is drawn there, not again as an instance of its own
        tops.sort(key=lambda i: i.role is not Role.EMPEROR)
        for top in tops:
            if os.path.realpath(top.root.path) not in self.drawn:
                self._process(top, None, None, frozenset())

    def _node(self, **kw: Any) -> Node:
        node = Node(id=f"n{len(self.graph.nodes) + 1}", **kw)
        self.graph.nodes.append(node)
        return node

    def _process(self, inst: Instance, parent: Node | None, started_as: Identity | None,
                 emperor_codes: frozenset[str]) -> Node:
        """The node of ``inst`` (and of everything it starts), started by ``parent``."""
        view = self.views.of(inst)
        context = id(inst) not in self.checked
        findings = [] if context else self._findings(inst)
        kind = ("emperor" if inst.role is Role.EMPEROR
                else "vassal" if inst.emperor is not None else "standalone")
        who, starts_with = _identity(view, started_as)
        node = self._node(kind=kind, path=inst.root.path, user=who.user, group=who.group,
                          sockets=_sockets(view), context=context,
                          findings=[d for d in findings if d.code not in ZERG_CODES])
        _judge(node, parent, emperor_codes)
        self.drawn[os.path.realpath(inst.root.path)] = node
        codes = frozenset(d.code for d in node.findings)
        for monitor in inst.monitors:
            self._monitor(inst, node, monitor, starts_with, codes)
        if not context and inst.emperor is not None and view.sos() \
                and view.governing_broodlord() is not None:
            self._zerg(view, node, [d for d in findings if d.code in ZERG_CODES], started_as)
        return node

    def _monitor(self, emperor: Instance, enode: Node, monitor: Monitor,
                 starts_with: Identity, codes: frozenset[str]) -> None:
        started = [v for v in emperor.vassals if v.monitor is monitor and id(v) in self.wanted]
        if enode.context and not started:
            return  # the Emperor read for context: only the way down to the files checked
        status = ("not-listed" if monitor.outside or monitor.kind not in ("dir", "glob")
                  else "watching" if monitor.exists else "missing")
        mnode = self._node(kind="monitor", path=monitor.target, status=status,
                           monitor=monitor.kind, context=enode.context)
        self.graph.edges.append(Edge(enode.id, mnode.id, "watches"))
        for path in monitor.vassals:
            inst = next((v for v in started if v.root.path == path), None)
            if inst is not None:
                child = self._process(inst, mnode, starts_with, codes)
            elif (drawn := self.drawn.get(os.path.realpath(path))) is not None:
                child = drawn  # an Emperor started by two (or by itself): drawn once
            elif enode.context:
                continue
            else:  # not read (a budget reached, an internal error)
                child = self._node(kind="vassal", path=path, user=UNKNOWN, group=UNKNOWN,
                                   status=UNKNOWN)
            self.graph.edges.append(Edge(mnode.id, child.id, "starts"))
        if enode.context:
            return
        for path in monitor.ignored:
            found = self.by_file.get(os.path.realpath(path), [])
            hit = sorted({d.code for d in found} & NEVER_STARTED)
            if hit:  # a file the run says is never started (not any README)
                child = self._node(kind="vassal", path=path, status="never-started",
                                   reasons=hit, findings=found)
                self.drawn[os.path.realpath(path)] = child
                self.graph.edges.append(Edge(mnode.id, child.id, "starts"))

    def _zerg(self, view: View, vnode: Node, findings: list[Diagnostic],
              started_as: Identity | None) -> None:
        """The zergs a Broodlord Emperor starts for this vassal: ``FILE:zerg`` with the
        vassal's Tyrant owner (or the Emperor's identity), then the section's own ids."""
        from ..tree import vassal

        inst = view.inst
        assert inst.emperor is not None and inst.monitor is not None
        path = inst.root.path + ":zerg"
        try:
            zerg = vassal(path, inst.monitor, inst.emperor, view.assume)
        except Exception:  # the vassal itself was read: its zerg section is just not drawn
            return
        zview = self.views.of(zerg)
        who, _ = _identity(zview, started_as, owner_view=view)
        node = self._node(kind="zerg", path=path, user=who.user, group=who.group,
                          sockets=_sockets(zview) + [
                              ("zerg", clean(d.effective)) for d in zview.entries("zerg")],
                          findings=findings)
        _judge(node, vnode, frozenset())
        self.graph.edges.append(Edge(vnode.id, node.id, "zergs"))

    def _findings(self, inst: Instance) -> list[Diagnostic]:
        """The findings of the run in the instance's own file, and in the files it reads
        that are no other instance's own file (its includes)."""
        own = [os.path.realpath(inst.root.path)]
        own += [real for f in inst.files[1:]
                if (real := os.path.realpath(f.path)) not in self.instance_files]
        return [d for real in dict.fromkeys(own) for d in self.by_file.get(real, [])]


def _judge(node: Node, parent: Node | None, emperor_codes: frozenset[str]) -> None:
    """``node.status`` from its findings, those of the Emperor that starts it
    (``emperor_codes``) and the status of the process that starts it."""
    codes = {d.code for d in node.findings}
    started = parent is not None  # by an Emperor: respawned when it exits
    if parent is not None and parent.status in DOWN:
        node.status, node.reasons = "never-started", [f"{parent.kind} does not start"]
        return
    if hit := sorted(codes & NAME_TAKEN):
        node.status, node.reasons = "never-started", hit
    elif hit := sorted(codes & TYRANT_REFUSES):
        node.status, node.reasons = "refused", hit
    elif hit := sorted(codes & EXITS_AT_START):
        node.status, node.reasons = ("crash-looping" if started else "refused"), hit
    elif hit := sorted(codes & (RESPAWNED | (ZERGS_FAIL if node.kind == "zerg" else set()))):
        node.status, node.reasons = "crash-looping", hit
    elif started and (hit := sorted(emperor_codes & VASSALS_FAIL)):
        node.status, node.reasons = "crash-looping", [f"{c} (its Emperor)" for c in hit]


def _sockets(view: View) -> list[tuple[str, str]]:
    return [(d.key, clean(d.effective)) for d in view.binds()]


# --- who a process runs as -----------------------------------------------------------


def _identity(view: View, started_as: Identity | None,
              owner_view: View | None = None) -> tuple[Identity, Identity]:
    """Who the process of ``view`` runs as, and who the processes it starts (an
    Emperor's vassals) start as.  ``started_as``: the identity its Emperor starts it with
    (None: not started by an Emperor: :meth:`View.start` says, or nobody knows);
    ``owner_view``: the vassal whose file's owner a Tyrant Emperor takes (a zerg's)."""
    emperor = view.emperor if started_as is not None else None
    if emperor is not None and emperor.tyrant() is not None:
        start = _owner(owner_view or view)  # Tyrant: the file's owner, without root
    elif started_as is not None:
        start = started_as
    else:
        start = _launched(view)
    own = _apply_ids(view, start)
    if view.inst.role is not Role.EMPEROR:
        return own, own
    # the vassals start as the Emperor is started, unless it dropped root before its
    # Emperor started (facts: `emperor_drop`)
    return own, own if view.emperor_drop() is not None else start


def _launched(view: View) -> Identity:
    from ..deploy import Runs

    runs = view.start().runs
    if runs is Runs.ROOT:
        return Identity("root", "root")
    if runs is Runs.UNPRIVILEGED:
        return Identity("unprivileged", UNKNOWN)
    return Identity(UNKNOWN, UNKNOWN)


def _owner(view: View) -> Identity:
    owner = view.deployed_owner
    if owner is None:
        return Identity("the file's owner", "the file's group")
    return Identity(_account(view, "uid", owner[0]), _account(view, "gid", owner[1]))


def _account(view: View, key: str, ident: int) -> str:
    if ident == 0:
        return "root"
    name = view.account_name(key, ident)
    return f"{clean(name)} ({key} {ident})" if name else f"{key} {ident}"


def _apply_ids(view: View, start: Identity) -> Identity:
    """What the `uid`/`gid` of the config make of a process started as ``start``: they
    apply when it starts as root (``uwsgi_as_root()``), not otherwise; started by nobody
    knows whom, they are shown as what they give when started as root."""
    if not start.root and start.user != UNKNOWN:
        return start
    user = _uid(view, start.user)
    group = _gid(view, start.group)
    if start.user == UNKNOWN:
        changed = (user, group) != (start.user, start.group)
        user = f"{user} (if started as root)" if user != UNKNOWN else user
        group = f"{group} (if started as root)" if group != UNKNOWN and changed else group
    return Identity(user, group)


def _uid(view: View, start: str) -> str:
    effect = view.uid_effect()
    if effect is None:
        return UNKNOWN
    what, entry = effect
    if entry is None or what is not AsRoot.DROPS:
        return start if entry is None else "root"
    return _named(view, "uid", entry.effective)


def _gid(view: View, start: str) -> str:
    found = view.id_setting("gid")
    if found is None:
        return UNKNOWN
    if found.name_entry is not None:
        return _named(view, "gid", found.name_entry.effective)
    return start if found.id_entry is None else _account(view, "gid", found.ident)


def _named(view: View, key: str, value: str) -> str:
    if value.isdigit():
        return _account(view, key, int(value) % 2**32)
    return clean(value)


# --- rendering -----------------------------------------------------------------------


def _summary(findings: Iterable[Diagnostic]) -> list[tuple[str, str, str, int]]:
    """(code, name, severity, count) once per code, in the order met."""
    counts: dict[tuple[str, str, str], int] = {}
    for d in findings:
        key = (d.code, d.name, d.severity.value)
        counts[key] = counts.get(key, 0) + 1
    return [(c, n, s, k) for (c, n, s), k in counts.items()]


def _title(node: Node) -> str:
    if node.kind == "monitor":
        return f"monitor {node.monitor}:{display_path(node.path)} [{node.status}]"
    path = display_path(node.path)
    title = f"{node.kind} {path} [{node.status}]"
    if node.user is not None:
        title += f" user {node.user}, group {node.group}"
    return title


def _details(node: Node) -> list[str]:
    out = []
    if node.context and node.kind != "monitor":
        out.append("read for context: not checked in this run")
    if node.reasons:
        out.append("status from " + ", ".join(node.reasons))
    if node.sockets:
        out.append("sockets: " + ", ".join(f"{k} {v}" for k, v in node.sockets))
    found = _summary(node.findings)
    if found:
        out.append("findings: " + ", ".join(
            f"{c} {n}" + (f" (x{k})" if k > 1 else "") for c, n, _, k in found))
    return out


def render_text(graph: Graph) -> str:
    out: list[str] = []

    def walk(node: Node, lead: str, branch: str, seen: frozenset[str]) -> None:
        out.append(f"{lead}{branch}{_title(node)}")
        below = lead + ("" if not branch else "    " if branch.startswith("└") else "│   ")
        kids = graph.children(node) if node.id not in seen else []
        bar = "│   " if kids else "    "
        for line in _details(node):
            out.append(f"{below}{bar if kids else '    '}{line}".rstrip())
        for i, (_, child) in enumerate(kids):
            walk(child, below, "└── " if i == len(kids) - 1 else "├── ", seen | {node.id})

    for root in graph.roots():
        walk(root, "", "", frozenset())
        out.append("")
    return "\n".join(out)


def document(graph: Graph) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "tool": {"name": "uwsgi-lint", "version": __version__},
        "nodes": [
            {
                "id": n.id,
                "kind": n.kind,
                "path": shown_path(n.path) if n.kind != "zerg"
                else shown_path(n.path.removesuffix(":zerg")) + ":zerg",
                **({"monitor": n.monitor} if n.kind == "monitor" else {}),
                "user": n.user,
                "group": n.group,
                "sockets": [{"option": k, "address": v} for k, v in n.sockets],
                "status": n.status,
                "status_from": n.reasons,
                "context": n.context,
                "findings": [{"code": c, "name": name, "severity": s, "count": k}
                             for c, name, s, k in _summary(n.findings)],
            }
            for n in graph.nodes
        ],
        "edges": [{"from": e.source, "to": e.target, "kind": e.kind} for e in graph.edges],
    }


def render_json(graph: Graph) -> str:
    text = json.dumps(document(graph), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")


# Mermaid: every character that its syntax or the Markdown fence around the diagram could
# read, as an entity code (`#35;` ...); labels are quoted
_MERMAID_SPECIAL = frozenset('"#&<>`{}|%\\')


def mermaid_label(text: str) -> str:
    """``text`` (already cleaned) as the inside of a quoted Mermaid label."""
    return "".join(f"#{ord(c)};" if c in _MERMAID_SPECIAL else c for c in text)


_SHAPES = {"monitor": ("[/", "/]"), "zerg": ("([", "])"), "emperor": ("[[", "]]")}


def render_mermaid(graph: Graph) -> str:
    out = ["flowchart TD"]
    for n in graph.nodes:
        lines = [_title(n), *_details(n)]
        label = "<br/>".join(mermaid_label(line) for line in lines)
        left, right = _SHAPES.get(n.kind, ("[", "]"))
        out.append(f'    {n.id}{left}"{label}"{right}')
    for e in graph.edges:
        out.append(f"    {e.source} -->|{e.kind}| {e.target}")
    for n in graph.nodes:
        if n.status in DOWN:
            out.append(f"    class {n.id} down")
    out.append("    classDef down stroke:#c00,stroke-width:2px")
    return "\n".join(out) + "\n"


def dot_label(text: str) -> str:
    """``text`` (already cleaned) inside a quoted Graphviz label."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(graph: Graph) -> str:
    out = ["digraph uwsgi {", "    node [shape=box, fontname=monospace];"]
    for n in graph.nodes:
        label = "\\l".join(dot_label(line) for line in [_title(n), *_details(n)]) + "\\l"
        color = ', color="red"' if n.status in DOWN else ""
        out.append(f'    {n.id} [label="{label}"{color}];')
    for e in graph.edges:
        out.append(f'    {e.source} -> {e.target} [label="{e.kind}"];')
    out.append("}")
    return "\n".join(out) + "\n"
