"""Standard input (`uwsgi-lint - --stdin-filename PATH`) and the context of partial runs:
the same findings for a vassal from the repository root, from a subdirectory, through
standard input, and with only the vassal passed (its Emperor found above it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.tree import context_emperors

from .helpers import write

EMPEROR = "[uwsgi]\nemperor = vassals\n"
BAD = "[uwsgi]\nprocesess = 4\nvassal-sos = 10\nuid = app\ngid = app\nhttp-socket = /tmp/b.sock\n"
GOOD = "[uwsgi]\nprocesses = 4\nuid = app\ngid = app\nhttp-socket = /tmp/g.sock\n"
EXPECTED = [
    ("uwsgi/vassals/bad.ini", "UW101", 2, 1, 2, 10),
    ("uwsgi/vassals/bad.ini", "UW410", 3, 1, 3, 11),
]


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "uwsgi_lint", *args], cwd=cwd, env=env,
                          input=stdin, capture_output=True, timeout=120)


def tree(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)  # a work tree: the Emperor search stops here
    write(repo, "uwsgi/emperor.ini", EMPEROR)
    write(repo, "uwsgi/vassals/bad.ini", BAD)
    write(repo, "uwsgi/vassals/good.ini", GOOD)
    return repo


def found(result: subprocess.CompletedProcess[bytes], repo: Path) -> list[tuple[Any, ...]]:
    doc = json.loads(result.stdout)
    return sorted(
        (Path(d["filename"]).resolve().relative_to(repo.resolve()).as_posix(), d["code"],
         d["location"]["line"], d["location"]["column"],
         d["end_location"]["line"], d["end_location"]["column"])
        for d in doc["diagnostics"]
    )


def test_same_findings_from_root_subdirectory_stdin_and_partial_runs(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    sub = repo / "uwsgi" / "vassals"
    bad = (sub / "bad.ini").read_bytes()
    runs = {
        "whole tree from the root": run("--format", "json", ".", cwd=repo),
        "the vassal from the root": run("--format", "json", "uwsgi/vassals/bad.ini", cwd=repo),
        "both vassals from a subdirectory": run("--format", "json", "bad.ini", "good.ini",
                                                cwd=sub),
        "stdin from the root": run("--format", "json", "-", "--stdin-filename",
                                   "uwsgi/vassals/bad.ini", cwd=repo, stdin=bad),
        "stdin from a subdirectory": run("--format", "json", "-", "--stdin-filename",
                                         "bad.ini", cwd=sub, stdin=bad),
    }
    for what, result in runs.items():
        assert result.returncode == 1, (what, result.stderr)
        assert found(result, repo) == EXPECTED, what


def test_vassal_alone_without_an_emperor_above_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "vassals/bad.ini", BAD)
    result = run("--format", "json", "--extend-select", "UW411", "vassals/bad.ini", cwd=repo)
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["UW101", "UW411"]


def test_partial_run_reports_only_the_files_passed(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    write(repo, "uwsgi/emperor.ini", EMPEROR + "procesess = 2\n")  # a finding of its own
    write(repo, "uwsgi/vassals/other.ini", "[uwsgi]\nfoo = 1\n")
    report = lint([str(repo / "uwsgi/vassals/good.ini")])
    assert report.diagnostics == []
    assert report.files == [str(repo / "uwsgi/vassals/good.ini")]
    # the whole tree reports them all
    everything = lint([str(repo)])
    assert {Path(d.span.file).name for d in everything.diagnostics} == {
        "emperor.ini", "other.ini", "bad.ini"}


def test_partial_run_reports_the_includes_of_the_files_passed(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    write(repo, "uwsgi/common.ini", "[uwsgi]\nharakiri-verbos = true\n")
    write(repo, "uwsgi/vassals/good.ini", GOOD + "ini = ../common.ini\n")
    report = lint([str(repo / "uwsgi/vassals/good.ini")])
    assert [(Path(d.span.file).name, d.code) for d in report.diagnostics] == [
        ("common.ini", "UW101")]


def test_emperor_in_a_sibling_directory_is_found(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "deploy/emperor/emperor.ini", "[uwsgi]\nemperor = %d../vassals\n")
    bad = write(repo, "deploy/vassals/bad.ini", BAD)
    assert context_emperors([str(bad)], {str(bad)}, Assumptions()) == [
        str(repo / "deploy/emperor/emperor.ini")]
    assert [d.code for d in lint([str(bad)]).diagnostics] == ["UW101", "UW410"]


def test_emperor_that_does_not_start_the_file_is_no_context(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "uwsgi/emperor.ini", "[uwsgi]\nemperor = elsewhere\n")
    bad = write(repo, "uwsgi/vassals/bad.ini", BAD)
    assert context_emperors([str(bad)], {str(bad)}, Assumptions()) == []


def test_emperor_above_the_git_work_tree_is_not_searched(tmp_path: Path) -> None:
    write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = repo/vassals\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    bad = write(tmp_path, "repo/vassals/bad.ini", BAD)
    assert context_emperors([str(bad)], {str(bad)}, Assumptions()) == []


def test_stdin_buffer_is_read_instead_of_the_file(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    fixed = GOOD.replace("g.sock", "b.sock").encode()
    result = run("-", "--stdin-filename", "uwsgi/vassals/bad.ini", cwd=repo, stdin=fixed)
    assert result.returncode == 0, result.stdout
    assert (repo / "uwsgi/vassals/bad.ini").read_text(encoding="utf-8") == BAD  # untouched
    assert sorted(p.name for p in (repo / "uwsgi/vassals").iterdir()) == ["bad.ini", "good.ini"]


def test_stdin_file_that_does_not_exist_yet(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    result = run("-", "--stdin-filename", "uwsgi/new.yaml", cwd=repo,
                 stdin=b"uwsgi:\n  procesess: 3\n")
    assert result.returncode == 1
    assert result.stdout.decode().startswith("uwsgi/new.yaml:2:3: UW101 [unknown-option]")
    assert not (repo / "uwsgi/new.yaml").exists()


def test_stdin_format_comes_from_the_name(tmp_path: Path) -> None:
    xml = b"<uwsgi>\n  <procesess>4</procesess>\n</uwsgi>\n"
    result = run("-", "--stdin-filename", "app.xml", cwd=tmp_path, stdin=xml)
    assert result.stdout.decode().startswith("app.xml:2:4: UW101 [unknown-option]")
    yaml = b"uwsgi:\n  procesess: 3\n"
    as_ini = run("--format", "json", "-", "--stdin-filename", "app.ini", cwd=tmp_path,
                 stdin=yaml)
    assert [d["code"] for d in json.loads(as_ini.stdout)["diagnostics"]] == ["UW002"]


def test_stdin_settings_and_suppressions_from_the_path(tmp_path: Path) -> None:
    repo = tree(tmp_path)
    write(repo, "uwsgi/.uwsgi-lint.toml", 'ignore = ["UW410"]\n')
    bad = (repo / "uwsgi/vassals/bad.ini").read_bytes()
    result = run("--format", "json", "-", "--stdin-filename", "uwsgi/vassals/bad.ini",
                 cwd=repo, stdin=bad)
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["UW101"]
    quiet = bad.replace(b"procesess", b"; uwsgi-lint: disable=UW101 -- test\nprocesess")
    result = run("-", "--stdin-filename", "uwsgi/vassals/bad.ini", cwd=repo, stdin=quiet)
    assert result.returncode == 0, result.stdout
    unused = b"[uwsgi]\n; uwsgi-lint: disable=UW101\nprocesses = 4\n"
    result = run("-", "--stdin-filename", "uwsgi/vassals/bad.ini", cwd=repo, stdin=unused)
    assert b"UW090" in result.stdout


def test_stdin_usage_errors(tmp_path: Path) -> None:
    assert run("--stdin-filename", "a.ini", "a.ini", cwd=tmp_path).returncode == 2
    assert run("-", "--add-noqa", cwd=tmp_path, stdin=b"").returncode == 2


def test_the_text_quoted_for_standard_input_is_its_own(tmp_path: Path) -> None:
    """`--format full` (and the fingerprints of SARIF) quote the line of a finding: for
    standard input, the buffer's line, not the line of the file on disk of that name."""
    write(tmp_path, "a.ini", "[uwsgi]\nsocket = /on/disk.sock # disk\n")
    result = run("--format", "full", "-", "--stdin-filename", "a.ini", cwd=tmp_path,
                 stdin=b"[uwsgi]\nsocket = /in/buffer.sock # buffer\n")
    out = result.stdout.decode()
    assert result.returncode == 1
    assert " 2 | socket = /in/buffer.sock # buffer\n" in out and "disk" not in out
