"""``inject-before``/``inject-after``: the text of other files around a config file.

``core/io.c: uwsgi_open_and_read()`` prepends the files ``inject-before`` names and appends
those ``inject-after`` names to every config file a loader reads after the option was
applied (verified with uWSGI 2.0.31), then substitutes the magic variables of that config
file over the whole: the parser sees one text.  :class:`Joined` is that text, with each
position pointing into the file it came from.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .model import ConfigFile, Span
from .source import Expanded, LineIndex, Segment


@dataclass(frozen=True, slots=True)
class Part:
    """The text of one file in a joined source."""

    start: int  # its first offset in the joined source
    path: str
    lines: LineIndex  # over its own text


def join(pieces: Sequence[tuple[str, str]]) -> tuple[str, tuple[Part, ...]]:
    """The joined source of ``(path, text)`` pieces, and where each one starts."""
    parts = []
    at = 0
    for path, text in pieces:
        parts.append(Part(at, path, LineIndex(text)))
        at += len(text)
    return "".join(text for _, text in pieces), tuple(parts)


class Joined(Expanded):
    """A config file read with injected text: spans point into the file each piece came
    from (its own line index is the config file's, so no fix edits the joined text)."""

    __slots__ = ("_starts", "parts")

    def __init__(
        self,
        text: str,
        source: str,
        segments: list[Segment],
        path: str,
        unresolved: list[tuple[int, str]] | None,
        parts: tuple[Part, ...],
        own: int,
    ) -> None:
        super().__init__(text, source, segments, path, unresolved)
        self.parts = parts
        self._starts = [p.start for p in parts]
        self.lines = parts[own].lines  # the config file's own part

    def part_at(self, offset: int) -> int:
        """The index of the part the expanded character at ``offset`` comes from."""
        return max(bisect_right(self._starts, self.src_start(offset)) - 1, 0)

    def span(self, start: int, end: int) -> Span:
        s = self.src_start(start)
        e = self.src_end(end) if end > start else s
        part = self.parts[max(bisect_right(self._starts, s) - 1, 0)]
        size = len(part.lines.text)
        s = min(max(s - part.start, 0), size)
        e = min(max(e - part.start, s), size)
        return Span(part.path, part.lines.position(s), part.lines.position(e))


class PartText:
    """The joined text as the directives of one injected file see it (their ``file``)."""

    __slots__ = ("joined", "path")

    def __init__(self, joined: Joined, path: str) -> None:
        self.joined = joined
        self.path = path

    @property
    def text(self) -> str:
        return self.joined.text

    def span(self, start: int, end: int) -> Span:
        return self.joined.span(start, end)

    def raw(self, start: int, end: int) -> str:
        return self.joined.raw(start, end)


def rebase(cfg: ConfigFile, joined: Joined, own: int) -> None:
    """Point the directives that come from an injected file at that file."""
    views: dict[int, PartText] = {}
    for sec in cfg.sections:
        for d in sec.directives():
            at = joined.part_at(d.loc.key_start)
            if at != own:
                view = views.setdefault(at, PartText(joined, joined.parts[at].path))
                d.loc = replace(d.loc, text=view)
