"""Small helpers for reading a snippet the way uWSGI would."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.instance.build import build_instance
from uwsgi_lint.magic import Host, file_table, substitute
from uwsgi_lint.model import ConfigFile, Directive, Instance
from uwsgi_lint.readers import read_file
from uwsgi_lint.report import Report
from uwsgi_lint.settings import Selection

T = TypeVar("T")
OPENERS = frozenset({"if-env", "if-not-env", "for", "if-exists", "if-opt", "for-times"})


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def read(path: Path, section: str = "uwsgi") -> ConfigFile:
    return read_file(str(path), openers=OPENERS, section=section)


def pairs(cfg: ConfigFile, section: str = "uwsgi") -> list[tuple[str, str]]:
    sec = cfg.section(section)
    assert sec is not None, f"no section {section!r}"
    return [(d.key, d.value) for d in sec.directives()]


def instance(path: Path, **assume: object) -> Instance:
    return build_instance(str(path), Assumptions(**assume))  # type: ignore[arg-type]


def expanded(inst: Instance) -> list[tuple[str, str]]:
    return [(d.key, d.effective) for d in inst.options]


def where(d: Directive) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of a directive's whole span."""
    s = d.span
    return (s.start.line, s.start.column, s.end.line, s.end.column)


def substituted(path: Path, text: str, host: Host | None = None) -> str:
    return substitute(text, file_table(str(path), str(path), "", host or Host()), str(path)).text


Finding = tuple[str, int, int, str]  # (code, line, column, message)


def findings(
    tmp_path: Path, name: str, text: str | bytes, *codes: str, **assume: object
) -> list[Finding]:
    """``(code, line, column, message)`` of the given rules (selected, whatever their set)
    for one file."""
    path = write(tmp_path, name, text)
    report = lint([str(path)], Assumptions(**assume),  # type: ignore[arg-type]
                  selection=Selection(extend_select=codes))
    assert report.errors == []
    return [
        (d.code, d.span.start.line, d.span.start.column, d.message)
        for d in report.diagnostics
        if d.code in codes
    ]


def details(
    tmp_path: Path, name: str, text: str | bytes, *codes: str, **assume: object
) -> list[str]:
    """The detail paragraph (``--format full``) of each finding of the given rules for one
    file, in the order of :func:`findings`."""
    path = write(tmp_path, name, text)
    report = lint([str(path)], Assumptions(**assume),  # type: ignore[arg-type]
                  selection=Selection(extend_select=codes))
    return [d.detail for d in report.diagnostics if d.code in codes]


def positions(found: list[Finding]) -> list[tuple[str, int, int]]:
    """The (code, line, column) of each finding."""
    return [(c, line, col) for c, line, col, _ in found]


NOBODY = 65534


def as_nobody(call: Callable[[], T]) -> T:
    """``call()`` run by an unprivileged user (uid and gid 65534, no groups): in a forked
    child that drops root before it calls, so that permissions are real (root reads
    everything).  Without root this process is unprivileged already: called here.  The
    child's modules are those already imported (nobody may not read /root/.pyenv)."""
    if os.geteuid() != 0:
        return call()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root, call, send the answer (or the error) back
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                answer: tuple[bool, object] = (True, call())
            except BaseException as exc:
                answer = (False, repr(exc))
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(answer, out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as src:
        data = src.read()
    os.waitpid(pid, 0)
    ok, value = pickle.loads(data)
    if not ok:
        raise AssertionError(f"as nobody: {value}")
    return value  # type: ignore[no-any-return]


def shared_tmp() -> Path:
    """A fresh directory that an unprivileged user can reach (pytest's tmp_path is private
    to root); remove it with ``shutil.rmtree``."""
    top = Path(tempfile.mkdtemp(prefix="uwsgi-lint-"))
    top.chmod(0o755)
    return top


def fixed(tmp_path: Path, name: str, text: str | bytes, *codes: str,
          unsafe: bool = False) -> str:
    """The text of one file after ``--fix`` (``--unsafe-fixes`` with ``unsafe``) with the
    given rules only (all rules when none is given), as :mod:`uwsgi_lint.fix` applies
    them (in passes); the file itself is not changed."""
    from uwsgi_lint.fix import run_passes

    path = write(tmp_path, name, text)

    def lint_pass(overlay: dict[str, bytes]) -> Report:
        return lint([str(path)], only=codes or None, overlay=overlay)

    outcome = run_passes(lint_pass, lambda p: Path(p).read_bytes(), unsafe=unsafe)
    data = outcome.after.get(os.path.abspath(path), path.read_bytes())
    return data.decode("utf-8", "surrogateescape")


def match_snapshot(path: Path, text: str, update: bool) -> None:
    """``text`` is what ``path`` keeps; with ``update`` (``pytest --snapshot-update`` or
    ``UPDATE_SNAPSHOTS=1``) it is written there instead, only when it changed."""
    if update:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no {path}: run pytest --snapshot-update (or UPDATE_SNAPSHOTS=1)"
    assert path.read_text(encoding="utf-8") == text, (
        f"{path} differs: run pytest --snapshot-update (or UPDATE_SNAPSHOTS=1) and read the diff")


# Runs each module as uwsgiconf's ConfModule loads it (stdout captured; ``configure_uwsgi``
# injects ``uwsgi_configuration``, which is listified) and prints {file name:
# {"configurations": [[alias, INI text without the stamp], ...]} or {"error": "Type: msg",
# "traceback": ...}} as JSON.  For our own fixtures and page examples only: it runs them.
_COMPILE = r"""
import contextlib, io, json, runpy, sys, traceback
result = {}
for path in sys.argv[1:]:
    name = path.rsplit("/", 1)[-1]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            module = runpy.run_path(path, run_name="uwsgicfg")
        confs = module.get("uwsgi_configuration") or []
        confs = confs if isinstance(confs, list) else [confs]
        result[name] = {"configurations": [[c.alias, c.format(stamp=False)] for c in confs]}
    except BaseException as exc:
        result[name] = {"error": f"{type(exc).__name__}: {exc}",
                        "traceback": traceback.format_exc()}
json.dump(result, sys.stdout)
"""


def compile_with_uwsgiconf(paths: Sequence[Path], cwd: Path) -> dict[str, dict[str, object]]:
    """What the real uwsgiconf (the test extra's 2.4.0) makes of each module, in one
    subprocess run from ``cwd``, without the variables that make ``configure_uwsgi``
    print instead of compile."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("UWSGICONF_") and k != "APP_ENV"}
    run = subprocess.run([sys.executable, "-c", _COMPILE, *map(str, paths)], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    result: dict[str, dict[str, object]] = json.loads(run.stdout)
    return result
