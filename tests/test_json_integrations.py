"""What a tool reading ``--format json`` gets to act on: columns in the position encoding
it counts in, fixes and suppression comments as edits it can apply (the same bytes as
``--fix`` and ``--add-noqa`` write), and the rule page; and ``suppress.suppression_edits``,
which the language server's "suppress" code actions use too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.engine import lint
from uwsgi_lint.fix import apply_edits
from uwsgi_lint.model import Edit
from uwsgi_lint.suppress import suppression_edits

from .helpers import write

PYTHON = (
    "from uwsgiconf.config import Section\n\n\n"
    "def get():\n"
    "    s = Section()\n"
    "    s._set('procesess', 4)\n"
    "    return s\n\n\n"
    "uwsgi_configuration = [get().as_configuration()]\n"
)

# name, bytes, and the form --add-noqa uses for each finding, in the report's order
CASES: dict[str, tuple[str, bytes, list[str]]] = {
    "ini": ("app.ini", b"[uwsgi]\nprocesses = 4\nprocesess = 4\n", ["line"]),
    # CRLF, no final newline, an accent and an undecodable byte on the last line
    "ini crlf": ("app.ini", b"[uwsgi]\r\nprocesess = 4\r\n; caf\xc3\xa9 \xff", ["line"]),
    "yaml": ("app.yaml", b"uwsgi:\n  processes: 4\n  procesess: 4\n", ["line"]),
    "yaml crlf": ("app.yaml", b"uwsgi:\r\n  procesess: 4", ["line"]),
    "xml": ("app.xml", b'<?xml version="1.0"?>\n<uwsgi>\n    <procesess>4</procesess>\n'
                       b"</uwsgi>\n", ["line"]),
    # nothing may come before the declaration: the comment goes at the end of its line
    "xml declaration": ("app.xml", b'<?xml version="1.0"?><uwsgi><procesess>4</procesess>'
                                   b"</uwsgi>\n", ["line"]),
    "xml no final newline": ("app.xml", b"<uwsgi>\n  <procesess>4</procesess>\n</uwsgi>",
                             ["line"]),
    "uwsgiconf": ("uwsgicfg.py", PYTHON.encode(), ["line"]),
    # a comment there would be text: the file form
    "yaml block": ("app.yaml", b"uwsgi:\n  env: |\n    A=1\n    procesess = 4\n"
                               b"  procesess: 4\n", ["file"]),
    "xml cdata": ("app.xml", b"<uwsgi>\n<processes><![CDATA[\n4G]]></processes>\n</uwsgi>\n",
                  ["file"]),
    # a comment above `[uwsgi]` would take the byte order mark away from it
    "byte order mark": ("app.ini", b"\xef\xbb\xbf[uwsgi]\nprocesess = 4\n", ["file"]),
    "byte order mark crlf": ("app.ini", b"\xef\xbb\xbf[uwsgi]\r\nprocesess = 4", ["file"]),
}

COMMENT = {".ini": b"; %s", ".yaml": b"# %s", ".py": b"# %s", ".xml": b"<!-- %s -->"}


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        files("uwsgi_lint").joinpath("schemas/report-v1.json").read_text(encoding="utf-8"))
    return loaded


def findings(path: Path) -> list[tuple[int, str]]:
    return [(d.span.start.line, d.code) for d in lint([str(path)]).diagnostics]


@pytest.mark.parametrize("case", CASES)
def test_the_suppression_edits_write_what_add_noqa_writes(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name, data, forms = CASES[case]
    path = write(tmp_path / "edits", name, data)
    report = lint([str(path)])
    lines = [d.span.start.line for d in report.diagnostics]
    assert len(set(lines)) == len(lines) == len(forms)  # --add-noqa merges one line's codes
    edits: list[Edit] = []
    for d, form in zip(report.diagnostics, forms, strict=True):
        found = suppression_edits(str(path), data, d.span.start.line, d.code)
        assert found.file is not None
        assert (found.line is not None) == (form == "line")
        edits.append(found.line or found.file)
    noqa = write(tmp_path / "noqa", name, data)
    assert main(["--add-noqa", str(noqa)]) == 0
    capsys.readouterr()
    assert apply_edits(data, edits) == noqa.read_bytes() != data
    path.write_bytes(noqa.read_bytes())
    assert findings(path) == []  # every finding silenced, no UW090 either


@pytest.mark.parametrize("case", CASES)
def test_the_file_form_silences_the_finding(tmp_path: Path, case: str) -> None:
    name, data, _ = CASES[case]
    path = write(tmp_path, name, data)
    for line, code in findings(path):
        found = suppression_edits(str(path), data, line, code)
        assert found.file is not None
        changed = apply_edits(data, [found.file])
        *kept, added = changed.splitlines()  # every line kept as it was, one line added
        comment = COMMENT[Path(name).suffix] % f"uwsgi-lint: disable-file={code}".encode()
        assert (kept, added) == (data.splitlines(), comment)
        path.write_bytes(changed)
        after = findings(path)
        assert code not in [c for _, c in after] and "UW090" not in [c for _, c in after]
        path.write_bytes(data)


def test_no_suppression_comment_in_json_nor_for_the_suppression_findings(
    tmp_path: Path,
) -> None:
    data = b'{"uwsgi": {"procesess": 4}}\n'
    path = write(tmp_path, "app.json", data)
    [(line, code)] = findings(path)
    found = suppression_edits(str(path), data, line, code)
    assert (found.line, found.file) == (None, None)
    unused = b"[uwsgi]\n; uwsgi-lint: disable=UW101\nprocesses = 4\n"
    path = write(tmp_path, "app.ini", unused)
    assert findings(path) == [(2, "UW090")]
    found = suppression_edits(str(path), unused, 2, "UW090")
    assert (found.line, found.file) == (None, None)


# --- --format json -------------------------------------------------------------------

EMOJI = "\N{GRINNING FACE}"  # outside the Basic Multilingual Plane: 2 UTF-16 units, 4 bytes
XML = f"<uwsgi>\n  <env>A={EMOJI}{EMOJI}</env><procesess>4</procesess>\n</uwsgi>\n"
INI = f"[uwsgi]\nsocket = /run/{EMOJI}.sock # {EMOJI} main\nprocesess = 4\n"
DECLARED = (f'<?xml version="1.0"?><uwsgi><env>{EMOJI}</env><procesess>4</procesess>'
            "</uwsgi>\n")


def document(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    main(["--format", "json", *args])
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, schema())
    return doc


def columns(d: dict[str, Any]) -> list[tuple[int, int]]:
    """Every position of a finding: its span, its fix's edits, its suppression edits."""
    places = [d, *(d["fix"] or {"edits": []})["edits"],
              *(e for e in d["suppression"].values() if e is not None)]
    return [(p[key]["line"], p[key]["column"]) for p in places
            for key in ("location", "end_location")]


def test_columns_count_the_units_of_the_position_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "app.xml", XML)
    by_encoding = {}
    for encoding in ("utf-32", "utf-16", "utf-8"):
        doc = document(capsys, "--position-encoding", encoding, str(path))
        assert doc["position_encoding"] == encoding
        [d] = doc["diagnostics"]
        by_encoding[encoding] = columns(d)
    # utf-32 (the default) counts characters: two emoji before `procesess`
    assert by_encoding["utf-32"] == [
        (2, 19), (2, 28),  # the finding
        (2, 19), (2, 28), (2, 32), (2, 41),  # the fix renames both tags
        (2, 1), (2, 1),  # the comment above the line, at its start
        (4, 1), (4, 1)]  # the file form, at the end
    # each emoji is one more UTF-16 unit, three more UTF-8 bytes, on its own line only
    for encoding, extra in (("utf-16", 2), ("utf-8", 6)):
        assert by_encoding[encoding] == [
            (line, column + extra if line == 2 and column > 1 else column)
            for line, column in by_encoding["utf-32"]]
    assert document(capsys, str(path))["position_encoding"] == "utf-32"


def test_each_finding_links_its_page_and_keeps_its_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "app.xml", XML)
    [d] = document(capsys, str(path))["diagnostics"]
    assert "url" not in d
    page = Path(d["page"].removeprefix("file://"))
    assert page.name == "UW101.md" and page.read_text(encoding="utf-8").startswith("# UW101")
    template = "https://docs.example.org/rules/{code}.html"
    [d] = document(capsys, "--docs-url", template, str(path))["diagnostics"]
    assert d["url"] == d["page"] == "https://docs.example.org/rules/UW101.html"


def apply(text: str, edits: list[dict[str, Any]], encoding: str) -> str:
    """A tool's applier: positions in ``encoding`` units, applied last first."""
    codec, width = {"utf-32": ("utf-32-le", 4), "utf-16": ("utf-16-le", 2),
                    "utf-8": ("utf-8", 1)}[encoding]
    lines = text.split("\n")

    def offset(p: dict[str, int]) -> int:
        line = lines[p["line"] - 1]
        before = line.encode(codec)[: (p["column"] - 1) * width].decode(codec)
        return sum(len(t) + 1 for t in lines[: p["line"] - 1]) + len(before)

    placed = sorted(((offset(e["location"]), offset(e["end_location"]), e["content"])
                     for e in edits), reverse=True)
    for start, end, content in placed:
        text = text[:start] + content + text[end:]
    return text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_a_tool_applying_the_edits_writes_what_fix_and_add_noqa_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str
) -> None:
    texts = {"app.xml": XML, "app.ini": INI, "declared.xml": DECLARED}
    for name, text in texts.items():
        write(tmp_path / "json", name, text)
    shutil.copytree(tmp_path / "json", tmp_path / "fix")
    shutil.copytree(tmp_path / "json", tmp_path / "noqa")
    assert main(["--fix", "--unsafe-fixes", str(tmp_path / "fix")]) == 0
    assert main(["--add-noqa", str(tmp_path / "noqa")]) == 0
    capsys.readouterr()
    doc = document(capsys, "--position-encoding", encoding, str(tmp_path / "json"))
    assert len(doc["diagnostics"]) == 4
    for name, text in texts.items():
        mine = [d for d in doc["diagnostics"] if Path(d["filename"]).name == name]
        fixes = [e for d in mine for e in d["fix"]["edits"]]
        assert apply(text, fixes, encoding) == (tmp_path / "fix" / name).read_text("utf-8")
        comments = [d["suppression"]["line"] for d in mine]
        assert apply(text, comments, encoding) == (tmp_path / "noqa" / name).read_text("utf-8")


def test_standard_input_is_measured_as_given(tmp_path: Path) -> None:
    write(tmp_path, "app.xml", "<uwsgi>\n  <procesess>4</procesess>\n</uwsgi>\n")  # on disk
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    result = subprocess.run(
        [sys.executable, "-m", "uwsgi_lint", "--format", "json", "--position-encoding",
         "utf-16", "-", "--stdin-filename", "app.xml"],
        input=XML.encode(), cwd=tmp_path, env=env, capture_output=True, timeout=120)
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, schema())
    [d] = doc["diagnostics"]
    assert (d["location"], d["end_location"]) == (
        {"line": 2, "column": 21}, {"line": 2, "column": 30})
    assert apply(XML, [d["suppression"]["line"]], "utf-16") == XML.replace(
        "  <env>", "  <!-- uwsgi-lint: disable=UW101 -->\n  <env>")


def test_a_file_that_cannot_be_read_keeps_character_columns_and_no_suppression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = document(capsys, "--position-encoding", "utf-16", str(tmp_path / "missing.ini"))
    [d] = doc["diagnostics"]
    assert d["code"] == "UW001" and d["suppression"] == {"line": None, "file": None}
    assert (d["location"], d["end_location"]) == (
        {"line": 1, "column": 1}, {"line": 1, "column": 1})
