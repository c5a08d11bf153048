"""One command as a whole process: wall time, CPU time and peak memory.

* wall: ``time.perf_counter()`` from start to exit;
* CPU: user + system time of the child and of every process it waited for (workers of a
  pool), as the delta of ``resource.getrusage(RUSAGE_CHILDREN)`` around the run;
* peak RSS: ``ru_maxrss`` of the child (``os.wait4``): the largest resident set any one
  process of the run reached;
* peak tree: the largest sum, over the child and its descendants, of their proportional
  set size (``/proc/PID/smaps_rollup``; pages shared by forked workers are split between
  them, not counted twice), sampled every 20 ms: what a parallel run costs in memory.

Linux counts into a new process's ``ru_maxrss`` the resident set of the process that
spawned it (the memory image it had before ``exec``), so :func:`run` starts each command
from a small launcher (this file run as a script) rather than from the benchmark, whose
generated file lists would otherwise show up in every figure.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_SECONDS = 0.02


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss_kb: int  # peak resident set of the largest process
    tree_kb: int  # peak proportional set of the process tree (sampled; 0: not sampled)
    code: int
    stdout: str
    stderr: str


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` to its end from the launcher and measure it.  Its stdout and stderr go
    to files, so a large report costs what writing it costs, with no pipe to drain."""
    with tempfile.TemporaryDirectory(prefix="uwsgi-lint-measure-") as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        launched = subprocess.run(
            [sys.executable, __file__, str(out), str(err), *cmd],
            env=env, cwd=cwd, capture_output=True, text=True, check=True,
        )
        figures = json.loads(launched.stdout)
        return Run(**figures, stdout=out.read_text("utf-8", "replace"),
                   stderr=err.read_text("utf-8", "replace"))


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:  # no smaps_rollup: the resident set
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def _tree_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _pss_kb(p)
        todo += _children(p)
    return total


def _measure(cmd: list[str], out: str, err: str) -> dict[str, Any]:
    """The launcher's part: run ``cmd`` and return its figures."""
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                peak[0] = max(peak[0], _tree_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_kb": usage.ru_maxrss, "tree_kb": peak[0],
            "code": proc.returncode}


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[3:], sys.argv[1], sys.argv[2])))
