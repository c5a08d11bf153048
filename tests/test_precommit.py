"""The real pre-commit runs the hook of this repository (`pre-commit try-repo`) in a
temporary git repository: it fails on a bad vassal, with the Emperor read for context
even when only the vassal is passed, and passes once the vassal is fixed.

Slow (pre-commit builds a virtual environment and installs the project into it from the
package registry).  Deselect with `-k "not precommit"` or UWSGI_LINT_SKIP_PRECOMMIT=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import write

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600

EMPEROR = "[uwsgi]\nemperor = vassals\n"
BAD = "[uwsgi]\nprocesess = 4\nvassal-sos = 10\nuid = app\ngid = app\nhttp-socket = /tmp/b.sock\n"
GOOD = "[uwsgi]\nprocesses = 4\nuid = app\ngid = app\nhttp-socket = /tmp/g.sock\n"

pytestmark = pytest.mark.skipif(
    os.environ.get("UWSGI_LINT_SKIP_PRECOMMIT") == "1"
    or shutil.which("git") is None
    or not (ROOT / ".git").exists(),
    reason="needs git, a git checkout of uwsgi-lint and network (UWSGI_LINT_SKIP_PRECOMMIT)",
)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid",
    )
    return env


def _git(repo: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                   timeout=60)


def _try_repo(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "uwsgi-lint",
           "--verbose", *args]
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_precommit_hook_fails_on_a_bad_vassal_then_passes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    env = _env(tmp_path / "pre-commit-home")
    write(repo, "uwsgi/emperor.ini", EMPEROR)
    bad = write(repo, "uwsgi/vassals/bad.ini", BAD)
    write(repo, "uwsgi/vassals/good.ini", GOOD)
    write(repo, "app/main.py", "print('not a uWSGI config: uwsgi is not in its path')\n")
    _git(repo, "init", "-q", env=env)
    _git(repo, "add", "-A", env=env)

    everything = _try_repo(repo, env, "--all-files")
    out = everything.stdout + everything.stderr
    assert everything.returncode == 1, out
    assert "uwsgi/vassals/bad.ini:2:1: UW101 [unknown-option]" in out
    assert "uwsgi/vassals/bad.ini:3:1: UW410 [vassal-sos-without-broodlord]" in out
    assert "good.ini:" not in out
    assert "main.py" not in out

    # only the changed vassal passed: its Emperor is still read for context (UW410, not
    # the UW411 of a vassal seen alone), and nothing is reported for the other files
    partial = _try_repo(repo, env, "--files", "uwsgi/vassals/bad.ini")
    pout = partial.stdout + partial.stderr
    assert partial.returncode == 1, pout
    assert "uwsgi/vassals/bad.ini:2:1: UW101 [unknown-option]" in pout
    assert "uwsgi/vassals/bad.ini:3:1: UW410 [vassal-sos-without-broodlord]" in pout
    assert "UW411" not in pout
    assert "emperor.ini:" not in pout.replace("uwsgi/emperor.ini:2:1: the Emperor", "")

    bad.write_text(GOOD.replace("g.sock", "b.sock"), encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    fixed = _try_repo(repo, env, "--all-files")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
