"""UW216-UW221: what happens between the instances of one deployment, as the uWSGI 2.0.31
Emperor runs them (``core/emperor.c``, ``core/socket.c``).

* The Emperor knows a vassal by its name (``emperor_get()``): the bare file name under
  a directory monitor, the path ``glob()`` returns under a glob monitor.  A second file
  with a name already known is never started; when it is touched, the vassal of that
  name is reloaded (UW216).
* ``bind_to_unix()`` unlinks an existing socket path and binds it again: of two
  instances that bind one UNIX path, the later one gets every request, without an
  error; a TCP address (or an abstract socket) is refused with "Address already in
  use" and the instance exits (UW217).  Only instances surely on one host are compared:
  an Emperor and every process of its tree.  Standalone configs are compared with
  nothing: two in one repository are often alternatives for different machines.
* Two monitors (of one Emperor, under two names, or of two Emperors) that start one
  file run it twice (UW218).
* In on-demand mode the Emperor binds the vassal's socket and hands it over as fd 0: a
  vassal that binds that path itself leaves the Emperor's socket unreachable (UW219).
* A file taken through ``emperor-extra-extension`` is started with ``--config``, which
  has no loader in the default build (UW220).
* Under ``emperor-nofollow`` a symlink to nothing is started anyway (UW221).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Format, Instance, Monitor, Position, Role, Span
from ..tree import emperor_name
from ..values import shown
from . import Deployment, Instances, rule

# the suffix a loader of the default build reads each format under
_SUFFIX = {Format.INI: ".ini", Format.XML: ".xml", Format.YAML: ".yaml", Format.JSON: ".json"}


def _at_start(path: str) -> Span:
    return Span(path, Position(1, 1), Position(1, 1))


def _tree_root(inst: Instance) -> Instance | None:
    """The Emperor at the top of the tree ``inst`` belongs to (``None``: standalone)."""
    if inst.role is Role.STANDALONE:
        return None
    top = inst
    while top.emperor is not None:
        top = top.emperor
    return top if top.role is Role.EMPEROR else None


def _display(path: str, root: Instance | None) -> str:
    """``path`` as a message shows it: relative to the tree's top Emperor."""
    if root is None:
        return shown(os.path.basename(path), 120)
    return shown(os.path.relpath(path, os.path.dirname(os.path.abspath(root.root.path))), 120)


def shadowed(emperor: Instance) -> dict[str, tuple[str, Monitor, Monitor]]:
    """The vassal files of ``emperor`` that it never starts because a file of the same
    name (:func:`~uwsgi_lint.tree.emperor_name`) comes first, in the order of the
    monitors: path -> (the first file, its monitor, this file's monitor)."""
    names: dict[str, tuple[str, Monitor]] = {}
    out: dict[str, tuple[str, Monitor, Monitor]] = {}
    for m in emperor.monitors:
        for path in m.vassals:
            name = emperor_name(path, m, emperor.cwd)
            first = names.setdefault(name, (path, m))
            if os.path.realpath(first[0]) != os.path.realpath(path):
                out.setdefault(path, (*first, m))
    return out


# -- UW216 ----------------------------------------------------------------------------------


@rule(
    "UW216",
    "vassal-name-clash",
    Severity.ERROR,
    "Two vassal files with the same name under one Emperor (two watched directories): "
    "only the first is started, and touching the second reloads the first.",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_name_clash(view: View) -> Iterator[Finding]:
    root = _tree_root(view.inst)
    for path, (first, _, monitor) in shadowed(view.inst).items():
        name = emperor_name(path, monitor, view.inst.cwd)
        yield Finding(
            _at_start(path),
            f"a vassal named `{shown(name, 60)}` runs already (`{_display(first, root)}`): "
            "this file is never started, and touching it reloads that one; rename it",
            (Related(f"started first under the name `{shown(name, 80)}`", _at_start(first)),
             Related("the monitor that lists this file", monitor.directive.span)),
            detail="The Emperor knows a vassal by its file name alone (the path glob() "
            "returns, under a glob monitor), across all its monitors: when it meets this "
            "name again it takes it for the running vassal, and a newer modification time "
            "reloads that vassal.",
        )


# -- UW217 ----------------------------------------------------------------------------------


@rule(
    "UW217",
    "socket-bound-twice",
    Severity.ERROR,
    "Two instances of one Emperor tree bind the same UNIX socket (the later one silently "
    "takes every request) or the same address and port (the later one exits).",
    on=Deployment(),
)
def check_socket_bound_twice(views: Sequence[View]) -> Iterator[Finding]:
    first: dict[tuple[int, str], tuple[View, Span]] = {}
    hidden: dict[int, dict[str, tuple[str, Monitor, Monitor]]] = {}
    said: set[tuple[str, Span]] = set()
    for view in views:
        inst = view.inst
        root = _tree_root(inst)
        if root is None:
            continue
        if inst.emperor is not None:
            clash = hidden.setdefault(id(inst.emperor), shadowed(inst.emperor))
            if inst.root.path in clash:
                continue  # never started: UW216
        real = os.path.realpath(inst.root.path)
        for address, d in view.bound_addresses():
            hit = first.setdefault((id(root), address), (view, d.span))
            other, other_span = hit
            if other is view or os.path.realpath(other.inst.root.path) == real:
                continue  # the same file (started twice: UW218)
            if (address, d.span) in said:
                continue
            said.add((address, d.span))
            unix = address.startswith("/")
            if not unix and (view.flag("reuse-port") is not False
                             or other.flag("reuse-port") is not False):
                continue  # SO_REUSEPORT: the kernel shares the port
            yield _bound_twice(address, d.span, other, other_span, root, unix)


def _bound_twice(address: str, span: Span, other: View, other_span: Span,
                 root: Instance, unix: bool) -> Finding:
    where = _display(other.inst.root.path, root)
    same_line = span == other_span
    whom = (f"each vassal reading this binds `{shown(address, 60)}`" if same_line
            else f"`{shown(address, 60)}` is bound by `{where}` too")
    if unix:
        message = (f"{whom}: uWSGI replaces a socket path silently, and the last one started "
                   "gets every request; bind one each")
        detail = ("bind_to_unix() unlinks an existing socket file before it binds: the "
                  "instance that binds first keeps running and listening on a socket nobody "
                  "can reach any more.")
    else:
        message = (f"{whom}: the later one exits on \"Address already in use\", again and "
                   "again; use one port each")
        detail = ("bind() refuses an address another process listens on: uWSGI logs "
                  "\"probably another instance of uWSGI is running on the same address\" and "
                  "exits, and its Emperor starts it again, forever.")
    related = () if same_line else (Related(f"bound here by `{where}`", other_span),)
    return Finding(span, message, related, detail=detail + " The instances are in one "
                   "Emperor tree, so on one host.")


# -- UW218 ----------------------------------------------------------------------------------


@rule(
    "UW218",
    "vassal-started-twice",
    Severity.ERROR,
    "Two monitors (of one Emperor under two names, or of two Emperors on one host) start "
    "the same vassal file: it runs twice.",
    on=Deployment(),
)
def check_started_twice(views: Sequence[View]) -> Iterator[Finding]:
    by_file: dict[str, list[View]] = {}
    for view in views:
        inst = view.inst
        if inst.role is Role.VASSAL and inst.emperor is not None and inst.monitor is not None:
            by_file.setdefault(os.path.realpath(inst.root.path), []).append(view)
    pairs: dict[tuple[int, int], tuple[Monitor, Monitor, Instance, list[str]]] = {}
    for found in by_file.values():
        for n, later in enumerate(found[1:], 1):
            first = next((f for f in found[:n] if _twice(f, later)), None)
            if first is None:
                continue
            a, b = first.inst, later.inst
            assert a.monitor is not None and b.monitor is not None and a.emperor is not None
            key = (id(a.monitor), id(b.monitor))
            pairs.setdefault(key, (a.monitor, b.monitor, a.emperor, []))[3].append(
                b.root.path)
    for m1, m2, emperor, paths in pairs.values():
        root = _tree_root(emperor)
        more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
        same = m1.directive.file == m2.directive.file
        by = "another monitor of this Emperor" if same else (
            f"the Emperor `{_display(emperor.root.path, root)}`")
        yield Finding(
            m2.directive.value_span,
            f"`{_display(paths[0], root)}`{more} is also started by {by}: it runs twice "
            "(the copy started later takes its sockets); watch each file once",
            (Related("the monitor that starts it first", m1.directive.span),),
            detail="Each Emperor keeps its own list of vassals, and one Emperor knows a "
            "vassal by its name: the file name under a directory monitor, the path under "
            "a glob monitor, so a file found by both runs twice.",
        )


def _twice(a: View, b: View) -> bool:
    """Whether two vassals of one file are two processes: not one Emperor knowing both
    by one name, and surely on one host."""
    if a.inst.emperor is b.inst.emperor and a.emperor_name == b.emperor_name:
        return False
    return _one_host(a, b)


def _one_host(a: View, b: View) -> bool:
    """Whether the Emperors of two vassals surely run on one host: one Emperor tree, or
    each started on the host (not in a container) by a deployment file of the tree."""
    ra, rb = _tree_root(a.inst), _tree_root(b.inst)
    if ra is None or rb is None:
        return False
    if ra is rb:
        return True
    views = a.views
    la, lb = views.of(ra).launches(), views.of(rb).launches()
    return bool(la and lb) and not any(launch.container for launch in [*la, *lb])


# -- UW219 ----------------------------------------------------------------------------------


@rule(
    "UW219",
    "vassal-binds-on-demand-socket",
    Severity.ERROR,
    "A vassal that binds the socket its Emperor holds for it in on-demand mode: after its "
    "first idle exit it is never started again.",
    on=Instances(),
)
def check_on_demand_socket(view: View) -> Iterator[Finding]:
    if view.inst.role is not Role.VASSAL:
        return
    held = view.on_demand_socket()
    if held is None:
        return
    path, entry = held
    for address, d in view.bound_addresses():
        if address == path:
            yield Finding(
                d.value_span,
                f"binding `{shown(path, 60)}` hides the Emperor's on-demand socket for this "
                "vassal: after its first idle exit it never starts again; remove it",
                (Related("the Emperor binds it on demand here", entry.span),),
                detail="The Emperor binds the on-demand socket, starts the vassal at the "
                "first connection and hands the socket over as file descriptor 0, which "
                "the vassal serves without any `socket` option. A vassal that binds the "
                "path itself unlinks the Emperor's socket: once it exits for being idle, "
                "the Emperor waits on a socket no client can reach (connections are "
                "refused).",
            )


# -- UW220 ----------------------------------------------------------------------------------


@rule(
    "UW220",
    "vassal-extra-extension-no-loader",
    Severity.ERROR,
    "A vassal taken through `emperor-extra-extension`: the Emperor starts it with "
    "`--config`, which has no loader for it, and it exits at once, forever.",
    on=Instances(),
)
def check_extra_extension(view: View) -> Iterator[Finding]:
    emperor = view.emperor if view.inst.role is Role.VASSAL else None
    if emperor is None:
        return
    name = view.emperor_name
    for d in emperor.entries("emperor-extra-extension"):
        if d.unresolved or name is None:
            continue
        suffix = next((s for s in d.effective.split() if name.endswith(s)), None)
        if suffix is None or name.endswith(".lua"):
            continue  # the lua plugin registers a loader for `.lua`
        stem = os.path.basename(name)[: -len(suffix)] or "vassal"
        fixed = stem + _SUFFIX.get(view.inst.root.format, ".ini")
        yield Finding(
            view.file_start,
            f"the Emperor starts `{shown(os.path.basename(name), 60)}` with `--config`, "
            "which has no loader for it: it exits and is started again forever; name it "
            f"`{shown(fixed, 60)}`",
            (Related("the suffix is accepted here", d.span),),
            detail="A file whose name ends in an `emperor-extra-extension` suffix is passed "
            "to the vassal as `--config FILE`, which looks for a loader registered for "
            "the suffix by a plugin (only lua's, for `.lua`, and v8's); the default build "
            "has none, so uWSGI logs \"unable to load configuration from FILE\" and exits, "
            "and the Emperor throttles and restarts it. A name ending in `.ini`, `.xml`, "
            "`.yaml`/`.yml` or `.json`/`.js` is read by its own loader.",
        )
        return


# -- UW221 ----------------------------------------------------------------------------------


@rule(
    "UW221",
    "nofollow-dangling-vassal",
    Severity.ERROR,
    "Under `emperor-nofollow`, a vassal symlink to nothing: the Emperor starts it anyway "
    "and it exits at once, again and again.",
    on=Instances(needs=frozenset({"emperor-nofollow"})),
)
def check_nofollow_dangling(view: View) -> Iterator[Finding]:
    nofollow = view.last("emperor-nofollow")
    if nofollow is None or view.flag("emperor-nofollow") is not True:
        return
    seen: set[str] = set()
    for m in view.inst.monitors:
        for path in m.vassals:
            target = view.dangling_link(path)
            if target is None or path in seen:
                continue
            seen.add(path)
            yield Finding(
                _at_start(path),
                f"`{shown(os.path.basename(path), 60)}` links to `{shown(target, 60)}`, "
                "which does not exist: `emperor-nofollow` starts it anyway and it exits, again "
                "and again; fix or remove it",
                (Related("`emperor-nofollow` makes the Emperor lstat() the link here",
                         nofollow.span),),
                detail="Under `emperor-nofollow` the Emperor looks at the link itself "
                "(lstat()), not at its target, so it starts a vassal for it; the vassal "
                "cannot open its config (\"No such file or directory\") and exits, and the "
                "Emperor throttles and restarts it for as long as the link is there.",
            )
