"""``--format github``: GitHub Actions workflow commands, and the step summary.

Chosen by default when ``GITHUB_ACTIONS=true``.  Paths are relative to the working
directory (the workspace in a workflow).

GitHub shows at most 10 error, 10 warning and 10 notice annotations a step and drops the
rest silently (actions/toolkit ``docs/problem-matchers.md``, "Limitations").  So
:func:`render` prints an annotation a finding, then every finding again as the lines of
``--format text`` inside a collapsed group, then the summary line; :func:`step_summary`
is the markdown for ``$GITHUB_STEP_SUMMARY``, with the findings that got no annotation.

Escaping follows the runner's parser (actions/runner ``ActionCommand.cs``): the data
escapes ``%``, CR and LF; a property also ``:`` and ``,``.  Every line that is not a
command starts with a path or a fixed word, and untrusted text is cleaned
(``untrusted.clean``: no ``::`` at a line's start, no ``##[``), so no line of the log can
be read as a command.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..diagnostics import Diagnostic, Severity
from ..report import Report
from ..untrusted import clean
from . import display_path, statistics, text

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

# what GitHub shows of one step; the findings past these get no annotation on screen
MAX_ERROR_ANNOTATIONS = 10
MAX_WARNING_ANNOTATIONS = 10
MAX_NOTICE_ANNOTATIONS = 10
ANNOTATION_LIMIT = {Severity.ERROR: MAX_ERROR_ANNOTATIONS,
                    Severity.WARNING: MAX_WARNING_ANNOTATIONS,
                    Severity.INFO: MAX_NOTICE_ANNOTATIONS}
SUMMARY_ROWS = 100  # findings without an annotation listed in the step summary


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    s, e = d.span.start, d.span.end
    props = [f"file={escape_property(display_path(d.span.file))}", f"line={s.line}",
             f"col={s.column}"]
    if (e.line, e.column) > (s.line, s.column):
        props += [f"endLine={e.line}", f"endColumn={e.column}"]
    props.append(f"title={escape_property(f'{d.code} {d.name}')}")
    message = f"{d.message}\n{d.detail}" if d.detail else d.message
    for r in d.related:
        p = r.span.start
        message += f"\n{display_path(r.span.file)}:{p.line}:{p.column}: {r.message}"
    return f"::{COMMAND[d.severity]} {','.join(props)}::{escape_data(message)}"


def unannotated(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The findings GitHub shows no annotation for: those after the first
    :data:`ANNOTATION_LIMIT` of their severity, in output order."""
    seen: Counter[Severity] = Counter()
    past: list[Diagnostic] = []
    for d in diagnostics:
        seen[d.severity] += 1
        if seen[d.severity] > ANNOTATION_LIMIT[d.severity]:
            past.append(d)
    return past


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _limits() -> str:
    return (f"{MAX_ERROR_ANNOTATIONS} error, {MAX_WARNING_ANNOTATIONS} warning and "
            f"{MAX_NOTICE_ANNOTATIONS} notice annotations a step")


def render(report: Report) -> str:
    *found, summary = text.render(report).splitlines()
    lines = [annotation(d) for d in report.diagnostics]
    if found:
        title = f"uwsgi-lint: {_plural(len(report.diagnostics), 'finding')}"
        lines += [f"::group::{escape_data(title)}", *found, "::endgroup::"]
    missing = len(unannotated(report.diagnostics))
    if missing:
        summary += (f" {_plural(missing, 'finding')} past GitHub's limit of {_limits()} "
                    "got no annotation: the group above lists every finding.")
    lines.append(summary)
    return "".join(line + "\n" for line in lines)


# -- the step summary ($GITHUB_STEP_SUMMARY) -------------------------------------------------

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_BACKTICKS = re.compile("`+")


def markdown_text(text: str) -> str:
    """Untrusted ``text`` as inline markdown that shows it as it is: cleaned
    (``untrusted.clean``: one line, secrets masked), then every ASCII punctuation character
    backslash-escaped (CommonMark allows it for each), so that no emphasis, link, code,
    HTML, entity or table cell can start."""
    return _PUNCTUATION.sub(r"\\\1", clean(text))


def markdown_code(text: str) -> str:
    """Untrusted ``text`` (one line) as a code span: its content is shown as it is (no
    HTML, no entity); the fence is longer than any run of backticks in it."""
    text = clean(text)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _linked(code: str, url: str | None) -> str:
    """A rule's code, linked to its page when ``docs-url`` is set (the URL percent-encoded
    but for unreserved and reserved URL characters: no markdown or HTML can start)."""
    if url is None:
        return markdown_text(code)
    from urllib.parse import quote

    return f"[{markdown_text(code)}]({quote(url, safe=_URL_SAFE)})"


_URL_SAFE = ":/?#@!$&'*+,;=-._~%"


def step_summary(report: Report) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: a title, the totals, the findings of each rule,
    and the findings that got no annotation (at most :data:`SUMMARY_ROWS`)."""
    lines = ["## uwsgi-lint", "", markdown_text(text.summary(report))]
    rows = statistics.counts(report)
    if rows:
        by_severity = Counter(d.severity for d in report.diagnostics)
        lines += ["", ", ".join(f"{s.value}: {by_severity[s]}" for s in Severity), "",
                  "| Code | Name | Severity | Count |", "| --- | --- | --- | ---: |"]
        lines += [f"| {_linked(r['code'], report.url(r['code'], r['name']))} | "
                  f"{markdown_text(r['name'])} | "
                  f"{markdown_text(r['severity'])} | {r['count']} |" for r in rows]
    past = unannotated(report.diagnostics)
    if past:
        lines += ["", "### Findings without an annotation", "",
                  f"GitHub shows at most {_limits()}; these "
                  f"{_plural(len(past), 'finding')} got none:", ""]
        for d in past[:SUMMARY_ROWS]:
            s = d.span.start
            where = f"{display_path(d.span.file)}:{s.line}:{s.column}"
            lines.append(f"- {markdown_code(where)} {markdown_text(d.code)} "
                         f"{markdown_text(d.message)}")
        if len(past) > SUMMARY_ROWS:
            lines.append(f"- and {len(past) - SUMMARY_ROWS} more (the log of the step lists "
                         "every finding)")
    return "\n".join(lines) + "\n"
