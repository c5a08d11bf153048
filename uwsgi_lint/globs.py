"""Globs matched without backtracking (``--exclude``, settings ``exclude``, ``per-file-ignores``).

gitignore-style: ``*`` and ``?`` match within a path component, ``**`` matches across
components (``**/`` matches zero or more whole directories), ``[...]`` matches one
character of a class (``!`` or ``^`` first negates it, a ``]`` first is literal, ``a-z``
is a range; a class never matches ``/``); any other character, a backslash included,
matches itself, and so does a ``[`` that no ``]`` closes.

A glob is compiled once into a small automaton whose set of live states is the bits of an
integer, advanced one character at a time (the shift-and method).  A match costs at most
``len(path)`` steps of a few operations on ``len(glob)``-bit integers, whatever the glob:
``*a*a*a...b`` cannot backtrack as the same pattern does in :mod:`re`.
"""

from __future__ import annotations

from dataclasses import dataclass

_LIT, _ANY, _CLASS, _STAR, _DSTAR, _GROUP = range(6)


class GlobError(ValueError):
    """A glob that cannot be compiled; ``offset`` is where in it the problem starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class _Class:
    negated: bool
    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]

    def has(self, c: str) -> bool:
        inside = c in self.chars or any(lo <= c <= hi for lo, hi in self.ranges)
        return c != "/" and inside != self.negated


def _class(glob: str, i: int) -> tuple[_Class, int] | None:
    """The class opening at ``glob[i] == "["`` and the index after it; None when no ``]``
    closes it (the ``[`` is then literal)."""
    j = i + 1
    negated = glob[j : j + 1] in ("!", "^")
    j += negated
    first = j
    if glob[j : j + 1] == "]":
        j += 1  # a leading ] is literal
    end = glob.find("]", j)
    if end < 0:
        return None
    body = glob[first:end]
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            lo, hi = body[k], body[k + 2]
            if lo > hi:
                raise GlobError(
                    f"invalid class `{glob[i : end + 1]}`: the range `{lo}-{hi}` is reversed "
                    f"(write `{hi}-{lo}`)",
                    i,
                )
            ranges.append((lo, hi))
            k += 3
        else:
            chars.add(body[k])
            k += 1
    return _Class(negated, frozenset(chars), tuple(ranges)), end + 1


def _tokens(glob: str) -> list[tuple[int, object]]:
    """The glob as tokens; runs of stars that match the same as one are merged, so that
    skippable tokens never form long chains."""
    out: list[tuple[int, object]] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if c == "*":
            run = i
            while i < n and glob[i] == "*":
                i += 1
            run = i - run
            last = out[-1][0] if out else None
            if len(out) >= 3 and out[-3][0] == _GROUP:
                last = _GROUP  # the `/` that ends a `**/`
            if run == 2 and glob[i : i + 1] == "/":  # `**/`: zero or more directories
                i += 1
                if last in (_GROUP, _DSTAR):
                    continue  # `**/**/` and `.*(?:.*/)?` match what the first one does
                out += [(_GROUP, None), (_DSTAR, None), (_LIT, "/")]
            elif run >= 2:
                if run % 2 == 0 and glob[i : i + 1] == "/":
                    i += 1  # `****/` is `**` then `**/`: what `**` alone matches
                if last == _GROUP:  # `**/**` matches what `**` does
                    out[-3:] = [(_DSTAR, None)]
                elif last != _DSTAR:
                    out.append((_DSTAR, None))
            elif last != _DSTAR:
                out.append((_STAR, None))
        elif c == "?":
            out.append((_ANY, None))
            i += 1
        elif c == "[" and (found := _class(glob, i)) is not None:
            cls, i = found
            out.append((_CLASS, cls))
        else:
            out.append((_LIT, c))
            i += 1
    return out


class Glob:
    """A compiled glob; :meth:`match` tells whether it matches a whole path."""

    __slots__ = ("_accept", "_masks", "_skip1", "_skip3", "_start", "_tokens", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # `**/` is three tokens: a choice that consumes nothing, then `**` and `/`
        self._tokens = _tokens(text)
        self._skip1 = self._skip3 = 0
        for bit, (kind, _) in enumerate(self._tokens):
            if kind in (_STAR, _DSTAR, _GROUP):
                self._skip1 |= 1 << bit  # zero characters: go on to the next token
            if kind == _GROUP:
                self._skip3 |= 1 << bit  # or `**/` matches nothing at all
        self._start = self._close(1)
        self._accept = 1 << len(self._tokens)
        self._masks: dict[str, tuple[int, int]] = {}

    def _close(self, states: int) -> int:
        while True:
            more = states | ((states & self._skip1) << 1) | ((states & self._skip3) << 3)
            if more == states:
                return states
            states = more

    def _mask(self, c: str) -> tuple[int, int]:
        """Which states move on over ``c`` and which stay (a star eating it)."""
        advance = stay = 0
        for bit, (kind, arg) in enumerate(self._tokens):
            if kind == _LIT:
                hit = arg == c
            elif kind == _ANY:
                hit = c != "/"
            elif kind == _CLASS:
                assert isinstance(arg, _Class)
                hit = arg.has(c)
            else:
                if kind == _DSTAR or (kind == _STAR and c != "/"):
                    stay |= 1 << bit
                continue
            if hit:
                advance |= 1 << bit
        self._masks[c] = (advance, stay)
        return advance, stay

    def match(self, path: str) -> bool:
        """Whether the glob matches all of ``path``."""
        states = self._start
        masks = self._masks
        for c in path:
            advance, stay = masks.get(c) or self._mask(c)
            states = ((states & advance) << 1) | (states & stay)
            if not states:
                return False
            states = self._close(states)
        return bool(states & self._accept)


_CACHE: dict[str, Glob] = {}


def compile_glob(text: str) -> Glob:
    """``text`` compiled (once per run); raises :class:`GlobError` for an invalid class."""
    found = _CACHE.get(text)
    if found is None:
        found = _CACHE[text] = Glob(text)
    return found


def exclude_glob(text: str) -> tuple[str, bool]:
    """An ``--exclude`` glob as it is matched: without a leading ``./`` or a trailing
    ``/`` (which says "directories only": the second item)."""
    glob = text.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    dir_only = glob.endswith("/") and glob != "/"
    return (glob.rstrip("/") if dir_only else glob), dir_only
