"""Differential test: the static reading of every uwsgiconf fixture against uwsgiconf 2.4.0.

Every ``tests/fixtures/uwsgiconf/*.py`` is compiled by the real library (in one subprocess,
``Configuration.format(stamp=False)`` per configuration) and read statically by
``uwsgi_lint.readers.python.static_ini``, which never runs it.  The two INI texts are
compared per configuration, line by line: a static ``<unknown: EXPR>`` matches any text,
and every other difference must be listed in :data:`EXPECTED` with its reason.  An
``EXPECTED`` entry that no longer differs fails too: no stale excuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT
from .helpers import compile_with_uwsgiconf

FIXTURES = ROOT / "tests" / "fixtures" / "uwsgiconf"
FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))
UNKNOWN = "<unknown: "


# fixture stem -> {difference: why it is expected}.  A difference is "uwsgiconf only: ..."
# (a line only the real compile writes) or "static only: ..." (only the static reading),
# followed by "ALIAS [SECTION] key = value" (see differences()); an entry ending in "..."
# stands for every difference it starts.  "Not modelled" entries are gaps of emit.py (it
# writes nothing for what it cannot model): remove them when the gap closes.
NOT_MODELLED = "not modelled by uwsgiconf/emit.py, which writes nothing for it: "
EXPECTED: dict[str, dict[str, str]] = {
    "control_runtime_if": {
        "static only: uwsgicfg [uwsgi] workers = 8":
            "on purpose: `if in_production` depends on os.environ, so both branches are kept "
            "(each under its condition); uwsgiconf ran the else branch",
        "static only: uwsgicfg [uwsgi] uid = www-data":
            "on purpose: the production branch, kept under its condition (see workers = 8)",
    },
    "cheaper_busyness": {
        "uwsgiconf only: uwsgicfg [uwsgi] cheaper-busyness-backlog-...":
            "on purpose: `algo.set_emergency_params()` is a call on a built uwsgiconf object, "
            "which the evaluator does not follow and says so (UW609)",
    },
    "alarms": {
        "uwsgiconf only: uwsgicfg [uwsgi] alarm = stop signal:17":
            NOT_MODELLED + "alarm types (alarms.alarm_types.*), registered by alarm_on_log()",
        "uwsgiconf only: uwsgicfg [uwsgi] alarm-log = mail Traceback":
            NOT_MODELLED + "alarm_on_log()",
        "uwsgiconf only: uwsgicfg [uwsgi] not-alarm-log = mail,stop MemoryError":
            NOT_MODELLED + "alarm_on_log(skip=True)",
        "uwsgiconf only: uwsgicfg [uwsgi] alarm-backlog = stop":
            NOT_MODELLED + "alarm_on_queue_full()",
        "uwsgiconf only: uwsgicfg [uwsgi] alarm-segfault = mail":
            NOT_MODELLED + "alarm_on_segfault()",
    },
    "logging_group": {
        "uwsgiconf only: uwsgicfg [uwsgi] plugin = logfile":
            NOT_MODELLED + "the plugin a logger object needs (loggers.file)",
        "uwsgiconf only: uwsgicfg [uwsgi] plugin = syslog":
            NOT_MODELLED + "the plugin a logger object needs (loggers.syslog)",
    },
    "monitoring": {
        "uwsgiconf only: uwsgicfg [uwsgi] plugin = stats_pusher_statsd":
            NOT_MODELLED + "the plugin a stats pusher needs (pushers.statsd)",
    },
    "placeholders_runtime_dir": {
        "uwsgiconf only: uwsgicfg [uwsgi] metrics-dir = /run/apps/shop/metrics":
            NOT_MODELLED + "{placeholders} in set_metrics_params(store_dir=)",
        "static only: uwsgicfg [uwsgi] metrics-dir = {project_runtime_dir}/metrics":
            NOT_MODELLED + "{placeholders} in set_metrics_params(store_dir=)",
    },
    "queue_subscriptions": {
        "uwsgiconf only: uwsgicfg [uwsgi] subscribe2 = addr=127.0.0.1:3031,weight=2,"
        "key=app.example.com,server=127.0.0.1:2626": NOT_MODELLED + "subscriptions.subscribe()",
    },
    "routing_simple": {
        "uwsgiconf only: uwsgicfg [uwsgi] error-page-403 = /srv/app/errors/403.html":
            NOT_MODELLED + "routing.set_error_pages() (a dict and a common prefix)",
        "uwsgiconf only: uwsgicfg [uwsgi] error-page-500 = /srv/app/errors/500.html":
            NOT_MODELLED + "routing.set_error_pages() (a dict and a common prefix)",
    },
    "runtime_unknown": {
        "uwsgiconf only: uwsgicfg [shop] print = >   Threads per worker: 2":
            NOT_MODELLED + "the thread-count print line when the count is unknown "
            "(os.cpu_count()); `print = <unknown: ...>` would match",
    },
    "section_methods": {
        "uwsgiconf only: uwsgicfg [uwsgi] print = >   ...":
            NOT_MODELLED + "print_variables() (a fixed list of print lines)",
    },
}


def explains(entry: str, difference: str) -> bool:
    return difference.startswith(entry[:-3]) if entry.endswith("...") else entry == difference


@pytest.fixture(scope="module")
def compiled_by_uwsgiconf(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, object]]:
    """Every fixture compiled by uwsgiconf, in one subprocess run from an empty directory."""
    return compile_with_uwsgiconf(FIXTURE_FILES, tmp_path_factory.mktemp("uwsgiconf"))


def unknown_pattern(static_line: str) -> Callable[[str], bool]:
    """A matcher for uwsgiconf's lines: ``static_line`` with its ``<unknown: EXPR>`` (from
    the marker to the line's last ``>``: EXPR may hold ``>`` itself) standing for any text."""
    before, _, after = static_line.partition(UNKNOWN)
    tail = after[after.rindex(">") + 1:] if ">" in after else ""
    pattern = re.compile(re.escape(before) + ".*" + re.escape(tail), re.DOTALL)
    return lambda line: pattern.fullmatch(line) is not None


def lines_of(configurations: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(context, line)`` for every line of every configuration: an ``alias NAME`` line
    opens each configuration; the context of an option is ``ALIAS [SECTION]``."""
    out: list[tuple[str, str]] = []
    for alias, text in configurations:
        out.append(("", f"alias {alias}"))
        section = ""
        for line in text.splitlines():
            if not line.strip():
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line
                out.append((alias, line))
            else:
                out.append((f"{alias} {section}", line))
    return out


def differences(runtime: list[tuple[str, str]], static: list[tuple[str, str]]) -> list[str]:
    """The lines of a longest common subsequence's complement, in order: a static line
    matches a uwsgiconf line when equal, or when its unknown parts cover the difference."""
    left, right = lines_of(runtime), lines_of(static)
    matchers = [unknown_pattern(line) if UNKNOWN in line else line.__eq__ for _, line in right]
    n, m = len(left), len(right)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = (best[i + 1][j + 1] + 1 if matchers[j](left[i][1])
                          else max(best[i + 1][j], best[i][j + 1]))
    out: list[str] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and matchers[j](left[i][1]):
            i, j = i + 1, j + 1
        elif j == m or (i < n and best[i + 1][j] >= best[i][j + 1]):
            out.append(" ".join(["uwsgiconf only:", *filter(None, left[i])]))
            i += 1
        else:
            out.append(" ".join(["static only:", *filter(None, right[j])]))
            j += 1
    return out


def test_fixtures_cover_the_issue() -> None:
    assert len(FIXTURE_FILES) >= 40


def test_expected_names_existing_fixtures() -> None:
    assert set(EXPECTED) <= {path.stem for path in FIXTURE_FILES}


def test_comparison_rules() -> None:
    """The comparison itself: unknown parts match any text, extra lines on either side are
    named with their configuration and section."""
    runtime = [("uwsgicfg", "\n[uwsgi]\nworkers = 3\nenv = A=x>y\nmaster = true")]
    static = [("uwsgicfg", "\n[uwsgi]\nworkers = <unknown: settings.WORKERS>\n"
                            "env = A=<unknown: f'{a > b}'>\nvacuum = true")]
    assert differences(runtime, static) == [
        "uwsgiconf only: uwsgicfg [uwsgi] master = true",
        "static only: uwsgicfg [uwsgi] vacuum = true",
    ]
    assert differences(runtime, [("other", "\n[uwsgi]\nworkers = 3")]) == [
        "uwsgiconf only: alias uwsgicfg", "static only: alias other",
        "uwsgiconf only: uwsgicfg [uwsgi] env = A=x>y",
        "uwsgiconf only: uwsgicfg [uwsgi] master = true",
    ]


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.stem)
def test_static_reading_matches_uwsgiconf(
    fixture: Path, compiled_by_uwsgiconf: dict[str, dict[str, object]]
) -> None:
    from uwsgi_lint.readers.python import static_ini

    compiled = compiled_by_uwsgiconf[fixture.name]
    assert "error" not in compiled, f"uwsgiconf failed on {fixture.name}:\n{compiled}"
    configurations = compiled["configurations"]
    assert isinstance(configurations, list)
    runtime = [(alias, text) for alias, text in configurations]
    found = differences(runtime, static_ini(str(fixture)))
    expected = EXPECTED.get(fixture.stem, {})
    unexplained = [d for d in found if not any(explains(e, d) for e in expected)]
    stale = [e for e in expected if not any(explains(e, d) for d in found)]
    report = [f"unexplained: {d}" for d in unexplained] + [f"stale EXPECTED: {d}" for d in stale]
    assert not report, "\n".join(report)
