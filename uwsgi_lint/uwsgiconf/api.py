"""What uwsgiconf offers, as data: groups, methods and their parameters (with the option
each parameter writes), class-level constants, constructible classes and importable names.

Everything comes from ``catalog/uwsgiconf.json``, generated from the real library by
``scripts/gen_uwsgiconf_api.py`` (uwsgiconf 2.4.0; ``since`` from 1.0.0 on), read once.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

_CATALOG = "uwsgiconf.json"

# Preset classes inherit the methods of the class they extend (looked up in this order).
_BASES = {"PythonSection": "nice.Section", "nice.Section": "", "Section": ""}


@dataclass(frozen=True, slots=True)
class ParamSpec:
    name: str
    positional: bool  # may be passed positionally (POSITIONAL_OR_KEYWORD)
    default: object  # the default as a Python literal value (None when none/complex)
    since: str  # first uwsgiconf version (of 1.0.0, 2.0.0 ... 2.4.0) that has it
    required: bool = False  # no default
    options: tuple[str, ...] = ()  # the option(s) the probe saw it write
    # "verbatim" (str() of the value), "flag" (True -> "true", False deletes), "multi"
    # (a str or each list item a line, accumulating), "none" (writes nothing by itself),
    # "special" (hand-written in ``emit``), "" (not probed)
    cast: str = ""
    plugin: str | None = None  # the plugin uwsgiconf adds when the parameter writes


@dataclass(frozen=True, slots=True)
class MethodSpec:
    owner: str  # "" for Section methods, a group name ("workers"), or a class kind
    name: str
    params: tuple[ParamSpec, ...]
    var_keyword: bool  # takes **kwargs (Section(...) does: and swallows unknown ones)
    returns: str  # "section" (chainable), "value", "configuration", "new-section", "object"
    since: str
    order: tuple[str, ...] = ()  # the options in the order the method writes them
    var_positional: bool = False  # takes *args
    is_classmethod: bool = False
    writes: tuple[tuple[str, str], ...] = ()  # what a call without arguments writes

    def param(self, name: str) -> ParamSpec | None:
        for param in self.params:
            if param.name == name:
                return param
        return None


@dataclass(frozen=True, slots=True)
class Kind:
    """A uwsgiconf class that can be constructed (``Section``, ``networking.sockets.http``)."""

    kind: str


@dataclass(frozen=True, slots=True)
class GroupSpec:
    name: str
    basic_params: bool  # defines its own set_basic_params (else it swallows everything)
    plugin: bool | str  # True: the group's options belong to a plugin named after it
    on_touch: tuple[tuple[str, str], ...]  # what merely accessing the group writes
    since: str


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: str
    option: str  # the class's ``name`` (a socket's option, an algorithm's name) or ""
    plugin: str  # the plugin it activates, or ""
    since: str
    code: int | None = None  # a routing modifier's modifier1
    subcodes: tuple[int, ...] | None = None  # the modifier2 values it accepts (None: any)


@functools.cache
def _catalog() -> dict[str, Any]:
    import json

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(package, "catalog", _CATALOG)
    with open(path, "rb") as fh:
        doc: dict[str, Any] = json.loads(fh.read())
    return doc


def version() -> str:
    """The uwsgiconf version the catalog describes (the newest it knows)."""
    return str(_catalog()["header"]["uwsgiconf"])


def versions() -> tuple[str, ...]:
    """The uwsgiconf versions ``since`` values are taken from, oldest first."""
    return tuple(_catalog()["header"]["versions"])


@functools.cache
def groups() -> frozenset[str]:
    """The option groups of a section (``workers``, ``empire`` ...)."""
    return frozenset(_catalog()["groups"])


@functools.cache
def group(name: str) -> GroupSpec | None:
    row = _catalog()["groups"].get(name)
    if row is None:
        return None
    return GroupSpec(
        name=name,
        basic_params=row["basic_params"],
        plugin=row["plugin"],
        on_touch=tuple((key, value) for key, value in row.get("on_touch", ())),
        since=row["since"],
    )


def _param(row: dict[str, Any], since: str) -> ParamSpec:
    return ParamSpec(
        name=row["name"],
        positional=row["positional"],
        default=row["default"],
        since=row.get("since", since),
        required=row["required"],
        options=tuple(row.get("options", ())),
        cast=row.get("cast", ""),
        plugin=row.get("plugin"),
    )


def _method(owner: str, name: str, row: dict[str, Any]) -> MethodSpec:
    since = row.get("since", versions()[0])
    return MethodSpec(
        owner=owner,
        name=name,
        params=tuple(_param(param, since) for param in row["params"]),
        var_keyword=row["var_keyword"],
        returns=row.get("returns", "section"),
        since=since,
        order=tuple(row.get("order", ())),
        var_positional=row.get("var_positional", False),
        is_classmethod=row.get("classmethod", False),
        writes=tuple((key, value) for key, value in row.get("writes", ())),
    )


@functools.cache
def method(owner: str, name: str) -> MethodSpec | None:
    """A method of a section (owner ""), of a group (``("workers", "set_basic_params")``;
    ``__call__`` is ``set_basic_params``) or of a class kind (``("nice.Section",
    "configure_owner")``, presets inheriting the Section methods).  A group without its
    own ``set_basic_params`` gets the base one, which takes and ignores anything."""
    if name == "__call__" and owner in groups():
        name = "set_basic_params"
    methods = _catalog()["methods"]
    seen = owner
    while True:
        row = methods.get(seen, {}).get(name)
        if row is not None:
            return _method(seen, name, row)
        if seen not in _BASES or seen == "":
            break
        seen = _BASES[seen]
    if name == "set_basic_params" and owner in groups():
        return MethodSpec(
            owner=owner,
            name=name,
            params=(),
            var_keyword=True,
            returns="section",
            since=versions()[0],
            var_positional=True,
        )
    return None


def methods(owner: str) -> tuple[str, ...]:
    """The names of the methods ``owner`` defines itself (for did-you-mean)."""
    return tuple(sorted(_catalog()["methods"].get(owner, {})))


def constant(path: tuple[str, ...]) -> object | None:
    """A class-level constant reached from a section or the Section class, without the
    receiver: ``("main_process", "phases", "ASAP")`` -> ``"asap"``, ``("vars",
    "CPU_CORES")`` -> ``"%k"``, ``("networking", "sockets", "http")`` ->
    ``Kind("networking.sockets.http")``.  None when there is no such constant."""
    value: object = _catalog()["constants"].get(".".join(path))
    if isinstance(value, dict):
        return Kind(value["kind"])
    if isinstance(value, list):
        return list(value)
    return value


@functools.cache
def constructor(kind: str) -> MethodSpec | None:
    """What constructing ``kind`` takes: Section, PythonSection, nice.Section, Broodlord,
    Configuration, the socket classes, the cheaper algorithms, MuleFarm ..."""
    row = _catalog()["kinds"].get(kind)
    if row is None or "constructor" not in row:
        return None
    spec = dict(row["constructor"], since=row["since"], returns="object")
    if kind in ("Section", "nice.Section", "PythonSection"):
        spec["returns"] = "new-section"
    elif kind == "Configuration":
        spec["returns"] = "configuration"
    return _method(kind, "__init__", spec)


@functools.cache
def kind(name: str) -> KindSpec | None:
    row = _catalog()["kinds"].get(name)
    if row is None:
        return None
    subcodes = row.get("subcodes")
    return KindSpec(
        kind=name,
        option=row.get("name", ""),
        plugin=row.get("plugin", ""),
        since=row["since"],
        code=row.get("code"),
        subcodes=tuple(subcodes) if subcodes is not None else None,
    )


def imported(module: str, name: str) -> str | Kind | None:
    """What ``from MODULE import NAME`` gives: a :class:`Kind` for a constructible class,
    ``"configure_uwsgi"``, ``"module:<dotted name>"`` for a submodule, ``"group:<name>"``
    for an options group class, ``"value"`` for ``VERSION``; None when uwsgiconf has no
    such name there."""
    value = _catalog()["imports"].get(module, {}).get(name)
    if isinstance(value, dict):
        return Kind(value["kind"])
    return str(value) if value is not None else None
