"""Shared test helpers: where the third-party corpus and the uWSGI oracle live."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
ORACLE = SHARED / "tools" / "oracle" / "uwsgi-oracle"
ORACLE_HOME = Path(
    os.environ.get("UWSGI_ORACLE_HOME")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uwsgi-oracle"
)
ORACLE_BIN = ORACLE_HOME / ".venv" / "bin" / "uwsgi"
ORACLE_LIBYAML_BIN = ORACLE_HOME / ".venv-libyaml" / "bin" / "uwsgi"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is absent (plain clone)")


def run_oracle(path: Path, *extra: str) -> dict[str, Any]:
    """What the real uWSGI makes of ``path`` (``uwsgi-oracle`` JSON), e.g. with
    ``--section NAME``, ``--libyaml`` or ``--no-strict``."""
    out = subprocess.run([str(ORACLE), str(path), *extra], capture_output=True, text=True,
                         timeout=120, check=False)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def corpus_files() -> list[Path]:
    """Every config file of the corpus (not its README or provenance table)."""
    if not CORPUS.is_dir():
        return []
    skip = {"PROVENANCE.tsv", "README.md"}
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in skip)


# Hypothesis profiles (tests/test_fuzz.py): the bounded default runs in the normal suite;
# HYPOTHESIS_PROFILE=long runs a longer fuzzing campaign (see fuzz/README.md).
try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # pragma: no cover - hypothesis is in the test extras
    pass
else:
    _hypothesis_settings.register_profile("long", max_examples=20_000, deadline=None,
                                          database=None)
    if os.environ.get("HYPOTHESIS_PROFILE"):
        _hypothesis_settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


# Snapshot tests (tests/test_rule_pages.py): `pytest --snapshot-update` or UPDATE_SNAPSHOTS=1
# rewrites the stored snapshots instead of comparing with them.
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--snapshot-update", action="store_true", default=False,
                     help="rewrite tests/snapshots/ from the current output")


@pytest.fixture
def snapshot_update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--snapshot-update")
                or os.environ.get("UPDATE_SNAPSHOTS", "") not in ("", "0"))


# --- the speed of the test run (issue 12) --------------------------------------------------
# Spread over the workers: `-n N` without a `--dist` mode steals queued tests from a busy
# worker (`worksteal`) instead of xdist's `load`, which hands each worker its share in
# chunks and never takes them back: the slow tests sit together (the sanitiser's and the
# budgets' complexity guards, the oracle), and one worker ran them alone for the last
# 150 s of a 260 s run while the other had finished.
@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    option = config.option
    if getattr(option, "numprocesses", None) and getattr(option, "dist", None) == "no" \
            and not getattr(option, "distload", False):
        option.dist = "worksteal"


# Bytecode for the child processes.
# Many tests run `python -m uwsgi_lint` as a user would (and pre-commit, the oracle, ...).
# Where PYTHONDONTWRITEBYTECODE is set, as in this project's sandbox, each of those
# children compiled every uwsgi_lint module from source again: about 0.15 s of CPU per
# child, a few hundred times per run.  For the run, bytecode goes to a temporary cache
# outside the source tree instead (PYTHONPYCACHEPREFIX, inherited by the xdist workers
# and their children), removed when the run ends.  No test looks there: the trees the
# tests snapshot are their own temporary directories.
def _bytecode_cache() -> None:
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return  # bytecode is written as usual, or where the caller chose
    cache = tempfile.mkdtemp(prefix="uwsgi-lint-tests-pycache-")
    atexit.register(shutil.rmtree, cache, ignore_errors=True)
    os.environ["PYTHONPYCACHEPREFIX"] = cache
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    sys.pycache_prefix = cache
    sys.dont_write_bytecode = False


_bytecode_cache()
# --- end of the block on the speed of the test run ---------------------------------------
