"""What an instance means: one :class:`View` per instance, built once, that answers every
question the rules ask (the last value of an option, the entries that may take effect
under undecided ``if-*`` conditions, a flag, a number as uWSGI's handler reads it, the
socket it serves on, the owner the Emperor sees), each answer computed once and cached.

Options are looked up by name with their aliases folded (``workers`` is ``processes``),
in the order uWSGI applies them (``core/uwsgi.c: uwsgi_configure()`` walks the exported
option list front to back; a scalar keeps the last value).  Rules read the View; they make
no filesystem calls: what the disk says (owners, checkout status, monitor listings) was
gathered by the tree builder (:mod:`uwsgi_lint.tree`).
"""

from __future__ import annotations

import grp
import os
import pwd
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from . import fs
from .catalog import load_catalog
from .deploy import Deployments, Launch, Published, Runs, Start, judge
from .instance import AssumeFor, Assumptions, per_file
from .instance.loader import LOADERS
from .instance.logic import logic_openers
from .model import (
    Block,
    ConfigFile,
    Directive,
    Format,
    Instance,
    Position,
    Problem,
    Role,
    Section,
    Span,
    Unread,
)
from .values import atoi, flag_is_on, is_a_number, read_number

T = TypeVar("T")
Numbers = list[tuple[Directive | None, int]]


def candidate_entries(inst: Instance, indexes: Iterable[int]) -> list[Directive | None]:
    """The entries (at ``indexes`` of ``inst.options``, in order) that may be the effective
    one of a scalar option, the last one first: walking back from the last entry, one whose
    logic condition is undecided (``inst.conditional``) may or may not apply; the first
    decided one ends the list.  When no decided entry is found, ``None`` (the default) is
    possible too.  :meth:`View.candidates`; the tree builder asks it before any View exists."""
    out: list[Directive | None] = []
    conditional, options = inst.conditional, inst.options
    for i in reversed(list(indexes)):
        out.append(options[i])
        if i not in conditional:
            return out
    out.append(None)
    return out


def flag_state(candidates: Iterable[Directive | None]) -> bool | None:
    """Whether a flag (``uwsgi_opt_true``) is on, given its :func:`candidate_entries`: every
    entry sets the flag, to off only for false/off/no/0 (``core/uwsgi.c: uwsgi_opt_true()``),
    so the last one applied wins; ``None`` (the default) is off.  ``None`` when undecided
    conditions or an unresolved value leave it open.  The one answer to "is this flag on":
    :meth:`View.flag`, and :func:`uwsgi_lint.tree.flag` for the tree builder."""
    states: set[bool] = set()
    for d in candidates:
        if d is None:
            states.add(False)
        elif d.unresolved:
            return None
        else:
            states.add(flag_is_on(d.effective))
    return states.pop() if len(states) == 1 else None


@dataclass(frozen=True, slots=True)
class IdOutcome:
    """What ``uwsgi_opt_set_uid()``/``_gid()`` leave after the `uid` (`gid`) entries, one way
    the undecided entries may go (:meth:`View.id_outcomes`)."""

    ident: int  # ``uwsgi.uid``/``gid``: the last number, as a uid_t; 0: unset
    id_entry: Directive | None  # the entry whose number that is
    name_entry: Directive | None  # the entry kept as the name: the last read while the id was 0


class AsRoot(Enum):
    """What ``core/utils.c: uwsgi_as_root()``, started as root, does with a `uid`."""

    KEEPS = "keeps root"
    DROPS = "drops root"
    EXITS = "exits"


class Views:
    """The Views of one run, one per instance (the Emperor's and its vassals' included)."""

    def __init__(self, assume: Assumptions | AssumeFor) -> None:
        self.assume_for = per_file(assume)
        self._by_instance: dict[int, View] = {}
        # disk facts asked by rules, once per run: (question, path) -> answer
        self.disk: dict[tuple[str, str], object] = {}
        # facts about one file read, once per run: (question, id(file)) -> (file, answer)
        self.per_file: dict[tuple[str, int], tuple[ConfigFile, object]] = {}
        # the deployment files of the tree (Dockerfiles, systemd units ...), once per run
        self.deployments = Deployments()

    def of(self, inst: Instance) -> View:
        view = self._by_instance.get(id(inst))
        if view is None:
            view = self._by_instance[id(inst)] = View(inst, self)
        return view

    def release(self, inst: Instance) -> None:
        """Forget the answers about ``inst`` once its rules have run (a vassal's View is
        made again if another instance asks): memory stays per instance, not per run.
        An Emperor's View is kept: its vassals ask it."""
        if inst.role is not Role.EMPEROR:
            self._by_instance.pop(id(inst), None)


class View:
    """One instance as the rules see it (see the module docstring)."""

    __slots__ = ("_answers", "_by_key", "_keys", "assume", "catalog", "inst", "views")

    def __init__(self, inst: Instance, views: Views) -> None:
        self.inst = inst
        self.views = views
        self.assume = views.assume_for(inst.root.path)
        self.catalog = load_catalog(self.assume.version)
        self._answers: dict[tuple[str, object], object] = {}
        by_key: dict[str, list[int]] = {}
        for i, d in enumerate(inst.options):
            by_key.setdefault(d.key, []).append(i)
        self._by_key = by_key
        self._keys: frozenset[str] | None = None

    def _cached(self, question: str, arg: object, answer: Callable[[], T]) -> T:
        key = (question, arg)
        try:
            return self._answers[key]  # type: ignore[return-value]
        except KeyError:
            value = self._answers[key] = answer()
            return value

    # -- the option list ------------------------------------------------------------

    @property
    def keys(self) -> frozenset[str]:
        """Every option name written in this instance, as written (aliases not folded)."""
        if self._keys is None:
            self._keys = frozenset(self._by_key)
        return self._keys

    def names(self, name: str) -> frozenset[str]:
        """``name`` and its aliases (they set the same thing)."""
        return self.catalog.same_option(name)

    def _indexes(self, name: str) -> list[int]:
        def answer() -> list[int]:
            found = [self._by_key.get(n, ()) for n in self.names(name)]
            hit = [f for f in found if f]
            if len(hit) <= 1:
                return list(hit[0]) if hit else []
            return sorted(i for f in hit for i in f)

        return self._cached("indexes", name, answer)

    def sets(self, name: str) -> bool:
        """Whether any entry sets ``name`` (or an alias)."""
        return bool(self._indexes(name))

    def entries(self, name: str) -> list[Directive]:
        """Every entry that sets ``name`` (or an alias), in the order uWSGI applies them."""
        options = self.inst.options
        return [options[i] for i in self._indexes(name)]

    def first(self, name: str) -> Directive | None:
        found = self._indexes(name)
        return self.inst.options[found[0]] if found else None

    def last(self, name: str) -> Directive | None:
        """The entry whose value takes effect for a scalar option: the last one."""
        found = self._indexes(name)
        return self.inst.options[found[-1]] if found else None

    def candidates(self, name: str) -> list[Directive | None]:
        """The entries of a scalar option that may be the effective one, the last one first
        (:func:`candidate_entries`)."""
        return self._cached("candidates", name,
                            lambda: candidate_entries(self.inst, self._indexes(name)))

    def flag(self, name: str) -> bool | None:
        """Whether a flag (``uwsgi_opt_true``) is on: the last entry applied wins
        (:func:`flag_state`); ``None`` when undecided conditions or an unresolved value
        leave it open.  Every rule asks this, and chooses what an open answer means for
        it (``is True``: surely on; ``is not False``: maybe on)."""
        return self._cached("flag", name, lambda: flag_state(self.candidates(name)))

    def numbers(self, name: str, default: int) -> Numbers | None:
        """What a numeric scalar option may be worth: ``(entry, number)`` per candidate
        (``None`` entry: the default), read as its handler reads it.  ``None`` when that
        cannot be told here: a value with an unresolved reference, or a negative ``int``
        (uWSGI exits on it: UW104's case)."""

        def answer() -> Numbers | None:
            opt = self.catalog.get(name)
            kind = opt.value_kind if opt is not None and opt.value_kind else "int"
            out: Numbers = []
            for d in self.candidates(name):
                if d is None:
                    out.append((None, default))
                    continue
                if d.unresolved:
                    return None
                n = read_number(kind, d.effective).value
                if kind == "int" and n < 0:
                    return None
                out.append((d, n))
            return out

        return self._cached("numbers", (name, default), answer)

    def unique(self) -> list[tuple[int, Directive]]:
        """``(index, entry)`` once per source position: an included file read twice or a
        ``for`` body emitted once per item gives one entry; the entry that
        ``set = name=value`` adds shares its line but not its key, and is kept."""

        def answer() -> list[tuple[int, Directive]]:
            seen: set[tuple[str, tuple[int, int], str]] = set()
            out = []
            for i, d in enumerate(self.inst.options):
                where = (d.file, d.loc.whole, d.key)
                if where not in seen:
                    seen.add(where)
                    out.append((i, d))
            return out

        return self._cached("unique", None, answer)

    def by_handler(self, handlers: Iterable[str]) -> list[Directive]:
        """The entries whose option is read by one of ``handlers``, in order."""
        wanted = frozenset(handlers)

        def answer() -> list[Directive]:
            get = self.catalog.get
            return [d for d in self.inst.options
                    if (o := get(d.key)) is not None and o.handler in wanted]

        return self._cached("by_handler", wanted, answer)

    def problems(self, code: str) -> list[Problem]:
        """What the readers and the expander recorded with ``code`` for this instance
        (``ConfigFile.stopped`` included), each once: a file read twice, for two sections
        or by two includes, records its problems twice."""

        def answer() -> dict[str, list[Problem]]:
            seen: set[tuple[str, Span, str]] = set()
            by_code: dict[str, list[Problem]] = {}
            stops = [f.stopped for f in self.inst.files if f.stopped is not None]
            for p in [*self.inst.problems, *stops]:
                if (p.code, p.span, p.message) not in seen:
                    seen.add((p.code, p.span, p.message))
                    by_code.setdefault(p.code, []).append(p)
            return by_code

        return self._cached("problems", None, answer).get(code, [])

    # problems that say options written in the tree are missing from the option list: a
    # file that cannot be read or parsed (UW001: uWSGI exits on it), a section not found or
    # hidden (UW002, UW003, UW004), keys outside it (UW005), uWSGI's YAML reader stopping
    # or skipping keys (UW007, UW008, UW011, UW012), JSON values dropped (UW014), an
    # include missing or recursing (UW020, UW021: uWSGI exits there), a budget reached
    # (UW025: the expansion stopped)
    INCOMPLETE = ("UW001", "UW002", "UW003", "UW004", "UW005", "UW007", "UW008", "UW011",
                  "UW012", "UW014", "UW020", "UW021", "UW025")
    # options whose value names where more config comes from, besides the loaders (`ini`,
    # `include`, `inherit` ...): the Emperor's monitors and what it adds to each vassal
    SOURCE_OPTIONS = frozenset({"emperor", "vassals-include", "vassals-inherit",
                                "vassals-include-before", "vassals-inherit-before"})

    def names_config(self, key: str) -> bool:
        """Whether the value of ``key`` names a config source (a loader such as `ini`,
        `include`, `inherit`, or one of ``SOURCE_OPTIONS``), rather than a value: an
        ``@(exec://...)`` there decides what is read, elsewhere only the value."""
        opt = self.catalog.get(key)
        return key in self.SOURCE_OPTIONS or (opt is not None and opt.handler in LOADERS)

    def unread_sources(self) -> list[Unread]:
        """The config sources this instance loads that were not read (``Instance.unread``:
        a scheme, a file outside the tree, an ``@()`` in an `inherit`): what they add to its
        options is unknown.  Not an ``@()`` in another value (it gives that value, no
        options), a loop's items, an undecided condition, nor an Emperor's monitor."""
        return self._cached("unread_sources", None, lambda: [
            u for u in self.inst.unread
            if (o := self.catalog.get(u.directive.key)) is not None and o.handler in LOADERS])

    def read_whole(self) -> bool:
        """Whether the option list holds everything the tree shows this instance is given:
        no file stopped early or lost keys (a problem with a code of ``INCOMPLETE``,
        ``ConfigFile.stopped``) and every config source it loads was read
        (:meth:`unread_sources`).  A rule that reports the ABSENCE of an option ("no
        `uid`", "without `memory-report`", a `%(name)` nothing defines) says nothing when
        this is False: the option may be in what was not read (an XML file that sets
        `<uid>` after a parse error)."""
        return self._cached("read_whole", None, lambda: not self.unread_sources() and not any(
            self.problems(code) for code in self.INCOMPLETE))

    # -- facts for the value and format rules (UW0xx, UW1xx) ------------------------

    _PLACEHOLDER = re.compile(r"%\(([^()]*)\)")
    _SUM_OPERATORS = frozenset({"+", "-", "*", "/", "++", "--"})

    def placeholder_names(self) -> frozenset[str]:
        """Keys read as placeholders, not options: a ``%(key)`` in some value (the value
        after magic substitution, as the ``%()`` pass reads it; the words of a
        ``%(a + 1)`` sum, operators left out) and the key an ``if-opt``/``if-not-opt``
        tests (``core/config.c: uwsgi_manage_placeholder()``)."""

        def answer() -> frozenset[str]:
            names: set[str] = set()
            for d in self.inst.options:
                if "%(" in d.value:
                    for m in self._PLACEHOLDER.finditer(d.value):
                        names.update(t for t in m.group(1).split(" ")
                                     if t and t not in self._SUM_OPERATORS)
            for key in ("if-opt", "if-not-opt"):
                for i in self._by_key.get(key, ()):
                    names.add(self.inst.options[i].value.partition("=")[0])
            return frozenset(names)

        return self._cached("placeholder_names", None, answer)

    def written_as(self, key: str) -> tuple[int, int] | None:
        """The indexes of the first and the last entry written exactly ``key``: ``%(key)``
        reads the first and follows no alias (``core/config.c: uwsgi_manage_placeholder()``)."""
        found = self._by_key.get(key)
        return (found[0], found[-1]) if found else None

    def referring(self) -> list[tuple[int, Directive]]:
        """The :meth:`unique` entries whose value holds a ``$(``, ``@(`` or ``%(``: what
        ``core/utils.c: uwsgi_apply_config_pass()`` expands (unless the option was applied
        while the file was read, before the passes)."""

        def answer() -> list[tuple[int, Directive]]:
            return [(i, d) for i, d in self.unique()
                    if "%(" in d.value or "$(" in d.value or "@(" in d.value]

        return self._cached("referring", None, answer)

    def written_in(self, fmt: Format) -> list[tuple[int, Directive]]:
        """The :meth:`unique` entries written in ``fmt``: what that format's reader made."""

        def answer() -> dict[Format, list[tuple[int, Directive]]]:
            out: dict[Format, list[tuple[int, Directive]]] = {}
            for i, d in self.unique():
                out.setdefault(d.format, []).append((i, d))
            return out

        return self._cached("written_in", None, answer).get(fmt, [])

    def files(self) -> list[ConfigFile]:
        """The files read, each path once (its first read)."""

        def answer() -> list[ConfigFile]:
            first: dict[str, ConfigFile] = {}
            for f in self.inst.files:
                first.setdefault(f.path, f)
            return list(first.values())

        return self._cached("files", None, answer)

    def _per_file(self, question: str, cfg: ConfigFile, answer: Callable[[], T]) -> T:
        """An answer about one file read, computed once per run (``Views.per_file``): a
        file that every vassal includes is read by every vassal."""
        key = (question, id(cfg))
        found = self.views.per_file.get(key)
        if found is None:  # the entry keeps ``cfg`` alive: its id is not reused
            found = self.views.per_file[key] = (cfg, answer())
        return found[1]  # type: ignore[return-value]

    def percent_values(self, cfg: ConfigFile) -> list[tuple[Directive, str]]:
        """``(directive, value as written)`` for the directives of ``cfg`` whose value as
        written holds a ``%``, each source position once, in every section:
        ``core/utils.c: magic_sub()`` runs over the whole file before any parser."""

        def answer() -> list[tuple[Directive, str]]:
            seen: set[tuple[int, int]] = set()
            has_percent: dict[int, bool] = {}  # per source text, asked once
            out = []
            for sec in cfg.sections:
                for d in sec.directives():
                    if d.loc.whole in seen:
                        continue
                    seen.add(d.loc.whole)
                    text = d.loc.text
                    found = has_percent.get(id(text))
                    if found is None:
                        found = has_percent[id(text)] = "%" in getattr(text, "source", "%")
                    if found and "%" in (raw := d.raw_value):
                        out.append((d, raw))
            return out

        return self._per_file("percent_values", cfg, answer)

    def nested_openers(self, cfg: ConfigFile) -> list[tuple[Section, Block, Directive]]:
        """``(section, outer block, opener)`` for each logic opener written in the body
        of another block of ``cfg`` (``core/config.c: add_exported_option_do()`` has no
        nesting)."""

        def answer() -> list[tuple[Section, Block, Directive]]:
            openers = logic_openers(self.catalog)
            return [(sec, item, d) for sec in cfg.sections for item in sec.items
                    if isinstance(item, Block) for d in item.body if d.key in openers]

        return self._per_file("nested_openers", cfg, answer)

    # -- what the instance serves requests on, and what runs beside an Emperor ---------

    # option handlers that add a socket through generate_socket_name() (core/uwsgi.c):
    # the app's sockets (``uwsgi.sockets``), served by its workers
    SOCKET_HANDLERS = frozenset({
        "uwsgi_opt_add_socket",
        "uwsgi_opt_add_ssl_socket",
        "uwsgi_opt_add_socket_no_defer",
        "uwsgi_opt_add_lazy_socket",
    })
    LAZY_SOCKET_HANDLER = "uwsgi_opt_add_lazy_socket"
    SHARED_SOCKET_HANDLER = "uwsgi_opt_add_shared_socket"
    # the routers: each binds its own socket (``has_sockets``), and that makes
    # ``plugins/corerouter/corerouter.c: uwsgi_corerouter_init()`` register its gateway
    # process; a router's `*-subscription-server` or `*-zerg` alone registers none
    ROUTER_HANDLERS = frozenset({
        "uwsgi_opt_corerouter",
        "uwsgi_opt_undeferred_corerouter",
        "uwsgi_opt_https",
        "uwsgi_opt_sslrouter",
    })
    # where the instance serves requests: a socket of the app or of a router (:meth:`serving`)
    SERVES_HANDLERS = SOCKET_HANDLERS | ROUTER_HANDLERS
    # the other gateways: list options of plugins whose init registers a gateway process
    # (``uwsgi_tuntap_router_init()``, ``zergpool_init()``) (:meth:`socket_or_gateway`)
    GATEWAY_NAMES = frozenset({"tuntap-router", "zergpool"})
    # what binds a socket: the sockets (but the ZeroMQ ones, which
    # ``uwsgi_opt_add_lazy_socket()`` leaves to the plugin), the shared sockets, the
    # routers, and the stats servers (a UNIX socket when the value has no ':')
    BINDING_HANDLERS = (SOCKET_HANDLERS - {LAZY_SOCKET_HANDLER}) | ROUTER_HANDLERS | {
        SHARED_SOCKET_HANDLER}
    STATS_SERVERS = frozenset({"stats", "fastrouter-stats", "http-stats", "rawrouter-stats",
                               "sslrouter-stats", "emperor-stats"})

    def serving(self) -> Directive | None:
        """Where the instance serves requests: the first socket of the app or of a router
        (an option read by one of ``SERVES_HANDLERS``).  The app, or the router in front
        of others, answers whoever connects there (UW504 asks it: as which user)."""
        found = self.by_handler(self.SERVES_HANDLERS)
        return found[0] if found else None

    def socket_or_gateway(self) -> Directive | None:
        """Whether a master runs anything beside an Emperor (UW201, UW202 ask it): the first
        entry that gives the instance workers on an app socket or a gateway process -- a
        :meth:`serving` entry (an app socket or a router) or a ``GATEWAY_NAMES`` one.  With
        none, the master runs the Emperor alone.  A superset of :meth:`serving`:
        ``tuntap-router`` and ``zergpool`` run a gateway that serves no app request; a
        router's `*-subscription-server` or `*-zerg` alone runs nothing (uWSGI 2.0.31 with
        `master`, an Emperor and `fastrouter-subscription-server` forks the Emperor only)."""

        def answer() -> Directive | None:
            get = self.catalog.get
            gateways = {n for name in self.GATEWAY_NAMES for n in self.names(name)}
            for d in self.inst.options:
                if d.key in gateways or ((o := get(d.key)) is not None
                                         and o.handler in self.SERVES_HANDLERS):
                    return d
            return None

        return self._cached("socket_or_gateway", None, answer)

    def binds(self) -> list[Directive]:
        """The entries that bind a socket at start-up, once per source position, in order:
        an option read by one of ``BINDING_HANDLERS``, or a stats server
        (``STATS_SERVERS``)."""

        def answer() -> list[Directive]:
            get = self.catalog.get
            stats = {n for name in self.STATS_SERVERS for n in self.names(name)}
            return [d for _, d in self.unique()
                    if d.key in stats or ((o := get(d.key)) is not None
                                          and o.handler in self.BINDING_HANDLERS)]

        return self._cached("binds", None, answer)

    # -- facts for the start-up, cheaper, Broodlord and Emperor rules (UW12x-UW4xx) ----

    MASTER_FLAGS = frozenset({"MASTER", "LOG_MASTER", "REQ_LOG_MASTER"})

    def governs(self) -> bool:
        """The instance runs an Emperor: it has an ``emperor`` monitor."""
        return "emperor" in self.keys

    def loaded_plugins(self) -> frozenset[str]:
        """The plugins the instance loads: the assumed ones (``--plugin``, as given) and
        those of every ``plugins`` entry (``uwsgi_opt_load_plugin``), without directory,
        ``_plugin.so``/``.so`` suffix or version digits (``python3_plugin.so`` -> ``python``).
        """

        def answer() -> frozenset[str]:
            loaded = set(self.assume.plugins or ())
            for d in self.entries("plugins"):
                for spec in re.split(r"[,\s]+", d.value):
                    if not spec:
                        continue
                    name = os.path.basename(spec.strip())
                    for suffix in ("_plugin.so", ".so"):
                        name = name.removesuffix(suffix)
                    loaded.add(name.rstrip("0123456789") or name)
            return frozenset(loaded)

        return self._cached("loaded_plugins", None, answer)

    def master_features(self) -> list[tuple[int, Directive]]:
        """``(index, entry)`` once per source position for the options whose MASTER /
        LOG_MASTER flag turns the master on (``core/config.c``), when uWSGI knows the option
        as the key is added (core, the default build or a loaded plugin)."""

        def answer() -> list[tuple[int, Directive]]:
            plugins = self.loaded_plugins()
            get = self.catalog.get
            out = []
            for i, d in self.unique():
                opt = get(d.key)
                if opt is None or not self.MASTER_FLAGS & opt.flags:
                    continue
                if opt.plugin == "core" or opt.default_build or opt.plugin in plugins:
                    out.append((i, d))
            return out

        return self._cached("master_features", None, answer)

    def master_switch(self) -> Directive | None:
        """The entry that turns the master on, when it surely is: the effective ``master``
        line when :meth:`flag` says it is on, or (``master`` never set) the first decided
        option flagged MASTER."""

        def answer() -> Directive | None:
            found = self.candidates("master")
            if found == [None]:
                conditional = self.inst.conditional
                decided = [d for i, d in self.master_features() if i not in conditional]
                return decided[0] if decided else None
            return found[0] if self.flag("master") is True else None

        return self._cached("master_switch", None, answer)

    def decided_number(self, name: str, default: int) -> tuple[Directive | None, int] | None:
        """The value of a numeric scalar when only one entry (or the default) can apply."""
        found = self.numbers(name, default)
        return found[0] if found is not None and len(found) == 1 else None

    def broodlord(self) -> tuple[bool | None, Directive | None]:
        """Whether this Emperor answers SOS messages (``emperor-broodlord`` above 0:
        ``core/emperor.c: emperor_loop()``; ``None``: cannot be told) and the effective
        ``emperor-broodlord`` entry."""
        numbers = self.numbers("emperor-broodlord", 0)
        states = {n > 0 for _, n in numbers} if numbers is not None else set()
        if numbers is None or len(states) != 1:
            return None, None
        return states.pop(), numbers[0][0]

    def governing_broodlord(self) -> Directive | None:
        """The ``emperor-broodlord`` entry of this vassal's Emperor, when it surely answers
        SOS messages."""
        emperor = self.emperor
        if emperor is None:
            return None
        on, line = emperor.broodlord()
        return line if on else None

    def sos(self) -> list[tuple[Directive, int]]:
        """The entries with which this instance surely asks its Emperor for reinforcements
        (``vassal-sos``, ``vassal-sos-backlog`` above 0 in every case: ``core/master.c``),
        and their value."""

        def answer() -> list[tuple[Directive, int]]:
            out = []
            for name in ("vassal-sos", "vassal-sos-backlog"):
                numbers = self.numbers(name, 0)
                if not numbers or numbers[0][0] is None or not all(n > 0 for _, n in numbers):
                    continue
                out.append((numbers[0][0], numbers[0][1]))
            return out

        return self._cached("sos", None, answer)

    def disk_is_file(self, path: str) -> bool:
        """``os.path.isfile(path)``, asked once per run (``Views.disk``)."""
        key = ("isfile", path)
        disk = self.views.disk
        if key not in disk:
            disk[key] = os.path.isfile(path)
        return bool(disk[key])

    def dangling_link(self, path: str) -> str | None:
        """The relative target of ``path`` when it is a symlink that points nowhere, asked
        once per run (``Views.disk``); never judged outside the linted tree, nor for an
        absolute target (a server path, which this machine need not have)."""
        key = ("dangling", path)
        disk = self.views.disk
        if key not in disk:
            target: str | None = None
            if os.path.islink(path) and fs.inside(path) and not os.path.exists(path):
                try:
                    target = os.readlink(path)
                except OSError:
                    target = None
                if target is not None and os.path.isabs(target):
                    target = None
            disk[key] = target
        found = disk[key]
        return found if isinstance(found, str) else None

    # -- who the instance runs as: Tyrant mode, `uid`/`gid` (UW12x, UW30x, UW504) --------

    # an Emperor that keeps root for its vassals although it sets `uid` (core/uwsgi.c:
    # uwsgi_start() drops privileges before starting the Emperor unless one of these is set)
    EMPEROR_KEEPS_ROOT = ("early-emperor", "master-as-root", "drop-after-init",
                          "drop-after-apps")
    _OUTCOMES_MAX = 64  # ways the undecided `uid`/`gid` entries may go, before giving up

    def tyrant(self) -> Directive | None:
        """The `emperor-tyrant` entry that puts this Emperor in Tyrant mode, when it surely
        does (:meth:`flag`: a later `emperor-tyrant = false` turns it off again)."""
        return self.last("emperor-tyrant") if self.flag("emperor-tyrant") is True else None

    def id_outcomes(self, key: str) -> list[IdOutcome] | None:
        """Replay ``core/uwsgi.c: uwsgi_opt_set_uid()``/``_gid()`` over the ``key`` ("uid",
        "gid") entries: a number (``is_a_number()``: digits only, the empty value too) sets
        the id (``atoi()`` stored in a ``uid_t``), and while the id is 0 the value is kept as
        the name that ``uwsgi_as_root()`` looks up (a later number leaves it in place).

        Every outcome the undecided entries allow (each may apply or not), ordered by the
        position of their name entry, then of their id entry: the last one is the latest.
        ``None`` when a value is unresolved, or the outcomes are too many to follow.  The
        one replay of these handlers: :meth:`id_setting`, :meth:`id_name` and
        :meth:`uid_effect` read it."""

        def answer() -> list[IdOutcome] | None:
            options, conditional = self.inst.options, self.inst.conditional
            states = {(0, -1, -1)}  # (id, index of its entry, index of the name entry)
            for i in self._indexes(key):
                d = options[i]
                if d.unresolved:
                    return None
                number = atoi(d.effective).value % 2**32 if is_a_number(d.effective) else None
                after = set()
                for ident, at_id, at_name in states:
                    if number is not None:
                        ident, at_id = number, i
                    after.add((ident, at_id, i if ident == 0 else at_name))
                states = after | states if i in conditional else after
                if len(states) > self._OUTCOMES_MAX:
                    return None
            return [IdOutcome(ident, options[at_id] if at_id >= 0 else None,
                              options[at_name] if at_name >= 0 else None)
                    for ident, at_id, at_name in sorted(states, key=lambda s: (s[2], s[1]))]

        return self._cached("id_outcomes", key, answer)

    def id_setting(self, key: str) -> IdOutcome | None:
        """What the ``key`` ("uid", "gid") entries leave (:meth:`id_outcomes`), when the
        undecided entries cannot change it."""
        found = self.id_outcomes(key)
        return found[0] if found is not None and len(found) == 1 else None

    def id_name(self, key: str) -> tuple[Directive | None, bool]:
        """The ``key`` ("uid", "gid") entry that ``uwsgi_as_root()`` looks up as a name
        whenever that entry applies: the latest name entry of the :meth:`id_outcomes` (an
        outcome with an earlier name, or none, is one where it did not apply); and whether
        a non-zero number may follow it (which leaves the name in place)."""
        found = self.id_outcomes(key)
        named = [o for o in found or () if o.name_entry is not None]
        if not named:
            return None, False
        entry = named[-1].name_entry
        return entry, any(o.ident != 0 for o in named if o.name_entry is entry)

    def as_root(self, o: IdOutcome) -> AsRoot:
        """What ``core/utils.c: uwsgi_as_root()``, started as root, does with the `uid`
        outcome ``o``: a kept name is looked up (``getpwnam()``: its uid replaces any
        number), else the number is the uid; 0 keeps root, another uid is ``setuid()``.

        A name is looked up on this machine (:meth:`account_id`); one unknown here is
        taken for an account of the server (it drops root), unless it is made of digits
        (``uid = 0``: "user 0 not found.", an exit: UW122).  ``setuid(4294967295)`` is
        ``setuid(-1)``, refused with EINVAL: an exit.  (uWSGI 2.0.31, run as root:
        ``uid = 3000000000`` logs "setuid() to -1294967296" and runs as uid 3000000000;
        ``uid = 4294967295`` exits with "setuid(): Invalid argument"; ``uid = 33`` then
        ``uid = root`` runs as 33; ``uid = www-data`` then ``uid = 1000`` runs as 33.)"""
        if o.name_entry is not None:
            name = o.name_entry.effective
            uid = 0 if name == "root" else self.account_id("uid", name)
            if uid is None:
                return AsRoot.EXITS if is_a_number(name) else AsRoot.DROPS
        else:
            uid = o.ident
        if uid == 0:
            return AsRoot.KEEPS
        return AsRoot.EXITS if uid == 2**32 - 1 else AsRoot.DROPS

    def uid_effect(self) -> tuple[AsRoot, Directive | None] | None:
        """What uWSGI, started as root, does with its `uid` (:meth:`as_root`), and the entry
        that decides it (the name looked up, else the number; ``None``: no `uid`), when
        every way the undecided entries may go agrees; ``None`` when they do not, or a
        value is unresolved.  The one answer to "does this `uid` drop root"."""

        def answer() -> tuple[AsRoot, Directive | None] | None:
            found = self.id_outcomes("uid")
            if found is None:
                return None
            effects = {self.as_root(o) for o in found}
            if len(effects) != 1:
                return None
            last = found[-1]
            return effects.pop(), last.name_entry if last.name_entry is not None else (
                last.id_entry)

        return self._cached("uid_effect", None, answer)

    def emperor_drop(self) -> Directive | None:
        """The entry with which this instance surely drops root before it starts its
        Emperor: a decided `immediate-uid` (``uwsgi_opt_set_immediate_uid()`` calls
        ``setuid()`` while the config is read, or exits), else a `uid` that drops root
        (:meth:`uid_effect`) when ``core/uwsgi.c: uwsgi_start()`` calls ``uwsgi_as_root()``
        before ``uwsgi_emperor_start()``: no `chown-socket`, and none of
        ``EMPEROR_KEEPS_ROOT`` maybe on."""

        def answer() -> Directive | None:
            conditional, options = self.inst.conditional, self.inst.options
            for i in self._indexes("immediate-uid"):
                if i not in conditional and not options[i].unresolved:
                    return options[i]
            if self.sets("chown-socket"):
                return None
            if any(self.flag(name) is not False for name in self.EMPEROR_KEEPS_ROOT):
                return None
            effect = self.uid_effect()
            return effect[1] if effect is not None and effect[0] is AsRoot.DROPS else None

        return self._cached("emperor_drop", None, answer)

    def drops_root_for_vassals(self) -> bool:
        """An Emperor that starts its vassals without root: in Tyrant mode
        (:meth:`tyrant`), or after it dropped root itself (:meth:`emperor_drop`)."""
        return self.tyrant() is not None or self.emperor_drop() is not None

    def unprivileged_vassal(self) -> bool:
        """A vassal that its Emperor starts without root (:meth:`drops_root_for_vassals`),
        where `uid`/`gid` names are ignored (``uwsgi_as_root()``'s non-root branch)."""
        emperor = self.emperor
        return (self.inst.role is Role.VASSAL and emperor is not None
                and emperor.drops_root_for_vassals())

    # -- how the tree shows the instance is deployed (:mod:`uwsgi_lint.deploy`) --------

    def launches(self) -> list[Launch]:
        """The deployment files that start or ship this instance's own file (a Dockerfile,
        a compose service, a systemd unit ...: :class:`~uwsgi_lint.deploy.Deployments`)."""
        return self._cached("launches", None,
                            lambda: self.views.deployments.of(self.inst.root.path))

    def start(self) -> Start:
        """Who starts this instance, as the tree shows it (:func:`~uwsgi_lint.deploy.judge`,
        the ``context`` setting filling in what it does not say).  A vassal is started by
        its Emperor: without root when the Emperor drops it first
        (:meth:`drops_root_for_vassals`; uWSGI 2.0.31 run as root with `uid = nobody` in
        the Emperor, with or without `master`, runs the vassals and their workers as
        nobody; with `master-as-root` they stay root), else as the Emperor is started --
        or, when that is not known, in the container its own file is shipped into."""

        def answer() -> Start:
            emperor = self.emperor if self.inst.role is Role.VASSAL else None
            if emperor is None:
                return judge(self.launches(), self.assume.where)
            if emperor.drops_root_for_vassals():
                return Start(Runs.UNPRIVILEGED)
            started = emperor.start()
            if started.runs is Runs.UNKNOWN:
                own = judge(self.launches(), "auto")
                return own if own.runs is Runs.CONTAINER else started
            return started

        return self._cached("start", None, answer)

    def _chain_launches(self) -> list[Launch]:
        """The launches of this instance's file and of the Emperors that start it."""
        out: list[Launch] = []
        view: View | None = self
        while view is not None:
            out.extend(view.launches())
            view = view.emperor if view.inst.role is Role.VASSAL else None
        return out

    def in_container(self) -> bool:
        """Whether the instance runs in a container: the tree ships its file, or the file
        of an Emperor that starts it, into one (a Dockerfile, a compose service, a
        Kubernetes manifest, a Procfile); when it does not say, ``context = "container"``."""
        return self._cached("in_container", None, lambda: any(
            launch.container for launch in self._chain_launches())
            or self.assume.where == "container")

    def published(self, port: str) -> Published | None:
        """The compose ``ports`` entry that publishes the container port ``port`` of this
        instance (or of the Emperor that starts it) on every interface of the host."""
        for launch in self._chain_launches():
            for p in launch.ports:
                if p.port == port and p.everywhere:
                    return p
        return None

    # -- facts for the Tyrant and exposure rules (UW30x, UW5xx) ----------------------

    VCS_DIRS = (".git", ".hg", ".svn", ".bzr")

    @property
    def deployed_owner(self) -> tuple[int, int] | None:
        """The owner the Emperor sees for this vassal's file (``Instance.owner``), when it
        says something about the deployed file: ``None`` inside a version-control checkout
        (the owner is whoever cloned it; an etckeeper-managed ``/etc`` counts as deployed)
        and in a copy of a vassals directory that lives elsewhere (a monitor whose
        absolute path was found inside the linted tree: ``Monitor.mapped_from``)."""
        inst = self.inst
        if inst.owner is None or (inst.monitor is not None and inst.monitor.mapped_from):
            return None
        if self._in_checkout(os.path.dirname(os.path.abspath(inst.root.path))):
            return None
        return inst.owner

    def _in_checkout(self, directory: str) -> bool:
        """Whether ``directory`` lies in a version-control working tree (not an etckeeper
        ``/etc``), asked once per directory per run (``Views.disk``)."""
        key = ("checkout", directory)
        disk = self.views.disk
        if key not in disk:
            if any(os.path.exists(os.path.join(directory, v)) for v in self.VCS_DIRS):
                disk[key] = not os.path.exists(os.path.join(directory, ".etckeeper"))
            else:
                parent = os.path.dirname(directory)
                disk[key] = parent != directory and self._in_checkout(parent)
        return bool(disk[key])

    def account_name(self, key: str, ident: int) -> str | None:
        """The name of user (``key`` "uid") or group ("gid") ``ident`` on this machine,
        looked up once per run (``Views.disk``)."""
        found = self._account((f"{key}-name", str(ident)), lambda: (
            pwd.getpwuid(ident).pw_name if key == "uid" else grp.getgrgid(ident).gr_name))
        return found if isinstance(found, str) else None

    def account_id(self, key: str, name: str) -> int | None:
        """What the user (``key`` "uid") or group ("gid") ``name`` is on this machine,
        looked up once per run (``Views.disk``)."""
        found = self._account((f"{key}-id", name), lambda: (
            pwd.getpwnam(name).pw_uid if key == "uid" else grp.getgrnam(name).gr_gid))
        return found if isinstance(found, int) else None

    def _account(self, k: tuple[str, str], lookup: Callable[[], object]) -> object:
        """A passwd/group database answer, asked once per run (``None``: no such entry)."""
        disk = self.views.disk
        if k not in disk:
            try:
                disk[k] = lookup()
            except (KeyError, ValueError, OverflowError):
                disk[k] = None
        return disk[k]

    def link_target(self) -> tuple[str, tuple[int, int]] | None:
        """What the instance's file, a symlink, points to (as the link says) and the owner
        of the file it leads to (``stat()`` follows the link), asked once per run
        (``Views.disk``); ``None`` when the disk cannot tell."""
        path = self.inst.root.path
        key = ("link-target", path)
        disk = self.views.disk
        if key not in disk:
            try:
                st = os.stat(path)
                disk[key] = (os.readlink(path), (st.st_uid, st.st_gid))
            except OSError:
                disk[key] = None
        found = disk[key]
        return found if isinstance(found, tuple) else None

    # -- the tree -------------------------------------------------------------------

    @property
    def emperor(self) -> View | None:
        """The View of the Emperor that starts this vassal."""
        e = self.inst.emperor
        return self.views.of(e) if e is not None else None

    @property
    def vassals(self) -> Sequence[View]:
        return [self.views.of(v) for v in self.inst.vassals]

    @property
    def file_start(self) -> Span:
        """1:1 of the instance's own file: where findings about the whole file go."""
        return Span(self.inst.root.path, Position(1, 1), Position(1, 1))


    # -- facts between instances (UW216-UW221: :mod:`uwsgi_lint.rules.deployment`) ---

    @property
    def emperor_name(self) -> str | None:
        """The name this vassal's Emperor knows it by (:func:`uwsgi_lint.tree.emperor_name`:
        the bare file name under a directory monitor)."""
        from .tree import emperor_name

        inst = self.inst
        if inst.role is not Role.VASSAL or inst.monitor is None or inst.emperor is None:
            return None
        return emperor_name(inst.root.path, inst.monitor, inst.emperor.cwd)

    def bound_addresses(self) -> list[tuple[str, Directive]]:
        """``(address, entry)`` for each :meth:`binds` entry, resolved once per run of this
        View: a UNIX socket as its absolute path (relative to the instance's working
        directory; ``@name`` for an abstract one), a TCP one as ``host:port`` (``:port``
        and ``0.0.0.0:port`` alike).  Left out: unresolved values, entries under an
        undecided condition, references to a shared socket (``=0``), port 0 (any free
        port) and file descriptors."""

        def answer() -> list[tuple[str, Directive]]:
            conditional, options = self.inst.conditional, self.inst.options
            undecided = {id(options[i]) for i in conditional}
            out = []
            for d in self.binds():
                if d.unresolved or id(d) in undecided:
                    continue
                address = socket_address(d.effective.split(",")[0].strip(), self.inst.cwd)
                if address is not None:
                    out.append((address, d))
            return out

        return self._cached("bound_addresses", None, answer)

    def on_demand_socket(self) -> tuple[str, Directive] | None:
        """The UNIX socket this vassal's Emperor binds for it in on-demand mode
        (``core/emperor.c: emperor_check_on_demand_socket()``), as an absolute path, and
        the Emperor's entry that asks for it: `emperor-on-demand-directory` (``DIR/`` the
        vassal's name up to its last dot ``.socket``) or `emperor-on-demand-extension`
        (the first line of the file named like the vassal plus that extension).  Relative
        paths are resolved where the Emperor is when it scans: in the directory it
        watches (a directory monitor), else in its working directory."""

        def answer() -> tuple[str, Directive] | None:
            emperor, name, monitor = self.emperor, self.emperor_name, self.inst.monitor
            if emperor is None or name is None or monitor is None:
                return None
            here = monitor.target if monitor.kind == "dir" else emperor.inst.cwd
            ext = emperor.last("emperor-on-demand-extension")
            if ext is not None:  # the extension wins (the order of the C checks)
                if ext.unresolved or not ext.effective:
                    return None
                try:
                    text = fs.read_regular(os.path.join(here, name + ext.effective), 4096)
                except (OSError, fs.Unreadable):
                    return None
                line = re.split(r"[\x00-\x1f]", text.decode("utf-8", "replace"), maxsplit=1)[0]
                return (os.path.normpath(os.path.join(here, line)), ext) if line else None
            directory = emperor.last("emperor-on-demand-directory")
            if directory is None or directory.unresolved or "." not in name:
                return None
            stem = os.path.basename(name[: name.rindex(".")])
            path = os.path.join(here, directory.effective, stem + ".socket")
            return os.path.normpath(path), directory

        return self._cached("on_demand_socket", None, answer)


    # -- the groups and directories of the processes the Emperor starts (UW310) ---------

    def supplementary_groups(self, uid: int) -> frozenset[int] | None:
        """The groups that list user ``uid`` as a member on this machine (the group
        database), its primary group aside: what ``initgroups()`` gives a process started
        as that user, and what Tyrant mode's ``setgroups(0, NULL)`` takes away; asked once
        per run (``Views.disk``).  ``None`` when ``uid`` names nobody here."""
        name = self.account_name("uid", uid)
        if name is None:
            return None
        key = ("member-of", name)
        disk = self.views.disk
        if key not in disk:
            disk[key] = frozenset(g.gr_gid for g in grp.getgrall() if name in g.gr_mem)
        found = disk[key]
        return found if isinstance(found, frozenset) else None

    def may_create_in(self, directory: str, uid: int, gids: frozenset[int]) -> bool | None:
        """Whether a process of user ``uid`` with the groups ``gids`` may create a file (a
        UNIX socket's ``bind()``) in ``directory``, as the disk says: search permission on
        each ancestor, write and search on ``directory`` itself, the class of bits (owner,
        group, other) chosen as the kernel does.  ``None`` when a directory cannot be
        ``stat()``ed (asked once per path per run: ``Views.disk``)."""
        if uid == 0:
            return True
        path, needed = os.path.abspath(directory), 0o3  # write and search on the last one
        while True:
            key = ("stat", path)
            disk = self.views.disk
            if key not in disk:
                try:
                    st = os.stat(path)
                    disk[key] = (st.st_uid, st.st_gid, st.st_mode)
                except OSError:
                    disk[key] = None
            found = disk[key]
            if not isinstance(found, tuple):
                return None
            owner, group, mode = found
            shift = 6 if owner == uid else 3 if group in gids else 0
            if (mode >> shift) & needed != needed:
                return False
            parent = os.path.dirname(path)
            if parent == path:
                return True
            path, needed = parent, 0o1


def socket_address(value: str, cwd: str) -> str | None:
    """A socket value as the address it binds (:meth:`View.bound_addresses`), ``None`` for
    one that names no fixed address."""
    if not value or value.startswith(("=", "fd://")) or "%" in value:
        return None
    if value.startswith("@"):
        return value
    if ":" not in value or value.startswith(("/", ".")):
        return os.path.normpath(os.path.join(cwd, value))
    host, _, port = value.rpartition(":")
    if not port.isdigit() or int(port) == 0:
        return None
    host = host.strip("[]")
    return f"{'' if host in ('0.0.0.0', '*') else host}:{int(port)}"
