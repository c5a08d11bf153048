"""The ``uwsgi-lint`` command.

Exit codes: 0 no findings, 1 findings, 2 usage or configuration error, or an internal
error (the findings that could be made are still printed).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .engine import Walk
    from .expand import Assumptions

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="uwsgi-lint",
        description="Check uWSGI configs (INI, XML, YAML, JSON) the way uWSGI reads them. "
        "`uwsgi-lint show PATH...` prints the effective configuration instead.",
        epilog="Exit status: 0 no findings, 1 findings, 2 usage, configuration or internal error.",
    )
    _common(p)
    p.add_argument("--version", action="version", version=f"uwsgi-lint {__version__}")
    return p


def show_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="uwsgi-lint show",
        description="Print the effective configuration of each instance, as uWSGI would "
        "build it (magic variables, placeholders, logic, includes and Emperor options "
        "applied), one `key = value` a line in uWSGI's order with the file and line that "
        "wrote it.",
        epilog="Exit status: 0 shown, 2 usage error or internal error.",
    )
    _common(p)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="config files, or directories whose vassal files (.ini .xml .yml .yaml .json .js) "
        "are checked (default: .)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument(
        "--container",
        action="store_true",
        help="the configs run inside containers: running as root, and binding every "
        "interface of the container, are not reported",
    )
    p.add_argument(
        "--max-depth",
        type=int,
        metavar="N",
        help="how many directory levels to walk below a given directory (default: all)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories matching this glob (repeatable), e.g. '*.bak', 'old/'",
    )
    p.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        help="also check files that .gitignore excludes",
    )
    p.add_argument(
        "--target-version",
        choices=("2.0", "2.1"),
        default="2.0",
        help="uWSGI version the configs are for (default 2.0, i.e. 2.0.31)",
    )
    p.add_argument(
        "--yaml-reader",
        choices=("embedded", "libyaml"),
        default="embedded",
        help="uWSGI's YAML reader: 'embedded' (pip builds, default) or 'libyaml' (Debian)",
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    show = bool(argv) and argv[0] == "show"
    args = (show_parser() if show else parser()).parse_args(argv[1:] if show else argv)
    try:
        return _show(args) if show else _run(args)
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as exc:  # never a traceback for the user
        print(f"uwsgi-lint: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _write(text: str) -> None:
    sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace"))
    sys.stdout.flush()


def _show(args: argparse.Namespace) -> int:
    from .context import assemble
    from .engine import targets
    from .render import show

    files, missing, explicit = targets(list(args.paths), _walk(args))
    errors: list[str] = []
    instances = assemble(files, _assume(args), errors, explicit)
    _write(show.render_json(instances) if args.format == "json" else show.render_text(instances))
    for d in missing:
        print(f"uwsgi-lint: {d.span.file}: {d.message}", file=sys.stderr)
    for line in errors:
        print(f"uwsgi-lint: {line}", file=sys.stderr)
    return EXIT_ERROR if errors or missing else EXIT_CLEAN


def _assume(args: argparse.Namespace) -> Assumptions:
    from .expand import Assumptions

    return Assumptions(
        version=args.target_version, yaml_reader=args.yaml_reader, container=args.container
    )


def _walk(args: argparse.Namespace) -> Walk:
    from .engine import Walk

    return Walk(args.max_depth, tuple(args.exclude), args.respect_gitignore)


def _run(args: argparse.Namespace) -> int:
    from .engine import lint

    report = lint(list(args.paths), _assume(args), _walk(args))
    if args.format == "json":
        from .render.json import render
    else:
        from .render.text import render
    _write(render(report))
    for line in report.errors:
        print(f"uwsgi-lint: {line}", file=sys.stderr)
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.diagnostics else EXIT_CLEAN
