"""``--jobs``: the instances of a big run are checked by several processes, and the user
sees exactly what one process would print."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint import parallel
from uwsgi_lint.engine import lint
from uwsgi_lint.rules import all_rules

VASSAL = "[uwsgi]\nsocket = /run/{name}.sock\nprocesses = {n}\ncheaper = {cheaper}\n{extra}"


def make_tree(root: Path, vassals: int) -> Path:
    """An Emperor with ``vassals`` vassals (some include a snippet, one is an Emperor of
    its own with two vassals, one is a symlink), and standalone files and a snippet beside
    them: more files than :data:`uwsgi_lint.parallel.MIN_BATCH`."""
    (root / "snippets").mkdir(parents=True)
    (root / "snippets" / "base.ini").write_text("[uwsgi]\nmaster = true\nharakiri = 30\n")
    v = root / "vassals"
    v.mkdir()
    (root / "emperor.ini").write_text("[uwsgi]\nemperor = %dvassals\nemperor-throttle = 3\n")
    for i in range(vassals):
        extra = "ini = %d../snippets/base.ini\nharakiri = 60\n" if i % 3 == 0 else ""
        if i % 7 == 0:
            extra += "procesess = 2\n"  # a typo: UW101
        (v / f"app{i:03d}.ini").write_text(
            VASSAL.format(name=f"app{i}", n=1 + i % 4, cheaper=i % 3, extra=extra))
    (v / "zz-sub.ini").write_text("[uwsgi]\nemperor = %d../sub\n")
    (root / "sub").mkdir()
    for name in ("a.ini", "b.ini"):
        (root / "sub" / name).write_text("[uwsgi]\nhttp-socket = 0.0.0.0:8080\n")
    (v / "link.ini").symlink_to("app001.ini")
    return root


def run(tree: Path, jobs: int) -> tuple[int, dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "uwsgi_lint", "--isolated", "--format", "json",
         "--context", "host",  # UW504 on the vassals without uid
         "--jobs", str(jobs), "emperor.ini", "vassals", "snippets"],
        cwd=tree, capture_output=True, text=True, timeout=600,
    )
    assert out.stderr == ""
    return out.returncode, json.loads(out.stdout)


def test_two_processes_print_what_one_prints(tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "tree", parallel.MIN_BATCH + 36)
    rc1, one = run(tree, 1)
    rc2, two = run(tree, 2)
    assert (rc2, two) == (rc1, one)
    found = one["diagnostics"]
    # the run is not trivial: vassal, snippet, nested Emperor and typo findings are all in
    assert {"UW101", "UW401", "UW112", "UW504"} <= {f["code"] for f in found}
    assert any("sub/" in f["filename"] for f in found)


def test_a_failing_rule_is_contained_in_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule that raises in a worker process gives the same UW099 finding and error line
    as in one process (the workers are forked: they run the patched rule)."""
    tree = make_tree(tmp_path / "tree", parallel.MIN_BATCH + 4)
    target = next(r for r in all_rules() if r.code == "UW401")

    def broken(*args: object) -> list[object]:
        raise RuntimeError("boom")

    import uwsgi_lint.rules as registry

    patched = dataclasses.replace(target, check=broken)
    monkeypatch.setitem(registry._REGISTRY, "UW401", patched)
    registry.all_rules.cache_clear()
    try:
        one = lint([str(tree / "vassals")], isolated=True, jobs=1)
        two = lint([str(tree / "vassals")], isolated=True, jobs=2)
    finally:
        monkeypatch.undo()
        registry.all_rules.cache_clear()
    assert two.diagnostics == one.diagnostics
    assert two.errors == one.errors
    assert any(d.code == "UW099" and "UW401" in d.message for d in one.diagnostics)
    assert not any(d.code == "UW401" for d in one.diagnostics)


def test_small_runs_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Below MIN_BATCH items nothing is forked (start-up of a one-file lint stays light)."""
    forked: list[int] = []
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: forked.append(1))
    assert parallel.map_indexes(lambda i: i * i, parallel.MIN_BATCH - 1, 8) == [
        i * i for i in range(parallel.MIN_BATCH - 1)]
    assert forked == []
