"""Issue 14, reading gaps: each class of difference the generated configs found between our
reading and uWSGI 2.0.31, compared with the real binary (``uwsgi-oracle``, or the binary's
own ``--show-config`` for what the oracle refuses: ``inherit``).  The comparisons skip
where ``../shared`` is absent; the findings tests always run."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.instance.build import build_instance
from uwsgi_lint.model import Format

from .conftest import ORACLE_BIN, needs_shared, run_oracle
from .helpers import write
from .test_oracle import same_machine

HAS_ORACLE = ORACLE_BIN.exists() and not needs_shared.args[0]
needs_oracle = pytest.mark.skipif(not HAS_ORACLE, reason="the uWSGI oracle is absent")


def ours(path: Path, result: dict[str, Any], fmt: Format | None = None,
         section: str = "") -> list[list[str]]:
    """Our expanded list under what the oracle's uWSGI knew."""
    assume = replace(same_machine(result), cwd=result["cwd"])
    inst = build_instance(str(path) + (f":{section}" if section else ""), assume, fmt=fmt)
    return [[d.key, d.effective] for d in inst.options]


def compare(path: Path, *extra: str, fmt: Format | None = None, section: str = "") -> None:
    args = [*extra, *(["--section", section] if section else [])]
    result = run_oracle(path, "--no-strict", "--cwd", str(path.parent), *args)
    assert result["ok"], result.get("error")
    assert ours(path, result, fmt, section) == result["options"]


def show_config(cwd: Path, *args: str) -> list[list[str]]:
    """The option list of ``uwsgi ARGS`` (uWSGI's own ``--show-config``, stopped at a bogus
    clock before it starts anything), without uWSGI's and our own entries."""
    out = subprocess.run(
        [str(ORACLE_BIN), *args, "--show-config", "--clock", "reading-gaps-stop"],
        cwd=cwd, capture_output=True, text=True, timeout=30, check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LC_ALL": "C"})
    assert 'unable to set "reading-gaps-stop" clock' in out.stderr, out.stderr
    body = out.stderr.split("[uwsgi]\n", 1)[1].split(";end of configuration", 1)[0]
    entries = [line.split(" = ", 1) for line in body.splitlines() if " = " in line]
    return [e for e in entries if e[0] not in {"show-config", "clock"}][1:]


def lint_output(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    main(list(args))
    return [line for line in capsys.readouterr().out.splitlines() if ": UW" in line]


# -- 1, 2, 7: %j/%J upper-case hex, %o/%O without `:section`, the command line's entry ---


@needs_oracle
@pytest.mark.parametrize("section", ["", "uwsgi"])
def test_magic_and_command_line_entry_match_uwsgi(tmp_path: Path, section: str) -> None:
    path = write(tmp_path, "app.ini", "[uwsgi]\nj = %j\nJ = %J\no = %o\nO = %O\nx = %x\n"
                 "first-ini = %(ini)\nif-opt = ini\nseen = yes\nendif =\n"
                 f"ini = %dpart.ini{':' + section if section else ''}\nafter = %(ini)\n")
    write(tmp_path, "part.ini", "[uwsgi]\npo = %o\npO = %O\n")
    result = run_oracle(path, "--no-strict", *(["--section", section] if section else []))
    assert result["ok"], result.get("error")
    theirs = result["options"]
    assert theirs[0][1] == theirs[0][1].upper() and len(theirs[0][1]) == 8  # %j: upper hex
    assert ["seen", "yes"] in theirs  # `if-opt = ini` sees the command line's `ini`
    assert ours(path, result, section=section) == theirs


# -- 3: a loader's own list entry, as each loader leaves it -----------------------------


@needs_oracle
def test_loader_entries_with_a_section_match_uwsgi(tmp_path: Path) -> None:
    write(tmp_path, "f.xml", "<root><uwsgi id=\"part\"><a>1</a></uwsgi></root>\n")
    # the embedded YAML reader returns at the end of its section (`other:` follows): its
    # entry stays cut; at the end of the file it is restored
    write(tmp_path, "early.yml", "part:\n  ya: 1\nother:\n  z: 2\n")
    write(tmp_path, "late.yml", "part:\n  yb: 1\n")
    write(tmp_path, "f.json", '{"part": {"ja": "1"}}\n')
    write(tmp_path, "g.ini", "[part]\nia = 1\n")
    main_ini = write(tmp_path, "main.ini", (
        "[uwsgi]\nxml = %df.xml:part\nyaml = %dearly.yml:part\nyml = %dlate.yml:part\n"
        "json = %df.json:part\nini = %dg.ini:part\n"
        "rx = %(xml)\nry = %(yaml)\nryl = %(yml)\nrj = %(json)\n"))
    result = run_oracle(main_ini, "--no-strict")
    assert result["ok"], result.get("error")
    theirs = dict((k, v) for k, v in result["options"] if k.startswith("r"))
    assert theirs == {"rx": f"{tmp_path}/f.xml", "ry": f"{tmp_path}/early.yml",
                      "ryl": f"{tmp_path}/late.yml:part", "rj": f"{tmp_path}/f.json:part"}
    assert ours(main_ini, result) == result["options"]


# -- 4: an explicit `:uwsgi` id filters the XML children -------------------------------


@needs_oracle
def test_xml_explicit_uwsgi_id_skips_other_ids(tmp_path: Path) -> None:
    path = write(tmp_path, "app.xml", "<uwsgi>\n  <a>1</a>\n  <b id=\"other\">2</b>\n"
                 "  <c id=\"uwsgi\">3</c>\n</uwsgi>\n")
    compare(path, section="uwsgi")
    compare(path)  # without an id nothing is filtered


# -- 5: inject-before / inject-after ---------------------------------------------------


@needs_oracle
def test_injected_text_matches_uwsgi(tmp_path: Path) -> None:
    write(tmp_path, "head.txt", "[uwsgi]\nhead = %n\n")
    write(tmp_path, "tail.txt", "tail = %n")  # no newline: joined as written
    write(tmp_path, "part.ini", "[uwsgi]\np = 1\n")
    write(tmp_path, "part.yml", "uwsgi:\n  y: 1\n")
    path = write(tmp_path, "main.ini", "[uwsgi]\nm = %n\ninject-before = %dhead.txt\n"
                 "inject-after = %dtail.txt\nini = %dpart.ini\nyaml = %dpart.yml\nz = 2\n")
    compare(path)


def test_a_directive_from_an_injected_file_points_at_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "head.txt", "[uwsgi]\n\nsocket =\n")
    write(tmp_path, "part.ini", "[uwsgi]\nprocesses = 2\n")
    write(tmp_path, "app.ini", "[uwsgi]\ninject-before = %dhead.txt\nini = %dpart.ini\n")
    os.chdir(tmp_path)
    assert lint_output(capsys, "--select", "UW113", "app.ini") == [
        "head.txt:3:1: UW113 [refused-at-startup] error: `socket` has no address: uWSGI exits "
        "at start-up ('invalid/empty uwsgi socket name'); write the address to bind, or remove "
        "the line"]


def test_a_missing_injected_file_is_reported_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "part.ini", "[uwsgi]\nprocesses = 2\n")
    write(tmp_path, "app.ini", "[uwsgi]\ninject-after = %dnone.txt\nini = %dpart.ini\n")
    os.chdir(tmp_path)
    out = lint_output(capsys, "--select", "UW020", "app.ini")
    assert out == [f"app.ini:2:1: UW020 [include-not-found] error: uWSGI exits: cannot open "
                   f"'{tmp_path}/none.txt': no such file (uWSGI opens it for every config file "
                   "it reads after this line)"]


# -- 6: nested inherit -----------------------------------------------------------------


@needs_oracle
def test_an_inherit_inside_an_inherited_file_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "a.ini", "[uwsgi]\na = 1\ninherit = %db.ini\n")
    write(tmp_path, "b.ini", "[uwsgi]\nb = 2\ninherit = %dc.ini\n")
    write(tmp_path, "c.ini", "[uwsgi]\nc = 3\n")
    path = write(tmp_path, "main.ini", "[uwsgi]\nm = 0\ninherit = %da.ini\nz = 9\n")
    theirs = show_config(tmp_path, "--ini", str(path))
    assert theirs[-2:] == [["inherit", f"{tmp_path}/c.ini"], ["c", "3"]]
    inst = build_instance(str(path))
    assert [[d.key, d.effective] for d in inst.options] == theirs


# -- 8: `json = :other` -----------------------------------------------------------------


def test_a_loader_with_only_a_section_is_reported_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "app.ini", "[uwsgi]\nprocesses = 1\njson = :other\n[other]\nthreads = 2\n")
    write(tmp_path, "fine.ini", "[uwsgi]\nprocesses = 1\nini = :other\n[other]\nthreads = 2\n")
    os.chdir(tmp_path)
    assert lint_output(capsys, "--select", "UW020,UW113", "app.ini", "fine.ini") == [
        "app.ini:3:1: UW020 [include-not-found] error: uWSGI exits: cannot open '': `json = "
        ":other` names no file (only `ini = :other` reads a section of the last INI file); "
        "write the file's name before the ':'"]
    if HAS_ORACLE:
        result = run_oracle(tmp_path / "app.ini", "--no-strict", "--cwd", str(tmp_path))
        assert not result["ok"] and 'open("")' in result["stderr_tail"]


# -- 9: start-up refusals ----------------------------------------------------------------

REFUSED = {
    "bare.ini": ("[uwsgi]\nsocket\n", "invalid/empty uwsgi socket name",
                 "bare.ini:2:1: UW113 [refused-at-startup] error: `socket` has no address: uWSGI "
                 "exits at start-up ('invalid/empty uwsgi socket name'); write the address to "
                 "bind, or remove the line"),
    "shared.ini": ("[uwsgi]\nsocket = =0\nshared-socket = %dsh.sock\n",
                   "unable to use shared socket 0",
                   "shared.ini:2:10: UW113 [refused-at-startup] error: `socket = =0` names shared "
                   "socket 0, which is not defined before it: uWSGI exits at start-up; define it "
                   "first with `shared-socket`"),
    "static.ini": ("[uwsgi]\nstatic-map = /static\n", "invalid document root in static map",
                   "static.ini:2:14: UW113 [refused-at-startup] error: `static-map = /static` has "
                   "no `=`: uWSGI exits at start-up ('invalid document root in static map'); "
                   "write `static-map = MOUNTPOINT=DIRECTORY`"),
}
# the look-alikes that start (verified with real starts of uWSGI 2.0.31)
STARTS = {
    "shared-first.ini": "[uwsgi]\nshared-socket = %dsh.sock\nsocket = =0\n",
    "static-ok.ini": "[uwsgi]\nstatic-map = /static=%dstatic\n",
    "socket-ok.ini": "[uwsgi]\nsocket = %dapp.sock\n",
}


def test_refused_values_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, (text, _, _) in REFUSED.items():
        write(tmp_path, name, text)
    for name, text in STARTS.items():
        write(tmp_path, name, text)
    os.chdir(tmp_path)
    out = lint_output(capsys, "--select", "UW113", *REFUSED, *STARTS)
    assert out == [line for _, _, line in REFUSED.values()]
    if not HAS_ORACLE:
        return
    for name, (_, error, _) in REFUSED.items():  # uWSGI exits while applying the options
        result = run_oracle(tmp_path / name, "--no-strict", "--cwd", str(tmp_path))
        assert not result["ok"] and error in result["stderr_tail"], name
    for name in STARTS:
        assert run_oracle(tmp_path / name, "--no-strict", "--cwd", str(tmp_path))["ok"], name
