"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers,
shaped as GitHub documents it ("SARIF support for code scanning").

Paths are relative to the git work tree of the working directory (else to the working
directory) under ``uriBaseId: %SRCROOT%``, a symlink as its real path when that lies
inside too (GitHub cannot show a link); a file outside gets an absolute ``file://`` URI.

Each rule carries its page (``rules/UWnnn.md``) as help text and markdown, a link to it
(``helpUri``) when the report has a ``docs_url``, its descriptions cut to GitHub's 1,024
characters, and a ``precision`` by rule set (GitHub sorts alerts by it):

=========  =========  ====================================================================
set        precision  why
=========  =========  ====================================================================
default    high       what uWSGI does with the config, checked against its source and the
                      real uWSGI; not "very-high": the tree may not be the whole
                      deployment (an Emperor, a firewall, a umask set elsewhere)
hardening  medium     advice whose truth depends on how the file is deployed
pedantic   low        style and portability advice
=========  =========  ====================================================================

The exposure rules (UW5xx) are tagged ``security`` (and their CWE) with a
``security-severity``, which makes them security alerts ranked by it (GitHub: 9.0 and over
critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low).  Scored as CVSS would: what the
finding lets in, and who can reach it.

=====  =====  ===  =========================================================================
rule   score  CWE  what it exposes
=====  =====  ===  =========================================================================
UW501  9.8    306  anyone who reaches the port makes the app load code (uwsgi protocol)
UW502  7.8    732  every local user reaches the app past the web server, and can do the same
UW503  7.5    306  anyone who reaches the port reads stats, subscribes routes, writes caches
UW504  6.5    250  any bug in the app is a bug running as root
UW505  2.0    --   commands and plugins the config runs, listed for review (hardening)
UW506  8.1    494  whoever is on the network path writes the config, and so runs commands
UW507  7.5    798  a credential goes wherever the file goes (repository, image, backups)
UW508  2.0    --   a socket file named like a port: not reachable as meant, nothing exposed
UW509  2.0    --   uWSGI exits: the service is down, nothing exposed
UW510  4.0    250  any bug in the app runs as root in its container (hardening)
=====  =====  ===  =========================================================================

Each result has GitHub's ``primaryLocationLineHash`` (``source.line_hash``: computed as
GitHub's upload action does, over the file with its secrets masked) beside our own
``uwsgiLint/v1`` fingerprint (``source.fingerprints``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .. import __version__
from ..diagnostics import Severity
from ..model import Fix, Position, Span
from ..report import Report
from ..rules import Rule, all_rules
from ..untrusted import clean, clean_lines
from . import pages
from .source import file_uri, fingerprints, line_hash, project_root, relative, uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "uwsgiLint/v1"
LINE_HASH = "primaryLocationLineHash"
DESCRIPTION_LIMIT = 1024  # GitHub's limit for shortDescription and fullDescription
PRECISION = {"default": "high", "hardening": "medium", "pedantic": "low"}


@dataclass(frozen=True, slots=True)
class Security:
    """How GitHub ranks a rule's findings among security alerts (the table above)."""

    score: str  # ``security-severity``: a CVSS-like score, as a string
    cwe: int | None = None


SECURITY = {
    "UW501": Security("9.8", 306),
    "UW502": Security("7.8", 732),
    "UW503": Security("7.5", 306),
    "UW504": Security("6.5", 250),
    "UW505": Security("2.0"),
    "UW506": Security("8.1", 494),
    "UW507": Security("7.5", 798),
    "UW508": Security("2.0"),
    "UW509": Security("2.0"),
    "UW510": Security("4.0", 250),
}

# where a sentence ends (not after "e.g." or "i.e.")
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)[.!?](?=\s)")
_ELLIPSIS = " ..."


def shortened(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` in at most ``limit`` characters: when longer, cut after its last whole
    sentence that fits (else its last whole word) and `` ...`` added."""
    if len(text) <= limit:
        return text
    room = limit - len(_ELLIPSIS)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, room)]
    if ends and ends[-1] >= room // 2:
        cut = ends[-1]
    else:  # the last blank at or before ``room``
        probe = text[: room + 1]
        cut = max(probe.rfind(" "), probe.rfind("\n"))
    return text[: cut if cut > 0 else room].rstrip() + _ELLIPSIS


def _rule(r: Rule, help_uri: str | None) -> dict[str, Any]:
    tags = [r.severity.value]
    properties: dict[str, Any] = {"tags": tags, "precision": PRECISION[r.group]}
    security = SECURITY.get(r.code)
    if security is not None:
        tags.append("security")
        if security.cwe is not None:
            tags.append(f"external/cwe/cwe-{security.cwe}")
        properties["security-severity"] = security.score
    properties["fix"] = r.fix
    text = pages.page(r.code)
    what = pages.plain(pages.section(text, "What it does")) if text else ""
    why = pages.plain(pages.section(text, "Why is this bad?")) if text else ""
    entry: dict[str, Any] = {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": shortened(r.summary)},
        "fullDescription": {"text": shortened(what or r.summary)},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "help": {"text": "\n\n".join(p for p in (what, why) if p) or r.summary},
        "properties": properties,
    }
    if text:
        entry["help"]["markdown"] = pages.body(text)
    if help_uri is not None:
        entry["helpUri"] = help_uri
    return entry


def _location(span: Span, message: str | None = None) -> dict[str, Any]:
    rel = relative(span.file)
    artifact = (
        {"uri": uri(rel), "uriBaseId": "%SRCROOT%"} if rel is not None
        else {"uri": file_uri(span.file)}
    )
    start_line, start_col = max(span.start.line, 1), max(span.start.column, 1)
    region: dict[str, int] = {"startLine": start_line, "startColumn": start_col}
    end_line, end_col = span.end.line, span.end.column
    if (end_line, end_col) > (start_line, start_col) and end_col >= 1:
        region["endLine"] = end_line
        region["endColumn"] = end_col
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact, "region": region}}
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def _fix(fix: Fix, file: str) -> dict[str, Any]:
    """A SARIF ``fix``: its edits as replacements of regions of the finding's file (the
    new text masked, as all printed text is), applicability in its properties."""
    artifact = _location(Span(file, Position(1, 1), Position(1, 1)))
    return {
        "description": {"text": clean(fix.message)},
        "artifactChanges": [{
            "artifactLocation": artifact["physicalLocation"]["artifactLocation"],
            "replacements": [
                {
                    "deletedRegion": {
                        "startLine": e.span.start.line, "startColumn": e.span.start.column,
                        "endLine": e.span.end.line, "endColumn": e.span.end.column,
                    },
                    "insertedContent": {"text": clean_lines(e.content)},
                }
                for e in fix.edits
            ],
        }],
        "properties": {"applicability": fix.applicability.value},
    }


def document(report: Report) -> dict[str, Any]:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for d, fp in zip(report.diagnostics, fingerprints(report.diagnostics), strict=True):
        prints = {FINGERPRINT: fp}
        line = line_hash(d.span.file, max(d.span.start.line, 1))
        if line is not None:  # else the upload action hashes the file, if it can read it
            prints[LINE_HASH] = line
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": LEVEL[d.severity],
            "message": {"text": f"{d.message}\n\n{d.detail}" if d.detail else d.message},
            "locations": [_location(d.span)],
            "partialFingerprints": prints,
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.fix is not None:
            result["fixes"] = [_fix(d.fix, d.span.file)]
        if d.related:
            result["relatedLocations"] = [
                {"id": i, **_location(r.span, r.message)} for i, r in enumerate(d.related, 1)
            ]
        results.append(result)
    root = file_uri(project_root())
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "uwsgi-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(r, report.url(r.code, r.name)) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.rstrip("/") + "/"}},
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": clean(e)}}
                            for e in report.errors
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }


def render(report: Report) -> str:
    text = json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")
