"""Config logic blocks (``if-env``, ``for-glob`` ... up to ``end``), as
``core/config.c`` runs them: ``add_exported_option_do()`` hands every line of an open
block to its ``uwsgi_logic_opt_*()`` function, which adds it once per loop item (``%(_)``
replaced) or once when the condition holds.  A condition this machine cannot decide (an
unknown environment, the server's file system, an unknown host) keeps the line once,
undecided; a loop over what is not read here keeps it once, with ``%(_)`` unknown."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache

from .. import fs
from ..catalog import Catalog, plugin_default_build
from ..model import Directive, Unread
from ..readers.common import CLOSERS
from .cnum import atoi
from .options import MAX_VALUE, OptionList

Items = list[tuple[str | None, bool]]


@cache
def logic_openers(catalog: Catalog) -> frozenset[str]:
    """Options that open a logic block (``if-env``, ``for`` ...)."""
    return frozenset(
        n for n in catalog.names() if (o := catalog.get(n)) and o.value_kind == "logic-open"
    )


class Logic:
    """The logic block open while the list is assembled; ``add`` adds a line to the list
    (and applies it, when it is an immediate option)."""

    def __init__(self, lst: OptionList, add: Callable[[Directive, bool], None]) -> None:
        self.lst = lst
        self.add = add
        self.block: Directive | None = None  # the opener of the open block
        self.running = False  # a block is adding its lines: they are not taken again
        self.not_read: set[tuple[int, str]] = set()  # (id of the logic opener, target)

    def open(self, d: Directive) -> None:
        if self.block is not None:
            self.lst.fatal(d, f"recursive logic in options is not supported (option = {d.key})")
        else:
            self.block = d

    def take(self, d: Directive) -> bool:
        """Whether ``d`` is a line of the open block, added (or not) by the block; an
        ``end`` closes the block."""
        if self.running:
            return False
        if d.key in CLOSERS:
            self.block = None
        if self.block is None:
            return False
        self.running = True
        try:
            self.apply(self.block, d)
        finally:
            self.running = False
        return True

    def apply(self, opener: Directive, d: Directive) -> None:
        """Emit the body line ``d`` of the logic block ``opener`` (``core/config.c``:
        ``uwsgi_logic_opt_*()``): once per loop item, each copy charged to the run's
        budget (copies and bytes)."""
        lst = self.lst
        loop = opener.key.startswith("for")
        for item, decided in self.items(opener.key, opener.value):
            if lst.stopped:
                return None
            if item is None:
                self.add(d, decided)
                continue
            value = d.value.replace("%(_)", item)
            if loop and not lst.budget.spend("copies"):
                return lst.stop(d, "copies")
            if loop and not lst.budget.spend("bytes", len(value)):
                return lst.stop(d, "bytes")
            self.add(replace(d, value=value), decided)
        return None

    def items(self, kind: str, arg: str) -> Iterable[tuple[str | None, bool]]:
        """What a body line expands to: ``(value for %(_), decided)`` per emitted copy,
        produced lazily (a ``for-times`` count is only bounded by the budget)."""
        assume = self.lst.assume
        negate = "-not-" in kind
        base = kind.replace("-not-", "-").replace("ifenv", "if-env")
        base = {"ifexists": "if-exists", "ifdir": "if-dir", "if-directory": "if-dir"}.get(
            base, base
        )
        base = "if-plugin" if base == "ifplugin" else base
        if base == "for":
            return [(t, True) for t in arg.split(" ") if t]
        if base == "for-times":
            return ((str(i), True) for i in range(1, atoi(arg) + 1))
        if base == "for-glob":
            return self._glob(arg)
        if base == "for-readline":
            return self._readlines(arg)
        if base == "if-reload":
            return [(None, True)] if assume.reloading != negate else []
        name, eq, want = arg.partition("=")
        found: str | None
        if base == "if-opt":
            found = self.lst.first_value(name)[1]  # the first entry, as uwsgi_get_exported_opt()
            return _cond(found, eq, want, negate)
        if base == "if-env":
            if assume.env is None:
                return [(None, False)]
            return _cond(assume.env.get(name), eq, want, negate)
        if base in ("if-exists", "if-file", "if-dir"):
            check: Callable[[str], bool] = {
                "if-exists": os.path.exists,
                "if-file": os.path.isfile,
                "if-dir": os.path.isdir,
            }[base]
            target = self.lst.path(arg)
            if not fs.inside(target):
                return [(arg, False)]  # the server's file system: undecided here
            hit = check(target)
            return [(arg, True)] if hit != negate else []
        if base == "if-plugin":
            if assume.plugins is None:
                hit = arg == "core" or plugin_default_build(arg, assume.version)
            else:
                hit = arg in assume.plugins
            return [(arg, True)] if hit != negate else []
        if base in ("if-hostname", "if-hostname-match"):
            host = assume.host.hostname
            if host is None:
                return [(arg, False)]
            hit = host == arg if base == "if-hostname" else _search(arg, host)
            return [(arg, True)] if hit != negate else []
        return [(None, False)]

    def _not_read(self, target: str, reason: str) -> Items:
        """A ``for-glob``/``for-readline`` whose items are unknown here: recorded once as
        not read, and its body kept once, undecided, with ``%(_)`` unknown."""
        if self.block is not None and (id(self.block), target) not in self.not_read:
            self.not_read.add((id(self.block), target))
            self.lst.unread.append(Unread(self.block, target, reason))
        return [(None, False)]

    def _glob(self, pattern: str) -> Items:
        """``uwsgi_logic_opt_for_glob()``: ``glob(pattern, GLOB_MARK|GLOB_NOCHECK)``, a
        pattern that matches nothing iterates once over itself.  A pattern that would
        list a directory outside the linted tree is deployment-only: nothing is listed."""
        hits = fs.glob(pattern, self.lst.cwd)
        if hits is None:
            return self._not_read(pattern, fs.OUTSIDE)
        if not hits:
            return [(pattern, True)]
        return [(h + "/" if fs.is_dir(self.lst.path(h)) else h, True) for h in hits]

    def _readlines(self, name: str) -> Items:
        """``uwsgi_logic_opt_for_readline()``: each line of the file, at most 1023 bytes
        at a time; a missing file skips the block.  A file outside the linted tree (or
        one that is not a regular file) is not read: its lines are unknown here."""
        path = self.lst.path(name)
        if not fs.inside(path):
            return self._not_read(name, fs.OUTSIDE)
        try:
            data = fs.read_regular(path, MAX_VALUE)
        except fs.Unreadable as exc:
            if not os.path.lexists(path) or os.path.isdir(path):
                return []  # uWSGI logs the error (or reads no line) and skips the block
            return self._not_read(name, str(exc))
        out: Items = []
        for raw in data.decode("utf-8", "surrogateescape").splitlines(keepends=True):
            while len(raw) > 1023:
                out.append((raw[:1023], True))
                raw = raw[1023:]
            out.append((raw.rstrip("\r\n"), True))
        return out


def _cond(found: str | None, eq: str, want: str, negate: bool) -> Items:
    hit = found is not None and (not eq or found == want)
    if negate:
        return [(found, True)] if not hit else []
    return [(found, True)] if hit else []


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False
