"""UW126-UW132: values that uWSGI reads without a word, but not as they were meant.

Each rule mirrors the uWSGI 2.0.31 code that reads the value (named in its docstring);
each behaviour was checked on the real binary (``tests/test_rules_misread.py`` runs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..diagnostics import Finding, Related, Severity
from ..facts import View
from ..model import Applicability, Directive, Edit, Fix, Format, Span
from ..textfix import advance, remove_directive
from ..values import NUMBER_KINDS, shown, value_subspan
from . import Entries, Instances, rule
from .flag_value import FLAG_KINDS
from .placeholders import token_span

# -- UW126: a `UWSGI_<NAME>` environment variable is the option <name> ------------------

# the variables core/utils.c: parse_sys_envs() leaves alone (uWSGI's own hand-over)
_NOT_OPTIONS = frozenset({
    "RELOADS", "VASSALS_DIR", "EMPEROR_FD", "BROODLORD_NUM", "EMPEROR_FD_CONFIG",
    "EMPEROR_PROXY", "JAIL_PID", "ORIGINAL_PROC_NAME",
})
# options that print something and exit (core/uwsgi.c: uwsgi_opt_print() with a text,
# uwsgi_help(), uwsgi_opt_cflags(), uwsgi_opt_dot_h())
_EXITING = frozenset({"version", "help", "usage", "cflags", "dot-h"})
_UWSGI_REF = re.compile(r"\$\(UWSGI_([A-Za-z0-9_]+)\)")
_ENV_HANDLER = "uwsgi_opt_set_env"


def env_option(view: View, suffix: str) -> str | None:
    """The option that ``UWSGI_<suffix>`` sets (``core/utils.c: env_to_arg()``: lower
    case, ``_`` as ``-``), when uWSGI knows it; ``UWSGI_VASSAL_*`` is the Emperor's
    hand-over to its vassals (``core/emperor.c``), not an option here."""
    if suffix in _NOT_OPTIONS or suffix.startswith("VASSAL_"):
        return None
    name = suffix.lower().replace("_", "-")
    return name if view.catalog.get(name) is not None else None


@rule(
    "UW126",
    "uwsgi-variable-is-option",
    Severity.WARNING,
    "An environment variable `UWSGI_<NAME>` (`env = UWSGI_...`, `$(UWSGI_...)`) that uWSGI "
    "also reads as the option <name> at start-up.",
    on=Instances(),
)
def check_uwsgi_variable(view: View) -> Iterator[Finding]:
    """``core/utils.c: parse_sys_envs()`` turns every ``UWSGI_<NAME>=value`` of the
    environment uWSGI starts with into the option ``name``, before the command line and
    the config; ``env`` (``core/uwsgi.c: uwsgi_opt_set_env()``) calls ``putenv()`` while
    the options are applied, too late for this start but inherited by the uWSGI a reload
    executes again (``core/master_utils.c: uwsgi_reload()``) and by every vassal."""
    governs = view.governs()
    first: Directive | None = None
    for _, d in view.unique():
        first = first or d
        opt = view.catalog.get(d.key)
        if opt is None:
            continue
        if opt.handler == _ENV_HANDLER and not governs:
            yield from _env_entry(view, d)
        if "$(" in d.value and not opt.immediate:  # an IMMEDIATE option: UW111
            yield from _env_reference(view, d)
    if first is not None:
        yield from _launch_environment(view, first)


def _launch_environment(view: View, first: Directive) -> Iterator[Finding]:
    """A variable that the file starting or shipping this config (a Dockerfile ``ENV``, a
    unit's ``Environment=``, compose ``environment``, supervisor ``environment=``) sets,
    named like an option that prints and exits (``UWSGI_VERSION`` kept for a build
    step): uWSGI started with it prints and exits.  Other ``UWSGI_<OPTION>`` variables
    there are the documented way to set options, and are left alone."""
    for launch in view.launches():
        for var, said in launch.env:
            name = env_option(view, var[6:]) if var.startswith("UWSGI_") else None
            if name not in _EXITING:
                continue
            yield Finding(
                first.key_span,
                f"the {launch.kind} sets `{shown(var, 30)}` for uWSGI, which reads it as "
                f"`--{name}`: it prints and exits instead of starting; rename the variable",
                (Related(f"`{shown(var, 30)}` is set here", said.span),),
                detail=(
                    "uWSGI turns every UWSGI_<NAME> variable of the environment it starts "
                    "with into the option <name> (lower case, `_` as `-`), before the command "
                    "line and the config (core/utils.c: parse_sys_envs())."
                ),
            )


def _env_entry(view: View, d: Directive) -> Iterator[Finding]:
    var, eq, value = d.effective.partition("=")
    if not eq or not var.startswith("UWSGI_"):
        return
    name = env_option(view, var[6:])
    if name is None:
        return
    opt = view.catalog.get(name)
    own = view.entries(name)
    related: tuple[Related, ...] = ()
    setting = f"{name} = {shown(value, 24)}"
    if opt is not None and not opt.repeatable and own:
        after = f"and after a reload the config's `{own[-1].key}` wins; remove the line"
        related = (Related(f"`{own[-1].key}` is set here", own[-1].span),)
    else:
        after = f"but a reload starts with `{setting}`; set `{name}` instead"
    yield Finding(
        d.value_span,
        f"uWSGI reads `{shown(var, 30)}` as `{name}` only at start-up: set here it is too late, "
        f"{after}",
        related,
        detail=(
            "uWSGI turns every UWSGI_<NAME> variable of the environment it starts with "
            "into the option <name> (lower case, `_` as `-`), before the command line and "
            "the config. `env` sets the variable while the options are applied: the "
            "running instance never reads it, but the uWSGI that a reload executes again, "
            "and every process started from this one, inherit it."
        ),
    )


def _env_reference(view: View, d: Directive) -> Iterator[Finding]:
    same = view.names(d.key)
    for m in _UWSGI_REF.finditer(d.value):
        name = env_option(view, m.group(1))
        opt = view.catalog.get(name) if name is not None else None
        if name is None or opt is None or name in same or opt.value_kind == "include":
            continue  # its own option (redundant) or the config source it was loaded by
        var = f"UWSGI_{m.group(1)}"
        if name in _EXITING:
            then = f"uWSGI runs `--{name}` (it prints and exits)"
        else:
            then = f"uWSGI also sets `{name}` to its value"
        yield Finding(
            token_span(d, m.group(0)),
            f"uWSGI reads `{shown(var, 30)}` as an option: wherever it is set, {then}; drop the "
            "`UWSGI_` prefix from the variable's name",
            detail=(
                "uWSGI turns every UWSGI_<NAME> variable of its environment into the option "
                "<name> (lower case, `_` as `-`) when it starts (core/utils.c: "
                "parse_sys_envs())."
            ),
        )


# -- UW127: `%()` math with parentheses, or read with precedence --------------------------

_OPERATORS = frozenset({"+", "-", "*", "/"})


def placeholders(value: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each ``%(...)`` of ``value`` as ``core/utils.c:
    uwsgi_apply_config_pass()`` delimits it: the ``)`` that balances the ``(``."""
    i = value.find("%(")
    while i != -1:
        depth, j = 0, i + 2
        while j < len(value):
            c = value[j]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        if j >= len(value):
            return
        if j > i + 2:
            yield i, j + 1
        i = value.find("%(", j + 1)


def math_misread(key: str) -> str | None:
    """What ``core/config.c: uwsgi_manage_placeholder()`` does otherwise than arithmetic
    would with the ``%(key)`` sum: its tokens are split at blanks and computed left to
    right, a token that is neither a number nor an operator being an option's value."""
    if " " not in key:
        return None
    tokens = [t for t in key.split(" ") if t]
    if any(t.startswith("(") or t.endswith(")") for t in tokens):
        return "parentheses"
    seen_sum = False
    for t in tokens:
        if t in ("+", "-"):
            seen_sum = True
        elif t in ("*", "/") and seen_sum:
            return "precedence"
    return None


@rule(
    "UW127",
    "placeholder-math-misread",
    Severity.WARNING,
    "`%()` math that uWSGI computes otherwise: no parentheses (`%((%k * 2) + 1)` is 1), "
    "no precedence (left to right).",
    on=Instances(),
)
def check_math(view: View) -> Iterator[Finding]:
    """``core/config.c: uwsgi_manage_placeholder()``: ``(4`` is not a number, so it is
    looked up as an option (none: empty, 0); ``1 + 2 * 3`` is ``(1 + 2) * 3``."""
    for _, d in view.referring():
        if d.expanded is None:
            continue  # an IMMEDIATE option: never expanded (UW111)
        for start, end in placeholders(d.value):
            token = d.value[start:end]
            why = math_misread(token[2:-1])
            if why is None:
                continue
            result = "" if d.unresolved else f" (`{d.key}` is `{shown(d.effective, 20)}`)"
            if why == "parentheses":
                text = (
                    f"uWSGI's `%()` math has no parentheses: `{shown(token, 30)}` reads `(x` and "
                    f"`x)` as option names, worth 0{result}; compute it in steps"
                )
                detail = (
                    "The `%()` pass splits the sum at blanks; a word that is neither a number "
                    "nor one of + - * / ++ -- is the value of an option of that name (empty "
                    "when there is none, i.e. 0). Write `double = %(%k * 2)`, then "
                    "`%(double + 1)`."
                )
            else:
                text = (
                    f"uWSGI's `%()` math computes left to right, with no precedence: "
                    f"`{shown(token, 30)}` adds before it multiplies{result}; put `*` and "
                    "`/` first"
                )
                detail = "`%(1 + 2 * 3)` is 9 for uWSGI; `%(2 * 3 + 1)` is 7."
            yield Finding(value_subspan(d, start, end), text, detail=detail)


# -- UW128: quotes kept around a string value ---------------------------------------------

# options whose value is run by /bin/sh (which strips the quotes) or parsed further
_SHELL = re.compile(r"(^|-)(exec|hook|call|cron|daemon2?|route|route-if|route-if-not)(-|$)")
_SKIP_KINDS = FLAG_KINDS | NUMBER_KINDS | {"logic-open", "logic-close", "include"}
_QUOTES = "\"'"


@rule(
    "UW128",
    "quoted-value-kept",
    Severity.WARNING,
    "A value in quotes in INI, XML or JSON: uWSGI keeps the quotes (`chdir = \"/srv\"` is "
    "the directory `\"/srv\"`).",
    on=Entries(unique=True),
    fix="unsafe",
)
def check_quoted(view: View, d: Directive) -> Iterator[Finding]:
    """The INI reader (``core/ini.c``) strips only blanks, the XML reader takes the text
    node as it is and a JSON string's quotes are its own: quotes written inside the value
    reach the option handler.  YAML: UW009; numbers: UW103; flags: UW102."""
    if d.format is Format.YAML:
        return
    value = d.value
    if len(value) < 2 or value[0] not in _QUOTES or value[-1] != value[0]:
        return
    opt = view.catalog.get(d.key)
    if opt is None:
        if d.key not in view.placeholder_names():
            return  # an unknown option: UW101
    elif opt.value_kind in _SKIP_KINDS or _SHELL.search(d.key):
        return
    fmt = {Format.INI: "an INI", Format.XML: "an XML", Format.JSON: "a JSON"}[d.format]
    yield Finding(
        d.value_span,
        f"uWSGI keeps the quotes of {fmt} value: `{d.key}` gets `{shown(value, 50)}`, quotes "
        "included; write the value without them",
        detail=(
            "uWSGI's config readers do not unquote values: the quotes become part of the "
            "path, module or text the option receives."
        ),
        fix=unquoted(d),
    )


def unquoted(d: Directive) -> Fix | None:
    """The quotes around ``d``'s value removed where they are written; none when the value
    inside them is empty or starts or ends with a blank (the INI reader would strip it,
    an empty XML element is `1`)."""
    value, raw = d.value, d.raw_value
    inner = value[1:-1]
    if not inner or inner != inner.strip(" \t\r\n") or d.note.startswith("from "):
        return None
    if d.format is Format.JSON:
        quote = '\\"' if value[0] == '"' else value[0]
        raw = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else ""
        skip = 1  # the JSON string's own quote
    else:
        quote, skip = value[0], 0
    if len(raw) < 2 * len(quote) or not (raw.startswith(quote) and raw.endswith(quote)):
        return None
    start = advance(d.value_span.start, d.raw_value[:skip])
    end = advance(start, raw)
    edits = (Edit(Span(d.file, start, advance(start, quote)), ""),
             Edit(Span(d.file, advance(start, raw[: len(raw) - len(quote)]), end), ""))
    return Fix("remove the quotes", edits, Applicability.UNSAFE)


# -- UW129: `env = NAME = value` ---------------------------------------------------------

_ASSIGN_HANDLERS = frozenset({_ENV_HANDLER, "uwsgi_opt_set_placeholder"})


@rule(
    "UW129",
    "assignment-name-with-blank",
    Severity.WARNING,
    "`env = NAME = value` (or `set`): the name ends in a blank and the value starts with one.",
    on=Entries(handlers=_ASSIGN_HANDLERS, unique=True),
    fix="unsafe",
)
def check_assignment(view: View, d: Directive) -> Iterator[Finding]:
    """``core/uwsgi.c: uwsgi_opt_set_env()`` hands the value to ``putenv()`` as it is;
    ``uwsgi_opt_set_placeholder()`` splits it at the first ``=`` and keeps both sides
    whole: the blanks around that ``=`` belong to the name and to the value."""
    opt = view.catalog.get(d.key)
    if opt is None or d.unresolved:
        return
    name, eq, value = d.effective.partition("=")
    if not eq or not name.strip():
        return
    bare = name.strip()
    is_env = opt.handler == _ENV_HANDLER
    what = "variable" if is_env else "placeholder"
    if name != name.rstrip(" \t"):
        text = (f"uWSGI names the {what} `{shown(name, 24)}`, ending in a blank, not "
                f"`{shown(bare, 24)}`")
    elif value != value.lstrip(" \t"):
        text = f"the value of `{shown(bare, 24)}` starts with a blank, which uWSGI keeps"
    else:
        return
    how = ("`env` hands the whole text to putenv()" if is_env else
           "the placeholder's name is everything before the first `=`")
    yield Finding(
        d.value_span,
        f"{text}; write `{d.key} = {shown(bare, 24)}=...`",
        detail=f"uWSGI keeps the blanks on both sides of the `=`: {how}.",
        fix=joined(d, name, value),
    )


def joined(d: Directive, name: str, value: str) -> Fix | None:
    """The blanks around the first ``=`` of ``d``'s value removed where they are written
    (``name``/``value``: the two sides uWSGI splits); none when the text up to the blanks
    after the ``=`` is not written as uWSGI reads it."""
    raw = d.raw_value
    skip = 0
    if d.format is Format.JSON:
        if not (len(raw) >= 2 and raw[0] == raw[-1] == '"'):
            return None
        skip = 1
    gap = len(value) - len(value.lstrip(" \t"))
    head = name + "=" + value[:gap]  # as uWSGI reads it, up to the value's first character
    if d.note.startswith("from ") or not raw.startswith(head, skip):
        return None
    bare = len(name.rstrip(" \t"))
    start = advance(d.value_span.start, raw[:skip])
    edits = []
    if bare < len(name):
        edits.append(Edit(Span(d.file, advance(start, name[:bare]), advance(start, name)), ""))
    if gap:
        after = advance(start, name + "=")
        edits.append(Edit(Span(d.file, after, advance(after, value[:gap])), ""))
    return Fix(f"write `{shown(name[:bare], 24)}=...` without the blanks", tuple(edits),
               Applicability.UNSAFE)


# -- UW130: a path option given a flag word ----------------------------------------------

# option: what uWSGI does with the word (the handler of each is uwsgi_opt_set_str or
# uwsgi_opt_add_string_list: any text is a path)
PATH_OPTIONS = {
    "daemonize": "daemonizes and writes its log to a file named",
    "daemonize2": "daemonizes after loading the app and writes its log to a file named",
    "logto": "writes its log to a file named",
    "logto2": "writes its log to a file named",
    "pidfile": "writes its pid to a file named",
    "pidfile2": "writes its pid to a file named",
    "safe-pidfile": "writes its pid to a file named",
    "safe-pidfile2": "writes its pid to a file named",
    "emperor-pidfile": "writes the Emperor's pid to a file named",
    "master-fifo": "creates a FIFO named",
    "touch-reload": "reloads when someone touches a file named",
    "touch-logreopen": "reopens its log when someone touches a file named",
    "chdir": "changes into (or exits without) a directory named",
    "chdir2": "changes into (or exits without) a directory named",
}
FLAG_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0", "y", "n",
                        "enable", "enabled", "disable", "disabled"})
_OFF_WORDS = frozenset({"false", "no", "off", "0", "n", "disable", "disabled"})


@rule(
    "UW130",
    "path-option-flag-word",
    Severity.WARNING,
    "A path option given a flag word: `daemonize = true` logs to a file named `true`.",
    on=Entries(names=frozenset(PATH_OPTIONS), unique=True),
    fix="unsafe",
)
def check_path_flag(view: View, d: Directive) -> Iterator[Finding]:
    """``core/uwsgi.c``: these options are read by ``uwsgi_opt_set_str()`` or
    ``uwsgi_opt_add_string_list()``: the text is the path, there is no off value
    (``core/utils.c: daemonize()``, ``logto()``; ``core/master_utils.c``)."""
    word = d.effective.strip()
    effect = PATH_OPTIONS.get(d.key)
    if d.unresolved or effect is None or word.lower() not in FLAG_WORDS:
        return
    if (d.format is Format.JSON and d.raw_value in ("true", "false", "null")) or (
            d.format is Format.XML and d.raw_value == ""):
        return  # a JSON literal or an empty XML element: UW016
    off = word.lower() in _OFF_WORDS
    advice = "remove the line to turn it off" if off else "write a path"
    edits = None
    if off and not d.origin and d.key not in view.placeholder_names():
        edits = remove_directive(d)  # not in an included file that others may read
    yield Finding(
        d.value_span,
        f"`{d.key}` takes a path, not a flag: uWSGI {effect} `{shown(word)}`; {advice}",
        detail=(
            "The option stores its text as a file name, relative to uWSGI's working "
            "directory; no value turns it off, only leaving it out does."
        ),
        fix=Fix(f"remove the `{d.key}` line", edits, Applicability.UNSAFE) if edits else None,
    )


# -- UW131: `logger = file` with no path -------------------------------------------------

_TARGET_LOGGERS = frozenset({"file", "fd"})  # plugins/logfile/logfile.c


@rule(
    "UW131",
    "logger-without-target",
    Severity.WARNING,
    "`logger = file` (or `fd`) with no target after `:`: every log line is thrown away.",
    on=Entries(names=frozenset({"logger", "req-logger"}), unique=True),
)
def check_logger(view: View, d: Directive) -> Iterator[Finding]:
    """``core/logging.c: setup_choosen_logger()`` reads ``[id ]name[:arg]`` (an id is
    letters and digits before the first blank); ``plugins/logfile/logfile.c``: the
    ``file`` logger opens its ``arg`` and writes nothing without one (``fd`` likewise),
    and an unknown name exits with "unable to find logger"."""
    value = d.effective
    if d.unresolved:
        return
    head, space, rest = value.partition(" ")
    if space and head.isalnum():
        ident, spec = head, rest
    else:
        ident, spec = "", value
    name, _, arg = spec.partition(":")
    if name in _TARGET_LOGGERS and not arg:
        target = "/path/to/app.log" if name == "file" else "3"
        yield Finding(
            d.value_span,
            f"the `{name}` logger has no target: uWSGI sends every log line to it and it "
            f"writes none of them; write `{d.key} = {name}:{target}`",
            detail=(
                "The log master replaces the default log with the loggers listed: with no "
                "path (or fd number) after the colon, that logger never opens anything."
            ),
        )
    elif ident in _TARGET_LOGGERS and ("/" in name or "." in name):
        yield Finding(
            d.value_span,
            f"uWSGI reads `{ident}` as the logger's id and `{shown(name, 24)}` as its name: it "
            f"exits (no such logger); write `{d.key} = {ident}:{shown(spec, 24)}`",
        )


# -- UW132: `logto` with `daemonize` ------------------------------------------------------


@rule(
    "UW132",
    "logto-ignored-with-daemonize",
    Severity.WARNING,
    "`logto` beside `daemonize`: uWSGI logs to the `daemonize` file and ignores `logto`.",
    on=Instances(needs=frozenset({"logto"})),
)
def check_logto(view: View) -> Iterator[Finding]:
    """``core/logging.c: uwsgi_setup_log()``: ``if (uwsgi.daemonize) ... else if
    (uwsgi.logfile) logto(uwsgi.logfile)``: with `daemonize` set, the log goes to its file
    (opened by ``daemonize()``, or ``logto()`` under an Emperor) and `logto` is never
    read."""
    daemons = view.candidates("daemonize")
    if not daemons or any(c is None for c in daemons):
        return  # not set, or only under an undecided condition
    daemon = daemons[0]
    assert daemon is not None
    for d in view.candidates("logto"):
        if d is None:
            continue
        yield Finding(
            d.key_span,
            f"`{d.key}` is ignored: uWSGI logs to the `daemonize` file "
            f"(`{shown(daemon.effective, 30)}`) instead; remove `{d.key}` or give its path to "
            "`daemonize`",
            (Related("`daemonize` is set here", daemon.span),),
        )
