"""The processes an Emperor starts, as the user and groups they really get (issue 14):
zergs (UW419), a Tyrant sub-Emperor (UW309), a Tyrant vassal's lost supplementary groups
(UW310), a vassal without its master (UW223), heartbeats (UW210, UW224) and the Tyrant
symlink layouts (UW308).  Each is a tree on disk with real owners (os.chown, os.lchown:
those tests need root) and symlinks, a trap and a clean look-alike, run through the CLI.
What each rule says was first seen on the real uWSGI 2.0.31 Emperor (see the pages)."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from uwsgi_lint.cli import main

from .helpers import shared_tmp, write

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="setting file owners needs root")
NOBODY = (65534, 65534)
OTHER = (4242, 4242)  # an owner that need not name anybody
TYRANT = "[uwsgi]\nemperor = %dvassals\nemperor-tyrant = true\n"
BROODLORD = "[uwsgi]\nemperor = %dvassals\nemperor-broodlord = 20\n"


def lint_lines(capsys: pytest.CaptureFixture[str], where: Path, codes: str,
               *extra: str) -> list[str]:
    """The finding lines that `uwsgi-lint --select CODES emperor.ini` prints in ``where``
    (paths relative to it), related lines indented under them."""
    before = os.getcwd()
    os.chdir(where)
    try:
        main(["--isolated", "--select", codes, *extra, "emperor.ini"])
    finally:
        os.chdir(before)
    out = capsys.readouterr().out
    return [line for line in out.splitlines() if line.strip() and not line.startswith(
        ("Found ", "All checks passed"))]


def tree(where: Path, emperor: str, files: dict[str, tuple[str, tuple[int, int] | None]],
         ) -> Path:
    """An Emperor config and its other files, each chowned to its (uid, gid) when given."""
    write(where, "emperor.ini", emperor)
    for name, (text, owner) in files.items():
        path = write(where, name, text)
        if owner is not None:
            os.chown(path, *owner)
    return where


# -- UW419 broodlord-zerg-runs-as-root ---------------------------------------------------------

VASSAL_SOS = (
    "[uwsgi]\nsocket = /run/app.sock\nuid = www-data\ngid = www-data\nprocesses = 4\n"
    "cheaper = 1\nvassal-sos = 10\nzerg-server = /run/app-zerg.sock\n\n"
    "[zerg]\nzerg = /run/app-zerg.sock\n"
)


def test_zerg_without_uid_runs_as_root(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    where = tree(tmp_path, BROODLORD, {"vassals/app.ini": (VASSAL_SOS + "idle = 30\n", None)})
    assert lint_lines(capsys, where, "UW419") == [
        "vassals/app.ini:10:1: UW419 [broodlord-zerg-runs-as-root] warning: the Broodlord "
        "Emperor starts `app.ini:zerg` as root, and this `[zerg]` section sets no `uid`: each "
        "zerg serves as root; add `uid = www-data`",
        "    vassals/app.ini:3:1: the vassal itself drops root here, not its zergs",
        "    emperor.ini:3:1: the Emperor answers an SOS with zergs here",
    ]


def test_zerg_json_without_uid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vassal = ('{"uwsgi": {"socket": "/run/a.sock", "uid": "nobody", "vassal-sos": 5,\n'
              '           "zerg-server": "/run/z.sock"},\n "zerg": {"zerg": "/run/z.sock"}}\n')
    where = tree(tmp_path, BROODLORD, {"vassals/app.json": (vassal, None)})
    [line, *_] = lint_lines(capsys, where, "UW419")
    assert "this top-level `\"zerg\"` object sets no `uid`" in line
    assert line.endswith("add `uid = nobody`")


@root_only
def test_zerg_look_alikes_are_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the zerg section drops root itself
    own = tree(tmp_path / "own", BROODLORD, {
        "vassals/app.ini": (VASSAL_SOS + "uid = www-data\ngid = www-data\n", None)})
    assert lint_lines(capsys, own, "UW419") == []
    # the Emperor adds the `uid` to the zerg as to every vassal
    injected = tree(tmp_path / "injected", BROODLORD + "vassal-set = uid=www-data\n",
                    {"vassals/app.ini": (VASSAL_SOS, None)})
    assert lint_lines(capsys, injected, "UW419") == []
    # Tyrant mode: the zerg runs as the file's owner, like the vassal
    tyrant = tree(tmp_path / "tyrant", BROODLORD + "emperor-tyrant = true\n",
                  {"vassals/app.ini": (VASSAL_SOS.replace("uid = www-data\ngid = www-data\n",
                                                          ""), NOBODY)})
    assert lint_lines(capsys, tyrant, "UW419") == []
    # an Emperor that drops root before starting anything
    dropped = tree(tmp_path / "dropped", BROODLORD + "uid = www-data\ngid = www-data\n",
                   {"vassals/app.ini": (VASSAL_SOS, None)})
    assert lint_lines(capsys, dropped, "UW419") == []
    # a vassal that keeps root itself: its zergs are no worse (UW504 speaks for it)
    rooted = tree(tmp_path / "rooted", BROODLORD, {
        "vassals/app.ini": (VASSAL_SOS.replace("uid = www-data\ngid = www-data\n", ""), None)})
    assert lint_lines(capsys, rooted, "UW419") == []


# -- UW309 tyrant-sub-emperor-without-root -------------------------------------------------------

SUB = "[uwsgi]\nemperor = %d../team\nemperor-tyrant = true\n"
TEAM_APP = ("[uwsgi]\nsocket = /run/team/app.sock\n", NOBODY)


@root_only
def test_tyrant_sub_emperor_under_a_tyrant(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    where = tree(tmp_path, TYRANT, {"vassals/team.ini": (SUB, NOBODY),
                                    "team/app.ini": TEAM_APP})
    assert lint_lines(capsys, where, "UW309") == [
        "vassals/team.ini:3:1: UW309 [tyrant-sub-emperor-without-root] error: this Emperor is "
        "a vassal started without root: its Tyrant mode fails for every vassal it starts; "
        "remove this line, or watch them from the root Emperor",
        "    emperor.ini:3:1: the Emperor that starts this one runs in Tyrant mode here",
    ]


@root_only
def test_tyrant_sub_emperor_under_an_emperor_that_drops_root(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\nuid = nobody\ngid = nogroup\n",
                 {"vassals/team.ini": (SUB, None), "team/app.ini": TEAM_APP})
    out = lint_lines(capsys, where, "UW309", "--format", "full")
    assert out[0].startswith("vassals/team.ini:3:1: UW309")
    assert "and its Emperor drops root first (`uid = nobody`). Tyrant mode needs root" in (
        " ".join(" ".join(out).split()))


@root_only
def test_sub_emperor_look_alikes_are_silent(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # without its own Tyrant mode, the sub-Emperor starts its vassals as its own user
    plain_sub = tree(tmp_path / "a", TYRANT, {
        "vassals/team.ini": ("[uwsgi]\nemperor = %d../team\n", NOBODY), "team/app.ini": TEAM_APP})
    assert lint_lines(capsys, plain_sub, "UW309") == []
    # under an Emperor that keeps root, its Tyrant mode works
    rooted = tree(tmp_path / "b", "[uwsgi]\nemperor = %dvassals\n", {
        "vassals/team.ini": (SUB, NOBODY), "team/app.ini": TEAM_APP})
    assert lint_lines(capsys, rooted, "UW309") == []
    # a root-owned sub-Emperor is refused before it starts: UW303, not this rule
    refused = tree(tmp_path / "c", TYRANT, {
        "vassals/team.ini": (SUB, (0, 0)), "team/app.ini": TEAM_APP})
    assert [line[:30] for line in lint_lines(capsys, refused, "UW303,UW309")
            if not line.startswith(" ")] == ["vassals/team.ini:1:1: UW303 [t"]


# -- UW310 tyrant-vassal-socket-group ------------------------------------------------------------


def member_of_another_group() -> tuple[int, int, int] | None:
    """(uid, primary gid, other gid) of a non-root user that the group database lists as a
    member of a group other than its own, on this machine."""
    for g in grp.getgrall():
        for name in g.gr_mem:
            try:
                user = pwd.getpwnam(name)
            except KeyError:
                continue
            if 0 not in (user.pw_uid, user.pw_gid, g.gr_gid) and g.gr_gid != user.pw_gid:
                return user.pw_uid, user.pw_gid, g.gr_gid
    return None


MEMBER = member_of_another_group()


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A directory every user can reach (its socket directories must be judged, not its
    parents)."""
    top = shared_tmp()
    yield top
    shutil.rmtree(top)


def socket_dir(top: Path, name: str, gid: int, mode: int = 0o770) -> Path:
    path = top / name
    path.mkdir()
    os.chown(path, 0, gid)
    path.chmod(mode)
    return path


@root_only
@pytest.mark.skipif(MEMBER is None, reason="no user here is a member of another group")
def test_socket_needing_a_supplementary_group(reachable: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert MEMBER is not None
    uid, gid, other = MEMBER
    shared = socket_dir(reachable, "shared", other)  # writable through the other group
    own = socket_dir(reachable, "own", gid)  # writable through the file's own group
    closed = socket_dir(reachable, "closed", 0)  # writable by nobody but root
    vassal = (f"[uwsgi]\nsocket = {own}/a.sock\nhttp-socket = {shared}/b.sock\n"
              f"stats = {closed}/stats.sock\n")
    where = tree(reachable / "t", TYRANT, {"vassals/app.ini": (vassal, (uid, gid))})
    [line, related] = lint_lines(capsys, where, "UW310")
    group = grp.getgrgid(other).gr_name
    assert line == (
        f"vassals/app.ini:3:15: UW310 [tyrant-vassal-socket-group] error: Tyrant mode starts "
        f"this vassal as uid {uid} without its supplementary groups: bind() in {shared} fails, "
        f"writable through group {other} ({group}); chgrp the file or the directory")
    assert related == "    emperor.ini:3:1: the Emperor runs in Tyrant mode here"
    # the same vassal with the other group on its file runs with it: silent
    os.chown(where / "vassals" / "app.ini", uid, other)
    assert lint_lines(capsys, where, "UW310") == []
    # started by an Emperor that is not in Tyrant mode, it keeps its groups
    plain = tree(reachable / "p", "[uwsgi]\nemperor = %dvassals\n",
                 {"vassals/app.ini": (vassal, (uid, gid))})
    assert lint_lines(capsys, plain, "UW310") == []


# -- UW223 vassal-master-off ---------------------------------------------------------------------

APP = "[uwsgi]\nsocket = /run/uwsgi/app.sock\nuid = www-data\ngid = www-data\nprocesses = 4\n"
EMPEROR = "[uwsgi]\nemperor = %dvassals\n"


def test_vassal_with_master_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = tree(tmp_path, EMPEROR + "emperor-curse-tolerance = 10\n",
                 {"vassals/app.ini": (APP + "master = false\n", None)})
    assert lint_lines(capsys, where, "UW223") == [
        "vassals/app.ini:6:10: UW223 [vassal-master-off] warning: `master = false` in a vassal: "
        "its Emperor can neither reload nor stop it (SIGKILL after 10 s, workers left "
        "running); remove this line"]


def test_vassal_master_look_alikes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # no `master` line (uWSGI turns it on for every vassal), or `master = true`
    where = tree(tmp_path / "a", EMPEROR, {"vassals/a.ini": (APP, None),
                                           "vassals/b.ini": (APP + "master = true\n", None)})
    assert lint_lines(capsys, where, "UW223") == []
    # with cheaper, UW415 says it, the Emperor's side included
    cheap = tree(tmp_path / "b", EMPEROR,
                 {"vassals/a.ini": (APP + "cheaper = 1\nmaster = false\n", None)})
    out = lint_lines(capsys, cheap, "UW223,UW415", "--format", "full")
    assert [line.split(" [")[0] for line in out if ": UW" in line] == [
        "vassals/a.ini:7:10: UW415"]
    assert "touching the file does not reload this vassal" in " ".join(" ".join(out).split())
    # a config that no Emperor starts
    write(tmp_path / "c", "app.ini", APP + "master = false\n")
    main(["--isolated", "--select", "UW223", str(tmp_path / "c" / "app.ini")])
    assert "UW223" not in capsys.readouterr().out


# -- UW210, UW224: heartbeats --------------------------------------------------------------------


def test_heartbeat_equal_to_the_required_one_is_fine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = tree(tmp_path, EMPEROR + "emperor-required-heartbeat = 20\n", {
        "vassals/equal.ini": (APP + "heartbeat = 20\n", None),
        "vassals/above.ini": (APP + "heartbeat = 21\n", None)})
    assert [line.split(" warning:")[0] for line in lint_lines(capsys, where, "UW210")
            if not line.startswith(" ")] == [
        "vassals/above.ini:6:13: UW210 [vassal-heartbeat-not-below-required]"]


def test_required_heartbeat_without_heartbeats(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    none = tree(tmp_path / "a", EMPEROR + "emperor-required-heartbeat = 60\n",
                {"vassals/app.ini": (APP, None), "vassals/api.ini": (APP, None)})
    assert lint_lines(capsys, none, "UW224") == [
        "emperor.ini:3:30: UW224 [emperor-required-heartbeat-unused] info: "
        "`emperor-required-heartbeat = 60` does nothing: no vassal of this Emperor sets "
        "`heartbeat`; add `heartbeat = 20` to them, or remove it"]
    some = tree(tmp_path / "b", EMPEROR + "emperor-required-heartbeat = 60\n",
                {"vassals/app.ini": (APP + "heartbeat = 20\n", None),
                 "vassals/api.ini": (APP, None)})
    assert lint_lines(capsys, some, "UW224") == [
        "emperor.ini:3:30: UW224 [emperor-required-heartbeat-unused] info: "
        "`emperor-required-heartbeat = 60` does not watch 1 of the 2 vassals (api.ini): they "
        "set no `heartbeat`"]
    # every vassal sends heartbeats, one through the Emperor's vassal-set
    every = tree(tmp_path / "c", EMPEROR + "emperor-required-heartbeat = 60\n"
                 "vassal-set = heartbeat=20\n", {"vassals/app.ini": (APP, None)})
    assert lint_lines(capsys, every, "UW224") == []


# -- UW308 tyrant-symlink-owner: the layouts that run ----------------------------------------------


def linked(where: Path, emperor: str, target_owner: tuple[int, int],
           link_owner: tuple[int, int]) -> Path:
    tree(where, emperor, {"apps/app.ini": ("[uwsgi]\nsocket = /run/a.sock\n", target_owner)})
    link = where / "vassals" / "app.ini"
    link.parent.mkdir()
    link.symlink_to("../apps/app.ini")
    os.lchown(link, *link_owner)
    return where


@root_only
def test_symlink_layouts_that_run_are_silent(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    nofollow = TYRANT + "emperor-tyrant-nofollow = true\n"
    runs = [
        linked(tmp_path / "a", TYRANT, NOBODY, OTHER),  # runs as the target's owner
        linked(tmp_path / "b", TYRANT, NOBODY, (0, 0)),  # a root link: the same
        linked(tmp_path / "c", nofollow, (0, 0), NOBODY),  # runs as the link's owner
        linked(tmp_path / "d", nofollow, OTHER, NOBODY),
    ]
    for where in runs:
        assert lint_lines(capsys, where, "UW303,UW308") == [], where.name


@root_only
def test_symlink_refused_where_the_other_owner_would_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = linked(tmp_path, TYRANT + "emperor-tyrant-nofollow = true\n", NOBODY, (0, 0))
    out = [line for line in lint_lines(capsys, where, "UW308") if not line.startswith(" ")]
    assert out == [
        "vassals/app.ini:1:1: UW308 [tyrant-symlink-owner] warning: Tyrant mode refuses this "
        "vassal: `emperor-tyrant-nofollow` takes the link's owner, root; remove it to run as "
        "its target's owner, or `chown -h` the link"]
