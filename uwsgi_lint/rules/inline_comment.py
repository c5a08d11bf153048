"""UW105: a ``# comment`` or ``; comment`` after a value, which uWSGI keeps in the value."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog import Option
from ..diagnostics import Finding, Severity
from ..facts import View
from ..model import Applicability, Directive, Edit, Fix, Format, Span
from ..textfix import advance, line_above
from ..values import NUMBER_KINDS, flag_is_on, inline_comment, read_number, shown, value_subspan
from . import Entries, rule
from .flag_value import FLAG_KINDS, looks_off

# values that are commands, code or free text, where `#` and `;` are ordinary characters
FREE_TEXT_HANDLERS = frozenset(
    {
        "uwsgi_opt_add_cron",
        "uwsgi_opt_add_cron2",
        "uwsgi_opt_add_unique_cron",
        "uwsgi_opt_add_legion_cron",
        "uwsgi_opt_add_daemon",
        "uwsgi_opt_add_daemon2",
        "uwsgi_opt_add_route",
        "uwsgi_opt_add_custom_option",
    }
)
FREE_TEXT_PREFIXES = ("exec-", "hook-", "log-format", "logformat", "log-encoder", "log-req-encoder")
SKIP_KINDS = frozenset({"logic-close"})


def free_text(opt: Option) -> bool:
    return (
        opt.handler in FREE_TEXT_HANDLERS
        or opt.name.startswith(FREE_TEXT_PREFIXES)
        or "eval" in opt.name
        or opt.value_kind in SKIP_KINDS
    )


def consequence(opt: Option, key: str, value: str, cut: str) -> str:
    """What the comment does to the value uWSGI uses."""
    kind = opt.value_kind or ""
    if kind in FLAG_KINDS:
        if not flag_is_on(cut) or looks_off(cut):
            return f"so `{key}` is on, not off"
        return f"`{key}` is still on"
    if kind in NUMBER_KINDS:
        got = read_number(kind, value).value
        if got == read_number(kind, cut).value:
            return f"uWSGI still reads {got}"
        return f"uWSGI reads {got}"
    return f"uWSGI uses `{shown(value)}`"


@rule(
    "UW105",
    "inline-comment-in-value",
    Severity.WARNING,
    "A trailing `# ...` or `; ...` is part of the value: uWSGI has no inline comments.",
    on=Entries(unique=True),
    fix="safe",
)
def check(view: View, d: Directive) -> Iterator[Finding]:
    # as written: a comment that a placeholder brings in is reported where it is written
    value = d.value
    if ("#" not in value and ";" not in value) or d.note.startswith("from "):
        return  # `from set`: added by `set = name=value`, reported at that line
    opt = view.catalog.get(d.key)
    if opt is None or free_text(opt):
        return
    at = inline_comment(value)
    if at is None or (d.format is Format.YAML and value[at] == "#"):
        return
    key, target = d.key, opt
    if opt.value_kind == "assignment":
        key, eq, rest = value.partition("=")
        target_opt = view.catalog.get(key)
        if not eq or at < len(key) + 1:
            return
        if target_opt is not None and free_text(target_opt):
            return
        target = target_opt or opt
        value, at = rest, at - len(key) - 1
    cut = value[:at].rstrip(" \t")
    if not cut:
        return
    comment = value[at:]
    if key == d.key and d.effective.endswith(comment):
        value = d.effective  # what the handler gets, placeholders expanded
        cut = value[: len(value) - len(comment)].rstrip(" \t")
    start = len(d.value) - len(comment)
    span = value_subspan(d, start, len(d.value)) if d.value.endswith(comment) else None
    yield Finding(
        span or d.value_span,
        f"uWSGI has no inline comments: `{shown(comment, 40)}` is part of the "
        f"`{key}` value and {consequence(target, key, value, cut)}; put the comment on "
        "a line of its own",
        fix=moved(d, comment),
    )


def comment_line(fmt: Format, comment: str) -> str | None:
    """``comment`` (starting with its ``#`` or ``;``) as a whole-line comment of ``fmt``."""
    if fmt is Format.INI:
        return comment
    if fmt is Format.YAML:
        return "#" + comment[1:]
    if fmt is Format.XML:
        body = comment[1:].strip(" \t")
        if "--" in body or body.endswith("-"):
            return None  # not allowed in an XML comment
        return f"<!-- {body} -->" if body else "<!-- -->"
    return None  # JSON has no comments: the text would be lost


def moved(d: Directive, comment: str) -> Fix | None:
    """The fix: ``comment`` (the end of ``d``'s value as written) taken out of the value,
    with the blanks before it, and put on a line of its own above ``d``."""
    raw = d.raw_value
    if not raw.endswith(comment):
        return None
    kept = raw[: len(raw) - len(comment)].rstrip(" \t")
    if "%" in raw[len(kept):] or kept.endswith("%"):
        return None  # a magic `%` would eat the comment's text or the line break
    line = comment_line(d.format, comment)
    above = line_above(d, line) if line is not None else None
    if above is None:
        return None
    start = d.value_span.start
    cut = Span(d.file, advance(start, kept), advance(start, raw))
    return Fix("move the comment to a line of its own above",
               (above, Edit(cut, "")), Applicability.SAFE)
