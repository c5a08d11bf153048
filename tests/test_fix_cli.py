"""``--fix``, ``--unsafe-fixes`` and ``--diff`` as a user runs them: real files on disk,
the real command, what is written and what is printed."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from .helpers import NOBODY, write

# UW105 (safe): the inline comment moves to a line of its own above; UW101 (unsafe): the
# misspelt option is renamed to the one suggestion
APP = "[uwsgi]\nsocket = /run/app.sock # main\nprocesess = 4\n"
APP_SAFE = "[uwsgi]\n# main\nsocket = /run/app.sock\nprocesess = 4\n"
APP_ALL = "[uwsgi]\n# main\nsocket = /run/app.sock\nprocesses = 4\n"


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    return subprocess.run([sys.executable, "-m", "uwsgi_lint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, input=stdin, timeout=120)


def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def test_text_output_marks_what_fix_would_fix(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", APP)
    result = run("app.ini", cwd=root)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.ini:2:24: UW105 [*] [inline-comment-in-value] warning:")
    assert lines[1].startswith("app.ini:3:1: UW101 [unknown-option] warning:")
    assert lines[-1] == ("Found 2 problems in 1 file (1 file checked). [*] 1 fixable with "
                         "--fix (1 more with --unsafe-fixes).")
    unsafe = run("--unsafe-fixes", "app.ini", cwd=root).stdout.splitlines()
    assert unsafe[1].startswith("app.ini:3:1: UW101 [*] [unknown-option]")
    assert unsafe[-1].endswith("[*] 2 fixable with --fix.")


def test_fix_writes_safe_fixes_then_reports_what_is_left(tmp_path: Path) -> None:
    root = project(tmp_path)
    app = write(root, "app.ini", APP)
    result = run("--fix", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == APP_SAFE
    assert result.returncode == 1  # the unsafe one is left, a line lower
    assert result.stdout == (
        "app.ini:4:1: UW101 [unknown-option] warning: unknown option 'procesess': uWSGI "
        "2.0.31 ignores it; did you mean 'processes'?\n"
        "Found 1 problem in 1 file (1 file checked). 1 fixable with --fix --unsafe-fixes.\n")
    assert "uwsgi-lint: fixed 1 problem in 1 file\n" in result.stderr
    result = run("--fix", "--unsafe-fixes", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == APP_ALL
    assert (result.returncode, result.stdout) == (0, "All checks passed (1 file checked).\n")
    again = run("--fix", "--unsafe-fixes", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == APP_ALL and again.returncode == 0
    assert "fixed 0 problems in 0 files" in again.stderr


def test_diff_prints_what_fix_would_do_and_writes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    app = write(root, "app.ini", APP)
    result = run("--diff", "--unsafe-fixes", "app.ini", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "--- a/app.ini\n+++ b/app.ini\n@@ -1,3 +1,4 @@\n [uwsgi]\n-socket = /run/app.sock # main\n"
        "-procesess = 4\n+# main\n+socket = /run/app.sock\n+processes = 4\n")
    assert result.stderr == "uwsgi-lint: would fix 2 problems in 1 file\n"
    assert app.read_text(encoding="utf-8") == APP
    write(root, "clean.ini", "[uwsgi]\nprocesses = 4\n")
    clean = run("--diff", "clean.ini", cwd=root)
    assert (clean.returncode, clean.stdout) == (0, "")


def test_fix_of_standard_input_prints_the_fixed_buffer(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run("--fix", "--stdin-filename", "app.ini", "-", cwd=root, stdin=APP)
    assert result.stdout == APP_SAFE
    assert "app.ini:4:1: UW101 [unknown-option]" in result.stderr  # what is left, after the fix
    assert result.returncode == 1
    assert not (root / "app.ini").exists()


def test_fix_only_what_is_selected_or_fixable(tmp_path: Path) -> None:
    root = project(tmp_path)
    app = write(root, "app.ini", APP)
    run("--fix", "--unsafe-fixes", "--select", "UW101", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == APP.replace("procesess", "processes")
    write(root, "app.ini", APP)
    run("--fix", "--unsafe-fixes", "--unfixable", "UW101", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == APP_SAFE
    write(root, ".uwsgi-lint.toml", 'fixable = ["UW101"]\n')
    write(root, "app.ini", APP)
    result = run("--fix", "--unsafe-fixes", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == APP.replace("procesess", "processes")
    assert "UW105 [inline-comment-in-value]" in result.stdout  # shown, not fixable


def test_line_endings_encoding_and_tabs_are_kept(tmp_path: Path) -> None:
    root = project(tmp_path)
    text = b"[uwsgi]\r\n\tsocket = /run/caf\xe9.sock ; main\r\n\tprocesess = 4\r\nx = \xff\r\n"
    app = root / "app.ini"
    app.parent.mkdir(parents=True, exist_ok=True)
    app.write_bytes(text)
    run("--fix", "--unsafe-fixes", "app.ini", cwd=root)
    # the Latin-1 and undecodable bytes stay bytes; CRLF stays CRLF, tabs stay tabs
    assert app.read_bytes() == (
        b"[uwsgi]\r\n\t; main\r\n\tsocket = /run/caf\xe9.sock\r\n\tprocesses = 4\r\n"
        b"x = \xff\r\n")


def test_owner_mode_inode_and_links_are_kept(tmp_path: Path) -> None:
    root = project(tmp_path)
    app = write(root, "vassals/app.ini", APP)
    app.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(app, NOBODY, NOBODY)
    os.link(app, root / "hard.ini")
    os.symlink("vassals/app.ini", root / "link.ini")
    before = os.stat(app)
    run("--fix", "link.ini", cwd=root)
    after = os.stat(app)
    assert (after.st_ino, after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (
        before.st_ino, before.st_uid, before.st_gid, 0o640)
    assert (root / "link.ini").is_symlink()
    assert (root / "hard.ini").read_text(encoding="utf-8") == APP_SAFE


def test_a_symlink_out_of_the_tree_is_never_written_through(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/app.ini", APP)
    root = project(tmp_path)
    os.symlink(outside, root / "app.ini")
    # read (allowed), so its findings and fixes are known; written: never
    result = run("--fix", "--allow-read", str(outside.parent), "app.ini", cwd=root)
    assert outside.read_text(encoding="utf-8") == APP
    assert result.returncode == 2
    assert "not fixed, file left unchanged" in result.stderr


def test_read_only_file_is_a_clear_error_and_left_alone(tmp_path: Path) -> None:
    root = project(tmp_path)
    app = write(root, "app.ini", APP)
    app.chmod(0o444)
    result = run("--fix", "app.ini", cwd=root)
    assert result.returncode == 2
    assert "not fixed, file left unchanged:" in result.stderr and "read-only" in result.stderr
    assert app.read_text(encoding="utf-8") == APP


def test_a_file_that_changes_while_being_fixed_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from uwsgi_lint import cli, fix

    root = project(tmp_path)
    app = write(root, "app.ini", APP)
    real = fix.run_passes

    def meanwhile(*args: object, **kwargs: object) -> fix.Outcome:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        app.write_text(APP + "master = true\n", encoding="utf-8")  # an editor saves it
        return outcome

    monkeypatch.setattr(fix, "run_passes", meanwhile)
    monkeypatch.chdir(root)
    assert cli.main(["--fix", "app.ini"]) == 2
    assert app.read_text(encoding="utf-8") == APP + "master = true\n"
    assert "it changed while uwsgi-lint was fixing it" in capsys.readouterr().err


def test_json_and_sarif_carry_the_fixes(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", APP)
    doc = json.loads(run("--format", "json", "app.ini", cwd=root).stdout)
    schema = json.loads((Path(__file__).parents[1] / "uwsgi_lint/schemas/report-v1.json")
                        .read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    fixes = {d["code"]: d["fix"] for d in doc["diagnostics"]}
    assert fixes["UW101"]["applicability"] == "unsafe"
    assert fixes["UW101"]["edits"] == [{
        "content": "processes", "location": {"line": 3, "column": 1},
        "end_location": {"line": 3, "column": 10}}]
    assert fixes["UW105"]["applicability"] == "safe"
    sarif = json.loads(run("--format", "sarif", "app.ini", cwd=root).stdout)
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    [change] = results["UW101"]["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app.ini"
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 10},
        "insertedContent": {"text": "processes"}}]


def test_usage_errors(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "app.ini", APP)
    for args in (["--fix", "--diff"], ["--fix", "--add-noqa"], ["--diff", "--statistics"]):
        result = run(*args, "app.ini", cwd=root)
        assert result.returncode == 2 and "usage:" in result.stderr, args


@pytest.fixture(autouse=True)
def _no_leftovers(tmp_path: Path) -> Iterator[None]:
    """Files made read-only are made writable again for pytest's clean-up."""
    yield
    for p in tmp_path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            p.chmod(0o644)
    shutil.rmtree(tmp_path / "repo", ignore_errors=True)


def test_fixes_that_touch_the_same_text_are_applied_in_two_passes(tmp_path: Path) -> None:
    root = project(tmp_path)
    # the comment moves above the line (an insertion where the key's rename starts): the
    # rename waits for the second pass, made again on the new text
    app = write(root, "app.ini", "[uwsgi]\nprocesess = 4 # four\n")
    result = run("--fix", "--unsafe-fixes", "app.ini", cwd=root)
    assert app.read_text(encoding="utf-8") == "[uwsgi]\n# four\nprocesses = 4\n"
    assert result.returncode == 0
    assert "fixed 2 problems in 1 file" in result.stderr
