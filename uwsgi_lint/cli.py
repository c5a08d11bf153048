"""The ``uwsgi-lint`` command.

Exit codes: 0 no findings (or none at or above ``--fail-on``, or ``--exit-zero``),
1 findings (with ``--add-noqa``: a file that was not written), 2 usage or configuration
error, or an internal error (the findings that could be made are still printed).
"""

from __future__ import annotations

import os
import sys

from . import __version__

# Start-up: this module imports nothing beyond os and sys (`--version` needs no more);
# argparse, typing and the engine are imported by the functions that use them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import NoReturn

    from .discover import Walk
    from .instance import Assumptions
    from .report import Report

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "full", "json", "sarif", "github", "gitlab", "junit")
SEVERITIES = ("info", "warning", "error")  # lowest first
VERSION = f"uwsgi-lint {__version__}"

_PARSER_CLASS: type[argparse.ArgumentParser] | None = None


def _new_parser(prog: str, description: str, epilog: str) -> argparse.ArgumentParser:
    """argparse, with the offending argument of a usage error cleaned (a file name that
    pre-commit passes may hold escapes).  The class is made on first use: argparse is
    imported only when a command line is parsed."""
    global _PARSER_CLASS
    if _PARSER_CLASS is None:
        import argparse

        class Parser(argparse.ArgumentParser):
            def error(self, message: str) -> NoReturn:
                from .untrusted import clean

                super().error(clean(message))

        _PARSER_CLASS = Parser
    return _PARSER_CLASS(prog=prog, description=description, epilog=epilog)


def parser() -> argparse.ArgumentParser:
    p = _new_parser(
        prog="uwsgi-lint",
        description="Check uWSGI configs (INI, XML, YAML, JSON) the way uWSGI reads them. "
        "`uwsgi-lint show PATH...` prints the effective configuration instead.",
        epilog="Exit status: 0 no findings (see --fail-on, --exit-zero), 1 findings, "
        "2 usage, configuration or internal error. `uwsgi-lint rule CODE` prints a rule's page.",
    )
    _common(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: text, or github when GITHUB_ACTIONS=true)",
    )
    p.add_argument(
        "--config",
        metavar="PATH",
        help="use this settings file for every file (default: the closest pyproject.toml "
        "[tool.uwsgi-lint] or .uwsgi-lint.toml above each file)",
    )
    p.add_argument("--isolated", action="store_true", help="ignore all settings files")
    p.add_argument(
        "--select", type=_selectors, metavar="RULES", default=None,
        help="comma-separated codes, prefixes (UW5), names, sets (default, hardening, "
        "pedantic) or ALL: the rules to run, instead of the settings' selection "
        "(default: the `default` set)",
    )
    p.add_argument(
        "--extend-select", type=_selectors, metavar="RULES", action="extend", default=[],
        help="rules to run on top of the selection, e.g. --extend-select hardening,UW125",
    )
    p.add_argument(
        "--ignore", type=_selectors, metavar="RULES", action="extend", default=[],
        help="rules not to run (added to the settings' ignore)",
    )
    p.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with `-` as PATH: lint standard input as if it were this file (its format, "
        "settings and Emperor come from this path; nothing is written to disk)",
    )
    p.add_argument(
        "--disable-suppressions",
        action="store_true",
        help="ignore `uwsgi-lint: disable=...` comments (for audits)",
    )
    p.add_argument(
        "--add-noqa",
        action="store_const",
        const="",
        default=None,
        help="add a suppression comment above every current finding, then exit (1 when a "
        "file could not be written); --add-noqa=REASON gives the comments a reason",
    )
    p.add_argument(
        "--output-file",
        "-o",
        metavar="PATH",
        help="write the output to this file instead of stdout",
    )
    p.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule made instead of the findings "
        "(with --format text or json)",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when there are findings (2 still means an error)",
    )
    p.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=None,
        help="exit 1 only when a finding of this severity or above exists (default: any)",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of an internal error to stderr (for a bug report)",
    )
    p.add_argument("--version", action="version", version=VERSION)
    return p


def rule_parser() -> argparse.ArgumentParser:
    p = _new_parser(
        prog="uwsgi-lint rule",
        description="Print the page of a rule (by code or name), or list every rule.",
        epilog="Exit status: 0 printed, 2 unknown rule or usage error.",
    )
    p.add_argument("rule", nargs="?", metavar="RULE", help="a rule code (UW101) or name")
    p.add_argument("--all", action="store_true", help="list every rule")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return p


def show_parser() -> argparse.ArgumentParser:
    p = _new_parser(
        prog="uwsgi-lint show",
        description="Print the effective configuration of each instance, as uWSGI would "
        "build it (magic variables, placeholders, logic, includes and Emperor options "
        "applied), one `key = value` a line in uWSGI's order with the file and line that "
        "wrote it.",
        epilog="Exit status: 0 shown, 2 usage error or internal error.",
    )
    _common(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="config files, or directories whose vassal files (.ini .xml .yml .yaml .json .js) "
        "are checked (default: .); `-` reads standard input (see --stdin-filename)",
    )
    p.add_argument(
        "--context",
        choices=("auto", "container", "host"),
        help="where the configs run when the tree does not show it (a Dockerfile, compose "
        "file, Kubernetes manifest, systemd unit, supervisor program or Procfile that names "
        "them): auto (default: nothing assumed), container, or host (started as root)",
    )
    p.add_argument(
        "--container",
        action="store_const",
        const="container",
        dest="context",
        help="deprecated: --context container",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        metavar="N",
        help="how many processes read and check the files (default: one per core, for runs "
        "of 64 files or more); the output is the same for any N",
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
        "--allow-read",
        action="append",
        default=[],
        metavar="PATH",
        help="also read this file or directory when a config names it (repeatable); by "
        "default only the git work tree of each PATH is read, and what a config names "
        "outside it is deployment-only",
    )
    p.add_argument(
        "--target-version",
        type=_target_version,
        default=None,
        metavar="VERSION",
        help="uWSGI version the configs are for: 2.0 (the default: any 2.0 release from "
        "2.0.18 on; version-dependent rules say only what holds in all of them), one release "
        "from 2.0.18 to 2.0.31 (e.g. 2.0.21, as Debian 12 ships), or 2.1",
    )
    p.add_argument(
        "--yaml-reader",
        choices=("embedded", "libyaml"),
        default=None,
        help="uWSGI's YAML reader: 'embedded' (pip builds, default) or 'libyaml' (Debian)",
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:
        # what argparse's version action does (print, exit 0), without importing argparse
        sys.stdout.write(VERSION + "\n")
        sys.exit(EXIT_CLEAN)
    command = argv[0] if argv and argv[0] in ("show", "rule") else None
    if command == "rule":
        args = rule_parser().parse_args(argv[1:])
        if args.all == bool(args.rule):
            rule_parser().error("give one RULE, or --all")
    elif command == "show":
        p = show_parser()
        args = p.parse_args(argv[1:])
        _check_excludes(p, args.exclude)
    else:
        p = parser()
        argv, reason = _noqa_reason(argv)
        args = p.parse_args(argv)
        if args.add_noqa is not None:
            if not reason.isprintable():
                p.error("--add-noqa=REASON: the reason must be one line of printable text")
            args.add_noqa = reason
        _check_excludes(p, args.exclude)
        if args.format is None:
            args.format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
        if args.statistics and args.format not in ("text", "json"):
            p.error("--statistics works with --format text or json")
        if args.stdin_filename is not None and "-" not in args.paths:
            p.error("--stdin-filename needs `-` among the paths")
        if "-" in args.paths and args.add_noqa is not None:
            p.error("--add-noqa cannot change standard input")
    try:
        if command == "rule":
            return _rule(args)
        return _show(args) if command == "show" else _run(args)
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as exc:  # never a traceback for the user, unless --debug
        if getattr(args, "debug", False):
            import traceback

            _traceback(traceback.format_exc())
        _error(f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_ERROR


def _noqa_reason(argv: list[str]) -> tuple[list[str], str]:
    """``argv`` with ``--add-noqa=REASON`` made a plain ``--add-noqa``, and the REASON:
    a reason is given only with ``=``, so ``--add-noqa DIR`` lints DIR."""
    out, reason = list(argv), ""
    end = out.index("--") if "--" in out else len(out)
    for i, arg in enumerate(out[:end]):
        if arg.startswith("--add-noqa="):
            out[i], reason = "--add-noqa", arg.partition("=")[2]
    return out, reason


def _check_excludes(p: argparse.ArgumentParser, excludes: list[str]) -> None:
    """A usage error for an ``--exclude`` glob that cannot be compiled."""
    if not excludes:
        return
    from .globs import GlobError, compile_glob, exclude_glob

    for text in excludes:
        try:
            compile_glob(exclude_glob(text)[0])
        except GlobError as exc:
            p.error(f"--exclude {text!r}: {exc}")


def _write(text: str) -> None:
    sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace"))
    sys.stdout.flush()


def _error(text: str) -> None:
    """One line on stderr: ``uwsgi-lint: text``, cleaned (``untrusted.clean``: it may
    quote paths, values or an exception's text)."""
    from .untrusted import clean

    print(f"uwsgi-lint: {clean(text)}", file=sys.stderr)


def _traceback(text: str) -> None:
    """A traceback on stderr (``--debug``), each line cleaned: it quotes the exception's
    text and the values in it."""
    from .untrusted import clean

    sys.stderr.write("".join(clean(line, None) + "\n" for line in text.splitlines()))


def _show(args: argparse.Namespace) -> int:
    from . import session
    from .engine import boundary_roots, targets
    from .render import show
    from .tree import assemble

    roots, warnings = boundary_roots(list(args.paths), args.allow_read)
    for line in warnings:
        _error(line)
    with session.run(roots):
        files, missing, explicit = targets(list(args.paths), _walk(args))
        errors: list[str] = []
        instances = assemble(files, _assume(args), errors, explicit)
    _write(show.render_json(instances) if args.format == "json" else show.render_text(instances))
    for d in missing:
        _error(f"{d.span.file}: {d.message}")
    for line in errors:
        _error(line)
    return EXIT_ERROR if errors or missing else EXIT_CLEAN


def _assume(args: argparse.Namespace) -> Assumptions:
    """What the run assumes: the settings file of the first path (target-version,
    yaml-reader, plugins, context), then the command-line options over it."""
    from dataclasses import replace

    from .instance import Assumptions
    from .settings import settings_for

    first = args.paths[0] if args.paths else "."
    if first == "-":
        first = getattr(args, "stdin_filename", None) or "-"
    base = Assumptions()
    if not getattr(args, "isolated", False):
        found = settings_for(first, config=getattr(args, "config", None))
        base = found.assumptions(base)
    given = {
        "version": args.target_version,
        "yaml_reader": args.yaml_reader,
        "context": args.context,
    }
    if args.context is not None:  # the deprecated `container` of a settings file gives way
        base = replace(base, container=False)
    return replace(base, **{k: v for k, v in given.items() if v is not None})


def _selectors(text: str) -> tuple[str, ...]:
    """``--select``/``--extend-select``/``--ignore``: comma-separated selectors."""
    import argparse

    from .settings import parse_selectors

    try:
        return parse_selectors(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _target_version(text: str) -> str:
    """``--target-version``: one of :data:`uwsgi_lint.catalog.TARGET_VERSIONS`."""
    import argparse

    from .catalog import RELEASES, TARGET_VERSIONS

    if text not in TARGET_VERSIONS:
        raise argparse.ArgumentTypeError(
            f"expected 2.0, a release from {RELEASES[0]} to {RELEASES[-1]}, or 2.1, "
            f"not {text!r}"
        )
    return text


def _jobs(text: str) -> int:
    """``--jobs N``: a positive number of processes."""
    import argparse

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, not {text!r}")
    return n


def _walk(args: argparse.Namespace) -> Walk:
    from .discover import Walk

    return Walk(args.max_depth, tuple(args.exclude), args.respect_gitignore)


def _rendered(report: Report, args: argparse.Namespace) -> str:
    """The report in the chosen format (each renderer is imported only when used)."""
    fmt = args.format
    if args.statistics:
        from .render import statistics

        return (statistics.render_json if fmt == "json" else statistics.render_text)(report)
    if fmt in ("text", "full"):
        from .render.style import wants_color

        color = args.output_file is None and wants_color(sys.stdout)
        if fmt == "full":
            from .render import full

            return full.render(report, color)
        from .render import text

        return text.render(report, color)
    if fmt == "json":
        from .render import json

        return json.render(report)
    if fmt == "sarif":
        from .render import sarif

        return sarif.render(report)
    if fmt == "github":
        from .render import github

        return github.render(report)
    if fmt == "gitlab":
        from .render import gitlab

        return gitlab.render(report)
    from .render import junit

    return junit.render(report)


def exit_code(report: Report, exit_zero: bool = False, fail_on: str | None = None) -> int:
    """2 on an internal error; else 1 when a finding at or above ``fail_on`` (any finding
    when None) exists and ``exit_zero`` is off; else 0."""
    if report.errors:
        return EXIT_ERROR
    if exit_zero:
        return EXIT_CLEAN
    floor = SEVERITIES.index(fail_on) if fail_on else 0
    failing = any(SEVERITIES.index(d.severity.value) >= floor for d in report.diagnostics)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _run(args: argparse.Namespace) -> int:
    from .engine import lint
    from .render.source import forget
    from .settings import Selection, SettingsError

    paths, buffers = list(args.paths), {}
    if "-" in paths:
        # standard input stands for --stdin-filename (`-` when none is given): read into
        # memory and linted as that file, whether or not it exists
        paths = [p for p in paths if p != "-"]
        buffers[args.stdin_filename or "-"] = sys.stdin.buffer.read()
    try:
        report = lint(
            paths,
            _assume(args),
            _walk(args),
            config=args.config,
            isolated=args.isolated,
            suppressions=not args.disable_suppressions,
            buffers=buffers,
            allow_read=args.allow_read,
            jobs=args.jobs,
            selection=Selection(args.select, tuple(args.extend_select), tuple(args.ignore)),
        )
    except SettingsError as exc:
        _error(str(exc))
        return EXIT_ERROR
    for line in report.warnings:
        _error(line)
    if args.add_noqa is not None:
        return _add_noqa(report, args.add_noqa, paths)
    forget()
    out = _rendered(report, args)
    if args.output_file is None:
        _write(out)
    else:
        try:
            with open(args.output_file, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(out)
        except OSError as exc:
            _error(f"cannot write {args.output_file}: {exc.strerror}")
            return EXIT_ERROR
    for line in report.errors:
        _error(line)
    if args.debug:
        for tb in report.tracebacks:
            _traceback(tb)
    return exit_code(report, args.exit_zero, args.fail_on)


def _add_noqa(report: Report, reason: str, paths: list[str]) -> int:
    """Write the comments (only inside the linted roots: :mod:`uwsgi_lint.edits`); 1 when
    a file was refused (read-only, outside the tree ...), 2 on an internal error."""
    from .fs import roots_for
    from .suppress import add_noqa

    skipped: list[str] = []
    refused: list[tuple[str, str]] = []
    changed = add_noqa(
        report, reason or None, roots=roots_for(paths or ["."]), skipped=skipped, refused=refused
    )
    print(f"Added suppression comments to {len(changed)} file{'s' if len(changed) != 1 else ''}.")
    for path in skipped:
        _error(f"not suppressed (the format has no comments): {path}")
    for path, why in refused:
        _error(f"not suppressed, file left unchanged: {path}: {why}")
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if refused else EXIT_CLEAN


def _rule(args: argparse.Namespace) -> int:
    import json

    from .render import pages
    from .rules import all_rules

    rules = all_rules()
    if args.all:
        rows = [
            {"code": r.code, "name": r.name, "severity": r.severity.value,
             "set": r.group, "summary": r.summary, "fix": r.fix}
            for r in rules
        ]
        if args.format == "json":
            _write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        else:
            nw = max((len(r.name) for r in rules), default=0)
            _write("".join(
                f"{r['code']}  {r['name']:<{nw}}  {r['severity']:<7}  {r['set']:<9}  "
                f"{r['fix']:<6}  {r['summary']}\n"
                for r in rows
            ))
        return EXIT_CLEAN
    wanted = args.rule.strip()
    found = [r for r in rules if wanted.upper() == r.code or wanted.lower() == r.name]
    if not found:
        _error(f"unknown rule {wanted!r} (see `uwsgi-lint rule --all`)")
        return EXIT_ERROR
    r = found[0]
    text = pages.page(r.code)
    if args.format == "json":
        doc = {"code": r.code, "name": r.name, "severity": r.severity.value,
               "set": r.group, "summary": r.summary, "fix": r.fix, "page": text}
        _write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        _write(text if text is not None else f"# {r.code} `{r.name}`\n\n{r.summary}\n")
    return EXIT_CLEAN
