"""``uwsgi-lint show``: ``--tree`` (text, JSON, Mermaid, DOT) drawn from a lint run, a
vassal shown with the Emperor above it, standard input, ``--env``/``--env-file``.

Snapshots: ``tests/snapshots/show/*.snap``; ``UPDATE_SNAPSHOTS=1`` (or ``pytest
--snapshot-update``) rewrites them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from uwsgi_lint import cli

from .helpers import match_snapshot

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots" / "show"
EXAMPLES = ROOT / "examples"
PLACE = "[TREE]"  # stands for the tree's directory in a snapshot


def run(capsys: pytest.CaptureFixture[str], where: Path, *argv: str,
        stdin: str | None = None) -> tuple[int, str, str]:
    """``uwsgi-lint show ARGV`` run in ``where``: exit status, stdout, stderr."""
    before = os.getcwd()
    os.chdir(where)
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        code = cli.main(["show", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdin = saved
        os.chdir(before)
    out, err = capsys.readouterr()
    return code, out, err


def check_snapshot(name: str, text: str, where: Path, update: bool) -> None:
    for root in sorted({str(where), os.path.realpath(where)}, key=len, reverse=True):
        text = text.replace(root, PLACE)
    match_snapshot(SNAPSHOTS / f"{name}.snap", text, update)


def broodlord_tree(top: Path) -> Path:
    """An Emperor as root with Broodlord on: a vassal whose zerg section drops root to
    nobody, one whose zerg section keeps root, one with no zerg section (every zerg exits),
    a vassal that exits at start-up, and a file the Emperor never starts."""
    (top / "vassals").mkdir(parents=True)
    (top / "emperor.ini").write_text(
        "[uwsgi]\nemperor = %dvassals\nemperor-broodlord = 8\nmaster = true\n"
        "die-on-term = true\n")
    (top / "vassals" / "shop.ini").write_text(
        "[uwsgi]\nsocket = /run/uwsgi/shop.sock\nzerg-server = /run/uwsgi/shop-zerg.sock\n"
        "master = true\nuid = www-data\ngid = www-data\nvassal-sos = 10\n\n"
        "[zerg]\nzerg = /run/uwsgi/shop-zerg.sock\nuid = nobody\ngid = nogroup\n"
        "idle = 30\ndie-on-idle = true\n")
    (top / "vassals" / "blog.ini").write_text(
        "[uwsgi]\nsocket = /run/uwsgi/blog.sock\nzerg-server = /run/uwsgi/blog-zerg.sock\n"
        "master = true\nuid = www-data\ngid = www-data\nvassal-sos = 10\n\n"
        "[zerg]\nzerg = /run/uwsgi/blog-zerg.sock\nidle = 30\ndie-on-idle = true\n")
    (top / "vassals" / "api.ini").write_text(
        "[uwsgi]\nsocket = /run/uwsgi/api.sock\nmaster = true\nuid = www-data\n"
        "gid = www-data\nvassal-sos = 10\n")
    (top / "vassals" / "broken.ini").write_text(
        "[uwsgi]\nsocket = /run/uwsgi/broken.sock\nprocesses = 2\ncheaper = 4\n"
        "uid = www-data\ngid = www-data\n")
    (top / "vassals" / "old.conf").write_text("[uwsgi]\nsocket = /run/uwsgi/old.sock\n")
    return top


@pytest.mark.parametrize("fmt", ["text", "json", "mermaid", "dot"])
def test_tree_of_the_bundled_example(capsys: pytest.CaptureFixture[str], fmt: str,
                                     snapshot_update: bool) -> None:
    code, out, err = run(capsys, EXAMPLES, "--tree", "--format", fmt, ".")
    assert (code, err) == (0, "")
    check_snapshot(f"examples.{fmt}", out, EXAMPLES, snapshot_update)


@pytest.mark.parametrize("fmt", ["text", "json", "mermaid"])
def test_tree_of_a_broodlord_emperor(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     fmt: str, snapshot_update: bool) -> None:
    top = broodlord_tree(tmp_path / "deploy")
    code, out, err = run(capsys, top, "--tree", "--context", "host", "--format", fmt, ".")
    assert (code, err) == (0, "")
    check_snapshot(f"broodlord.{fmt}", out, top, snapshot_update)


def test_tree_says_who_runs_each_process(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    top = broodlord_tree(tmp_path / "deploy")
    _, out, _ = run(capsys, top, "--tree", "--context", "host", "--format", "json", ".")
    nodes = {n["path"].rpartition("/")[2]: n for n in json.loads(out)["nodes"]}
    assert (nodes["emperor.ini"]["user"], nodes["emperor.ini"]["group"]) == ("root", "root")
    # the zerg runs as the Emperor starts it, then its own section's uid/gid: not the vassal's
    assert nodes["shop.ini"]["user"] == "www-data"
    assert (nodes["shop.ini:zerg"]["user"], nodes["shop.ini:zerg"]["group"]) == (
        "nobody", "nogroup")
    assert nodes["blog.ini:zerg"]["user"] == "root"
    assert nodes["api.ini:zerg"]["status"] == "crash-looping"
    assert nodes["api.ini:zerg"]["status_from"] == ["UW412"]
    assert nodes["broken.ini"]["status"] == "crash-looping"
    assert nodes["broken.ini"]["status_from"] == ["UW401"]
    assert nodes["old.conf"]["status"] == "never-started"
    assert nodes["shop.ini"]["sockets"] == [
        {"option": "socket", "address": "/run/uwsgi/shop.sock"}]
    kinds = {(e["kind"]) for e in json.loads(out)["edges"]}
    assert kinds == {"watches", "starts", "zergs"}
    # started by nobody knows whom: the uid is what it gives when started as root
    _, out, _ = run(capsys, top, "--tree", ".")
    assert "vassal vassals/shop.ini [starts] user www-data (if started as root)" in out
    assert "emperor emperor.ini [starts] user unknown, group unknown" in out


def test_tree_under_tyrant_shows_the_file_owner(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("sets file owners: root only")
    top = tmp_path / "t"
    (top / "vassals").mkdir(parents=True)
    (top / "emperor.ini").write_text("[uwsgi]\nemperor = %dvassals\nemperor-tyrant = true\n")
    app = top / "vassals" / "app.ini"
    app.write_text("[uwsgi]\nsocket = /run/app/app.sock\n")
    os.chown(app, 65534, 65534)
    rooted = top / "vassals" / "sudo.ini"
    rooted.write_text("[uwsgi]\nsocket = /run/app/sudo.sock\n")
    _, out, _ = run(capsys, top, "--tree", ".")
    assert "vassal vassals/app.ini [starts] user nobody (uid 65534)" in out
    assert "vassal vassals/sudo.ini [refused] user root, group root" in out
    assert "status from UW303" in out


def test_mermaid_and_dot_escape_a_hostile_file_name(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    top = tmp_path / "h"
    (top / "vassals").mkdir(parents=True)
    (top / "emperor.ini").write_text("[uwsgi]\nemperor = %dvassals\n")
    name = 'x"]\nclick n1 call alert()\n%%{init}%% `#&lt;<b>|.ini'
    (top / "vassals" / name).write_text("[uwsgi]\nsocket = /run/a.sock\n")
    code, out, _ = run(capsys, top, "--tree", "--format", "mermaid", ".")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "flowchart TD"
    for line in lines[1:]:  # every line is one statement this renderer writes
        assert line.startswith(("    n", "    class n", "    classDef ")), line
        if '"' in line:
            label = line.split('"', 1)[1].rsplit('"', 1)[0]
            for part in label.split("<br/>"):  # the renderer's own line breaks
                assert not set(part) & set('"`<>|{}%\n'), part
    assert "x#34;]#92;nclick n1 call alert()#92;n#37;#37;#123;init#125;#37;#37; " \
        "#96;#35;#38;lt;#60;b#62;#124;.ini" in out
    code, out, _ = run(capsys, top, "--tree", "--format", "dot", ".")
    assert code == 0
    for line in out.splitlines()[2:-1]:
        assert line.startswith("    n"), line
        label = line.partition('label="')[2].rpartition('"')[0]
        assert '"' not in label.replace('\\"', ""), label


def test_show_a_vassal_finds_its_emperor(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    top = tmp_path / "repo"
    (top / "vassals").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    (top / "emperor.ini").write_text(
        "[uwsgi]\nemperor = %dvassals\nvassal-set = processes=8\n"
        "vassals-include = %dcommon.ini\n")
    (top / "common.ini").write_text("[uwsgi]\nvacuum = true\n")
    (top / "vassals" / "app.ini").write_text("[uwsgi]\nsocket = /run/app.sock\n")
    code, out, err = run(capsys, top, "vassals/app.ini")
    assert (code, err) == (0, "")
    assert out.startswith("; vassals/app.ini (vassal of emperor.ini)\n")
    assert "processes = 8" in out and "vacuum = true" in out
    code, out, _ = run(capsys, top, "--tree", "vassals/app.ini")
    assert code == 0
    assert out.splitlines()[:3] == [
        "emperor emperor.ini [starts] user unknown, group unknown",
        "│   read for context: not checked in this run",
        "└── monitor dir:vassals [watching]",
    ]


def test_show_reads_standard_input(capsys: pytest.CaptureFixture[str],
                                   tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path, "-", stdin="[uwsgi]\nsocket = /run/s.sock\n")
    assert (code, err) == (0, "")
    assert "socket = /run/s.sock" in out
    code, out, err = run(capsys, tmp_path, "-", "--stdin-filename", "app.yaml",
                         "--format", "json", stdin="uwsgi:\n  socket: /run/y.sock\n")
    assert (code, err) == (0, "")
    [inst] = json.loads(out)["instances"]
    assert inst["filename"].endswith("app.yaml")
    assert inst["options"][0]["value"] == "/run/y.sock"


def test_stdin_filename_needs_the_dash(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path, "--stdin-filename", "a.ini", ".")
    assert code == 2 and "--stdin-filename needs `-`" in err


ENV_CONFIG = (
    "[uwsgi]\nsocket = /run/$(APP).sock\nif-env = DEBUG\npy-autoreload = 1\nendif =\n"
    "if-not-env = DEBUG\nprocesses = 8\nendif =\nenv = DB_PASSWORD=$(DB_PASSWORD)\n")


def test_show_env_evaluates_the_environment(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(ENV_CONFIG)
    _, unresolved, _ = run(capsys, tmp_path, "app.ini")
    assert "unresolved: $(APP)" in unresolved and "if its condition holds" in unresolved
    code, out, err = run(capsys, tmp_path, "--env", "APP=shop", "--env", "DB_PASSWORD=hunter2",
                         "app.ini")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "; evaluated with the environment APP=shop DB_PASSWORD=********")
    assert "socket = /run/shop.sock" in out
    assert "processes = 8" in out and "py-autoreload" not in out  # DEBUG unset
    assert "hunter2" not in out
    (tmp_path / "prod.env").write_text(
        "# production\n\nexport APP='api'\nDEBUG=1\nDB_PASSWORD=\"s3cret\"\n")
    code, out, _ = run(capsys, tmp_path, "--env-file", "prod.env", "--format", "json",
                       "app.ini")
    doc = json.loads(out)
    assert code == 0 and "s3cret" not in out
    assert doc["environment"] == {"APP": "api", "DB_PASSWORD": "********", "DEBUG": "1"}
    values = {o["key"]: o["value"] for o in doc["instances"][0]["options"]}
    assert values["socket"] == "/run/api.sock" and values["py-autoreload"] == "1"
    assert "processes" not in values
    # --env wins over the file
    _, out, _ = run(capsys, tmp_path, "--env-file", "prod.env", "--env", "APP=web", "app.ini")
    assert "socket = /run/web.sock" in out


def test_show_env_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text(ENV_CONFIG)
    code, out, err = run(capsys, tmp_path, "--env-file", "missing.env", "app.ini")
    assert (code, out) == (2, "")
    assert err == "uwsgi-lint: --env-file missing.env: cannot read: No such file or directory\n"
    (tmp_path / "bad.env").write_text("APP=x\nnot a pair\n")
    code, out, err = run(capsys, tmp_path, "--env-file", "bad.env", "app.ini")
    assert (code, out) == (2, "")
    assert err == "uwsgi-lint: --env-file bad.env:2: expected NAME=VALUE\n"
    code, _, err = run(capsys, tmp_path, "--env", "NOEQUALS", "app.ini")
    assert code == 2 and "expected NAME=VALUE, not 'NOEQUALS'" in err


def test_diagram_formats_need_the_tree(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path, "--format", "mermaid", ".")
    assert code == 2 and "--format mermaid draws the tree: give --tree" in err


def test_tree_marks_the_vassal_whose_name_is_taken(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    """Two ``app.ini`` under one Emperor: the second one never starts (UW216)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "emperor.ini").write_text("[uwsgi]\nemperor = %da\nemperor = %db\n")
    for d in ("a", "b"):
        (tmp_path / d / "app.ini").write_text(f"[uwsgi]\nsocket = /run/{d}.sock\n")
    _, out, _ = run(capsys, tmp_path, "--tree", "--format", "json", ".")
    nodes = {os.path.relpath(n["path"], tmp_path): n for n in json.loads(out)["nodes"]}
    assert nodes["a/app.ini"]["status"] == "starts"
    assert (nodes["b/app.ini"]["status"], nodes["b/app.ini"]["status_from"]) == (
        "never-started", ["UW216"])
