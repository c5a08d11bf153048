"""The uWSGI option catalog: every option of a uWSGI version, as extracted from its source.

The data files next to this module are produced by ``scripts/gen_catalog.py`` (2.0.31, from
the PyPI sdist; ``releases-2.0.json``, what each 2.0 release from 2.0.18 on lacks or has
otherwise, from the sdists of those releases) and reformatted from
``shared/reference/options`` (2.1-dev); see ``scripts/README.md``.

Target versions (:data:`TARGET_VERSIONS`): ``"2.0"``, the default, stands for *some* 2.0
release from 2.0.18 on (the 2.0.31 table, which has every option of those releases;
version-dependent rules then say only what holds in all of them); a release such as
``"2.0.21"`` gets that release's own table; ``"2.1"`` the 2.1-dev table.

>>> cat = load_catalog("2.0")
>>> cat.get("processes").value_kind
'int'
>>> cat.suggest("max_requests")
['max-requests']
>>> "max-requests-delta" in load_catalog("2.0.21"), first_release("max-requests-delta")
(False, '2.0.29')
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import session

__all__ = [
    "RELEASES",
    "TARGET_VERSIONS",
    "Catalog",
    "Option",
    "close_matches",
    "first_release",
    "load_catalog",
    "plugin_default_build",
    "recent_options",
    "release_rows",
]

#: The uWSGI 2.0 releases a target version may name, oldest first (``releases-2.0.json``
#: says how each differs from the last one's table).
RELEASES = tuple(f"2.0.{n}" for n in range(18, 32))
#: What ``target-version`` accepts: "2.0" (any of :data:`RELEASES`), one release, "2.1".
TARGET_VERSIONS = ("2.0", *RELEASES, "2.1")

_DATA_FILES = {
    "2.0": "uwsgi-2.0.31.json",
    "2.1": "uwsgi-2.1-dev.json",
}
_RELEASES_FILE = "releases-2.0.json"

_FLAG_PREFIX = "UWSGI_OPT_"
_ARG_KINDS = frozenset({"required", "none", "optional"})


@dataclass(frozen=True, slots=True)
class Option:
    """One row of uWSGI's option table."""

    name: str
    plugin: str  # "core" or the plugin directory name
    arg: str  # "required" | "none" | "optional"
    short: str | None  # one-letter command-line short option
    handler: str  # the C handler, e.g. "uwsgi_opt_set_int"
    flags: frozenset[str]  # UWSGI_OPT_ prefix stripped, e.g. {"MASTER", "IMMEDIATE"}
    value_kind: str | None  # "int", "bool", "list", ... or None when the handler is bespoke
    # True when every occurrence counts (lists, logic, includes...); also True when the
    # handler is bespoke (value_kind None), so callers never flag those as duplicates.
    repeatable: bool
    aliases: tuple[str, ...]  # other names writing the same target with the same handler
    conditions: tuple[str, ...]  # preprocessor conditions around the entry
    default_build: bool  # compiled into the default `pip install uwsgi` build on Linux

    @property
    def immediate(self) -> bool:
        """UWSGI_OPT_IMMEDIATE: applied while the config is being read."""
        return "IMMEDIATE" in self.flags

    @property
    def master(self) -> bool:
        """UWSGI_OPT_MASTER: implies (and requires) the master process."""
        return "MASTER" in self.flags


def _norm_key(name: str) -> str:
    """Comparison key for did-you-mean: case-folded, '_' as '-', no ':'/dashes around."""
    key = name.strip().rstrip(":").strip().lstrip("-").lower().replace("_", "-")
    return key


class Catalog:
    """All options of one uWSGI version, in uWSGI's table order.

    A catalog from :func:`load_catalog` reads its data file on first use (a run that
    never asks the other version about a name never parses it) and makes each
    :class:`Option` the first time it is asked for (a run asks for a few dozen names of
    about 1,300); :meth:`select` answers "which names have this handler / kind / flag"
    from the rows without making any.
    """

    __slots__ = (
        "_built",
        "_by_name",
        "_embedded",
        "_index",
        "_interned",
        "_keys",
        "_path",
        "_release",
        "_rows",
        "_selected",
        "_uwsgi_version",
        "target",
        "version",
    )

    version: str  # the series: "2.0" or "2.1"
    target: str  # the target version it stands for: "2.0", "2.0.21", "2.1"

    def __init__(
        self,
        version: str,
        uwsgi_version: str,
        options: Iterable[Option],
        embedded_plugins: Iterable[str] = (),
    ) -> None:
        self.version = self.target = version
        self._release: str | None = None  # a 2.0 release whose rows are derived on load
        self._path: str | None = None  # the data file not read yet
        self._keys: dict[str, list[str]] | None = None
        self._selected: dict[tuple[str | None, ...], frozenset[str]] = {}  # select() answers
        self._interned: tuple[_Interned, _Interned] = ({}, {})
        built = list(options)
        self._fill(uwsgi_version, [_row_of(o) for o in built], embedded_plugins)
        self._built: list[Option | None] = list(built)
        self._by_name = {name: built[i] for name, i in self._index.items()}

    @classmethod
    def _from_file(cls, target: str, path: str, release: str | None = None) -> Catalog:
        """A catalog that reads ``path`` when it is first used (the rows of ``release``,
        derived from them with :func:`release_rows`, when it is given)."""
        self = cls.__new__(cls)
        self.version = "2.1" if target == "2.1" else "2.0"
        self.target = target
        self._release = release
        self._path = path
        self._keys = None
        self._selected = {}
        self._interned = ({}, {})
        self._by_name = {}
        return self

    def _fill(self, uwsgi_version: str, rows: list[dict[str, Any]],
              embedded_plugins: Iterable[str] | None) -> None:
        self._uwsgi_version = uwsgi_version
        self._rows = rows
        self._built = [None] * len(rows)
        index: dict[str, int] = {}
        for i, row in enumerate(rows):
            name = row["name"]
            first = index.get(name)
            # First row wins, as in uWSGI's uwsgi_opt_get().  A name declared in both
            # branches of an #ifdef/#else (mimefile) exists only once in a real binary: use
            # the first row compiled into the default Linux build, if any.
            if first is None or (row["default_build"] and not rows[first]["default_build"]):
                index[name] = i
        self._index = index
        if embedded_plugins is None:
            embedded_plugins = sorted(
                {r["plugin"] for r in rows if r["default_build"]} - {"core"}
            )
        self._embedded = frozenset(embedded_plugins)

    def _load(self) -> None:
        """Read the data file (once)."""
        path = self._path
        if path is not None:
            import json

            with open(path, "rb") as fh:
                doc = json.loads(fh.read())
            version, rows = doc["uwsgi_version"], doc["options"]
            if self._release is not None and self._release != version:
                version, rows = self._release, release_rows(self._release, rows)
            self._fill(version, rows, doc.get("embedded_plugins"))
            self._path = None

    def _option(self, i: int) -> Option:
        opt = self._built[i]
        if opt is None:
            opt = self._built[i] = _option_from_row(self._rows[i], *self._interned)
        return opt

    def __reduce__(self) -> tuple[Any, ...]:
        # a catalog sent to another process (a worker of a parallel run) is that
        # process's own cached one, or rebuilt from its options
        if self.target in TARGET_VERSIONS and _catalog(self.target) is self:
            return (load_catalog, (self.target,))
        return (Catalog, (self.version, self.uwsgi_version, self.options, self.embedded_plugins))

    def __repr__(self) -> str:
        return f"<Catalog uWSGI {self.uwsgi_version}: {len(self)} options>"

    @property
    def release(self) -> str | None:
        """The one 2.0 release this catalog is for ("2.0.21"); None for the "2.0" range
        and for 2.1."""
        return self.target if self.target in RELEASES else None

    def at_least(self, release: str) -> bool:
        """Whether every uWSGI the target stands for is ``release`` (a 2.0 release) or
        newer: always under 2.1; under "2.0" only when ``release`` is 2.0.18 or older."""
        if self.version != "2.0":
            return True
        return _release_key(self.release or RELEASES[0]) >= _release_key(release)

    @property
    def uwsgi_version(self) -> str:
        """The uWSGI release the table comes from (``2.0.31``, ``2.1-dev``)."""
        self._load()
        return self._uwsgi_version

    @property
    def options(self) -> tuple[Option, ...]:
        """Every row, in table order (a name declared twice has two rows)."""
        self._load()
        return tuple(self._option(i) for i in range(len(self._rows)))

    @property
    def embedded_plugins(self) -> frozenset[str]:
        """The plugins compiled into the default ``pip install uwsgi`` build."""
        self._load()
        return self._embedded

    def get(self, name: str) -> Option | None:
        """The option called exactly ``name`` (case-sensitive), or None."""
        opt = self._by_name.get(name)
        if opt is None:
            self._load()
            i = self._index.get(name)
            if i is None:
                return None
            opt = self._by_name[name] = self._option(i)
        return opt

    def same_option(self, name: str) -> frozenset[str]:
        """``name`` and its aliases: the names that set the same thing (``workers`` and
        ``processes``); an unknown name stands for itself."""
        opt = self.get(name)
        return frozenset((name, *opt.aliases)) if opt is not None else frozenset((name,))

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._index

    def __len__(self) -> int:
        self._load()
        return len(self._index)

    def names(self) -> frozenset[str]:
        """Every option name of this version."""
        return self.select()

    def rows(self, name: str) -> list[Option]:
        """Every row declaring ``name`` (more than one for #ifdef/#else duplicates)."""
        self._load()
        return [self._option(i) for i, row in enumerate(self._rows) if row["name"] == name]

    def select(
        self,
        *,
        handler: str | None = None,
        value_kind: str | None = None,
        flag: str | None = None,
        plugin: str | None = None,
    ) -> frozenset[str]:
        """The names whose option has all the given properties (``flag`` without its
        ``UWSGI_OPT_`` prefix; nothing given: every name).  Each answer is computed once,
        from the rows, without making an :class:`Option` per name."""
        key = (handler, value_kind, flag, plugin)
        found = self._selected.get(key)
        if found is None:
            self._load()
            rows = self._rows
            wanted = _FLAG_PREFIX + flag if flag is not None else None
            found = self._selected[key] = frozenset(
                name for name, i in self._index.items()
                if (handler is None or rows[i]["handler"] == handler)
                and (value_kind is None or rows[i]["value_kind"] == value_kind)
                and (plugin is None or rows[i]["plugin"] == plugin)
                and (wanted is None or wanted in rows[i]["flags"])
            )
        return found

    def _key_index(self) -> dict[str, list[str]]:
        if self._keys is None:
            self._load()
            keys: dict[str, list[str]] = {}
            for opt_name in self._index:  # table order
                keys.setdefault(_norm_key(opt_name), []).append(opt_name)
            self._keys = keys
        return self._keys

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Did-you-mean candidates for an unknown option name, best first.

        Handles case (``Master`` -> ``master``), ``_`` for ``-`` (``max_requests`` ->
        ``max-requests``), a trailing ``:`` or leading dashes (``--master``), and typos
        (difflib, only close matches).  A name that already exists gets no suggestion.
        """
        if limit <= 0 or name in self:
            return []
        keys = self._key_index()
        key = _norm_key(name)
        if not key:
            return []
        exact = keys.get(key)
        if exact:
            return exact[:limit]
        active = session.current()  # answers are remembered for the run, not beyond it
        suggested = active.suggested if active is not None else {}
        memo = suggested.get((self.target, key, limit))
        if memo is not None:
            return list(memo)
        out: list[str] = []
        cutoff = 0.8 if len(key) <= 5 else 0.75
        found = close_matches(key, keys, n=limit, cutoff=cutoff)
        if found is None:
            return []  # the run's did-you-mean searches are spent (not remembered)
        for match in found:
            for real in keys[match]:
                if real not in out:
                    out.append(real)
        if len(suggested) >= _MEMO_SIZE:
            suggested.clear()
        suggested[(self.target, key, limit)] = out[:limit]
        return out[:limit]


_MEMO_SIZE = 4096  # did-you-mean answers kept per run


def close_matches(
    word: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6
) -> list[str] | None:
    """``difflib.get_close_matches()`` for a did-you-mean hint, bounded: only candidates
    whose length can reach ``cutoff`` are compared (the same answer), and a run makes at
    most :data:`uwsgi_lint.budget.HINTS` such searches (then ``None``: no hint), so that
    thousands of unknown names cost no more than a few hundred."""
    import difflib

    from ..budget import current

    if not current().hint():
        return None
    size = len(word)
    # difflib's ratio 2*M/T is at most 2*min(a, b)/(a + b): a bound on the lengths
    low, high = size * cutoff / (2 - cutoff), size * (2 - cutoff) / max(cutoff, 1e-9)
    near = [c for c in candidates if low <= len(c) <= high]
    return difflib.get_close_matches(word, near, n=n, cutoff=cutoff)


def _data_path(name: str) -> str:
    # a plain path next to this module (os.path: avoids importing pathlib at start-up)
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), name)


def _release_key(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))


@functools.cache
def _releases() -> dict[str, Any]:
    """``releases-2.0.json``: ``since`` (option -> the first release that has it, when
    2.0.18 does not) and ``changed`` (option -> [first, last, fields]: the row's fields
    that differ from the 2.0.31 row in those releases)."""
    import json

    with open(_data_path(_RELEASES_FILE), "rb") as fh:
        doc: dict[str, Any] = json.loads(fh.read())
    return doc


def first_release(name: str) -> str | None:
    """The first 2.0 release that has option ``name`` ("2.0.29" for
    ``max-requests-delta``); None when 2.0.18 has it already, or no 2.0 release does."""
    since: str | None = _releases()["since"].get(name)
    return since


def recent_options() -> frozenset[str]:
    """The options that some 2.0 release from 2.0.18 on lacks (it ignores them)."""
    return frozenset(_releases()["since"])


def release_rows(
    release: str, rows: list[dict[str, Any]], doc: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The option table of 2.0 ``release``, from the 2.0.31 table's ``rows`` and ``doc``
    (default: ``releases-2.0.json``): without the options it does not have yet, with the
    fields it has otherwise (``conditions`` stay 2.0.31's: they differ only in how the
    same guards are spelled)."""
    if doc is None:
        doc = _releases()
    key = _release_key(release)
    since, changed = doc["since"], doc["changed"]
    out: list[dict[str, Any]] = []
    for row in rows:
        name = row["name"]
        first = since.get(name)
        if first is not None and key < _release_key(first):
            continue
        for low, high, fields in changed.get(name, ()):
            if _release_key(low) <= key <= _release_key(high):
                row = {**row, **fields}
        out.append(row)
    return out


_Interned = dict[tuple[str, ...], Any]


def _row_of(opt: Option) -> dict[str, Any]:
    """The data-file row of ``opt`` (for a catalog made from :class:`Option` objects)."""
    return {
        "name": opt.name, "plugin": opt.plugin, "arg": opt.arg, "short": opt.short,
        "handler": opt.handler, "flags": sorted(_FLAG_PREFIX + f for f in opt.flags),
        "value_kind": opt.value_kind, "repeatable": opt.repeatable, "aliases": opt.aliases,
        "conditions": opt.conditions, "default_build": opt.default_build,
    }


def _option_from_row(row: dict[str, Any], flag_sets: _Interned, tuples: _Interned) -> Option:
    raw_flags = tuple(row["flags"])
    flags = flag_sets.get(raw_flags)
    if flags is None:
        flags = flag_sets[raw_flags] = frozenset(f.removeprefix(_FLAG_PREFIX) for f in raw_flags)
    aliases = tuple(row["aliases"])
    aliases = tuples.setdefault(aliases, aliases)
    conditions = tuple(row["conditions"])
    conditions = tuples.setdefault(conditions, conditions)
    repeatable = row["repeatable"]
    return Option(
        row["name"],
        row["plugin"],
        row["arg"],
        row["short"],
        row["handler"],
        flags,
        row["value_kind"],
        True if repeatable is None else bool(repeatable),
        aliases,
        conditions,
        bool(row["default_build"]),
    )


@functools.cache
def load_catalog(version: str = "2.0") -> Catalog:
    """The catalog of a target version ("2.0" -> the 2.0.31 table, standing for any 2.0
    release from 2.0.18 on; "2.0.21" -> that release's table; "2.1" -> 2.1-dev); cached.

    ``load_catalog()`` and ``load_catalog("2.0")`` return the same object.
    """
    if version not in TARGET_VERSIONS:
        raise ValueError(
            f"unknown uWSGI target version {version!r}; expected one of {TARGET_VERSIONS}"
        )
    return _catalog(version)


@functools.cache
def _catalog(target: str) -> Catalog:
    if target in RELEASES:
        return Catalog._from_file(target, _data_path(_DATA_FILES["2.0"]), target)
    return Catalog._from_file(target, _data_path(_DATA_FILES[target]))


def plugin_default_build(plugin: str, version: str = "2.0") -> bool:
    """Whether ``plugin`` is compiled into the default ``pip install uwsgi`` binary."""
    if plugin == "core":
        return True
    return plugin in load_catalog(version).embedded_plugins
