"""Build an instance: the option list uWSGI assembles from a config, with every value
expanded the way uWSGI expands it and every entry pointing back at what the user wrote.

Mirrors ``core/config.c: add_exported_option_do()`` (logic blocks, immediate options,
includes, ``set``), then ``core/utils.c: uwsgi_apply_config_pass()`` for ``$()``, ``@()``
and ``%()``, then ``inherit``.  Nothing a config names is executed or fetched: schemes
(``exec://``, ``http://`` ...) and unknown environment values are recorded as unresolved.
"""

from __future__ import annotations

import glob as globmod
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from .catalog import Catalog, load_catalog
from .magic import Host, MagicTable
from .model import ConfigFile, Directive, Format, Origin, Problem
from .readers import format_for, read_file
from .readers.common import CLOSERS

SCHEMES = ("exec", "http", "https", "fd", "data", "sym", "section", "call", "callint", "emperor")
LOADERS: dict[str, Format | None] = {
    "uwsgi_opt_load_ini": Format.INI,
    "uwsgi_opt_load_xml": Format.XML,
    "uwsgi_opt_load_yml": Format.YAML,
    "uwsgi_opt_load_json": Format.JSON,
    "uwsgi_opt_load": None,  # include / inherit: by suffix
}
MAX_INCLUDE_DEPTH = 64
# problem codes: uWSGI exits while reading; an include cycle; a file to include is missing
INCLUDE_CYCLE, INCLUDE_MISSING = "include-cycle", "include-missing"
INCLUDE_RELATIVE = "include-relative"  # a relative include that means another file here
MAX_OPTIONS = 1_000_000
MAX_VALUE = 1 << 20
MAX_ROUNDS = 1000  # substitutions in one value before we call it endless


@dataclass(frozen=True, slots=True)
class Assumptions:
    """What is known about where the config will run; ``None`` means unknown."""

    env: Mapping[str, str] | None = None
    cwd: str | None = None  # the process cwd; default: the root file's directory
    host: Host = field(default_factory=Host)
    plugins: frozenset[str] | None = None  # loaded plugins; None: the default build's
    reloading: bool = False
    yaml_reader: str = "embedded"
    version: str = "2.0"
    container: bool = False  # the instances run inside containers (root there is contained)


@dataclass(frozen=True, slots=True)
class Unread:
    """A config source the instance asks for but that was not read, and why."""

    directive: Directive
    target: str
    reason: str


@dataclass(slots=True)
class Monitor:
    """One ``emperor = ...`` value, resolved the way ``core/emperor.c`` resolves it."""

    directive: Directive
    kind: str  # "dir", "glob", or a plugin monitor's scheme ("pg", "zmq" ...)
    target: str  # the directory or pattern, as resolved here
    exists: bool  # the directory (dir) exists here; for glob: it matched something
    mapped_from: str | None = None  # an absolute path not on this machine, found in the tree
    vassals: list[str] = field(default_factory=list)
    # files in a watched directory that the Emperor never starts (suffix, case, type)
    ignored: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Instance:
    """One uWSGI instance: the files read and the option list they produce.

    ``role`` is "emperor", "vassal" or "standalone"; a vassal knows its ``emperor``, the
    ``monitor`` that governs it and its file's ``owner`` (uid, gid); an Emperor knows its
    ``monitors`` and ``vassals``.
    """

    root: ConfigFile
    files: list[ConfigFile] = field(default_factory=list)
    options: list[Directive] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    # option entries whose logic condition could not be decided here (kept, as if true)
    conditional: set[int] = field(default_factory=set)
    role: str = "standalone"
    emperor: Instance | None = None
    monitor: Monitor | None = None
    owner: tuple[int, int] | None = None  # (uid, gid) the Emperor sees for the file
    link_owner: tuple[int, int] | None = None  # the symlink's own owner, when it is one
    monitors: list[Monitor] = field(default_factory=list)
    vassals: list[Instance] = field(default_factory=list)
    cwd: str = ""
    # (index, directive) once per source position: see values.unique_entries
    unique: list[tuple[int, Directive]] | None = field(default=None, repr=False)

    def first(self, key: str) -> Directive | None:
        return next((d for d in self.options if d.key == key), None)


@cache
def logic_openers(catalog: Catalog) -> frozenset[str]:
    """Options that open a logic block (``if-env``, ``for`` ...)."""
    return frozenset(
        n for n in catalog.names() if (o := catalog.get(n)) and o.value_kind == "logic-open"
    )


def split_section(arg: str) -> tuple[str, str | None]:
    """``file:section`` as an explicit loader splits it (scheme URLs: after the last ``/``)."""
    start = arg.rfind("/") + 1 if "://" in arg else 0
    colon = arg.rfind(":", start)
    if colon == -1:
        return arg, None
    return arg[:colon], arg[colon + 1 :]


def scheme_of(arg: str) -> str | None:
    head, sep, _ = arg.partition("://")
    return head if sep and head in SCHEMES else None


class _Builder:
    def __init__(self, root: str, assume: Assumptions, catalog: Catalog) -> None:
        self.assume = assume
        self.catalog = catalog
        self.cwd = assume.cwd or os.path.dirname(os.path.abspath(root))
        self.options: list[Directive] = []
        self.configured: list[bool] = []
        self.problems: list[Problem] = []
        self.unread: list[Unread] = []
        self.conditional: set[int] = set()
        self.files: list[ConfigFile] = []
        self.first: MagicTable | None = None
        self.last_ini: str | None = None
        self.logic: Directive | None = None
        self.running = False
        self.origin: tuple[Origin, ...] = ()
        self.stack: list[tuple[str, str]] = []
        self.openers = logic_openers(catalog)

    # -- reading -------------------------------------------------------------------------
    def load(
        self,
        arg: str,
        fmt: Format | None,
        by: Directive | None,
        explicit: bool,
        path: str | None = None,
    ) -> None:
        """Load ``arg`` as the loader ``fmt`` would (``None``: by suffix), asked for by ``by``."""
        if by is not None and not arg:
            return self.fatal(by, f"'{by.key}' names no file")
        scheme = scheme_of(arg)
        if scheme is not None:
            if by is not None:
                self.unread.append(Unread(by, arg, f"{scheme}:// is never executed or fetched"))
            return None
        name, section = split_section(arg) if explicit else (arg, None)
        if fmt is None and by is not None:
            fmt = format_for(arg)
            if fmt is None:
                return self.fatal(by, f"uWSGI cannot load '{arg}': unknown config suffix")
        if name == "" and fmt is Format.INI and self.last_ini:
            name = path = self.last_ini  # `ini = :section`: the last INI file read
        path = os.path.abspath(path or os.path.join(self.cwd, name))
        if by is not None and len(self.stack) >= MAX_INCLUDE_DEPTH:
            return self.fatal(
                by, "includes nest too deep (uWSGI recurses until it crashes)", INCLUDE_CYCLE
            )
        if by is not None and (path, section or "uwsgi") in self.stack:
            return self.fatal(
                by, f"'{arg}' includes itself (uWSGI recurses until it crashes)", INCLUDE_CYCLE
            )
        beside = self._beside(by, name, path)
        if by is not None and os.path.isabs(name) and not os.path.isdir(os.path.dirname(path)):
            # a deployment path (/etc/uwsgi/...) whose directory this machine does not have
            self.unread.append(Unread(by, arg, f"{os.path.dirname(path)} is not on this machine"))
            return None
        if by is not None and not os.path.exists(path):
            self.unread.append(Unread(by, arg, "file not found"))
            hint = f"; it exists next to this file: write %d{name}" if beside else ""
            return self.fatal(
                by,
                f"cannot open '{arg}': no such file (relative paths are resolved against "
                f"uWSGI's working directory, {self.cwd}){hint}",
                INCLUDE_MISSING,
            )
        if beside and by is not None:
            self.problems.append(Problem(INCLUDE_RELATIVE, (
                f"uWSGI reads {path} (relative to its working directory {self.cwd}), not "
                f"{beside} next to this file; write %d{name} to mean that one"), by.span))
        if fmt is Format.INI:
            self.last_ini = path
        cfg = read_file(
            path,
            openers=self.openers,
            config_arg=arg,
            section=section or "uwsgi",
            explicit_section=section or "",
            host=self.assume.host,
            first=self.first,
            fmt=fmt,
            yaml_reader=self.assume.yaml_reader,
            on_table=self._remember_first if explicit else None,
            cache=by is not None,  # included files are copied below, never changed
        )
        self.files.append(cfg)
        self.problems.extend(cfg.problems)
        sec = cfg.section(section or "uwsgi")
        if sec is None:
            return None
        self.stack.append((path, section or "uwsgi"))
        saved = self.origin
        if by is not None:
            self.origin = (*by.origin, Origin(by.key, by.span, arg))
        for d in sec.directives():
            self.add(replace(d, origin=self.origin) if self.origin else d)
        self.origin = saved
        self.stack.pop()
        return None

    def _beside(self, by: Directive | None, name: str, path: str) -> str | None:
        """The file a relative ``name`` names next to the including file, when that is
        not the one uWSGI reads (it resolves against its working directory)."""
        if by is None or os.path.isabs(name) or not name:
            return None
        other = os.path.abspath(os.path.join(os.path.dirname(by.file), name))
        return other if other != path and os.path.exists(other) else None

    def _remember_first(self, table: MagicTable) -> None:
        if self.first is None:
            self.first = table

    # -- the option list -----------------------------------------------------------------
    def fatal(self, d: Directive, message: str, code: str = "uwsgi-fatal") -> None:
        self.problems.append(Problem(code, message, d.span))

    def add(self, d: Directive, placeholder: bool = False, decided: bool = True) -> None:
        if len(self.options) >= MAX_OPTIONS:
            return
        if not self.running:
            if d.key in CLOSERS:
                self.logic = None
            if self.logic is not None:
                self.running = True
                try:
                    self.apply_logic(self.logic, d)
                finally:
                    self.running = False
                return
        self.options.append(d)
        self.configured.append(placeholder)
        if not decided:
            self.conditional.add(len(self.options) - 1)
        if placeholder:
            if d.key in self.catalog:
                self.fatal(d, f"you cannot use {d.key} as a placeholder, it is already an option")
            return
        opt = self.catalog.get(d.key)
        if opt is not None and opt.immediate:
            self.configured[-1] = True
            self.immediate(opt.handler, opt.value_kind, d)

    def immediate(self, handler: str, kind: str | None, d: Directive) -> None:
        if handler in LOADERS and d.key != "inherit":
            self.load(d.value, LOADERS[handler], d, explicit=handler != "uwsgi_opt_load")
        elif kind == "logic-open":
            if self.logic is not None:
                self.fatal(d, f"recursive logic in options is not supported (option = {d.key})")
            else:
                self.logic = d
        elif kind == "assignment" and handler == "uwsgi_opt_set_placeholder":
            key, eq, value = d.value.partition("=")
            if not eq:
                return self.fatal(d, "invalid placeholder/--set value (no '=')")
            ph = d.key != "set"
            self.add(replace(d, key=key, value=value, note=f"from {d.key}"), placeholder=ph)
        return None

    def apply_logic(self, opener: Directive, d: Directive) -> None:
        arg = opener.value
        kind = opener.key
        for item, decided in self.logic_items(kind, arg):
            if item is None:
                self.add(d, decided=decided)
            else:
                self.add(replace(d, value=d.value.replace("%(_)", item)), decided=decided)

    def logic_items(self, kind: str, arg: str) -> list[tuple[str | None, bool]]:
        """What a body line expands to: ``(value for %(_), decided)`` per emitted copy."""
        negate = "-not-" in kind
        base = kind.replace("-not-", "-").replace("ifenv", "if-env")
        base = {"ifexists": "if-exists", "ifdir": "if-dir", "if-directory": "if-dir"}.get(
            base, base
        )
        base = "if-plugin" if base == "ifplugin" else base
        if base == "for":
            return [(t, True) for t in arg.split(" ") if t]
        if base == "for-times":
            return [(str(i), True) for i in range(1, min(_atoi(arg), 10_000) + 1)]
        if base == "for-glob":
            return [(p, True) for p in self._glob(arg)]
        if base == "for-readline":
            return [(line, True) for line in self._readlines(arg)]
        if base == "if-reload":
            return [(None, True)] if self.assume.reloading != negate else []
        name, eq, want = arg.partition("=")
        found: str | None
        if base == "if-opt":
            found = next((o.value for o in self.options if o.key == name), None)
            return _cond(found, eq, want, negate)
        if base == "if-env":
            if self.assume.env is None:
                return [(None, False)]
            return _cond(self.assume.env.get(name), eq, want, negate)
        if base in ("if-exists", "if-file", "if-dir"):
            check: Callable[[str], bool] = {
                "if-exists": os.path.exists,
                "if-file": os.path.isfile,
                "if-dir": os.path.isdir,
            }[base]
            hit = check(self._path(arg))
            return [(arg, True)] if hit != negate else []
        if base == "if-plugin":
            if self.assume.plugins is None:
                from .catalog import plugin_default_build

                hit = arg == "core" or plugin_default_build(arg, self.assume.version)
            else:
                hit = arg in self.assume.plugins
            return [(arg, True)] if hit != negate else []
        if base in ("if-hostname", "if-hostname-match"):
            host = self.assume.host.hostname
            if host is None:
                return [(arg, False)]
            hit = host == arg if base == "if-hostname" else _search(arg, host)
            return [(arg, True)] if hit != negate else []
        return [(None, False)]

    def _path(self, p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(self.cwd, p)

    def _glob(self, pattern: str) -> list[str]:
        hits = sorted(globmod.glob(pattern, root_dir=self.cwd))
        if not hits:
            return [pattern]
        return [h + "/" if os.path.isdir(self._path(h)) else h for h in hits]

    def _readlines(self, name: str) -> list[str]:
        try:
            with open(self._path(name), "rb") as fh:
                data = fh.read(MAX_VALUE)
        except OSError:
            return []
        out = []
        for raw in data.decode("utf-8", "surrogateescape").splitlines(keepends=True):
            while len(raw) > 1023:
                out.append(raw[:1023])
                raw = raw[1023:]
            out.append(raw.rstrip("\r\n"))
        return out

    # -- the $() @() %() passes --------------------------------------------------------
    def passes(self) -> None:
        """The ``$()``, ``@()`` and ``%()`` passes over every option not applied yet."""
        expanded = [d.value for d in self.options]
        unresolved: list[list[str]] = [[] for _ in self.options]
        todo = [i for i, d in enumerate(self.options) if not self.configured[i] and "(" in d.value]
        for symbol, hook in (("$", self.env_hook), ("@", self.file_hook)):
            for i in todo:
                expanded[i] = self.apply_pass(
                    symbol, expanded[i], hook, unresolved[i], self.options[i]
                )
        for i in todo:
            for ref in unresolved[i]:
                name, d = ref[2:-1], self.options[i]
                if not ref.startswith("@(") or "$(" in name:
                    continue
                scheme = scheme_of(name)
                if scheme is not None:
                    self.unread.append(Unread(d, ref, f"{scheme}:// is never executed or fetched"))
                else:
                    self.unread.append(Unread(d, name, "file not found"))
                    self.fatal(d, f"cannot open '@({name})': no such file", INCLUDE_MISSING)

        def placeholder(name: str, unresolved: list[str]) -> str | None:
            value = self.placeholder(name, expanded)
            if value is None:
                unresolved.append(f"%({name})")
            return value

        for i in todo:

            def store(value: str, i: int = i) -> None:
                expanded[i] = value  # uWSGI rewrites the list entry in place

            expanded[i] = self.apply_pass(
                "%", expanded[i], placeholder, unresolved[i], self.options[i], store
            )
        seen: set[int] = set()
        for i, d in enumerate(self.options):
            notes = d.unresolved
            if unresolved[i]:
                notes = tuple(dict.fromkeys(notes + tuple(unresolved[i])))
            value = None if self.configured[i] else expanded[i]
            if id(d) in seen:  # the same directive twice (an include read twice): copy
                self.options[i] = replace(d, expanded=value, unresolved=notes)
            else:
                seen.add(id(d))
                d.expanded, d.unresolved = value, notes

    def env_hook(self, name: str, unresolved: list[str]) -> str | None:
        if self.assume.env is None:
            unresolved.append(f"$({name})")
            return None
        return self.assume.env.get(name)

    def file_hook(self, name: str, unresolved: list[str]) -> str | None:
        if scheme_of(name) is not None:
            unresolved.append(f"@({name})")
            return None
        try:
            with open(self._path(name), "rb") as fh:
                data = fh.read(MAX_VALUE)
        except OSError:
            unresolved.append(f"@({name})")
            return None
        text = data.decode("utf-8", "surrogateescape").split("\0", 1)[0]
        return text[:-1] if text.endswith(("\n", "\r")) else text

    def placeholder(self, name: str, values: list[str]) -> str | None:
        def lookup(key: str) -> str | None:
            for i, d in enumerate(self.options):
                if d.key == key:
                    return values[i]
            return None

        if " " not in name:
            return lookup(name)
        current: str | None = None
        state = "concat"
        for tok in (t for t in name.split(" ") if t):
            if tok in ("+", "-", "*", "/"):
                state = tok
                continue
            if tok in ("++", "--"):
                if current is not None:
                    current = str(_strtoll(current) + (1 if tok == "++" else -1))
                state = "concat"
                continue
            value = tok if tok.isdigit() else (lookup(tok) or "")
            if state == "concat":
                current = (current or "") + value
            else:
                a, b = _strtoll(current or ""), _strtoll(value)
                if state == "+":
                    current = str(a + b)
                elif state == "-":
                    current = str(a - b)
                elif state == "*":
                    current = str(a * b)
                else:
                    current = str(int(a / b)) if b else "0"
            state = "concat"
        return current

    def apply_pass(
        self,
        symbol: str,
        value: str,
        hook: Callable[[str, list[str]], str | None],
        unresolved: list[str],
        d: Directive,
        store: Callable[[str], None] | None = None,
    ) -> str:
        """``uwsgi_apply_config_pass()`` for one value, with a guard against endless loops."""
        if symbol + "(" not in value:
            return value
        has = 0
        depth = 0
        start = -1
        j = 0
        rounds = 0
        while j < len(value):
            c = value[j]
            if c == symbol:
                has = 1
            elif c == "(" and has == 1:
                has, depth, start = 2, 0, j + 1
            elif has > 1:
                if c == "(":
                    has += 1
                    depth += 1
                elif c == ")":
                    if depth > 0:
                        has += 1
                        depth -= 1
                        j += 1
                        continue
                    if has <= 2:
                        has, start = 0, -1
                        j += 1
                        continue
                    key = value[start : start + has - 2]
                    got = hook(key, unresolved)
                    if got is None:
                        has, start = 0, -1
                        j += 1
                        continue
                    value = value[: start - 2] + got + value[start + has - 1 :]
                    if store is not None:
                        store(value)
                    has, start = 0, -1
                    rounds += 1
                    if rounds > MAX_ROUNDS or len(value) > MAX_VALUE:
                        self.problems.append(
                            Problem(
                                "uwsgi-hang",
                                f"expanding {symbol}() in '{d.key}' never ends: uWSGI hangs here",
                                d.value_span,
                            )
                        )
                        return value
                    j = 1
                    continue
                else:
                    has += 1
            else:
                has = 0
            j += 1
        return value

    # -- inherit -------------------------------------------------------------------------
    def inherits(self) -> None:
        i = 0
        while i < len(self.options):
            d = self.options[i]
            if d.key == "inherit" and not self.configured[i]:
                self.configured[i] = True
                start = len(self.options)
                self.load(d.effective, None, d, explicit=False)
                for k in range(start, len(self.options)):
                    self.configured[k] = True
                    self.options[k] = replace(self.options[k], expanded=self.options[k].value)
            i += 1


def _cond(found: str | None, eq: str, want: str, negate: bool) -> list[tuple[str | None, bool]]:
    hit = found is not None and (not eq or found == want)
    if negate:
        return [(found, True)] if not hit else []
    return [(found, True)] if hit else []


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _atoi(s: str) -> int:
    m = re.match(r"\s*([+-]?\d+)", s)
    if not m:
        return 0
    v = int(m.group(1))
    return ((v + 2**31) % 2**32) - 2**31


def _strtoll(s: str) -> int:
    m = re.match(r"\s*([+-]?\d+)", s)
    if not m:
        return 0
    return max(-(2**63), min(2**63 - 1, int(m.group(1))))


def build_instance(
    path: str,
    assume: Assumptions | None = None,
    *,
    config_arg: str | None = None,
    fmt: Format | None = None,
    before: Sequence[Directive] = (),
    after: Sequence[Directive] = (),
) -> Instance:
    """Read ``path`` (``file`` or ``file:section``) as ``uwsgi --<format> path`` would.

    ``before``/``after`` are command-line options around the file (what an Emperor passes
    a vassal: ``--inherit``, ``--include``, ``--set``), applied as uWSGI applies argv.
    """
    assume = assume or Assumptions()
    catalog = load_catalog(assume.version)
    name, _ = split_section(path)
    b = _Builder(name, assume, catalog)
    fmt = fmt or format_for(name)
    for d in before:
        b.add(d)
    root_index = len(b.files)
    b.load(config_arg or path, fmt, None, explicit=True, path=os.path.abspath(name))
    for d in after:
        b.add(d)
    if root_index < len(b.files):
        b.files.insert(0, b.files.pop(root_index))  # the instance's own file comes first
    root = b.files[0] if b.files else ConfigFile(path=name, format=fmt or Format.INI)
    b.passes()
    b.inherits()
    return Instance(
        root=root,
        files=b.files,
        options=b.options,
        problems=b.problems,
        unread=b.unread,
        conditional=b.conditional,
        cwd=b.cwd,
    )

