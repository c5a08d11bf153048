"""The Emperor rules UW201-UW214 on real trees: exact positions and messages, and what
must stay silent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from uwsgi_lint.diagnostics import Diagnostic
from uwsgi_lint.engine import lint
from uwsgi_lint.instance import Assumptions
from uwsgi_lint.rules.emperor_timing import penalties
from uwsgi_lint.settings import Selection

from .helpers import Finding, details, fixed, positions, write
from .helpers import findings as rule_findings

CODES = tuple(f"UW2{n:02d}" for n in range(1, 15))
VASSAL = "[uwsgi]\nsocket = /run/uwsgi/app.sock\nuid = www-data\ngid = www-data\n"
RELOADS = "SIGTERM reloads the Emperor and every vassal instead of stopping them (uWSGI 2.0)"
HOW = (
    "(the first penalty is `emperor-throttle` microseconds, each further death adds "
    "`emperor-throttle` milliseconds, and at or above `emperor-max-throttle` the penalty "
    "is halved, not capped)"
)


def single(tmp_path: Path, name: str, text: str, *codes: str, **assume: object
           ) -> list[Finding]:
    return rule_findings(tmp_path, name, text, *(codes or CODES), **assume)


def run(paths: list[Path], *codes: str, **assume: object) -> list[Diagnostic]:
    report = lint([str(p) for p in paths], Assumptions(**assume),  # type: ignore[arg-type]
                  selection=Selection(extend_select=codes or CODES))
    assert report.errors == []
    return [d for d in report.diagnostics if d.code in (codes or CODES)]


def brief(found: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return [(d.code, Path(d.span.file).name, d.span.start.line, d.span.start.column)
            for d in found]


def tree(tmp_path: Path, emperor: str, vassals: dict[str, str] | None = None) -> Path:
    path = write(tmp_path, "emperor.ini", emperor)
    (tmp_path / "vassals").mkdir(exist_ok=True)
    for name, text in (vassals or {}).items():
        write(tmp_path, f"vassals/{name}", text)
    return path


# -- UW201 emperor-under-master / UW202 emperor-master-sigterm-reloads ---------------------


def test_master_with_die_on_term_but_nothing_needing_it(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /etc/uwsgi/vassals\nmaster = true\ndie-on-term = true\n"
    assert single(tmp_path, "e.ini", text) == [(
        "UW201", 3, 1,
        "`master` forks the Emperor under a master that runs no workers, and nothing here "
        "needs the master; remove it",
    )]
    assert details(tmp_path, "e.ini", text, *CODES) == [
        "No master-only option such as `log-master`, `logger`, `stats` or `touch-reload` is "
        "set. Without the master the uWSGI process is the Emperor itself, the setup the "
        "uWSGI docs recommend."]
    # on 2.1 SIGTERM always stops: the advice alone, without die-on-term
    text21 = "[uwsgi]\nemperor = /etc/uwsgi/vassals\nmaster = true\n"
    assert positions(single(tmp_path, "f.ini", text21, version="2.1")) == [("UW201", 3, 1)]


def test_master_without_die_on_term_says_both(tmp_path: Path) -> None:
    text = "[uwsgi]\nmaster = true\nemperor = /etc/uwsgi/vassals\n"
    assert single(tmp_path, "e.ini", text) == [(
        "UW202", 2, 1,
        f"`master` runs no workers here, and {RELOADS}; remove it, or add `die-on-term = true`",
    )]


def test_master_turned_on_by_a_master_option(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /etc/uwsgi/vassals\nstats = /run/uwsgi/stats.sock\n"
    assert single(tmp_path, "e.ini", text) == [(
        "UW202", 3, 1,
        f"`stats` turns the master on, and {RELOADS}; add `die-on-term = true`",
    )]
    text = ("[uwsgi]\nemperor = /etc/uwsgi/vassals\nmaster = 1\n"
            "logger = file:/var/log/e.log\n")
    assert single(tmp_path, "f.ini", text) == [(
        "UW202", 3, 1,
        f"with `master` on (`logger` needs the master), {RELOADS}; add `die-on-term = true`")]


def test_master_rules_silent_cases(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nemperor = /e\n",  # no master: the process is the Emperor
        "[uwsgi]\nemperor = /e\nmaster = true\nlog-master = true\ndie-on-term = true\n",
        "[uwsgi]\nemperor = /e\nstats = /run/s.sock\nmaster = false\n",  # explicit off wins
        "[uwsgi]\nemperor = /e\nmaster = true\ndie-on-term = true\nsocket = /run/a.sock\n"
        "uid = www-data\ngid = www-data\n",  # the master runs workers
        "[uwsgi]\nmaster = true\nsocket = /run/a.sock\n",  # no Emperor
        "[uwsgi]\nemperor = /e\nif-env = MASTER\nmaster = true\nendif =\n",  # undecided
    ]):
        assert single(tmp_path, f"s{i}.ini", text, "UW201", "UW202") == [], text
    # 2.1: SIGTERM stops; with a master-only option nothing is left to say
    text = "[uwsgi]\nemperor = /e\nstats = /run/s.sock\n"
    assert single(tmp_path, "v21.ini", text, "UW201", "UW202", version="2.1") == []


def test_emperor_under_master_fix_removes_master(tmp_path: Path) -> None:
    for name, text, want in [
        ("a.ini", "[uwsgi]\nemperor = /e\nmaster = true\ndie-on-term = true\n",
         "[uwsgi]\nemperor = /e\ndie-on-term = true\n"),
        ("b.xml", "<uwsgi>\r\n  <emperor>/e</emperor>\r\n  <master/>\r\n"
         "  <die-on-term/>\r\n</uwsgi>\r\n",
         "<uwsgi>\r\n  <emperor>/e</emperor>\r\n  <die-on-term/>\r\n</uwsgi>\r\n"),
        ("c.json", '{"uwsgi": {"emperor": "/e", "master": true, "die-on-term": true}}',
         '{"uwsgi": {"emperor": "/e", "die-on-term": true}}'),
    ]:
        assert fixed(tmp_path, name, text, "UW201") == text, name  # unsafe: not by default
        assert fixed(tmp_path, name, text, "UW201", unsafe=True) == want, name
        assert fixed(tmp_path, name, want, "UW201", unsafe=True) == want, name


def test_emperor_under_master_no_fix_when_master_is_read_elsewhere(tmp_path: Path) -> None:
    write(tmp_path, "master.ini", "[uwsgi]\nmaster = true\n")
    for text in [
        "[uwsgi]\nemperor = /e\nmaster = true\ndie-on-term = true\nmaster = true\n",
        "[uwsgi]\nemperor = /e\nini = master.ini\ndie-on-term = true\n",
        "[uwsgi]\nemperor = /e\nmaster = true\ndie-on-term = true\n"
        "if-opt = master\nprocname-prefix = m-\nendif =\n",
    ]:
        path = write(tmp_path, "e.ini", text)
        assert [(d.code, d.fix) for d in run([path], "UW201")] == [("UW201", None)], text


def test_sigterm_reload_fix_adds_die_on_term_after_the_switch(tmp_path: Path) -> None:
    for name, text, want in [
        ("a.ini", "[uwsgi]\nmaster = true\nemperor = /e\n",
         "[uwsgi]\nmaster = true\ndie-on-term = true\nemperor = /e\n"),
        ("b.ini", "[uwsgi]\nemperor = /e\nstats = /run/uwsgi/stats.sock",
         "[uwsgi]\nemperor = /e\nstats = /run/uwsgi/stats.sock\ndie-on-term = true"),
        ("c.yaml", "uwsgi:\n  emperor: /e\n  master: 1  # for the logger\n"
         "  logger: file:/var/log/e.log\n",
         "uwsgi:\n  emperor: /e\n  master: 1  # for the logger\n  die-on-term: true\n"
         "  logger: file:/var/log/e.log\n"),
        ("d.json", '{"uwsgi": {"emperor": "/e", "master": true}}',
         '{"uwsgi": {"emperor": "/e", "master": true, "die-on-term": true}}'),
    ]:
        assert fixed(tmp_path, name, text, "UW202") == text, name  # unsafe: not by default
        assert fixed(tmp_path, name, text, "UW202", unsafe=True) == want, name
        assert fixed(tmp_path, name, want, "UW202", unsafe=True) == want, name


def test_sigterm_reload_no_fix_when_die_on_term_would_hurt(tmp_path: Path) -> None:
    # set off already (a line after `master` would lose), or a starter that stops it with
    # SIGQUIT, which `die-on-term` turns into a reload
    off = write(tmp_path, "off.ini", "[uwsgi]\nmaster = true\nemperor = /e\ndie-on-term = 0\n")
    assert [(d.code, d.fix) for d in run([off], "UW202")] == [("UW202", None)]
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    emperor = write(tmp_path, "repo/emperor.ini", "[uwsgi]\nemperor = /e\nmaster = true\n")
    write(tmp_path, "repo/uwsgi.service", "[Service]\nExecStart=/usr/bin/uwsgi --ini "
          "/etc/uwsgi/emperor.ini\nKillSignal=SIGQUIT\n")
    write(tmp_path, "repo/Dockerfile", "FROM python\nCOPY emperor.ini /etc/uwsgi/\n"
          "CMD uwsgi --ini /etc/uwsgi/emperor.ini\n")
    assert [(d.code, d.fix) for d in run([emperor], "UW202")] == [("UW202", None)]
    (tmp_path / "repo" / "uwsgi.service").unlink()
    assert [d.fix is not None for d in run([emperor], "UW202")] == [True]

def test_sub_emperor_vassal_is_not_told_about_its_master(tmp_path: Path) -> None:
    emperor = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\n",
                   {"zone.ini": "[uwsgi]\nmaster = true\nemperor = /srv/zone\n"})
    assert run([emperor], "UW201", "UW202") == []


# -- UW203 emperor-monitor-governs-nothing / UW204 emperor-dir-monitor-missing -------------


def test_missing_directory_governs_nothing(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = %dvassals\n"
    assert single(tmp_path, "e.ini", text) == [(
        "UW203", 2, 11,
        f"the directory `{tmp_path}/vassals` does not exist: the Emperor governs nothing "
        "here, without an error; create it or fix the path",
    )]
    assert details(tmp_path, "e.ini", text, *CODES) == [
        "uWSGI falls back to globbing it as a file name and finds nothing. This Emperor has "
        "no other monitor, so it starts no vassal at all."]
    (tmp_path / "apps").mkdir()
    text = "[uwsgi]\nemperor = %dapps\nemperor = vassals/\n"
    [(code, line, col, message)] = single(tmp_path, "f.ini", text)
    assert (code, line, col) == ("UW203", 3, 11)
    assert message == (
        "the directory `vassals/` does not exist: the Emperor governs nothing here, without "
        "an error; create it or fix the path")
    assert details(tmp_path, "f.ini", text, *CODES) == [
        f"It is a relative path: uWSGI resolves it against its working directory, here "
        f"{tmp_path}. uWSGI falls back to globbing it as a file name and finds nothing. The "
        "trailing `/` does not change that: glibc's glob() drops it for a path that does "
        "not exist, so uWSGI still takes the glob monitor; only `dir://` would make it exit."]


def test_plugin_monitor_unknown_scheme_and_flag(tmp_path: Path) -> None:
    text = ("[uwsgi]\nemperor = pg://host=db;SELECT 1\nemperor = redis://cache/vassals\n"
            "emperor = true\n")
    assert single(tmp_path, "e.ini", text) == [
        ("UW203", 2, 11,
         "the `pg://` monitor needs the emperor_pg plugin, not loaded here: it governs "
         "nothing, without an error; add `plugins = emperor_pg`"),
        ("UW203", 3, 11,
         "uWSGI has no `redis://` monitor: it governs nothing, without an error; use "
         "`dir://`, `glob://` or a plugin monitor"),
        ("UW203", 4, 11,
         "`emperor` takes a directory or a glob pattern, not a flag: it governs nothing, "
         "without an error; write the vassals directory"),
    ]
    assert details(tmp_path, "e.ini", text, *CODES) == [
        "The emperor_pg plugin is not in the default uWSGI build and this Emperor does not "
        "load it: uWSGI then globs the value as a file name and finds nothing.",
        "uWSGI knows `dir://`, `glob://` and the plugin monitors `pg://`, `zmq://`, "
        "`mongodb://`, `amqp://`; it globs any other value as a file name and finds nothing.",
        "uWSGI looks for vassal files named like `true` in its working directory and finds "
        "none.",
    ]
    loaded = "[uwsgi]\nplugins = emperor_pg\nemperor = pg://host=db;SELECT 1\n"
    assert single(tmp_path, "f.ini", loaded) == []
    yaml = "uwsgi:\n  emperor: zmq://tcp://127.0.0.1:5250\n  need-plugin: emperor_zeromq\n"
    assert single(tmp_path, "g.yaml", yaml) == []


def test_monitors_that_are_not_judged(tmp_path: Path) -> None:
    write(tmp_path, "one.ini", VASSAL)
    (tmp_path / "vassals").mkdir()
    for i, text in enumerate([
        "[uwsgi]\nemperor = /nonexistent-root/uwsgi/vassals\n",  # a server path
        "[uwsgi]\nemperor = /etc/uwsgi-lint-test.d\n",  # its parent exists, still a server's
        "[uwsgi]\nemperor = %dapps/*/*.ini\n",  # a glob: files are started once they appear
        "[uwsgi]\nemperor = %done.ini\n",  # one file: a glob monitor on it
        "[uwsgi]\nemperor = %dlater.ini\n",
        "[uwsgi]\nemperor = %dvassals\n",  # an empty directory is fine
        "[uwsgi]\nchdir = /srv\nemperor = vassals-elsewhere\n",  # relative to `chdir`
        "[uwsgi]\nemperor = $(VASSALS)\n",  # unknown here
    ]):
        assert single(tmp_path, f"s{i}.ini", text, "UW203", "UW204") == [], text


def test_dir_scheme_on_a_missing_directory_exits(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = dir://%dgone\n"
    assert single(tmp_path, "e.ini", text) == [(
        "UW204", 2, 11,
        f"the directory `{tmp_path}/gone` does not exist: uWSGI exits at start-up; create it "
        "or fix the path",
    )]
    assert details(tmp_path, "e.ini", text, *CODES) == [
        "The `dir://` monitor chdir()s into it at start-up, logs \"chdir(): No such file or "
        "directory [core/emperor.c line 1522]\" and exits, and, as this process is the "
        "Emperor, uWSGI exits with status 1."]
    text = "[uwsgi]\nmaster = true\ndie-on-term = true\nemperor = dir://gone\n"
    [(code, line, col, message)] = single(tmp_path, "f.ini", text, "UW204")
    assert (code, line, col) == ("UW204", 4, 11)
    assert "the Emperor exits at start-up and is respawned in a loop;" in message
    [detail] = details(tmp_path, "f.ini", text, "UW204")
    assert detail.endswith(
        "and exits, and the master respawns the Emperor at once, again and again (hundreds "
        "of times a second), governing nothing.")
    assert detail.startswith("It is a relative path: uWSGI resolves it against its working "
                             "directory")
    (tmp_path / "here").mkdir()
    for i, text in enumerate(["[uwsgi]\nemperor = dir://%dhere\n",
                              "[uwsgi]\nemperor = dir:///nonexistent-root/vassals\n"]):
        assert single(tmp_path, f"s{i}.ini", text, "UW203", "UW204") == []


def test_monitor_in_json_and_xml(tmp_path: Path) -> None:
    assert positions(single(tmp_path, "e.json", '{"uwsgi": {"emperor": "dir://%dx"}}\n')) == [
        ("UW204", 1, 23)]
    assert positions(single(tmp_path, "e.xml", "<uwsgi>\n<emperor>%dx</emperor>\n</uwsgi>\n")
                     ) == [("UW203", 2, 10)]


# -- UW205 vassal-file-not-started / UW206 vassal-backup-file ------------------------------


def test_files_the_directory_monitor_never_starts(tmp_path: Path) -> None:
    emperor = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\n", {
        "app.ini": VASSAL, "Shop.INI": VASSAL, "blog.conf": VASSAL, "app.ini~": VASSAL,
        "app.ini.bak": VASSAL, "app.ini.dpkg-new": VASSAL, "old.ini.disabled": VASSAL,
        "base.skel": VASSAL, "README.md": "# vassals\n", ".gitkeep": "",
    })
    v = tmp_path / "vassals"
    (v / "dead.ini").symlink_to("../nowhere.ini")
    (v / "server.ini").symlink_to("/nonexistent-root/app.ini")  # a server path
    (v / ".#app.ini").symlink_to("me@host.1234")  # an emacs lock file
    found = run([emperor], "UW205", "UW206")
    assert brief(found) == [
        ("UW206", ".#app.ini", 1, 1),
        ("UW205", "Shop.INI", 1, 1),
        ("UW206", "app.ini.bak", 1, 1),
        ("UW206", "app.ini.dpkg-new", 1, 1),
        ("UW206", "app.ini~", 1, 1),
        ("UW205", "blog.conf", 1, 1),
        ("UW205", "dead.ini", 1, 1),
    ]
    messages = {Path(d.span.file).name: d.message for d in found}
    accepted = ".xml, .ini, .yml, .yaml, .js, .json"
    assert messages["Shop.INI"] == (
        "`Shop.INI` is never started: the Emperor compares suffixes case-sensitively and "
        f"accepts only {accepted}; rename it `Shop.ini`")
    assert messages["blog.conf"] == (
        f"`blog.conf` is never started: the Emperor only starts files ending in {accepted}; "
        "rename it (e.g. `blog.ini` for an INI config)")
    assert messages["dead.ini"] == (
        "`dead.ini` is a symlink to `../nowhere.ini`, which does not exist: the Emperor "
        "skips it at every scan (and stops its vassal if one was running); fix the link or "
        "remove it")
    assert messages["app.ini~"] == (
        "`app.ini~` looks like a backup or editor leftover: the Emperor never starts it; "
        "move it out of the vassals directory")
    assert {Path(d.span.file).name: d.detail for d in found}["app.ini~"] == (
        f"The Emperor starts only files ending in {accepted}, so whatever this file holds is "
        "not running.")
    for d in found:
        [rel] = d.related
        assert (rel.message, Path(rel.span.file).name, rel.span.start.line) == (
            "the Emperor watches this directory here", "emperor.ini", 2)


def test_extra_extension_and_nofollow(tmp_path: Path) -> None:
    emperor = tree(tmp_path, (
        "[uwsgi]\nemperor = %dvassals\nemperor-extra-extension = .conf\n"
        "emperor-nofollow = true\n"), {"blog.conf": VASSAL, "App.CONF": VASSAL})
    (tmp_path / "vassals" / "dead.ini").symlink_to("../nowhere.ini")
    found = run([emperor], "UW205", "UW206")
    # .conf is accepted (case-sensitively); under emperor-nofollow the dangling link is
    # started (lstat)
    assert brief(found) == [("UW205", "App.CONF", 1, 1)]
    assert found[0].message == (
        "`App.CONF` is never started: the Emperor compares suffixes case-sensitively and "
        "accepts only .xml, .ini, .yml, .yaml, .js, .json, .conf; rename it `App.conf`")


# -- UW207 emperor-freq-out-of-range -------------------------------------------------------


def test_emperor_freq(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-freq = 0\n"
    assert single(tmp_path, "a.ini", text) == [(
        "UW207", 3, 16,
        "`emperor-freq = 0`: the Emperor never waits and rescans its monitors in a busy "
        "loop; remove it (default 3 s) or use 1 or more",
    )]
    assert details(tmp_path, "a.ini", text, *CODES) == [
        "`emperor-freq` is the Emperor's poll timeout in seconds: with 0 the loop keeps a CPU "
        "core at 100 %."]
    [(_, _, _, message)] = single(tmp_path, "b.ini", "[uwsgi]\nemperor = /e\n"
                                  "emperor-freq = 0.5\n", "UW207")
    assert message.startswith("`emperor-freq = 0.5` (read as 0): the Emperor never waits")
    assert single(tmp_path, "c.yaml", "uwsgi:\n  emperor: /e\n  emperor-freq: 300\n") == [(
        "UW207", 3, 17,
        "`emperor-freq = 300`: the Emperor notices a new, touched or removed vassal file only "
        "every 5 minutes; the default is 3 s",
    )]
    assert details(tmp_path, "c.yaml", "uwsgi:\n  emperor: /e\n  emperor-freq: 300\n",
                   *CODES) == [
        "The Emperor scans its monitors every 5 minutes, so a new vassal file, a touched one "
        "(reload) or a removed one (stop) waits that long to be noticed, and a throttled "
        "vassal is retried only at that pace."]
    for i, text in enumerate(["[uwsgi]\nemperor = /e\nemperor-freq = 3\n",
                              "[uwsgi]\nemperor = /e\nemperor-freq = 59\n",
                              "[uwsgi]\nemperor = /e\nemperor-freq = -1\n",  # UW104's
                              "[uwsgi]\nemperor-freq = 0\n"]):  # no Emperor here
        assert single(tmp_path, f"s{i}.ini", text, "UW207") == [], text


# -- UW208 emperor-throttle-misread ------------------------------------------------------


def test_throttle_growth_rule() -> None:
    assert penalties(1000, 180_000) == [1000, 1_001_000, 2_001_000, 3_001_000, 4_001_000,
                                        5_001_000]
    # the observed pattern with 2000/6000 ms: the max is reached, then halved
    assert penalties(2000, 6000) == [2000, 2_002_000, 4_002_000, 6_002_000, 3_001_000,
                                     5_001_000]
    # emperor-max-throttle * 1000 wraps negative in a C int: halved at every death
    assert penalties(1000, 3_600_000)[1:3] == [500, 250]


def test_throttle_in_seconds(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-throttle = 5\n"
    assert single(tmp_path, "a.ini", text) == [(
        "UW208", 3, 20,
        "`emperor-throttle = 5` looks like seconds, but `emperor-throttle` is in "
        "milliseconds: 5 ms more per death; write 5000 for 5 s",
    )]
    assert details(tmp_path, "a.ini", text, *CODES) == [
        "A vassal that keeps dying before it serves its first request waits only 5 ms longer "
        "after each death. For a vassal that keeps dying before it serves its first request, "
        "the waits after its first 6 deaths are 0.000005 s, 0.005005 s, 0.010005 s, "
        f"0.015005 s, 0.020005 s, 0.025005 s {HOW}."]
    text = "[uwsgi]\nemperor = /e\nemperor-max-throttle = 180\n"
    assert single(tmp_path, "b.ini", text) == [(
        "UW208", 3, 24,
        "`emperor-max-throttle = 180` looks like seconds, but `emperor-max-throttle` is in "
        "milliseconds (180 ms, below `emperor-throttle` (1000 ms, the default)); write "
        "180000 for 180 s",
    )]
    assert details(tmp_path, "b.ini", text, *CODES) == [
        "For a vassal that keeps dying before it serves its first request, the waits after "
        "its first 6 deaths are 0.001 s, 1.001 s, 0.5005 s, 0.25025 s, 0.125125 s, 1.125 s "
        f"{HOW}."]


def test_throttle_zero_inverted_and_overflowing(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-throttle = 0\nemperor-max-throttle = 0\n"
    found = single(tmp_path, "a.ini", text)
    assert positions(found) == [("UW208", 3, 20), ("UW208", 4, 24)]
    assert found[0][3] == (
        "`emperor-throttle = 0`: a vassal that keeps dying is respawned at every scan, with no "
        "penalty; remove it (default 1000 ms)")
    assert found[1][3].startswith(
        "`emperor-max-throttle = 0`: a vassal that keeps dying is hardly throttled; remove it")
    assert details(tmp_path, "a.ini", text, *CODES)[1].startswith(
        "The penalty is at the maximum from the start and is halved at every death.")
    text = "[uwsgi]\nemperor = /e\nemperor-throttle = 5000\nemperor-max-throttle = 3000\n"
    [(code, line, col, message)] = single(tmp_path, "b.ini", text)
    assert (code, line, col) == ("UW208", 3, 20)
    assert message == (
        "`emperor-throttle` (5000 ms) is above `emperor-max-throttle` (3000 ms): the penalty "
        "swings up and down; keep it well below `emperor-max-throttle`")
    assert details(tmp_path, "b.ini", text, *CODES) == [
        "After the second death the penalty is already past the maximum. For a vassal that "
        "keeps dying before it serves its first request, the waits after its first 6 deaths "
        f"are 0.005 s, 5.005 s, 2.502 s, 7.503 s, 3.751 s, 1.876 s {HOW}."]
    text = '{"uwsgi": {"emperor": "/e", "emperor-max-throttle": 3600000}}'
    [(code, line, col, message)] = single(tmp_path, "c.json", text)
    assert (code, line, col) == ("UW208", 1, 53)
    assert message.startswith(
        "`emperor-max-throttle` (3600000 ms) with `emperor-throttle` (1000 ms, the default) "
        "overflows the penalty")
    assert details(tmp_path, "c.json", text, *CODES)[0].startswith(
        "uWSGI keeps the penalty in a 32-bit count of microseconds")


def test_throttle_silent_cases(tmp_path: Path) -> None:
    for i, text in enumerate([
        "[uwsgi]\nemperor = /e\n",
        "[uwsgi]\nemperor = /e\nemperor-throttle = 2000\nemperor-max-throttle = 60000\n",
        "[uwsgi]\nemperor = /e\nemperor-no-blacklist = true\nemperor-throttle = 0\n",
        "[uwsgi]\nemperor-throttle = 5\n",  # not an Emperor
    ]):
        assert single(tmp_path, f"s{i}.ini", text, "UW208") == [], text


# -- UW209 emperor-curse-tolerance-misread -------------------------------------------------


def test_curse_tolerance(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-curse-tolerance = 0\n"
    assert positions(single(tmp_path, "a.ini", text)) == [("UW209", 3, 27)]
    text = "[uwsgi]\nemperor = /e\nemperor-curse-tolerance = 30000\n"
    assert single(tmp_path, "b.ini", text) == [(
        "UW209", 3, 27,
        "`emperor-curse-tolerance = 30000` is in seconds, not milliseconds: a stopped vassal "
        "that hangs is SIGKILLed only after 500 minutes; write 30 for 30 s",
    )]
    assert details(tmp_path, "b.ini", text, *CODES) == ["The default is 30 s."]
    for i, text in enumerate(["[uwsgi]\nemperor = /e\nemperor-curse-tolerance = 60\n",
                              "[uwsgi]\nemperor-curse-tolerance = 0\n"]):
        assert single(tmp_path, f"s{i}.ini", text, "UW209") == []


# -- UW210 vassal-heartbeat-not-below-required ---------------------------------------------


def test_heartbeat_at_the_default_limit(tmp_path: Path) -> None:
    emperor = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\n",
                   {"app.ini": VASSAL + "heartbeat = 31\n", "ok.ini": VASSAL + "heartbeat = 30\n"})
    [d] = run([emperor], "UW210")
    assert brief([d]) == [("UW210", "app.ini", 5, 13)]
    assert (d.message, d.detail) == (
        "`heartbeat = 31` is above the Emperor's `emperor-required-heartbeat` (30 s): it "
        "SIGKILLs this vassal again and again; use e.g. `heartbeat = 10`",
        "Once the vassal has sent a heartbeat, the Emperor kills it with SIGKILL whenever "
        "more than 30 s pass without one (\"sent no heartbeat in last 30 seconds, brutally "
        "respawning it\"), and a heartbeat comes at best every 31 s. The Emperor does not set "
        "`emperor-required-heartbeat`: 30 s is the default.")
    [rel] = d.related
    assert (rel.message, Path(rel.span.file).name, rel.span.start.line) == (
        "the Emperor (emperor-required-heartbeat not set: 30 s)", "emperor.ini", 2)


def test_heartbeat_against_an_explicit_limit_and_injected(tmp_path: Path) -> None:
    emperor = tree(tmp_path, (
        "[uwsgi]\nemperor = %dvassals\nemperor-required-heartbeat = 20\n"
        "vassal-set = heartbeat=25\n"), {"a.ini": VASSAL, "b.ini": VASSAL + "heartbeat = 5\n"})
    found = run([emperor], "UW210")
    # b.ini's own value wins; a.ini gets the Emperor's vassal-set, reported where written
    assert brief(found) == [("UW210", "emperor.ini", 4, 14)]
    [d] = found
    assert d.message.startswith("`heartbeat = 25` is above the Emperor's "
                                "`emperor-required-heartbeat` (20 s):")
    assert next((r.message, r.span.start.line) for r in d.related) == (
        "the Emperor requires a heartbeat this often here", 3)


def test_heartbeat_silent_cases(tmp_path: Path) -> None:
    assert single(tmp_path, "alone.ini", VASSAL + "heartbeat = 60\n", "UW210") == []
    emperor = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\nemperor-required-heartbeat = 90\n",
                   {"a.ini": VASSAL + "heartbeat = 60\n", "b.ini": VASSAL + "heartbeat = 0\n"})
    assert run([emperor], "UW210") == []


# -- UW211 emperor-stats-exposed ------------------------------------------------------------


def test_emperor_stats_on_every_interface(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-stats-server = :9191\n"
    assert single(tmp_path, "a.ini", text) == [(
        "UW211", 3, 24,
        "`emperor-stats-server = :9191` serves the Emperor's JSON stats on every network "
        "interface, with no authentication; bind it to 127.0.0.1 or a UNIX socket",
    )]
    assert details(tmp_path, "a.ini", text, *CODES) == [
        "It listens on every network interface (port 9191): anyone who reaches it reads the "
        "Emperor's JSON stats: every vassal with its config file name, pid, uid/gid, monitor "
        "and respawns, and the blacklist. A UNIX socket: e.g. `/run/uwsgi/stats.sock`."]


def test_vassal_stats_and_silent_cases(tmp_path: Path) -> None:
    emperor = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\n", {
        "a.ini": VASSAL + "stats = 0.0.0.0:1717\n", "b.ini": VASSAL + "stats = 127.0.0.1:1718\n",
        "c.ini": VASSAL + "stats = /run/uwsgi/c.stats\n"})
    found = run([emperor], "UW211")
    assert brief(found) == [("UW211", "a.ini", 5, 9)]
    assert "reads this vassal's JSON stats: the workers" in found[0].detail
    assert run([emperor], "UW211", container=True) == []  # the container's own network
    # a standalone instance's stats is UW503's
    assert single(tmp_path, "alone.ini", VASSAL + "stats = :1717\n", "UW211") == []
    for i, text in enumerate(["[uwsgi]\nemperor = /e\nemperor-stats = 127.0.0.1:9191\n",
                              "[uwsgi]\nemperor = /e\nemperor-stats = localhost:9191\n",
                              "[uwsgi]\nemperor = /e\nemperor-stats = /run/e.sock\n"]):
        assert single(tmp_path, f"s{i}.ini", text, "UW211") == []


# -- UW212 emperor-pidfile-unsafe ----------------------------------------------------------


def test_emperor_pidfile(tmp_path: Path) -> None:
    text = "[uwsgi]\nemperor = /e\nemperor-pidfile = /tmp/emperor.pid\n"
    [(code, line, col, message)] = single(tmp_path, "a.ini", text)
    assert (code, line, col) == ("UW212", 3, 19)
    assert message.startswith("`emperor-pidfile = /tmp/emperor.pid` is in a world-writable "
                              "directory; use a directory only root can write")
    assert details(tmp_path, "a.ini", text, *CODES)[0].startswith(
        "Any local user can create that name first")
    text = "[uwsgi]\nemperor = /e\nemperor-pidfile = run/emperor.pid\n"
    assert single(tmp_path, "b.ini", text) == [(
        "UW212", 3, 19,
        "`emperor-pidfile = run/emperor.pid` is relative: the Emperor writes it in the "
        "directory uWSGI is started from; use an absolute path such as "
        "`/run/uwsgi/emperor.pid`",
    )]
    assert details(tmp_path, "b.ini", text, *CODES) == [
        "The Emperor writes it in its working directory when it starts (the directory uWSGI "
        "is started from), so scripts and `PIDFile=` looking for it by that name may not "
        "find it."]
    text = ("[uwsgi]\nemperor = /e\nmaster = true\ndie-on-term = true\n"
            "pidfile = /run/uwsgi/u.pid\nemperor-pidfile = /run/uwsgi/u.pid\n")
    found = run([write(tmp_path, "c.ini", text)], "UW212")
    assert brief(found) == [("UW212", "c.ini", 6, 19)]
    assert found[0].message.startswith("`emperor-pidfile` names the same file as `pidfile`:")
    assert [r.span.start.line for r in found[0].related] == [5]
    for i, text in enumerate([
        "[uwsgi]\nemperor = /e\nemperor-pidfile = /run/uwsgi/emperor.pid\n",
        # no master: one process, one pid
        "[uwsgi]\nemperor = /e\npidfile = /run/u.pid\nemperor-pidfile = /run/u.pid\n",
        "[uwsgi]\nemperor-pidfile = /tmp/e.pid\n",  # not an Emperor
    ]):
        assert single(tmp_path, f"s{i}.ini", text, "UW212") == [], text


# -- UW213 emperor-wrapper-not-absolute ----------------------------------------------------


def test_emperor_wrapper(tmp_path: Path) -> None:
    (tmp_path / "vassals").mkdir()
    text = ("[uwsgi]\nemperor = %dvassals\nemperor-wrapper = uwsgi3\n"
            "emperor-wrapper-override = venv/bin/uwsgi\n"
            "emperor-wrapper-fallback = /usr/bin/uwsgi\n")
    found = single(tmp_path, "a.ini", text)
    assert found == [
        ("UW213", 3, 19,
         "`emperor-wrapper` is not an absolute path: execvp() looks `uwsgi3` up in the "
         "Emperor's PATH; write the full path"),
        ("UW213", 4, 28,
         "`emperor-wrapper-override` is not an absolute path: execvp() resolves "
         "`venv/bin/uwsgi` against the vassal's working directory; write the full path"),
    ]
    assert details(tmp_path, "a.ini", text, *CODES) == [
        "execvp() looks `uwsgi3` up in the PATH the Emperor was started with (systemd's "
        "default PATH has no virtualenv), and may run another binary of that name. When no "
        "binary is found the vassal exits with code 26 and the Emperor never respawns it.",
        "execvp() resolves `venv/bin/uwsgi` against the vassal's working directory (the "
        "vassals directory the Emperor watches), not against this file. When it is not "
        "found the Emperor silently falls back to the next binary.",
    ]


# -- UW214 emperor-wait-for-command-inert (2.1) --------------------------------------------


def test_wait_for_command_without_socket(tmp_path: Path) -> None:
    text = ("[uwsgi]\nemperor = /e\nemperor-wait-for-command = true\n"
            "emperor-wait-for-command-ignore = admin.ini\n")
    assert single(tmp_path, "a.ini", text, version="2.1") == [
        ("UW214", 3, 1,
         "`emperor-wait-for-command` is ignored without `emperor-command-socket`: the "
         "Emperor starts every vassal at once; add `emperor-command-socket`"),
        ("UW214", 4, 1,
         "`emperor-wait-for-command-ignore = admin.ini` does nothing: "
         "`emperor-command-socket` is not set; remove it"),
    ]
    assert details(tmp_path, "a.ini", text, *CODES, version="2.1") == [
        "It is only read when `emperor-command-socket` is set: without it the Emperor starts "
        "every vassal at once, without waiting for a spawn command.",
        "No vassal waits for a command. For this option to matter, enable "
        "`emperor-wait-for-command` with an `emperor-command-socket`.",
    ]
    text = ("[uwsgi]\nemperor = /e\nemperor-command-socket = /run/e.cmd\n"
            "emperor-wait-for-command-ignore = admin.ini\n")
    [(_, line, _, message)] = single(tmp_path, "b.ini", text, version="2.1")
    assert line == 4 and "`emperor-wait-for-command` is off" in message


def test_wait_for_command_silent_cases(tmp_path: Path) -> None:
    good = ("[uwsgi]\nemperor = /e\nemperor-command-socket = /run/e.cmd\n"
            "emperor-wait-for-command = true\nemperor-wait-for-command-ignore = admin.ini\n")
    assert single(tmp_path, "a.ini", good, version="2.1") == []
    # on 2.0 these options do not exist: UW101 speaks, not UW214
    text = "[uwsgi]\nemperor = /e\nemperor-wait-for-command = true\n"
    assert single(tmp_path, "b.ini", text, "UW214", "UW101") == [(
        "UW101", 3, 1,
        "'emperor-wait-for-command' exists only in uWSGI 2.1-dev; uWSGI 2.0.31 ignores it "
        "(target version 2.0)")]


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_a_page(code: str) -> None:
    assert (Path(__file__).resolve().parents[1] / "rules" / f"{code}.md").is_file()


def test_corpus_emperor_sets_findings_are_the_judged_ones() -> None:
    corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "emperor-sets"
    if not corpus.is_dir():
        pytest.skip("../shared is absent")
    report = lint([str(corpus)])
    found = sorted((d.code, os.path.relpath(d.span.file, corpus), d.span.start.line)
                   for d in report.diagnostics if d.code in CODES)
    assert ("UW203", "vapor-ware__synse-server/opendcre_uwsgi.old.ini", 30) in found
    assert ("UW211", "smn__uwsgi-emperor-example/emperor.ini", 6) in found
    assert {c for c, _, _ in found} <= {"UW202", "UW203", "UW211"}


def test_monitor_through_a_placeholder(tmp_path: Path) -> None:
    server = "[uwsgi]\nbase = /nonexistent-root/uwsgi\nemperor = %(base)/vassals\n"
    assert single(tmp_path, "a.ini", server, "UW203") == []
    local = "[uwsgi]\nbase = %dsrv\nemperor = %(base)/vassals\n"
    assert positions(single(tmp_path, "b.ini", local, "UW203")) == [("UW203", 3, 11)]


# -- issue 12: one answer to "is this flag on" (View.flag), one to "what runs beside the
# Emperor" (View.socket_or_gateway) ---------------------------------------------------------


@pytest.mark.parametrize("router", [
    "fastrouter-subscription-server = /run/uwsgi/subscribe.sock\n",
    "http-zerg = /run/uwsgi/zerg.sock\n",
])
def test_master_with_only_a_subscription_server_or_zerg_runs_nothing(
        tmp_path: Path, router: str) -> None:
    # plugins/corerouter/corerouter.c: uwsgi_corerouter_init() registers the router's
    # gateway only for a socket of its own (has_sockets); uWSGI 2.0.31 with `master`, an
    # Emperor and `fastrouter-subscription-server` (or `fastrouter-zerg` attached to a
    # running zerg server) forks the Emperor and nothing else ("no-workers")
    text = "[uwsgi]\nemperor = /etc/uwsgi/vassals\nmaster = true\ndie-on-term = true\n" + router
    found = single(tmp_path, "e.ini", text, "UW201")
    assert positions(found) == [("UW201", 3, 1)]
    assert found[0][3].startswith("`master` forks the Emperor under a master that runs no "
                                  "workers")
    # a router with its own socket runs its gateway under the master
    text = ("[uwsgi]\nemperor = /etc/uwsgi/vassals\nmaster = true\ndie-on-term = true\n"
            "fastrouter = /run/uwsgi/fastrouter.sock\n")
    assert single(tmp_path, "f.ini", text, "UW201") == []


def test_relative_monitor_with_an_undecided_early_emperor(tmp_path: Path) -> None:
    # the monitor is resolved against `chdir` unless `early-emperor` is on, and the last
    # entry applied wins (uwsgi_opt_true()): undecided here, so it is not judged
    text = ("[uwsgi]\nchdir = /srv\nif-env = EARLY\nearly-emperor = true\nendif =\n"
            "emperor = vassals-missing\n")
    assert single(tmp_path, "e.ini", text, "UW203", "UW204") == []
    text = "[uwsgi]\nchdir = /srv\nearly-emperor = true\nemperor = vassals-missing\n"
    assert positions(single(tmp_path, "f.ini", text, "UW203")) == [("UW203", 4, 11)]


def test_dangling_vassal_link_under_an_undecided_nofollow(tmp_path: Path) -> None:
    # with `emperor-nofollow` on, the Emperor lstat()s the link and starts it; undecided
    # here: the tree builder does not start it (a flag counts only when surely on), and
    # UW205 does not claim the Emperor skips it
    emperor = tree(tmp_path, "[uwsgi]\nemperor = %dvassals\nif-env = NOFOLLOW\n"
                             "emperor-nofollow = true\nendif =\n")
    (tmp_path / "vassals" / "dead.ini").symlink_to("../nowhere.ini")
    report = lint([str(emperor)])
    assert report.errors == []
    assert [d for d in report.diagnostics if Path(d.span.file).name == "dead.ini"] == []
