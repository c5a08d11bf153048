"""Finding the uWSGI configs under the paths a command line names (real trees in tmp_path)."""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint.discover import Discovery, Found, Skipped, discover, looks_like_uwsgi
from uwsgi_lint.model import Format

from .complexity import LINEAR, growth
from .helpers import as_nobody, shared_tmp

INI = "[uwsgi]\nmaster = true\n"
XML = "<uwsgi>\n  <master>true</master>\n</uwsgi>\n"
YAML = "uwsgi:\n  master: true\n"
JSON = '{"uwsgi": {"master": true}}\n'


def make(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def found(d: Discovery) -> list[str]:
    return [f.path for f in d.found]


def reasons(d: Discovery) -> dict[str, str]:
    return {s.path: s.reason for s in d.skipped}


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- walking ----------------------------------------------------------------------------


def test_walks_recursively_in_name_order_with_paths_as_given(cwd: Path) -> None:
    make(cwd, {
        "etc/uwsgi/emperor.ini": "[uwsgi]\nemperor = vassals\n",
        "etc/uwsgi/vassals/b.ini": INI,
        "etc/uwsgi/vassals/a.xml": XML,
        "etc/uwsgi/vassals/sub/c.yaml": YAML,
        "etc/uwsgi/shared/base.json": JSON,
        "etc/uwsgi/README.md": "# [uwsgi]\n",
    })
    d = discover(["etc/uwsgi"])
    assert d.found == [
        Found("etc/uwsgi/emperor.ini", False, Format.INI),
        Found("etc/uwsgi/shared/base.json", False, Format.JSON),
        Found("etc/uwsgi/vassals/a.xml", False, Format.XML),
        Found("etc/uwsgi/vassals/b.ini", False, Format.INI),
        Found("etc/uwsgi/vassals/sub/c.yaml", False, Format.YAML),
    ]
    assert d.skipped == [Skipped("etc/uwsgi/README.md", "not a uWSGI config")]
    assert d.missing == []


def test_max_depth_counts_levels_below_the_named_directory(cwd: Path) -> None:
    make(cwd, {"top.ini": INI, "a/one.ini": INI, "a/b/two.ini": INI, "a/b/c/three.ini": INI})
    assert found(discover(["."], max_depth=0)) == ["./top.ini"]
    d = discover(["."], max_depth=1)
    assert found(d) == ["./a/one.ini", "./top.ini"]
    assert reasons(d) == {"./a/b": "deeper than --max-depth"}
    assert found(discover(["."], max_depth=2)) == ["./a/b/two.ini", "./a/one.ini", "./top.ini"]
    assert len(discover(["."]).found) == 4


def test_tool_directories_are_not_entered(cwd: Path) -> None:
    for skip in (".git", "__pycache__", "node_modules", ".venv", "venv", ".tox"):
        make(cwd, {f"{skip}/x.ini": INI})
    make(cwd, {"app.ini": INI})
    d = discover(["."])
    assert found(d) == ["./app.ini"]
    assert d.skipped == []
    # named explicitly, such a directory is walked
    assert found(discover(["venv"])) == ["venv/x.ini"]


def test_symlinked_directory_loop_is_reported_once(cwd: Path) -> None:
    make(cwd, {"conf/a.ini": INI, "conf/sub/b.ini": INI})
    os.symlink("..", cwd / "conf/sub/up")
    os.symlink(".", cwd / "conf/self")
    d = discover(["conf"])
    assert found(d) == ["conf/a.ini", "conf/sub/b.ini"]
    assert reasons(d) == {"conf/self": "symlink loop", "conf/sub/up": "symlink loop"}


def test_symlinked_directory_is_followed(cwd: Path) -> None:
    make(cwd, {"real/a.ini": INI, "tree/local.ini": INI})
    os.symlink("../real", cwd / "tree/linked")
    assert found(discover(["tree"])) == ["tree/linked/a.ini", "tree/local.ini"]
    # a second way into a directory already walked adds nothing
    d = discover(["real", "tree"])
    assert found(d) == ["real/a.ini", "tree/local.ini"]
    assert reasons(d) == {"tree/linked": "same directory as 'real'"}


def test_symlinked_files_are_checked_once(cwd: Path) -> None:
    make(cwd, {"vassals/app.ini": INI})
    os.symlink("app.ini", cwd / "vassals/link.ini")
    os.symlink(str(cwd / "vassals/app.ini"), cwd / "vassals/zlink.ini")
    d = discover(["vassals"])
    assert found(d) == ["vassals/app.ini"]
    assert reasons(d) == {
        "vassals/link.ini": "same file as 'vassals/app.ini'",
        "vassals/zlink.ini": "same file as 'vassals/app.ini'",
    }
    # explicit and walked: the first way it was reached wins
    d = discover(["vassals/link.ini", "vassals"])
    assert d.found == [Found("vassals/link.ini", True, Format.INI)]


def test_dangling_and_looping_symlinks(cwd: Path) -> None:
    (cwd / "d").mkdir()
    os.symlink("nowhere.ini", cwd / "d/dangling.ini")
    os.symlink("loop.ini", cwd / "d/loop.ini")
    d = discover(["d"])
    assert d.found == []
    assert reasons(d) == {
        "d/dangling.ini": "cannot read: No such file or directory",
        "d/loop.ini": "symlink loop",
    }


def test_fifo_is_never_opened(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(cwd, {"conf/app.ini": INI})
    os.mkfifo(cwd / "conf/x.ini")
    fifo = os.path.realpath(cwd / "conf/x.ini")
    opened: list[str] = []  # a blocking open of a FIFO with no writer would hang forever

    def refuse_fifo(path: object) -> None:
        if isinstance(path, (str, bytes, os.PathLike)):
            name = os.fsdecode(path)
            if os.path.realpath(name) == fifo:
                opened.append(name)
                raise OSError(errno.EAGAIN, "test: the FIFO was opened")

    real_open, real_io_open = os.open, io.open

    def os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        refuse_fifo(path)
        return real_open(path, *args, **kwargs)

    def io_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        refuse_fifo(file)
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr(builtins, "open", io_open)
    d = discover(["conf"])
    assert found(d) == ["conf/app.ini"]
    assert reasons(d) == {"conf/x.ini": "not a regular file (FIFO)"}
    # named explicitly it is kept (the reader reports it), still without opening it
    d = discover(["conf/x.ini"])
    assert d.found == [Found("conf/x.ini", True, Format.INI)]
    assert opened == []


def test_socket_is_skipped(tmp_path: Path) -> None:
    # a unix socket path must be short: bind under /tmp when tmp_path is too long
    base = Path(tmp_path if len(str(tmp_path)) < 80 else "/tmp")
    directory = base / f"uwlint-sock-{os.getpid()}"
    directory.mkdir()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(directory / "app.ini"))
        d = discover([str(directory)])
        assert d.found == []
        assert reasons(d) == {str(directory / "app.ini"): "not a regular file (socket)"}
    finally:
        sock.close()
        shutil.rmtree(directory)


def test_unreadable_directory_and_file_are_reported_not_passed_over() -> None:
    top = shared_tmp()
    try:
        make(top, {"c/locked/a.ini": INI, "c/secret.ini": INI, "c/notes.txt": "x"})
        (top / "c/locked").chmod(0)
        (top / "c/secret.ini").chmod(0)
        (top / "c/notes.txt").chmod(0)
        d = as_nobody(lambda: discover([str(top / "c")]))
    finally:
        shutil.rmtree(top)
    assert d.found == []
    # the directory and the config-like file: unreadable (reported); the .txt file was
    # never a candidate, so it is passed over without being opened
    assert {u.path: u.reason for u in d.unreadable} == {
        str(top / "c/locked"): "cannot read: Permission denied",
        str(top / "c/secret.ini"): "cannot read: Permission denied",
    }
    assert reasons(d) == {str(top / "c/notes.txt"): "not a uWSGI config"}


# --- --exclude ----------------------------------------------------------------------------


def test_exclude_file_glob(cwd: Path) -> None:
    make(cwd, {"v/a.ini": INI, "v/a.ini.bak": INI, "v/old.bak.ini": INI, "v/sub/x.bak.ini": INI})
    d = discover(["v"], exclude=["*.bak.ini"])
    assert found(d) == ["v/a.ini"]
    assert reasons(d)["v/old.bak.ini"] == "excluded by --exclude '*.bak.ini'"
    assert reasons(d)["v/sub/x.bak.ini"] == "excluded by --exclude '*.bak.ini'"


def test_exclude_directory_is_not_entered(cwd: Path) -> None:
    make(cwd, {
        "v/app.ini": INI,
        "v/tests/fixtures/bad.ini": INI,
        "v/tests/good.ini": INI,
        "v/other/tests/fixtures/kept.ini": INI,
        "v/old/gone.ini": INI,
    })
    d = discover(["v"], exclude=["v/tests/fixtures", "old/"])
    assert found(d) == ["v/app.ini", "v/other/tests/fixtures/kept.ini", "v/tests/good.ini"]
    assert reasons(d) == {
        "v/old": "excluded by --exclude 'old/'",
        "v/tests/fixtures": "excluded by --exclude 'v/tests/fixtures'",
    }
    # a glob with a `/` is relative to the working directory, not to the directory named
    assert "v/tests/fixtures/bad.ini" in found(discover(["v"], exclude=["tests/fixtures"]))
    # a trailing slash is for directories only
    make(cwd, {"w/old": INI.replace("[uwsgi]", "")})
    assert reasons(discover(["w"], exclude=["old/"])) == {"w/old": "not a uWSGI config"}


def test_exclude_double_star(cwd: Path) -> None:
    make(cwd, {
        "v/old/a.ini": INI,
        "v/old/a.xml": XML,
        "v/x/old/b.ini": INI,
        "v/x/y/old/c.ini": INI,
        "v/x/older/d.ini": INI,
        "v/x/old/deeper/e.ini": INI,
    })
    d = discover(["v"], exclude=["**/old/*.ini"])
    assert found(d) == ["v/old/a.xml", "v/x/old/deeper/e.ini", "v/x/older/d.ini"]
    assert found(discover(["v"], exclude=["v/x/**"])) == ["v/old/a.ini", "v/old/a.xml"]
    assert found(discover(["v"], exclude=["[a-c].ini", "?.xml"])) == [
        "v/x/old/deeper/e.ini", "v/x/older/d.ini"]


def test_explicit_files_are_never_excluded(cwd: Path) -> None:
    make(cwd, {"v/a.bak.ini": INI})
    assert found(discover(["v/a.bak.ini"], exclude=["*.bak.ini"])) == ["v/a.bak.ini"]
    assert found(discover(["v", "v/a.bak.ini"], exclude=["*.bak.ini"])) == ["v/a.bak.ini"]


def show_files(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """What ``uwsgi-lint --show-files --isolated ARGS`` prints (it must succeed)."""
    from uwsgi_lint.cli import main

    assert main(["--show-files", "--isolated", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_exclude_negation_re_includes_a_file(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make(cwd, {"v/a.bak.ini": INI, "v/keep.bak.ini": INI, "v/sub/b.bak.ini": INI})
    assert show_files(capsys, "v", "--exclude", "*.bak.ini", "--exclude", "!keep.bak.ini") == [
        "check  v/keep.bak.ini",
        "skip   v/a.bak.ini: excluded by --exclude '*.bak.ini'",
        "skip   v/sub/b.bak.ini: excluded by --exclude '*.bak.ini'",
    ]
    # the last glob that matches decides
    assert show_files(capsys, "v", "--exclude", "!keep.bak.ini", "--exclude", "*.bak.ini") == [
        "skip   v/a.bak.ini: excluded by --exclude '*.bak.ini'",
        "skip   v/keep.bak.ini: excluded by --exclude '*.bak.ini'",
        "skip   v/sub/b.bak.ini: excluded by --exclude '*.bak.ini'",
    ]


def test_exclude_is_relative_to_the_working_directory(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make(cwd, {"v/old/a.ini": INI, "v/x/old/b.ini": INI, "v/x/c.ini": INI})
    # a leading `/` anchors at the working directory (it is not an absolute path)
    assert show_files(capsys, "v", "--exclude", "/v/old") == [
        "check  v/x/c.ini",
        "check  v/x/old/b.ini",
        "skip   v/old: excluded by --exclude '/v/old'",
    ]
    assert show_files(capsys, "v", "--exclude", str(cwd / "v" / "old"))[:3] == [
        "check  v/old/a.ini", "check  v/x/c.ini", "check  v/x/old/b.ini"]
    monkeypatch.chdir(cwd / "v")
    assert show_files(capsys, ".", "--exclude", "/old") == [
        "check  ./x/c.ini",
        "check  ./x/old/b.ini",
        "skip   ./old: excluded by --exclude '/old'",
    ]
    # `./x` reads as `/x`; a glob without a `/` matches at any depth, outside it too
    assert show_files(capsys, ".", "--exclude", "./x/old") == [
        "check  ./old/a.ini",
        "check  ./x/c.ini",
        "skip   ./x/old: excluded by --exclude './x/old'",
    ]
    monkeypatch.chdir(cwd / "v" / "x")
    assert show_files(capsys, "../old", "--exclude", "a.ini") == [
        "skip   ../old/a.ini: excluded by --exclude 'a.ini'"]


@pytest.mark.parametrize(("glob", "error"), [
    ("x[z-a]", "invalid class `[z-a]`: the range `z-a` is reversed (write `a-z`)"),
    ("old/[abc", "unclosed `[` (write `\\[` to match a `[`)"),
    ("old\\", "`\\` escapes nothing here (write `\\\\` to match a `\\`)"),
    ("#old", "a glob starting with `#` is a comment, as in .gitignore (write `\\#`)"),
    ("!", "nothing follows `!`"),
])
def test_an_unusable_exclude_glob_is_a_usage_error(
    cwd: Path, capsys: pytest.CaptureFixture[str], glob: str, error: str
) -> None:
    from uwsgi_lint.cli import main

    make(cwd, {"v/a.ini": INI})
    with pytest.raises(SystemExit) as info:
        main(["--show-files", "v", "--exclude", glob])
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"uwsgi-lint: error: --exclude {glob!r}: {error}")


# --- .gitignore -------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_gitignored_files_are_skipped(cwd: Path) -> None:
    git(cwd, "init", "-q")
    make(cwd, {
        ".gitignore": "ignored/\n*.bak.ini\n",
        "etc/app.ini": INI,
        "etc/app.bak.ini": INI,
        "etc/ignored/x.ini": INI,
        "ignored/y.ini": INI,
    })
    d = discover(["."])
    assert found(d) == ["./etc/app.ini"]
    assert reasons(d) == {
        "./.gitignore": "not a uWSGI config",
        "./etc/app.bak.ini": "ignored by .gitignore",
        "./etc/ignored/x.ini": "ignored by .gitignore",
        "./ignored/y.ini": "ignored by .gitignore",
    }
    # from a subdirectory of the work tree, and with gitignore turned off
    assert found(discover(["etc"])) == ["etc/app.ini"]
    assert len(discover(["."], respect_gitignore=False).found) == 4
    # named explicitly, an ignored file is checked
    assert found(discover(["etc/app.bak.ini", "etc"])) == ["etc/app.bak.ini", "etc/app.ini"]


@needs_git
def test_gitignore_through_symlinks_and_nested_repos(cwd: Path, tmp_path_factory:
                                                     pytest.TempPathFactory) -> None:
    git(cwd, "init", "-q")
    make(cwd, {".gitignore": "*.bak.ini\n", "a.ini": INI, "a.bak.ini": INI})
    nested = cwd / "nested"
    nested.mkdir()
    git(nested, "init", "-q")
    make(nested, {".gitignore": "local.ini\n", "local.ini": INI, "n.ini": INI})
    outside = tmp_path_factory.mktemp("outside")
    make(outside, {"o.ini": INI, "o.bak.ini": INI})
    os.symlink(outside, cwd / "linked")
    d = discover(["."])
    assert found(d) == ["./a.ini", "./linked/o.bak.ini", "./linked/o.ini", "./nested/n.ini"]
    assert reasons(d)["./nested/local.ini"] == "ignored by .gitignore"


def test_outside_a_work_tree_nothing_is_ignored(cwd: Path) -> None:
    make(cwd, {".gitignore": "*.ini\n", "a.ini": INI})
    assert found(discover(["."])) == ["./a.ini"]


def test_without_git_nothing_is_ignored(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(cwd, {".gitignore": "*.ini\n", "a.ini": INI, ".git/HEAD": "ref: refs/heads/main\n"})
    monkeypatch.setenv("PATH", str(cwd / "no-such-bin"))
    assert found(discover(["."])) == ["./a.ini"]


# --- content recognition ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "text", "fmt"), [
    ("a.ini", INI, Format.INI),
    ("a.ini", "; comment\n[other]\nx = 1\n  [uwsgi]  \r\nmaster = 1\n", Format.INI),
    ("a.ini", "\ufeff[uwsgi]\n", Format.INI),
    ("a.xml", XML, Format.XML),
    ("a.xml", '<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x [<!ENTITY a "b">]>\n<uwsgi/>',
     Format.XML),
    ("a.xml", '<apps><app id="x"/><uwsgi id="y"><master/></uwsgi></apps>', Format.XML),
    ("a.xml", "<u:uwsgi xmlns:u='urn:x'><master/></u:uwsgi>", Format.XML),
    ("a.yml", YAML, Format.YAML),
    ("a.yaml", "---\n# comment\nother: 1\nuwsgi:\n  master: true\n", Format.YAML),
    ("a.json", JSON, Format.JSON),
    ("a.js", '{\n  "other": {"uwsgi": 1},\n  "uwsgi": {}\n}', Format.JSON),
    ("a.json", '{"uwsgi": {"master": true,}}', Format.JSON),  # broken, still a uWSGI config
    ("a.conf", INI, Format.INI),
    ("a.cfg", XML, Format.XML),
    ("a.skel", YAML, Format.YAML),
    ("a.conf", JSON, Format.JSON),
    # uWSGI reads a file by its suffix, whatever it holds: kept, its reader says so
    ("a.ini", JSON, Format.INI),
    ("a.yml", INI, Format.YAML),
    ("a.js", INI, Format.JSON),
])
def test_recognises(name: str, text: str, fmt: Format) -> None:
    assert looks_like_uwsgi(name, text.encode()) is fmt


PACKAGE_JSON = '{"name": "app", "scripts": {"uwsgi": "uwsgi --ini app.ini"}}\n'
COMPOSE = (
    "services:\n  uwsgi:\n    image: app\n    command: uwsgi --ini /etc/uwsgi/app.ini\n"
)
NGINX = (
    "upstream uwsgi {\n  server unix:/run/uwsgi.sock;\n}\nserver {\n"
    "  location / {\n    include uwsgi_params;\n    uwsgi_pass uwsgi;\n  }\n}\n"
)


@pytest.mark.parametrize(("name", "text"), [
    ("package.json", PACKAGE_JSON),
    ("a.json", '[{"uwsgi": {}}]'),
    ("a.json", '{"a": 1} {"uwsgi": {}}'),
    ("docker-compose.yml", COMPOSE),
    ("a.yml", "uwsgi_version: 2\n"),
    ("a.ini", "[app]\nmodule = uwsgi\n"),
    ("a.ini", "[uwsgi:prod]\nmaster = true\n"),
    ("a.ini", "; [uwsgi]\n"),
    ("nginx.conf", NGINX),
    ("supervisor.conf", "[program:uwsgi]\ncommand = uwsgi --ini app.ini\n"),
    ("a.xml", "<config><apps><uwsgi/></apps></config>"),
    ("a.xml", "<config/><uwsgi/>"),
    ("a.xml", "<config><!-- <uwsgi> --><![CDATA[<uwsgi>]]></config>"),
    ("a.yml", "data:\n  uwsgi.ini: |\n    [uwsgi]\n    master = true\n"),  # a ConfigMap
    ("a.js", "const c = `\n[uwsgi]\nmaster = true\n`;\n"),  # no INI file: a JS string
    # command-line arguments in a Helm values file
    ("values.yaml", "image: app\nuwsgi:\n  - --master\n  - --http\n  - :80\n"),
    # a build profile (buildconf/*.ini, read by uwsgiconfig.py at compile time)
    ("buildconf/fedora.ini", "[uwsgi]\ninherit = base\nembedded_plugins = echo, ping\n"),
    ("uwsgi/config.ini", "[uwsgi]\ninherit = package\nbin_name = uwsgi\njson = jansson\n"),
])
def test_does_not_recognise(name: str, text: str) -> None:
    assert looks_like_uwsgi(name, text.encode()) is None


@pytest.mark.parametrize(("name", "prefix", "unit", "suffix", "count"), [
    ("a.xml", b"<!DOCTYPE ", b"[a]", b" uwsgi", 20000),
    ("a.xml", b"uwsgi<r>", b"<!--", b"", 16000),
    ("a.xml", b"<r>uwsgi", b'<a x="', b"", 10000),
    ("a.json", b"{uwsgi", b'"\\', b"", 30000),
    ("a.conf", b"uwsgi", b" ", b"", 65000),
])
def test_recognition_is_linear_on_hostile_input(
    name: str, prefix: bytes, unit: bytes, suffix: bytes, count: int
) -> None:
    def case(units: int) -> Callable[[], object]:
        head = prefix + unit * units + suffix
        return lambda: looks_like_uwsgi(name, head)

    assert looks_like_uwsgi(name, (prefix + unit * count + suffix)[:65536]) is None
    # 16 KiB of the unit, then 64 KiB: as much as discovery reads of a file
    assert growth(case, 16384 // len(unit)) < LINEAR


def test_negatives_in_a_tree_are_skipped(cwd: Path) -> None:
    make(cwd, {
        "package.json": PACKAGE_JSON,
        "docker-compose.yml": COMPOSE,
        "setup.cfg": "[metadata]\nname = uwsgi-app\n",
        "random.ini": "[app]\nuwsgi = 1\n",
        "nginx.conf": NGINX,
        "app.ini": INI,
    })
    d = discover(["."])
    assert found(d) == ["./app.ini"]
    assert set(reasons(d).values()) == {"not a uWSGI config"}
    assert len(d.skipped) == 5


def test_a_late_uwsgi_section_is_read_for(cwd: Path) -> None:
    make(cwd, {
        "late.ini": "[other]\n" + "x = 1\n" * 5000 + "[uwsgi]\nmaster = true\n",
        "too-late.ini": "[other]\n" + "x = 1\n" * 20000 + "[uwsgi]\nmaster = true\n",
        "big.json": '{"other": "' + "x" * 200_000 + '", "uwsgi": {}}',
        "big-first.json": '{"uwsgi": {}, "other": "' + "x" * 200_000 + '"}',
    })
    # only the first 64 KiB are looked at
    assert found(discover(["."])) == ["./big-first.json", "./late.ini"]


# --- explicit and missing paths ---------------------------------------------------------------


def test_explicit_files_are_checked_when_they_are_uwsgi_configs(cwd: Path) -> None:
    make(cwd, {
        "notes.txt": "hello\n",
        "plain.ini": "[app]\n",
        "shouty.ini": "[UWSGI]\nmaster = true\n",
        "app.conf": YAML,
        "nginx.conf": NGINX,
        "uwsgi-values.yaml": "image: app\nuwsgi:\n  - --master\n",
        "package.json": '{"name": "uwsgi-app", "dependencies": {"uwsgi": "2"}}',
        "snippet.ini": "[base]\nmaster = true\n",
        "open.ini": "[uwsgi\nmaster = true\n",
        "flat.yaml": "socket: :3031\nmaster: true\n",
        "k8s.yaml": "apiVersion: v1\nkind: Service\nversion: 1\n",
    })
    d = discover(["notes.txt", "plain.ini", "shouty.ini", "app.conf", "nginx.conf", "plain.ini",
                  "uwsgi-values.yaml", "package.json", "snippet.ini:base", "open.ini",
                  "flat.yaml", "k8s.yaml"])
    # a config; near misses uWSGI reads nothing from (worth their findings: `[UWSGI]`, a
    # header without `]`, YAML of uWSGI options without the `uwsgi:` key); a named section
    assert d.found == [
        Found("shouty.ini", True, Format.INI),
        Found("app.conf", True, Format.YAML),
        Found("snippet.ini:base", True, Format.INI),
        Found("open.ini", True, Format.INI),
        Found("flat.yaml", True, Format.YAML),
    ]
    # the rest is no uWSGI config: skipped, and known to have been named
    assert d.skipped == [
        Skipped(name, "not a uWSGI config", explicit=True)
        for name in ("notes.txt", "plain.ini", "nginx.conf", "uwsgi-values.yaml", "package.json",
                     "k8s.yaml")
    ]


def test_explicit_file_section(cwd: Path) -> None:
    make(cwd, {"app.ini": "[uwsgi]\n[prod]\n"})
    d = discover(["app.ini:prod", "app.ini", "app.ini:prod", "app.ini:dev"])
    assert d.found == [
        Found("app.ini:prod", True, Format.INI),
        Found("app.ini", True, Format.INI),
        Found("app.ini:dev", True, Format.INI),
    ]


def test_missing_paths_are_reported(cwd: Path) -> None:
    make(cwd, {"a.ini": INI})
    d = discover(["nope.ini", "a.ini", "gone/", "a.ini/x", "nope.ini:prod"])
    assert d.missing == ["nope.ini", "gone/", "a.ini/x", "nope.ini:prod"]
    assert found(d) == ["a.ini"]


def test_dangling_symlink_named_explicitly_is_kept_for_the_reader(cwd: Path) -> None:
    os.symlink("nowhere.ini", cwd / "dangling.ini")
    d = discover(["dangling.ini"])
    assert d.found == [Found("dangling.ini", True, Format.INI)]
    assert d.missing == []


# --- speed ----------------------------------------------------------------------------------


def test_ten_thousand_files_in_linear_time(tmp_path: Path) -> None:
    def tree(dirs: int) -> Path:  # `dirs` directories of 100 files, a quarter of them configs
        root = tmp_path / f"t{dirs}"
        for i in range(dirs):
            sub = root / f"d{i:03}"
            sub.mkdir(parents=True)
            for j in range(100):
                text = INI if j % 4 == 1 else "x\n"
                (sub / f"f{j:03}.{'ini' if j % 2 else 'txt'}").write_text(text)
        return root

    def case(dirs: int) -> Callable[[], object]:
        root = str(tree(dirs))
        return lambda: discover([root], respect_gitignore=False)

    assert growth(case, 25) < LINEAR  # 2 500 files, then 10 000
    d = discover([str(tmp_path / "t100")], respect_gitignore=False)
    assert len(d.found) == 2500
    assert len(d.skipped) == 7500
