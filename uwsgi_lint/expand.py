"""Build an instance: the option list uWSGI assembles from a config, with every value
expanded the way uWSGI expands it and every entry pointing back at what the user wrote.

Mirrors ``core/config.c: add_exported_option_do()`` (logic blocks, immediate options,
includes, ``set``), then ``core/utils.c: uwsgi_apply_config_pass()`` for ``$()``, ``@()``
and ``%()``, then ``inherit``.  Nothing a config names is executed or fetched: schemes
(``exec://``, ``http://`` ...) and unknown environment values are recorded as unresolved.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from . import fs
from .budget import BUDGET_REACHED, Allowance, Clock
from .budget import current as current_budget
from .catalog import Catalog, load_catalog
from .magic import Host, MagicTable
from .model import ConfigFile, Directive, Format, Instance, Origin, Problem, Unread
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
# problem codes (the rules that report them): a file to include is missing (uWSGI exits
# while reading), an include cycle, a relative include that means another file here
INCLUDE_MISSING, INCLUDE_CYCLE, INCLUDE_RELATIVE = "UW020", "UW021", "UW023"
MAX_VALUE = 1 << 20
MAX_ROUNDS = 1000  # substitutions in one value before we call it endless
_MARKS = {s: re.compile(f"[{re.escape(s)}()]") for s in "$@%"}
_LEADING = re.compile(r"[ \t\n\v\f\r]*([+-]?)(\d*)")  # isspace(), then strtol()
_REF_NAME = re.compile(r"%\(([^()\s]+)\)")  # as UW109 reads references


class _Seg:
    """A stretch of a value being expanded that starts at a symbol (or at index 0), with
    the scan state before it: where a later substitution resumes the scan."""

    __slots__ = ("before", "length", "offset", "pieces")

    def __init__(self, offset: int, before: tuple[int, int]) -> None:
        self.offset = offset
        self.before = before
        self.pieces: list[str] = []
        self.length = 0

    def add(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)


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


def split_target(arg: str) -> tuple[str, str | None]:
    """A path given on the command line: the whole of it when it names a file (or a
    standard-input buffer), even with a ``:`` in its name; else ``file:section`` as
    :func:`split_section` splits it."""
    from .readers import buffer_for

    if os.path.lexists(arg) or buffer_for(arg) is not None:
        return arg, None
    return split_section(arg)


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
        self.not_read: set[tuple[int, str]] = set()  # (id of the logic opener, target)
        self.conditional: set[int] = set()
        self.files: list[ConfigFile] = []
        self.first: MagicTable | None = None
        self.last_ini: str | None = None
        self.logic: Directive | None = None
        self.running = False
        self.origin: tuple[Origin, ...] = ()
        self.stack: list[tuple[str, str]] = []
        self.openers = logic_openers(catalog)
        self.budget: Allowance = current_budget().instance()
        self.clock = Clock(self.budget.seconds)
        self.stopped = False  # a budget was reached: nothing more is added or expanded
        self.first_index: dict[str, int] = {}  # key -> index of its first option entry
        # during the % pass: the option being expanded and its current value
        self.live: tuple[int, Callable[[], str]] | None = None
        self.refs: dict[str, set[str]] | None = None  # %(name) references of first values

    # -- reading -------------------------------------------------------------------------
    def load(
        self,
        arg: str,
        fmt: Format | None,
        by: Directive | None,
        explicit: bool,
        path: str | None = None,
        whole: bool = False,
    ) -> None:
        """Load ``arg`` as the loader ``fmt`` would (``None``: by suffix), asked for by ``by``;
        with ``whole``, ``arg`` is a file's name as it is (no ``:section`` in it)."""
        if by is not None and not arg:
            return self.fatal(by, f"'{by.key}' names no file")
        scheme = scheme_of(arg)
        if scheme is not None:
            if by is not None:
                self.unread.append(Unread(by, arg, f"{scheme}:// is never executed or fetched"))
            return None
        name, section = split_section(arg) if explicit and not whole else (arg, None)
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
        if by is not None and not fs.inside(path):
            # the server's file (/etc/uwsgi/base.ini), or a path or symlink leaving the
            # tree: deployment-only, whether or not this machine has such a file
            self.unread.append(Unread(by, arg, fs.OUTSIDE))
            return None
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
        return other if other != path and fs.inside(other) and os.path.exists(other) else None

    def _remember_first(self, table: MagicTable) -> None:
        if self.first is None:
            self.first = table

    # -- the option list -----------------------------------------------------------------
    def fatal(self, d: Directive, message: str, code: str = "uwsgi-fatal") -> None:
        self.problems.append(Problem(code, message, d.span))

    def stop(self, d: Directive, what: str) -> None:
        """A budget (see :mod:`uwsgi_lint.budget`) is reached at ``d``: say so there
        (UW025) and add or expand nothing more for this instance."""
        if not self.stopped:
            self.stopped = True
            self.problems.append(Problem(BUDGET_REACHED, (
                "uwsgi-lint stopped expanding here; the rest of this file was not checked: "
                f"{self.budget.reason(what)}"), d.span))

    def add(self, d: Directive, placeholder: bool = False, decided: bool = True) -> None:
        if self.stopped:
            return None
        if self.clock.expired():
            return self.stop(d, "seconds")
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
        if not self.budget.spend("options"):
            return self.stop(d, "options")
        self.first_index.setdefault(d.key, len(self.options))
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
            if not self.budget.spend("includes"):  # a fan-out DAG multiplies the copies
                return self.stop(d, "includes")
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
        """Emit the body line ``d`` of the logic block ``opener`` (``core/logic.c``): once
        per loop item, each copy charged to the run's budget (copies and bytes)."""
        loop = opener.key.startswith("for")
        for item, decided in self.logic_items(opener.key, opener.value):
            if self.stopped:
                return None
            if item is None:
                self.add(d, decided=decided)
                continue
            value = d.value.replace("%(_)", item)
            if loop and not self.budget.spend("copies"):
                return self.stop(d, "copies")
            if loop and not self.budget.spend("bytes", len(value)):
                return self.stop(d, "bytes")
            self.add(replace(d, value=value), decided=decided)
        return None

    def logic_items(self, kind: str, arg: str) -> Iterable[tuple[str | None, bool]]:
        """What a body line expands to: ``(value for %(_), decided)`` per emitted copy,
        produced lazily (a ``for-times`` count is only bounded by the budget)."""
        negate = "-not-" in kind
        base = kind.replace("-not-", "-").replace("ifenv", "if-env")
        base = {"ifexists": "if-exists", "ifdir": "if-dir", "if-directory": "if-dir"}.get(
            base, base
        )
        base = "if-plugin" if base == "ifplugin" else base
        if base == "for":
            return [(t, True) for t in arg.split(" ") if t]
        if base == "for-times":
            return ((str(i), True) for i in range(1, _atoi(arg) + 1))
        if base == "for-glob":
            return self._glob(arg)
        if base == "for-readline":
            return self._readlines(arg)
        if base == "if-reload":
            return [(None, True)] if self.assume.reloading != negate else []
        name, eq, want = arg.partition("=")
        found: str | None
        if base == "if-opt":
            at = self.first_index.get(name)  # the first entry, as uwsgi_get_exported_opt()
            found = None if at is None else self.options[at].value
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
            target = self._path(arg)
            if not fs.inside(target):
                return [(arg, False)]  # the server's file system: undecided here
            hit = check(target)
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

    def _not_read(self, target: str, reason: str) -> list[tuple[str | None, bool]]:
        """A ``for-glob``/``for-readline`` whose items are unknown here: recorded once as
        not read, and its body kept once, undecided, with ``%(_)`` unknown."""
        if self.logic is not None and (id(self.logic), target) not in self.not_read:
            self.not_read.add((id(self.logic), target))
            self.unread.append(Unread(self.logic, target, reason))
        return [(None, False)]

    def _glob(self, pattern: str) -> list[tuple[str | None, bool]]:
        """``uwsgi_logic_opt_for_glob()``: ``glob(pattern, GLOB_MARK|GLOB_NOCHECK)``, a
        pattern that matches nothing iterates once over itself.  A pattern that would
        list a directory outside the linted tree is deployment-only: nothing is listed."""
        hits = fs.glob(pattern, self.cwd)
        if hits is None:
            return self._not_read(pattern, fs.OUTSIDE)
        if not hits:
            return [(pattern, True)]
        return [(h + "/" if fs.is_dir(self._path(h)) else h, True) for h in hits]

    def _readlines(self, name: str) -> list[tuple[str | None, bool]]:
        """``uwsgi_logic_opt_for_readline()``: each line of the file, at most 1023 bytes
        at a time; a missing file skips the block.  A file outside the linted tree (or
        one that is not a regular file) is not read: its lines are unknown here."""
        path = self._path(name)
        if not fs.inside(path):
            return self._not_read(name, fs.OUTSIDE)
        try:
            data = fs.read_regular(path, MAX_VALUE)
        except fs.Unreadable as exc:
            if not os.path.lexists(path) or os.path.isdir(path):
                return []  # uWSGI logs the error (or reads no line) and skips the block
            return self._not_read(name, str(exc))
        out: list[tuple[str | None, bool]] = []
        for raw in data.decode("utf-8", "surrogateescape").splitlines(keepends=True):
            while len(raw) > 1023:
                out.append((raw[:1023], True))
                raw = raw[1023:]
            out.append((raw.rstrip("\r\n"), True))
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
                elif not fs.inside(self._path(name)):
                    self.unread.append(Unread(d, name, fs.OUTSIDE))
                elif os.path.lexists(self._path(name)):  # a FIFO, a device, too large
                    self.unread.append(Unread(d, name, _unreadable(self._path(name))))
                else:
                    self.unread.append(Unread(d, name, "file not found"))
                    self.fatal(d, f"cannot open '@({name})': no such file", INCLUDE_MISSING)

        def placeholder(name: str, unresolved: list[str]) -> str | None:
            value = self.placeholder(name, expanded)
            if value is None:
                unresolved.append(f"%({name})")
            return value

        for i in todo:
            expanded[i] = self.apply_pass(
                "%", expanded[i], placeholder, unresolved[i], self.options[i], live=i
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
        try:  # a file outside the linted tree is not read (deployment-only): see passes()
            data = fs.read_regular(self._path(name), MAX_VALUE)
        except fs.Unreadable:
            unresolved.append(f"@({name})")
            return None
        text = data.decode("utf-8", "surrogateescape").split("\0", 1)[0]
        return text[:-1] if text.endswith(("\n", "\r")) else text

    def placeholder(self, name: str, values: list[str]) -> str | None:
        """``uwsgi_manage_placeholder()`` (``core/config.c``): the value of the first entry
        named ``name`` (found through :attr:`first_index`), or an expression over them."""

        def lookup(key: str) -> str | None:
            at = self.first_index.get(key)
            if at is None:
                return None
            if self.live is not None and at == self.live[0]:
                return self.live[1]()  # the value being expanded, as it is now
            return values[at]

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
        live: int | None = None,
    ) -> str:
        """``uwsgi_apply_config_pass()`` (``core/utils.c``) for one value.

        After each substitution uWSGI scans the new value again from index 1.  The scan
        state after a ``symbol`` does not depend on what precedes it and the text before
        the replaced reference is unchanged, so the scan resumes here at the reference
        with the state saved there (a ``symbol`` at index 0 is not seen again, nor the
        character that lands at index 0): the same value in time linear in the bytes
        produced, each substitution charged to the run's budget.  ``live`` is the
        option's index in the ``%`` pass: a reference to it reads its current value
        (uWSGI rewrites the list entry in place).
        """
        if symbol + "(" not in value:
            return value
        marks = _MARKS[symbol]
        segs = [_Seg(0, (0, 0))]  # the text so far, cut before each symbol
        total, size = 0, len(value)  # the length of the text so far, of the whole value
        state, depth = 0, 0  # 0: plain text, 1: after the symbol, 2: inside `symbol(`
        src, j = value, 0
        pending: list[tuple[str, int]] = []  # what follows the text being scanned
        skip = False  # the next character lands at index 0, where the rescan never looks
        rounds, checked = 0, False

        def current() -> str:
            rest = "".join(text[k:] for text, k in reversed(pending))
            return "".join(p for s in segs for p in s.pieces) + src[j:] + rest

        saved = self.live
        if live is not None:
            self.live = (live, current)
        try:
            while True:
                if j >= len(src):
                    if not pending:
                        break
                    src, j = pending.pop()
                    continue
                c = src[j]
                if skip:
                    skip = False
                    k = j + 1
                elif c == symbol:
                    segs.append(_Seg(total, (state, depth)))
                    state, k = 1, j + 1
                elif state == 0:
                    k = src.find(symbol, j)
                    k = len(src) if k < 0 else k
                elif state == 1:
                    state, depth, k = (2 if c == "(" else 0), 0, j + 1
                elif c == "(":
                    depth, k = depth + 1, j + 1
                elif c != ")":
                    m = marks.search(src, j)
                    k = m.start() if m else len(src)
                elif depth > 0:
                    depth, k = depth - 1, j + 1
                elif segs[-1].length <= 2:  # `%()`
                    state, k = 0, j + 1
                else:
                    seg = segs[-1]
                    key = "".join(seg.pieces)[2:]
                    got = hook(key, unresolved)
                    if got is None:
                        state, k = 0, j + 1
                    else:
                        for what, amount in (("substitutions", 1), ("bytes", len(got) + len(key))):
                            if not self.budget.spend(what, amount):
                                self.stop(d, what)
                                return current()
                        if self.clock.expired():
                            self.stop(d, "seconds")
                            return current()
                        segs.pop()
                        total -= seg.length
                        size += len(got) - seg.length - 1
                        pending.append((src, j + 1))
                        src, j = got, 0
                        state, depth = seg.before
                        if seg.offset == 0:
                            skip, state, depth = True, 0, 0
                        elif len(segs) > 1 and segs[-1].offset == 0:
                            state, depth = 0, 0  # a symbol at index 0: unseen from index 1
                        rounds += 1
                        if (rounds > MAX_ROUNDS or size > MAX_VALUE) and not checked:
                            checked = True
                            if symbol != "%" or self._loops(d):
                                self.problems.append(Problem(
                                    "uwsgi-hang",
                                    f"expanding {symbol}() in '{d.key}' never ends: uWSGI "
                                    "hangs here",
                                    d.value_span,
                                ))
                                return current()
                        continue
                segs[-1].add(src[j:k])
                total += k - j
                j = k
        finally:
            self.live = saved
        return "".join(p for s in segs for p in s.pieces)

    def _loops(self, d: Directive) -> bool:
        """Whether the ``%(name)`` references of ``d`` reach a key whose first value
        refers back to itself (directly or through others): uWSGI then loops forever.
        Other long expansions end (they are bounded by the budget)."""
        if self.refs is None:
            values = {k: self.options[i].value for k, i in self.first_index.items()}
            self.refs = {k: set(_REF_NAME.findall(v)) for k, v in values.items()}
        refs = self.refs
        # iterative depth-first search: a key met again while still open is a cycle
        done: set[str] = set()
        for top in _REF_NAME.findall(d.value):
            path: set[str] = set()
            stack: list[tuple[str, Iterator[str]]] = []
            if top not in done:
                path.add(top)
                stack.append((top, iter(refs.get(top, ()))))
            while stack:
                key, rest = stack[-1]
                name = next(rest, None)
                if name is None:
                    stack.pop()
                    path.discard(key)
                    done.add(key)
                elif name in path:
                    return True
                elif name not in done:
                    path.add(name)
                    stack.append((name, iter(refs.get(name, ()))))
        return False

    # -- inherit -------------------------------------------------------------------------
    def inherits(self) -> None:
        i = 0
        while i < len(self.options):
            d = self.options[i]
            if d.key == "inherit" and not self.configured[i]:
                self.configured[i] = True
                if not self.budget.spend("includes"):
                    return self.stop(d, "includes")
                start = len(self.options)
                self.load(d.effective, None, d, explicit=False)
                for k in range(start, len(self.options)):
                    self.configured[k] = True
                    self.options[k] = replace(self.options[k], expanded=self.options[k].value)
            i += 1


def _unreadable(path: str) -> str:
    """Why ``path`` is not read for ``@()`` (the answer :func:`fs.read_regular` cached)."""
    try:
        fs.read_regular(path, MAX_VALUE)
    except fs.Unreadable as exc:
        return str(exc)
    return "cannot read file"


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
    """glibc ``atoi()``: ``(int) strtol()``."""
    v = _strtoll(s)
    return ((v + 2**31) % 2**32) - 2**31


def leading_integer(text: str) -> tuple[int, bool, int]:
    """The integer C's ``strto*()`` read at the start of ``text`` (after ASCII blanks, an
    optional sign), as ``(value, digits, end)``: whether there were digits, and where
    they end.  Beyond 21 significant digits the value is cut (it is past any C range
    anyway, so every saturation still applies): a number of any length is read in time
    linear in its length and never converted whole (Python refuses 4,300 digits)."""
    m = _LEADING.match(text)
    assert m is not None  # the pattern matches the empty string
    sign, digits = m.groups()
    v = int(digits.lstrip("0")[:21] or "0")
    return (-v if sign == "-" else v), bool(digits), m.end()


def _strtoll(s: str) -> int:
    """``strtoll()``: the leading integer, saturated to 64 bits."""
    v = leading_integer(s)[0]
    return max(-(2**63), min(2**63 - 1, v))


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
    # a command-line path is a file's name when such a file exists; a vassal's name is
    # split as the Emperor's `uwsgi --ini NAME` splits it
    name, section = split_section(path) if config_arg else split_target(path)
    b = _Builder(name, assume, catalog)
    fmt = fmt or format_for(name)
    for d in before:
        b.add(d)
    root_index = len(b.files)
    b.load(config_arg or path, fmt, None, explicit=True, path=os.path.abspath(name),
           whole=config_arg is None and section is None)
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

