"""Running the rules over the files a command line names, with failures contained."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .catalog import load_catalog
from .context import assemble
from .diagnostics import Diagnostic, Related
from .discover import discover
from .expand import Assumptions, Instance, split_section
from .model import ConfigFile, Format, Origin, Position, Span
from .rules import Rule, RuleContext, all_rules
from .settings import Settings, enabled_for, settings_for, severity_of
from .settings import excluded as settings_excluded


@dataclass(frozen=True, slots=True)
class Walk:
    """How directories are walked (``--max-depth``, ``--exclude``, ``.gitignore``)."""

    max_depth: int | None = None
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True


@dataclass(slots=True)
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file checked
    errors: list[str] = field(default_factory=list)  # internal errors, one line each


def targets(
    paths: list[str], walk: Walk | None = None
) -> tuple[list[str], list[Diagnostic], frozenset[str]]:
    """The files to check: files named as they are, uWSGI configs found under directories,
    a UW001 finding for each path that does not exist, and the files named explicitly."""
    from .rules.unreadable import check as unreadable

    walk = walk or Walk()
    found = discover(
        paths,
        max_depth=walk.max_depth,
        exclude=walk.exclude,
        respect_gitignore=walk.respect_gitignore,
    )
    missing = [
        unreadable.diagnostic(
            Span(os.path.abspath(p), Position(1, 1), Position(1, 1)),
            "cannot read: No such file or directory",
        )
        for p in found.missing
    ]
    explicit = frozenset(f.path for f in found.found if f.explicit)
    return [f.path for f in found.found], missing, explicit


def lint(
    paths: list[str],
    assume: Assumptions | None = None,
    walk: Walk | None = None,
    *,
    config: str | None = None,
    isolated: bool = False,
    suppressions: bool = True,
) -> Report:
    """Lint ``paths``; then (see :func:`apply`) the settings closest to each file, or
    ``config`` for all (``--config``), none with ``isolated`` (``--isolated``), and the
    suppression comments unless ``suppressions`` is false (``--disable-suppressions``).
    Raises :class:`~uwsgi_lint.settings.SettingsError` for a settings file in error."""
    assume = assume or Assumptions()
    ctx = RuleContext(load_catalog(assume.version), assume)
    rules = all_rules()
    files, missing, explicit = targets(paths, walk)
    lookup = SettingsLookup(config=config, isolated=isolated)
    files = [f for f in files if f in explicit or not lookup.excludes(f)]
    report = Report(diagnostics=missing)
    instances = assemble(files, assume, report.errors, explicit)
    roots = {os.path.abspath(i.root.path) for i in instances}
    report.files = sorted(roots | {os.path.abspath(split_section(f)[0]) for f in files})
    seen: set[tuple[str, Span, str]] = set()
    for inst in instances:
        found: list[Diagnostic] = []
        for r in rules:
            try:
                found.extend(r.check(inst, ctx))
            except Exception as exc:  # contain a bug to the rule and file it happened on
                report.errors.append(
                    f"{inst.root.path}: internal error in {r.code} ({r.name}): "
                    f"{type(exc).__name__}: {exc}"
                )
        chains = origin_chains(inst)
        for d in found:
            key = (d.code, d.span, d.message)
            if key not in seen:
                seen.add(key)
                report.diagnostics.append(with_chain(d, chains))
    report.diagnostics.sort(key=Diagnostic.sort_key)
    sources = {os.path.abspath(c.path): c for inst in instances for c in inst.files}
    return apply(report, settings_for=lookup, suppressions=suppressions, sources=sources)


def origin_chains(inst: Instance) -> dict[tuple[str, Position], tuple[Origin, ...]]:
    """Where each directive that came through an include or the Emperor was asked for."""
    chains: dict[tuple[str, Position], tuple[Origin, ...]] = {}
    for d in inst.options:
        if d.origin:
            chains.setdefault((d.file, d.span.start), d.origin)
    return chains


def with_chain(
    d: Diagnostic, chains: dict[tuple[str, Position], tuple[Origin, ...]]
) -> Diagnostic:
    chain = chains.get((d.span.file, d.span.start))
    if not chain:
        return d
    notes = tuple(Related(origin_note(o), o.span) for o in reversed(chain))
    return replace(d, related=d.related + notes)


def origin_note(o: Origin) -> str:
    if o.kind == "inherit":
        return f"inherited here (inherit = {o.target})"
    if o.kind.startswith(("vassals-", "vassal-")):
        return f"added to every vassal by the Emperor's {o.kind} = {o.target}"
    return f"included here ({o.kind} = {o.target})"


# --- post-processing: settings and suppression comments ------------------------------
# Runs over the final findings of a lint: drops what the closest settings turn off
# (select/ignore/per-file-ignores), sets their severity, applies `uwsgi-lint:` comments
# and reports the suppressions that silence nothing (UW090) or name no rule (UW091).


class SettingsLookup:
    """``settings_for`` with the answer for each directory remembered for one run."""

    def __init__(self, *, config: str | None = None, isolated: bool = False) -> None:
        self.config = config
        self.isolated = isolated
        self._by_dir: dict[str, Settings] = {}

    def __call__(self, file: str) -> Settings:
        directory = os.path.dirname(os.path.abspath(split_section(file)[0]))
        found = self._by_dir.get(directory)
        if found is None:
            found = settings_for(file, config=self.config, isolated=self.isolated)
            self._by_dir[directory] = found
        return found

    def excludes(self, file: str) -> bool:
        name = split_section(file)[0]
        return settings_excluded(self(name), name)


def apply(
    report: Report,
    *,
    settings_for: Callable[[str], Settings] = settings_for,
    suppressions: bool = True,
    sources: Mapping[str, ConfigFile] | None = None,
) -> Report:
    """``report`` with the settings of each finding's file and the suppression comments
    applied (in place; returned for chaining).  ``sources`` maps absolute paths to the
    files as read (their comments); a file missing from it is read here."""
    from . import suppress
    from .rules import all_rules

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
        kept = _suppress(kept, files, settings_for, by_code, suppress)
    kept.sort(key=Diagnostic.sort_key)
    report.diagnostics = kept
    return report


def _suppress(
    found: list[Diagnostic],
    files: dict[str, ConfigFile | None],
    settings_for: Callable[[str], Settings],
    by_code: Mapping[str, Rule],
    suppress: Any,
) -> list[Diagnostic]:
    from .readers import read_file

    per_file: dict[str, Any] = {}
    for path, cfg in sorted(files.items()):
        if cfg is None:
            if not os.path.isfile(path):
                continue
            cfg = read_file(path, openers=frozenset())
        if cfg.format is Format.JSON or not cfg.comments:
            continue
        if not any("uwsgi-lint:" in c.text for c in cfg.comments):
            continue
        per_file[path] = suppress.collect(cfg, suppress.read_lines(path))
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
            if rule is not None and not enabled_for(s, path, rule.code, rule.name):
                continue  # the settings turn the rule off: nothing to silence
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
