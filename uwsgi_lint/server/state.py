"""The server's workspace: the open documents and what the last lint of each said.

A document is linted as ``uwsgi-lint FILE`` lints it (the same settings, the Emperor above
it read for context, only its own findings kept), with its unsaved text in place of the
file and every other open document's text in place of that file (an Emperor being edited
beside its vassal).  Nothing here imports pygls (:mod:`uwsgi_lint.server.protocol` does).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..discover import HEAD_BYTES, looks_like_uwsgi
from ..engine import FileAssumptions, lint
from ..instance import Assumptions
from ..model import Instance
from ..postprocess import SettingsLookup
from ..readers import file_format
from .analysis import Analysis


@dataclass(slots=True)
class Workspace:
    """Open documents (absolute path -> text) and their last analyses."""

    documents: dict[str, str] = field(default_factory=dict)
    # what may be read besides each document's own tree: the editor's workspace folders
    roots: list[str] = field(default_factory=list)
    analyses: dict[str, Analysis] = field(default_factory=dict)

    def open(self, path: str, text: str) -> None:
        self.documents[os.path.abspath(path)] = text

    def close(self, path: str) -> None:
        path = os.path.abspath(path)
        self.documents.pop(path, None)
        self.analyses.pop(path, None)

    def reads(self, path: str, other: str) -> bool:
        """Whether the last lint of open document ``path`` read file ``other`` (an
        include, its Emperor); True when it has not been linted yet."""
        analysis = self.analyses.get(path)
        if analysis is None:
            return True
        return any(
            os.path.abspath(f.path) == other
            for inst in analysis.instances
            for f in [*inst.files, *(inst.emperor.files if inst.emperor else [])]
        )


def looks_like_config(path: str, text: str) -> bool:
    """Whether an open document is linted: it looks like a uWSGI config by the test a
    directory walk applies (an ``.ini`` without a ``[uwsgi]`` section, a YAML file with
    no ``uwsgi`` key ... get no findings, as ``uwsgi-lint DIR`` would skip them)."""
    head = text[:HEAD_BYTES].encode("utf-8", "surrogateescape")[:HEAD_BYTES]
    return looks_like_uwsgi(path, head) is not None


def analyse(
    path: str,
    text: str,
    open_documents: dict[str, str] | None = None,
    roots: Sequence[str] = (),
) -> Analysis:
    """Lint ``text`` as file ``path`` (absolute), the other ``open_documents`` (absolute
    path -> text) read in place of their files, reading what the document's own tree
    (:func:`~uwsgi_lint.engine.boundary_roots`) and ``roots`` (the editor's workspace
    folders, as ``--allow-read``) hold.  A settings file in error gives an
    analysis with no findings (:class:`~uwsgi_lint.settings.SettingsError` raised)."""
    data = text.encode("utf-8", "surrogateescape")
    others = {p: t.encode("utf-8", "surrogateescape")
              for p, t in (open_documents or {}).items() if p != path}
    instances: list[Instance] = []
    report = lint([], buffers={path: data}, overlay=others, jobs=1, instances=instances,
                  allow_read=roots)
    lookup = SettingsLookup()
    assumptions = FileAssumptions(lookup, Assumptions(), {})(path)
    return Analysis(
        path=path,
        text=text,
        format=file_format(path, data),
        diagnostics=[d for d in report.diagnostics if os.path.abspath(d.span.file) == path],
        instances=instances,
        assumptions=assumptions,
        errors=report.errors,
        docs_url=lookup(path).docs_url,
        allow_read=tuple(roots),
    )


