"""The command as a user runs it: output, exit codes, JSON document and its schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from .conftest import ROOT
from .helpers import write


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "uwsgi_lint", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def schema() -> dict[str, Any]:
    text = files("uwsgi_lint").joinpath("schemas/report-v1.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_text_output_is_one_finding_a_line_then_a_summary(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nprocesess = 4\nmaster = true\n")
    result = run("app.ini", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "app.ini:2:1: UW101 [unknown-option] warning: unknown option 'procesess': uWSGI 2.0.31 "
        "ignores it; did you mean 'processes'?\n"
        "Found 1 problem in 1 file (1 file checked). 1 fixable with --fix --unsafe-fixes.\n")
    assert result.stderr == ""


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nprocesses = 4\nmaster = true\n")
    result = run("app.ini", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "All checks passed (1 file checked).\n")


def test_json_document_matches_its_schema_and_is_sorted(tmp_path: Path) -> None:
    write(tmp_path, "b.ini", "[uwsgi]\nzzz = 1\naaa = 2\n")
    write(tmp_path, "a.ini", "[uwsgi]\nMaster = 1\n")
    result = run("--format", "json", "b.ini", "a.ini", "missing.ini", cwd=tmp_path)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, schema())
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "uwsgi-lint"
    got = [(Path(d["filename"]).name, d["location"]["line"], d["code"]) for d in doc["diagnostics"]]
    assert got == [("a.ini", 2, "UW101"), ("b.ini", 2, "UW101"), ("b.ini", 3, "UW101"),
                   ("missing.ini", 1, "UW001")]
    first = doc["diagnostics"][0]
    assert first["filename"] == str(tmp_path / "a.ini")
    assert (first["location"], first["end_location"]) == (
        {"line": 2, "column": 1}, {"line": 2, "column": 7})
    assert first["severity"] == "warning" and first["fix"]["applicability"] == "unsafe"
    assert doc["position_encoding"] == "utf-32"  # columns count characters by default
    assert first["suppression"]["line"] == {"content": "; uwsgi-lint: disable=UW101\n",
        "location": {"line": 2, "column": 1}, "end_location": {"line": 2, "column": 1}}
    assert doc["diagnostics"][-1]["suppression"] == {"line": None, "file": None}  # missing
    assert all(d["page"].endswith(f"/{d['code']}.md") for d in doc["diagnostics"])


def test_directory_means_the_files_an_emperor_would_take(tmp_path: Path) -> None:
    write(tmp_path, "a.ini", "[uwsgi]\nbad-a = 1\n")
    write(tmp_path, "b.INI", "[uwsgi]\nbad-b = 1\n")
    write(tmp_path, "c.ini~", "[uwsgi]\nbad-c = 1\n")
    write(tmp_path, "d.yml", "uwsgi:\n  bad-d: 1\n")
    result = run("--format", "json", ".", cwd=tmp_path)
    doc = json.loads(result.stdout)
    assert sorted(Path(d["filename"]).name for d in doc["diagnostics"]) == ["a.ini", "d.yml"]
    assert doc["files_checked"] == 2


def test_target_version_changes_what_is_known(tmp_path: Path) -> None:
    write(tmp_path, "e.ini", "[uwsgi]\nemperor-command-socket = /run/e.sock\n")
    assert run("e.ini", cwd=tmp_path).returncode == 1
    assert run("--target-version", "2.1", "e.ini", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("args", [["--format", "nope"], ["--no-such-flag"]])
def test_usage_errors_exit_two_without_traceback(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "usage:" in result.stderr


def test_hostile_files_never_give_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, "bin.ini", bytes(range(256)) * 64)
    write(tmp_path, "nul.json", b"\x00\x00{")
    write(tmp_path, "bad.xml", "<uwsgi><a><b>1</b></a></uwsgi>")
    write(tmp_path, "bad.yaml", "uwsgi:\n  - a\n  {x: 1}\n")
    write(tmp_path, "broken.json", '{"uwsgi": {"master": true,}}')
    result = run("-v", *sorted(p.name for p in tmp_path.iterdir()), cwd=tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stderr
    assert "bad.xml:1:8: UW001 [unreadable-file] error: uWSGI 2.0.31 crashes" in result.stdout
    assert "broken.json:1:27: UW001 [unreadable-file]" in result.stdout
    # binary garbage and a list under `uwsgi:` are no uWSGI config: passed over, said with -v
    assert result.stdout.count("UW0") == 2
    for name in ("bad.yaml", "bin.ini", "nul.json"):
        assert (f"uwsgi-lint: skipped {name}: not a uWSGI config (named on the command line)\n"
                in result.stderr)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("uwsgi-lint 0.")


def test_python_dash_m_and_console_script_agree(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("uwsgi-lint")
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    write(tmp_path, "app.ini", "[uwsgi]\nprocesess = 4\n")
    direct = subprocess.run([str(script), "app.ini"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert direct.stdout == run("app.ini", cwd=tmp_path).stdout


def test_bundled_examples_show_real_findings() -> None:
    result = run("examples")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    codes = [line.split(" ")[1] for line in lines[:-1] if not line.startswith(" ")]
    # reading (UW0), values (UW1), Emperor (UW2), Tyrant (UW3) and scaling (UW4) findings
    assert set(codes) == {"UW001", "UW007", "UW101", "UW103", "UW105", "UW202", "UW305",
                          "UW410"}
    assert lines[-1] == ("Found 12 problems in 5 files (5 files checked). [*] 1 fixable with --fix "
                         "(8 more with --unsafe-fixes).")



def test_file_colon_section_reads_that_section(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nmaster = 1\n[prod]\nprocesess = 8\n")
    assert run("app.ini", cwd=tmp_path).returncode == 0
    result = run("app.ini:prod", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("app.ini:4:1: UW101 [unknown-option] warning: unknown option ")


def test_a_failing_rule_is_contained_to_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from uwsgi_lint import cli
    from uwsgi_lint.rules import Instances, all_rules

    write(tmp_path, "app.ini", "[uwsgi]\nprocesess = 4\n")

    def boom(*_: object) -> list[object]:
        raise RuntimeError("boom")

    # a rule that runs on every instance
    victim = next(r for r in all_rules() if r.scope == Instances())
    rules = tuple(replace(r, check=boom) if r is victim else r for r in all_rules())
    monkeypatch.setattr("uwsgi_lint.engine.all_rules", lambda: rules)
    code = cli.main([str(tmp_path / "app.ini")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "UW101 [unknown-option]" in out
    assert f"internal error in {victim.code} ({victim.name}): RuntimeError: boom" in err
    assert "Traceback" not in err


def test_settings_suppressions_and_add_noqa_from_the_command_line(tmp_path: Path) -> None:
    write(tmp_path, "a.ini", "[uwsgi]\nemperor-command-socket = /x\nprocesess = 2\n")
    assert run("a.ini", cwd=tmp_path).returncode == 1
    write(tmp_path, "pyproject.toml", '[tool.uwsgi-lint]\ntarget-version = "2.1"\n')
    only_typo = run("a.ini", cwd=tmp_path)  # 2.1 knows emperor-command-socket
    assert [line.split(" ")[1] for line in only_typo.stdout.splitlines()[:-1]] == ["UW101"]
    assert "procesess" in only_typo.stdout
    assert run("--isolated", "a.ini", cwd=tmp_path).stdout.count("UW101") == 2
    added = run("--add-noqa=legacy", "a.ini", cwd=tmp_path)
    assert added.returncode == 0 and "; uwsgi-lint: disable=UW101 -- legacy\nprocesess" in (
        tmp_path / "a.ini").read_text()
    assert run("a.ini", cwd=tmp_path).returncode == 0
    assert run("--disable-suppressions", "a.ini", cwd=tmp_path).returncode == 1
    write(tmp_path, "pyproject.toml", "[tool.uwsgi-lint]\nselekt = []\n")
    bad = run("a.ini", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith(f"uwsgi-lint: {tmp_path}/pyproject.toml:2:1: unknown setting")


def test_a_bug_while_reading_one_file_is_a_uw099_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from uwsgi_lint import cli, tree

    write(tmp_path, "bad.ini", "[uwsgi]\nmaster = 1\n")
    write(tmp_path, "good.ini", "[uwsgi]\nprocesess = 4\n")
    real = tree.build_instance

    def flaky(path: str, *args: object, **kwargs: object) -> object:
        if path.endswith("bad.ini"):
            raise RuntimeError("boom")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tree, "build_instance", flaky)
    code = cli.main([str(tmp_path / "bad.ini"), str(tmp_path / "good.ini")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "bad.ini:1:1: UW099 [internal-error] error: internal error while reading this file: " \
        "RuntimeError: boom" in out
    assert "good.ini:2:1: UW101" in out
    assert "Traceback" not in err


def test_invalid_utf8_is_reported_with_its_byte_offset(tmp_path: Path) -> None:
    write(tmp_path, "app.ini", b"[uwsgi]\nprocname = caf\xe9\nprocesess = 2\n")
    result = run("app.ini", cwd=tmp_path)
    assert result.returncode == 1
    assert "UW024" not in result.stdout  # the pedantic set is opt-in
    write(tmp_path, ".uwsgi-lint.toml", 'extend-select = ["pedantic"]\n')
    result = run("app.ini", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "app.ini:2:15: UW024 [invalid-utf8] info: invalid UTF-8 at byte offset 22 (byte 0xe9): "
        "uWSGI passes the bytes through unchanged, but editors and tools may not show them "
        "as written; save the file as UTF-8")
    assert lines[1].startswith("app.ini:3:1: UW101")  # the rest of the file is still read
