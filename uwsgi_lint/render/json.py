"""``--format json``: one versioned document for editors and scripts.

The document's JSON Schema ships in ``uwsgi_lint/schemas/report-v1.json``.  Columns are
given in the code units of ``position_encoding`` (``--position-encoding``: characters by
default, or UTF-16 or UTF-8 units as editors count them), 1-based, from the text of each
file as read now (a buffer from standard input as given); a file that cannot be read keeps
character columns.
"""

from __future__ import annotations

import json
import os
import re
from array import array
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic
from ..model import Edit, Span
from ..positions import to_units
from ..report import Report
from ..source import decode
from ..suppress import suppression_edits
from ..untrusted import clean, clean_lines
from . import pages, shown_path
from .source import file_bytes

SCHEMA_VERSION = 1


class _Files:
    """The bytes of the files a document points into, each read once (``source.file_bytes``:
    a buffer from standard input in place of its file), and where their lines start."""

    def __init__(self) -> None:
        self._data: dict[str, bytes | None] = {}
        self._starts: dict[str, array[int]] = {}

    def data(self, path: str) -> bytes | None:
        """The bytes of ``path``, None when it cannot be read."""
        key = os.path.abspath(path)
        if key not in self._data:
            self._data[key] = file_bytes(key)
        return self._data[key]

    def line(self, path: str, line: int) -> str | None:
        """Line ``line`` (1-based) of ``path`` as the readers decode it (``source.decode``;
        lines end at LF), None when the file cannot be read or has no such line."""
        key = os.path.abspath(path)
        data = self.data(key)
        if data is None:
            return None
        if key not in self._starts:
            self._starts[key] = array("q", [0, *(m.end() for m in re.finditer(b"\n", data))])
        starts = self._starts[key]
        if not 1 <= line <= len(starts):
            return None
        end = starts[line] - 1 if line < len(starts) else len(data)
        return decode(data[starts[line - 1] : end])


def document(report: Report, position_encoding: str = "utf-32") -> dict[str, Any]:
    """The report as one document, columns in ``position_encoding`` (``"utf-32"``,
    ``"utf-16"`` or ``"utf-8"``)."""
    files = _Files()

    def place(span: Span) -> dict[str, dict[str, int]]:
        """``location`` and ``end_location`` of ``span``, columns in code units."""
        out = {}
        for key, p in (("location", span.start), ("end_location", span.end)):
            # characters are what the linter counts: only other units need the line
            text = None if position_encoding == "utf-32" else files.line(span.file, p.line)
            column = p.column if text is None else to_units(text, p.column, position_encoding) + 1
            out[key] = {"line": p.line, "column": column}
        return out

    def edit(e: Edit, content: str) -> dict[str, Any]:
        return {"content": content, **place(e.span)}

    def fix(d: Diagnostic) -> dict[str, Any] | None:
        """The finding's fix: applicability, message and edits (their new text masked, as
        all printed text is: a fix that writes a secret does not print it)."""
        if d.fix is None:
            return None
        return {
            "applicability": d.fix.applicability.value,
            "message": clean(d.fix.message),
            "edits": [edit(e, clean_lines(e.content)) for e in d.fix.edits],
        }

    def suppression(d: Diagnostic) -> dict[str, Any]:
        """The comment that silences the finding, as ``--add-noqa`` writes it, as edits.
        It holds only the code and the indentation of the finding's line: nothing to mask;
        ``clean_lines`` escapes a control character that indentation could hold."""
        data = files.data(d.span.file)
        if data is None:
            return {"line": None, "file": None}
        found = suppression_edits(d.span.file, data, d.span.start.line, d.code)
        return {kind: None if e is None else edit(e, clean_lines(e.content))
                for kind, e in (("line", found.line), ("file", found.file))}

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "uwsgi-lint", "version": __version__},
        "position_encoding": position_encoding,
        "diagnostics": [
            {
                "code": d.code,
                "name": d.name,
                "severity": d.severity.value,
                "message": d.message,
                "detail": d.detail,
                "filename": shown_path(d.span.file),
                **place(d.span),
                "fix": fix(d),
                "related": [
                    {"message": r.message, "filename": shown_path(r.span.file), **place(r.span)}
                    for r in d.related
                ],
                **_link(report, d),
                "page": pages.link(d.code, d.name, report.docs_url),
                "suppression": suppression(d),
            }
            for d in report.diagnostics
        ],
        "files_checked": len(report.files),
    }


def _link(report: Report, d: Diagnostic) -> dict[str, str]:
    """``{"url": ...}``, the link to the rule's page, when the report has a ``docs_url``."""
    url = report.url(d.code, d.name)
    return {} if url is None else {"url": url}


def render(report: Report, position_encoding: str = "utf-32") -> str:
    doc = document(report, position_encoding)
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    # undecodable bytes of a config travel as lone surrogates: never emit invalid UTF-8
    return text.encode("utf-8", "replace").decode("utf-8")
