"""``--fix``, ``--unsafe-fixes`` and ``--diff``: the fixes of a run's findings, applied.

A fix is a list of edits on the text of one file (:class:`~uwsgi_lint.model.Fix`).  The
fixes of a run are applied in passes, as ruff applies them: each pass lints (the files
fixed so far read from memory, ``lint(overlay=...)``), takes per file the fixes that may
be applied and do not overlap one taken before them (in the order of the findings), and
applies them to the bytes; a fix that overlapped waits for the next pass, where it is
made again on the new text if its finding is still there.  It stops when a pass has
nothing left to apply, or after :data:`MAX_PASSES`.

Edits are applied to the bytes as they were read (UTF-8, undecodable bytes kept as they
are), so the encoding, a byte order mark, line endings, indentation and comments outside
the edits stay.  A file with a reading error (:data:`READING_ERRORS`) is never edited:
what uWSGI reads of it is not known well enough.  Nothing is written here: the caller
writes the new bytes through :func:`uwsgi_lint.edits.rewrite` (``--fix``), prints their
diff (``--diff``) or the fixed buffer (standard input).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .diagnostics import Diagnostic
from .model import Edit, Fix
from .report import Report
from .source import LineIndex, decode

MAX_PASSES = 10
# the findings that mean a file was not read to its end, or not as uWSGI reads it
READING_ERRORS = frozenset({"UW001", "UW007", "UW024", "UW025", "UW099", "UW600"})


class Overlap(ValueError):
    """Edits that overlap one another: they cannot be applied together."""


def offsets(index: LineIndex, edit: Edit) -> tuple[int, int]:
    """The character offsets of ``edit``'s span in the text of ``index``."""

    def at(line: int, column: int) -> int:
        if not 1 <= line <= len(index.starts):
            raise ValueError(f"line {line} is not in the file")
        start = index.starts[line - 1]
        end = index.starts[line] if line < len(index.starts) else len(index.text)
        offset = start + column - 1
        if not start <= offset <= end:
            raise ValueError(f"column {column} is not on line {line}")
        return offset

    start = at(edit.span.start.line, edit.span.start.column)
    end = at(edit.span.end.line, edit.span.end.column)
    if end < start:
        raise ValueError("an edit ends before it starts")
    return start, end


def apply_edits(data: bytes, edits: Sequence[Edit]) -> bytes:
    """``data`` with ``edits`` made (positions in its text: :func:`uwsgi_lint.source.decode`);
    raises :class:`Overlap` when two of them overlap (two insertions at one place are
    made in the order given)."""
    text = decode(data)
    index = LineIndex(text)
    placed = sorted(
        ((*offsets(index, e), i, e.content) for i, e in enumerate(edits)),
        key=lambda t: (t[0], t[1], t[2]),
    )
    out: list[str] = []
    done = 0
    for start, end, _, content in placed:
        if start < done:
            raise Overlap("two edits overlap")
        out.append(text[done:start])
        out.append(content)
        done = end
    out.append(text[done:])
    return "".join(out).encode("utf-8", "surrogateescape")


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    """Whether ``d``'s fix is applied: it has one (the settings' ``unfixable`` rules have
    none: :mod:`uwsgi_lint.postprocess`), and it is safe or ``unsafe`` is given
    (``--unsafe-fixes``)."""
    return d.fix is not None and d.fix.applies(unsafe)


def _spans(fix: Fix) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    return [((e.span.start.line, e.span.start.column), (e.span.end.line, e.span.end.column))
            for e in fix.edits]


def _overlaps(a: Fix, b: Fix) -> bool:
    """Whether two fixes touch the same text (an insertion at the start or end of another
    edit counts: their order would be a guess)."""
    return any(s1 <= e2 and s2 <= e1 for s1, e1 in _spans(a) for s2, e2 in _spans(b))


def chosen(report: Report, unsafe: bool) -> dict[str, list[Diagnostic]]:
    """Per file, the findings whose fixes are applied in this pass: applicable, in a file
    without a reading error, in the order of the findings, each overlapping none taken
    before it."""
    broken = {os.path.abspath(d.span.file) for d in report.diagnostics
              if d.code in READING_ERRORS}
    out: dict[str, list[Diagnostic]] = {}
    for d in report.diagnostics:
        if not applicable(d, unsafe):
            continue
        assert d.fix is not None
        files = {os.path.abspath(e.span.file) for e in d.fix.edits}
        if len(files) != 1 or files & broken:
            continue
        path = files.pop()
        taken = out.setdefault(path, [])
        if any(t.fix is not None and _overlaps(t.fix, d.fix) for t in taken):
            continue
        taken.append(d)
    return {k: v for k, v in out.items() if v}


@dataclass
class Outcome:
    """What the passes did: the report of the last pass (the findings left), the new
    bytes of each file changed (``before``: as first read), and how many fixes each rule
    applied."""

    report: Report
    before: dict[str, bytes] = field(default_factory=dict)
    after: dict[str, bytes] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> list[str]:
        return sorted(p for p, data in self.after.items() if data != self.before[p])


def run_passes(
    lint: Callable[[dict[str, bytes]], Report],
    read: Callable[[str], bytes],
    *,
    unsafe: bool,
) -> Outcome:
    """Lint and apply fixes in passes (see the module docstring).  ``lint(overlay)`` runs
    the linter with the given files read from memory; ``read(path)`` gives a file's bytes
    as the first pass read them."""
    outcome = Outcome(lint({}))
    for _ in range(MAX_PASSES):
        picked = chosen(outcome.report, unsafe)
        if not picked:
            break
        for path, found in picked.items():
            if path not in outcome.after:
                outcome.before[path] = outcome.after[path] = read(path)
            edits = [e for d in found if d.fix is not None for e in d.fix.edits]
            try:
                outcome.after[path] = apply_edits(outcome.after[path], edits)
            except (Overlap, ValueError):
                continue  # a bug in a rule's fix: the file is left as it is in this pass
            for d in found:
                outcome.applied[d.code] = outcome.applied.get(d.code, 0) + 1
        outcome.report = lint(dict(outcome.after))
    return outcome


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """The change to one file as a unified diff (``--diff``), lines as they are (their
    endings kept), the text through the sanitiser (a diff is printed)."""
    import difflib

    from .untrusted import clean

    old = decode(before).splitlines(keepends=True)
    new = decode(after).splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}")
    out: list[str] = []
    for line in lines:
        body = line.rstrip("\r\n")
        out.append(clean(body, None) + "\n")
        if not line.endswith(("\n", "\r")):
            out.append("\\ No newline at end of file\n")
    return "".join(out)
