"""UW102: a flag given a value that uWSGI reads as *on*, although it was likely meant off."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Directive
from ..values import FALSE_WORDS, flag_is_on, inline_comment, shown
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
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    opt = view.catalog.get(d.key)
    if opt is None or d.unresolved:
        return
    value = d.effective
    if opt.value_kind in FLAG_KINDS:
        if inline_comment(d.value) is not None:
            return  # UW105 says what the comment does to the flag
        message = flag_message(d, value)
    else:
        message = log_date_message(d, value)
    if message:
        yield Finding(d.value_span, message[0], detail=message[1])
