"""The filesystem boundary (issue 11): a run reads only the trees it was given (each path
widened to its git work tree) and the ``--allow-read`` paths.  What a config names outside
them -- ``@(file)``, ``for-readline``, ``for-glob``, includes, monitors, symlinks -- is not
read, listed or looked at: it is reported as deployment-only, and no byte or name of it
reaches any output.  Every case runs the real command in a child process (see
``tests/test_hostile.py``), with canary secrets in its environment and outside the tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_hostile import AS_NOBODY, Run, snapshot, uwsgi_lint, write

TOKEN = "ghp_CanaryTokenDoNotLeak0123456789abcdef"
AWS = "CanaryAwsSecretDoNotLeak/0123456789abcdefgh"
KEY = "CanaryPrivateKeyMaterialDoNotLeak"
NAMES = ("CanaryListedName1.ini", "CanaryListedName2")
VICTIM = "CanaryVictimValue"
GIT_AUTH = "CanaryGitAuthHeaderDoNotLeak"
CANARIES = (TOKEN, AWS, KEY, *NAMES, VICTIM, GIT_AUTH)
DEPLOYMENT_ONLY = "deployment-only"

# `python -m uwsgi_lint ...` without the --isolated that uwsgi_lint() puts first (for
# `show`, which must come first, and for runs that read settings files)
NOT_ISOLATED = (
    "import uwsgi_lint.cli as _cli\n"
    "_main = _cli.main\n"
    "_cli.main = lambda argv: _main(argv[1:])\n"
)


# the renderers import what an unprivileged child may not reach (see AS_NOBODY)
AS_NOBODY_ALL = (
    "import uwsgi_lint.render.full, uwsgi_lint.render.sarif, uwsgi_lint.render.github\n"
    "import uwsgi_lint.render.gitlab, uwsgi_lint.render.junit, uwsgi_lint.render.text\n"
    "import uwsgi_lint.render.show, xml.etree.ElementTree, xml.sax.saxutils\n" + AS_NOBODY
)


def git_init(directory: Path) -> None:
    subprocess.run(["git", "init", "-q", str(directory)], check=True)


@pytest.fixture
def canaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets in the environment the child inherits, as in CI."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS)


def hostile(top: Path) -> Path:
    """A git work tree ``top/tree`` whose configs reach for ``top/outside`` (a private
    key, a directory of names, a config, a vassal directory), ``/proc/self/environ``,
    ``/root`` and its own ``.git/config``; returns the tree."""
    out = top / "outside"
    write(out / "id_rsa", f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY}\n"
                          "-----END OPENSSH PRIVATE KEY-----\n")
    for name in NAMES:
        write(out / "names" / name, f"[uwsgi]\nsocket = {VICTIM}\n")
    write(out / "victim" / "x.ini", f"[uwsgi]\nsocket = {VICTIM}\nprocesess = 4\n")
    write(out / "vassals" / "v.ini", f"[uwsgi]\nsocket = {VICTIM}\nprocesess = 4\n")
    tree = top / "tree"
    tree.mkdir()
    git_init(tree)
    with open(tree / ".git" / "config", "a") as fh:
        fh.write(f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {GIT_AUTH}\n')
    write(tree / "app.ini", textwrap.dedent("""\
        [uwsgi]
        chdir = @(/proc/self/environ)
        for-readline = ../outside/id_rsa
        env = KEY=%(_)
        endfor =
        for-glob = /root/*
        env = ROOT=%(_)
        endfor =
        for-glob = ../outside/names/*
        env = NAME=%(_)
        endfor =
        ini = ../outside/victim/x.ini
        pidfile = @(.git/config)
        if-exists = ../outside/id_rsa
        env = EXISTS=%(_)
        endif =
        procesess = 4
        """))
    write(tree / "emperor.ini", textwrap.dedent("""\
        [uwsgi]
        emperor = vassals
        emperor = ../outside/vassals
        emperor = %d../outside/names/*.ini
        """))
    write(tree / "vassals" / "ok.ini", "[uwsgi]\nprocesess = 4\n")
    (tree / "vassals" / "link.ini").symlink_to("../../outside/victim/x.ini")
    (tree / "names").symlink_to("../outside/names", target_is_directory=True)
    return tree


def clean(run: Run) -> None:
    """No canary in anything the command printed."""
    for canary in CANARIES:
        assert canary not in run.out + run.err, canary
    root_names = _root_names()
    for name in root_names:
        assert f"ROOT={name}" not in run.out, name


def _root_names() -> list[str]:
    try:
        return [n for n in os.listdir("/root") if not n.startswith(".")]
    except OSError:
        return []


@pytest.fixture
def top() -> Iterator[Path]:
    # not pytest's tmp_path: an unprivileged child must be able to reach the tree
    path = Path(tempfile.mkdtemp(prefix="uwsgi-lint-boundary-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def _expected(run: Run) -> None:
    found = {(code, name, line): d["message"] for d, (code, name, line, _) in
             zip(run.diagnostics(), run.where(), strict=True)}
    for line in (3, 6, 9, 12):  # for-readline, both for-glob, ini
        assert DEPLOYMENT_ONLY in found[("UW022", "app.ini", line)]
    for line in (2, 13):  # an @() in a value (chdir, pidfile) gives the value, no config
        assert ("UW022", "app.ini", line) not in found
    assert ("UW101", "app.ini", 17) in found  # the rest of the file is checked
    assert ("UW101", "ok.ini", 2) in found  # the vassal inside the tree is read
    assert "a symlink out of the linted tree" in found[("UW022", "emperor.ini", 2)]
    assert DEPLOYMENT_ONLY in found[("UW022", "emperor.ini", 3)]  # relative monitor out
    assert DEPLOYMENT_ONLY in found[("UW022", "emperor.ini", 4)]
    assert not any(name in ("x.ini", "v.ini") for _, name, _ in found)


@pytest.mark.usefixtures("canaries")
@pytest.mark.parametrize("user", ["root", "nobody"])
def test_nothing_outside_the_tree_is_read(top: Path, user: str) -> None:
    if user == "nobody" and os.geteuid() != 0:
        pytest.skip("needs root to drop privileges")
    tree = hostile(top)
    before = snapshot(top)
    prelude = ""
    if user == "nobody":
        write(tree / "warm.ini", "[uwsgi]\nmaster = true\n")
        prelude = AS_NOBODY_ALL
    run = uwsgi_lint(".", cwd=tree, prelude=prelude)
    assert run.rc == 1
    clean(run)
    _expected(run)
    (tree / "warm.ini").unlink(missing_ok=True)
    for fmt in ("text", "full", "sarif", "github", "gitlab", "junit"):
        run = uwsgi_lint("--format", fmt, ".", cwd=tree, json_output=False, prelude=prelude)
        assert run.rc == 1, run.err
        clean(run)
        if fmt in ("text", "full", "github"):
            assert DEPLOYMENT_ONLY in run.out
    for fmt in ("text", "json"):
        run = uwsgi_lint("show", "--format", fmt, "app.ini", "emperor.ini", cwd=tree,
                         json_output=False, prelude=NOT_ISOLATED + prelude)
        assert run.rc == 0, run.err
        clean(run)
        assert DEPLOYMENT_ONLY in run.out
    assert snapshot(top) == before


@pytest.mark.usefixtures("canaries")
def test_allow_read_widens_on_purpose(top: Path) -> None:
    tree = hostile(top)
    run = uwsgi_lint("--allow-read", top / "outside", ".", cwd=tree)
    assert run.rc == 1
    where = run.where()
    assert ("UW101", "x.ini", 3, 1) in where  # the include outside is read now
    assert ("UW101", "v.ini", 3, 1) in where  # and the vassals of the monitor outside
    run = uwsgi_lint("show", "--allow-read", str(top / "outside"), "app.ini", cwd=tree,
                     json_output=False, prelude=NOT_ISOLATED)
    assert f"NAME=../outside/names/{NAMES[0]}" in run.out  # the glob outside is listed now
    # /proc and .git/config stay out: --allow-read names only the outside directory
    assert TOKEN not in run.out and GIT_AUTH not in run.out


def test_symlink_named_on_the_command_line(top: Path) -> None:
    tree = hostile(top)
    (tree / "evil.ini").symlink_to("../outside/victim/x.ini")
    run = uwsgi_lint("evil.ini", cwd=tree)
    assert run.rc == 1
    assert run.where() == [("UW001", "evil.ini", 1, 1)]
    assert DEPLOYMENT_ONLY in run.diagnostics()[0]["message"]
    assert VICTIM not in run.out


def test_directory_walk_does_not_leave_the_tree(top: Path) -> None:
    tree = hostile(top)
    run = uwsgi_lint(".", cwd=tree)
    files = {Path(d["filename"]).name for d in run.diagnostics()}
    assert not files & {*NAMES, "x.ini", "v.ini"}  # `names/` links out: not entered
    assert "ok.ini" in files


def test_settings_allow_read_inside_the_tree_is_ignored(top: Path) -> None:
    tree = hostile(top)
    write(tree / ".uwsgi-lint.toml", 'allow-read = ["../outside"]\n')
    run = uwsgi_lint("--format", "json", "app.ini", cwd=tree, json_output=False,
                     prelude=NOT_ISOLATED)
    assert run.rc == 1
    assert "`allow-read` is ignored: a settings file inside the linted tree" in run.err
    assert not any(name == "x.ini" for _, name, _, _ in run.where())
    # the same settings given from outside the tree are the user's: honoured, relative
    # to the settings file
    write(top / "ci.toml", 'allow-read = ["outside"]\n')
    run = uwsgi_lint("--format", "json", "--config", top / "ci.toml", "app.ini", cwd=tree,
                     json_output=False, prelude=NOT_ISOLATED)
    assert ("UW101", "x.ini", 3, 1) in run.where()
    assert "allow-read" not in run.err


def test_emperor_context_stays_inside_the_roots(top: Path) -> None:
    # pre-commit passes the vassal alone; its Emperor is found above it inside the work
    # tree, never above the roots of a run that is in no work tree
    write(top / "e" / "emperor.ini", "[uwsgi]\nemperor = vassals\nvassal-set = processes=2\n")
    write(top / "e" / "vassals" / "app.ini", "[uwsgi]\nvassal-sos = 2\n")
    run = uwsgi_lint("--extend-select", "UW411", "vassals/app.ini", cwd=top / "e")
    assert [c for c, *_ in run.where()] == ["UW411"]  # no Emperor read
    git_init(top / "e")
    run = uwsgi_lint("--extend-select", "UW411", "vassals/app.ini", cwd=top / "e")
    assert [c for c, *_ in run.where()] == ["UW410"]


def test_json_output_names_no_outside_file(top: Path) -> None:
    tree = hostile(top)
    run = uwsgi_lint(".", cwd=tree)
    doc = json.loads(run.out)
    outside = str(top / "outside")
    for d in doc["diagnostics"]:
        assert not d["filename"].startswith(outside)
        for r in d["related"]:
            assert not r["filename"].startswith(outside)


@pytest.mark.usefixtures("canaries")
def test_standard_input_gets_the_boundary_of_its_name(top: Path) -> None:
    tree = hostile(top)
    data = b"[uwsgi]\nchdir = @(/proc/self/environ)\nini = ../outside/victim/x.ini\n"
    stdin = f"import io, sys\nsys.stdin = io.TextIOWrapper(io.BytesIO({data!r}))\n"
    run = uwsgi_lint("-", "--stdin-filename", "app.ini", cwd=tree, prelude=stdin)
    assert run.rc == 1
    clean(run)
    assert [(c, n, line) for c, n, line, _ in run.where()] == [("UW022", "app.ini", 3)]
    assert all(DEPLOYMENT_ONLY in d["message"] for d in run.diagnostics())


def test_logic_inside_the_tree_is_unchanged(top: Path) -> None:
    # for-glob (GLOB_MARK|GLOB_NOCHECK, no hidden names), for-readline and if-file still
    # read what lies inside the tree
    tree = top / "tree"
    git_init(tree)
    write(tree / "conf" / "a.ini", "")
    write(tree / "conf" / ".hidden.ini", "")
    (tree / "conf" / "b").mkdir()
    write(tree / "hosts.txt", "10.0.0.1\n10.0.0.2\n")
    write(tree / "app.ini", textwrap.dedent("""\
        [uwsgi]
        for-glob = conf/*
        env = G=%(_)
        endfor =
        for-glob = nomatch-*
        env = N=%(_)
        endfor =
        for-readline = hosts.txt
        env = H=%(_)
        endfor =
        if-file = hosts.txt
        env = F=%(_)
        endif =
        """))
    run = uwsgi_lint("show", "app.ini", cwd=tree, json_output=False, prelude=NOT_ISOLATED)
    assert run.rc == 0, run.err
    envs = [line.split(";")[0].strip() for line in run.out.splitlines()
            if line.startswith("env =")]
    assert envs == ["env = G=conf/a.ini", "env = G=conf/b/", "env = N=nomatch-*",
                    "env = H=10.0.0.1", "env = H=10.0.0.2", "env = F=hosts.txt"]
    assert "not read" not in run.out
