"""``--format github`` past GitHub's annotation limit (issue 18): an annotation a finding,
every finding readable in a collapsed group, the summary line last; and the markdown of
``github.step_summary`` for ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint import cli
from uwsgi_lint.render import github
from uwsgi_lint.report import Report

from .helpers import write

HOSTILE = "4 | <script>alert(1)</script> `x` [l](http://e) &amp; *b* ![i](j)"
# 12 unknown options (warnings), an obsolete one (info), a misread number quoting a
# hostile value (the 13th warning); two missing files (errors)
MANY = ("[uwsgi]\n" + "".join(f"opt{i:02} = 1\n" for i in range(1, 13))
        + "fastrouter-subscription-slot = 1\n" + f"processes = {HOSTILE}\n")
ARGS = ("many.ini", "gone.ini", "gone2.ini")
UNKNOWN = "unknown option 'opt{:02}': uWSGI 2.0.31 ignores it"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path, "many.ini", MANY)
    monkeypatch.chdir(tmp_path)
    for var in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert err == ""
    return code, out.splitlines()


def reported(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
             *args: str) -> Report:
    """The report the CLI renders for ``--format github``."""
    seen: list[Report] = []
    render = github.render

    def spy(report: Report) -> str:
        seen.append(report)
        return render(report)

    monkeypatch.setattr(github, "render", spy)
    run(capsys, "--format", "github", *args)
    (report,) = seen
    return report


def test_every_finding_gets_an_annotation_and_a_readable_line(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "--format", "github", *ARGS)
    assert code == 1
    start = lines.index("::group::uwsgi-lint: 16 findings")
    annotations, group, after = lines[:start], lines[start + 1:-2], lines[-2:]
    # one workflow command a finding, past the 10 a severity GitHub shows
    assert [a.split(" ", 1)[0] for a in annotations] == (
        ["::error"] * 2 + ["::warning"] * 12 + ["::notice", "::warning"])
    assert annotations[0] == (
        "::error file=gone.ini,line=1,col=1,title=UW001 unreadable-file::"
        "cannot read: No such file or directory")
    assert annotations[13] == (
        "::warning file=many.ini,line=13,col=1,endLine=13,endColumn=6,"
        f"title=UW101 unknown-option::{UNKNOWN.format(12)}")
    assert annotations[15].startswith(
        "::warning file=many.ini,line=15,col=13,endLine=15,endColumn=")
    # the group holds what --format text prints, without colour and its summary line
    _, text = run(capsys, "--format", "text", *ARGS)
    assert group == text[:-1] and len(group) == 16
    assert group[13] == f"many.ini:13:1: UW101 [unknown-option] warning: {UNKNOWN.format(12)}"
    assert not any("\x1b" in line or line.lstrip().startswith("::") for line in group)
    # outside the group, last: the summary and what got no annotation
    assert after == ["::endgroup::", (
        "Found 16 problems in 3 files (1 file checked). [*] 1 fixable with --fix. "
        "3 findings past GitHub's limit of "
        "10 error, 10 warning and 10 notice annotations a step got no annotation: the group "
        "above lists every finding.")]


def test_few_findings_need_no_note_and_none_need_no_group(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "one.ini", "[uwsgi]\nnope = 1\n")
    assert run(capsys, "--format", "github", "one.ini") == (1, [
        "::warning file=one.ini,line=2,col=1,endLine=2,endColumn=5,"
        "title=UW101 unknown-option::unknown option 'nope': uWSGI 2.0.31 ignores it",
        "::group::uwsgi-lint: 1 finding",
        "one.ini:2:1: UW101 [unknown-option] warning: unknown option 'nope': uWSGI 2.0.31 "
        "ignores it",
        "::endgroup::",
        "Found 1 problem in 1 file (1 file checked)."])
    write(tree, "clean.ini", "[uwsgi]\nmaster = true\n")
    assert run(capsys, "--format", "github", "clean.ini") == (
        0, ["All checks passed (1 file checked)."])


def test_workflow_command_escaping_matches_the_runner() -> None:
    """actions/runner ``ActionCommand.cs`` unescapes data ``%0D %0A %25`` and properties
    also ``%3A %2C``, ``%25`` last: escaping ``%`` first round-trips."""
    def unescape(text: str, mapping: tuple[tuple[str, str], ...]) -> str:
        for token, replacement in mapping:
            text = text.replace(replacement, token)
        return text

    data = (("\r", "%0D"), ("\n", "%0A"), ("%", "%25"))
    prop = (("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25"))
    raw = "50%3A of a,b:c%0A\r\n%25"
    assert unescape(github.escape_data(raw), data) == raw
    escaped = github.escape_property(raw)
    assert unescape(escaped, prop) == raw
    assert not set(escaped) & set(":,\r\n")


def test_step_summary(tree: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    report = reported(capsys, monkeypatch, *ARGS)
    summary = github.step_summary(report)
    lines = summary.splitlines()
    assert lines[:3] == ["## uwsgi-lint", "",
                         r"Found 16 problems in 3 files \(1 file checked\)\. "
                         r"\[\*\] 1 fixable with \-\-fix\."]
    assert "error: 2, warning: 13, info: 1" in lines
    table = lines.index("| Code | Name | Severity | Count |")
    assert lines[table + 1:table + 6] == [
        "| --- | --- | --- | ---: |",
        r"| UW101 | unknown\-option | warning | 12 |",
        r"| UW001 | unreadable\-file | error | 2 |",
        r"| UW103 | number\-misread | warning | 1 |",
        r"| UW115 | obsolete\-option | info | 1 |"]
    # the warnings past the first 10, in output order; the errors and the notice got one
    past = lines[lines.index("### Findings without an annotation"):]
    rows = [line for line in past if line.startswith("- ")]
    assert rows[:2] == [
        r"- `many.ini:12:1` UW101 unknown option \'opt11\'\: uWSGI 2\.0\.31 ignores it",
        r"- `many.ini:13:1` UW101 unknown option \'opt12\'\: uWSGI 2\.0\.31 ignores it"]
    assert len(rows) == 3 and rows[2].startswith("- `many.ini:15:13` UW103 uWSGI reads ")
    # the hostile value is shown as text: no cell, tag, code span, link or emphasis
    assert r"\`4 \| \<script\>alert\(1\)\<\/script\> \`x\` \[l\]\(http\:\/\/e\) \&amp\; \*b\*" in (
        rows[2])
    for raw in ("<script>", "| <", "`x`", "[l](", "&amp;", "*b*", "![i]"):
        assert raw not in summary, raw


def test_step_summary_lists_at_most_100_findings_past_the_limit(
        tree: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert (github.MAX_ERROR_ANNOTATIONS, github.MAX_WARNING_ANNOTATIONS,
            github.MAX_NOTICE_ANNOTATIONS, github.SUMMARY_ROWS) == (10, 10, 10, 100)
    write(tree, "lots.ini", "[uwsgi]\n" + "".join(f"x{i} = 1\n" for i in range(125)))
    report = reported(capsys, monkeypatch, "lots.ini")
    rows = [line for line in github.step_summary(report).splitlines()
            if line.startswith("- ")]
    assert len(rows) == 101
    assert rows[0].startswith(r"- `lots.ini:12:1` UW101 unknown option \'x10\'")
    assert rows[99].startswith(r"- `lots.ini:111:1` UW101 unknown option \'x109\'")
    assert rows[100] == "- and 15 more (the log of the step lists every finding)"


def test_step_summary_of_a_clean_run(tree: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write(tree, "clean.ini", "[uwsgi]\nmaster = true\n")
    report = reported(capsys, monkeypatch, "clean.ini")
    assert github.step_summary(report) == (
        "## uwsgi-lint\n\nAll checks passed \\(1 file checked\\)\\.\n")


def test_markdown_code_spans_hold_any_backticks() -> None:
    assert github.markdown_code("a.ini:1:1") == "`a.ini:1:1`"
    assert github.markdown_code("a``b.ini:1:1") == "```a``b.ini:1:1```"
    assert github.markdown_code("`a.ini:1:1") == "`` `a.ini:1:1 ``"
    assert github.markdown_code("<b>\n.ini") == "`<b>\\n.ini`"  # one line, as cleaned
