"""What an instance means: one :class:`View` per instance, built once, that answers every
question the rules ask (the last value of an option, the entries that may take effect
under undecided ``if-*`` conditions, a flag, a number as uWSGI's handler reads it, the
socket it serves on, the owner the Emperor sees), each answer computed once and cached.

Options are looked up by name with their aliases folded (``workers`` is ``processes``),
in the order uWSGI applies them (``core/uwsgi.c: uwsgi_configure()`` walks the exported
option list front to back; a scalar keeps the last value).  Rules read the View; they make
no filesystem calls: what the disk says (owners, checkout status, monitor listings) was
gathered by the tree builder (:mod:`uwsgi_lint.context`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from .catalog import Catalog
from .expand import Assumptions, Instance
from .model import Directive, Position, Problem, Span
from .values import flag_is_on, read_number

T = TypeVar("T")
Numbers = list[tuple[Directive | None, int]]


class Views:
    """The Views of one run, one per instance (the Emperor's and its vassals' included)."""

    def __init__(self, catalog: Catalog, assume: Assumptions) -> None:
        self.catalog = catalog
        self.assume = assume
        self._by_instance: dict[int, View] = {}

    def of(self, inst: Instance) -> View:
        view = self._by_instance.get(id(inst))
        if view is None:
            view = self._by_instance[id(inst)] = View(inst, self)
        return view


class View:
    """One instance as the rules see it (see the module docstring)."""

    __slots__ = ("_answers", "_by_key", "_keys", "assume", "catalog", "inst", "views")

    def __init__(self, inst: Instance, views: Views) -> None:
        self.inst = inst
        self.views = views
        self.catalog = views.catalog
        self.assume = views.assume
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
        opt = self.catalog.get(name)
        return frozenset({name, *opt.aliases}) if opt is not None else frozenset({name})

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
        """The entries of a scalar option that may be the effective one, the last one first.

        Walking back from the last entry, one whose logic condition is undecided
        (``inst.conditional``) may or may not apply; the first decided one ends the list.
        When no decided entry is found, ``None`` (the default) is possible too."""

        def answer() -> list[Directive | None]:
            out: list[Directive | None] = []
            conditional, options = self.inst.conditional, self.inst.options
            for i in reversed(self._indexes(name)):
                out.append(options[i])
                if i not in conditional:
                    return out
            out.append(None)
            return out

        return self._cached("candidates", name, answer)

    def flag(self, name: str) -> bool | None:
        """Whether a flag (``uwsgi_opt_true``) is on: ``None`` when undecided conditions or
        an unresolved value leave it open."""

        def answer() -> bool | None:
            states: set[bool] = set()
            for d in self.candidates(name):
                if d is None:
                    states.add(False)
                elif d.unresolved:
                    return None
                else:
                    states.add(flag_is_on(d.effective))
            return states.pop() if len(states) == 1 else None

        return self._cached("flag", name, answer)

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

        def answer() -> list[Problem]:
            seen: set[tuple[Span, str]] = set()
            out = []
            stops = [f.stopped for f in self.inst.files if f.stopped is not None]
            for p in [*self.inst.problems, *stops]:
                if p.code == code and (p.span, p.message) not in seen:
                    seen.add((p.span, p.message))
                    out.append(p)
            return out

        return self._cached("problems", code, answer)

    # -- facts for the value and format rules (UW0xx, UW1xx) ------------------------

    # -- facts for the start-up, cheaper, Broodlord and Emperor rules (UW12x-UW4xx) ----

    # -- facts for the Tyrant and exposure rules (UW30x, UW5xx) ----------------------

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

