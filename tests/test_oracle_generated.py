"""Differential safety net: generated configs, expanded by uwsgi-lint and by the real uWSGI.

Seeded random mixes of catalog options with plausible values, placeholders ``%(x)``
(defined, undefined, arithmetic), magic variables (``%n %d %e %s %%`` and unknown
letters), ``$(ENV)``, logic blocks (``if-env`` with the variable set or not through the
oracle's ``--env``, ``if-not-env``, ``for``) and includes of generated sibling files
(``ini = %dpart.ini``), loader entries with a ``:section`` in every format and what
``%(ini)``/``%(xml)``... and ``%o``/``%j`` make of them, and ``inject-before``/``inject-after``
of a generated snippet, in INI, YAML, JSON and XML (nested ``inherit`` is compared in
``tests/test_reading_gaps.py``: the oracle refuses ``inherit``).  The expanded (key, value)
list of the instance uwsgi-lint builds must equal uWSGI's ``--show-config`` list, exactly as
in ``tests/test_oracle.py``.  Skipped only where ``../shared`` is absent.
"""

from __future__ import annotations

import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint.catalog import load_catalog
from uwsgi_lint.instance.build import build_instance
from uwsgi_lint.model import Format

from .conftest import ORACLE, ORACLE_BIN, needs_shared, run_oracle
from .test_oracle import same_machine

pytestmark = [needs_shared, pytest.mark.oracle]

CASES = 72
SEED = 20260701
ENV_NAME = "UWL_FUZZ_SET"

# Classes of difference accepted between uwsgi-lint and uWSGI, and why.  Every generated
# case must match exactly; the generator avoids, and says why, only what cannot be compared:
# - time-dependent magic (%t, %T) and @(exec://...) / $() of the real process environment
#   beyond the oracle's fixed one: the two runs happen at different moments / in different
#   processes;
# - JSON objects with a repeated key: jansson keeps only the last one (a reader matter
#   tested in test_reader_json.py), so the JSON generator writes each key once per object;
# - immediate options (``plugins``, ``ini``-like loaders other than the generated include,
#   ``set``...) beyond those generated on purpose: they act on the oracle's process.
ACCEPTED: dict[str, str] = {}

# handlers that only store the value (others check it when the option is applied and make
# uWSGI exit, which says nothing about expansion)
PLAIN_HANDLERS = {"uwsgi_opt_set_str", "uwsgi_opt_set_int", "uwsgi_opt_true",
                  "uwsgi_opt_add_string_list", "uwsgi_opt_set_64bit", "uwsgi_opt_set_megabytes"}
PLAIN_KINDS = {"bool", "int", "uint64", "string", "list", "megabytes"}
BAD_WORDS = ("exec", "hook", "plugin", "emperor", "call", "ini", "xml", "yaml", "yml", "json",
             "include", "inherit", "import", "mount", "spooler", "cron", "attach", "daemon",
             "for", "if", "end", "set", "ph", "placeholder", "env", "config", "section",
             "safe", "dump", "route", "https", "binary", "push", "override", "ping",
             "help", "version", "connect", "query", "stats", "refuse", "worker-exec",
             "print", "log", "cheap", "vassal", "fork")


def _options() -> list[tuple[str, str]]:
    catalog = load_catalog("2.0")
    found = []
    for name in sorted(catalog.names()):
        opt = catalog.get(name)
        if opt is None or opt.value_kind not in PLAIN_KINDS or opt.immediate:
            continue
        if opt.handler not in PLAIN_HANDLERS or not opt.default_build or opt.arg != "required":
            continue
        if name in {"get"} or any(w in name for w in BAD_WORDS):
            continue
        found.append((name, opt.value_kind))
    return found


OPTIONS = _options()
MAGIC = ["%n", "%d", "%e", "%s", "%%", "%c", "%x", "%p", "%o", "%h", "%k", "%u", "%U", "%g",
         "%G", "%N", "%E", "%q", "%z", "%!", "%_", "%j", "%J", "%O", "%X"]
PLACEHOLDERS = ["%(x)", "%(y)", "%(undefined)", "%(x + 1)", "%(x - y)", "%(n * 2)",
                "%(x)%(y)", "%(%n)", "%(_)", "%(processes)", "%(x+1)", "%(x * y)", "%(", "%()",
                "%(x", "%(x)%", "%(%(x))", "@(%done.txt)", "%(y ++ 1)", "%(x / 0)",
                "%(ini)", "%(xml)", "%(yaml)", "%(json)"]
# how the generated part is loaded: (key, value) of the main file's entry; an `inject-*`
# entry is followed by a plain include, whose text it joins
LOADER_ENTRIES = [("ini", "%dpart.ini"), ("ini", "%dpart.ini:part"), ("xml", "%dpart.xml:part"),
                  ("yaml", "%dpart.yml:part"), ("yaml", "%dlate.yml:part"),
                  ("json", "%dpart.json:part"), ("inject-before", "%dinject.txt"),
                  ("inject-after", "%dinject.txt")]
ENVS = [f"$({ENV_NAME})", "$(HOME)", "$(UWL_UNSET_VAR)", "$(PATH)"]


@dataclass(frozen=True)
class Case:
    fmt: str
    main: list[tuple[str, str]]
    part: list[tuple[str, str]] | None
    env: bool
    loader: tuple[str, str] = ("ini", "%dpart.ini")


def _value(rng: random.Random, kind: str) -> str:
    base = {
        "bool": ["true", "1", "0", "yes", "false", "on"],
        "int": ["4", "16", "0x10", "12abc"],
        "uint64": ["4096", "65536", "1"],
        "megabytes": ["64", "128"],
    }.get(kind, ["/srv/app", "127.0.0.1:8000", "app:application", "a b", "x,y"])
    parts = [rng.choice(base)]
    if kind in {"int", "uint64", "megabytes"}:  # uWSGI exits on some that are not > 0
        return parts[0] + rng.choice(["", "", "%(x)", "%%", "%q"])
    for _ in range(rng.randint(0, 3)):
        pool = rng.choice([MAGIC, PLACEHOLDERS, ENVS, base])
        parts.append(rng.choice(pool))
    rng.shuffle(parts)
    return rng.choice(["", "/", " ", "-"]).join(parts)


def _lines(rng: random.Random, n: int, include: bool, unique: bool,
           loader: tuple[str, str] = LOADER_ENTRIES[0]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if rng.random() < 0.8:
        out.append(("set-placeholder", f"x={rng.choice(['4', '10', '/srv', '%n'])}"))
    if rng.random() < 0.6:
        out.append(("y", rng.choice(["3", "two", "%e", "%(x)"])))
    opened = False
    for _ in range(n):
        r = rng.random()
        if r < 0.12 and not opened:
            kind = rng.choice(["if-env", "if-not-env", "for", "if-env"])
            arg = {"for": rng.choice(["a b c", "%n %e", "%(x) 1"])}.get(
                kind, rng.choice([ENV_NAME, "UWL_UNSET_VAR", "HOME"]))
            out.append((kind, arg))
            opened = True
            continue
        if r < 0.22 and opened:
            out.append(("endfor" if any(k == "for" for k, _ in out[-8:]) and
                        _last_open(out) == "for" else "endif", ""))
            opened = False
            continue
        name, kind = rng.choice(OPTIONS)
        value = _value(rng, kind)
        if opened and _last_open(out) == "for" and rng.random() < 0.5:
            value += "%(_)"
        out.append((name, value))
    if opened:
        out.append(("endfor" if _last_open(out) == "for" else "endif", ""))
    if include:
        at = rng.randint(0, len(out))
        out[at:at] = [loader] if not loader[0].startswith("inject") else [
            loader, ("ini", "%dpart.ini")]
    if unique:  # jansson keeps the last of repeated keys: write each key once
        seen: set[str] = set()
        out = [(k, v) for k, v in out if not (k in seen or seen.add(k))]
        if any(k in {"if-env", "if-not-env", "for"} for k, _ in out) != any(
                k in {"endif", "endfor"} for k, _ in out):
            out = [(k, v) for k, v in out
                   if k not in {"if-env", "if-not-env", "for", "endif", "endfor"}]
    return out


def _last_open(lines: list[tuple[str, str]]) -> str | None:
    for k, _ in reversed(lines):
        if k in {"if-env", "if-not-env", "for"}:
            return "for" if k == "for" else "if"
        if k in {"endif", "endfor"}:
            return None
    return None


def generate(seed: int) -> Case:
    rng = random.Random(seed)
    fmt = ["ini", "ini", "yaml", "json", "xml"][seed % 5]
    include = rng.random() < 0.4
    loader = LOADER_ENTRIES[0]
    if seed >= SEED + 60:  # the cases of the loader entries: each loads the part
        include, loader = True, LOADER_ENTRIES[(seed - SEED) % len(LOADER_ENTRIES)]
    main = _lines(rng, rng.randint(2, 10), include, fmt == "json", loader)
    # the JSON part is read by jansson too: each key once
    part = _lines(rng, rng.randint(1, 5), False, loader[0] == "json") if include else None
    return Case(fmt, main, part, rng.random() < 0.5, loader)


def _ini(lines: list[tuple[str, str]]) -> str:
    return "[uwsgi]\n" + "".join(f"{k} = {v}\n" for k, v in lines)


def _yaml(lines: list[tuple[str, str]]) -> str:
    # a bare `endfor:` has no value: uWSGI 2.0.31 segfaults on it (uwsgi_logic_opt_for)
    return "uwsgi:\n" + "".join(f"  {k}: {v or 1}\n" for k, v in lines)


def _json(lines: list[tuple[str, str]]) -> str:
    import json

    return json.dumps({"uwsgi": dict(lines)}, indent=1) + "\n"


def _xml(lines: list[tuple[str, str]]) -> str:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    body = "".join(f"  <{k}>{esc(v)}</{k}>\n" if v else f"  <{k}/>\n" for k, v in lines)
    return "<uwsgi>\n" + body + "</uwsgi>\n"


WRITERS = {"ini": (_ini, Format.INI), "yaml": (_yaml, Format.YAML), "json": (_json, Format.JSON),
           "xml": (_xml, Format.XML)}
SUFFIX = {"ini": "ini", "yaml": "yml", "json": "json", "xml": "xml"}


def write_case(directory: Path, seed: int) -> tuple[Path, Case]:
    case = generate(seed)
    directory.mkdir(parents=True, exist_ok=True)
    writer, _ = WRITERS[case.fmt]
    path = directory / f"app{seed}.{SUFFIX[case.fmt]}"
    path.write_text(writer(case.main))
    # uWSGI's --show-config prints a value's newlines raw, so the oracle's list cannot hold
    # a multi-line value: @() reads a one-line file
    (directory / "one.txt").write_text("from-file\n")
    if case.part is not None:
        (directory / "part.ini").write_text(_ini(case.part) + _ini(case.part).replace(
            "[uwsgi]", "[part]", 1))
        # the embedded YAML reader returns at `other:` (its entry stays cut), or at the end
        (directory / "part.yml").write_text(_yaml(case.part).replace("uwsgi:", "part:", 1)
                                            + "other:\n  z: 1\n")
        (directory / "late.yml").write_text(_yaml(case.part).replace("uwsgi:", "part:", 1))
        (directory / "part.xml").write_text(
            "<root>" + _xml(case.part).replace("<uwsgi>", '<uwsgi id="part">', 1) + "</root>\n")
        (directory / "part.json").write_text(_json(case.part).replace('"uwsgi"', '"part"', 1))
        (directory / "inject.txt").write_text(_ini(case.part))
    return path, case


def expanded(path: Path, case: Case, result: dict[str, Any]) -> list[list[str]]:
    assume = same_machine(result)
    if case.env:
        assume = replace(assume, env={**(assume.env or {}), ENV_NAME: "on"})
    inst = build_instance(str(path), assume, fmt=WRITERS[case.fmt][1])
    return [[d.key, d.effective] for d in inst.options]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Case, dict[str, Any]]]:
    if not ORACLE_BIN.exists():  # a fresh machine: build it (idempotent, about a minute)
        built = subprocess.run(["sh", str(ORACLE.parent / "setup.sh")], capture_output=True,
                               text=True, timeout=1800)
        if built.returncode != 0 or not ORACLE_BIN.exists():
            pytest.fail(f"building the uWSGI oracle failed:\n{built.stdout}{built.stderr}")
    root = tmp_path_factory.mktemp("generated")
    cases = [write_case(root / f"c{i}", SEED + i) for i in range(CASES)]

    def ask(item: tuple[Path, Case]) -> dict[str, Any]:
        path, case = item
        extra = ["--no-strict"] + (["--env", f"{ENV_NAME}=on"] if case.env else [])
        return run_oracle(path, *extra)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(ask, cases))
    return [(p, c, r) for (p, c), r in zip(cases, results, strict=True)]


def test_generated_configs_match_real_uwsgi(
    generated: list[tuple[Path, Case, dict[str, Any]]],
) -> None:
    accepted = [(p, c, r) for p, c, r in generated if r.get("ok")]
    assert len(accepted) >= CASES * 3 // 4, [
        (p.name, r.get("stderr_tail")) for p, _, r in generated if not r.get("ok")]
    mismatches = []
    for path, case, result in accepted:
        ours = expanded(path, case, result)
        theirs = result["options"]
        if ours != theirs and path.name not in ACCEPTED:
            first = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False))
                          if a != b), min(len(ours), len(theirs)))
            mismatches.append(
                f"{path} ({case.fmt}, env={case.env}): entry {first}: ours "
                f"{ours[first:first + 1]} uWSGI {theirs[first:first + 1]} "
                f"(lengths {len(ours)} / {len(theirs)})")
    assert not mismatches, "\n".join(mismatches)


def test_generator_covers_the_mix(generated: list[tuple[Path, Case, dict[str, Any]]]) -> None:
    texts = [p.read_text() + ((p.parent / "part.ini").read_text() if c.part else "")
             for p, c, _ in generated]
    joined = "\n".join(texts)
    for needle in ("%(x)", "%(undefined)", "%(x + 1)", "%n", "%d", "%e", "%%", "%q",
                   "if-env", "if-not-env", "for", "endfor", "ini = %dpart.ini", "$(",
                   "%j", "%(xml)", *(value for _, value in LOADER_ENTRIES)):
        assert needle in joined, needle
    assert {c.fmt for _, c, _ in generated} == set(WRITERS)
    assert {c.env for _, c, _ in generated} == {True, False}
