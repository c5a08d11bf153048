"""Safe on a hostile repository (issue 11): writes, settings trust, file names.

Every case runs the real command in a child process (``uwsgi_lint()`` of
``tests/test_hostile.py``: bounded in time and memory, no traceback).  ``--add-noqa``
writes only regular files inside the linted tree, in place (owner, group, mode, extended
attributes, inode, hard links and symlinks kept), and refuses read-only files; settings
are trusted only from the user's own tree; settings globs cannot backtrack; a file whose
name holds a ``:`` is checked.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.complexity import LINEAR, growth
from tests.test_hostile import AS_NOBODY, NOBODY, snapshot, uwsgi_lint, write

TYPO = "[uwsgi]\nmaster = true\nprocesess = 4\n"
ROOT = os.geteuid() == 0
OTHER = 12345  # a uid and gid that no one on the test machine uses


def state(path: Path) -> tuple[object, ...]:
    """What a write must keep or change: inode, owner, group, mode, link count, the
    symlink's target (None for a file), the bytes' hash."""
    st = path.lstat()
    link = os.readlink(path) if path.is_symlink() else None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return (st.st_ino, st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), st.st_nlink, link,
            digest)


def xattr(path: Path, value: bytes | None = None) -> bytes | None:
    """The ``user.x`` extended attribute (set first when ``value`` is given); None when the
    filesystem has none."""
    try:
        if value is not None:
            os.setxattr(path, "user.x", value)
        return os.getxattr(path, "user.x")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            return None
        raise


def hostile_tree(top: Path) -> Path:
    """A linted tree, ``top/tree``, whose findings point out of it and at files that must
    be written with care; ``top/victim`` and ``top/outside`` lie beside it."""
    tree = top / "tree"
    write(top / "victim" / "passwd.ini", "[uwsgi]\nroot:x:0:0 = 1\nprocesess = 1\n")
    write(top / "outside" / "out.ini", TYPO)
    # an include out of the tree, and an include through a directory symlink out of it
    write(tree / "app.ini", "[uwsgi]\nini = ../victim/passwd.ini\nini = linked/out.ini\n"
          "procesess = 2\n")
    (tree / "linked").symlink_to(top / "outside", target_is_directory=True)
    # a vassal that is a symlink to a file inside the tree
    write(tree / "apps" / "shop.ini", TYPO)
    (tree / "vassals").mkdir()
    (tree / "vassals" / "shop.ini").symlink_to("../apps/shop.ini")
    # two names of one file
    write(tree / "hard.ini", TYPO)
    os.link(tree / "hard.ini", tree / "hard2.ini")
    # a read-only file
    write(tree / "readonly.ini", TYPO).chmod(0o444)
    # another user's file, mode 0640, with an extended attribute
    other = write(tree / "other.ini", TYPO)
    other.chmod(0o640)
    xattr(other, b"kept")
    if ROOT:
        os.chown(other, OTHER, OTHER)
    return tree


def test_add_noqa_writes_only_inside_the_tree_in_place(tmp_path: Path) -> None:
    tree = hostile_tree(tmp_path)
    outside = {**snapshot(tmp_path / "victim"), **snapshot(tmp_path / "outside")}
    names = ["app.ini", "apps/shop.ini", "vassals/shop.ini", "hard.ini", "hard2.ini",
             "readonly.ini", "other.ini"]
    before = {n: state(tree / n) for n in names}
    attr = xattr(tree / "other.ini")
    # files outside the tree are read (--allow-read), so findings point at them: but
    # reading them is no licence to write them
    run = uwsgi_lint("--add-noqa", "--allow-read", "victim", "--allow-read", "outside", tree,
                     cwd=tmp_path, json_output=False)
    assert run.rc == 1, run.err  # files were refused
    refused = sorted(line.rsplit("/", 1)[-1] for line in run.err.splitlines())
    assert refused == [
        "out.ini); nothing is written there",  # tree/linked/out.ini
        "passwd.ini); nothing is written there",  # victim/passwd.ini
        "readonly.ini: it is read-only (mode 0444); make it writable to add comments to it",
    ], run.err
    assert "Added suppression comments to 4 files." in run.out
    after = {n: state(tree / n) for n in names}
    # nothing outside the tree changed, through an include or a directory symlink
    assert {**snapshot(tmp_path / "victim"), **snapshot(tmp_path / "outside")} == outside
    for n in names:
        ino, uid, gid, mode, nlink, link, digest = before[n]
        assert after[n][:6] == (ino, uid, gid, mode, nlink, link), n  # same file, same owner
        assert (after[n][6] == digest) == (n == "readonly.ini"), n  # changed, but that one
    assert xattr(tree / "other.ini") == attr
    assert (tree / "vassals" / "shop.ini").is_symlink()
    assert (tree / "hard.ini").read_text() == (tree / "hard2.ini").read_text() == (
        "[uwsgi]\nmaster = true\n; uwsgi-lint: disable=UW101\nprocesess = 4\n")  # once
    if ROOT:
        assert (after["other.ini"][1], after["other.ini"][2]) == (OTHER, OTHER)
    # every finding that could be commented is silenced; the refused files still report
    run = uwsgi_lint("--allow-read", "victim", "--allow-read", "outside", tree, cwd=tmp_path)
    assert {w[1] for w in run.where()} == {"readonly.ini", "passwd.ini", "out.ini"}


@pytest.mark.skipif(not ROOT, reason="needs root to drop privileges")
def test_add_noqa_as_an_unprivileged_user() -> None:
    # pytest's tmp_path is private to root: the child, once nobody, must reach the tree
    top = Path(tempfile.mkdtemp(prefix="uwsgi-lint-writes-"))
    try:
        top.chmod(0o755)
        mine = write(top / "tree" / "mine.ini", TYPO)
        theirs = write(top / "tree" / "theirs.ini", TYPO)
        theirs.chmod(0o644)
        os.chown(mine, NOBODY, NOBODY)
        os.chown(top / "tree", NOBODY, NOBODY)
        before = state(theirs)
        run = uwsgi_lint("--add-noqa", top / "tree", cwd=top / "tree", json_output=False,
                         prelude=AS_NOBODY)
        assert run.rc == 1
        assert "theirs.ini: cannot write it: Permission denied" in run.err
        assert state(theirs) == before
        assert "; uwsgi-lint: disable=UW101\n" in mine.read_text()
        assert mine.stat().st_uid == NOBODY
    finally:
        shutil.rmtree(top)


def test_add_noqa_dir_lints_dir_without_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "here.ini", TYPO)  # in the working directory, not named
    target = write(tmp_path / "sub" / "app.ini", TYPO)
    before = snapshot(tmp_path)
    run = uwsgi_lint("--add-noqa", "sub", cwd=tmp_path, json_output=False)
    assert run.rc == 0, run.err
    assert "Added suppression comments to 1 file." in run.out
    assert target.read_text() == (
        "[uwsgi]\nmaster = true\n; uwsgi-lint: disable=UW101\nprocesess = 4\n")
    after = snapshot(tmp_path)
    assert after[str(tmp_path / "here.ini")] == before[str(tmp_path / "here.ini")]


def test_add_noqa_reason_only_with_equals(tmp_path: Path) -> None:
    target = write(tmp_path / "app.ini", TYPO)
    run = uwsgi_lint("--add-noqa=legacy config", "app.ini", cwd=tmp_path, json_output=False)
    assert run.rc == 0, run.err
    assert "; uwsgi-lint: disable=UW101 -- legacy config\nprocesess" in target.read_text()
    before = target.read_bytes()
    run = uwsgi_lint("--add-noqa=x\n[evil]", "app.ini", cwd=tmp_path, json_output=False)
    assert run.rc == 2 and "the reason must be one line of printable text" in run.err
    assert target.read_bytes() == before


def test_add_noqa_never_changes_what_uwsgi_reads(tmp_path: Path) -> None:
    # the finding is inside a tag: a comment above its line would break the XML
    text = "<uwsgi>\n<harakiri\n>1G</harakiri>\n<master>true</master>\n</uwsgi>\n"
    target = write(tmp_path / "app.xml", text)
    run = uwsgi_lint("--add-noqa", "app.xml", cwd=tmp_path, json_output=False)
    assert run.rc == 1
    assert "app.xml: adding the comments would change what uWSGI reads from it" in run.err
    assert target.read_text() == text


# --- settings trust ------------------------------------------------------------------------

IGNORE_TYPOS = 'ignore = ["UW101"]\n'


def codes(run_out: str) -> list[str]:
    return [line.split(" ")[1] for line in run_out.splitlines()[:-1]]


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A world-writable sticky directory (as ``/tmp`` is) holding a settings file that
    turns UW101 off, and a project directory of the user's own below it."""
    top = tmp_path / "shared"
    write(top / ".uwsgi-lint.toml", IGNORE_TYPOS)
    write(top / "project" / "app.ini", TYPO)
    top.chmod(0o1777)
    yield top
    top.chmod(0o755)


def test_settings_in_a_shared_directory_are_not_used(shared: Path) -> None:
    run = uwsgi_lint(shared / "project" / "app.ini", cwd=shared, isolated=False,
                     json_output=False)
    assert run.rc == 1 and codes(run.out) == ["UW101"]
    shared.chmod(0o755)  # the same settings file, in a directory of the user's: used
    run = uwsgi_lint(shared / "project" / "app.ini", cwd=shared, isolated=False,
                     json_output=False)
    assert run.rc == 0 and codes(run.out) == [], run.out


@pytest.mark.skipif(not ROOT, reason="needs root to chown")
def test_settings_owned_by_another_user_are_ignored_with_a_warning(tmp_path: Path) -> None:
    settings = write(tmp_path / "project" / ".uwsgi-lint.toml", IGNORE_TYPOS)
    write(tmp_path / "project" / "app.ini", TYPO)
    os.chown(settings, OTHER, OTHER)
    run = uwsgi_lint("project/app.ini", cwd=tmp_path, isolated=False, json_output=False)
    assert run.rc == 1 and codes(run.out) == ["UW101"]
    assert run.err == (
        f"uwsgi-lint: warning: ignoring the settings file {settings}: it is owned by uid "
        f"{OTHER}, not by you (uid 0) or root\n")
    os.chown(settings, 0, 0)
    run = uwsgi_lint("project/app.ini", cwd=tmp_path, isolated=False, json_output=False)
    assert (run.rc, run.err, codes(run.out)) == (0, "", [])


def test_settings_symlinked_out_of_the_tree_are_ignored(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "settings.toml", IGNORE_TYPOS)
    (tmp_path / "project" / ".git").mkdir(parents=True)
    write(tmp_path / "project" / "app.ini", TYPO)
    (tmp_path / "project" / ".uwsgi-lint.toml").symlink_to(outside)
    run = uwsgi_lint("project/app.ini", cwd=tmp_path, isolated=False, json_output=False)
    assert run.rc == 1 and codes(run.out) == ["UW101"]
    assert "ignoring the settings file" in run.err and "leads out of" in run.err


def test_settings_glob_cannot_backtrack(tmp_path: Path) -> None:
    # `re` needs minutes for this one: each `*` backtracks over the 200 `a`s
    glob = "*a" * 30 + "b.ini"
    write(tmp_path / ".uwsgi-lint.toml",
          f'exclude = ["{glob}"]\n[per-file-ignores]\n"**/{glob}" = ["UW101"]\n')
    write(tmp_path / ("a" * 200 + ".ini"), TYPO)
    run = uwsgi_lint(".", "--exclude", glob, cwd=tmp_path, isolated=False)
    assert run.rc == 1 and [w[0] for w in run.where()] == ["UW101"]


def test_settings_glob_time_grows_linearly() -> None:
    """Quadrupling the path or the pattern at most about quadruples the CPU time of a
    match (``re`` takes 7 times longer for the input doubled, 400 times for the pattern
    doubled): see ``tests/complexity.py``."""
    from uwsgi_lint.settings import glob_match

    def longer_path(size: int) -> Callable[[], object]:
        return lambda: glob_match("*a" * 3 + "b", "a" * size)

    def longer_pattern(size: int) -> Callable[[], object]:
        return lambda: glob_match("*a" * size + "b", "a" * 30)

    assert growth(longer_path, 300) < LINEAR
    assert growth(longer_pattern, 3) < LINEAR


@pytest.mark.parametrize(("settings", "where"), [
    ('[per-file-ignores]\n"legacy/[z-a].ini" = ["UW101"]\n', "2:9"),
    ('exclude = ["old/", "x[9-0]"]\n', "1:22"),
])
def test_bad_glob_class_is_a_settings_error(tmp_path: Path, settings: str, where: str) -> None:
    path = write(tmp_path / ".uwsgi-lint.toml", settings)
    write(tmp_path / "app.ini", TYPO)
    run = uwsgi_lint("app.ini", cwd=tmp_path, isolated=False, json_output=False)
    assert run.rc == 2 and run.out == ""
    assert run.err.startswith(f"uwsgi-lint: {path}:{where}: invalid class `[")
    assert "is reversed" in run.err


def test_bad_exclude_glob_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "app.ini", TYPO)
    run = uwsgi_lint("--exclude", "x[z-a]", "app.ini", cwd=tmp_path, json_output=False)
    assert run.rc == 2 and run.out == ""
    assert "--exclude 'x[z-a]': invalid class `[z-a]`: the range `z-a` is reversed" in run.err


# --- file names -----------------------------------------------------------------------------


def test_a_file_named_with_a_colon_is_checked(tmp_path: Path) -> None:
    write(tmp_path / "a:b.ini", TYPO)
    write(tmp_path / "app.ini", "[uwsgi]\nmaster = true\n[prod]\nprocesess = 8\n")
    run = uwsgi_lint("a:b.ini", "app.ini:prod", cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW101", "a:b.ini", 3, 1), ("UW101", "app.ini", 4, 1)]
    run = uwsgi_lint("--add-noqa", "a:b.ini", cwd=tmp_path, json_output=False)
    assert run.rc == 0 and "; uwsgi-lint: disable=UW101\n" in (tmp_path / "a:b.ini").read_text()
