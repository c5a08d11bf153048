"""Every corpus file yields a tree or a UW001 diagnostic, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.engine import lint

from .conftest import CORPUS, corpus_files, needs_shared

pytestmark = [needs_shared, pytest.mark.corpus]


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_is_read_without_error(path: Path) -> None:
    report = lint([str(path)])
    assert report.errors == []
    assert str(path) in report.files
    for d in report.diagnostics:
        assert d.span.start.line >= 1 and d.span.start.column >= 1
        assert d.span.end >= d.span.start
