#!/usr/bin/env python3
"""Write the option help texts and enumerations of the real uWSGI 2.0.31 binary.

Usage::

    python scripts/gen_option_help.py               # the oracle's binary (../shared/tools/oracle)
    python scripts/gen_option_help.py --uwsgi PATH  # another uWSGI 2.0.31 binary
    python scripts/gen_option_help.py --check       # exit 1 if the packaged file differs

The language server's hover and completion read ``uwsgi_lint/catalog/help-2.0.31.json``
(:mod:`uwsgi_lint.catalog.help`); nothing runs uWSGI at lint time.  The document holds:

* ``help``: option name -> the help text ``uwsgi --help`` prints for it (only the options
  compiled into that binary: the default ``pip install uwsgi==2.0.31`` build);
* ``lists``: list option (``cheaper-algos-list`` ...) -> the names it prints, in order.

uWSGI is run with an empty environment (no ``UWSGI_*`` variable becomes an option), standard
input from ``/dev/null``, in an empty temporary directory, and every list option with a clock
source that does not exist: uWSGI prints the list while it sets up, then exits on the clock,
before it binds a socket or forks (the oracle's own trick: ``uwsgi-oracle``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

VERSION = "2.0.31"
OUTPUT = Path(__file__).resolve().parents[1] / "uwsgi_lint" / "catalog" / f"help-{VERSION}.json"
ORACLE_BIN = Path(
    os.environ.get("UWSGI_ORACLE_HOME")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uwsgi-oracle"
) / ".venv" / "bin" / "uwsgi"
# the enumerations the server completes; each prints "*** uWSGI loaded X ***", the names,
# then "--- end of X list ---" (core/uwsgi.c: loggers_list() ...)
LISTS = (
    "alarms-list",
    "cheaper-algos-list",
    "clocks-list",
    "imperial-monitors-list",
    "loggers-list",
    "loops-list",
    "routers-list",
)
STOP_CLOCK = "uwsgi-lint-stop"
TIMEOUT = 30.0
# core/uwsgi.c: uwsgi_help(): "    -c|--name<padding> help" or "    --name<padding> help"
_HELP_LINE = re.compile(r"    (?:-.\|)?--(\S+)(?: +(.*))?")
_HEADER = re.compile(r"\*\*\* uWSGI loaded (.+) \*\*\*")


class Unexpected(Exception):
    """The binary's output is not what this script knows how to read."""


def run(uwsgi: str, *args: str) -> str:
    """What ``uwsgi args`` prints (standard output and error together)."""
    with tempfile.TemporaryDirectory(prefix="gen-option-help-") as cwd:
        out = subprocess.run(
            [uwsgi, *args], cwd=cwd, env={"PATH": os.defpath}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT, check=False,
        )
    return out.stdout.decode("utf-8", "replace")


def parse_help(text: str) -> dict[str, str]:
    """Option name -> help text, from ``uwsgi --help``."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("Usage: "):
        raise Unexpected(f"--help does not start with 'Usage: ': {lines[:1]}")
    found: dict[str, str] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        m = _HELP_LINE.fullmatch(line)
        if m is None:
            raise Unexpected(f"--help line not understood: {line!r}")
        found.setdefault(m.group(1), (m.group(2) or "").strip())
    return found


def parse_list(text: str, option: str) -> list[str]:
    """The names a ``--*-list`` option printed between its header and its end line."""
    names: list[str] = []
    inside = False
    for line in text.splitlines():
        if _HEADER.fullmatch(line):
            inside = True
        elif inside and line.startswith("--- end of "):
            return names
        elif inside and line:
            names.append(line)
    raise Unexpected(f"--{option} printed no complete list:\n{text}")


def extract(uwsgi: str) -> dict[str, Any]:
    """The document for the binary ``uwsgi`` (which must be uWSGI 2.0.31)."""
    version = run(uwsgi, "--version").strip()
    if version != VERSION:
        raise Unexpected(f"{uwsgi} is uWSGI {version!r}, not {VERSION}")
    help_texts = parse_help(run(uwsgi, "--help"))
    lists: dict[str, list[str]] = {}
    for option in LISTS:
        if option not in help_texts:
            raise Unexpected(f"uWSGI {VERSION} has no --{option}")
        lists[option] = parse_list(run(uwsgi, f"--{option}", "--clock", STOP_CLOCK), option)
    return {
        "uwsgi_version": VERSION,
        "note": (
            f"written by scripts/gen_option_help.py from the real uWSGI {VERSION} binary "
            "(pip install uwsgi, the default build): `uwsgi --help` (help: option -> text) "
            "and its --*-list options (lists: option -> names, in the order printed)"
        ),
        "help": help_texts,
        "lists": lists,
    }


def render(doc: dict[str, Any]) -> str:
    """Compact JSON, one help text or list a line, in the binary's order."""

    def dump(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    def block(mapping: dict[str, Any]) -> str:
        return "{\n" + ",\n".join(f"{dump(k)}:{dump(v)}" for k, v in mapping.items()) + "\n}"

    return (
        "{\n"
        f'"uwsgi_version":{dump(doc["uwsgi_version"])},\n'
        f'"note":{dump(doc["note"])},\n'
        f'"help":{block(doc["help"])},\n'
        f'"lists":{block(doc["lists"])}\n'
        "}\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--uwsgi", default=str(ORACLE_BIN), help="the uWSGI 2.0.31 binary to ask")
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if --output differs from what the binary says")
    args = ap.parse_args(argv)
    try:
        text = render(extract(args.uwsgi))
    except (OSError, subprocess.SubprocessError, Unexpected) as exc:
        print(f"gen_option_help: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run scripts/gen_option_help.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
