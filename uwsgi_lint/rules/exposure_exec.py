"""UW505, UW506: what a config runs or fetches when uWSGI starts.

The hook options (``exec-*``, ``hook-*``, ``call-*``, ``mount-*``/``umount-*``, run by
``core/hooks.c`` and ``core/utils.c: uwsgi_as_root()`` at the phase their name says) and
plugins loaded from a path (``uwsgi_opt_load_plugin()``) are reported as information, so a
reviewer sees every command in one list.  ``exec://`` config sources are left to UW022
(include-not-checked), which already names the command on the same line; an ``http://``
source gets a warning of its own: uWSGI fetches it over plain HTTP (``core/io.c:
uwsgi_scheme_http()``), so whoever sits on the path writes the config.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ..catalog import Catalog, Option
from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Directive
from ..values import mask_text, shown
from . import Entries, Instances, rule

FAMILIES = {
    "exec-": "runs the shell command",
    "hook-": "runs the hook",
    "call-": "calls the C function",
    "mount-": "mounts",
    "umount-": "unmounts",
}
NOT_HOOKS = frozenset({"mount-check"})  # a mount-point check, not a hook phase
# hook actions (core/hooks.c) that run or load code or mount file systems; the others
# (mkdir, chmod, write, unix_signal ...) only touch files or the process
RUNNING_HOOKS = frozenset(
    {"exec", "safeexec", "call", "callret", "callint", "callintret", "rpc", "retryrpc",
     "ffi", "tcc", "mount", "umount"}
)
PHASES = {
    "asap": "as soon as the config is read, as the user uWSGI starts as (normally root)",
    "pre-jail": "before jailing, as root",
    "post-jail": "after jailing, as root",
    "in-jail": "in the jail after initialization",
    "as-root": "as root, just before privileges are dropped",
    "as-user": "as the app user, after privileges are dropped",
    "as-user-atexit": "before the app exits or reloads",
    "pre-app": "before the app is loaded",
    "post-app": "after the app is loaded",
    "post-fork": "after each fork",
    "accepting": "when each worker starts accepting requests",
    "accepting1": "when the first worker starts accepting requests",
    "accepting-once": "when each worker first starts accepting requests",
    "accepting1-once": "when the first worker first starts accepting requests",
    "master-start": "when the master starts",
    "touch": "when the file it names is touched",
    "emperor-start": "when the Emperor starts it",
    "emperor-stop": "when the Emperor sends a stop message",
    "emperor-reload": "when the Emperor sends a reload message",
    "emperor-lost": "when the connection to the Emperor is lost",
    "as-vassal": "in the Emperor's child, as root, before it execs each vassal",
    "as-emperor": "in the Emperor after each vassal has started",
    "as-mule": "in each mule",
    "as-gateway": "in each gateway",
}


@cache
def hook_options(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Every hook-phase option: name -> (what it runs, when)."""
    out: dict[str, tuple[str, str]] = {}
    for name in catalog.names():
        opt = catalog.get(name)
        if opt is None or opt.value_kind != "list" or name in NOT_HOOKS:
            continue
        for prefix, what in FAMILIES.items():
            if name.startswith(prefix):
                phase = name[len(prefix) :]
                base = re.sub(r"\d+$", "", phase)
                when = PHASES.get(phase) or PHASES.get(base) or f"at the `{phase}` phase"
                out[name] = (what, when)
    return out


def _hook_action(value: str) -> str:
    """The action of a hook value: ``exec:cmd`` -> ``exec`` (``hook-touch``: ``file action``)."""
    text = value.strip()
    head = text.split(" ", 1)
    if ":" not in head[0] and len(head) > 1:  # hook-touch = <file> <action>
        text = head[1].strip()
    return text.split(":", 1)[0].strip()


def _plugin_paths(opt: Option, value: str) -> list[str]:
    if opt.handler != "uwsgi_opt_load_plugin":
        return []
    return [p.strip() for p in value.split(",") if "/" in p]


@rule(
    "UW505",
    "config-runs-commands",
    Severity.INFO,
    "A command, hook or plugin file the config runs or loads (`exec-*`, `hook-*`, "
    "`plugins = /path/x.so`): listed for review.",
    # the hook options (lists: hook_options) and the plugin loaders
    group="hardening",
    on=Entries(kinds=frozenset({"list"}), handlers=frozenset({"uwsgi_opt_load_plugin"}),
               unique=True),
)
def check_commands(view: View, d: Directive) -> Iterator[Finding]:
    cat = view.catalog
    hooks = hook_options(cat)
    if d.key in hooks:
        what, when = hooks[d.key]
        value = d.effective
        if not value.strip():
            return
        if d.key.startswith("hook-") and _hook_action(value) not in RUNNING_HOOKS:
            return
        yield Finding(
            d.value_span,
            f"`{d.key}` {what} `{shown(mask_text(value), 100)}` {when}",
            detail="Review what it runs, and keep every file it names writable only by root.",
        )
        return
    opt = cat.get(d.key)
    if opt is None:
        return
    for path in _plugin_paths(opt, d.effective):
        yield Finding(
            d.value_span,
            f"`{d.key}` loads the plugin file `{shown(path, 100)}` at start-up: keep it and its "
            "directories writable only by root",
            detail="uWSGI loads it as the user it starts as (normally root): whoever can write "
            "that file runs code there.",
        )


@rule(
    "UW506",
    "config-over-plain-http",
    Severity.WARNING,
    "A config source fetched over plain `http://`: whoever is on the network path writes "
    "the config.",
    on=Instances(),
)
def check_http(view: View) -> Iterator[Finding]:
    """The sources the expander could not read (``Instance.unread``): any option's value
    may be ``@(http://...)``."""
    seen: set[tuple[object, str]] = set()
    for u in view.inst.unread:
        target = u.target
        inner = target[2:-1] if target.startswith("@(") else target
        if not inner.startswith("http://") or (u.directive.span, target) in seen:
            continue
        seen.add((u.directive.span, target))
        host = inner[len("http://") :].split("/", 1)[0]
        d = u.directive
        if target.startswith("@("):
            what = f"choose the value of `{d.key}`"
        elif d.key in view.names("inherit"):
            what = "substitute the options it inherits"
        else:
            what = "substitute the options it includes"
        yield Finding(
            d.span,
            f"uWSGI fetches `{shown(mask_text(inner), 100)}` over plain HTTP: anyone on the "
            f"network path can {what}; ship it as a local file",
            detail=f"uWSGI fetches it at every start: anyone on the network path, or who can "
            f"answer for `{host}`, can {what}, and uWSGI applies them with the rights it "
            "starts with (`exec-*` and hooks included). Ship the config as a file with the "
            "deployment, or fetch and verify it before uWSGI starts.",
        )
