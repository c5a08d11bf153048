"""Code actions: a finding's fix (safe or unsafe, labelled), "fix all safe" for the file
(the passes of ``uwsgi-lint --fix``, :func:`uwsgi_lint.fix.run_passes`), and the comments
that silence a finding on its line or in the whole file (what ``--add-noqa`` writes:
:func:`uwsgi_lint.suppress.suppression_edits`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path

from .. import fs, session
from ..diagnostics import Diagnostic
from ..engine import lint
from ..fix import run_passes
from ..model import Applicability, Edit, Span
from ..report import Report
from ..source import LineIndex
from ..suppress import suppression_edits
from .analysis import Analysis

if TYPE_CHECKING:
    from .protocol import UwsgiLintServer

FIX_ALL_KIND = "source.fixAll.uwsgi-lint"


def code_actions(
    ls: UwsgiLintServer,
    analysis: Analysis,
    start: tuple[int, int],
    end: tuple[int, int],
    only: Sequence[str] | None,
) -> list[types.CodeAction]:
    """The actions for the findings whose lines meet lines ``start``..``end`` (the
    client's selection, or the cursor), then "fix all safe" when the file has a safe fix."""
    wanted = _kinds(only)
    out: list[types.CodeAction] = []
    data = analysis.text.encode("utf-8", "surrogateescape")
    if types.CodeActionKind.QuickFix in wanted:
        for d in analysis.diagnostics:
            if d.span.end.line < start[0] or d.span.start.line > end[0]:
                continue
            shown = [ls.diagnostic(d, analysis.docs_url)]
            if d.fix is not None:
                unsafe = d.fix.applicability is Applicability.UNSAFE
                out.append(types.CodeAction(
                    title=f"{d.code}: {d.fix.message}" + (" (unsafe fix)" if unsafe else ""),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=shown,
                    is_preferred=not unsafe,
                    edit=_workspace_edit(ls, d.fix.edits),
                ))
            comments = suppression_edits(analysis.path, data, d.span.start.line, d.code)
            for edit, where in ((comments.line, "on this line"), (comments.file, "in this file")):
                if edit is not None:
                    out.append(types.CodeAction(
                        title=f"Suppress {d.code} ({d.name}) {where}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=shown,
                        edit=_workspace_edit(ls, [edit]),
                    ))
    if FIX_ALL_KIND in wanted and any(_safe(d) for d in analysis.diagnostics):
        everything = fix_all(ls, analysis)
        if everything is not None:
            out.append(types.CodeAction(title="Fix all safe uwsgi-lint findings",
                                        kind=FIX_ALL_KIND, edit=everything))
    return out


def _kinds(only: Sequence[str] | None) -> set[str]:
    """The action kinds asked for (a kind asks for its sub-kinds: ``source`` gives
    ``source.fixAll.uwsgi-lint``)."""
    ours = {types.CodeActionKind.QuickFix.value, FIX_ALL_KIND}
    if not only:
        return ours
    return {k for k in ours if any(k == o or k.startswith(f"{o}.") for o in only)}


def _safe(d: Diagnostic) -> bool:
    return d.fix is not None and d.fix.applicability is Applicability.SAFE


def _workspace_edit(ls: UwsgiLintServer, edits: Sequence[Edit]) -> types.WorkspaceEdit:
    changes: dict[str, list[types.TextEdit]] = {}
    for e in edits:
        uri = from_fs_path(os.path.abspath(e.span.file)) or e.span.file
        changes.setdefault(uri, []).append(
            types.TextEdit(range=ls.range(e.span), new_text=e.content))
    return types.WorkspaceEdit(changes=changes)


def fix_all(ls: UwsgiLintServer, analysis: Analysis) -> types.WorkspaceEdit | None:
    """Every safe fix of the document, applied in passes as ``--fix`` applies them, as
    one edit per file changed (the text between the first and the last change)."""
    path = analysis.path
    documents = {p: t.encode("utf-8", "surrogateescape")
                 for p, t in dict(ls.state.documents).items()}
    mine = {path: documents.pop(path, analysis.text.encode("utf-8", "surrogateescape"))}

    def run(overlay: dict[str, bytes]) -> Report:
        return lint([], buffers={path: overlay.get(path, mine[path])},
                    overlay={**documents, **overlay}, jobs=1, allow_read=ls.state.roots)

    def read(name: str) -> bytes:
        name = os.path.abspath(name)
        if name in mine:
            return mine[name]
        if name in documents:
            return documents[name]
        with session.run(analysis.read_roots()):  # the one opener, within the lint's roots
            return fs.read_regular(name)

    outcome = run_passes(run, read, unsafe=False)
    if not outcome.changed:
        return None
    return _workspace_edit(ls, [_difference(p, outcome.before[p], outcome.after[p])
                                for p in outcome.changed])


def _difference(path: str, before: bytes, after: bytes) -> Edit:
    """One edit that turns ``before`` into ``after``: the text between their common
    beginning and their common end replaced."""
    old = before.decode("utf-8", "surrogateescape")
    new = after.decode("utf-8", "surrogateescape")
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    lines = LineIndex(old)
    return Edit(Span(path, lines.position(head), lines.position(len(old) - tail)),
                new[head:len(new) - tail])
