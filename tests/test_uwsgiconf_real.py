"""Real uwsgiconf configs from public repositories (``tests/fixtures/uwsgiconf/real``, kept
unchanged, with ``PROVENANCE.tsv``): each is linted with the real CLI and read without
error (or passed over, as :data:`NOT_RECOGNISED` says), and its findings are kept as a
snapshot (``tests/snapshots/uwsgiconf-real``; ``pytest --snapshot-update`` or
``UPDATE_SNAPSHOTS=1`` rewrites them)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from uwsgi_lint import cli

from .conftest import ROOT
from .helpers import match_snapshot

REAL = ROOT / "tests" / "fixtures" / "uwsgiconf" / "real"
SNAPSHOTS = ROOT / "tests" / "snapshots" / "uwsgiconf-real"
REAL_FILES = sorted(REAL.glob("*.py"))
SYNTAX_ERROR = "UW600"

# real configs that are not recognised as uwsgiconf configs, with the reason: they are
# passed over ("no uWSGI config found"), which --allow-empty makes exit 0
NOT_RECOGNISED: dict[str, str] = {
    "EloquentBits__pikesquares__src__pikesquares__presets__device":
        "subclasses pikesquares' own Section (`from . import Section`); never imports uwsgiconf",
    "EloquentBits__pikesquares__src__pikesquares__presets__project":
        "subclasses pikesquares' own Section (`from . import Section`); never imports uwsgiconf",
    "EloquentBits__pikesquares__src__pikesquares__domain__device":
        "builds `DeviceSection` imported from pikesquares.presets.device; never imports uwsgiconf",
}


def provenance() -> list[dict[str, str]]:
    with open(REAL / "PROVENANCE.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_provenance_names_every_file() -> None:
    rows = provenance()
    assert sorted(row["file"] for row in rows) == [path.name for path in REAL_FILES]
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{40}", row["commit"]), row
        assert row["repo"].count("/") == 1 and row["path"].endswith(".py"), row
        assert row["license"], row
    assert len(REAL_FILES) >= 10


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: path.stem)
def test_real_config_reads_and_findings_snapshot(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], snapshot_update: bool
) -> None:
    # linted alone in an empty directory: what the repository around it holds changes nothing
    alone = tmp_path / path.name
    shutil.copyfile(path, alone)
    code = cli.main(["--isolated", "--select", "ALL", "--allow-empty", "--format", "json",
                     str(alone)])
    out = capsys.readouterr()
    assert code in (0, 1), f"exit {code}:\n{out.err}"
    assert "Traceback" not in out.err
    report = json.loads(out.out)
    assert report["files_checked"] == (0 if path.stem in NOT_RECOGNISED else 1), out.err
    diagnostics = report["diagnostics"]
    assert [d for d in diagnostics if d["code"] == SYNTAX_ERROR] == []
    text = "".join(f"{d['location']['line']} {d['code']} {d['message']}\n"
                   for d in diagnostics).replace(str(tmp_path), "<dir>")
    match_snapshot(SNAPSHOTS / f"{path.stem}.txt", text, snapshot_update)
