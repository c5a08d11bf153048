"""Source text, positions, and the offset map that survives magic substitution.

uWSGI substitutes magic variables (``%n``, ``%d`` ...) in the raw bytes of a file before
any parser sees them.  :class:`Expanded` is the text after substitution plus a compact map
from every offset in it back to the offset the user wrote, so a reader can parse what
uWSGI parses and still report positions in the original file.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .model import Position, Span


class LineIndex:
    """Converts character offsets of one text into 1-based line/column positions."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts

    def position(self, offset: int) -> Position:
        line = bisect_right(self.starts, offset) - 1
        return Position(line + 1, offset - self.starts[line] + 1)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of expanded text: literal (copied 1:1) or produced by one ``%X`` token."""

    out: int  # first offset in the expanded text
    src: int  # first offset in the source text
    src_len: int  # source characters consumed (for literals: same as the output length)
    literal: bool


class Expanded:
    """Text after magic substitution, mapped back to the source text it came from."""

    __slots__ = ("_identity", "_outs", "_segs", "lines", "path", "source", "text", "unresolved")

    def __init__(
        self,
        text: str,
        source: str,
        segments: list[Segment],
        path: str,
        unresolved: list[tuple[int, str]] | None = None,
    ) -> None:
        self.text = text
        self.source = source
        self.path = path
        self.lines = LineIndex(source)
        self._segs = segments
        self._outs = [s.out for s in segments]
        self._identity = text is source
        # (offset in text, "%X") for magic variables whose value is unknown here
        self.unresolved = unresolved or []

    def unresolved_in(self, start: int, end: int) -> tuple[str, ...]:
        """Unknown magic variables that lie inside expanded text ``[start, end)``."""
        if not self.unresolved:
            return ()
        return tuple(tok for off, tok in self.unresolved if start <= off < end)

    def _segment(self, offset: int) -> Segment | None:
        if not self._segs:
            return None
        i = bisect_right(self._outs, offset) - 1
        return self._segs[max(i, 0)]

    def src_start(self, offset: int) -> int:
        """Source offset where the expanded character at ``offset`` begins.

        A variable that vanished right there (``%Y`` -> "") belongs to what follows it.
        """
        if self._identity or not self._segs:
            return offset
        i = bisect_left(self._outs, offset)
        if i < len(self._segs) and self._outs[i] == offset:
            return self._segs[i].src
        seg = self._segs[max(i - 1, 0)]
        if seg.literal:
            return seg.src + (offset - seg.out)
        return seg.src

    def src_end(self, offset: int) -> int:
        """Source offset just after the expanded character at ``offset - 1``.

        Variables that vanished right after it belong to what precedes them.
        """
        if self._identity or not self._segs:
            return offset
        found = -1
        for k in range(bisect_left(self._outs, offset), bisect_right(self._outs, offset)):
            seg = self._segs[k]
            if not seg.literal and self._is_empty(k):
                found = seg.src + seg.src_len
        if found != -1:
            return found
        if offset <= 0:
            return self._segs[0].src
        last = self._segment(offset - 1)
        if last is None:
            return offset
        if last.literal:
            return last.src + (offset - last.out)
        return last.src + last.src_len

    def _is_empty(self, i: int) -> bool:
        nxt = self._outs[i + 1] if i + 1 < len(self._outs) else len(self.text)
        return nxt == self._outs[i]

    def span(self, start: int, end: int) -> Span:
        """The source span of expanded text ``[start, end)``."""
        s = self.src_start(start)
        e = self.src_end(end) if end > start else s
        return Span(self.path, self.lines.position(s), self.lines.position(e))

    def raw(self, start: int, end: int) -> str:
        """The source text behind expanded text ``[start, end)``."""
        s = self.src_start(start)
        e = self.src_end(end) if end > start else s
        return self.source[s:e]



def identity(source: str, path: str) -> Expanded:
    """A text that needs no substitution."""
    return Expanded(source, source, [Segment(0, 0, len(source), True)], path)


def decode(data: bytes) -> str:
    """Bytes to text the way a linter can show them: UTF-8, undecodable bytes kept."""
    return data.decode("utf-8", "surrogateescape")
