"""UW203-UW206: what an Emperor's monitors govern (``core/emperor.c:
emperor_build_scanners()``, ``uwsgi_imperial_monitor_directory*()``,
``uwsgi_emperor_is_valid()``).

* A value with a registered ``scheme://`` uses that monitor.  ``pg://``, ``zmq://``,
  ``mongodb(2)://`` and ``amqp://`` are plugins that no default build has: without the
  plugin the value is globbed as a literal string and the Emperor governs nothing.
* Otherwise ``glob(value, GLOB_MARK|GLOB_NOCHECK)``: one result ending in ``/`` (an
  existing directory) -> the directory monitor, anything else -> the glob monitor.  A
  directory that does not exist is thus a glob on a literal string: nothing, silently.
  glibc's ``glob()`` drops the trailing ``/`` of a pattern that matches nothing, so a
  missing ``dir/`` is no different (verified with uWSGI 2.0.31 on glibc 2.36); only an
  explicit ``dir://`` reaches the directory monitor, whose init ``chdir()`` fails and
  exits (``core/emperor.c`` line 1522), and with a master the master respawns the
  Emperor in a tight loop.
* The directory monitor starts only regular files (after ``stat()``) whose names end,
  case-sensitively, in ``.xml .ini .yml .yaml .js .json`` or an
  ``emperor-extra-extension``; the context records the other plain files as
  ``Monitor.ignored``.

Only monitors written relative to uWSGI's working directory or to the config (``%d``)
are judged: an absolute path that the tree analysis did not find among the linted files
names the server's file system, which this machine need not have.  A glob that matches
nothing is not reported either: its files are started once they appear.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Directive, Instance, Monitor, Position, Span
from ..tree import PLUGIN_MONITORS, VASSAL_SUFFIXES
from ..values import shown
from . import Instances, rule

CORE_SCHEMES = ("dir", "glob")
SUFFIXES = ", ".join(VASSAL_SUFFIXES)
# names an editor, a package manager or a person leaves behind: never meant to run
BACKUP_SUFFIXES = (
    "~", ".bak", ".backup", ".bk", ".swp", ".swo", ".swx", ".orig", ".old", ".save",
    ".sav", ".tmp", ".rej", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-bak",
    ".rpmnew", ".rpmsave", ".rpmorig", ".ucf-old", ".ucf-new", ".ucf-dist",
)
# names that say the file is not meant to be started (a template, a disabled vassal):
# nothing to report
INTENTIONAL_SUFFIXES = (
    ".disabled", ".disable", ".off", ".example", ".sample", ".dist", ".template",
    ".tpl", ".tmpl", ".j2", ".jinja", ".jinja2", ".in", ".skel", ".default",
)
# suffixes people give uWSGI configs that the Emperor does not start
CONFIG_LIKE_SUFFIXES = (".conf", ".cfg", ".cnf", ".config", ".uwsgi", ".toml")
_EXPANSIONS = ("$(", "%(", "@(")
_FLAG_WORDS = re.compile(r"(?i)true|false|yes|no|on|off|1|0")


def _written_relative(d: Directive) -> bool:
    """Whether the monitor was written relative to uWSGI's working directory or to the
    config (``%d``...), so that its existence can be judged from the linted tree.  A path
    written absolute (``/etc/uwsgi/vassals``) names the server's file system: when the
    tree analysis did not find it among the linted files, it is not judged here."""
    raw = d.raw_value.strip().strip("\"'")
    for scheme in ("dir://", "glob://"):
        raw = raw.removeprefix(scheme)
    if raw.startswith(_EXPANSIONS):
        # `%(base)/vassals`: judged only when it lands next to the Emperor's config
        here = os.path.dirname(os.path.abspath(d.file))
        value = d.effective.split("://", 1)[-1]
        return not os.path.isabs(value) or value.startswith(here + os.sep)
    return not raw.startswith("/")


def _cwd_known(d_value: str, emperor: View) -> bool:
    """A relative monitor is resolved after the Emperor's ``chdir`` (unless
    ``early-emperor`` is surely on), which the tree does not follow: judge it only
    without one."""
    if os.path.isabs(d_value):
        return True
    if not emperor.sets("chdir"):
        return emperor.read_whole()  # what was not read may set `chdir`
    return emperor.flag("early-emperor") is True


def _relative_note(value: str, emperor: View) -> str:
    if os.path.isabs(value):
        return ""
    return (
        "It is a relative path: uWSGI resolves it against its working directory, here "
        f"{emperor.inst.cwd}. "
    )


@rule(
    "UW203",
    "emperor-monitor-governs-nothing",
    Severity.WARNING,
    "An `emperor` monitor on a directory that does not exist or a scheme whose plugin is "
    "not loaded: the Emperor silently governs nothing.",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_governs_nothing(view: View) -> Iterator[Finding]:
    monitors = view.inst.monitors
    plugins = view.loaded_plugins() | set(view.catalog.embedded_plugins)
    only = len(monitors) == 1
    for m in monitors:
        said = _governs_nothing(m, view, plugins)
        if said is None:
            continue
        message, detail = said
        if only:
            detail += " This Emperor has no other monitor, so it starts no vassal at all."
        yield Finding(m.directive.value_span, message, detail=detail)


def _governs_nothing(
    m: Monitor, emperor: View, plugins: frozenset[str]
) -> tuple[str, str] | None:
    """The message and the detail when the monitor ``m`` governs nothing."""
    d = m.directive
    value = d.effective
    if d.unresolved or any(s in value for s in _EXPANSIONS) or not value.strip():
        return None
    scheme = value.partition("://")[0] if "://" in value else None
    if scheme in PLUGIN_MONITORS:
        plugin = PLUGIN_MONITORS[scheme]
        if plugin in plugins:
            return None
        return (
            f"the `{scheme}://` monitor needs the {plugin} plugin, not loaded here: it governs "
            f"nothing, without an error; add `plugins = {plugin}`",
            f"The {plugin} plugin is not in the default uWSGI build and this Emperor does not "
            "load it: uWSGI then globs the value as a file name and finds nothing.",
        )
    if scheme is not None and scheme not in CORE_SCHEMES and re.fullmatch(r"[a-z0-9+.-]+",
                                                                           scheme):
        return (
            f"uWSGI has no `{scheme}://` monitor: it governs nothing, without an error; use "
            "`dir://`, `glob://` or a plugin monitor",
            "uWSGI knows `dir://`, `glob://` and the plugin monitors `pg://`, `zmq://`, "
            "`mongodb://`, `amqp://`; it globs any other value as a file name and finds "
            "nothing.",
        )
    if m.exists or m.outside or m.mapped_from is not None or scheme == "dir":
        return None  # dir:// on a missing directory exits instead: UW204
    raw = value.split("://", 1)[1] if scheme == "glob" else value
    if m.kind == "dir" and _FLAG_WORDS.fullmatch(raw.strip()):
        return (
            "`emperor` takes a directory or a glob pattern, not a flag: it governs nothing, "
            "without an error; write the vassals directory",
            f"uWSGI looks for vassal files named like `{shown(raw, 200)}` in its working "
            "directory and finds none.",
        )
    if not _cwd_known(raw, emperor):
        return None
    if m.kind == "glob":
        return None  # a glob starts its files once they appear: an empty match is normal
    if not _written_relative(d):
        return None  # a server path (/etc/uwsgi/vassals) the linted tree does not hold
    # kind "dir": no glob characters, and not an existing directory
    target = m.target
    if target.endswith(VASSAL_SUFFIXES) or emperor.disk_is_file(target):
        return None  # one file: uWSGI's glob monitor governs just it (or will, once there)
    slash = ""
    if raw.endswith("/"):
        slash = (
            " The trailing `/` does not change that: glibc's glob() drops it for a path "
            "that does not exist, so uWSGI still takes the glob monitor; only `dir://` "
            "would make it exit."
        )
    return (
        f"the directory `{shown(raw, 200)}` does not exist: the Emperor governs nothing here, "
        "without an error; create it or fix the path",
        f"{_relative_note(raw, emperor)}uWSGI falls back to globbing it as a file name and "
        f"finds nothing.{slash}",
    )


@rule(
    "UW204",
    "emperor-dir-monitor-missing",
    Severity.ERROR,
    "`emperor = dir://PATH` on a directory that does not exist: the Emperor exits at "
    "start-up (a master respawns it in a loop).",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_dir_missing(view: View) -> Iterator[Finding]:
    inst = view.inst
    for m in inst.monitors:
        d = m.directive
        value = d.effective
        if d.unresolved or not value.startswith("dir://") or m.exists or m.outside:
            continue
        if m.mapped_from is not None or any(s in value for s in _EXPANSIONS):
            continue
        raw = value[len("dir://"):]
        if not raw or not _cwd_known(raw, view) or not _written_relative(d):
            continue
        if view.master_switch() is None:
            what = "uWSGI exits at start-up"
            fate = "and, as this process is the Emperor, uWSGI exits with status 1"
        else:
            what = "the Emperor exits at start-up and is respawned in a loop"
            fate = (
                "and the master respawns the Emperor at once, again and again (hundreds of "
                "times a second), governing nothing"
            )
        yield Finding(
            d.value_span,
            f"the directory `{shown(raw, 200)}` does not exist: {what}; create it or fix the "
            "path",
            detail=f"{_relative_note(raw, view)}The `dir://` monitor chdir()s into it at "
            "start-up, logs \"chdir(): No such file or directory [core/emperor.c line 1522]\" "
            f"and exits, {fate}.",
        )


# -- files a directory monitor never starts -----------------------------------------------


def _ignored(inst: Instance) -> Iterator[tuple[Monitor, str]]:
    """The files the monitors pass over, but the snippets: a file that the Emperor or
    one of its vassals reads (`vassals-include`, a vassal's `include`) is no vassal."""
    seen: set[str] = set()
    read: set[str] | None = None
    for m in inst.monitors:
        for path in m.ignored:
            if path in seen:
                continue
            seen.add(path)
            if read is None:
                read = {os.path.realpath(f.path) for i in [inst, *inst.vassals] for f in i.files}
            if os.path.realpath(path) not in read:
                yield m, path


def _at_start(path: str) -> Span:
    return Span(path, Position(1, 1), Position(1, 1))


def _watched_by(m: Monitor) -> tuple[Related, ...]:
    what = "pattern" if m.kind == "glob" else "directory"
    return (Related(f"the Emperor watches this {what} here", m.directive.span),)


def _backup(name: str) -> bool:
    if name.startswith(".#") or (name.startswith("#") and name.endswith("#")):
        return True  # emacs lock and auto-save files
    return name.endswith(BACKUP_SUFFIXES)


@rule(
    "UW205",
    "vassal-file-not-started",
    Severity.WARNING,
    "A config in a vassals directory that the Emperor never starts: a wrong-case or "
    "unknown suffix, or a symlink to nothing.",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_not_started(view: View) -> Iterator[Finding]:
    extra = tuple(v for d in view.entries("emperor-extra-extension") for v in d.effective.split())
    accepted = SUFFIXES + (", " + ", ".join(extra) if extra else "")
    for m, path in _ignored(view.inst):
        name = os.path.basename(path)
        lower = name.lower()
        if _backup(name) or lower.endswith(INTENTIONAL_SUFFIXES):
            continue
        target = view.dangling_link(path)
        if target is not None:
            if not name.endswith(VASSAL_SUFFIXES + extra):
                continue
            if view.flag("emperor-nofollow") is None:
                continue  # maybe on: then the Emperor lstat()s the link and starts it
            message = (
                f"`{name}` is a symlink to `{shown(target, 200)}`, which does not exist: the "
                "Emperor skips it at every scan (and stops its vassal if one was running); "
                "fix the link or remove it"
            )
        elif name.endswith(VASSAL_SUFFIXES + extra):
            continue  # ignored for another reason (a link to a server path, a long name)
        elif any(lower.endswith(s.lower()) for s in VASSAL_SUFFIXES + extra):
            suffix = next(s for s in VASSAL_SUFFIXES + extra if lower.endswith(s.lower()))
            fixed = name[: -len(suffix)] + suffix
            message = (
                f"`{name}` is never started: the Emperor compares suffixes case-sensitively "
                f"and accepts only {accepted}; rename it `{fixed}`"
            )
        elif lower.endswith(CONFIG_LIKE_SUFFIXES):
            suffix = next(s for s in CONFIG_LIKE_SUFFIXES if lower.endswith(s))
            fixed = name[: -len(suffix)] + ".ini"
            message = (
                f"`{name}` is never started: the Emperor only starts files ending in "
                f"{accepted}; rename it (e.g. `{fixed}` for an INI config)"
            )
        else:
            continue
        yield Finding(_at_start(path), message, _watched_by(m))


@rule(
    "UW206",
    "vassal-backup-file",
    Severity.INFO,
    "An editor or package-manager leftover (`app.ini~`, `.bak`, `.swp`, `.dpkg-old`) in a "
    "vassals directory: never started, easy to mistake for a live vassal.",
    on=Instances(needs=frozenset({"emperor"})),
)
def check_backup(view: View) -> Iterator[Finding]:
    for m, path in _ignored(view.inst):
        name = os.path.basename(path)
        if not _backup(name):
            continue
        yield Finding(
            _at_start(path),
            f"`{name}` looks like a backup or editor leftover: the Emperor never starts it; "
            "move it out of the vassals directory",
            _watched_by(m),
            detail=f"The Emperor starts only files ending in {SUFFIXES}, so whatever this file "
            "holds is not running.",
        )
