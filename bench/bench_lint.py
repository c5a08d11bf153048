"""Benchmark: uwsgi-lint against a bare standard-library read of the same generated files.

    python bench/bench_lint.py [--vassals 10000] [--mode flat|tree|both] [--keep DIR]

Modes: ``flat``, N vassals in four formats (INI, YAML, XML, JSON) linted as a directory;
``tree``, an Emperor whose N vassals include shared INI snippets (see trees.py), linted
through the Emperor file alone.  Each mode is also measured at N/2 (is memory
linear in the number of files?).  The bare read parses every file of the tree once:
configparser (strict=False, interpolation=None), json.load, ElementTree.parse and
PyYAML's C loader.  Also: start-up (``--version``) and a one-file lint as whole processes
(median of 7).  Every figure is one process, measured from outside (see measure.py).

Prints figures and the issue's targets beside them; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import measure
import trees

REPEAT = 7  # start-up figures: median of this many runs
BARE_RUNS = 3  # the bare read: the fastest of this many runs

# the bare read: every file of the list once, with the standard library (and PyYAML)
BARE = r"""
import configparser, json, sys, xml.etree.ElementTree as ET
import yaml
loader = getattr(yaml, "CSafeLoader", None)
if loader is None:
    loader = yaml.SafeLoader
    print("PyYAML without libyaml: SafeLoader (pure Python), not CSafeLoader")
else:
    print("PyYAML CSafeLoader")
with open(sys.argv[1], encoding="utf-8") as f:
    paths = f.read().splitlines()
for p in paths:
    if p.endswith(".ini"):
        configparser.ConfigParser(strict=False, interpolation=None).read(p, encoding="utf-8")
    elif p.endswith(".json"):
        with open(p, "rb") as f:
            json.load(f)
    elif p.endswith(".xml"):
        ET.parse(p)
    else:
        with open(p, "rb") as f:
            yaml.load(f, Loader=loader)
"""

# targets of issue 12
WALL_RATIO, WALL_RATIO_STRETCH = 1.5, 1.0
PEAK_MB, ONE_FILE_MS, VERSION_MS = 150, 100, 60


def child_env(root: Path) -> dict[str, str]:
    """The environment of every measured process: bytecode cached (in ``root``, not in
    the source tree), as an installed package has it, whatever PYTHONDONTWRITEBYTECODE
    says here."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    return env


def lint_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "uwsgi_lint", *args]


def median_ms(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """(median, min, max) wall milliseconds of ``cmd`` over :data:`REPEAT` runs."""
    walls = sorted(measure.run(cmd, env, cwd).wall * 1000 for _ in range(REPEAT))
    return statistics.median(walls), walls[0], walls[-1]


def mb(kb: int) -> str:
    return f"{kb / 1024:.1f}" if kb else "-"


def row(label: str, files: int, r: measure.Run) -> str:
    return (f"  {label:<28} {r.wall:8.2f} {r.cpu:8.2f} {r.cpu / r.wall:6.2f} "
            f"{mb(r.rss_kb):>9} {mb(r.tree_kb):>9} {files / r.wall:9.0f} {r.code:>5}")


HEADER = (f"  {'':<28} {'wall s':>8} {'CPU s':>8} {'CPU/w':>6} {'peak RSS':>9} "
          f"{'tree PSS':>9} {'files/s':>9} {'exit':>5}")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def bench_mode(mode: str, n: int, root: Path, env: dict[str, str], jobs: bool) -> None:
    build = trees.flat if mode == "flat" else trees.emperor
    half = max(n // 2, 1)
    results: dict[str, measure.Run] = {}
    sizes: dict[int, tuple[Path, Path]] = {}
    for size in (n, half):
        where = root / f"{mode}-{size}"
        target, files = build(where, size)
        listing = where / "files.txt"
        listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
        sizes[size] = (target, listing)

    def lint(size: int, *extra: str) -> measure.Run:
        r = measure.run(lint_cmd(*extra, str(sizes[size][0])), env, root)
        if r.code not in (0, 1):
            print(f"  ! uwsgi-lint exited {r.code}: {r.stderr.strip()[-500:]}")
        return r

    def bare(size: int) -> measure.Run:
        """The fastest of :data:`BARE_RUNS` (a run takes a second or two: cheap to repeat,
        and the least disturbed by other work on the machine)."""
        runs = [measure.run([sys.executable, "-c", BARE, str(sizes[size][1])], env, root)
                for _ in range(BARE_RUNS)]
        for r in runs:
            if r.code != 0:
                print(f"  ! bare read exited {r.code}: {r.stderr.strip()[-500:]}")
        return min(runs, key=lambda r: r.wall)

    bare(n)  # warm the page cache (and the bytecode of the readers)
    results["bare"] = bare(n)
    results["lint"] = lint(n)
    if jobs:
        results["lint1"] = lint(n, "--jobs", "1")
    results["bare_half"] = bare(half)
    results["lint_half"] = lint(half)

    files = n if mode == "flat" else n + 1 + trees.SNIPPETS
    files_half = half if mode == "flat" else half + 1 + trees.SNIPPETS
    what = ("a directory of vassals" if mode == "flat"
            else "an Emperor file; each vassal includes a shared snippet")
    print(f"\n== {mode}: {n} vassals ({files} files), linted as {what}")
    print(f"   bare read: {results['bare'].stdout.strip()}")
    print(HEADER)
    print(row(f"bare read (best of {BARE_RUNS})", files, results["bare"]))
    print(row("uwsgi-lint" + (" (default --jobs)" if jobs else ""), files, results["lint"]))
    if jobs:
        print(row("uwsgi-lint --jobs 1", files, results["lint1"]))
    print(row(f"bare read, N/2 = {half} (best)", files_half, results["bare_half"]))
    print(row(f"uwsgi-lint, N/2 = {half}", files_half, results["lint_half"]))

    b, lt, lh = results["bare"], results["lint"], results["lint_half"]
    ratio = lt.wall / b.wall
    peak_mb = max(lt.rss_kb, lt.tree_kb) / 1024
    print(f"  lint wall / bare wall:  {ratio:6.2f}x   (target <= {WALL_RATIO}x: "
          f"{verdict(ratio <= WALL_RATIO)}; stretch <= {WALL_RATIO_STRETCH}x: "
          f"{verdict(ratio <= WALL_RATIO_STRETCH)})")
    print(f"  lint CPU / bare CPU:    {lt.cpu / b.cpu:6.2f}x")
    if jobs:
        r1 = results["lint1"]
        print(f"  --jobs 1 wall / bare:   {r1.wall / b.wall:6.2f}x   "
              f"(parallel speed-up {r1.wall / lt.wall:.2f}x)")
    print(f"  lint peak memory:       {peak_mb:6.1f} MB (largest of peak RSS and tree PSS; "
          f"target < {PEAK_MB} MB: {verdict(peak_mb < PEAK_MB)}); bare read "
          f"{b.rss_kb / 1024:.1f} MB")
    for label, at_n, at_half in (("peak RSS", lt.rss_kb, lh.rss_kb),
                                 ("tree PSS", lt.tree_kb, lh.tree_kb)):
        if at_n and at_half:
            print(f"  {label} N / N/2:       {at_n / at_half:6.2f}    (2.00 = all of it grows "
                  f"with the files, 1.00 = none of it); "
                  f"{(at_n - at_half) / max(n - half, 1):.2f} KB more per file")


def startup(root: Path, env: dict[str, str]) -> None:
    one = root / "one" / "app.ini"
    one.parent.mkdir()
    one.write_text(trees.ONE_FILE, encoding="utf-8")
    floor = median_ms([sys.executable, "-c", "pass"], env, root)
    version = median_ms(lint_cmd("--version"), env, root)
    single = median_ms(lint_cmd(str(one)), env, root)
    cold_env = dict(env, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(root / "none"))
    cold = median_ms(lint_cmd(str(one)), cold_env, root)
    print(f"\n== start-up (whole processes, wall ms: median [min-max] of {REPEAT})")

    def line(label: str, m: tuple[float, float, float], note: str = "") -> None:
        print(f"  {label:<44} {m[0]:7.1f}  [{m[1]:.1f}-{m[2]:.1f}]  {note}")

    line("python -c pass (the interpreter alone)", floor)
    line("uwsgi-lint --version", version,
         f"target < {VERSION_MS} ms: {verdict(version[0] < VERSION_MS)}")
    line(f"uwsgi-lint one file ({len(trees.ONE_FILE.splitlines())} lines)", single,
         f"target < {ONE_FILE_MS} ms: {verdict(single[0] < ONE_FILE_MS)}")
    line("the same, no bytecode cache (compiles source)", cold)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vassals", type=int, default=10_000, metavar="N")
    ap.add_argument("--mode", choices=("flat", "tree", "both"), default="both")
    ap.add_argument("--keep", metavar="DIR", help="build the trees here and keep them")
    args = ap.parse_args()
    if args.keep:
        root = Path(args.keep).resolve()
        if root.exists() and any(root.iterdir()):
            sys.exit(f"--keep {root}: not empty")
        root.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="uwsgi-lint-bench-"))
    env = child_env(root)
    try:
        help_text = subprocess.run(lint_cmd("--help"), capture_output=True, text=True,
                                   env=env, check=False).stdout
        jobs = "--jobs" in help_text
        print(f"python {sys.version.split()[0]} ({sys.executable}), {os.cpu_count()} CPUs, "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("uwsgi-lint " + ("has --jobs: measured with its default and with --jobs 1"
                               if jobs else "has no --jobs option: one process"))
        print(f"bytecode cached under {env['PYTHONPYCACHEPREFIX']} (warmed first)")
        warm = root / "warm"
        trees.flat(warm, 4)
        measure.run(lint_cmd(str(warm / "vassals")), env, root)
        startup(root, env)
        for mode in ("flat", "tree") if args.mode == "both" else (args.mode,):
            bench_mode(mode, args.vassals, root, env, jobs)
        print(f"\nload average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
              "(figures taken on a busy machine are slower and noisier)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
