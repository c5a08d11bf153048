"""Facts across the tree (issue 14): UW216-UW221, the glob monitor's passed-over files and
snippets in a vassals directory (UW205), and include cycles in directory mode (UW021),
each on a tree on disk linted through the command line, with a trap and a clean
look-alike."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from uwsgi_lint import cli

from .helpers import write

CODES = "UW216,UW217,UW218,UW219,UW220,UW221"
LINE = re.compile(r"^(\S+):(\d+):(\d+): (UW\d+) \[[^\]]+\] \w+: (.*)$")
RELATED = re.compile(r"^ {4}(\S+):(\d+):(\d+): (.*)$")


def lint(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
         *args: str, select: str = CODES) -> list[tuple[str, int, str, str]]:
    """``(file, line, code, message)`` of what ``uwsgi-lint ARGS`` prints in ``tmp_path``
    (``.`` without ARGS), related lines folded in as ``  <- file:line: note``."""
    monkeypatch.chdir(tmp_path)
    cli.main([*(args or ["."]), "--isolated", "--select", select])
    out: list[tuple[str, int, str, str]] = []
    for line in capsys.readouterr().out.splitlines():
        if m := LINE.match(line):
            out.append((m[1].removeprefix("./"), int(m[2]), m[4], m[5]))
        elif (r := RELATED.match(line)) and out:
            f, n, code, message = out[-1]
            out[-1] = (f, n, code, f"{message}  <- {r[1].removeprefix('./')}:{r[2]}: {r[4]}")
    return out


def tree(tmp_path: Path, files: dict[str, str], owner: int = 1000) -> None:
    """Write ``files`` under ``tmp_path``, owned by ``owner`` when run as root (a
    deployed tree: not root's)."""
    for name, text in files.items():
        path = write(tmp_path, name, text)
        if os.geteuid() == 0:
            os.chown(path, owner, owner)


EMPEROR_AB = "[uwsgi]\nemperor = %da\nemperor = %db\n"


# -- UW216 vassal-name-clash ----------------------------------------------------------------


def test_two_vassals_with_one_name_in_two_directories(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": EMPEROR_AB,
                    "a/app.ini": "[uwsgi]\nsocket = /run/a.sock\n",
                    "b/app.ini": "[uwsgi]\nsocket = /run/b.sock\n"})
    assert lint(tmp_path, capsys, monkeypatch) == [(
        "b/app.ini", 1, "UW216",
        "a vassal named `app.ini` runs already (`a/app.ini`): this file is never started, "
        "and touching it reloads that one; rename it"
        "  <- a/app.ini:1: started first under the name `app.ini`"
        "  <- emperor.ini:3: the monitor that lists this file")]


def test_distinct_names_or_one_directory_watched_twice_are_fine(tmp_path, capsys,
                                                                 monkeypatch):
    tree(tmp_path, {"emperor.ini": EMPEROR_AB + "emperor = %da\n",
                    "a/shop.ini": "[uwsgi]\nsocket = /run/a.sock\n",
                    "b/blog.ini": "[uwsgi]\nsocket = /run/b.sock\n"})
    assert lint(tmp_path, capsys, monkeypatch) == []


def test_a_glob_monitor_names_vassals_by_their_path(tmp_path, capsys, monkeypatch):
    """`emperor = %db/*.ini` knows `b/app.ini` by its path: no clash with `a`'s `app.ini`."""
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %da\nemperor = %db/*.ini\n",
                    "a/app.ini": "[uwsgi]\nsocket = /run/a.sock\n",
                    "b/app.ini": "[uwsgi]\nsocket = /run/b.sock\n"})
    assert lint(tmp_path, capsys, monkeypatch) == []


# -- UW217 socket-bound-twice ---------------------------------------------------------------


def test_two_vassals_bind_one_unix_socket_and_one_port(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\n",
                    "v/one.ini": "[uwsgi]\nsocket = /run/app.sock\nhttp-socket = :8080\n",
                    "v/two.ini": "[uwsgi]\nsocket = /run/app.sock\n"
                                 "http-socket = 0.0.0.0:8080\n"})
    assert lint(tmp_path, capsys, monkeypatch) == [
        ("v/two.ini", 2, "UW217",
         "`/run/app.sock` is bound by `v/one.ini` too: uWSGI replaces a socket path "
         "silently, and the last one started gets every request; bind one each"
         "  <- v/one.ini:2: bound here by `v/one.ini`"),
        ("v/two.ini", 3, "UW217",
         "`:8080` is bound by `v/one.ini` too: the later one exits on \"Address already in "
         "use\", again and again; use one port each"
         "  <- v/one.ini:3: bound here by `v/one.ini`"),
    ]


def test_a_relative_socket_is_resolved_in_the_vassal_directory(tmp_path, capsys,
                                                                monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\nsocket = %dv/app.sock\n",
                    "v/app.ini": "[uwsgi]\nsocket = app.sock\n"})
    found = lint(tmp_path, capsys, monkeypatch)
    assert [(f, n, c) for f, n, c, _ in found] == [("v/app.ini", 2, "UW217")]
    assert "is bound by `emperor.ini` too" in found[0][3]


def test_a_vassals_include_line_every_vassal_binds_is_said_once(tmp_path, capsys,
                                                                 monkeypatch):
    """`%n` in the included file is that file's name: every vassal binds `common.sock`."""
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\nvassals-include = %dcommon.ini\n",
                    "common.ini": "[uwsgi]\nsocket = /run/%n.sock\n",
                    "v/a.ini": "[uwsgi]\nprocesses = 1\n",
                    "v/b.ini": "[uwsgi]\nprocesses = 1\n",
                    "v/c.ini": "[uwsgi]\nprocesses = 1\n"})
    found = lint(tmp_path, capsys, monkeypatch)
    assert [(f, n, c) for f, n, c, _ in found] == [("common.ini", 2, "UW217")]
    assert found[0][3].startswith(
        "each vassal reading this binds `/run/common.sock`: uWSGI replaces")


def test_sockets_that_are_not_surely_shared_are_not_compared(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {
        "emperor.ini": "[uwsgi]\nemperor = %dv\n",
        # %n in the vassal's own file: one path each
        "v/a.ini": "[uwsgi]\nsocket = /run/%n.sock\nsocket = :9000\nreuse-port = true\n",
        "v/b.ini": "[uwsgi]\nsocket = /run/%n.sock\nsocket = :9000\nreuse-port = true\n",
        # unresolved, undecided, any free port
        "v/c.ini": "[uwsgi]\nsocket = $(SOCK)\nstats = 127.0.0.1:0\nif-env = PROD\n"
                   "socket = /run/prod.sock\nendif =\n",
        "v/d.ini": "[uwsgi]\nsocket = $(SOCK)\nstats = 127.0.0.1:0\nif-env = PROD\n"
                   "socket = /run/prod.sock\nendif =\n",
        # two standalone configs (alternatives?) and a standalone beside a vassal
        "prod.ini": "[uwsgi]\nsocket = /run/a.sock\n",
        "dev.ini": "[uwsgi]\nsocket = /run/a.sock\n",
    })
    assert lint(tmp_path, capsys, monkeypatch) == []


def test_a_file_never_started_binds_nothing(tmp_path, capsys, monkeypatch):
    """The second `app.ini` never starts (UW216): its socket is not reported."""
    tree(tmp_path, {"emperor.ini": EMPEROR_AB,
                    "a/app.ini": "[uwsgi]\nsocket = /run/app.sock\n",
                    "b/app.ini": "[uwsgi]\nsocket = /run/app.sock\n"})
    assert [c for _, _, c, _ in lint(tmp_path, capsys, monkeypatch)] == ["UW216"]


# -- UW218 vassal-started-twice -------------------------------------------------------------


def test_a_directory_and_a_glob_over_it_start_each_file_twice(tmp_path, capsys,
                                                               monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\nemperor = %dv/*.ini\n",
                    "v/app.ini": "[uwsgi]\nsocket = /run/app.sock\n",
                    "v/api.ini": "[uwsgi]\nsocket = /run/api.sock\n"})
    assert lint(tmp_path, capsys, monkeypatch) == [(
        "emperor.ini", 3, "UW218",
        "`v/api.ini` and 1 more is also started by another monitor of this Emperor: it runs "
        "twice (the copy started later takes its sockets); watch each file once"
        "  <- emperor.ini:2: the monitor that starts it first")]


SYSTEMD = "[Service]\nExecStart=/usr/bin/uwsgi --ini /etc/uwsgi/{}\n"


def test_two_emperors_on_one_host_watch_one_directory(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"e1.ini": "[uwsgi]\nemperor = %dv\n",
                    "e2.ini": "[uwsgi]\nemperor = %dv\n",
                    "v/app.ini": "[uwsgi]\nsocket = /run/app.sock\n",
                    "deploy/e1.service": SYSTEMD.format("e1.ini"),
                    "deploy/e2.service": SYSTEMD.format("e2.ini")})
    found = lint(tmp_path, capsys, monkeypatch)
    assert [(f, n, c) for f, n, c, _ in found] == [("e2.ini", 2, "UW218")]
    assert found[0][3].startswith("`v/app.ini` is also started by the Emperor `e1.ini`")


def test_two_emperor_configs_nothing_starts_may_be_alternatives(tmp_path, capsys,
                                                                monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\n",
                    "emperor-dev.ini": "[uwsgi]\nemperor = %dv\npy-autoreload = 1\n",
                    "v/app.ini": "[uwsgi]\nsocket = /run/app.sock\n"})
    assert lint(tmp_path, capsys, monkeypatch) == []


# -- UW219 vassal-binds-on-demand-socket ----------------------------------------------------


ON_DEMAND = "[uwsgi]\nemperor = %dv\nemperor-on-demand-directory = /run/od\n"


def test_a_vassal_binding_its_on_demand_socket(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": ON_DEMAND,
                    "v/app.ini": "[uwsgi]\nsocket = /run/od/app.socket\nidle = 60\n",
                    "v/api.ini": "[uwsgi]\nsocket = /run/od/other.socket\n"})
    assert lint(tmp_path, capsys, monkeypatch) == [(
        "v/app.ini", 2, "UW219",
        "binding `/run/od/app.socket` hides the Emperor's on-demand socket for this vassal: "
        "after its first idle exit it never starts again; remove it"
        "  <- emperor.ini:3: the Emperor binds it on demand here")]


def test_on_demand_extension_names_the_socket_in_a_file(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\n"
                                   "emperor-on-demand-extension = .socket\n",
                    "v/app.ini": "[uwsgi]\nsocket = /run/app.sock\n",
                    "v/app.ini.socket": "/run/app.sock\n",
                    "v/api.ini": "[uwsgi]\nsocket = /run/api.sock\n"})
    found = lint(tmp_path, capsys, monkeypatch)
    assert [(f, n, c) for f, n, c, _ in found] == [("v/app.ini", 2, "UW219")]


def test_a_vassal_serving_the_socket_it_is_handed_is_fine(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": ON_DEMAND,
                    "v/app.ini": "[uwsgi]\nidle = 60\ndie-on-idle = true\n"})
    assert lint(tmp_path, capsys, monkeypatch) == []


# -- UW220 vassal-extra-extension-no-loader -------------------------------------------------


def test_a_vassal_taken_through_an_extra_extension(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\nemperor-extra-extension = .conf\n",
                    "v/app.conf": "[uwsgi]\nsocket = /run/app.sock\n",
                    "v/api.ini": "[uwsgi]\nsocket = /run/api.sock\n"})
    assert lint(tmp_path, capsys, monkeypatch) == [(
        "v/app.conf", 1, "UW220",
        "the Emperor starts `app.conf` with `--config`, which has no loader for it: it exits "
        "and is started again forever; name it `app.ini`"
        "  <- emperor.ini:3: the suffix is accepted here")]


def test_without_the_extra_extension_the_file_is_another_rules(tmp_path, capsys,
                                                                monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\n",
                    "v/app.conf": "[uwsgi]\nsocket = /run/app.sock\n"})
    assert [c for _, _, c, _ in lint(tmp_path, capsys, monkeypatch, select=CODES + ",UW205")
            ] == ["UW205"]


# -- UW221 nofollow-dangling-vassal ---------------------------------------------------------


def test_a_dangling_link_under_nofollow_crash_loops(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\nemperor-nofollow = true\n"})
    (tmp_path / "v").mkdir()
    (tmp_path / "v/gone.ini").symlink_to("missing.ini")
    assert lint(tmp_path, capsys, monkeypatch) == [(
        "v/gone.ini", 1, "UW221",
        "`gone.ini` links to `missing.ini`, which does not exist: `emperor-nofollow` starts "
        "it anyway and it exits, again and again; fix or remove it"
        "  <- emperor.ini:3: `emperor-nofollow` makes the Emperor lstat() the link here")]


def test_a_dangling_link_without_nofollow_is_skipped_not_started(tmp_path, capsys,
                                                                  monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\n",
                    "apps/app.ini": "[uwsgi]\nsocket = /run/app.sock\n"})
    (tmp_path / "v").mkdir()
    (tmp_path / "v/gone.ini").symlink_to("missing.ini")
    (tmp_path / "v/app.ini").symlink_to("../apps/app.ini")
    found = lint(tmp_path, capsys, monkeypatch, select=CODES + ",UW205")
    assert [(f, c) for f, _, c, _ in found] == [("v/gone.ini", "UW205")]


# -- UW205 under a glob monitor, and snippets in a vassals directory ----------------------------


def test_a_glob_monitor_filters_by_suffix_like_a_directory(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv/*\n",
                    "v/app.ini": "[uwsgi]\nsocket = /run/app.sock\n",
                    "v/blog.conf": "[uwsgi]\nsocket = /run/blog.sock\n",
                    "v/api.INI": "[uwsgi]\nsocket = /run/api.sock\n",
                    "v/README.md": "vassals\n"})
    found = lint(tmp_path, capsys, monkeypatch, select="UW205")
    assert [(f, c) for f, _, c, _ in found] == [("v/api.INI", "UW205"), ("v/blog.conf", "UW205")]
    assert found[0][3].startswith("`api.INI` is never started: the Emperor compares suffixes")
    assert found[0][3].endswith("<- emperor.ini:2: the Emperor watches this pattern here")


def test_a_snippet_in_the_vassals_directory_is_no_vassal(tmp_path, capsys, monkeypatch):
    """`ini = FILE` reads any name (`include` goes by the suffix, and has no loader for
    `.cfg`): what a vassal reads that way is its snippet."""
    tree(tmp_path, {"emperor.ini": "[uwsgi]\nemperor = %dv\n",
                    "v/app.ini": "[uwsgi]\nsocket = /run/app.sock\nini = common.cfg\n",
                    "v/common.cfg": "[uwsgi]\nprocesses = 2\n",
                    "v/blog.conf": "[uwsgi]\nsocket = /run/blog.sock\n"})
    found = lint(tmp_path, capsys, monkeypatch, select="UW205,UW206")
    assert [(f, c) for f, _, c, _ in found] == [("v/blog.conf", "UW205")]


# -- UW021 in directory mode ----------------------------------------------------------------


CYCLE = {"a.ini": "[uwsgi]\nsocket = /run/a.sock\ninclude = b.ini\n",
         "b.ini": "[uwsgi]\nprocesses = 2\ninclude = a.ini\n"}


def test_files_that_include_each_other_are_checked_in_directory_mode(tmp_path, capsys,
                                                                      monkeypatch):
    """Nothing else starts them: the first is checked on its own and reports the cycle
    once, as linting it alone does."""
    tree(tmp_path, CYCLE)
    alone = lint(tmp_path, capsys, monkeypatch, "a.ini", select="UW021")
    assert lint(tmp_path, capsys, monkeypatch, select="UW021") == alone == [(
        "b.ini", 3, "UW021",
        "'a.ini' includes itself (uWSGI recurses until it crashes)"
        "  <- a.ini:3: included here (include = b.ini)")]


def test_a_cycle_that_a_checked_file_includes_is_reported_through_it(tmp_path, capsys,
                                                                       monkeypatch):
    tree(tmp_path, {**CYCLE, "app.ini": "[uwsgi]\ninclude = b.ini\nbogus-option = 1\n",
                    "common.ini": "[uwsgi]\nbogus-common = 1\n",
                    "site.ini": "[uwsgi]\ninclude = common.ini\n"})
    found = lint(tmp_path, capsys, monkeypatch, select="UW021,UW101")
    # a.ini and b.ini are app.ini's snippets, common.ini is site.ini's: each file once
    assert [(f, n, c) for f, n, c, _ in found] == [
        ("a.ini", 3, "UW021"), ("app.ini", 3, "UW101"), ("common.ini", 2, "UW101")]
