"""The uWSGI option catalog: every option of a uWSGI version, as extracted from its source.

The data files next to this module are produced by ``scripts/gen_catalog.py`` (2.0.31, from
the PyPI sdist) and reformatted from ``shared/reference/options`` (2.1-dev); see
``scripts/README.md``.

>>> cat = load_catalog("2.0")
>>> cat.get("processes").value_kind
'int'
>>> cat.suggest("max_requests")
['max-requests']
"""

from __future__ import annotations

import difflib
import functools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "TARGET_VERSIONS",
    "Catalog",
    "Option",
    "close_matches",
    "load_catalog",
    "plugin_default_build",
]

TARGET_VERSIONS = ("2.0", "2.1")

_DATA_FILES = {
    "2.0": "uwsgi-2.0.31.json",
    "2.1": "uwsgi-2.1-dev.json",
}

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
    """All options of one uWSGI version, in uWSGI's table order."""

    __slots__ = (
        "_by_name",
        "_keys",
        "_names",
        "_suggested",
        "embedded_plugins",
        "options",
        "uwsgi_version",
        "version",
    )

    version: str
    uwsgi_version: str
    options: tuple[Option, ...]
    embedded_plugins: frozenset[str]

    def __init__(
        self,
        version: str,
        uwsgi_version: str,
        options: Iterable[Option],
        embedded_plugins: Iterable[str] = (),
    ) -> None:
        self.version = version
        self.uwsgi_version = uwsgi_version
        self.options = tuple(options)
        self.embedded_plugins = frozenset(embedded_plugins)
        by_name: dict[str, Option] = {}
        for opt in self.options:
            first = by_name.get(opt.name)
            # First row wins, as in uWSGI's uwsgi_opt_get().  A name declared in both
            # branches of an #ifdef/#else (mimefile) exists only once in a real binary: use
            # the first row compiled into the default Linux build, if any.
            if first is None or (opt.default_build and not first.default_build):
                by_name[opt.name] = opt
        self._by_name = by_name
        self._names = frozenset(by_name)
        self._keys: dict[str, list[str]] | None = None
        self._suggested: dict[tuple[str, int], list[str]] = {}  # suggest() answers

    def __repr__(self) -> str:
        return f"<Catalog uWSGI {self.uwsgi_version}: {len(self._names)} options>"

    def get(self, name: str) -> Option | None:
        """The option called exactly ``name`` (case-sensitive), or None."""
        return self._by_name.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __len__(self) -> int:
        return len(self._by_name)

    def names(self) -> frozenset[str]:
        """Every option name of this version."""
        return self._names

    def rows(self, name: str) -> list[Option]:
        """Every row declaring ``name`` (more than one for #ifdef/#else duplicates)."""
        return [o for o in self.options if o.name == name]

    def _key_index(self) -> dict[str, list[str]]:
        if self._keys is None:
            keys: dict[str, list[str]] = {}
            for opt_name in self._by_name:  # table order
                keys.setdefault(_norm_key(opt_name), []).append(opt_name)
            self._keys = keys
        return self._keys

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Did-you-mean candidates for an unknown option name, best first.

        Handles case (``Master`` -> ``master``), ``_`` for ``-`` (``max_requests`` ->
        ``max-requests``), a trailing ``:`` or leading dashes (``--master``), and typos
        (difflib, only close matches).  A name that already exists gets no suggestion.
        """
        if limit <= 0 or name in self._by_name:
            return []
        keys = self._key_index()
        key = _norm_key(name)
        if not key:
            return []
        exact = keys.get(key)
        if exact:
            return exact[:limit]
        memo = self._suggested.get((key, limit))
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
        if len(self._suggested) >= _MEMO_SIZE:
            self._suggested.clear()
        self._suggested[(key, limit)] = out[:limit]
        return out[:limit]


_MEMO_SIZE = 4096  # did-you-mean answers kept per catalog


def close_matches(
    word: str, candidates: Iterable[str], *, n: int = 3, cutoff: float = 0.6
) -> list[str] | None:
    """``difflib.get_close_matches()`` for a did-you-mean hint, bounded: only candidates
    whose length can reach ``cutoff`` are compared (the same answer), and a run makes at
    most :data:`uwsgi_lint.budget.HINTS` such searches (then ``None``: no hint), so that
    thousands of unknown names cost no more than a few hundred."""
    from ..budget import current

    if not current().hint():
        return None
    size = len(word)
    # difflib's ratio 2*M/T is at most 2*min(a, b)/(a + b): a bound on the lengths
    low, high = size * cutoff / (2 - cutoff), size * (2 - cutoff) / max(cutoff, 1e-9)
    near = [c for c in candidates if low <= len(c) <= high]
    return difflib.get_close_matches(word, near, n=n, cutoff=cutoff)


def _data_path(version: str) -> str:
    # a plain path next to this module (os.path: avoids importing pathlib at start-up)
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), _DATA_FILES[version])


_Interned = dict[tuple[str, ...], Any]


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
    """The catalog of a target version ("2.0" -> 2.0.31, "2.1" -> 2.1-dev); cached.

    ``load_catalog()`` and ``load_catalog("2.0")`` return the same object.
    """
    if version not in _DATA_FILES:
        raise ValueError(
            f"unknown uWSGI target version {version!r}; expected one of {TARGET_VERSIONS}"
        )
    return _load(version)


@functools.cache
def _load(version: str) -> Catalog:
    with open(_data_path(version), "rb") as fh:
        doc = json.loads(fh.read())
    flag_sets: _Interned = {}
    tuples: _Interned = {}
    options = [_option_from_row(row, flag_sets, tuples) for row in doc["options"]]
    embedded = doc.get("embedded_plugins")
    if embedded is None:
        embedded = sorted({o.plugin for o in options if o.default_build} - {"core"})
    return Catalog(version, doc["uwsgi_version"], options, embedded)


def plugin_default_build(plugin: str, version: str = "2.0") -> bool:
    """Whether ``plugin`` is compiled into the default ``pip install uwsgi`` binary."""
    if plugin == "core":
        return True
    return plugin in load_catalog(version).embedded_plugins
