"""Differential test: the option list uwsgi-lint builds equals what the real uWSGI 2.0.31 builds.

For every corpus config the oracle accepts, uWSGI's own ``--show-config`` list (after
``$()``, ``@()`` and ``%()`` expansion) must equal the expanded (key, value) list of the
instance uwsgi-lint builds, under the same environment, working directory and host facts.
``.ci/run`` builds the oracle; this test is skipped only where ``../shared`` is absent.
"""

from __future__ import annotations

import grp
import os
import pwd
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint.instance import Assumptions
from uwsgi_lint.instance.build import build_instance
from uwsgi_lint.magic import Host
from uwsgi_lint.model import Format

from .conftest import CORPUS, ORACLE, ORACLE_BIN, corpus_files, needs_shared, run_oracle

pytestmark = [needs_shared, pytest.mark.oracle]

FORMATS = {"xml": Format.XML, "yml": Format.YAML, "yaml": Format.YAML, "json": Format.JSON,
           "js": Format.JSON}

# corpus files whose expanded list legitimately differs, with the reason
EXCEPTIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def oracle_results() -> dict[Path, dict[str, Any]]:
    if not ORACLE_BIN.exists():  # a fresh machine: build it (idempotent, about a minute)
        built = subprocess.run(["sh", str(ORACLE.parent / "setup.sh")], capture_output=True,
                               text=True, timeout=1800)
        if built.returncode != 0 or not ORACLE_BIN.exists():
            pytest.fail(f"building the uWSGI oracle failed:\n{built.stdout}{built.stderr}")
    files = corpus_files()

    def parsed(path: Path) -> dict[str, Any]:
        # the option list and `ok` only: uWSGI's second, --strict run is not compared
        return run_oracle(path, "--no-strict")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(files, pool.map(parsed, files), strict=True))


def same_machine(result: dict[str, Any]) -> Assumptions:
    """What the oracle's uWSGI knew: its environment, cwd and this host."""
    cwd = result["cwd"]
    user = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(os.getgid())
    host = Host(
        cwd=cwd,
        hostname=socket.gethostname(),
        cpus=str(os.cpu_count()),
        uid=str(os.getuid()),
        user=user.pw_name,
        gid=str(os.getgid()),
        group=group.gr_name,
        binary=os.path.realpath(ORACLE_BIN),
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": cwd, "TZ": "UTC", "LC_ALL": "C"}
    return Assumptions(env=env, cwd=cwd, host=host)


def expanded_list(path: Path, assume: Assumptions) -> list[list[str]]:
    fmt = FORMATS.get(path.suffix.lstrip("."), Format.INI)
    inst = build_instance(str(path), assume, fmt=fmt)
    return [[d.key, d.effective] for d in inst.options]


def test_corpus_matches_real_uwsgi(oracle_results: dict[Path, dict[str, Any]]) -> None:
    accepted = {p: r for p, r in oracle_results.items() if r.get("ok")}
    assert len(accepted) >= 100, "the oracle accepted too few corpus files to mean anything"
    mismatches = []
    for path, result in accepted.items():
        rel = str(path.relative_to(CORPUS))
        ours = expanded_list(path, same_machine(result))
        theirs = result["options"]
        if ours != theirs:
            if rel in EXCEPTIONS:
                continue
            pairs = zip(ours, theirs, strict=False)
            first = next((i for i, (a, b) in enumerate(pairs) if a != b),
                         min(len(ours), len(theirs)))
            mismatches.append(
                f"{rel}: entry {first}: ours {ours[first:first + 1]} "
                f"uWSGI {result['options'][first:first + 1]} "
                f"(lengths {len(ours)} / {len(result['options'])})"
            )
    stale = [rel for rel in EXCEPTIONS if (CORPUS / rel) not in accepted]
    assert not mismatches, "\n".join(mismatches)
    assert not stale, f"exceptions for files the oracle no longer accepts: {stale}"


def test_every_exception_still_differs(oracle_results: dict[Path, dict[str, Any]]) -> None:
    for rel in EXCEPTIONS:
        result = oracle_results[CORPUS / rel]
        assert expanded_list(CORPUS / rel, same_machine(result)) != result["options"], rel
