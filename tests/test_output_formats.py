"""Every output format, exactly, for one small tree; SARIF against its schema; the exit
code matrix of --exit-zero/--fail-on; colour; the `rule` subcommand; shipped rule pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from uwsgi_lint import __version__, cli
from uwsgi_lint.diagnostics import Diagnostic, Related, Severity
from uwsgi_lint.model import Position, Span
from uwsgi_lint.render import github, pages
from uwsgi_lint.render.style import wants_color
from uwsgi_lint.report import Report
from uwsgi_lint.rules import all_rules

from .conftest import ROOT
from .helpers import write

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "reference" / (
    "sarif-schema-2.1.0.json")

APP = "[uwsgi]\nprocesess = 4\n\tMaster = 1\ninclude = base.ini\n"
BASE = "[uwsgi]\nbad_opt = 1, a:b %\n"

MSG1 = "unknown option 'procesess': uWSGI 2.0.31 ignores it; did you mean 'processes'?"
MSG2 = "unknown option 'Master': uWSGI 2.0.31 ignores it; did you mean 'master'?"
MSG3 = "unknown option 'bad_opt': uWSGI 2.0.31 ignores it"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "app.ini", APP)
    write(tmp_path, "base.ini", BASE)
    monkeypatch.chdir(tmp_path)
    for var in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, "app.ini") == (1, (
        f"app.ini:2:1: UW101 [unknown-option] warning: {MSG1}\n"
        f"app.ini:3:2: UW101 [unknown-option] warning: {MSG2}\n"
        f"base.ini:2:1: UW101 [unknown-option] warning: {MSG3}\n"
        "    app.ini:4:1: included here (include = base.ini)\n"
        "Found 3 problems in 2 files (1 file checked). 2 fixable with --fix --unsafe-fixes.\n"), "")


def test_full_shows_the_line_and_marks_the_span_with_tabs_expanded(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, "--format", "full", "app.ini") == (1, (
        f"app.ini:2:1: UW101 [unknown-option] warning: {MSG1}\n"
        " 2 | procesess = 4\n"
        "   | ^^^^^^^^^\n"
        "  fix (unsafe): rename `procesess` to `processes`\n"
        "\n"
        f"app.ini:3:2: UW101 [unknown-option] warning: {MSG2}\n"
        " 3 |         Master = 1\n"
        "   |         ^^^^^^\n"
        "  fix (unsafe): rename `Master` to `master`\n"
        "\n"
        f"base.ini:2:1: UW101 [unknown-option] warning: {MSG3}\n"
        " 2 | bad_opt = 1, a:b %\n"
        "   | ^^^^^^^\n"
        "  = app.ini:4:1: included here (include = base.ini)\n"
        "\n"
        "Found 3 problems in 2 files (1 file checked). 2 fixable with --fix --unsafe-fixes.\n"), "")


def test_full_never_crashes_on_lines_it_cannot_show(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "bin.ini", b"[uwsgi]\n\x1b[2J\xff\tbad\xfe = 1\n")
    code, out, err = lint(capsys, "--format", "full", "bin.ini", "missing.ini")
    assert code == 1 and err == ""
    lines = out.splitlines()
    i = lines.index(next(x for x in lines if x.startswith("bin.ini:2:1: UW101")))
    # control characters and undecodable bytes escaped, the caret under all of them
    assert lines[i + 1] == " 2 | \\x1b[2J\\xff     bad\\xfe = 1"
    assert lines[i + 2] == "   | " + "^" * 23
    assert ("missing.ini:1:1: UW001 [unreadable-file] error: cannot read: No such file or "
            "directory") in lines
    assert "\x1b" not in lines[i + 1]


def test_github(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint(capsys, "--format", "github", "app.ini") == (1, (
        "::warning file=app.ini,line=2,col=1,endLine=2,endColumn=10,"
        f"title=UW101 unknown-option::{MSG1}\n"
        "::warning file=app.ini,line=3,col=2,endLine=3,endColumn=8,"
        f"title=UW101 unknown-option::{MSG2}\n"
        "::warning file=base.ini,line=2,col=1,endLine=2,endColumn=8,"
        f"title=UW101 unknown-option::{MSG3}%0Aapp.ini:4:1: included here (include = base.ini)\n"
        "::group::uwsgi-lint: 3 findings\n"
        f"app.ini:2:1: UW101 [unknown-option] warning: {MSG1}\n"
        f"app.ini:3:2: UW101 [unknown-option] warning: {MSG2}\n"
        f"base.ini:2:1: UW101 [unknown-option] warning: {MSG3}\n"
        "    app.ini:4:1: included here (include = base.ini)\n"
        "::endgroup::\n"
        "Found 3 problems in 2 files (1 file checked). 2 fixable with --fix --unsafe-fixes.\n"
    ), "")


def test_github_is_the_default_inside_github_actions(
        tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert lint(capsys, "app.ini")[1].startswith("::warning file=app.ini,line=2,")
    assert lint(capsys, "--format", "text", "app.ini")[1].startswith("app.ini:2:1: UW101")


def test_github_escaping() -> None:
    assert github.escape_data("100% a\r\nb:c,d") == "100%25 a%0D%0Ab:c,d"
    assert github.escape_property("100% a\r\nb:c,d") == "100%25 a%0D%0Ab%3Ac%2Cd"
    span = Span(os.path.abspath("we,ird:na%me.ini"), Position(3, 1), Position(3, 1))
    # a line break in a message is escaped when the finding is made (``untrusted``); the
    # related locations go on lines of their own, as %0A
    related = (Related("here", span),)
    d = Diagnostic("UW201", "emperor-under-master", Severity.INFO, "a%b\nc: d, e", span, related)
    assert github.annotation(d) == (
        "::notice file=we%2Cird%3Ana%25me.ini,line=3,col=1,"
        "title=UW201 emperor-under-master::a%25b\\nc: d, e%0Awe,ird:na%25me.ini:3:1: here")


def test_gitlab(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lint(capsys, "--format", "gitlab", "app.ini")
    doc = json.loads(out)
    assert code == 1
    fingerprints = [issue.pop("fingerprint") for issue in doc]
    assert all(len(f) == 32 for f in fingerprints) and len(set(fingerprints)) == 3
    assert doc == [
        {"description": f"UW101 [unknown-option] {msg}", "check_name": "UW101",
         "severity": "major", "location": {"path": path, "lines": {"begin": line, "end": line}}}
        for msg, path, line in ((MSG1, "app.ini", 2), (MSG2, "app.ini", 3), (MSG3, "base.ini", 2))
    ]


def test_junit(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "clean.ini", "[uwsgi]\nmaster = true\n")
    code, out, _ = lint(capsys, "--format", "junit", "app.ini", "clean.ini")
    assert code == 1
    assert out == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<testsuites>\n"
        '  <testsuite name="uwsgi-lint" tests="3" failures="2" errors="0">\n'
        '    <testcase name="app.ini" classname="uwsgi-lint">\n'
        '      <failure message="2 problems: UW101 [unknown-option]" type="UW101">'
        f"app.ini:2:1: UW101 [unknown-option] {MSG1}\n"
        f"app.ini:3:2: UW101 [unknown-option] {MSG2}</failure>\n"
        "    </testcase>\n"
        '    <testcase name="base.ini" classname="uwsgi-lint">\n'
        f'      <failure message="UW101 [unknown-option] {MSG3}" type="UW101">'
        f"base.ini:2:1: UW101 [unknown-option] {MSG3}\n"
        "    app.ini:4:1: included here (include = base.ini)</failure>\n"
        "    </testcase>\n"
        '    <testcase name="clean.ini" classname="uwsgi-lint" />\n'
        "  </testsuite>\n"
        "</testsuites>\n")
    import xml.etree.ElementTree as ET

    ET.fromstring(out)


def test_junit_stays_valid_xml_with_a_hostile_message(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    name = 'x]]><y a="&">.ini'
    write(tree, name, "[uwsgi]\n<!--]]>&amp;\x01\x1b[2J\uffff\"' = 1\n")
    code, out, err = lint(capsys, "--format", "junit", name)
    assert (code, err) == (1, "")
    assert "]]>" not in out and "\x01" not in out and "\x1b" not in out
    case = ET.fromstring(out).find("testsuite/testcase")
    assert case is not None and case.get("name") == name
    failure = case.find("failure")
    assert failure is not None
    # markup shown as text, control characters escaped (untrusted.clean), U+FFFF replaced
    option = "'<!--]]>&amp;\\x01\\x1b[2J\ufffd\"''"
    message = f"UW101 [unknown-option] unknown option {option}: uWSGI 2.0.31 ignores it"
    assert failure.get("message") == message
    assert failure.text == f"{name}:2:1: {message}"


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = lint(capsys, "--format", "sarif", *args)
    assert code in (0, 1) and err == ""
    doc: dict[str, Any] = json.loads(out)
    return doc


def test_sarif_is_valid_and_points_at_repository_paths(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = sarif(capsys, "app.ini", "nope.ini")
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        validator = jsonschema.validators.validator_for(schema)
        validator(schema, format_checker=validator.FORMAT_CHECKER).validate(doc)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("uwsgi-lint", __version__)
    codes = [r["id"] for r in driver["rules"]]
    assert codes == [r.code for r in all_rules()]
    uw101 = driver["rules"][codes.index("UW101")]
    assert uw101["name"] == "unknown-option"
    assert uw101["defaultConfiguration"] == {"level": "warning"}
    assert uw101["fullDescription"]["text"].startswith("Reports an option that the target uWSGI")
    assert "silently ignores options" in uw101["help"]["text"]
    assert uw101["help"]["markdown"].startswith("## What it does\n")
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tree.resolve().as_uri() + "/"
    results = run["results"]
    got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]) for r in results]
    assert [(rule, level, loc["artifactLocation"], loc["region"]) for rule, level, loc in got] == [
        ("UW101", "warning", {"uri": "app.ini", "uriBaseId": "%SRCROOT%"},
         {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 10}),
        ("UW101", "warning", {"uri": "app.ini", "uriBaseId": "%SRCROOT%"},
         {"startLine": 3, "startColumn": 2, "endLine": 3, "endColumn": 8}),
        ("UW101", "warning", {"uri": "base.ini", "uriBaseId": "%SRCROOT%"},
         {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 8}),
        ("UW001", "error", {"uri": "nope.ini", "uriBaseId": "%SRCROOT%"},
         {"startLine": 1, "startColumn": 1}),
    ]
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert results[2]["relatedLocations"] == [{
        "id": 1, "message": {"text": "included here (include = base.ini)"},
        "physicalLocation": {"artifactLocation": {"uri": "app.ini", "uriBaseId": "%SRCROOT%"},
                             "region": {"startLine": 4, "startColumn": 1, "endLine": 4,
                                        "endColumn": 19}}}]


def test_sarif_paths_are_relative_to_the_git_root(
        tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / ".git").mkdir()
    write(tree, "sub dir/x.ini", "[uwsgi]\nnope = 1\n")
    monkeypatch.chdir(tree / "sub dir")
    loc = sarif(capsys, "x.ini")["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {
        "uri": "sub%20dir/x.ini", "uriBaseId": "%SRCROOT%"}


def test_fingerprints_survive_lines_moving(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def prints() -> list[str]:
        return [r["partialFingerprints"]["uwsgiLint/v1"]
                for r in sarif(capsys, "app.ini")["runs"][0]["results"]]

    before = prints()
    write(tree, "app.ini", "; a comment\n\n" + APP)
    assert prints() == before
    write(tree, "app.ini", APP.replace("procesess = 4", "procesess = 8"))
    assert prints()[1:] == before[1:] and prints()[0] != before[0]


def test_identical_findings_get_distinct_fingerprints(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "dup.ini", "[uwsgi]\nnope = 1\nnope = 1\n")
    results = sarif(capsys, "dup.ini")["runs"][0]["results"]
    assert len({r["partialFingerprints"]["uwsgiLint/v1"] for r in results}) == 2


@pytest.mark.parametrize(("files", "flags", "expected"), [
    ([], [], 0),
    (["warn.ini"], [], 1),
    (["info.ini"], [], 1),
    (["info.ini"], ["--fail-on", "info"], 1),
    (["info.ini"], ["--fail-on", "warning"], 0),
    (["warn.ini"], ["--fail-on", "warning"], 1),
    (["warn.ini"], ["--fail-on", "error"], 0),
    (["missing.ini"], ["--fail-on", "error"], 1),
    (["warn.ini", "missing.ini"], ["--exit-zero"], 0),
    (["missing.ini"], ["--exit-zero", "--fail-on", "info"], 0),
])
def test_exit_codes(tree: Path, capsys: pytest.CaptureFixture[str], files: list[str],
                    flags: list[str], expected: int) -> None:
    write(tree, "clean.ini", "[uwsgi]\nmaster = true\n")
    write(tree, "warn.ini", "[uwsgi]\nnope = 1\n")
    write(tree, "info.ini", "[uwsgi]\nmaster = true\nfastrouter-subscription-slot = 1\n")
    assert lint(capsys, *flags, "clean.ini", *files)[0] == expected


def test_exit_zero_still_reports_internal_errors_as_two() -> None:
    assert cli.exit_code(Report(errors=["boom"]), exit_zero=True) == 2


def test_statistics(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "info.ini", "[uwsgi]\nmaster = true\nfastrouter-subscription-slot = 1\n")
    args = ("--statistics", "app.ini", "info.ini", "nope.ini")
    assert lint(capsys, *args) == (1, (
        "3  UW101  unknown-option   warning\n"
        "1  UW001  unreadable-file  error\n"
        "1  UW115  obsolete-option  info\n"), "")
    _, out, _ = lint(capsys, "--format", "json", *args)
    assert json.loads(out)[0] == {"code": "UW101", "name": "unknown-option",
                                  "severity": "warning", "count": 3}
    with pytest.raises(SystemExit) as exc:
        cli.main(["--statistics", "--format", "sarif", "app.ini"])
    assert exc.value.code == 2


def test_output_file(tree: Path, capsys: pytest.CaptureFixture[str],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert lint(capsys, "--output-file", "out.txt", "app.ini") == (1, "", "")
    assert (tree / "out.txt").read_text(encoding="utf-8").endswith(
        "Found 3 problems in 2 files (1 file checked). 2 fixable with --fix --unsafe-fixes.\n")
    assert "\x1b" not in (tree / "out.txt").read_text(encoding="utf-8")
    code, _, err = lint(capsys, "-o", "no/such/dir/out.txt", "app.ini")
    assert code == 2 and err.startswith("uwsgi-lint: cannot write no/such/dir/out.txt:")


def test_colour_only_when_asked_and_never_with_no_color(
        tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in lint(capsys, "app.ini")[1]
    monkeypatch.setenv("FORCE_COLOR", "1")
    out = lint(capsys, "app.ini")[1]
    assert out.startswith("\x1b[1mapp.ini:2:1:\x1b[0m \x1b[1;33mUW101\x1b[0m")
    assert "\x1b[" in lint(capsys, "--format", "full", "app.ini")[1]
    assert "\x1b[" not in lint(capsys, "--format", "json", "app.ini")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in lint(capsys, "app.ini")[1]
    assert "\x1b[" not in lint(capsys, "--format", "full", "app.ini")[1]


class Tty:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("tty", "env", "expected"), [
    (True, {}, True),
    (False, {}, False),
    (True, {"NO_COLOR": "1"}, False),
    (True, {"NO_COLOR": ""}, True),
    (False, {"FORCE_COLOR": "1"}, True),
    (False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_wants_color(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert wants_color(Tty(tty), env) is expected  # type: ignore[arg-type]


def test_rule_prints_its_page(capsys: pytest.CaptureFixture[str]) -> None:
    page = (ROOT / "rules" / "UW201.md").read_text(encoding="utf-8")
    assert lint(capsys, "rule", "UW201") == (0, page, "")
    assert lint(capsys, "rule", "uw201")[1] == page
    assert lint(capsys, "rule", "emperor-under-master")[1] == page
    code, out, err = lint(capsys, "rule", "UW999")
    assert (code, out) == (2, "") and "unknown rule 'UW999'" in err


def test_rule_all(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = lint(capsys, "rule", "--all", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == len(all_rules())
    assert rows[0] == {"code": "UW001", "name": "unreadable-file", "severity": "error",
                       "set": "default", "summary": all_rules()[0].summary, "fix": "none"}
    text = lint(capsys, "rule", "--all")[1].splitlines()
    assert len(text) == len(rows) and text[0].startswith("UW001  unreadable-file  ")
    with pytest.raises(SystemExit):
        cli.main(["rule"])


def test_built_wheel_ships_the_rule_pages(tmp_path: Path) -> None:
    """``rules/`` is the only copy of the pages; ``setup.py`` copies them into the built
    package.  Builds the sdist and from it the wheel (as ``python -m build`` does), checks
    both carry every page byte for byte, and runs the wheel's ``rule`` command."""
    import shutil
    import tarfile
    import zipfile

    import setuptools

    src = tmp_path / "src"  # a copy: a build writes build/ and *.egg-info beside the files
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("rules", "uwsgi_lint"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    source = {p.name: p.read_bytes() for p in (ROOT / "rules").glob("UW*.md")}
    assert len(source) == len(all_rules())
    out = tmp_path / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                 "--no-index", "--no-build-isolation", "--wheel-dir", str(out)]
    if int(setuptools.__version__.split(".")[0]) >= 77:  # the test extras' setuptools
        build = subprocess.run(
            [sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
             "print(b.build_sdist(sys.argv[1]))", str(out)],
            cwd=src, capture_output=True, text=True, timeout=300)
        assert build.returncode == 0, build.stderr
        sdist = out / build.stdout.split()[-1]
        with tarfile.open(sdist) as tar:
            names = tar.getnames()
            assert sorted(n.split("/rules/")[1] for n in names if "/rules/UW" in n) == sorted(
                source)
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(tmp_path / "sdist", **safe)  # type: ignore[arg-type]
        (tree,) = (tmp_path / "sdist").iterdir()
    else:  # an older setuptools cannot read pyproject.toml: pip builds in isolation
        pip_wheel.remove("--no-index")
        pip_wheel.remove("--no-build-isolation")
        tree = src
    build = subprocess.run([*pip_wheel, str(tree)], capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = {n.rsplit("/", 1)[1]: z.read(n) for n in z.namelist()
                   if n.startswith("uwsgi_lint/rule_pages/")}
        z.extractall(tmp_path / "site")
    assert shipped == source
    assert shipped["UW401.md"] == (ROOT / "rules" / "UW401.md").read_bytes()
    # the installed package reads its own copies (no rules/ beside it)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "NO_COLOR": "1"}
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from uwsgi_lint import cli; "
         "from uwsgi_lint.render import pages; print(pages.page_dir(), flush=True); "
         "sys.exit(cli.main(['rule', 'UW401']))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    where, _, page = run.stdout.partition("\n")
    assert (run.returncode, where) == (0, str(tmp_path / "site" / "uwsgi_lint" / "rule_pages"))
    assert page == source["UW401.md"].decode("utf-8")


def test_installed_package_reads_the_shipped_pages(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shipped = tmp_path / "rule_pages"  # as a wheel installs them (see the test above)
    shipped.mkdir()
    (shipped / "UW101.md").write_bytes((ROOT / "rules" / "UW101.md").read_bytes())
    monkeypatch.setattr(pages, "SOURCE_DIR", Path("/nonexistent"))
    monkeypatch.setattr(pages, "SHIPPED_DIR", shipped)
    pages.page.cache_clear()
    try:
        assert pages.page_dir() == pages.SHIPPED_DIR
        assert pages.page("UW101") == (ROOT / "rules" / "UW101.md").read_text(encoding="utf-8")
    finally:
        pages.page.cache_clear()


def test_version_imports_no_renderer() -> None:
    code = ("import sys\nfrom uwsgi_lint import cli\ntry:\n    cli.main(['--version'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('uwsgi_lint')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.splitlines()[-1] == "['uwsgi_lint', 'uwsgi_lint.cli']"
