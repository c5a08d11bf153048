"""Deployment context: the files of the tree that say how a config is started.

A finding such as "this instance serves requests as root" or "this socket is reached
from the whole network" is true or not depending on how the config is deployed.  The
tree often says it, in a file that names the config:

* a Dockerfile/Containerfile (``COPY``/``ADD`` of the config, or of a directory holding
  it; ``CMD``/``ENTRYPOINT`` running uwsgi with it; the last ``USER``, ``STOPSIGNAL``,
  ``ENV`` of the final stage): it runs in a container;
* a compose file (a service whose ``command`` or ``volumes`` name it, or that
  builds the Dockerfile that does; ``user``, ``stop_signal``, ``environment``, ``ports``);
* a Kubernetes manifest or Helm template that names it (a container's command or args,
  a ConfigMap key, a mount path; ``runAsUser``);
* a systemd unit (``ExecStart=`` running uwsgi with it; ``User=``, ``DynamicUser=``,
  ``KillSignal=``, ``Environment=``): a system unit without ``User=`` starts it as root;
* a supervisor program (``[program:x]`` ``command=``; ``user=``, ``stopsignal=``,
  ``environment=``): supervisord, run as root by its system service, starts a program
  without ``user=`` as root;
* a Procfile (``web: uwsgi ...``): Heroku (or foreman, honcho) runs it as an
  unprivileged user.

A relative path in a ``COPY``/``ADD`` source (against the build context: the
Dockerfile's directory, or one above it where the path exists), a compose volume or a
Procfile command is resolved in the tree and names that file (or what a directory
holds) only; any other path (a server's or a container's, ``/etc/uwsgi/app.ini``) names a
config by its file name (a systemd ``%i`` matches any name, and then the directory name
must match too; so does a ``--emperor`` directory) -- but not from a deployment file that
has a file of that name beside it (it names its own).

The search (:class:`Deployments`, one per run) looks where the Emperor search of
:mod:`uwsgi_lint.tree` looks: the config's directory and a few levels above it, never
above the git work tree nor outside the run's boundary, and the immediate subdirectories
of those (``deploy/``, ``docker/``, ``systemd/``; a Helm chart's ``templates/``).  Each
directory is listed once per run, only files with those names or suffixes are looked at
(a ``.yaml``/``.conf``/``.ini`` only when its first bytes look like a manifest or a
supervisor program), each is read once (none larger than :data:`MAX_BYTES`), and
nothing is executed.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from . import fs
from .model import Position, Span

MAX_BYTES = 256 * 1024  # a larger deployment file is not read
HEAD_BYTES = 4096  # what is looked at to tell a manifest or a supervisor file
CONFIG_SUFFIXES = (".ini", ".xml", ".yml", ".yaml", ".json", ".js")
# uwsgi's command-line options that name a config file (or, --emperor, a vassals monitor)
_LOADER_ARGS = {"--ini": "file", "--xml": "file", "--yaml": "file", "--yml": "file",
                "--json": "file", "--js": "file", "--include": "file", "--emperor": "dir"}
# flags (no value) that may come before a config given by its name alone
_FLAGS = frozenset({"--master", "-M", "--die-on-term", "--enable-threads", "-T",
                    "--strict", "--vacuum", "--need-app", "--lazy-apps"})
_UWSGI = re.compile(r"(?:py)?uwsgi(?:-core|_python\d*|\d[\d.]*)?")
_SHELL_BREAKS = frozenset({"&&", "||", ";", "|", "&"})
_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml")
_DOCKERFILE = re.compile(
    r"(?:Dockerfile|Containerfile)(?:\.[\w.-]+)?|[\w.-]+\.(?:[Dd]ockerfile|Containerfile)")
_ROOT_NAMES = frozenset({"root", "0"})
_UWSGI_WORD = re.compile(r"\buwsgi\b")
# a SysV init script or a start script named for uwsgi (`uwsgi-emperor`, `start-uwsgi.sh`):
# no suffix but `.sh` (`uwsgi.ini` is a config, `uwsgi.conf` maybe a supervisor program)
_INIT_SCRIPT = re.compile(r"[\w-]*uwsgi[\w-]*(?:\.sh)?", re.IGNORECASE)
_SHELL_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_SHELL_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
# stop signals with which a uWSGI 2.0 master shuts down without `die-on-term`
# (core/master.c: SIGINT and SIGQUIT call kill_them_all(); SIGTERM is reap_them_all(),
# a brutal reload; with `die-on-term` SIGTERM and SIGQUIT swap)
_SIGNALS = {"TERM": "SIGTERM", "15": "SIGTERM", "QUIT": "SIGQUIT", "3": "SIGQUIT",
            "INT": "SIGINT", "2": "SIGINT", "HUP": "SIGHUP", "1": "SIGHUP",
            "KILL": "SIGKILL", "9": "SIGKILL"}


@dataclass(frozen=True, slots=True)
class Said:
    """A value a deployment file sets, and where it is written."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Ref:
    """A path a deployment file gives: ``exact`` when it was resolved in the tree (it names
    that file, or the files below that directory); else as written, a server's or a
    container's path that names a config by its file name.  ``monitor``: a vassals
    directory or pattern (``--emperor``), which names the configs it holds."""

    path: str
    exact: bool
    monitor: bool = False


@dataclass(frozen=True, slots=True)
class Published:
    """A compose ``ports`` entry: the container's port published on the host (on every
    interface when ``host_ip`` is empty, ``0.0.0.0`` or ``::``)."""

    port: str
    host_ip: str
    span: Span

    @property
    def everywhere(self) -> bool:
        return self.host_ip in ("", "0.0.0.0", "::", "[::]")


@dataclass(frozen=True, slots=True)
class Launch:
    """One way a deployment file starts or ships configs (see the module docstring)."""

    kind: str  # "Dockerfile", "compose file", "Kubernetes manifest", "systemd unit" ...
    span: Span  # the command that runs uwsgi, else the line that names the config
    refs: tuple[Ref, ...]
    container: bool
    user: Said | None = None  # the user it starts as, when said
    root_unless_user: bool = False  # with no user said, it starts as root
    args: tuple[str, ...] | None = None  # uwsgi's command-line arguments, when it runs it
    stop: Said | None = None  # the signal that stops it, when said (normalised: SIGQUIT)
    env: tuple[tuple[str, Said], ...] = ()  # the UWSGI_* variables it sets
    ports: tuple[Published, ...] = ()
    builds: str | None = None  # compose: the build context (a directory) of the service

    def arg(self, *names: str) -> str | None:
        """The value of the last of ``names`` (``--uid``) on the command line."""
        found = None
        args = self.args or ()
        for i, a in enumerate(args):
            key, eq, value = a.partition("=")
            if key in names:
                found = value if eq else (args[i + 1] if i + 1 < len(args) else "")
        return found

    def drops_root(self) -> bool:
        """The command line gives uwsgi a `uid` (or `immediate-uid`) other than root."""
        uid = self.arg("--uid", "--immediate-uid")
        return uid is not None and uid.strip() not in _ROOT_NAMES | {""}

    def starts_as_root(self) -> bool:
        """The tree shows uwsgi starts as root here, outside a container (and its command
        line keeps it).  Root inside a container is the container's (UW510, opt-in)."""
        if self.drops_root() or self.container:
            return False
        if self.user is None:
            return self.root_unless_user
        return self.user.value in _ROOT_NAMES

    def starts_unprivileged(self) -> bool:
        return self.drops_root() or (self.user is not None and self.user.value not in
                                     _ROOT_NAMES)

    def die_on_term(self) -> Said | None:
        """Where this launch turns on `die-on-term`: on the command line or with
        ``UWSGI_DIE_ON_TERM`` in the environment."""
        if self.args is not None and "--die-on-term" in self.args:
            return Said("--die-on-term", self.span)
        for name, said in self.env:
            if name == "UWSGI_DIE_ON_TERM":
                from .values import flag_is_on

                return said if flag_is_on(said.value) else None
        return None

    def stop_signal(self) -> str:
        """The signal that stops it: ``stop`` when said, else SIGTERM (systemd, docker,
        supervisord and Kubernetes send SIGTERM by default)."""
        return self.stop.value if self.stop is not None else "SIGTERM"


class Runs(Enum):
    """As whom the tree shows an instance is started."""

    ROOT = "root"
    UNPRIVILEGED = "an unprivileged user"
    CONTAINER = "in a container"  # the user not said: the image's, contained
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Start:
    """Who starts an instance: ``launch`` is the deciding one (``None``: assumed from the
    ``context`` setting, or unknown)."""

    runs: Runs
    launch: Launch | None = None


def judge(launches: Sequence[Launch], where: str) -> Start:
    """Who starts a config that ``launches`` start, ``where`` (``context``: "auto",
    "container", "host") filling in what they do not say: a launch that starts it as root
    decides, then one that starts it unprivileged, then one in a container; with none,
    "host" is a start as root (an init script, systemd without ``User=``) and
    "container" a container."""
    for test, runs in ((Launch.starts_as_root, Runs.ROOT),
                       (Launch.starts_unprivileged, Runs.UNPRIVILEGED),
                       (lambda launch: launch.container, Runs.CONTAINER)):
        for launch in launches:
            if test(launch):
                return Start(runs, launch)
    if where == "container":
        return Start(Runs.CONTAINER)
    if where == "host":
        return Start(Runs.ROOT)
    return Start(Runs.UNKNOWN)


# --- finding the deployment files -------------------------------------------------------


@dataclass(slots=True)
class Deployments:
    """The deployment files of one run: each directory listed once, each file read once."""

    listed: dict[str, list[str]] = field(default_factory=dict)
    parsed: dict[str, list[Launch]] = field(default_factory=dict)
    found: dict[str, list[Launch]] = field(default_factory=dict)
    near: dict[str, list[Launch]] = field(default_factory=dict)  # directory -> launches
    subdirs: dict[str, list[str]] = field(default_factory=dict)

    def of(self, path: str) -> list[Launch]:
        """The launches that start or ship the config ``path``, nearest first."""
        real = os.path.realpath(path)
        hit = self.found.get(real)
        if hit is None:
            self.found[real] = []  # while searching: a file that names itself ends here
            hit = self.found[real] = self._search(real)
        return hit

    def _search(self, real: str) -> list[Launch]:
        if not fs.inside(real):
            return []
        launches = self._near(os.path.dirname(real))
        direct = [launch for launch in launches
                  if any(_names(r, launch.span.file, real) for r in launch.refs)]
        # a compose service that builds the Dockerfile that ships the config runs it too
        built = {os.path.dirname(launch.span.file) for launch in direct
                 if launch.kind == "Dockerfile"}
        via = [launch for launch in launches
               if launch.builds is not None and launch.builds in built and launch not in direct]
        containerised = any(launch.container for launch in launches)
        return [self._settled(launch, containerised) for launch in direct] + via

    def _settled(self, launch: Launch, containerised: bool) -> Launch:
        """``launch`` as it really starts uwsgi.  A unit or supervisor program whose own
        file a Dockerfile (or compose, a manifest) ships runs inside that container: its
        root (no ``user=``, or ``user=root``) is the container's.  A supervisor program
        without ``user=`` in a tree that builds containers may be the container's own
        process manager (supervisord is run as root on hosts, as the image's user in
        containers): who it runs as is unknown."""
        if not launch.starts_as_root() or launch.container:
            return launch
        if any(shipper.container for shipper in self.of(launch.span.file)):
            return replace(launch, container=True, root_unless_user=False)
        if (containerised and launch.user is None
                and launch.kind.startswith("supervisor program")):
            return replace(launch, root_unless_user=False)
        return launch

    def _near(self, directory: str) -> list[Launch]:
        """The launches of every deployment file searched for a config in ``directory``
        (once per directory: the vassals of one directory share the answer)."""
        from .tree import _ancestors, _subdirs

        hit = self.near.get(directory)
        if hit is None:
            hit = self.near[directory] = []
            for level, d in enumerate(_ancestors(directory)):
                if level < 3 and d not in self.subdirs:
                    self.subdirs[d] = _subdirs(d)
                for sub in [d, *(self.subdirs[d] if level < 3 else [])]:
                    for f in self._list(sub):
                        hit.extend(self._parse(f))
        return hit

    def _list(self, directory: str) -> list[str]:
        hit = self.listed.get(directory)
        if hit is None:
            hit = self.listed[directory] = _deployment_files(directory)
        return hit

    def _parse(self, path: str) -> list[Launch]:
        hit = self.parsed.get(path)
        if hit is None:
            hit = self.parsed[path] = _read_launches(path)
        return hit


def _deployment_files(directory: str) -> list[str]:
    """The files of ``directory`` that may be deployment files, by name (a ``.yaml`` or
    ``.conf`` by its first bytes too); a Helm chart's ``templates/`` with them."""
    try:
        with os.scandir(directory) as it:
            entries = sorted((e for e in it if e.is_file()), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for e in entries:
        if not fs.inside(e.path):
            continue
        kind = _kind_by_name(e.name)
        if kind is None and e.name.endswith((".yaml", ".yml", ".conf", ".ini")):
            head = _read(e.path, HEAD_BYTES)
            if head is not None and _kind_by_head(e.name, head):
                kind = "head"
        if kind is not None:
            out.append(e.path)
        if e.name == "Chart.yaml":
            out.extend(_deployment_files(os.path.join(directory, "templates")))
    return out


def _kind_by_name(name: str) -> str | None:
    if _DOCKERFILE.fullmatch(name):
        return "Dockerfile"
    if _COMPOSE.fullmatch(name):
        return "compose file"
    if name.endswith(".service"):
        return "systemd unit"
    if name == "Procfile":
        return "Procfile"
    if _INIT_SCRIPT.fullmatch(name):
        return "init script"
    return None


def _kind_by_head(name: str, head: str) -> str | None:
    if name.endswith((".yaml", ".yml")) and "apiVersion:" in head and "kind:" in head:
        return "Kubernetes manifest"
    if "[program:" in head:
        return "supervisor program"
    return None


def _read(path: str, limit: int) -> str | None:
    """At most ``limit`` bytes of a regular file inside the boundary (of at most
    :data:`MAX_BYTES`), as text; read as the readers read a config (a vassal whose head
    is looked at here is read once for the run)."""
    try:
        if os.stat(path).st_size > MAX_BYTES:
            return None
        data = fs.read_regular(path)
    except (OSError, fs.Unreadable):
        return None
    return data[:limit].decode("utf-8", "replace")


def _read_launches(path: str) -> list[Launch]:
    text = _read(path, MAX_BYTES)
    if text is None:
        return []
    name = os.path.basename(path)
    kind = _kind_by_name(name) or _kind_by_head(name, text[:HEAD_BYTES])
    try:
        if kind == "Dockerfile":
            return _dockerfile(path, text)
        if kind == "compose file":
            return _compose(path, text)
        if kind == "systemd unit":
            return _systemd(path, text)
        if kind == "supervisor program":
            return _supervisor(path, text)
        if kind == "Procfile":
            return _procfile(path, text)
        if kind == "Kubernetes manifest":
            return _manifest(path, text)
        if kind == "init script":
            return _init_script(path, text)
    except (ValueError, RecursionError):  # a file it cannot make sense of says nothing
        return []
    return []


# --- matching a path to a config ----------------------------------------------------------


def _names(ref: Ref, deploy_file: str, real: str) -> bool:
    """Whether ``ref``, given by ``deploy_file``, names the config ``real`` (see the
    module docstring)."""
    if ref.exact:
        return real == ref.path or real.startswith(ref.path.rstrip(os.sep) + os.sep)
    parts = [p for p in ref.path.split("/") if p and p != "."]
    if ref.monitor:
        last = parts[-1] if parts else ""
        if not any(c in last for c in "*?[") and not last.endswith(CONFIG_SUFFIXES):
            parts.append("*")  # a directory: the configs in it
    if not parts:
        return False
    pattern = re.sub(r"%[a-zA-Z]", "*", parts[-1])
    name = os.path.basename(real)
    if not fnmatch.fnmatchcase(name, pattern):
        return False
    if (pattern != parts[-1] or ref.monitor) and (  # a pattern: its directory must match
            len(parts) < 2 or parts[-2] != os.path.basename(os.path.dirname(real))):
        return False
    here = os.path.dirname(deploy_file)
    # not when it names the file of that name beside it
    return real.startswith(here + os.sep) or not os.path.lexists(os.path.join(here, name))


def _span(path: str, line: int, col: int = 1, end: int | None = None) -> Span:
    return Span(path, Position(line, col), Position(line, end if end is not None else col))


def _uwsgi_args(words: Sequence[str]) -> tuple[str, ...] | None:
    """The arguments given to uwsgi in a command (``None``: it does not run uwsgi); a
    ``sh -c "..."`` string is looked into."""
    for i, w in enumerate(words):
        if _UWSGI.fullmatch(os.path.basename(w)):
            out = []
            for a in words[i + 1:]:
                if a in _SHELL_BREAKS:
                    break
                out.append(a)
            return tuple(out)
        if " " in w:
            try:
                inner = _uwsgi_args(shlex.split(w))
            except ValueError:
                continue
            if inner is not None:
                return inner
    return None


def _config_refs(args: Sequence[str], base: str | None) -> list[Ref]:
    """The configs (and vassals monitors) a uwsgi command line names; a relative path is
    resolved against ``base`` when given (the directory it runs in, in the tree)."""
    out = []
    prev = ""
    for i, a in enumerate(args):
        key, eq, value = a.partition("=")
        what, path = None, ""
        if key in _LOADER_ARGS and (eq or i + 1 < len(args)):
            what, path = _LOADER_ARGS[key], value if eq else args[i + 1]
        elif not a.startswith("-") and a.endswith(CONFIG_SUFFIXES) and (
                not prev.startswith("-") or prev in _FLAGS):
            what, path = "file", a
        prev = a
        if what is None or not path or "$" in path:
            continue
        if what == "file" and ":" in path and not path.endswith(CONFIG_SUFFIXES):
            path = path.rsplit(":", 1)[0]  # file:section
        if base is not None and not os.path.isabs(path):
            out.append(Ref(os.path.realpath(os.path.join(base, path)), True, what == "dir"))
        else:
            out.append(Ref(path, False, what == "dir"))
    return out


def _words(text: str) -> list[str]:
    """A command: a JSON array (exec form) or shell words."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            found = json.loads(stripped)
        except ValueError:
            found = None
        if isinstance(found, list) and all(isinstance(w, str) for w in found):
            return list(found)
    return shlex.split(stripped, comments=False)


def _signal(value: str) -> str:
    v = value.strip().strip("\"'").upper()
    return _SIGNALS.get(v.removeprefix("SIG"), v if v.startswith("SIG") else "SIG" + v)


# --- Dockerfile ---------------------------------------------------------------------------


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of each instruction, continuation lines joined."""
    start, parts = 0, list[str]()
    for n, line in enumerate(text.splitlines(), 1):
        if not parts and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if parts and line.lstrip().startswith("#"):
            continue
        if not parts:
            start = n
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        parts.append(line)
        yield start, " ".join(p.strip() for p in parts)
        parts = []
    if parts:
        yield start, " ".join(p.strip() for p in parts)


def _dockerfile(path: str, text: str) -> list[Launch]:
    here = os.path.realpath(os.path.dirname(path))
    refs: list[Ref] = []
    first: Span | None = None
    user = stop = command = None
    args: tuple[str, ...] | None = None
    env: list[tuple[str, Said]] = []
    # what each named stage leaves to a stage built `FROM` it: user, stop signal, command
    stages: dict[str, tuple[Said | None, Said | None, Span | None, tuple[str, ...] | None,
                            list[tuple[str, Said]]]] = {}
    alias: str | None = None
    for n, line in _logical_lines(text):
        op, _, rest = line.partition(" ")
        op = op.upper()
        span = _span(path, n, 1, len(line) + 1)
        if op == "FROM":  # a new stage: what runs is the last one's
            if alias is not None:
                stages[alias] = (user, stop, command, args, env)
            words = [w for w in _words(rest) if not w.startswith("--")]
            base = stages.get(words[0].lower()) if words else None
            user, stop, command, args, env = (
                (base[0], base[1], base[2], base[3], list(base[4])) if base is not None
                else (None, None, None, None, []))
            alias = words[2].lower() if len(words) >= 3 and words[1].upper() == "AS" else None
        elif op in ("COPY", "ADD"):
            words = [w for w in _words(rest) if not w.startswith("--")]
            if "--from=" in rest or len(words) < 2:
                continue
            for src in words[:-1]:
                if "://" in src or "$" in src:
                    continue
                refs.append(Ref(_in_context(here, src), True))
                first = first or span
        elif op == "USER":
            user = Said(rest.strip().split(":")[0], span)
        elif op == "STOPSIGNAL":
            stop = Said(_signal(rest), span)
        elif op == "ENV":
            env.extend(_env_words(rest, span))
        elif op in ("CMD", "ENTRYPOINT"):
            found = _uwsgi_args(_words(rest))
            if found is not None:
                args, command = found, span
    if args is not None:
        refs.extend(_config_refs(args, None))
    at = command or first
    if at is None or not refs:
        return []
    return [Launch("Dockerfile", at, tuple(refs), True, user, False, args, stop, tuple(env))]


def _init_script(path: str, text: str) -> list[Launch]:
    """A shell script (``#!``) named for uwsgi that runs it: a SysV init script
    (``start-stop-daemon --exec $DAEMON -- $DAEMON_OPTS``) or a start script.  Its shell
    variables are put in (``NAME=value`` lines, in order); the uwsgi arguments are those
    of the command that runs uwsgi, or of a variable that names a config (``DAEMON_OPTS``
    beside ``DAEMON=/usr/bin/uwsgi``).  An init script runs as root."""
    if not text.startswith("#!") or _UWSGI_WORD.search(text) is None:
        return []
    values: dict[str, str] = {}
    found: list[tuple[int, tuple[str, ...]]] = []
    for n, line in _logical_lines(text):
        if line.lstrip().startswith("#"):
            continue
        line = _SHELL_VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), line)
        assigned = _SHELL_ASSIGNMENT.match(line)
        if assigned:
            value = assigned.group(2).strip()
            if value[:1] in "\"'" and value[-1:] == value[:1]:
                value = value[1:-1]
            values[assigned.group(1)] = value
            line = value
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        args = _uwsgi_args(words)
        if args is None and assigned and any(w.startswith("--") for w in words):
            args = tuple(words)  # uwsgi's arguments kept in a variable (DAEMON_OPTS)
        if args is not None and _config_refs(args, None):
            found.append((n, args))
    return [Launch("init script", _span(path, n), tuple(_config_refs(args, None)), False,
                   None, True, args) for n, args in found]


def _in_context(here: str, src: str) -> str:
    """A ``COPY``/``ADD`` source in the tree: relative to the build context, which is the
    Dockerfile's directory or (``docker build -f docker/Dockerfile .``) one above it --
    the nearest where it exists."""
    d = here
    for _ in range(3):
        path = os.path.realpath(os.path.join(d, src))
        if os.path.lexists(path) and fs.inside(path):
            return path
        d = os.path.dirname(d)
    return os.path.realpath(os.path.join(here, src))


def _env_words(rest: str, span: Span) -> list[tuple[str, Said]]:
    """The UWSGI_* variables of a Dockerfile ``ENV`` (``K=V ...`` or ``K V``)."""
    words = _words(rest)
    if len(words) >= 2 and "=" not in words[0]:
        pairs = [(words[0], " ".join(words[1:]))]
    else:
        pairs = [(k, v) for k, _, v in (w.partition("=") for w in words)]
    return [(k, Said(v, span)) for k, v in pairs if k.startswith("UWSGI_")]


# --- systemd and supervisor ---------------------------------------------------------------


def _ini_lines(text: str) -> Iterator[tuple[int, str, str, str]]:
    """``(line, section, key, value)`` of an INI-like file (systemd, supervisor),
    continuation lines (a trailing backslash) joined."""
    section = ""
    pending: tuple[int, str, str] | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if pending is not None:
            start, key, value = pending
            if line.endswith("\\"):
                pending = (start, key, value + " " + line[:-1])
                continue
            pending = None
            yield start, section, key, value + " " + line
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        key, eq, value = line.partition("=")
        if not eq:
            continue
        if value.rstrip().endswith("\\"):
            pending = (n, key.strip(), value.rstrip()[:-1].strip())
            continue
        yield n, section, key.strip(), value.strip()


def _systemd(path: str, text: str) -> list[Launch]:
    user_unit = "/systemd/user/" in path.replace(os.sep, "/")
    commands: list[tuple[Span, tuple[str, ...]]] = []
    user = stop = None
    env: list[tuple[str, Said]] = []
    for n, section, key, value in _ini_lines(text):
        if section != "Service":
            continue
        span = _span(path, n, 1, len(key) + 2 + len(value))
        if key == "ExecStart":
            found = _uwsgi_args(_words(value.lstrip("-@+!:")))
            if found is not None:
                commands.append((span, found))
        elif key == "User":
            user = Said(value, span)
        elif key == "DynamicUser" and value.lower() in ("yes", "true", "1", "on"):
            user = Said("a dynamic user", span)
        elif key == "KillSignal":
            stop = Said(_signal(value), span)
        elif key == "Environment":
            for word in _words(value):
                k, _, v = word.partition("=")
                if k.startswith("UWSGI_"):
                    env.append((k, Said(v, span)))
    return [Launch("systemd unit", span, tuple(_config_refs(args, None)), False, user,
                   not user_unit, args, stop, tuple(env)) for span, args in commands]


def _supervisor(path: str, text: str) -> list[Launch]:
    programs: dict[str, dict[str, tuple[int, str, str]]] = {}
    for n, section, key, value in _ini_lines(text):
        if section.startswith("program:"):
            programs.setdefault(section, {})[key.strip()] = (n, key, value)
    out = []
    for section, keys in programs.items():
        if "command" not in keys:
            continue
        n, key, value = keys["command"]
        try:
            args = _uwsgi_args(_words(value))
        except ValueError:
            continue
        if args is None:
            continue
        span = _span(path, n, 1, len(key) + 2 + len(value))
        said = {name: Said(_signal(v) if name == "stopsignal" else v,
                           _span(path, line, 1, len(k) + 2 + len(v)))
                for name, (line, k, v) in keys.items() if name in ("user", "stopsignal")}
        env = []
        if "environment" in keys:
            line, k, v = keys["environment"]
            for item in re.findall(r'(UWSGI_\w+)\s*=\s*("[^"]*"|\'[^\']*\'|[^,]*)', v):
                env.append((item[0], Said(item[1].strip("\"'"),
                                          _span(path, line, 1, len(k) + 2 + len(v)))))
        base = keys["directory"][2] if "directory" in keys else None
        refs = _config_refs(args, None if base is None or os.path.isabs(base) else base)
        out.append(Launch(f"supervisor program [{section}]", span, tuple(refs), False,
                          said.get("user"), True, args, said.get("stopsignal"), tuple(env)))
    return out


# --- Procfile -----------------------------------------------------------------------------


def _procfile(path: str, text: str) -> list[Launch]:
    here = os.path.realpath(os.path.dirname(path))
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        name, colon, command = line.partition(":")
        if not colon or not re.fullmatch(r"[\w-]+", name.strip()):
            continue
        try:
            args = _uwsgi_args(_words(command))
        except ValueError:
            continue
        if args is None:
            continue
        span = _span(path, n, 1, len(line) + 1)
        # the dyno (or foreman, honcho) runs it as an unprivileged user, in the app's root
        out.append(Launch("Procfile", span, tuple(_config_refs(args, here)), True,
                          Said("the dyno's user", span), False, args))
    return out


# --- compose files and Kubernetes manifests -----------------------------------------------


def _compose(path: str, text: str) -> list[Launch]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    here = os.path.realpath(os.path.dirname(path))
    out = []
    try:
        docs = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError:
        return []
    for doc in docs:
        services = _get(doc, "services")
        if not isinstance(services, yaml.MappingNode):
            continue
        for name_node, svc in services.value:
            if isinstance(svc, yaml.MappingNode):
                out.append(_service(path, here, name_node, svc))
    return [launch for launch in out if launch.refs or launch.builds]


def _get(node: object, key: str) -> object:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _at(path: str, node: object) -> Span:
    mark = getattr(node, "start_mark", None)
    end = getattr(node, "end_mark", None)
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    stop = end.column + 1 if end is not None and end.line == line - 1 else col
    return _span(path, line, col, stop)


def _scalars(node: object) -> list[object]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return [n for n in node.value if isinstance(n, yaml.ScalarNode)]
    return [node] if isinstance(node, yaml.ScalarNode) else []


def _service(path: str, here: str, name_node: object, svc: object) -> Launch:
    import yaml

    refs: list[Ref] = []
    args = None
    command = _get(svc, "command")
    entry = _get(svc, "entrypoint")
    for node in (entry, command):
        words = [str(getattr(n, "value", "")) for n in _scalars(node)]
        if isinstance(node, yaml.ScalarNode):
            words = _words(str(node.value))
        found = _uwsgi_args(words) if words else None
        if found is not None:
            args = found
            refs.extend(_config_refs(found, None))
    for vol in _scalars(_get(svc, "volumes")):
        src = str(getattr(vol, "value", "")).split(":")[0]
        if src.startswith((".", "/")) and "$" not in src:
            refs.append(Ref(os.path.realpath(os.path.join(here, src)), True))
    build = _get(svc, "build")
    context = _get(build, "context") if isinstance(build, yaml.MappingNode) else build
    builds = None
    if isinstance(context, yaml.ScalarNode) and "://" not in str(context.value):
        builds = os.path.realpath(os.path.join(here, str(context.value)))
    user = _get(svc, "user")
    stop = _get(svc, "stop_signal")
    env: list[tuple[str, Said]] = []
    environment = _get(svc, "environment")
    if isinstance(environment, yaml.MappingNode):
        for k, v in environment.value:
            if str(getattr(k, "value", "")).startswith("UWSGI_"):
                env.append((str(k.value), Said(str(getattr(v, "value", "")), _at(path, k))))
    for item in _scalars(environment):
        k, _, v = str(getattr(item, "value", "")).partition("=")
        if k.startswith("UWSGI_"):
            env.append((k, Said(v, _at(path, item))))
    ports = []
    for p in _ports(_get(svc, "ports")):
        ports.append(Published(p[0], p[1], _at(path, p[2])))
    span = _at(path, command if command is not None else name_node)
    return Launch(
        "compose file", span, tuple(refs), True,
        Said(str(user.value).split(":")[0], _at(path, user))
        if isinstance(user, yaml.ScalarNode) else None,
        False, args,
        Said(_signal(str(stop.value)), _at(path, stop)) if isinstance(stop, yaml.ScalarNode)
        else None,
        tuple(env), tuple(ports), builds)


def _ports(node: object) -> list[tuple[str, str, object]]:
    """``(container port, host ip, node)`` of a compose ``ports`` list: ``"8080:3031"``,
    ``"127.0.0.1:8080:3031/tcp"``, ``3031`` (published on a random host port) or the long
    form (``target``, ``host_ip``)."""
    import yaml

    out: list[tuple[str, str, object]] = []
    if not isinstance(node, yaml.SequenceNode):
        return out
    for item in node.value:
        if isinstance(item, yaml.ScalarNode):
            spec = str(item.value).split("/")[0]
            host, _, target = spec.rpartition(":")
            ip = host.rpartition(":")[0] if host.count(":") >= 1 else ""
            out.append((target, ip.strip("[]"), item))
        elif isinstance(item, yaml.MappingNode):
            to, on = _get(item, "target"), _get(item, "host_ip")
            if isinstance(to, yaml.ScalarNode):
                out.append((str(to.value),
                            str(on.value) if isinstance(on, yaml.ScalarNode) else "", item))
    return out


_PATHLIKE = re.compile(r"[\w./%{}-]*[\w%}-]\.(?:ini|xml|ya?ml|json|js)\b")


def _manifest(path: str, text: str) -> list[Launch]:
    """A Kubernetes manifest or Helm template, read as text (a template is no YAML): each
    path-like word with a config suffix names a config; ``runAsUser`` the user."""
    refs: list[Ref] = []
    first: Span | None = None
    user = None
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        m = re.match(r"runAsUser:\s*(\d+)", stripped)
        if m and user is None:
            user = Said(m.group(1), _span(path, n, line.index("runAsUser") + 1, len(line) + 1))
        for word in _PATHLIKE.finditer(line):
            refs.append(Ref(word.group(0), False))
            first = first or _span(path, n, word.start() + 1, word.end() + 1)
    if first is None:
        return []
    return [Launch("Kubernetes manifest", first, tuple(refs), True, user)]
