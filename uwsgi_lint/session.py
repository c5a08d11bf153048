"""Everything one run keeps, in one place: what it may read, what it may spend, what
stands for a file, and what it has worked out already.

A :class:`Session` is made by :func:`run` for the time of a lint (``engine.lint``) or a
``show``, and found by :func:`current` from the layers below: the opener and the boundary
(:mod:`uwsgi_lint.fs`: the roots, and the bytes of each file read once), the budget
(:mod:`uwsgi_lint.budget`), the readers (:mod:`uwsgi_lint.readers`: buffers that stand
for files, such as standard input, and the configs already parsed, so that a snippet many
vassals include is parsed once) and the catalog (its did-you-mean answers).  Nothing is
kept from one run to the next; outside a run (library use, a reader's tests) there is no
boundary, each instance gets a fresh budget and nothing is cached.  Worker processes
(``--jobs``) are forked with the session of the run and keep their own copy of it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .budget import Budget
    from .fs import Boundary
    from .model import ConfigFile, Problem
    from .uwsgiconf.model import Compiled

PARSED_CACHE_SIZE = 512  # configs kept parsed (a shared snippet, read again the same way)


@dataclass(slots=True)
class Session:
    """One run's state (see the module docstring)."""

    boundary: Boundary | None
    budget: Budget
    buffers: dict[str, bytes] = field(default_factory=dict)  # absolute path -> bytes
    parsed: OrderedDict[tuple[object, ...], ConfigFile] = field(default_factory=OrderedDict)
    # uwsgiconf modules read statically, by (tag, path, text): the module and its findings
    compiled: dict[tuple[str, str, str], tuple[Compiled, list[Problem]]] = field(
        default_factory=dict)
    # did-you-mean answers (catalog version, name, limit) -> names: Catalog.suggest
    suggested: dict[tuple[str, str, int], list[str]] = field(default_factory=dict)


_ACTIVE: list[Session] = []


@contextmanager
def run(
    roots: Iterable[str] | None = None, buffers: Mapping[str, bytes] | None = None
) -> Iterator[Session]:
    """Make a new session current: reading only below ``roots`` (real paths; ``None``: no
    boundary), with ``buffers`` (paths absolute or relative to the working directory)
    read in place of those files."""
    from .budget import Budget
    from .fs import Boundary

    active = Session(
        Boundary(tuple(dict.fromkeys(os.path.realpath(r) for r in roots)))
        if roots is not None else None,
        Budget(),
        {os.path.abspath(k): v for k, v in (buffers or {}).items()},
    )
    _ACTIVE.append(active)
    try:
        yield active
    finally:
        _ACTIVE.remove(active)


def current() -> Session | None:
    """The session of the run in progress, if any."""
    return _ACTIVE[-1] if _ACTIVE else None
