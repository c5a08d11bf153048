"""Tests for the uWSGI option catalog (uwsgi_lint.catalog) and its generator."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from uwsgi_lint.catalog import (
    RELEASES,
    TARGET_VERSIONS,
    Catalog,
    Option,
    first_release,
    load_catalog,
    plugin_default_build,
)

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "uwsgi_lint" / "catalog"
RELEASES_FILE = CATALOG_DIR / "releases-2.0.json"
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference" / "options"
REFERENCE_20 = REFERENCE_DIR / "uwsgi-2.0.31.json"
REFERENCE_21 = REFERENCE_DIR / "uwsgi-2.1-dev.json"

# Rows where the packaged 2.0.31 table deliberately differs from the reference, with why.
# Keyed by (name, field); names declared twice (mimefile, mime-file) get '#1'/'#2'.
_NOT_IN_LINUX_BUILD = "conditions never hold on a default Linux build; reference ignored them"
_FREEBSD = f"FreeBSD-only (__FreeBSD__/__GNU_kFreeBSD__): {_NOT_IN_LINUX_BUILD}"
_SSL_CACHE = (
    "UWSGI_SSL_SESSION_CACHE is only defined for OpenSSL < 1.1.0 (uwsgi.h): " + _NOT_IN_LINUX_BUILD
)
_APPLE = f"the #ifdef __APPLE__ branch: {_NOT_IN_LINUX_BUILD}"
_DEDUP = "reference lists the alias twice (declared in both #ifdef/#else branches); de-duplicated"
EXPECTED_DIFFERENCES: dict[tuple[str, str], str] = {
    **{
        (name, "default_build"): _FREEBSD
        for name in (
            "jail",
            "jail-ip4",
            "jail-ip6",
            "jidfile",
            "jid-file",
            "jail2",
            "libjail",
            "jail-attach",
        )
    },
    **{
        (name, "default_build"): _SSL_CACHE
        for name in (
            "ssl-sessions-use-cache",
            "ssl-session-use-cache",
            "ssl-sessions-timeout",
            "ssl-session-timeout",
        )
    },
    ("mimefile#1", "default_build"): _APPLE,
    ("mime-file#1", "default_build"): _APPLE,
    ("mimefile#1", "aliases"): _DEDUP,
    ("mime-file#1", "aliases"): _DEDUP,
    ("mimefile#2", "aliases"): _DEDUP,
    ("mime-file#2", "aliases"): _DEDUP,
}
COMPARED_FIELDS = ("name", "plugin", "value_kind", "flags", "aliases", "default_build")


def _rows(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["options"]
    return rows


def _row_keys(rows: list[dict[str, Any]]) -> list[str]:
    """Row names, with '#N' appended for names that occur more than once."""
    seen: dict[str, int] = {}
    total: dict[str, int] = {}
    for r in rows:
        total[r["name"]] = total.get(r["name"], 0) + 1
    keys = []
    for r in rows:
        n = seen[r["name"]] = seen.get(r["name"], 0) + 1
        keys.append(f"{r['name']}#{n}" if total[r["name"]] > 1 else r["name"])
    return keys


def _diff(ours: list[dict[str, Any]], ref: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    assert len(ours) == len(ref)
    out: dict[tuple[str, str], Any] = {}
    for key, a, b in zip(_row_keys(ours), ours, ref, strict=True):
        for f in COMPARED_FIELDS:
            if a[f] != b[f]:
                out[(key, f)] = (a[f], b[f])
    return out


@functools.cache
def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_catalog", ROOT / "scripts" / "gen_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gen_catalog"] = mod  # dataclasses look their module up while it executes
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------- the packaged data


def test_counts() -> None:
    c20, c21 = load_catalog("2.0"), load_catalog("2.1")
    assert (c20.version, c20.uwsgi_version) == ("2.0", "2.0.31")
    assert (c21.version, c21.uwsgi_version) == ("2.1", "2.1-dev")
    assert len(c20.options) == 1263
    assert len(c21.options) == 1337
    # distinct names: mimefile/mime-file are declared in an #ifdef and its #else
    assert len(c20.names()) == 1261


def test_only_in_21() -> None:
    only21 = load_catalog("2.1").names() - load_catalog("2.0").names()
    only20 = load_catalog("2.0").names() - load_catalog("2.1").names()
    assert len(only21) == 74  # the number quoted in the issue, checked against the data
    assert "emperor-command-socket" in only21
    assert "emperor-command-socket" not in load_catalog("2.0")
    assert load_catalog("2.1").get("emperor-command-socket") is not None
    assert only20 == {"shutdown-sockets"}  # a 2.0.x backport not on the 2.1-dev branch


def test_get_processes() -> None:
    opt = load_catalog().get("processes")
    assert isinstance(opt, Option)
    assert opt.value_kind == "int"
    assert opt.plugin == "core"
    assert opt.arg == "required"
    assert opt.short == "p"
    assert opt.handler == "uwsgi_opt_set_int"
    assert opt.aliases == ("workers",)
    assert opt.repeatable is False
    assert opt.default_build is True
    assert not opt.immediate and not opt.master
    workers = load_catalog().get("workers")
    assert workers is not None and workers.aliases == ("processes",)


def test_get_is_exact() -> None:
    cat = load_catalog("2.0")
    assert cat.get("Processes") is None
    assert cat.get("max_requests") is None
    assert "master" in cat and "Master" not in cat
    assert cat.get("no-such-option") is None


@pytest.mark.parametrize("name", ["ini", "include", "if-env", "set-placeholder"])
@pytest.mark.parametrize("version", TARGET_VERSIONS)
def test_immediate_flags(name: str, version: str) -> None:
    opt = load_catalog(version).get(name)
    assert opt is not None
    assert opt.immediate
    assert "IMMEDIATE" in opt.flags
    assert not any(f.startswith("UWSGI_OPT_") for f in opt.flags)


def test_flags_and_kinds() -> None:
    cat = load_catalog()
    harakiri_verbose = cat.get("harakiri-verbose")
    assert harakiri_verbose is not None and harakiri_verbose.value_kind == "bool"
    static_cache = cat.get("static-cache-paths")
    assert static_cache is not None and static_cache.flags == {"MIME", "MASTER"}
    assert static_cache.master
    for name, kind in {
        "chmod-socket": "octal3",
        "uid": "user",
        "gid": "group",
        "if-env": "logic-open",
        "endif": "logic-close",
        "ini": "include",
        "set": "assignment",
        "env": "list",
        "module": "string",
        "buffer-size": "uint16",
        "limit-as": "megabytes",
        "max-requests": "uint64",
    }.items():
        opt = cat.get(name)
        assert opt is not None and opt.value_kind == kind, name
    include = cat.get("include")
    assert include is not None and include.aliases == ("inherit",)
    ssl_socket = cat.get("ssl-socket")
    assert ssl_socket is not None and ssl_socket.conditions == ("defined(UWSGI_SSL)",)


def test_bespoke_handlers_are_repeatable() -> None:
    """value_kind None (bespoke parser) -> repeatable True: never flagged as duplicate."""
    cat = load_catalog()
    for opt in cat.options:
        if opt.value_kind is None:
            assert opt.repeatable


def test_duplicate_rows_prefer_linux_build() -> None:
    cat = load_catalog("2.0")
    rows = cat.rows("mimefile")
    assert [r.conditions for r in rows] == [("defined(__APPLE__)",), ("!(defined(__APPLE__))",)]
    got = cat.get("mimefile")
    assert got is rows[1] and got.default_build


def test_default_build() -> None:
    cat = load_catalog()
    assert plugin_default_build("core")
    assert plugin_default_build("python")
    assert plugin_default_build("gevent")
    assert plugin_default_build("router_rewrite")  # embedded, but has no options
    assert not plugin_default_build("php")
    assert not plugin_default_build("php", "2.1")
    php_ini = cat.get("php-ini")
    assert php_ini is not None and not php_ini.default_build
    jail = cat.get("jail")
    assert jail is not None and not jail.default_build
    for opt in cat.options:
        if not plugin_default_build(opt.plugin):
            assert not opt.default_build, opt.name


def test_suggest() -> None:
    cat = load_catalog()
    assert cat.suggest("Master") == ["master"]
    assert cat.suggest("max_requests")[0] == "max-requests"
    assert cat.suggest("procesess")[0] == "processes"
    assert cat.suggest("master:") == ["master"]
    assert cat.suggest("harakri")[0] == "harakiri"
    assert cat.suggest("start-response-nodelay") == ["start_response-nodelay"]
    assert cat.suggest("xyzzy-frobnicate") == []
    assert cat.suggest("master") == []  # known names need no suggestion
    assert len(cat.suggest("htttp", limit=1)) == 1


def test_load_catalog_api() -> None:
    assert TARGET_VERSIONS[0] == "2.0" and TARGET_VERSIONS[-1] == "2.1"
    assert TARGET_VERSIONS[1:-1] == RELEASES == tuple(f"2.0.{n}" for n in range(18, 32))
    assert load_catalog() is load_catalog("2.0")
    assert isinstance(load_catalog("2.1"), Catalog)
    for bad in ("2.0.17", "2.0.32", "2.2", "", "1.9", "2.0.021", "2"):
        with pytest.raises(ValueError):
            load_catalog(bad)


def test_release_catalogs() -> None:
    """A release gets its own table: 2.0.31 rows minus what it lacks, with its fields."""
    rng, r21, r31 = load_catalog("2.0"), load_catalog("2.0.21"), load_catalog("2.0.31")
    assert (r21.version, r21.target, r21.uwsgi_version, r21.release) == (
        "2.0", "2.0.21", "2.0.21", "2.0.21")
    assert (rng.target, rng.release, load_catalog("2.1").release) == ("2.0", None, None)
    assert r31.names() == rng.names() and r31 is not rng
    assert len(load_catalog("2.0.18").options) == 1254  # rows parsed from the 2.0.18 sdist
    assert len(r21.options) == 1259
    assert rng.names() - r21.names() == {
        "harakiri-graceful-signal", "harakiri-graceful-timeout", "harakiri-queue-threshold",
        "max-requests-delta"}
    assert first_release("max-requests-delta") == "2.0.29"
    assert first_release("py-call-uwsgi-fork-hooks") == "2.0.21"
    assert first_release("processes") is None and first_release("no-such") is None
    need_app = (load_catalog("2.0.27").get("need-app"), load_catalog("2.0.28").get("need-app"))
    assert [o.arg if o else None for o in need_app] == ["none", "optional"]
    assert r21.suggest("harakiri-graceful-timeot") != rng.suggest("harakiri-graceful-timeot")


def test_at_least() -> None:
    assert not load_catalog("2.0").at_least("2.0.27")
    assert load_catalog("2.0").at_least("2.0.18")
    assert not load_catalog("2.0.26").at_least("2.0.27")
    assert load_catalog("2.0.27").at_least("2.0.27")
    assert load_catalog("2.1").at_least("2.0.31")


def test_json_is_deterministic_format() -> None:
    gen = _load_generator()
    for path in sorted(CATALOG_DIR.glob("uwsgi-*.json")):
        text = path.read_text(encoding="utf-8")
        assert gen.dumps_catalog(json.loads(text)) == text, path.name
    text = RELEASES_FILE.read_text(encoding="utf-8")
    assert gen.dumps_releases(json.loads(text)) == text
    assert json.loads(text)["releases"] == list(RELEASES)


def test_plugin_order() -> None:
    rows = _rows(CATALOG_DIR / "uwsgi-2.0.31.json")
    plugins: list[str] = []
    for r in rows:
        if not plugins or plugins[-1] != r["plugin"]:
            assert r["plugin"] not in plugins, "plugin rows must be contiguous"
            plugins.append(r["plugin"])
    assert plugins[0] == "core"
    assert plugins[1:] == sorted(plugins[1:])


# ---------------------------------------------------------------- vs. the reference


@pytest.mark.skipif(not REFERENCE_20.is_file(), reason=f"reference not found at {REFERENCE_20}")
def test_matches_reference_20() -> None:
    diffs = _diff(_rows(CATALOG_DIR / "uwsgi-2.0.31.json"), _rows(REFERENCE_20))
    assert set(diffs) == set(EXPECTED_DIFFERENCES)
    for (key, field), (ours, _ref) in diffs.items():
        if field == "default_build":
            assert ours is False, key
        else:
            assert ours == list(dict.fromkeys(_ref)), key


@pytest.mark.skipif(not REFERENCE_21.is_file(), reason=f"reference not found at {REFERENCE_21}")
def test_matches_reference_21() -> None:
    """The 2.1-dev copy differs only by the same normalisations as the 2.0.31 table."""
    ours = _rows(CATALOG_DIR / "uwsgi-2.1-dev.json")
    ref = _rows(REFERENCE_21)
    diffs = _diff(ours, ref)
    assert {f for _k, f in diffs} <= {"default_build", "aliases"}
    assert {k.split("#")[0] for k, _f in diffs} == {
        k.split("#")[0] for k, _f in EXPECTED_DIFFERENCES
    }
    for r_ours, r_ref in zip(ours, ref, strict=True):
        assert {k: v for k, v in r_ours.items() if k not in ("default_build", "aliases")} == {
            k: v for k, v in r_ref.items() if k not in ("default_build", "aliases")
        }


# ---------------------------------------------------------------- the generator


def _sdist_source() -> Path | None:
    env = os.environ.get("UWSGI_SDIST")
    if env:
        return Path(env)
    gen = _load_generator()
    for candidate in (
        gen.cache_path("2.0.31"),
        Path("/tmp/uwsgi-src/uwsgi-2.0.31"),
        Path("/tmp/uwsgi-src/uwsgi-2.0.31.tar.gz"),
    ):
        if candidate.exists():
            return Path(candidate)
    return None


def test_generator_reproduces_packaged_table(tmp_path: Path) -> None:
    source = _sdist_source()
    if source is None:
        pytest.skip(
            "no uwsgi 2.0.31 sdist: set UWSGI_SDIST to the tarball or unpacked directory, or "
            "run scripts/gen_catalog.py once to cache a download"
        )
    gen = _load_generator()
    out = tmp_path / "uwsgi-2.0.31.json"
    assert gen.main(["--version", "2.0.31", "--sdist", str(source), "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (CATALOG_DIR / "uwsgi-2.0.31.json").read_text(
        encoding="utf-8"
    )


def test_generator_reproduces_release_data(tmp_path: Path) -> None:
    """releases-2.0.json, regenerated from the sdists of 2.0.18 ... 2.0.31 (skipped unless
    all are cached: ``python scripts/gen_catalog.py --releases`` caches them)."""
    gen = _load_generator()
    missing = [r for r in RELEASES if not gen.cache_path(r).is_file()]
    if missing:
        pytest.skip(f"uwsgi sdists not cached: {', '.join(missing)}")
    out = tmp_path / "releases-2.0.json"
    assert gen.main(["--releases", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == RELEASES_FILE.read_text(encoding="utf-8")


def test_release_delta_refuses_what_it_cannot_say() -> None:
    gen = _load_generator()
    row: dict[str, Any] = {
        "name": "a", "plugin": "core", "arg": "none", "short": None, "handler": "h",
        "flags": [], "value_kind": None, "repeatable": None, "aliases": [], "conditions": [],
        "default_build": True}
    old = {**row, "name": "gone"}
    with pytest.raises(ValueError, match=r"2\.0\.1 has options that 2\.0\.2 lacks: gone"):
        gen.release_delta("2.0.2", {"2.0.1": ([row, old], []), "2.0.2": ([row], [])})
    with pytest.raises(ValueError, match="embedded plugins differ"):
        gen.release_delta("2.0.2", {"2.0.1": ([row], ["x"]), "2.0.2": ([row], [])})
    back = {**row, "name": "b"}  # in 2.0.1, gone in 2.0.2, back in 2.0.3
    with pytest.raises(ValueError, match=r"2\.0\.2: the table rebuilt"):
        gen.release_delta("2.0.3", {"2.0.1": ([row, back], []), "2.0.2": ([row], []),
                                    "2.0.3": ([row, back], [])})
    doc = gen.release_delta("2.0.3", {"2.0.1": ([{**row, "arg": "optional"}], []),
                                      "2.0.2": ([row, back], []), "2.0.3": ([row, back], [])})
    assert (doc["since"], doc["changed"]) == (
        {"b": "2.0.2"}, {"a": [["2.0.1", "2.0.1", {"arg": "optional"}]]})


def test_generator_parsing_units() -> None:
    gen = _load_generator()
    src = """
    static struct uwsgi_option opts[] = {
        {"a", required_argument, 'A', "help, with {braces}", uwsgi_opt_set_int, &u.a, 0},
        {"b", no_argument, 0, "x" "y", uwsgi_opt_set_int, &u.a,
         UWSGI_OPT_MASTER|UWSGI_OPT_IMMEDIATE},
    #ifdef FOO
        /* {"commented", 0} */
        {(char *)"c", optional_argument, 0, (char *)"z", uwsgi_opt_custom, (void *) 1, 0},
    #else
        {"d", no_argument, 0, "z", uwsgi_opt_noop, NULL, 0},
    #endif
        {0, 0, 0, 0},
    };
    """
    entries = list(gen.iter_option_entries(src))
    rows = [gen.entry_to_row(e, "core") for e in entries]
    rows = [r for r in rows if r is not None]
    gen.assign_aliases(rows)
    assert [r["name"] for r in rows] == ["a", "b", "c", "d"]
    assert rows[0]["short"] == "A" and rows[0]["aliases"] == ["b"]
    assert rows[1]["flags"] == ["UWSGI_OPT_MASTER", "UWSGI_OPT_IMMEDIATE"]
    assert rows[2]["conditions"] == ["defined(FOO)"] and rows[2]["value_kind"] is None
    assert rows[3]["conditions"] == ["!(defined(FOO))"] and rows[3]["arg"] == "none"
    assert gen.condition_holds("defined(UWSGI_SSL) && !defined(__APPLE__)")
    assert not gen.condition_holds("!(defined(__linux__))")
