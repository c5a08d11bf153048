"""The ``$()``, ``@()`` and ``%()`` passes over the option list, as
``core/utils.c: uwsgi_apply_config_pass()`` runs them once the config is read: the
environment, then files, then references to other options (``core/config.c:
uwsgi_manage_placeholder()``), each over every option uWSGI has not applied yet."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from .. import fs
from ..model import Directive, Problem, Unread
from .cnum import strtoll
from .loader import INCLUDE_MISSING, scheme_of
from .options import MAX_VALUE, OptionList

MAX_ROUNDS = 1000  # substitutions in one value before we call it endless
_MARKS = {s: re.compile(f"[{re.escape(s)}()]") for s in "$@%"}
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


def run_passes(lst: OptionList) -> None:
    """The ``$()``, ``@()`` and ``%()`` passes over every option not applied yet."""
    _Passes(lst).run()


class _Passes:
    def __init__(self, lst: OptionList) -> None:
        self.lst = lst
        # during the % pass: the option being expanded and its current value
        self.live: tuple[int, Callable[[], str]] | None = None
        self.refs: dict[str, set[str]] | None = None  # %(name) references of first values

    def run(self) -> None:
        lst = self.lst
        expanded = [lst.listed.get(i, d.value) for i, d in enumerate(lst.options)]
        unresolved: list[list[str]] = [[] for _ in lst.options]
        todo = [i for i, d in enumerate(lst.options) if not lst.configured[i] and "(" in d.value]
        for symbol, hook in (("$", self.env_hook), ("@", self.file_hook)):
            for i in todo:
                expanded[i] = self.apply_pass(
                    symbol, expanded[i], hook, unresolved[i], lst.options[i]
                )
        for i in todo:
            for ref in unresolved[i]:
                name, d = ref[2:-1], lst.options[i]
                if not ref.startswith("@(") or "$(" in name:
                    continue
                scheme = scheme_of(name)
                if scheme is not None:
                    lst.unread.append(Unread(d, ref, f"{scheme}:// is never executed or fetched"))
                elif not fs.inside(lst.path(name)):
                    lst.unread.append(Unread(d, name, fs.OUTSIDE))
                elif os.path.lexists(lst.path(name)):  # a FIFO, a device, too large
                    lst.unread.append(Unread(d, name, _unreadable(lst.path(name))))
                else:
                    lst.unread.append(Unread(d, name, "file not found"))
                    lst.fatal(d, f"cannot open '@({name})': no such file", INCLUDE_MISSING)

        def placeholder(name: str, unresolved: list[str]) -> str | None:
            value = self.placeholder(name, expanded)
            if value is None:
                unresolved.append(f"%({name})")
            return value

        for i in todo:
            expanded[i] = self.apply_pass(
                "%", expanded[i], placeholder, unresolved[i], lst.options[i], live=i
            )
        seen: set[int] = set()
        for i, d in enumerate(lst.options):
            notes = d.unresolved
            if unresolved[i]:
                notes = tuple(dict.fromkeys(notes + tuple(unresolved[i])))
            value = lst.listed.get(i) if lst.configured[i] else expanded[i]
            if id(d) in seen:  # the same directive twice (an include read twice): copy
                lst.options[i] = replace(d, expanded=value, unresolved=notes)
            else:
                seen.add(id(d))
                d.expanded, d.unresolved = value, notes

    def env_hook(self, name: str, unresolved: list[str]) -> str | None:
        env = self.lst.assume.env
        if env is None:
            unresolved.append(f"$({name})")
            return None
        return env.get(name)

    def file_hook(self, name: str, unresolved: list[str]) -> str | None:
        if scheme_of(name) is not None:
            unresolved.append(f"@({name})")
            return None
        try:  # a file outside the linted tree is not read (deployment-only): see run()
            data = fs.read_regular(self.lst.path(name), MAX_VALUE)
        except fs.Unreadable:
            unresolved.append(f"@({name})")
            return None
        text = data.decode("utf-8", "surrogateescape").split("\0", 1)[0]
        return text[:-1] if text.endswith(("\n", "\r")) else text

    def placeholder(self, name: str, values: list[str]) -> str | None:
        """``uwsgi_manage_placeholder()`` (``core/config.c``): the value of the first entry
        named ``name`` (found through ``first_index``), or an expression over them."""
        def lookup(key: str) -> str | None:
            at, listed = self.lst.first_value(key)
            if at is None:
                return listed  # none, or the command line's own loader entry
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
                    current = str(strtoll(current) + (1 if tok == "++" else -1))
                state = "concat"
                continue
            value = tok if tok.isdigit() else (lookup(tok) or "")
            if state == "concat":
                current = (current or "") + value
            else:
                a, b = strtoll(current or ""), strtoll(value)
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
                            if not self.lst.budget.spend(what, amount):
                                self.lst.stop(d, what)
                                return current()
                        if self.lst.clock.expired():
                            self.lst.stop(d, "seconds")
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
                                self.lst.problems.append(Problem(
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
            values = {k: self.lst.options[i].value for k, i in self.lst.first_index.items()}
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


def _unreadable(path: str) -> str:
    """Why ``path`` is not read for ``@()`` (the answer :func:`fs.read_regular` cached)."""
    try:
        fs.read_regular(path, MAX_VALUE)
    except fs.Unreadable as exc:
        return str(exc)
    return "cannot read file"
