"""Benchmark: lint an Emperor tree of N vassals in all four formats.

Prints files per second and peak memory for uwsgi-lint and, in the same run, for a bare
standard-library read of the same files (read bytes, decode, split lines / json.loads /
expat parse), plus the start-up time of ``uwsgi-lint --version``.

    python bench/bench_tree.py [--vassals 10000] [--mode flat|tree] [--keep DIR]

``flat``: the vassal files alone, linted as a directory.  ``tree``: an Emperor whose
vassals each include one of three shared snippets, linted through the Emperor alone.

Each measurement runs in its own process so peak RSS (ru_maxrss) belongs to it alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

INI = """[uwsgi]
; vassal {i}
chdir = /srv/app{i}
module = app{i}.wsgi:application
socket = /run/uwsgi/%n.sock
chmod-socket = 660
processes = 4
threads = 2
harakiri = 30
max-requests = 1000
vacuum = true
env = APP_ID={i}
logto = /var/log/uwsgi/%n.log
"""
YAML = """uwsgi:
  chdir: /srv/app{i}
  module: app{i}.wsgi:application
  socket: /run/uwsgi/%n.sock
  processes: 4
  threads: 2
  harakiri: 30
  max-requests: 1000
  vacuum: true
  env: APP_ID={i}
"""
XML = """<uwsgi>
  <chdir>/srv/app{i}</chdir>
  <module>app{i}.wsgi:application</module>
  <socket>/run/uwsgi/%n.sock</socket>
  <processes>4</processes>
  <threads>2</threads>
  <harakiri>30</harakiri>
  <max-requests>1000</max-requests>
  <vacuum/>
  <env>APP_ID={i}</env>
</uwsgi>
"""
JSON = """{{"uwsgi": {{"chdir": "/srv/app{i}", "module": "app{i}.wsgi:application",
 "socket": "/run/uwsgi/%n.sock", "processes": 4, "threads": 2, "harakiri": 30,
 "max-requests": 1000, "vacuum": true, "env": ["APP_ID={i}"]}}}}
"""
TEMPLATES = {".ini": INI, ".yaml": YAML, ".xml": XML, ".json": JSON}

BARE = r"""
import json, os, sys, xml.parsers.expat
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    p = os.path.join(d, name)
    if name == "emperor.ini":
        continue
    text = open(p, "rb").read().decode("utf-8", "surrogateescape")
    if name.endswith(".json"):
        json.loads(text)
    elif name.endswith(".xml"):
        xml.parsers.expat.ParserCreate().Parse(text, True)
    else:
        [line.strip().partition("=") for line in text.split("\n")]
"""

MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(elapsed, rss, p.returncode)
"""


def make_tree(root: Path, n: int, shared: bool = False) -> Path:
    vassals = root / "vassals"
    vassals.mkdir(parents=True)
    (root / "emperor.ini").write_text("[uwsgi]\nemperor = %dvassals\n")
    snippets = root / "snippets"
    snippets.mkdir()
    for k in range(3):
        (snippets / f"base{k}.ini").write_text(
            f"[uwsgi]\nmaster = true\nvacuum = true\nharakiri = {30 + k}\nmax-requests = 5000\n"
        )
    suffixes = list(TEMPLATES)
    for i in range(n):
        suffix = suffixes[i % 4]
        text = TEMPLATES[suffix].format(i=i)
        if shared and suffix == ".ini":
            text = text.replace("[uwsgi]\n", f"[uwsgi]\nini = %d../snippets/base{i % 3}.ini\n")
        (vassals / f"app{i:05d}{suffix}").write_text(text)
    return vassals


def measure(cmd: list[str]) -> tuple[float, int, int]:
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vassals", type=int, default=10_000)
    ap.add_argument("--mode", choices=("flat", "tree"), default="flat")
    ap.add_argument("--keep", help="build the tree here and keep it")
    args = ap.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="uwsgi-lint-bench-"))
    try:
        vassals = make_tree(root, args.vassals, shared=args.mode == "tree")
        n = args.vassals
        targets = [str(root / "emperor.ini")] if args.mode == "tree" else [str(vassals)]
        lint_cmd = [sys.executable, "-m", "uwsgi_lint", *targets]
        bare_cmd = [sys.executable, "-c", BARE, str(vassals)]
        measure(bare_cmd)  # warm the page cache
        bare_t, bare_rss, _ = measure(bare_cmd)
        lint_t, lint_rss, code = measure(lint_cmd)
        starts = sorted(
            measure([sys.executable, "-m", "uwsgi_lint", "--version"])[0] for _ in range(5)
        )
        result = {
            "mode": args.mode,
            "vassals": n,
            "bare_read": {"seconds": round(bare_t, 3), "files_per_second": round(n / bare_t),
                          "peak_rss_mb": round(bare_rss / 1024, 1)},
            "uwsgi_lint": {"seconds": round(lint_t, 3), "files_per_second": round(n / lint_t),
                           "peak_rss_mb": round(lint_rss / 1024, 1), "exit_code": code},
            "time_ratio": round(lint_t / bare_t, 2),
            "memory_ratio": round(lint_rss / bare_rss, 2),
            "version_startup_ms_median": round(starts[2] * 1000, 1),
        }
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
