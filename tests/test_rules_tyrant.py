"""The Tyrant-mode rules UW301-UW308 on real trees: owners set with os.chown/os.lchown
(those tests need root), exact positions and messages, and what must stay silent."""

from __future__ import annotations

import grp
import os
import pwd
from pathlib import Path

import pytest

from uwsgi_lint.cli import main
from uwsgi_lint.diagnostics import Diagnostic
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.settings import Selection

from .helpers import Finding, details, write
from .helpers import findings as rule_findings

CODES = ("UW301", "UW302", "UW303", "UW304", "UW305", "UW306", "UW307", "UW308")
TYRANT = "[uwsgi]\nemperor = %dvassals\nemperor-tyrant = true\n"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="setting file owners needs root")
# ids that name nobody on the test machine, so that messages show bare numbers
FREE = 4242


def unnamed(*ids: int) -> bool:
    for i in ids:
        for lookup in (pwd.getpwuid, grp.getgrgid):
            try:
                lookup(i)
                return False
            except KeyError:
                pass
    return True


needs_free_ids = pytest.mark.skipif(
    not unnamed(FREE, FREE + 1), reason="the test ids name a user or group here")


def run(paths: list[Path], *codes: str) -> list[Diagnostic]:
    report = lint([str(p) for p in paths], Assumptions(),
                  selection=Selection(extend_select=codes or CODES))
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


def said(d: Diagnostic) -> str:
    """A finding as a user reads it: the message, then its detail paragraph."""
    return f"{d.message}\n{d.detail}" if d.detail else d.message


def emperor_tree(tmp_path: Path, emperor: str, vassals: dict[str, tuple[str, tuple[int, int]]],
                 ) -> Path:
    """An Emperor config and its vassals, each vassal chowned to its (uid, gid)."""
    path = write(tmp_path, "emperor.ini", emperor)
    for name, (text, (uid, gid)) in vassals.items():
        os.chown(write(tmp_path, f"vassals/{name}", text), uid, gid)
    return path


# -- UW301 tyrant-without-emperor -------------------------------------------------------------


def test_tyrant_without_emperor(tmp_path: Path) -> None:
    found = single(tmp_path, "a.ini", "[uwsgi]\nsocket = /run/a.sock\nemperor-tyrant = true\n",
                   "UW301")
    assert found == [(
        "UW301", 3, 1,
        "`emperor-tyrant` is read only by an Emperor, and this config sets no `emperor`: uWSGI "
        "ignores it; add `emperor = <vassals directory>` or remove the line\n"
        "uWSGI ignores it silently and nothing runs as the owner of its file.",
    )]


def test_tyrant_in_a_vassal(tmp_path: Path) -> None:
    emperor = write(tmp_path, "emperor.ini", "[uwsgi]\nemperor = %dvassals\n")
    write(tmp_path, "vassals/app.yaml", "uwsgi:\n  socket: /run/a.sock\n  emperor-tyrant: 1\n")
    [d] = run([emperor], "UW301")
    assert brief([d]) == [("UW301", "app.yaml", 3, 3)]
    assert d.message.endswith("; set it in the config of the Emperor that starts this vassal")
    assert d.detail.endswith(" A vassal cannot put itself in Tyrant mode.")


def test_tyrant_with_emperor_or_off_is_silent(tmp_path: Path) -> None:
    assert single(tmp_path, "a.ini", TYRANT, "UW301") == []
    assert single(tmp_path, "b.ini", "[uwsgi]\nemperor-tyrant = false\n", "UW301") == []
    assert single(tmp_path, "c.json", '{"uwsgi": {"emperor": "/e", "emperor-tyrant": true}}',
                  "UW301") == []
    # undecided: the condition may leave it off
    text = "[uwsgi]\nif-env = TYRANT\nemperor-tyrant = true\nendif =\n"
    assert single(tmp_path, "d.ini", text, "UW301") == []


# -- UW302 tyrant-nofollow-without-tyrant -----------------------------------------------------


def test_nofollow_without_tyrant(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-tyrant = off\nemperor-tyrant-nofollow = true\n"
    found = single(tmp_path, "a.ini", text, "UW302")
    assert found == [(
        "UW302", 4, 1,
        "`emperor-tyrant-nofollow` is ignored: `emperor-tyrant = off` leaves Tyrant mode off; "
        "add `emperor-tyrant = true` or remove the line\n"
        "`emperor-tyrant-nofollow` only chooses whose owner Tyrant mode uses for a symlinked "
        "vassal (the link's instead of the target's): without Tyrant mode uWSGI ignores it "
        "(`core/emperor.c` tests both) and starts every vassal with the Emperor's own "
        "privileges, not as the owner of its file.",
    )]
    found = single(tmp_path, "b.ini", "[uwsgi]\nemperor = /e\nemperor-tyrant-nofollow = 1\n",
                   "UW302")
    [(_, _, _, message)] = found
    assert "is ignored: `emperor-tyrant` is not set;" in message


def test_nofollow_with_tyrant_is_silent(tmp_path: Path) -> None:
    text = TYRANT + "emperor-tyrant-nofollow = true\n"
    assert single(tmp_path, "a.ini", text, "UW302") == []
    assert single(tmp_path, "b.ini", "[uwsgi]\nemperor-tyrant-nofollow = false\n") == []


# -- UW303 tyrant-vassal-owned-by-root --------------------------------------------------------


@root_only
def test_vassal_owned_by_root(tmp_path: Path) -> None:
    emperor = emperor_tree(tmp_path, TYRANT + "emperor-freq = 5\n", {
        "app.ini": ("[uwsgi]\nsocket = /run/a.sock\n", (0, 0)),
        "api.ini": ("[uwsgi]\nsocket = /run/b.sock\nuid = 4242\ngid = 4243\n", (FREE, 0)),
        "ok.ini": ("[uwsgi]\nsocket = /run/c.sock\n", (FREE, FREE)),
    })
    found = run([emperor], "UW303")
    assert brief(found) == [("UW303", "api.ini", 1, 1), ("UW303", "app.ini", 1, 1)]
    api, app = found
    assert said(app) == (
        "the Tyrant-mode Emperor never starts this vassal, as its file belongs to uid 0; "
        "chown the file to the user and group the vassal should run as\n"
        "This file belongs to uid 0 (root), gid 0 (root): the Emperor in Tyrant mode refuses "
        "any vassal owned by uid 0 (root) and logs \"[emperor-tyrant] invalid permissions for "
        "vassal app.ini\" every 5 s.")
    assert [(r.message, r.span.start.line) for r in app.related] == [
        ("the Emperor runs in Tyrant mode here", 3)]
    if unnamed(FREE, FREE + 1):
        assert api.detail.startswith(
            "This file belongs to uid 4242, gid 0 (root): the Emperor in Tyrant mode refuses "
            "any vassal owned by gid 0 (group root is enough) and logs ")
    assert api.message.endswith(
        "as its file belongs to gid 0; run `chown 4242:4243 api.ini` (the ids it sets) and "
        "drop its `uid`/`gid` lines")


@root_only
def test_glob_vassal_is_named_by_its_path(tmp_path: Path) -> None:
    os.chown(write(tmp_path, "apps/a/app.ini", "[uwsgi]\nsocket = /run/a.sock\n"), 0, 0)
    emperor = write(tmp_path, "emperor.ini",
                    "[uwsgi]\nemperor = %dapps/*/*.ini\nemperor-tyrant = 1\n")
    [d] = run([emperor], "UW303")
    assert f"invalid permissions for vassal {tmp_path}/apps/a/app.ini\" every 3 s" in d.detail
    relative = write(tmp_path, "relative.ini",
                     "[uwsgi]\nemperor = apps/*/*.ini\nemperor-tyrant = 1\n")
    [d] = run([relative], "UW303")
    assert "invalid permissions for vassal apps/a/app.ini\" every 3 s" in d.detail


@root_only
def test_root_owned_without_tyrant_or_in_a_checkout_is_silent(tmp_path: Path) -> None:
    plain = emperor_tree(tmp_path / "plain", "[uwsgi]\nemperor = %dvassals\n", {
        "app.ini": ("[uwsgi]\nsocket = /run/a.sock\n", (0, 0))})
    assert run([plain], "UW303") == []
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    cloned = emperor_tree(tmp_path / "repo" / "deploy", TYRANT, {
        "app.ini": ("[uwsgi]\nsocket = /run/a.sock\n", (0, 0))})
    assert run([cloned], "UW303") == []
    # etckeeper keeps the owners of /etc: they are the real ones
    (tmp_path / "repo" / ".etckeeper").write_text("")
    assert brief(run([cloned], "UW303")) == [("UW303", "app.ini", 1, 1)]


@root_only
def test_copy_of_a_vassals_directory_found_in_the_tree_is_silent(tmp_path: Path) -> None:
    etc = tmp_path / "etc" / "uwsgi"
    emperor = write(etc, "emperor.ini",
                    "[uwsgi]\nemperor = /nonexistent-root/uwsgi/vassals\nemperor-tyrant = 1\n")
    os.chown(write(etc, "vassals/app.ini", "[uwsgi]\nsocket = /run/a.sock\n"), 0, 0)
    assert run([emperor, etc / "vassals" / "app.ini"], "UW303") == []


# -- UW304-UW306 uid/gid in a Tyrant vassal ------------------------------------------------


@root_only
@needs_free_ids
def test_numeric_uid_gid_other_than_the_owner(tmp_path: Path) -> None:
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": ("[uwsgi]\nsocket = /run/a.sock\nuid = 4243\ngid = 4243\n", (FREE, FREE))})
    found = run([emperor])
    assert brief(found) == [("UW304", "app.ini", 3, 7), ("UW304", "app.ini", 4, 7)]
    uid, gid = found
    assert said(uid) == (
        "Tyrant mode starts this vassal as its file's owner, not root: `uid = 4243` makes it "
        "exit; remove the line, or chown the file to uid 4243\n"
        "The file belongs to uid 4242, gid 4242: `uid = 4243` asks for another user and uWSGI "
        "exits with \"cannot setuid() as non-root user\"; the Emperor respawns it over and "
        "over. Without the line, the vassal runs as uid 4242.")
    assert "uWSGI exits with \"cannot setgid() as non-root user\"" in gid.detail
    assert gid.message.endswith("; remove the line, or chown the file to gid 4243")
    assert gid.detail.endswith("Without the line, the vassal runs as gid 4242.")
    assert [r.message for r in uid.related] == ["the Emperor runs in Tyrant mode here"]


@root_only
@needs_free_ids
def test_uid_replay_keeps_the_last_number(tmp_path: Path) -> None:
    # a later name does not clear a number: uid stays 4243
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": ("[uwsgi]\nuid = 4243\nuid = www-data\n", (FREE, FREE)),
        "ok.ini": ("[uwsgi]\nuid = www-data\nuid = 4242\n", (FREE, FREE))})
    assert brief(run([emperor])) == [("UW304", "app.ini", 2, 7), ("UW306", "ok.ini", 3, 7)]


@root_only
@needs_free_ids
def test_uid_names_are_ignored(tmp_path: Path) -> None:
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": ("[uwsgi]\nuid = nosuchuser\ngid = 0\n", (FREE, FREE))})
    found = run([emperor])
    assert brief(found) == [("UW305", "app.ini", 2, 7), ("UW305", "app.ini", 3, 7)]
    uid, gid = found
    assert said(uid) == (
        "`uid = nosuchuser` is ignored: this Tyrant vassal runs as uid 4242, the owner of its "
        "file; remove the line and chown the file to choose the user\n"
        "Tyrant mode starts this vassal without root, and uWSGI looks user names up only as "
        "root: `uid = nosuchuser` (the user name \"nosuchuser\") is silently ignored.")
    assert "`gid = 0` (the name \"0\" (an id of 0 counts as unset)) is silently ignored" in (
        gid.detail)


@root_only
@needs_free_ids
def test_uid_name_of_another_user_here(tmp_path: Path) -> None:
    try:
        root_name = pwd.getpwuid(0).pw_name
    except KeyError:
        pytest.skip("uid 0 has no name here")
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": (f"[uwsgi]\nuid = {root_name}\n", (FREE, FREE))})
    [d] = run([emperor])
    assert d.code == "UW305"
    assert "this Tyrant vassal runs as uid 4242, the owner of its file;" in d.message
    assert d.detail.endswith(f"is silently ignored (here `{root_name}` is uid 0).")


@root_only
@needs_free_ids
def test_uid_equal_to_the_owner_is_redundant(tmp_path: Path) -> None:
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": ("[uwsgi]\nsocket = /run/a.sock\nuid = 4242\ngid = 4243\n", (FREE, 4243))})
    found = run([emperor])
    assert brief(found) == [("UW306", "app.ini", 3, 7), ("UW306", "app.ini", 4, 7)]
    assert found[0].message == (
        "`uid = 4242` is redundant: Tyrant mode already starts this vassal as uid 4242, the "
        "owner of its file; remove the line")


@root_only
def test_uid_name_that_is_the_owner_here(tmp_path: Path) -> None:
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user nobody here")
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": ("[uwsgi]\nuid = nobody\n", (entry.pw_uid, entry.pw_gid))})
    [d] = run([emperor])
    assert (d.code, d.span.start.line) == ("UW306", 2)
    assert d.message.startswith(
        "`uid = nobody` is redundant: Tyrant mode already starts this vassal as uid "
        f"{entry.pw_uid} (nobody)")
    assert d.detail == "It is a name, which uWSGI ignores without root, and the same id here."


@root_only
def test_uid_rules_stay_silent(tmp_path: Path) -> None:
    vassal = "[uwsgi]\nuid = 4243\ngid = www-data\n"
    # without Tyrant mode, root-owned (UW303 speaks), undecided, in a checkout
    plain = emperor_tree(tmp_path / "plain", "[uwsgi]\nemperor = %dvassals\n", {
        "app.ini": (vassal, (FREE, FREE))})
    assert run([plain], "UW304", "UW305", "UW306") == []
    rooted = emperor_tree(tmp_path / "rooted", TYRANT, {"app.ini": (vassal, (0, 0))})
    assert brief(run([rooted])) == [("UW303", "app.ini", 1, 1)]
    undecided = emperor_tree(tmp_path / "undecided", TYRANT, {
        "app.ini": ("[uwsgi]\nif-env = APP_UID\nuid = 4243\nendif =\n", (FREE, FREE))})
    assert run([undecided]) == []
    (tmp_path / "repo" / ".hg").mkdir(parents=True)
    cloned = emperor_tree(tmp_path / "repo", TYRANT, {
        "app.ini": ("[uwsgi]\nuid = 4243\n", (FREE, FREE))})
    assert run([cloned]) == []


@root_only
def test_names_are_ignored_even_in_a_checkout(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    emperor = emperor_tree(tmp_path, TYRANT, {"app.ini": ("[uwsgi]\nuid = app\n", (0, 0))})
    [d] = run([emperor])
    assert d.code == "UW305"
    assert "this Tyrant vassal runs as the uid of its file's owner;" in d.message


def fix_tree(emperor: Path, *flags: str) -> int:
    """``uwsgi-lint --fix`` over the Tyrant tree of ``emperor`` (the uid/gid rules only)."""
    return main(["--fix", *flags, "--select", "UW304,UW305,UW306", str(emperor)])


@root_only
@needs_free_ids
def test_redundant_uid_fix_removes_the_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = "[uwsgi]\r\nsocket = /run/a.sock\r\nuid = 4242\r\ngid = nosuchgroup\r\n"
    emperor = emperor_tree(tmp_path, TYRANT, {"app.ini": (text, (FREE, FREE))})
    app = tmp_path / "vassals" / "app.ini"
    assert fix_tree(emperor) == 1  # the ignored `gid` (unsafe) is left
    assert app.read_bytes() == b"[uwsgi]\r\nsocket = /run/a.sock\r\ngid = nosuchgroup\r\n"
    assert "app.ini:3:7: UW305 [tyrant-vassal-uid-ignored]" in capsys.readouterr().out
    assert os.stat(app).st_uid == FREE  # the file keeps its owner, on which it all rests
    assert fix_tree(emperor, "--unsafe-fixes") == 0
    assert app.read_bytes() == b"[uwsgi]\r\nsocket = /run/a.sock\r\n"
    assert fix_tree(emperor, "--unsafe-fixes") == 0
    assert app.read_bytes() == b"[uwsgi]\r\nsocket = /run/a.sock\r\n"


@root_only
@needs_free_ids
def test_uid_lines_that_something_reads_are_not_removed(tmp_path: Path) -> None:
    vassals = {
        "two.ini": ("[uwsgi]\nuid = nosuchuser\nuid = otheruser\n", (FREE, FREE)),
        "ref.ini": ("[uwsgi]\nuid = 4242\nprocname-prefix = %(uid)-\n", (FREE, FREE)),
        "inc.ini": ("[uwsgi]\nini = %dcommon.inc\n", (FREE, FREE)),
    }
    emperor = emperor_tree(tmp_path, TYRANT, vassals)
    write(tmp_path, "vassals/common.inc", "[uwsgi]\ngid = 4242\n")
    found = run([emperor], "UW305", "UW306")
    assert brief(found) == [("UW306", "common.inc", 2, 7), ("UW306", "ref.ini", 2, 7),
                            ("UW305", "two.ini", 3, 7)]
    assert [d.fix for d in found] == [None, None, None]

# -- UW307 tyrant-emperor-drops-root ---------------------------------------------------------


def test_emperor_drops_root(tmp_path: Path) -> None:
    found = single(tmp_path, "e.ini", TYRANT + "uid = www-data\ngid = www-data\n", "UW307")
    assert found == [(
        "UW307", 4, 1,
        "this Tyrant-mode Emperor drops root (`uid = www-data`) before starting vassals: each "
        "fails to start; remove `uid`/`gid` here or add `early-emperor = true`\n"
        "The Emperor runs in Tyrant mode and drops its own privileges to `uid = www-data` "
        "before it starts the vassals, but Tyrant mode needs root to switch each vassal to "
        "the owner of its file: every vassal exits at once with \"setgid(): Operation not "
        "permitted\" and is respawned over and over. Remove `uid`/`gid` from the Emperor "
        "(each vassal runs as the owner of its file anyway), add `early-emperor = true` so "
        "the Emperor starts before the privilege drop, or keep the capabilities it needs "
        "with `cap = setgid,setuid`.",
    )]
    yaml = "uwsgi:\n  emperor: /e\n  emperor-tyrant: true\n  uid: 33\n"
    assert [p[:3] for p in single(tmp_path, "e.yaml", yaml, "UW307")] == [("UW307", 4, 3)]


def test_immediate_uid_drops_root_even_early(tmp_path: Path) -> None:
    text = TYRANT + "early-emperor = true\nimmediate-uid = 33\n"
    [found] = single(tmp_path, "e.ini", text, "UW307")
    assert found[:3] == ("UW307", 5, 1)
    assert found[3].startswith(
        "`immediate-uid` drops root before the Tyrant-mode Emperor starts: every vassal fails "
        "to start; remove it\n`immediate-uid` drops root while the config is still being "
        "read, before even `early-emperor` could start the Emperor, but Tyrant mode needs "
        "root ")


@pytest.mark.parametrize("extra", [
    "gid = www-data\n",
    "uid = root\ngid = www-data\n",
    "uid = 0\n",
    "uid = www-data\nearly-emperor = true\n",
    "uid = www-data\nmaster-as-root = true\n",
    "uid = www-data\ndrop-after-init = true\n",
    "uid = www-data\ndrop-after-apps = true\n",
    "uid = www-data\nchown-socket = www-data:www-data\n",
    "if-env = DROP\nuid = www-data\nendif =\n",
    "uid = uwsgi\ngid = uwsgi\ncap = setgid,setuid\n",
    "uid = 33\ngid = 33\ncap = chown,7,6\n",
])
def test_emperor_that_keeps_root_is_silent(tmp_path: Path, extra: str) -> None:
    assert single(tmp_path, "e.ini", TYRANT + extra, "UW307") == []


def test_emperor_keeping_only_one_capability(tmp_path: Path) -> None:
    text = TYRANT + "uid = 33\ngid = 33\ncap = setgid,chown\n"
    [found] = single(tmp_path, "e.ini", text, "UW307")
    assert found[:3] == ("UW307", 4, 1)
    assert "before starting vassals: each fails to start; add setuid to `cap`\n" in found[3]
    assert found[3].endswith(
        "before it starts the vassals, and `cap = setgid,chown` keeps capabilities across the "
        "drop, but not CAP_SETUID, which Tyrant mode needs to switch each vassal to the owner "
        "of its file: every vassal exits at once with \"setuid(): Operation not permitted\" "
        "and is respawned over and over.")


def test_emperor_uid_without_tyrant_is_silent(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nuid = www-data\ngid = www-data\n"
    assert single(tmp_path, "e.ini", text, "UW307") == []
    # a config that runs no Emperor: UW301's case
    assert single(tmp_path, "f.ini", "[uwsgi]\nemperor-tyrant = 1\nuid = 33\n", "UW307") == []


# -- UW308 tyrant-symlink-owner ----------------------------------------------------------------


def linked_tree(tmp_path: Path, emperor: str, target_owner: tuple[int, int],
                link_owner: tuple[int, int]) -> Path:
    path = write(tmp_path, "emperor.ini", emperor)
    target = write(tmp_path, "apps/app.ini", "[uwsgi]\nsocket = /run/a.sock\n")
    os.chown(target, *target_owner)
    link = tmp_path / "vassals" / "app.ini"
    link.parent.mkdir()
    link.symlink_to("../apps/app.ini")
    os.lchown(link, *link_owner)
    return path


@root_only
@needs_free_ids
def test_symlink_target_owner_counts(tmp_path: Path) -> None:
    # a non-root link to a root file: refused (UW303); the link's owner would run it
    emperor = linked_tree(tmp_path, TYRANT, (0, 0), (FREE + 1, FREE + 1))
    found = run([emperor])
    assert [d.code for d in found] == ["UW303", "UW308"]
    d = found[1]
    assert brief([d]) == [("UW308", "app.ini", 1, 1)]
    assert d.span.file == str(tmp_path / "vassals" / "app.ini")
    assert said(d) == (
        "Tyrant mode refuses this vassal: it takes its target's owner, root; add "
        "`emperor-tyrant-nofollow = true` to run as the link's owner, or chown the target\n"
        "This vassal is a symlink owned by uid 4243, gid 4243 to ../apps/app.ini, "
        "owned by uid 0 (root), gid 0 (root): of the two owners Tyrant mode uses the "
        "target's (stat() follows the link), and refuses a vassal owned by uid 0 or gid 0 "
        "(\"[emperor-tyrant] invalid permissions for vassal app.ini\"); the link's own "
        "owner would run it.")


@root_only
@needs_free_ids
@pytest.mark.parametrize("option", ["emperor-tyrant-nofollow", "emperor-nofollow"])
def test_symlink_link_owner_counts_under_nofollow(tmp_path: Path, option: str) -> None:
    # a root link (`sudo ln -s`) under nofollow: refused; its target's owner would run it
    emperor = linked_tree(tmp_path, TYRANT + f"{option} = true\n", (FREE, FREE), (0, 0))
    d = run([emperor], "UW308")[0]
    assert d.message == (f"Tyrant mode refuses this vassal: `{option}` takes the link's "
                         "owner, root; remove it to run as its target's owner, or `chown -h` "
                         "the link")
    assert [r.message for r in d.related] == [
        "the Emperor runs in Tyrant mode here", f"`{option}` is set here"]


@root_only
@needs_free_ids
def test_symlink_normal_layouts_are_silent(tmp_path: Path) -> None:
    # both run (uWSGI 2.0.31): a non-root link to a non-root file, as the file's owner
    # (a root link too), and a non-root link under nofollow, as the link's owner
    plain = linked_tree(tmp_path / "a", TYRANT, (FREE, FREE), (FREE + 1, FREE + 1))
    assert run([plain]) == []
    rooted_link = linked_tree(tmp_path / "b", TYRANT, (FREE, FREE), (0, 0))
    assert run([rooted_link]) == []
    nofollow = TYRANT + "emperor-tyrant-nofollow = true\n"
    for i, target in enumerate([(FREE, FREE), (0, 0)]):
        assert run([linked_tree(tmp_path / f"c{i}", nofollow, target, (FREE + 1, FREE + 1))]) == []


@root_only
def test_symlink_with_the_same_owner_or_no_tyrant_is_silent(tmp_path: Path) -> None:
    same = linked_tree(tmp_path / "a", TYRANT, (FREE, FREE), (FREE, FREE))
    assert run([same]) == []
    plain = linked_tree(tmp_path / "b", "[uwsgi]\nemperor = %dvassals\n", (FREE, FREE),
                        (FREE + 1, FREE + 1))
    assert run([plain]) == []


# -- issue 12: one replay of uwsgi_opt_set_uid/gid (View.id_outcomes) ----------------------


@root_only
@needs_free_ids
def test_undecided_uid_overridden_by_a_later_number(tmp_path: Path) -> None:
    # whether or not the undecided `uid = 4244` applies, the last number is 4243
    # (uwsgi_opt_set_uid() keeps the last number), which is not the file's owner
    emperor = emperor_tree(tmp_path, TYRANT, {
        "app.ini": ("[uwsgi]\nif-env = X\nuid = 4244\nendif =\nuid = 4243\n", (FREE, FREE))})
    [d] = run([emperor])
    assert brief([d]) == [("UW304", "app.ini", 5, 7)]
    assert "`uid = 4243` asks for another user and uWSGI exits" in d.detail


def test_emperor_uid_name_wins_over_a_later_number(tmp_path: Path) -> None:
    # uwsgi_as_root() looks the kept name up and its uid replaces the number: uWSGI 2.0.31
    # run as root with `uid = www-data` then `uid = 1000` logs "setuid() to 33"
    text = TYRANT + "uid = www-data\nuid = 1000\ngid = 33\n"
    [found] = single(tmp_path, "e.ini", text, "UW307")
    assert found[:3] == ("UW307", 4, 1)
    assert "drops root (`uid = www-data`) before starting vassals" in found[3]
