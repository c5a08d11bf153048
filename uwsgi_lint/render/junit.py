"""``--format junit``: one test suite, a test case per file checked; a file with findings
fails with one ``<failure>`` that lists them all.

One failure a test case, as the JUnit schema has it: Jenkins reads only the first
``<failure>`` of a test case (junit-plugin ``CaseResult``), so a failure a finding hid
all but the first finding of each file there.  ElementTree escapes markup (``<``, ``&``,
``]]>``); messages and paths arrive cleaned (``untrusted.clean``), and the characters
XML 1.0 cannot hold at all are replaced, so the document stays well-formed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..diagnostics import Diagnostic
from ..report import Report
from . import display_path

_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: control characters, lone surrogates and U+FFFE/U+FFFF
    become U+FFFD."""
    return _INVALID.sub("\ufffd", text)


def _headline(d: Diagnostic) -> str:
    return f"{d.code} [{d.name}] {d.message}"


def _lines(d: Diagnostic) -> list[str]:
    s = d.span.start
    lines = [f"{display_path(d.span.file)}:{s.line}:{s.column}: {_headline(d)}"]
    for r in d.related:
        p = r.span.start
        lines.append(f"    {display_path(r.span.file)}:{p.line}:{p.column}: {r.message}")
    if d.detail:
        lines.append(d.detail)
    return lines


def _failure(case: ET.Element, found: list[Diagnostic]) -> None:
    """One ``<failure>``: the finding's headline as its message (or how many there are and
    of which rules), the rule codes as its type, and every finding's lines as its text."""
    codes = list(dict.fromkeys(d.code for d in found))
    if len(found) == 1:
        message = _headline(found[0])
    else:
        rules = ", ".join(dict.fromkeys(f"{d.code} [{d.name}]" for d in found))
        message = f"{len(found)} problems: {rules}"
    failure = ET.SubElement(case, "failure", message=_xml(message), type=" ".join(codes))
    failure.text = _xml("\n".join(line for d in found for line in _lines(d)))


def render(report: Report) -> str:
    by_file: dict[str, list[Diagnostic]] = {display_path(f): [] for f in report.files}
    for d in report.diagnostics:
        by_file.setdefault(display_path(d.span.file), []).append(d)
    failing = sum(1 for found in by_file.values() if found)
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name="uwsgi-lint", tests=str(len(by_file)),
                          failures=str(failing), errors=str(len(report.errors)))
    for path in sorted(by_file):
        case = ET.SubElement(suite, "testcase", name=_xml(path), classname="uwsgi-lint")
        if by_file[path]:
            _failure(case, by_file[path])
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
