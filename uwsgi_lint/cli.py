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
    from collections.abc import Callable
    from typing import NoReturn

    from .diagnostics import Severity
    from .discover import Walk
    from .report import Report
    from .settings import Selection, Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "full", "json", "sarif", "github", "gitlab", "junit")
SHOW_FORMATS = ("text", "json", "mermaid", "dot")
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


COMMANDS = ("check", "show", "rule", "server")
DEFAULT_COMMAND = "check"  # `uwsgi-lint PATH...` is `uwsgi-lint check PATH...`


def parser() -> argparse.ArgumentParser:
    """The command line: ``check`` (the default command: ``uwsgi-lint PATH...``), ``show``
    and ``rule``, as argparse subcommands."""
    return _parsers()[0]


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The command line's parser, and each command's own (for its usage errors)."""
    top = _new_parser(
        prog="uwsgi-lint",
        description="Check uWSGI configs (INI, XML, YAML, JSON, uwsgiconf Python) the way "
        "uWSGI reads them.",
        epilog="`uwsgi-lint PATH...` is `uwsgi-lint check PATH...`; "
        "`uwsgi-lint COMMAND --help` describes each command.",
    )
    top.add_argument("--version", action="version", version=VERSION)
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=type(top))
    check = sub.add_parser(
        "check",
        help="check configs (the default command)",
        prog="uwsgi-lint",  # `check` is the default command: usage as it is mostly typed
        description="Check uWSGI configs (INI, XML, YAML, JSON, uwsgiconf Python) the way "
        "uWSGI reads them. "
        "Other commands: `uwsgi-lint show PATH...` prints the effective configuration, "
        "`uwsgi-lint rule CODE` a rule's page.",
        epilog="Exit status: 0 no findings (see --fail-on, --exit-zero), 1 findings, "
        "2 usage, configuration or internal error, or no uWSGI config found (see "
        "--allow-empty).",
    )
    _check_arguments(check)
    show = sub.add_parser(
        "show",
        help="print the effective configuration of each instance",
        prog="uwsgi-lint show",
        description="Print the effective configuration of each instance, as uWSGI would "
        "build it (magic variables, placeholders, logic, includes and Emperor options "
        "applied), one `key = value` a line in uWSGI's order with the file and line that "
        "wrote it; a vassal named alone is shown as the Emperor above it starts it, as "
        "`uwsgi-lint check` reads it. With --tree: the deployment instead, each Emperor, "
        "its monitors and every process it starts, with its user and group, sockets, "
        "whether it starts and the findings of the run.",
        epilog="Exit status: 0 shown, 2 usage error, unreadable path or internal error.",
    )
    _common(show)
    _settings_arguments(show)
    show.add_argument(
        "--format", choices=SHOW_FORMATS, default="text",
        help="output format (mermaid and dot with --tree only: a diagram to paste into a "
        "README or a merge request, or for Graphviz)",
    )
    show.add_argument(
        "--tree", action="store_true",
        help="draw the deployment: each Emperor, its monitors and the processes it starts "
        "(vassals, sub-Emperors, Broodlord zergs) with the user and group they run as, "
        "their sockets, whether they start (starts, never-started, refused, "
        "crash-looping) and the findings of a lint run with the same settings",
    )
    show.add_argument(
        "--env", type=_env_pair, metavar="NAME=VALUE", action="append", default=[],
        help="evaluate `$(NAME)` and the `if-env` family with this environment variable "
        "(repeatable; with --env or --env-file, a variable not given is unset, as in a "
        "process started with exactly this environment); default: left unresolved",
    )
    show.add_argument(
        "--env-file", metavar="FILE", action="append", default=[],
        help="read environment variables from FILE: one NAME=VALUE a line, `#` comments, "
        "an optional `export ` and quotes around the value removed (--env wins)",
    )
    show.add_argument(
        "--stdin-filename", metavar="PATH",
        help="with `-` as PATH: show standard input as if it were this file (its format, "
        "settings and Emperor come from this path)",
    )
    rule = sub.add_parser(
        "rule",
        help="print a rule's page, or list every rule",
        prog="uwsgi-lint rule",
        description="Print the page of a rule (by code or name), or list every rule.",
        epilog="Exit status: 0 printed, 2 unknown rule or usage error.",
    )
    rule.add_argument("rule", nargs="?", metavar="RULE", help="a rule code (UW101) or name")
    rule.add_argument("--all", action="store_true", help="list every rule")
    rule.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    server = sub.add_parser(
        "server",
        help="run the language server (needs the `server` extra: uwsgi-lint[server])",
        prog="uwsgi-lint server",
        description="Run the Language Server Protocol server over standard input and "
        "output, for editors: findings as you type (with the Emperor around a vassal), "
        "fixes and suppressions as code actions, hover, completion, go to definition and "
        "document symbols. Settings come from pyproject.toml / .uwsgi-lint.toml, as for "
        "`uwsgi-lint check`. It needs pygls: pip install 'uwsgi-lint[server]'.",
        epilog="Exit status: 0 when the client asks it to exit after a shutdown, 1 on an "
        "exit without shutdown, 2 when pygls is not installed.",
    )
    server.add_argument("--stdio", action="store_true",
                        help="accepted for editors that pass it: stdio is the only transport")
    return top, {"check": check, "show": show, "rule": rule, "server": server}


def _check_arguments(p: argparse.ArgumentParser) -> None:
    _common(p)
    _settings_arguments(p)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="output format (default: text; github when GITHUB_ACTIONS=true and the output "
        "goes to stdout)",
    )
    p.add_argument(
        "--position-encoding", choices=("utf-32", "utf-16", "utf-8"), default="utf-32",
        help="with --format json: what the columns count, characters (utf-32, the default) "
        "or the code units of UTF-16 (the Language Server Protocol's default) or UTF-8 "
        "(bytes); ignored by the other formats, which count characters",
    )
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
        "--per-file-ignores", type=_per_file_ignore, metavar="GLOB:RULES", action="append",
        default=[],
        help="rules not to run on the files a glob matches (relative to the current "
        "directory; repeatable), e.g. --per-file-ignores 'legacy/*.ini:UW101,UW102'",
    )
    p.add_argument(
        "--severity", type=_severity, metavar="RULES=LEVEL", action="append", default=[],
        help="report these rules at this severity (info, warning or error; repeatable), "
        "e.g. --severity UW5=error",
    )
    p.add_argument(
        "--docs-url", type=_docs_url, metavar="URL",
        help="where the rule pages are published: a URL with {code} or {name} in it, "
        "e.g. https://docs.example.org/uwsgi-lint/rules/{code}.html; each finding then "
        "links to its page (default: no links)",
    )
    p.add_argument(
        "--fix", action="store_true",
        help="apply the safe fixes (in place; with `-`: print the fixed buffer), then "
        "report what is left",
    )
    p.add_argument(
        "--unsafe-fixes", action="store_true",
        help="with --fix or --diff, also apply the unsafe fixes (those that guess the "
        "intent, such as a misspelt option renamed); marks them fixable in the output",
    )
    p.add_argument(
        "--diff", action="store_true",
        help="print a unified diff of what --fix would change, write nothing; exit 1 when "
        "there is a change",
    )
    p.add_argument(
        "--fixable", type=_selectors, metavar="RULES", default=None,
        help="the rules whose fixes may be applied (default: all), instead of the settings'",
    )
    p.add_argument(
        "--unfixable", type=_selectors, metavar="RULES", action="extend", default=[],
        help="rules whose fixes are never applied (added to the settings' unfixable)",
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
        "--allow-empty",
        action="store_true",
        help="exit 0 when no uWSGI config is found (a warning is still printed); without "
        "it, finding none is an error (exit 2)",
    )
    p.add_argument(
        "--show-files",
        action="store_true",
        help="list the files that would be checked, and each file passed over with the "
        "reason, then exit (nothing is checked)",
    )
    p.add_argument(
        "--show-settings",
        metavar="FILE",
        help="print the settings that apply to FILE and where each comes from (a settings "
        "file, the command line or the defaults), then exit",
    )
    p.add_argument(
        "--verbose", "-v",
        action="store_true",
        help="also print on stderr the settings file each file follows and every file "
        "passed over, with the reason",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of an internal error to stderr (for a bug report)",
    )


def _settings_arguments(p: argparse.ArgumentParser) -> None:
    """The settings every command reads with: where they come from, and each assumption
    a settings file can make (the command line wins over every settings file)."""
    p.add_argument(
        "--config",
        metavar="PATH",
        help="use this settings file for every file (default: the closest pyproject.toml "
        "[tool.uwsgi-lint] or .uwsgi-lint.toml above each file)",
    )
    p.add_argument("--isolated", action="store_true", help="ignore all settings files")
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
    p.add_argument(
        "--plugins",
        type=_plugins,
        metavar="NAMES",
        help="comma-separated plugins the uWSGI build loads (default: those compiled into "
        "the `pip install uwsgi` binary), e.g. --plugins python3,logfile; empty: none",
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
        "--exclude", "--extend-exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories matching this gitignore-style glob, relative to the "
        "current directory (repeatable; added to the settings' exclude), e.g. '*.bak', 'old/'",
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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:
        # what argparse's version action does (print, exit 0), without importing argparse
        sys.stdout.write(VERSION + "\n")
        sys.exit(EXIT_CLEAN)
    if not argv or (argv[0] not in COMMANDS and argv[0] != "--version"):
        argv = [DEFAULT_COMMAND, *argv]
    p, commands = _parsers()
    command, reason = argv[0], ""
    if command == "check":
        argv, reason = _noqa_reason(argv)
    args = p.parse_args(argv)
    here = commands[command]
    if command == "server":
        return _server()
    if command == "rule":
        if args.all == bool(args.rule):
            here.error("give one RULE, or --all")
    else:
        _check_excludes(here, args.exclude)
    if command == "check":
        _check_usage(here, args, reason)
    if command == "show":
        _show_usage(here, args)
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


def _check_usage(p: argparse.ArgumentParser, args: argparse.Namespace, reason: str) -> None:
    """The usage errors of ``check`` that argparse cannot see, and the default format."""
    if args.add_noqa is not None:
        if not reason.isprintable():
            p.error("--add-noqa=REASON: the reason must be one line of printable text")
        args.add_noqa = reason
    if args.format is None:
        # workflow commands only where the runner reads them: stdout, and not statistics
        in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
        to_stdout = args.output_file is None and not args.statistics
        args.format = "github" if in_actions and to_stdout else "text"
    if args.statistics and args.format not in ("text", "json"):
        p.error("--statistics works with --format text or json")
    if args.stdin_filename is not None and "-" not in args.paths:
        p.error("--stdin-filename needs `-` among the paths")
    if "-" in args.paths and args.add_noqa is not None:
        p.error("--add-noqa cannot change standard input")
    if args.show_files and args.show_settings is not None:
        p.error("give --show-files or --show-settings, not both")
    if args.fix and args.diff:
        p.error("give --fix or --diff, not both")
    if (args.fix or args.diff) and args.add_noqa is not None:
        p.error("--add-noqa cannot be given with --fix or --diff")
    if (args.fix or args.diff) and args.statistics:
        p.error("--statistics cannot be given with --fix or --diff")


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
    """A usage error for an ``--exclude`` glob that cannot be used."""
    if not excludes:
        return
    from .globs import GlobError, check_glob

    for text in excludes:
        try:
            check_glob(text)
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


def _show_usage(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The usage errors of ``show`` that argparse cannot see."""
    if args.format in ("mermaid", "dot") and not args.tree:
        p.error(f"--format {args.format} draws the tree: give --tree")
    if args.stdin_filename is not None and "-" not in args.paths:
        p.error("--stdin-filename needs `-` among the paths")


def _show(args: argparse.Namespace) -> int:
    """``show``: the effective configuration of each instance, or (``--tree``) the
    deployment drawn from a lint run; both read as ``check`` reads (the Emperor above a
    vassal named alone, standard input, the settings of each file)."""
    from .engine import FileAssumptions, lint
    from .instance import Assumptions
    from .model import Instance
    from .postprocess import SettingsLookup
    from .render.source import forget
    from .settings import SettingsError

    try:
        env = _environment(args)
    except ValueError as exc:
        _error(str(exc))
        return EXIT_ERROR
    assume = Assumptions(env=env)
    paths, buffers = list(args.paths), {}
    if "-" in paths:
        paths = [p for p in paths if p != "-"]
        buffers[args.stdin_filename or "-"] = sys.stdin.buffer.read()
    instances: list[Instance] = []
    try:
        report = lint(paths, assume, _walk(args), config=args.config, isolated=args.isolated,
                      buffers=buffers, allow_read=args.allow_read, jobs=args.jobs,
                      overrides=_overrides(args), instances=instances,
                      only=None if args.tree else ())
    except SettingsError as exc:
        _error(str(exc))
        return EXIT_ERROR
    forget()
    for line in report.warnings:
        _error(line)
    if args.tree:
        from .render import tree_view

        lookup = SettingsLookup(config=args.config, isolated=args.isolated)
        graph = tree_view.build(instances, report.diagnostics,
                                FileAssumptions(lookup, assume, _overrides(args)))
        render = {"text": tree_view.render_text, "json": tree_view.render_json,
                  "mermaid": tree_view.render_mermaid, "dot": tree_view.render_dot}
        _write(render[args.format](graph))
    else:
        from .render import show

        _write(show.render_json(instances, env) if args.format == "json"
               else show.render_text(instances, env))
    shown = {os.path.abspath(i.root.path) for i in instances}
    unreadable = [d for d in report.diagnostics
                  if d.code == "UW001" and d.span.file not in shown]
    for d in unreadable:
        _error(f"{d.span.file}: {d.message}")
    for line in report.errors:
        _error(line)
    return EXIT_ERROR if report.errors or unreadable else EXIT_CLEAN


def _env_pair(text: str) -> tuple[str, str]:
    """``--env NAME=VALUE``."""
    import argparse

    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, not {text!r}")
    return name, value


def _environment(args: argparse.Namespace) -> dict[str, str] | None:
    """The environment ``show`` evaluates `$(NAME)` and `if-env` with: the ``--env-file``
    files in order, then ``--env``; None when neither is given (left unresolved).
    Raises ValueError for a file that cannot be read or a line that is no NAME=VALUE."""
    if not args.env and not args.env_file:
        return None
    env: dict[str, str] = {}
    for path in args.env_file:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                lines = f.read().splitlines()
        except OSError as exc:
            raise ValueError(f"--env-file {path}: cannot read: {exc.strerror}") from None
        for n, line in enumerate(lines, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            name, equals, value = text.removeprefix("export ").partition("=")
            name, value = name.strip(), value.strip()
            if not equals or not name:
                raise ValueError(f"--env-file {path}:{n}: expected NAME=VALUE")
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            env[name] = value
    env.update(args.env)
    return env


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    """The assumptions the command line makes (``--target-version``, ``--yaml-reader``,
    ``--plugins``, ``--context``), by :class:`~uwsgi_lint.instance.Assumptions` field:
    they win over every settings file."""
    given = {
        "version": args.target_version,
        "yaml_reader": args.yaml_reader,
        "plugins": args.plugins,
        "context": args.context,
    }
    return {k: v for k, v in given.items() if v is not None}


def _selectors(text: str) -> tuple[str, ...]:
    """``--select``/``--extend-select``/``--ignore``: comma-separated selectors."""
    import argparse

    from .settings import parse_selectors

    try:
        return parse_selectors(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _per_file_ignore(text: str) -> tuple[str, tuple[str, ...]]:
    """``--per-file-ignores GLOB:RULES``: a glob and the selectors it ignores."""
    import argparse

    from .globs import GlobError, check_glob
    from .settings import parse_selectors

    glob, colon, rules = text.rpartition(":")
    if not colon or not glob:
        raise argparse.ArgumentTypeError(f"expected GLOB:RULES, not {text!r}")
    if glob.startswith("!"):
        raise argparse.ArgumentTypeError(f"a `!` glob re-includes nothing here: {glob!r}")
    try:
        check_glob(glob)
        return glob, parse_selectors(rules)
    except GlobError as exc:
        raise argparse.ArgumentTypeError(f"{exc} in the glob {glob!r}") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _severity(text: str) -> tuple[tuple[str, ...], Severity]:
    """``--severity RULES=LEVEL``: selectors and the severity they get."""
    import argparse

    from .diagnostics import Severity
    from .settings import parse_selectors

    rules, equals, level = text.rpartition("=")
    levels = [s.value for s in Severity]
    if not equals or level not in levels:
        raise argparse.ArgumentTypeError(
            f"expected RULES=LEVEL with LEVEL one of {', '.join(levels)}, not {text!r}")
    try:
        return parse_selectors(rules), Severity(level)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _plugins(text: str) -> frozenset[str]:
    """``--plugins a,b``: the plugins the build loads (empty: none)."""
    return frozenset(name.strip() for name in text.split(",") if name.strip())


def _docs_url(text: str) -> str:
    """``--docs-url``: an http(s) URL template with ``{code}``."""
    import argparse

    from .settings import docs_url_problem

    problem = docs_url_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


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

        return json.render(report, args.position_encoding)
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
    from .instance import Assumptions
    from .render.source import forget
    from .settings import SettingsError

    if args.show_settings is not None:
        return _show_settings(args)
    if args.show_files:
        return _show_files(args)
    paths, buffers = list(args.paths), {}
    if "-" in paths:
        # standard input stands for --stdin-filename (`-` when none is given): read into
        # memory and linted as that file, whether or not it exists
        paths = [p for p in paths if p != "-"]
        buffers[args.stdin_filename or "-"] = sys.stdin.buffer.read()
    def run(overlay: dict[str, bytes]) -> Report:
        return lint(
            paths,
            Assumptions(),
            _walk(args),
            config=args.config,
            isolated=args.isolated,
            suppressions=not args.disable_suppressions,
            buffers=buffers,
            allow_read=args.allow_read,
            jobs=args.jobs,
            selection=_selection(args),
            overrides=_overrides(args),
            overlay=overlay,
        )

    try:
        if args.fix or args.diff:
            fixed = _fix(args, run, paths, buffers)
            if isinstance(fixed, int):
                return fixed
            report = fixed
        else:
            report = run({})
        report.docs_url = args.docs_url or _run_settings(args).docs_url
        report.unsafe_fixes = args.unsafe_fixes
    except SettingsError as exc:
        _error(str(exc))
        return EXIT_ERROR
    for line in report.warnings:
        _error(line)
    if args.verbose:
        _explain(report, args)
    if args.add_noqa is not None:
        return _add_noqa(report, args.add_noqa, paths)
    forget(buffers)  # the text quoted for standard input is its own
    empty = not report.files and not report.diagnostics
    out = _rendered(report, args)
    if empty and args.format in ("text", "full") and not args.statistics:
        out = ""  # not "All checks passed": nothing was checked (said on stderr below)
    if args.output_file is None:
        _write(out)
    else:
        try:
            with open(args.output_file, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(out)
        except OSError as exc:
            _error(f"cannot write {args.output_file}: {exc.strerror}")
            return EXIT_ERROR
    if args.format == "github":
        _step_summary(report)
    for line in report.errors:
        _error(line)
    if args.debug:
        for tb in report.tracebacks:
            _traceback(tb)
    if empty:
        where = " ".join(args.paths)
        if args.allow_empty:
            _error(f"warning: no uWSGI config found in {where}")
            return EXIT_CLEAN
        _error(f"error: no uWSGI config found in {where} (see --show-files; --allow-empty "
               "makes this exit 0)")
        return EXIT_ERROR
    return exit_code(report, args.exit_zero, args.fail_on)


def _fix(
    args: argparse.Namespace,
    run: Callable[[dict[str, bytes]], Report],
    paths: list[str],
    buffers: dict[str, bytes],
) -> Report | int:
    """``--fix`` and ``--diff`` (:mod:`uwsgi_lint.fix`): the report of what is left after
    the fixes were written (``--fix`` of files), or an exit status when the command is
    done (``--diff``; ``--fix`` of standard input prints the fixed buffer)."""
    from . import fs
    from .edits import Refused, readable_as_before, rewrite
    from .fix import run_passes, unified_diff
    from .render import display_path

    stdin = {os.path.abspath(k): v for k, v in buffers.items()}

    def read(path: str) -> bytes:
        return stdin[path] if path in stdin else fs.read_regular(path)

    outcome = run_passes(run, read, unsafe=args.unsafe_fixes)
    applied = sum(outcome.applied.values())
    changed = outcome.changed
    if args.diff:
        _write("".join(unified_diff(display_path(p), outcome.before[p], outcome.after[p])
                       for p in changed))
        _error(f"would fix {_problems(applied)} in {_files(len(changed))}")
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    if stdin:  # editors and formatters: the fixed buffer on stdout, the rest on stderr
        [(path, data)] = stdin.items()
        sys.stdout.buffer.write(outcome.after.get(path, data))
        sys.stdout.flush()
        report = outcome.report
        report.unsafe_fixes = args.unsafe_fixes
        if report.diagnostics:
            from .render import text

            sys.stderr.write(text.render(report))
        _error(f"fixed {_problems(applied)}")
        return exit_code(report, args.exit_zero, args.fail_on)
    roots = fs.roots_for(paths or ["."])
    refused: list[tuple[str, str]] = []
    for path in changed:
        before, after = outcome.before[path], outcome.after[path]

        def change(old: bytes, before: bytes = before, after: bytes = after) -> bytes:
            if old != before:
                raise Refused("it changed while uwsgi-lint was fixing it; run again")
            return after

        try:
            rewrite(path, roots, change, readable_as_before(path))
        except Refused as exc:
            refused.append((path, str(exc)))
    for path, why in refused:
        _error(f"not fixed, file left unchanged: {path}: {why}")
    written = len(changed) - len(refused)
    _error(f"fixed {_problems(applied)} in {_files(written)}" if not refused
           else f"fixed {_files(written)} of {len(changed)}")
    report = run({}) if changed else outcome.report  # what is on disk now
    if refused:
        report.errors.append(f"{_files(len(refused))} could not be written")
    return report


def _problems(n: int) -> str:
    return f"{n} problem{'s' if n != 1 else ''}"


def _files(n: int) -> str:
    return f"{n} file{'s' if n != 1 else ''}"


def _selection(args: argparse.Namespace) -> Selection:
    """The command line's selectors, put over each file's settings."""
    from .settings import Selection

    severity = tuple((sel, level) for selectors, level in args.severity for sel in selectors)
    return Selection(args.select, tuple(args.extend_select), tuple(args.ignore),
                     per_file_ignores=tuple(args.per_file_ignores), severity=severity,
                     fixable=getattr(args, "fixable", None),
                     unfixable=tuple(getattr(args, "unfixable", ())), cwd=os.getcwd())


def _run_settings(args: argparse.Namespace) -> Settings:
    """The settings of the run as a whole (``docs-url``): those that govern the working
    directory (the project's, under pre-commit or in CI), or ``--config``."""
    from .settings import settings_for

    return settings_for(os.getcwd(), config=args.config, isolated=args.isolated)


def _explain(report: Report, args: argparse.Namespace) -> None:
    """``-v``: the settings file each checked file follows, then every file passed over,
    with the reason (files named on the command line that are no uWSGI config first:
    pre-commit passes those)."""
    from .discover import NOT_A_CONFIG
    from .settings import settings_for

    groups: dict[str, int] = {}
    for f in report.files:
        source = settings_for(f, config=args.config, isolated=args.isolated).source
        key = source or "no settings file (the defaults)"
        groups[key] = groups.get(key, 0) + 1
    for source, n in groups.items():
        _error(f"settings: {source}: {n} file{'s' if n != 1 else ''}")
    plain = 0  # files met by the walk that are no config: counted (--show-files lists them)
    for item in sorted(report.skipped, key=lambda s: (not s.explicit, s.path)):
        if not item.explicit and item.reason == NOT_A_CONFIG:
            plain += 1
            continue
        named = " (named on the command line)" if item.explicit else ""
        _error(f"skipped {item.path}: {item.reason}{named}")
    if plain:
        _error(f"skipped {plain} other file{'s' if plain != 1 else ''} (no uWSGI config; "
               "--show-files lists them)")
    _error(f"{len(report.files)} file{'s' if len(report.files) != 1 else ''} checked, "
           f"{len(report.skipped)} passed over")


def _show_files(args: argparse.Namespace) -> int:
    """``--show-files``: each file that would be checked, then each one passed over and
    why, then each path that cannot be read; exit 0 (2 when a path cannot be read)."""
    from .engine import plan
    from .settings import SettingsError
    from .untrusted import clean

    paths = [p for p in args.paths if p != "-"]
    try:
        named = plan(paths, _walk(args), config=args.config, isolated=args.isolated,
                     allow_read=args.allow_read)
    except SettingsError as exc:
        _error(str(exc))
        return EXIT_ERROR
    lines = [f"check  {clean(f)}" for f in named.files]
    lines += [f"skip   {clean(s.path)}: {clean(s.reason)}" for s in named.skipped]
    lines += [f"error  {clean(d.span.file)}: {clean(d.message)}" for d in named.unreadable]
    _write("".join(line + "\n" for line in lines))
    return EXIT_ERROR if named.unreadable else EXIT_CLEAN


def _show_settings(args: argparse.Namespace) -> int:
    """``--show-settings FILE``: the settings FILE is checked with, and where each comes
    from."""
    from .render.settings import render
    from .settings import SettingsError, settings_for

    try:
        found = settings_for(args.show_settings, config=args.config, isolated=args.isolated)
        run = _run_settings(args)
    except SettingsError as exc:
        _error(str(exc))
        return EXIT_ERROR
    _write(render(args.show_settings, found, _selection(args), _overrides(args),
                  docs_url=args.docs_url, run=run))
    return EXIT_CLEAN


def _step_summary(report: Report) -> None:
    """In GitHub Actions, the run's summary appended to ``$GITHUB_STEP_SUMMARY`` (the
    job's summary page): counts per rule and the findings past the annotation cap."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not target:
        return
    from .render.github import step_summary

    try:
        with open(target, "a", encoding="utf-8", errors="backslashreplace") as f:
            f.write(step_summary(report))
    except OSError as exc:
        _error(f"cannot write the step summary {target}: {exc.strerror}")


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


def _server() -> int:
    """``server``: the language server (:mod:`uwsgi_lint.server`), when pygls is there."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as exc:
        _error(f"the language server needs the `server` extra ({exc}): "
               "pip install 'uwsgi-lint[server]'")
        return EXIT_ERROR
    from .server.protocol import serve

    return serve()


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
