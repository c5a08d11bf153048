"""UW102: a flag given a value that uWSGI reads as *on*, although it was likely meant off."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Directive, Fix, Span
from ..textfix import remove_directive, replace_value
from ..values import FALSE_WORDS, flag_is_on, inline_comment, shown, value_subspan
from . import Entries, rule

FLAG_KINDS = frozenset({"bool", "bool-inverted"})
# values that read as on and were meant on: not worth a word
ON_WORDS = frozenset({"true", "yes", "on", "1", "y", "enable", "enabled"})
# values that read as on but look like an attempt to say off
_OFF_LOOKING = re.compile(
    r"(false|off|no|n|none|null|nil|nope|never|f|not|disabled?|[+-]?0+(\.0*)?)"
    r"|(false|off|no|disabled?)\b.*",
    re.I,
)
LOG_DATE_HANDLER = "uwsgi_opt_log_date"


def before_comment(d: Directive) -> tuple[str, Span] | None:
    """The value of ``d`` before its inline comment (UW105 reports the comment) and where
    it is written; None when there is no inline comment, or when what uWSGI gets is not
    the value as written (placeholders): then it cannot be told apart."""
    at = inline_comment(d.value)
    if at is None or d.effective != d.value:
        return None
    cut = d.value[:at].rstrip(" \t")
    return cut, value_subspan(d, 0, len(cut))


def looks_off(value: str) -> bool:
    """``n``, ``00``, ``"false"``, ``False\\r``, `` off `` ...: written as off, read as on."""
    return _OFF_LOOKING.fullmatch(value.strip(" \t\r\n\"'")) is not None


def _why(value: str) -> str:
    """What makes a value that looks like off differ from uWSGI's off words."""
    if "\r" in value:
        return " (the value ends in a carriage return: a CRLF file)"
    if value != value.strip(" \t\n"):
        return " (the blanks around it are part of the value)"
    if any(q in value for q in "\"'"):
        return " (the quotes are part of the value)"
    return ""


def flag_message(d: Directive, value: str) -> tuple[str, str] | None:
    """The message and the detail for the flag ``d`` whose value is ``value``."""
    if value == "" or not flag_is_on(value):
        return None  # a bare key means on; off values are fine
    word = value.strip(" \t\r\n\"'").lower()
    if looks_off(value):
        return (
            f"uWSGI reads `{shown(value)}` as on{_why(value)}; write `{d.key} = false`",
            f"Only `false`, `off`, `no` (any case) or exactly `0` turn `{d.key}` off.",
        )
    if value.lower() in ON_WORDS or (word in ON_WORDS and value == value.strip()):
        return None
    if re.fullmatch(r"[+-]?\d+", word) and int(word) > 0:
        return None
    return (
        f"`{d.key}` is a flag: `{shown(value)}` turns it on; write `{d.key} = true`",
        f"uWSGI reads every value of `{d.key}` except `false`, `off`, `no` or `0` as on.",
    )


def log_date_message(d: Directive, value: str) -> tuple[str, str] | None:
    """``log-date`` is no flag: any value but true/1/on/yes is a strftime format."""
    if value.lower() in FALSE_WORDS or value == "0" or (value and looks_off(value)):
        return (
            f"`{shown(value)}` turns the log prefix on: every log line starts with "
            f"`{shown(value)} - `; remove the line to turn it off",
            f"`{d.key}` is not a flag: any value other than true, 1, on or yes is the "
            "strftime format of the prefix.",
        )
    if value == "":
        return (
            f"an empty `{d.key}` is an empty strftime format: log lines start with ` - ` and no "
            f"date; write `{d.key} = true` for the default date",
            "",
        )
    return None


@rule(
    "UW102",
    "flag-value-reads-as-on",
    Severity.WARNING,
    "A flag whose value uWSGI reads as on although it looks like off (`n`, `00`, `\"false\"`).",
    on=Entries(kinds=FLAG_KINDS, handlers=frozenset({LOG_DATE_HANDLER}), unique=True),
    fix="unsafe",
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None or d.unresolved:
        return
    value, span = d.effective, d.value_span
    fix = None
    if opt.value_kind in FLAG_KINDS:
        if inline_comment(d.value) is not None:
            # judged without the comment (UW105's), and fixed once UW105 moved it
            cut = before_comment(d)
            if cut is None:
                return
            value, span = cut
        message = flag_message(d, value)
        word = "false" if message and looks_off(value) else "true"
        if message and value == d.value and (edits := replace_value(d, word)):
            fix = Fix(f"write `{d.key} = {word}`", edits, Applicability.UNSAFE)
    else:
        message = log_date_message(d, value)
        removable = value and d.key not in view.placeholder_names()
        if message and removable and (edits := remove_directive(d)):
            fix = Fix(f"remove the `{d.key}` line", edits, Applicability.UNSAFE)
    if message:
        yield Finding(span, message[0], detail=message[1], fix=fix)
