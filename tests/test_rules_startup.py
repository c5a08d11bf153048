"""The start-up rules UW120-UW125: exact positions and messages, and what must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.engine import lint

from .helpers import details, findings, fixed, write
from .helpers import positions as where

# -- UW120 worker-lifetime-not-above-minimum ----------------------------------------------


def test_max_lifetime_at_default_minimum(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nmax-worker-lifetime = 10\n", "UW120")
    assert found == [(
        "UW120", 2, 23,
        "`max-worker-lifetime` (10 s) is not above `min-worker-lifetime` (10: not set, the "
        "default): uWSGI exits at start-up; use more than 10 seconds",
    )]
    assert details(tmp_path, "a.ini", "[uwsgi]\nmax-worker-lifetime = 10\n", "UW120") == [
        "uWSGI exits with \"invalid min-worker-lifetime value (10), must be lower than "
        "max-worker-lifetime (10)\"."]


def test_max_lifetime_below_explicit_minimum(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml",
                 "uwsgi:\n  min-worker-lifetime: 60\n  max-worker-lifetime: 30\n")
    (d,) = [d for d in lint([str(path)]).diagnostics if d.code == "UW120"]
    assert (d.span.start.line, d.span.start.column) == (3, 24)
    assert (d.message, d.detail) == (
        "`max-worker-lifetime` (30 s) is not above `min-worker-lifetime` (60): uWSGI exits at "
        "start-up; raise it above 60 s or lower `min-worker-lifetime`",
        "uWSGI exits with \"invalid min-worker-lifetime value (60), must be lower than "
        "max-worker-lifetime (30)\".")
    assert [r.span.start.line for r in d.related] == [2]


def test_lifetime_silent(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nmax-worker-lifetime = 11\n",
        "[uwsgi]\nmax-worker-lifetime = 0\n",  # off
        "[uwsgi]\nmax-worker-lifetime = 5\nmin-worker-lifetime = 1\n",
        "[uwsgi]\nmax-worker-lifetime = -1\n",  # strtoul: a huge number
        "[uwsgi]\nmax-worker-lifetime = 3600 ; one hour\n",
        "[uwsgi]\nmax-worker-lifetime = $(LIFE)\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW120") == [], text


# -- UW121 invalid-chmod-socket -----------------------------------------------------------


def test_chmod_values(tmp_path: Path) -> None:
    text = ("[uwsgi]\nchmod-socket = 0660\nchmod = true\nchmod-socket\nchmod-socket = 664 # g\n"
            "chmod-socket = 888\n")
    found = findings(tmp_path, "a.ini", text, "UW121")
    assert where(found) == [("UW121", 2, 16), ("UW121", 3, 9), ("UW121", 4, 1),
                            ("UW121", 5, 16), ("UW121", 6, 16)]
    assert found[0][3] == (
        "`chmod-socket` takes three octal digits or `1`: uWSGI exits on `0660`; write it with "
        "three digits, without the leading 0: `660`")
    assert found[2][3] == (
        "`chmod-socket` takes three octal digits or `1`: uWSGI exits on an empty value; write "
        "exactly three octal digits (`660`, `666`), or `1` for 666")
    assert found[3][3].endswith("; keep only `664` on the line")
    said = details(tmp_path, "a.ini", text, "UW121")
    assert said[0] == "uWSGI exits at start-up with \"invalid chmod value: 0660\"."
    assert said[3] == ("uWSGI exits at start-up with \"invalid chmod value: 664 # g\". uWSGI "
                       "has no inline comments, so the comment is part of the value.")


def test_chmod_json_false_and_xml_blanks(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.json", '{"uwsgi": {"chmod-socket": false}}\n', "UW121")
    assert where(found) == [("UW121", 1, 28)]
    assert "uWSGI exits on `0` (JSON false becomes 0)" in found[0][3]
    found = findings(tmp_path, "a.xml", "<uwsgi>\n<chmod> 660 </chmod>\n</uwsgi>\n", "UW121")
    assert where(found) == [("UW121", 2, 8)]
    assert found[0][3].endswith("remove the blanks around `660`")


def test_chmod_valid(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nchmod-socket = 660\n",
        "[uwsgi]\nchmod-socket = 1\n",
        "[uwsgi]\nchmod = 777\n",
        "[uwsgi]\nchmod-socket = $(MODE)\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW121") == [], text
    assert findings(tmp_path, "a.json", '{"uwsgi": {"chmod-socket": true}}\n', "UW121") == []
    assert findings(tmp_path, "a.xml", "<uwsgi><chmod-socket/></uwsgi>\n", "UW121") == []


def test_chmod_fix_writes_the_digits_written(tmp_path: Path) -> None:
    # a word is a guess (666? 660?); the inline comment is UW105's fix
    text = "[uwsgi]\nchmod-socket = 0660\nchmod = true\nchmod-socket = 664 # g\n"
    once = fixed(tmp_path, "a.ini", text, "UW121")
    assert once == "[uwsgi]\nchmod-socket = 660\nchmod = true\nchmod-socket = 664 # g\n"
    assert fixed(tmp_path, "a.ini", once, "UW121") == once
    for name, written, meant in [
        ("a.xml", "<uwsgi>\n<chmod> 660 </chmod>\n</uwsgi>\n",
         "<uwsgi>\n<chmod>660</chmod>\n</uwsgi>\n"),
        ("a.json", '{"uwsgi": {"chmod-socket": "0660"}}\n', '{"uwsgi": {"chmod-socket": "660"}}\n'),
        ("b.json", '{"uwsgi": {"chmod-socket": false}}\n', '{"uwsgi": {"chmod-socket": false}}\n'),
    ]:
        assert fixed(tmp_path, name, written, "UW121") == meant


# -- UW122 uid-gid-zero -------------------------------------------------------------------


def test_uid_and_gid_zero(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nuid = 0\ngid = 00\n", "UW122")
    assert found == [
        ("UW122", 2, 7,
         "uWSGI reads `uid = 0` as the user *name* \"0\": started as root it exits; to stay "
         "root, remove the line or write `uid = root`"),
        ("UW122", 3, 7,
         "uWSGI reads `gid = 00` as the group *name* \"00\": started as root it exits; to stay "
         "root, remove the line or write `gid = root`"),
    ]
    assert details(tmp_path, "a.ini", "[uwsgi]\nuid = 0\ngid = 00\n", "UW122") == [
        "A numeric id of 0 counts as unset, so uWSGI looks the name up and exits with \"user "
        "0 not found.\"",
        "A numeric id of 0 counts as unset, so uWSGI looks the name up and exits with \"group "
        "00 not found.\"",
    ]


def test_uid_zero_name_sticks(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nuid = 0\nuid = 33\ngid = 33\n", "UW122")
    assert where(found) == [("UW122", 2, 7)]
    assert "and the later numeric `uid` does not clear that name," in details(
        tmp_path, "a.ini", "[uwsgi]\nuid = 0\nuid = 33\ngid = 33\n", "UW122")[0]
    found = findings(tmp_path, "b.ini", "[uwsgi]\nuid =\ngid = 1\n", "UW122")
    assert where(found) == [("UW122", 2, 1)]
    assert 'exits with "user  not found."' in details(tmp_path, "b.ini",
                                                      "[uwsgi]\nuid =\ngid = 1\n", "UW122")[0]


def test_uid_zero_silent(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nuid = 0\nuid = www-data\ngid = www-data\n",  # the later name wins
        "[uwsgi]\nuid = root\ngid = root\n",
        "[uwsgi]\nuid = 33\ngid = 33\n",
        "[uwsgi]\nuid = $(USER_ID)\n",
        # an undecided numeric entry could let the later name through
        "[uwsgi]\nuid = 0\nif-env = X\nuid = 33\nendif =\nuid = www-data\ngid = 1\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW122") == [], text


# -- UW123 uid-without-gid ----------------------------------------------------------------


def test_uid_without_gid(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nuid = www-data\n", "UW123")
    assert found == [(
        "UW123", 2, 1,
        "`uid = www-data` without `gid`: started as root, the processes keep group root (gid "
        "0); add `gid` (the user's group)",
    )]
    assert details(tmp_path, "a.ini", "[uwsgi]\nuid = www-data\n", "UW123") == [
        "uWSGI switches the user but never calls setgid(), so the processes keep group root "
        "and the supplementary groups they started with, and the files they create belong to "
        "group root."]
    found = findings(tmp_path, "a.xml", "<uwsgi>\n  <uid>33</uid>\n</uwsgi>\n", "UW123")
    assert where(found) == [("UW123", 2, 4)]


def test_uid_without_gid_silent(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nuid = www-data\ngid = www-data\n",
        "[uwsgi]\nuid = app\nimmediate-gid = app\n",
        "[uwsgi]\nuid = root\n",
        "[uwsgi]\nuid = 0\n",  # UW122's case
        "[uwsgi]\nuid = $(APP_USER)\n",
        "[uwsgi]\nuid = app\nif-env = X\ngid = app\nendif =\n",
        "[uwsgi]\nsocket = /run/a.sock\n",
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW123") == [], text


def test_uid_without_gid_fix_adds_gid_after_uid(tmp_path: Path) -> None:
    cases = [
        ("a.ini", "[uwsgi]\nsocket = /run/app.sock\n  uid = www-data\nprocesses = 2\n",
         "[uwsgi]\nsocket = /run/app.sock\n  uid = www-data\n  gid = www-data\nprocesses = 2\n"),
        ("b.yaml", "uwsgi:\n  uid: nobody  # the web user\n  master: true",
         "uwsgi:\n  uid: nobody  # the web user\n  gid: nobody\n  master: true"),
        ("c.json", '{"uwsgi": {"uid": 33, "master": true}}',
         '{"uwsgi": {"uid": 33, "gid": 33, "master": true}}'),
        ("d.json", '{\n  "uwsgi": {\n    "uid": "app"\n  }\n}\n',
         '{\n  "uwsgi": {\n    "uid": "app",\n    "gid": "app"\n  }\n}\n'),
        ("e.xml", "<uwsgi><uid>app</uid></uwsgi>", "<uwsgi><uid>app</uid><gid>app</gid></uwsgi>"),
        ("f.ini", "[uwsgi]\nuid = app", "[uwsgi]\nuid = app\ngid = app"),
    ]
    for name, text, want in cases:
        assert fixed(tmp_path, name, text, "UW123") == text, name  # unsafe: not by default
        assert fixed(tmp_path, name, text, "UW123", unsafe=True) == want, name
        assert fixed(tmp_path, name, want, "UW123", unsafe=True) == want, name


def test_uid_without_gid_no_fix_where_the_name_is_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(tmp_path, "common.ini", "[uwsgi]\nuid = app\n")
    for i, text in enumerate([
        "[uwsgi]\nuid = 33\nuid = root\n",  # two entries: which one is meant?
        "[uwsgi]\nuser = app\nuid = %(user)\n",  # written as a placeholder
        "[uwsgi]\nini = common.ini\n",  # in an include that others may share
        "[uwsgi]\nsocket = /run/a.sock\nuid = app ; the app user\n",
        # uWSGI's YAML reader keeps the CR of a CRLF line: the new line would end in it
        "uwsgi:\r\n  uid: app  # the app user\r\n",
    ]):
        path = write(tmp_path, f"n{i}.{'yaml' if text.startswith('uwsgi:') else 'ini'}", text)
        assert main(["--select", "UW123", "--unsafe-fixes", str(path)]) == 1
        out = capsys.readouterr().out
        assert " UW123 [uid-without-gid] " in out and "fixable" not in out, text


# -- UW124/UW125 listen -------------------------------------------------------------------


def test_listen_above_new_default(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nlisten = 65535\n", "UW124", "UW125")
    assert found == [(
        "UW124", 2, 10,
        "`listen` (65535) is above net.core.somaxconn on a default Linux (4096): uWSGI exits; "
        "lower `listen` or raise the sysctl wherever this config runs",
    )]
    assert details(tmp_path, "a.ini", "[uwsgi]\nlisten = 65535\n", "UW124") == [
        "The default net.core.somaxconn is 4096 since Linux 5.4, 128 before: uWSGI refuses to "
        "bind every socket with \"Listen queue size is greater than the system max "
        "net.core.somaxconn\" and exits, unless the host sets `sysctl net.core.somaxconn` to "
        "at least 65535."]


def test_listen_above_old_default(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nlisten = 1024\n", "UW124", "UW125")
    assert found == [(
        "UW125", 2, 10,
        "`listen` (1024) is above 128, the net.core.somaxconn of Linux before 5.4: uWSGI exits "
        "there; keep `listen` at most 128 or raise the sysctl",
    )]
    assert details(tmp_path, "a.ini", "[uwsgi]\nlisten = 1024\n", "UW125") == [
        "Hosts with a kernel before 5.4 (RHEL/CentOS 7 and 8, Ubuntu 18.04, Debian 10; 4096 "
        "since): there uWSGI refuses to bind every socket with \"Listen queue size is greater "
        "than the system max net.core.somaxconn\" and exits, unless `sysctl "
        "net.core.somaxconn` is at least 1024."]
    found = findings(tmp_path, "b.ini", "[uwsgi]\nlisten = 4096\n", "UW124", "UW125")
    assert where(found) == [("UW125", 2, 10)]
    found = findings(tmp_path, "a.json", '{"uwsgi": {"listen": 4097}}\n', "UW124", "UW125")
    assert where(found) == [("UW124", 1, 22)]


def test_listen_silent(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nlisten = 128\n",
        "[uwsgi]\nlisten = 100\n",
        "[uwsgi]\nlisten = %(backlog)\nbacklog = 5000\n",  # never expanded: UW111
        "[uwsgi]\nlisten = @(/proc/sys/net/core/somaxconn)\n",
        "[uwsgi]\nlisten = 5000\nlisten = 100\n",  # the last one counts
        "[uwsgi]\nif-env = BIG\nlisten = 5000\nendif =\n",  # maybe the default 100
    ]):
        assert findings(tmp_path, f"s{i}.ini", text, "UW124", "UW125") == [], text


# -- UW122/UW123 for vassals that their Emperor starts without root -----------------------


def _tree(tmp_path: Path, emperor: str) -> list[tuple[str, str, int]]:
    (tmp_path / "vassals").mkdir()
    write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %d/vassals\n" + emperor)
    write(tmp_path, "vassals/v.ini", "[uwsgi]\nsocket = /run/v.sock\nuid = app\n")
    write(tmp_path, "vassals/w.ini", "[uwsgi]\nsocket = /run/w.sock\nuid = 0\ngid = 1\n")
    paths = [str(tmp_path / p) for p in ("emperor.ini", "vassals/v.ini", "vassals/w.ini")]
    report = lint(paths)
    assert report.errors == []
    return [(Path(d.span.file).name, d.code, d.span.start.line) for d in report.diagnostics
            if d.code in ("UW122", "UW123")]


def test_vassals_of_a_root_emperor(tmp_path: Path) -> None:
    assert _tree(tmp_path, "") == [("v.ini", "UW123", 3), ("w.ini", "UW122", 3)]


def test_vassals_of_an_emperor_that_dropped_root(tmp_path: Path) -> None:
    assert _tree(tmp_path, "uid = app\ngid = app\n") == []


def test_vassals_of_a_tyrant(tmp_path: Path) -> None:
    assert _tree(tmp_path, "emperor-tyrant = true\n") == []


def test_emperor_that_keeps_root_for_its_vassals(tmp_path: Path) -> None:
    found = _tree(tmp_path, "uid = app\ngid = app\nmaster-as-root = true\n")
    assert found == [("v.ini", "UW123", 3), ("w.ini", "UW122", 3)]


# -- issue 12: one replay of uwsgi_opt_set_uid/gid, one answer to "does `uid` drop root" ---


def test_uid_zero_name_sticks_past_an_undecided_number(tmp_path: Path) -> None:
    # uwsgi_opt_set_uid(): a later number never clears the name "0", whether or not the
    # undecided `uid = 33` applies; uWSGI 2.0.31 with `uid = 0` then `uid = 33` exits with
    # "user 0 not found."
    text = "[uwsgi]\nuid = 0\nif-env = X\nuid = 33\nendif =\ngid = 33\n"
    found = findings(tmp_path, "a.ini", text, "UW122")
    assert where(found) == [("UW122", 2, 7)]
    assert "started as root it exits;" in found[0][3]
    assert 'exits with "user 0 not found."' in details(tmp_path, "a.ini", text, "UW122")[0]


def test_uid_without_gid_after_root_is_ignored(tmp_path: Path) -> None:
    # after `uid = 33` the name `root` is not kept: uWSGI 2.0.31 run as root logs
    # "setuid() to 33" and never calls setgid()
    found = findings(tmp_path, "a.ini", "[uwsgi]\nuid = 33\nuid = root\n", "UW123")
    assert where(found) == [("UW123", 2, 1)]
    assert found[0][3].startswith("`uid = 33` without `gid`: started as root, the processes "
                                  "keep group root")


def test_uid_minus_one_exits_instead(tmp_path: Path) -> None:
    # `uid = 4294967295` is setuid(-1): uWSGI 2.0.31 exits with "setuid(): Invalid
    # argument", it never runs as another user with group root
    assert findings(tmp_path, "a.ini", "[uwsgi]\nuid = 4294967295\n", "UW123") == []


def test_vassals_of_an_emperor_with_a_uid_above_2_to_the_31(tmp_path: Path) -> None:
    # uWSGI 2.0.31: `uid = 3000000000` logs "setuid() to -1294967296" and runs as uid
    # 3000000000: its vassals start without root, their names are ignored
    assert _tree(tmp_path, "uid = 3000000000\ngid = 3000000000\n") == []


def test_vassals_of_an_emperor_whose_tyrant_mode_is_turned_off(tmp_path: Path) -> None:
    # the last `emperor-tyrant` wins: uWSGI 2.0.31 starts the vassals as root
    found = _tree(tmp_path, "emperor-tyrant = true\nemperor-tyrant = false\n")
    assert found == [("v.ini", "UW123", 3), ("w.ini", "UW122", 3)]
