"""``--format json``: one versioned document for editors and scripts.

The document's JSON Schema ships in ``uwsgi_lint/schemas/report-v1.json``.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic
from ..report import Report
from ..untrusted import clean, clean_lines
from . import shown_path

SCHEMA_VERSION = 1


def document(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "uwsgi-lint", "version": __version__},
        "diagnostics": [
            {
                "code": d.code,
                "name": d.name,
                "severity": d.severity.value,
                "message": d.message,
                "detail": d.detail,
                "filename": shown_path(d.span.file),
                "location": {"line": d.span.start.line, "column": d.span.start.column},
                "end_location": {"line": d.span.end.line, "column": d.span.end.column},
                "fix": _fix(d),
                "related": [
                    {
                        "message": r.message,
                        "filename": shown_path(r.span.file),
                        "location": {"line": r.span.start.line, "column": r.span.start.column},
                        "end_location": {"line": r.span.end.line, "column": r.span.end.column},
                    }
                    for r in d.related
                ],
                **_link(report, d),
            }
            for d in report.diagnostics
        ],
        "files_checked": len(report.files),
    }


def _fix(d: Diagnostic) -> dict[str, Any] | None:
    """The finding's fix: applicability, message and edits (their new text masked, as all
    printed text is: a fix that writes a secret does not print it)."""
    if d.fix is None:
        return None
    return {
        "applicability": d.fix.applicability.value,
        "message": clean(d.fix.message),
        "edits": [
            {
                "content": clean_lines(e.content),
                "location": {"line": e.span.start.line, "column": e.span.start.column},
                "end_location": {"line": e.span.end.line, "column": e.span.end.column},
            }
            for e in d.fix.edits
        ],
    }


def _link(report: Report, d: Diagnostic) -> dict[str, str]:
    """``{"url": ...}``, the link to the rule's page, when the report has a ``docs_url``."""
    url = report.url(d.code, d.name)
    return {} if url is None else {"url": url}


def render(report: Report) -> str:
    text = json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
    # undecodable bytes of a config travel as lone surrogates: never emit invalid UTF-8
    return text.encode("utf-8", "replace").decode("utf-8")
