"""After the rules: the settings and the suppression comments, applied to the findings
of a run.

Drops what the closest settings turn off (``select``/``ignore``/``per-file-ignores``), sets
their severity, applies ``uwsgi-lint:`` comments (:mod:`uwsgi_lint.suppress`) and reports
the suppressions that silence nothing (UW090) or name no rule (UW091).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import Any

from . import suppress
from .diagnostics import Diagnostic
from .instance.loader import split_target
from .model import ConfigFile, Format
from .readers import buffer_for, read_file
from .report import Report
from .rules import Rule, all_rules
from .settings import Selection, Settings, enabled_for, settings_for, severity_of
from .settings import excluded as settings_excluded


class SettingsLookup:
    """``settings_for`` with the answer for each directory remembered for one run, and
    the run's own ``selection`` (command-line selectors) put over each answer."""

    def __init__(
        self, *, config: str | None = None, isolated: bool = False,
        selection: Selection | None = None,
    ) -> None:
        self.config = config
        self.isolated = isolated
        self.selection = selection
        self._by_dir: dict[str, Settings] = {}

    def __call__(self, file: str) -> Settings:
        directory = os.path.dirname(os.path.abspath(split_target(file)[0]))
        found = self._by_dir.get(directory)
        if found is None:
            found = settings_for(file, config=self.config, isolated=self.isolated)
            if self.selection is not None:
                found = self.selection.over(found)
            self._by_dir[directory] = found
        return found

    def excludes(self, file: str) -> bool:
        name = split_target(file)[0]
        return settings_excluded(self(name), name)


def apply(
    report: Report,
    *,
    settings_for: Callable[[str], Settings] = settings_for,
    suppressions: bool = True,
    sources: Mapping[str, ConfigFile] | None = None,
    ran: Collection[str] | None = None,
) -> Report:
    """``report`` with the settings of each finding's file and the suppression comments
    applied (in place; returned for chaining).  ``sources`` maps absolute paths to the
    files as read (their comments); a file missing from it is read here.  ``ran``: the
    codes of the rules that ran, when not all did (a suppression of another rule has
    nothing to silence, and is not reported unused)."""
    by_code = {r.code: r for r in all_rules()}
    kept: list[Diagnostic] = []
    for d in report.diagnostics:
        s = settings_for(d.span.file)
        if not enabled_for(s, d.span.file, d.code, d.name):
            continue
        sev = severity_of(s, d)
        kept.append(d if sev is d.severity else replace(d, severity=sev))
    if suppressions:
        files: dict[str, ConfigFile | None] = dict(sources or {})
        for f in report.files:
            files.setdefault(os.path.abspath(f), None)
        kept = _suppress(kept, files, settings_for, by_code, ran)
    kept.sort(key=Diagnostic.sort_key)
    report.diagnostics = kept
    return report


def _suppress(
    found: list[Diagnostic],
    files: dict[str, ConfigFile | None],
    settings_for: Callable[[str], Settings],
    by_code: Mapping[str, Rule],
    ran: Collection[str] | None,
) -> list[Diagnostic]:
    per_file: dict[str, suppress.Suppressions] = {}
    for path, cfg in sorted(files.items()):
        data = buffer_for(path)
        if cfg is None:
            if data is None and not os.path.isfile(path):
                continue
            cfg = read_file(path, openers=frozenset())
        if cfg.format is Format.JSON or not cfg.comments:
            continue
        if not any("uwsgi-lint:" in c.text for c in cfg.comments):
            continue
        lines = (
            suppress.read_lines(path) if data is None
            else re.split(r"\r\n|\n|\r", data.decode("utf-8", "replace"))
        )
        per_file[path] = suppress.collect(cfg, lines)
    if not per_file:
        return found
    out: list[Diagnostic] = []
    for d in found:
        sup = per_file.get(os.path.abspath(d.span.file))
        if sup is None or not sup.silences(d):
            out.append(d)
    unused_rule, unknown_rule = by_code["UW090"], by_code["UW091"]
    for path, sup in per_file.items():
        s = settings_for(path)
        made: list[Diagnostic] = []
        for comment, code in sup.unknown:
            made.append(unknown_rule.diagnostic(
                comment.span,
                f"`{code}` is no rule code or name: this suppression silences nothing; "
                "use a code like `UW101` or a name like `unknown-option` (or `all`)",
            ))
        groups: dict[tuple[Any, str], list[str]] = {}
        for e in sup.entries:
            if e.used:
                continue
            rule = by_code.get(e.code) or next(
                (r for r in by_code.values() if r.name == e.code), None
            )
            if rule is not None and (
                not enabled_for(s, path, rule.code, rule.name)
                or (ran is not None and rule.code not in ran)
            ):
                continue  # the rule is off (settings, or a run of some rules only)
            groups.setdefault((e.comment.span, suppress.describe(e)), []).append(e.code)
        for (span, where), codes in groups.items():
            listed = ", ".join(f"`{c}`" for c in codes)
            made.append(unused_rule.diagnostic(
                span,
                f"unused suppression: no {listed} finding {where} to silence; remove it",
            ))
        for e in sup.stray:
            made.append(unused_rule.diagnostic(
                e.comment.span,
                f"`enable={e.code}` ends no `disable={e.code}` range above it; remove it",
            ))
        for d in made:
            if enabled_for(s, path, d.code, d.name):
                sev = severity_of(s, d)
                out.append(d if sev is d.severity else replace(d, severity=sev))
    return out
