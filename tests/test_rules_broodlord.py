"""The scaling rules UW410-UW416 (Broodlord, zerg, Cheaper without the master) on real
Emperor trees: exact positions and messages, and what must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.diagnostics import Diagnostic
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.settings import Selection

from .helpers import Finding, details, write
from .helpers import findings as rule_findings

CODES = ("UW410", "UW411", "UW412", "UW413", "UW414", "UW415", "UW416")
BROOD = "[uwsgi]\nemperor = %dvassals\nemperor-broodlord = 10\n"
# a vassal that does everything right: Cheaper first, then zergs on its zerg server
GOOD = (
    "[uwsgi]\nsocket = /run/a.sock\nprocesses = 8\ncheaper = 2\nvassal-sos = 5\n"
    "zerg-server = /run/a-zerg.sock\n\n[zerg]\nzerg = /run/a-zerg.sock\nidle = 30\n"
    "die-on-idle = true\n"
)


def tree(tmp_path: Path, emperor: str, vassals: dict[str, str], *codes: str,
         ) -> list[Diagnostic]:
    path = write(tmp_path, "emperor.ini", emperor)
    for name, text in vassals.items():
        write(tmp_path, f"vassals/{name}", text)
    report = lint([str(path)], Assumptions(), selection=Selection(extend_select=codes or CODES))
    assert report.errors == []
    return [d for d in report.diagnostics if d.code in (codes or CODES)]


def brief(found: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return [(d.code, Path(d.span.file).name, d.span.start.line, d.span.start.column)
            for d in found]


def single(tmp_path: Path, name: str, text: str, *codes: str) -> list[Finding]:
    """The findings of one file, each message followed by its detail paragraph."""
    found = rule_findings(tmp_path, name, text, *(codes or CODES))
    said = details(tmp_path, name, text, *(codes or CODES))
    return [(c, line, col, f"{m}\n{d}" if d else m)
            for (c, line, col, m), d in zip(found, said, strict=True)]


def test_a_complete_broodlord_tree_is_silent(tmp_path: Path) -> None:
    assert tree(tmp_path, BROOD, {"app.ini": GOOD}) == []


# -- UW410 vassal-sos-without-broodlord -------------------------------------------------------


def test_sos_under_an_emperor_without_broodlord(tmp_path: Path) -> None:
    found = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\n", {"app.ini": GOOD})
    assert brief(found) == [("UW410", "app.ini", 5, 1)]
    [d] = found
    assert (d.message, d.detail) == (
        "`vassal-sos = 5` is ignored: this vassal's Emperor has no `emperor-broodlord`; set "
        "`emperor-broodlord` in the Emperor, or remove this line",
        "`vassal-sos` asks the Emperor for reinforcements, but the Emperor that starts this "
        "vassal has no `emperor-broodlord` (0: Broodlord mode off) and ignores every SOS, so "
        "no zerg is ever started. `emperor-broodlord` is the most zergs at once.")
    assert [(r.message, Path(r.span.file).name, r.span.start.line) for r in d.related] == [
        ("the Emperor that starts this vassal", "emperor.ini", 2)]


def test_sos_backlog_under_broodlord_zero(tmp_path: Path) -> None:
    vassal = GOOD.replace("vassal-sos = 5", "vassal-sos-backlog = 64")
    found = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\nemperor-broodlord = 0\n",
                 {"app.ini": vassal})
    [d] = found
    assert brief(found) == [("UW410", "app.ini", 5, 1)]
    assert d.message.startswith(
        "`vassal-sos-backlog = 64` is ignored: this vassal's Emperor sets "
        "`emperor-broodlord = 0`;")
    assert "sets `emperor-broodlord = 0` (0: Broodlord mode off)" in d.detail
    assert [(r.message, r.span.start.line) for r in d.related] == [
        ("Broodlord mode is off here", 3)]


def test_sos_the_emperor_adds_is_reported_once_per_vassal_file(tmp_path: Path) -> None:
    emperor = "[uwsgi]\nemperor = %dvassals\nvassal-set = vassal-sos=3\n"
    found = tree(tmp_path, emperor, {"a.ini": "[uwsgi]\nsocket = /run/a.sock\n",
                                     "b.ini": "[uwsgi]\nsocket = /run/b.sock\n"}, "UW410")
    assert brief(found) == [("UW410", "a.ini", 1, 1), ("UW410", "b.ini", 1, 1)]


def test_sos_off_or_broodlord_on_is_silent(tmp_path: Path) -> None:
    assert tree(tmp_path / "a", BROOD, {"app.ini": GOOD}, "UW410") == []
    vassal = GOOD.replace("vassal-sos = 5", "vassal-sos = 0")
    assert tree(tmp_path / "b", "[uwsgi]\nemperor = %dvassals\n", {"app.ini": vassal}) == []
    # undecided: the Emperor may or may not be in Broodlord mode
    emperor = "[uwsgi]\nemperor = %dvassals\nif-env = BROOD\nemperor-broodlord = 4\nendif =\n"
    assert tree(tmp_path / "c", emperor, {"app.ini": GOOD}, "UW410") == []


def test_sos_fix_removes_the_ignored_line(tmp_path: Path) -> None:
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    app = write(tmp_path, "vassals/app.ini", GOOD)
    fix = ["--fix", "--select", "UW410", str(emperor)]
    assert main(fix) == 1  # unsafe: not by default
    assert app.read_text() == GOOD
    assert main(["--unsafe-fixes", *fix]) == 0
    assert app.read_text() == GOOD.replace("vassal-sos = 5\n", "")
    assert main(["--unsafe-fixes", *fix]) == 0
    assert app.read_text() == GOOD.replace("vassal-sos = 5\n", "")


def test_sos_no_fix_for_what_the_emperor_adds_or_a_placeholder_reads(tmp_path: Path) -> None:
    emperor = "[uwsgi]\nemperor = %dvassals\nvassal-set = vassal-sos=3\n"
    found = tree(tmp_path / "a", emperor, {"a.ini": "[uwsgi]\nsocket = /run/a.sock\n"}, "UW410")
    assert [(d.code, d.fix) for d in found] == [("UW410", None)]
    vassal = GOOD.replace("vassal-sos = 5\n", "vassal-sos = 5\nprocname = sos-%(vassal-sos)\n")
    found = tree(tmp_path / "b", "[uwsgi]\nemperor = %dvassals\n", {"app.ini": vassal}, "UW410")
    assert [(d.code, d.fix) for d in found] == [("UW410", None)]

# -- UW411 vassal-sos-without-emperor ---------------------------------------------------------


def test_sos_in_a_file_no_emperor_starts(tmp_path: Path) -> None:
    found = single(tmp_path, "app.ini", GOOD, "UW411")
    assert found == [(
        "UW411", 5, 1,
        "`vassal-sos = 5` asks an Emperor for reinforcements, but no Emperor linted here "
        "starts this file; lint it with its Emperor to check the pairing\n"
        "Only an Emperor with `emperor-broodlord` answers. Run on its own, uWSGI logs "
        "\"[broodlord] instance not governed by an Emperor !!!\" at each overload.",
    )]
    found = single(tmp_path, "app.yaml", "uwsgi:\n  vassal-sos-backlog: 10\n", "UW411")
    assert [f[:3] for f in found] == [("UW411", 2, 3)]
    assert "Run on its own, uWSGI does not even check the backlog." in found[0][3]


def test_sos_zero_or_governed_is_silent(tmp_path: Path) -> None:
    assert single(tmp_path, "a.ini", "[uwsgi]\nvassal-sos = 0\n", "UW411") == []
    assert single(tmp_path, "b.json", '{"uwsgi": {"vassal-sos-backlog": "no"}}', "UW411") == []
    assert tree(tmp_path, BROOD, {"app.ini": GOOD}, "UW411") == []


# -- UW412 broodlord-zerg-section-missing -----------------------------------------------------


def test_no_zerg_section_in_ini_yaml_json(tmp_path: Path) -> None:
    found = tree(tmp_path, BROOD, {
        "a.ini": GOOD.split("\n[zerg]")[0],
        "b.yaml": "uwsgi:\n  processes: 4\n  cheaper: 1\n  vassal-sos: 2\n",
        "c.json": '{"uwsgi": {"processes": 4, "cheaper": 1, "vassal-sos": 2}}',
    }, "UW412")
    assert brief(found) == [("UW412", "a.ini", 5, 1), ("UW412", "b.yaml", 4, 3),
                            ("UW412", "c.json", 1, 42)]
    a, b, c = found
    assert (a.message, a.detail) == (
        "the Broodlord Emperor starts `a.ini:zerg`, and this file has no `[zerg]` section: "
        "every zerg exits; add one with `zerg = /run/a-zerg.sock`",
        "`vassal-sos = 5` makes the Broodlord Emperor start `a.ini:zerg`, the `[zerg]` "
        "section of this file: each zerg logs \"Can't find section \\\"zerg\\\"\", reads "
        "nothing and exits with \"The -s/--socket option is missing and stdin is not a "
        "socket\", and the Emperor respawns it over and over. The zerg section attaches to "
        "the vassal's socket (this vassal's `zerg-server`); give it `idle`/`die-on-idle` "
        "too, so that idle zergs go away.")
    assert [(r.message, r.span.start.line) for r in a.related] == [
        ("the Emperor answers an SOS with zergs here", 3)]
    assert "the top-level `zerg:` mapping of this file" in b.detail
    assert b.message.endswith("has no top-level `zerg:` mapping: every zerg exits; add "
                              "`zerg-server = PATH` here and one with `zerg = PATH`")
    assert "(`zerg-server` takes a UNIX socket)" in b.detail
    assert "exits with \"you must define a object named zerg in your JSON data\"" in c.detail


def test_both_sos_options_give_one_finding(tmp_path: Path) -> None:
    vassal = GOOD.split("\n[zerg]")[0].replace("cheaper = 2\n", "") + "vassal-sos-backlog = 9\n"
    found = tree(tmp_path, BROOD, {"a.ini": vassal})
    assert brief(found) == [("UW412", "a.ini", 4, 1), ("UW414", "a.ini", 4, 1)]


def test_zerg_section_present_or_xml_is_not_uw412(tmp_path: Path) -> None:
    xml = "<uwsgi><processes>4</processes><cheaper>1</cheaper><vassal-sos>2</vassal-sos></uwsgi>"
    found = tree(tmp_path, BROOD, {"a.ini": GOOD, "b.xml": xml}, "UW412")
    assert found == []


# -- UW413 broodlord-zerg-not-attached --------------------------------------------------------


def test_zerg_line_names_another_socket(tmp_path: Path) -> None:
    vassal = GOOD.replace("zerg = /run/a-zerg.sock", "zerg = /run/other.sock")
    found = tree(tmp_path, BROOD, {"app.ini": vassal})
    assert brief(found) == [("UW413", "app.ini", 9, 8)]
    [d] = found
    assert (d.message, d.detail) == (
        "`zerg = /run/other.sock` is not this vassal's `zerg-server`: the zerg attaches to "
        "whatever serves it, or exits; write `zerg = /run/a-zerg.sock`",
        "This vassal's `zerg-server` is /run/a-zerg.sock: the zerg attaches to whatever "
        "serves /run/other.sock, or exits with code 1 when nothing does (unless "
        "`zerg-fallback`).")
    assert [(r.message, r.span.start.line) for r in d.related] == [
        ("the Emperor answers an SOS with zergs here", 3), ("this vassal's zerg server", 6)]


def test_zerg_section_without_zerg_line(tmp_path: Path) -> None:
    vassal = GOOD.replace("zerg = /run/a-zerg.sock\n", "")
    [d] = tree(tmp_path, BROOD, {"app.ini": vassal})
    assert brief([d]) == [("UW413", "app.ini", 8, 1)]
    assert (d.message, d.detail) == (
        "This file's zerg section has no `zerg` line: each zerg runs on its own instead of "
        "attaching to this vassal; add `zerg = /run/a-zerg.sock`",
        "Each zerg the Emperor starts is an instance of its own instead of attaching to this "
        "vassal's sockets through `zerg-server = /run/a-zerg.sock`: it binds its own sockets, "
        "or exits when it has none.")


def test_vassal_without_zerg_server(tmp_path: Path) -> None:
    vassal = GOOD.replace("zerg-server = /run/a-zerg.sock\n", "")
    [d] = tree(tmp_path, BROOD, {"app.ini": vassal})
    assert brief([d]) == [("UW413", "app.ini", 5, 1)]
    assert (d.message, d.detail) == (
        "`vassal-sos` asks for zergs, but this vassal has no `zerg-server`; add `zerg-server "
        "= PATH` here and `zerg = PATH` to this file's zerg section",
        "The zergs have no socket of this vassal to attach to: each one serves on its own "
        "sockets, or exits. `zerg-server` takes a UNIX socket.")


def test_xml_without_zerg_id_reads_its_own_block(tmp_path: Path) -> None:
    xml = ("<uwsgi>\n  <processes>4</processes>\n  <cheaper>1</cheaper>\n"
           "  <vassal-sos>2</vassal-sos>\n  <zerg-server>/run/x.sock</zerg-server>\n</uwsgi>\n")
    [d] = tree(tmp_path, BROOD, {"x.xml": xml})
    assert brief([d]) == [("UW413", "x.xml", 4, 4)]
    assert d.message.startswith("The `<uwsgi>` block the zerg reads has no `zerg` line")
    assert d.detail.endswith(
        "With no `<uwsgi id=\"zerg\">` block, the zerg reads this vassal's own `<uwsgi>` "
        "again, a block without id answering any id.")
    good = ("<configs>\n<uwsgi id=\"main\">\n<processes>4</processes><cheaper>1</cheaper>"
            "<vassal-sos>2</vassal-sos><zerg-server>/run/x.sock</zerg-server>\n</uwsgi>\n"
            "<uwsgi id=\"zerg\"><zerg>/run/x.sock</zerg></uwsgi>\n</configs>\n")
    assert tree(tmp_path / "b", BROOD, {"x.xml": good}) == []


@pytest.mark.parametrize("vassal", [
    # the same socket written another way
    GOOD.replace("zerg = /run/a-zerg.sock", "zerg = /run//a-zerg.sock"),
    # the zerg line comes from an include that is not judged
    GOOD.replace("zerg = /run/a-zerg.sock", "ini = zerg-common.ini"),
    # a placeholder
    GOOD.replace("zerg = /run/a-zerg.sock", "zerg = %(zs)"),
    # one of several zerg lines is the right one
    GOOD.replace("zerg = /run/a-zerg.sock", "zerg = /run/b.sock\nzerg = /run/a-zerg.sock"),
])
def test_zerg_pairing_that_may_hold_is_silent(tmp_path: Path, vassal: str) -> None:
    assert tree(tmp_path, BROOD, {"app.ini": vassal}, "UW413") == []


def test_zerg_line_added_by_the_emperor_counts(tmp_path: Path) -> None:
    emperor = BROOD + "vassal-set = zerg=/run/a-zerg.sock\n"
    vassal = GOOD.replace("zerg = /run/a-zerg.sock\n", "")
    # it also reaches the vassal itself, which is not this rule's business
    assert tree(tmp_path, emperor, {"app.ini": vassal}, "UW413") == []


# -- UW414 broodlord-instead-of-cheaper -------------------------------------------------------


def test_broodlord_with_fixed_workers(tmp_path: Path) -> None:
    vassal = GOOD.replace("cheaper = 2\n", "")
    [d] = tree(tmp_path, BROOD, {"app.ini": vassal})
    assert brief([d]) == [("UW414", "app.ini", 4, 1)]
    assert (d.message, d.detail) == (
        "`vassal-sos` asks for reinforcements while this vassal runs a fixed number of "
        "workers (8); set `cheaper` so that its own workers grow first",
        "`cheaper` is unset or 0: at every overload the Emperor starts a whole new zerg "
        "instance, though this vassal's own workers could have grown first. Broodlord spawns "
        "whole new instances on the same socket; Cheaper adapts the workers of one instance: "
        "make `processes` the maximum and set `cheaper` (the minimum), `cheaper-initial` and "
        "`cheaper-step`, keeping `vassal-sos` for when even the maximum is busy.")


def test_cheaper_or_no_broodlord_is_silent_for_uw414(tmp_path: Path) -> None:
    assert tree(tmp_path / "a", BROOD, {"app.ini": GOOD}, "UW414") == []
    vassal = GOOD.replace("cheaper = 2\n", "")
    assert tree(tmp_path / "b", "[uwsgi]\nemperor = %dvassals\n", {"app.ini": vassal},
                "UW414") == []
    assert single(tmp_path, "alone.ini", vassal, "UW414") == []


# -- UW415 cheaper-without-master -------------------------------------------------------------


def test_cheaper_with_master_off(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = /run/a.sock\nmaster = false\nprocesses = 8\ncheaper = 2\n"
    found = single(tmp_path, "a.ini", text, "UW415")
    assert found == [(
        "UW415", 3, 10,
        "`master = false` turns off the master, which runs Cheaper: uWSGI never adds, cheaps "
        "or respawns a worker; remove this line\n"
        "It wins over the master that every cheaper option turns on. With `cheaper = 2` uWSGI "
        "starts a fixed set of workers (the first `cheaper-initial`, plus the main process "
        "serving as a second worker 1).",
    )]
    json = '{"uwsgi": {"master": false, "processes": 8, "cheaper": 2}}'
    assert [f[:3] for f in single(tmp_path, "a.json", json, "UW415")] == [("UW415", 1, 22)]


@pytest.mark.parametrize("text", [
    "[uwsgi]\nprocesses = 8\ncheaper = 2\n",
    "[uwsgi]\nmaster = true\nprocesses = 8\ncheaper = 2\n",
    "[uwsgi]\nmaster = false\nprocesses = 8\ncheaper = 0\ncheaper-step = 2\n",
    "[uwsgi]\nif-env = SOLO\nmaster = false\nendif =\nprocesses = 8\ncheaper = 2\n",
])
def test_cheaper_with_master_on_is_silent(tmp_path: Path, text: str) -> None:
    assert single(tmp_path, "a.ini", text, "UW415") == []


# -- UW416 broodlord-plugin-monitor -----------------------------------------------------------


def test_broodlord_with_a_pg_monitor(tmp_path: Path) -> None:
    text = ("[uwsgi]\nemperor = %dvassals\nemperor = pg://host=db;SELECT 1\n"
            "emperor-broodlord = 4\n")
    found = single(tmp_path, "e.ini", text, "UW416")
    assert found == [(
        "UW416", 3, 11,
        "Broodlord mode does not work with the `pg://` monitor: every zerg fails to start; "
        "use a directory or glob monitor for vassals that need zergs, or Cheaper\n"
        "The Emperor answers an SOS by starting `<vassal name>:zerg` as a config file "
        "(`--ini NAME:zerg` ...), but the vassals of this monitor get their config pushed "
        "from pg and no file of that name exists.",
    )]


def test_plugin_monitor_without_broodlord_is_silent(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = zmq://tcp://127.0.0.1:5250\nemperor-broodlord = 0\n"
    assert single(tmp_path, "e.ini", text, "UW416") == []
    assert single(tmp_path, "f.ini", "[uwsgi]\nemperor = /e/*.ini\nemperor-broodlord = 4\n",
                  "UW416") == []
