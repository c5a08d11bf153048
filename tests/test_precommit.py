"""The real pre-commit runs the hook of this repository in a temporary git repository,
the way a user's ``.pre-commit-config.yaml`` names it: it fails on a bad vassal, with
the Emperor read for context even when only the vassal is passed, and passes once the
vassal is fixed.  Files its pattern matches that are no uWSGI config (a Kubernetes
manifest, Helm values, a package.json, a workflow) are never judged, and a nested settings
file's target version applies to its own files.

The hook is taken from this checkout as ``pre-commit try-repo`` takes it (HEAD, plus the
uncommitted changes to tracked files committed in a clone), but the three runs use one
config and one ``PRE_COMMIT_HOME``: ``try-repo`` keeps its store in a fresh temporary
directory, so each of its runs built the hook's virtual environment again (about 10 s of
CPU each).

Slow (pre-commit builds a virtual environment and installs the project into it from the
package registry).  Deselect with `-k "not precommit"` or UWSGI_LINT_SKIP_PRECOMMIT=1.
"""

from __future__ import annotations

import json
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

NOT_CONFIGS = {
    "deploy/k8s/uwsgi-deployment.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: uwsgi-app\n",
    "chart/uwsgi/values.yaml": "replicaCount: 2\nuwsgi:\n  - --processes=4\n",
    "dashboard/uwsgi-ui/package.json": '{"name": "uwsgi-ui", "version": "1.0.0"}\n',
    ".github/workflows/uwsgi-lint.yml": "name: uwsgi-lint\non: [push]\n",
}
NEW_OPTION = "[uwsgi]\nmodule = app.wsgi\nemperor-command-socket = /run/uwsgi/cmd.sock\n"
# a uwsgiconf module (matched as a .py file, recognised by its import): a keyword
# uwsgiconf swallows silently, then the count written as meant
UWSGICFG = "from uwsgiconf.config import Section, configure_uwsgi\n\n" \
    "configure_uwsgi(lambda: Section(workerz=4))\n"
UWSGICFG_FIXED = UWSGICFG.replace("workerz=4", "params_workers=dict(count=4)")

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


def _git(repo: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True, timeout=60).stdout


def _this_repo(shadow: Path, env: dict[str, str]) -> tuple[str, str]:
    """The repository and revision of this checkout's hook, as ``pre-commit try-repo``
    chooses them (``pre_commit.commands.try_repo._repo_ref``): HEAD, or with uncommitted
    changes a clone at HEAD with the staged files and the changes to tracked files
    committed."""
    head = _git(ROOT, "rev-parse", "HEAD", env=env).strip()
    changed = subprocess.run(["git", "diff", "--quiet", "--no-ext-diff", "HEAD"], cwd=ROOT,
                             env=env, capture_output=True, timeout=60).returncode == 1
    if not changed:
        return str(ROOT), head
    _git(ROOT, "clone", "-q", str(ROOT), str(shadow), env=env)
    _git(shadow, "checkout", "-q", head, "-b", "_pc_tmp", env=env)
    into = {**env, "GIT_INDEX_FILE": str(shadow / ".git" / "index"),
            "GIT_OBJECT_DIRECTORY": str(shadow / ".git" / "objects")}
    staged = _git(ROOT, "diff", "--staged", "--name-only", "--no-ext-diff", "-z",
                  "--diff-filter=ACMRTUXB", env=env).split("\0")
    if any(staged):
        _git(ROOT, "add", "--", *filter(None, staged), env=into)
    _git(ROOT, "add", "-u", env=into)
    _git(shadow, "commit", "-q", "--no-edit", "--no-gpg-sign", "-n", "-minit", env=env)
    return str(shadow), _git(shadow, "rev-parse", "HEAD", env=env).strip()


def _config(tmp_path: Path, env: dict[str, str]) -> Path:
    """A pre-commit config naming the hook of this checkout (what ``try-repo`` writes)."""
    repo, rev = _this_repo(tmp_path / "shadow-repo", env)
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(f"repos:\n- repo: {json.dumps(repo)}\n  rev: {json.dumps(rev)}\n"
                      "  hooks:\n  - id: uwsgi-lint\n", encoding="utf-8")
    return config


def _run(repo: Path, config: Path, env: dict[str, str],
         *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pre_commit", "run", "--config", str(config), "--verbose",
           *args]
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_precommit_hook_fails_on_a_bad_vassal_then_passes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    env = _env(tmp_path / "pre-commit-home")
    write(repo, "uwsgi/emperor.ini", EMPEROR)
    bad = write(repo, "uwsgi/vassals/bad.ini", BAD)
    write(repo, "uwsgi/vassals/good.ini", GOOD)
    # a plain, correct vassal: no `uid` (nothing in the tree says it starts as root)
    write(repo, "uwsgi/vassals/plain.ini",
          "[uwsgi]\nmodule = app.wsgi\nprocesses = 2\nsocket = /run/uwsgi/plain.sock\n")
    write(repo, "app/main.py", "print('not a uWSGI config: uwsgi is not in its path')\n")
    # files the hook's pattern matches that are no uWSGI config: skipped, never judged
    for name, text in NOT_CONFIGS.items():
        write(repo, name, text)
    # a nested settings file: its target version is for the files below it only
    write(repo, "uwsgi/next/.uwsgi-lint.toml", 'target-version = "2.1"\n')
    write(repo, "uwsgi/next/app.ini", NEW_OPTION)
    write(repo, "uwsgi/old/app.ini", NEW_OPTION)
    cfg = write(repo, "deploy/uwsgicfg.py", UWSGICFG)
    _git(repo, "init", "-q", env=env)
    _git(repo, "add", "-A", env=env)
    config = _config(tmp_path, env)

    everything = _run(repo, config, env, "--all-files")
    out = everything.stdout + everything.stderr
    assert everything.returncode == 1, out
    assert "uwsgi/vassals/bad.ini:2:1: UW101 [unknown-option]" in out
    assert "uwsgi/vassals/bad.ini:3:1: UW410 [vassal-sos-without-broodlord]" in out
    assert "good.ini:" not in out and "plain.ini:" not in out
    assert "main.py" not in out
    for name in NOT_CONFIGS:
        assert name not in out
    assert "uwsgi/old/app.ini:3:1: UW101 [unknown-option]" in out
    assert "uwsgi/next/app.ini" not in out
    assert "deploy/uwsgicfg.py:3:33: UW601 [uwsgiconf-unknown-keyword]" in out

    # only the changed vassal passed: its Emperor is still read for context (UW410, not
    # the UW411 of a vassal seen alone), and nothing is reported for the other files
    partial = _run(repo, config, env, "--files", "uwsgi/vassals/bad.ini")
    pout = partial.stdout + partial.stderr
    assert partial.returncode == 1, pout
    assert "uwsgi/vassals/bad.ini:2:1: UW101 [unknown-option]" in pout
    assert "uwsgi/vassals/bad.ini:3:1: UW410 [vassal-sos-without-broodlord]" in pout
    assert "UW411" not in pout
    assert "emperor.ini:" not in pout.replace("uwsgi/emperor.ini:2:1: the Emperor", "")

    # the plain vassal alone passes the hook
    plain = _run(repo, config, env, "--files", "uwsgi/vassals/plain.ini")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert "Passed" in plain.stdout

    # a commit that changes only files that are no uWSGI config passes
    others = _run(repo, config, env, "--files", *NOT_CONFIGS)
    assert others.returncode == 0, others.stdout + others.stderr
    assert "Passed" in others.stdout

    # a commit of plain Python passes (main.py is read by its text, never parsed)
    python = _run(repo, config, env, "--files", "app/main.py")
    assert python.returncode == 0, python.stdout + python.stderr
    assert "Passed" in python.stdout

    bad.write_text(GOOD.replace("g.sock", "b.sock"), encoding="utf-8")
    cfg.write_text(UWSGICFG_FIXED, encoding="utf-8")
    write(repo, "uwsgi/old/app.ini", "[uwsgi]\nmodule = app.wsgi\n")
    _git(repo, "add", "-A", env=env)
    fixed = _run(repo, config, env, "--all-files")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
