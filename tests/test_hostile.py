"""Robustness proofs (issue 7): hostile documents and trees, no execution, no network, no
writes, and internal errors contained.  Every case runs the real command in a child
process (``python -m uwsgi_lint``) and checks: no traceback, a documented exit code, the
expected diagnostic with its file/line/column, under :data:`SECONDS` of wall time and
:data:`MEGABYTES` of peak memory (the child's own, as it reports it: see :data:`PEAK`).
The bounds are generous: they catch hangs and blow-ups, they are no benchmark."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# a run still going after this long is a hang (a bound for the kill, not a speed test: a
# 50 MB config takes about 8 s on an idle 2-core machine and several times that when busy)
SECONDS = 120.0
MEGABYTES = 500
NOBODY = 65534


@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float
    megabytes: float

    def diagnostics(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(self.out)["diagnostics"]
        return found

    def where(self) -> list[tuple[str, str, int, int]]:
        """(code, file name, line, column) of every finding (``--format json`` runs)."""
        return [
            (d["code"], Path(d["filename"]).name, d["location"]["line"],
             d["location"]["column"])
            for d in self.diagnostics()
        ]


# The child reports its own peak memory as it exits, on an inherited pipe.  The ru_maxrss
# that wait4 gives counts more than the child: Linux keeps the high-water mark of the image
# a process replaces at exec, and the image a child of this pytest worker replaces is the
# worker's own (shared until exec: vfork), so after a test that had parsed 50 MB in the
# same worker, every child measured 1.2 GB.  The child's own peak is the high-water mark of
# its image (VmHWM) and of the processes it forked and waited for (`--jobs`).  The modules
# are imported first, on the prelude's first line (its line numbers are tested), before a
# prelude drops to a user who cannot read the standard library; the rest comes after it.
PEAK_IMPORTS = "import atexit as _atexit, os as _os, resource as _resource; "
PEAK = """\
def _report_peak(pid=_os.getpid(), fd={fd}):
    if _os.getpid() != pid:
        return  # a process the command forked
    try:
        with open("/proc/self/status", "rb") as fh:
            own = next(int(line.split()[1]) for line in fh if line.startswith(b"VmHWM:"))
    except (OSError, StopIteration):
        return  # no /proc: the parent takes what wait4 says
    forked = _resource.getrusage(_resource.RUSAGE_CHILDREN).ru_maxrss
    _os.write(fd, b"%d" % max(own, forked))
_atexit.register(_report_peak)
"""


def uwsgi_lint(
    *args: str | Path,
    cwd: Path,
    json_output: bool = True,
    preexec_fn: Callable[[], None] | None = None,
    prelude: str = "",
    debug: bool = False,
    isolated: bool = True,
) -> Run:
    """Run the command (``--isolated`` unless told otherwise, JSON output unless told
    otherwise) and wait for it at most :data:`SECONDS`; ``prelude`` is Python run in the
    child before the command."""
    # UW022 (opt-in) says what a config names that is not read: these tests watch it
    watch = [] if args and str(args[0]) in ("show", "rule") else ["--extend-select", "UW022"]
    argv = [*(["--isolated"] if isolated else []), *(["--format", "json"] if json_output else []),
            *watch, *map(str, args)]
    peak_r, peak_w = os.pipe()
    os.set_blocking(peak_r, False)
    code = (f"{PEAK_IMPORTS}{prelude}\n{PEAK.format(fd=peak_w)}import sys\n"
            f"from uwsgi_lint.cli import main\nsys.exit(main({argv!r}))")
    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err, open(peak_r, "rb") as peak:
        try:
            child = subprocess.Popen(
                [sys.executable, "-c", code], cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                stderr=err, preexec_fn=preexec_fn, start_new_session=True,
                pass_fds=(peak_w,),
            )
        finally:
            os.close(peak_w)
        start = time.monotonic()
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            elapsed = time.monotonic() - start
            if pid:
                break
            if elapsed > SECONDS:
                os.killpg(child.pid, signal.SIGKILL)
                os.wait4(child.pid, 0)
                child.returncode = -9
                pytest.fail(f"uwsgi-lint {' '.join(argv)} hung: killed after {SECONDS} s")
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        # nothing reported (killed, a crash): what wait4 says, which is never less
        reported = peak.read() or b""
    run = Run(
        child.returncode,
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
        elapsed,
        int(reported or usage.ru_maxrss) / 1024,  # KiB on Linux
    )
    out_path.unlink()
    err_path.unlink()
    assert debug or "Traceback" not in run.err + run.out, run.err
    assert run.seconds < SECONDS
    assert run.megabytes < MEGABYTES, f"{run.megabytes:.0f} MB"
    return run


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- hostile documents -----------------------------------------------------------------

LAUGHS = "\n".join(
    f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)


def test_xml_billion_laughs(tmp_path: Path) -> None:
    f = write(tmp_path / "bomb.xml", f'<?xml version="1.0"?>\n<!DOCTYPE uwsgi [\n'
              f' <!ENTITY lol0 "lol">\n{LAUGHS}\n]>\n<uwsgi><socket>&lol9;</socket></uwsgi>\n')
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW001", "bomb.xml", 3, 2)]
    assert "never expands XML entities" in run.diagnostics()[0]["message"]


def test_xml_external_entity_and_dtd(tmp_path: Path) -> None:
    write(tmp_path / "secret.txt", "s3cret\n")
    f = write(tmp_path / "xxe.xml", textwrap.dedent(f"""\
        <?xml version="1.0"?>
        <!DOCTYPE uwsgi SYSTEM "http://127.0.0.1:9/uwsgi.dtd" [
        <!ENTITY xxe SYSTEM "file://{tmp_path}/secret.txt">]>
        <uwsgi><socket>&xxe;</socket></uwsgi>
        """))
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW001", "xxe.xml", 3, 1)]
    assert "s3cret" not in run.out


def test_xml_100000_levels_of_nesting(tmp_path: Path) -> None:
    n = 100_000
    f = write(tmp_path / "deep.xml", "<uwsgi>" + "<a>" * n + "</a>" * n + "</uwsgi>\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    [(code, name, line, _)] = run.where()
    assert (code, name, line) == ("UW001", "deep.xml", 1)
    assert "depth" in run.diagnostics()[0]["message"]


def test_yaml_alias_bomb_libyaml(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    lines = ["uwsgi:", "  a: &a [x,x,x,x,x,x,x,x,x,x]"]
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"  {name}: &{name} [{','.join([f'*{prev}'] * 10)}]")
    lines.append("  socket: *j")
    f = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    run = uwsgi_lint("--yaml-reader", "libyaml", f, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW012", "bomb.yaml", 12, 11) in run.where()  # `socket: *j` gets no value


def test_50_mb_config(tmp_path: Path) -> None:
    f = tmp_path / "big.ini"
    with open(f, "w", encoding="ascii") as fh:
        fh.write("[uwsgi]\nmaster = true\nprocesses = 4\n")
        line = "; " + "x" * 97 + "\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
        fh.write("procesess = 4\n")
    assert f.stat().st_size >= 50 * 1000 * 1000
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    last = 3 + 50 * 1024 * 1024 // 100 + 1
    assert ("UW101", "big.ini", last, 1) in run.where()  # the typo at the very end


def test_single_10_mb_line(tmp_path: Path) -> None:
    f = write(tmp_path / "long.ini", "[uwsgi]\nenv = X=" + "y" * (10 * 1024 * 1024)
              + "\nprocesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW101", "long.ini", 3, 1) in run.where()


@pytest.mark.parametrize("suffix", [".ini", ".xml", ".yaml", ".json"])
def test_nul_bytes_and_binary_data(tmp_path: Path, suffix: str) -> None:
    f = write(tmp_path / f"blob{suffix}", bytes(range(256)) * 64 + b"\x00" * 1000)
    run = uwsgi_lint(f, cwd=tmp_path)
    # no uWSGI config: passed over, and a run that found no config is an error (exit 2)
    assert run.rc == 2
    assert run.diagnostics() == []
    assert "no uWSGI config found" in run.err


def test_nul_byte_ends_the_ini_value_as_in_uwsgi(tmp_path: Path) -> None:
    f = write(tmp_path / "nul.ini", b"[uwsgi]\nmaster = tr\x00ue\nuid = app\ngid = app\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    # uWSGI reads C strings: the value is `tr`, which turns the flag on
    assert ("UW102", "nul.ini", 2, 10) in run.where()


def test_invalid_utf8_keeps_reading(tmp_path: Path) -> None:
    """uWSGI reads bytes: the rest of the file counts.  (No rule reports the byte offset of
    invalid UTF-8 in INI yet: see SECURITY.md, "Known gaps".)"""
    f = write(tmp_path / "latin1.ini", b"[uwsgi]\nchdir = /srv/caf\xe9\nprocesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW101", "latin1.ini", 3, 1) in run.where()


def test_utf8_bom(tmp_path: Path) -> None:
    f = write(tmp_path / "bom.ini", b"\xef\xbb\xbf[uwsgi]\nprocesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert run.where()  # reported, whatever uWSGI makes of the BOM


def test_mixed_crlf_lf(tmp_path: Path) -> None:
    f = write(tmp_path / "mixed.ini", b"[uwsgi]\r\nmaster = true\nprocesess = 4\r\nuid = x\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW101", "mixed.ini", 3, 1) in run.where()


# --- hostile trees ---------------------------------------------------------------------


def test_symlink_loops(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "loop.ini").symlink_to("loop.ini")
    (tree / "a.ini").symlink_to("b.ini")
    (tree / "b.ini").symlink_to("a.ini")
    (tree / "again").symlink_to(".")
    (tree / "up").symlink_to("..")
    write(tree / "app.ini", "[uwsgi]\nprocesess = 4\n")
    run = uwsgi_lint(tree, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW101", "app.ini", 2, 1) in run.where()
    run = uwsgi_lint(tree / "loop.ini", cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW001", "loop.ini", 1, 1)]


def test_symlink_to_dev_zero(tmp_path: Path) -> None:
    (tmp_path / "x.ini").symlink_to("/dev/zero")
    run = uwsgi_lint(tmp_path / "x.ini", cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW001", "x.ini", 1, 1)]
    assert run.diagnostics()[0]["message"].startswith("deployment-only: it lies outside")
    run = uwsgi_lint("--allow-read", "/dev", tmp_path / "x.ini", cwd=tmp_path)
    assert run.where() == [("UW001", "x.ini", 1, 1)]
    assert run.diagnostics()[0]["message"] == "not a regular file; not read"
    uwsgi_lint(tmp_path, cwd=tmp_path)  # the directory walk does not read it either


def test_fifo_named_app_ini(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "app.ini")
    run = uwsgi_lint(tmp_path / "app.ini", cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW001", "app.ini", 1, 1)]
    uwsgi_lint(tmp_path, cwd=tmp_path)


def test_socket_named_app_ini(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(tmp_path / "app.ini"))
        sock.listen(1)
        run = uwsgi_lint(tmp_path / "app.ini", cwd=tmp_path)
        assert run.rc == 1
        assert run.where() == [("UW001", "app.ini", 1, 1)]
        uwsgi_lint(tmp_path, cwd=tmp_path)
    finally:
        sock.close()


def test_vassal_directory_with_100000_entries(tmp_path: Path) -> None:
    vassals = tmp_path / "vassals"
    vassals.mkdir()
    for i in range(100_000):
        os.close(os.open(vassals / f"v{i}.ini", os.O_CREAT | os.O_WRONLY, 0o644))
    write(vassals / "real.ini", "[uwsgi]\nprocesess = 4\n")
    run = uwsgi_lint(vassals, cwd=tmp_path)
    assert run.rc == 1
    assert run.where() == [("UW101", "real.ini", 2, 1)]


# The interpreter may lie where nobody cannot execute it (/root/.pyenv): the child drops
# to nobody after it has started and imported uwsgi-lint, before it reads any config.
# (the standard library may be unreadable by nobody too: one warm-up run imports it all)
AS_NOBODY = f"""
import os, shutil, hashlib, json, fnmatch, glob, difflib, textwrap, errno
import urllib.parse  # the renderers need it; from Python 3.13 pathlib no longer imports it
import uwsgi_lint.render.json
from uwsgi_lint.cli import parser
from uwsgi_lint.engine import lint
parser().parse_args([])
lint(["warm.ini"])
os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})
assert os.geteuid() == {NOBODY}
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown and drop privileges")
def test_file_without_read_permission() -> None:
    # pytest's tmp_path is private to root: the child, once nobody, must reach the file
    top = Path(tempfile.mkdtemp(prefix="uwsgi-lint-hostile-"))
    try:
        top.chmod(0o755)
        f = write(top / "secret.ini", "[uwsgi]\nmaster = true\n")
        os.chown(f, NOBODY, NOBODY)
        f.chmod(0o000)
        out = top / "out"
        out.mkdir()
        os.chown(out, NOBODY, NOBODY)
        write(out / "warm.ini", "[uwsgi]\nmaster = true\n")
        run = uwsgi_lint(f, cwd=out, prelude=AS_NOBODY)
        assert run.rc == 1
        assert run.where() == [("UW001", "secret.ini", 1, 1)]
        assert "Permission denied" in run.diagnostics()[0]["message"]
        # found by the walk: reported too, never "All checks passed (0 files checked)"
        locked = write(top / "locked/app.ini", "[uwsgi]\nmaster = true\n").parent
        locked.chmod(0o700)
        run = uwsgi_lint(top, cwd=out, prelude=AS_NOBODY)
        assert run.rc == 1
        assert sorted(run.where()) == [("UW001", "locked", 1, 1), ("UW001", "secret.ini", 1, 1)]
        assert {d["message"] for d in run.diagnostics()} == {"cannot read: Permission denied"}
    finally:
        shutil.rmtree(top)


def test_include_chain_1000_deep(tmp_path: Path) -> None:
    for i in range(1000):
        write(tmp_path / f"inc{i}.ini",
              f"[uwsgi]\ninclude = inc{i + 1}.ini\n" if i < 999 else "[uwsgi]\nprocesess = 4\n")
    run = uwsgi_lint(tmp_path / "inc0.ini", cwd=tmp_path)
    assert run.rc == 1
    # reading stops at a bounded depth, with the chain that led there
    assert run.where() == [("UW021", "inc63.ini", 2, 1)]
    assert "nest too deep" in run.diagnostics()[0]["message"]
    assert len(run.diagnostics()[0]["related"]) == 63


def test_include_of_proc_self_status(tmp_path: Path) -> None:
    f = write(tmp_path / "proc.ini",
              "[uwsgi]\ninclude = /proc/self/status\nini = /proc/self/status\nuid = a\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW113", "proc.ini", 2, 1) in run.where()


# --- no execution, no network, no writes -----------------------------------------------


@pytest.fixture
def http_server() -> Iterator[tuple[int, list[str]]]:
    """A server on 127.0.0.1 (ephemeral port) that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b"[uwsgi]\nmaster = true\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``root``: its mtime (ns) and SHA-256."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            p = Path(dirpath) / name
            st = p.lstat()
            if stat.S_ISREG(st.st_mode):
                out[str(p)] = (st.st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def hostile_tree(root: Path, port: int, canary: Path) -> Path:
    url = f"http://127.0.0.1:{port}"
    write(root / "plugins" / "evil_plugin.so", b"\x7fELF not really")
    write(root / "vassals" / "exec.ini", textwrap.dedent(f"""\
        [uwsgi]
        ini = exec://touch {canary}
        chdir = @(exec://touch {canary})
        env = X=@(sym://uwsgi_init)
        ini = {url}/x.ini
        include = {url}/y.ini
        ini = callable://uwsgi_config
        ini = fd://3
        hook-asap = exec:touch {canary}
        exec-asap = touch {canary}
        plugins = {root}/plugins/evil_plugin.so
        emperor = pg://host=127.0.0.1 port={port};SELECT config FROM vassals
        procesess = 4
        """))
    write(root / "vassals" / "app.xml", textwrap.dedent(f"""\
        <uwsgi>
          <xml>exec://touch {canary}</xml>
          <yaml>{url}/z.yaml</yaml>
          <exec-pre-app>touch {canary}</exec-pre-app>
        </uwsgi>
        """))
    write(root / "vassals" / "app.yaml",
          f"uwsgi:\n  json: {url}/w.json\n  hook-pre-app: exec:touch {canary}\n")
    write(root / "vassals" / "app.json",
          json.dumps({"uwsgi": {"ini": f"exec://touch {canary}", "exec-asap": f"touch {canary}",
                                "include": f"{url}/v.ini"}}) + "\n")
    return root / "vassals"


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_nothing_is_executed_fetched_or_written(
    tmp_path: Path, http_server: tuple[int, list[str]], fmt: str
) -> None:
    port, requests = http_server
    canary = tmp_path / "CANARY"
    vassals = hostile_tree(tmp_path / "tree", port, canary)
    before = snapshot(tmp_path)
    argv = [*(("--format", fmt) if fmt != "json" else ()), "--yaml-reader", "libyaml", vassals]
    run = uwsgi_lint(*argv, cwd=tmp_path, json_output=fmt == "json")
    assert run.rc == 1
    if fmt == "json":
        assert ("UW101", "exec.ini", 13, 1) in run.where()  # the rest of the file is checked
    assert not canary.exists()
    assert requests == []
    assert snapshot(tmp_path) == before


def test_add_noqa_writes_only_the_files_with_findings(tmp_path: Path) -> None:
    write(tmp_path / "bad.ini", "[uwsgi]\nprocesess = 4\n")
    write(tmp_path / "good.ini", "[uwsgi]\nmaster = true\nuid = app\ngid = app\n")
    before = snapshot(tmp_path)
    run = uwsgi_lint("--add-noqa=", tmp_path / "bad.ini", tmp_path / "good.ini",
                     cwd=tmp_path, json_output=False)
    assert run.rc == 0
    after = snapshot(tmp_path)
    assert after[str(tmp_path / "good.ini")] == before[str(tmp_path / "good.ini")]
    assert after[str(tmp_path / "bad.ini")] != before[str(tmp_path / "bad.ini")]


# --- internal errors are contained -------------------------------------------------------

FAILING_RULE = """
from uwsgi_lint.diagnostics import Severity
from uwsgi_lint.rules import Instances, rule

@rule("UW598", "raises-on-purpose", Severity.WARNING, "A rule with a bug (tests only).",
      on=Instances())
def _check(view):
    if view.inst.root.path.endswith("boom.ini"):
        raise KeyError("socket")
    return iter(())
"""


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    return (write(tmp_path / "boom.ini", "[uwsgi]\nprocesess = 4\n"),
            write(tmp_path / "fine.ini", "[uwsgi]\nthreadz = 2\n"))


def test_internal_error_is_contained(tmp_path: Path, two_files: tuple[Path, Path]) -> None:
    run = uwsgi_lint(*two_files, cwd=tmp_path, prelude=FAILING_RULE)
    assert run.rc == 2
    assert run.where() == [
        ("UW099", "boom.ini", 1, 1),
        ("UW101", "boom.ini", 2, 1),  # the other rules still ran on the failing file
        ("UW101", "fine.ini", 2, 1),  # and the other files were checked
    ]
    d = run.diagnostics()[0]
    assert d["name"] == "internal-error" and d["severity"] == "error"
    assert d["message"].startswith(
        "internal error in UW598 (raises-on-purpose): KeyError: 'socket'")
    assert "internal error in UW598" in run.err
    assert "Traceback" not in run.err


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif", "github", "gitlab", "junit"])
def test_internal_error_in_every_format(
    tmp_path: Path, two_files: tuple[Path, Path], fmt: str
) -> None:
    run = uwsgi_lint("--format", fmt, "--exit-zero", *two_files, cwd=tmp_path,
                     json_output=False, prelude=FAILING_RULE)
    assert run.rc == 2  # --exit-zero does not hide an internal error
    assert "UW099" in run.out
    assert "boom.ini" in run.out


def test_internal_error_traceback_only_with_debug(
    tmp_path: Path, two_files: tuple[Path, Path]
) -> None:
    run = uwsgi_lint("--debug", *two_files, cwd=tmp_path, prelude=FAILING_RULE,
                     json_output=False, debug=True)
    assert run.rc == 2
    assert "Traceback (most recent call last)" in run.err
    assert 'File "<string>", line 9, in _check' in run.err
