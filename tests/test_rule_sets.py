"""Rule sets: the ``default`` set runs without settings; ``hardening`` and ``pedantic`` are
opt-in, selected by set name, code, prefix or name, in settings or on the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from uwsgi_lint.rules import GROUPS, all_rules

from .helpers import write
from .test_cli import run

# `listen = 200`: UW125 (pedantic, kernels before 5.4); `exec-asap`: UW505 (hardening);
# `procesess`: UW101 (default)
CONFIG = (
    "[uwsgi]\nlisten = 200\nexec-asap = /usr/bin/true\nprocesess = 2\n"
    "socket = 127.0.0.1:3031\nuid = app\ngid = app\n"
)


def codes(stdout: str) -> list[str]:
    return re.findall(r"^app\.ini:\d+:\d+: (UW\d{3}) ", stdout, re.M)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "app.ini", CONFIG)
    return tmp_path


def test_every_rule_is_in_one_set_and_rule_all_says_which() -> None:
    result = run("rule", "--all", "--format", "json")
    rows = json.loads(result.stdout)
    assert {r["code"]: r["set"] for r in rows} == {r.code: r.group for r in all_rules()}
    assert {r["set"] for r in rows} == set(GROUPS)
    text = run("rule", "--all").stdout
    assert re.search(r"^UW125 +listen-above-old-somaxconn +warning +pedantic ", text, re.M)


def test_without_settings_only_the_default_set_runs(tree: Path) -> None:
    result = run("app.ini", cwd=tree)
    assert result.returncode == 1
    assert codes(result.stdout) == ["UW101"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--extend-select", "pedantic"), ["UW125", "UW101"]),
        (("--extend-select", "hardening,pedantic"), ["UW125", "UW505", "UW101"]),
        (("--extend-select", "UW505"), ["UW505", "UW101"]),
        (("--select", "all"), ["UW125", "UW505", "UW101"]),
        (("--select", "UW1"), ["UW125", "UW101"]),  # a prefix selects opt-in rules too
        (("--select", "all", "--ignore", "pedantic"), ["UW505", "UW101"]),
        (("--select", "listen-above-old-somaxconn"), ["UW125"]),
        (("--ignore", "default"), []),
    ],
)
def test_command_line_selection(tree: Path, args: tuple[str, ...], expected: list[str]) -> None:
    result = run(*args, "app.ini", cwd=tree)
    assert codes(result.stdout) == expected, result.stdout + result.stderr
    assert result.returncode == (1 if expected else 0)


def test_settings_turn_a_set_on_and_the_command_line_replaces_select(tree: Path) -> None:
    write(tree, ".uwsgi-lint.toml", 'extend-select = ["hardening"]\nignore = ["UW101"]\n')
    assert codes(run("app.ini", cwd=tree).stdout) == ["UW505"]
    assert codes(run("--extend-select", "UW125", "app.ini", cwd=tree).stdout) == [
        "UW125", "UW505"]
    # --select starts anew: the settings' extend-select and ignore no longer apply
    assert codes(run("--select", "UW1", "app.ini", cwd=tree).stdout) == ["UW125", "UW101"]


def test_an_unknown_set_is_an_error_with_its_position(tree: Path) -> None:
    write(tree, ".uwsgi-lint.toml", 'extend-select = ["pedantc"]\n')
    result = run("app.ini", cwd=tree)
    assert result.returncode == 2
    assert ".uwsgi-lint.toml:1:18: unknown rule code, prefix, name or set `pedantc`" in (
        result.stderr)
    result = run("--extend-select", "pedantc", "app.ini", cwd=tree)
    assert result.returncode == 2
    assert "argument --extend-select: unknown rule code, prefix, name or set 'pedantc'" in (
        result.stderr)
