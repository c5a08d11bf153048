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
from .settings import (
    Selection,
    Settings,
    enabled_for,
    fix_allowed,
    settings_for,
    severity_of,
)
from .settings import excluded as settings_excluded
from .source import decode


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
    dropped: list[Diagnostic] = []  # a `disable=all` that silences only these is used
    for d in report.diagnostics:
        s = settings_for(d.span.file)
        if not enabled_for(s, d.span.file, d.code, d.name):
            dropped.append(d)
            continue
        sev = severity_of(s, d)
        if sev is not d.severity:
            d = replace(d, severity=sev)
        if d.fix is not None and not fix_allowed(s, d.code, d.name):
            d = replace(d, fix=None)  # `unfixable`: shown, never fixed
        kept.append(d)
    if suppressions:
        files: dict[str, ConfigFile | None] = dict(sources or {})
        for f in report.files:
            files.setdefault(os.path.abspath(f), None)
        kept = _suppress(kept, dropped, files, settings_for, by_code, ran)
    kept.sort(key=Diagnostic.sort_key)
    report.diagnostics = kept
    return report


def _suppress(
    found: list[Diagnostic],
    dropped: list[Diagnostic],
    files: dict[str, ConfigFile | None],
    settings_for: Callable[[str], Settings],
    by_code: Mapping[str, Rule],
    ran: Collection[str] | None,
) -> list[Diagnostic]:
    per_file: dict[str, tuple[suppress.Suppressions, str, ConfigFile]] = {}
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
        text = suppress.read_text(path) if data is None else decode(data)
        per_file[path] = (suppress.collect(cfg, re.split(r"\r\n|\n|\r", text)), text, cfg)
    if not per_file:
        return found
    out: list[Diagnostic] = []
    for d in found:
        got = per_file.get(os.path.abspath(d.span.file))
        if got is None or not got[0].silences(d):
            out.append(d)
    for d in dropped:  # only marks the suppressions that cover it as used
        got = per_file.get(os.path.abspath(d.span.file))
        if got is not None:
            got[0].silences(d)
    unused_rule, unknown_rule = by_code["UW090"], by_code["UW091"]
    for path, (sup, text, cfg) in per_file.items():
        s = settings_for(path)
        made: list[Diagnostic] = []
        for comment, code in sup.unknown:
            made.append(unknown_rule.diagnostic(
                comment.span,
                f"`{code}` is no rule code or name: this suppression silences nothing; "
                "use a code like `UW101` or a name like `unknown-option` (or `all`)",
            ))
        groups: dict[tuple[Any, str], list[suppress.Entry]] = {}
        for e in sup.entries:
            if e.used:
                continue
            rule = by_code.get(e.code) or next(
                (r for r in by_code.values() if r.name == e.code), None
            )
            if rule is None:  # `all`
                off = ran is not None  # a run of some rules only
            else:  # the rule is off (settings, or a run of some rules only)
                off = not enabled_for(s, path, rule.code, rule.name) or (
                    ran is not None and rule.code not in ran)
            if off:
                continue
            groups.setdefault((e.comment.span, suppress.describe(e)), []).append(e)
        for (span, where), entries in groups.items():
            listed = ", ".join(f"`{e.code}`" for e in entries)
            made.append(unused_rule.diagnostic(
                span,
                f"unused suppression: no {listed} finding {where} to silence; remove it",
                fix=suppress.removal(entries[0].comment, [e.index for e in entries], text, cfg),
            ))
        for e in sup.stray:
            made.append(unused_rule.diagnostic(
                e.comment.span,
                f"`enable={e.code}` ends no `disable={e.code}` range above it; remove it",
                fix=suppress.removal(e.comment, [e.index], text, cfg),
            ))
        for d in made:
            if d.fix is not None and not fix_allowed(s, d.code, d.name):
                d = replace(d, fix=None)  # `unfixable`
            if enabled_for(s, path, d.code, d.name):
                sev = severity_of(s, d)
                out.append(d if sev is d.severity else replace(d, severity=sev))
    return out
