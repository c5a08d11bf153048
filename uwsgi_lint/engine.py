"""Running the rules over the files a command line names, with failures contained."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from .catalog import load_catalog
from .context import assemble
from .diagnostics import Diagnostic, Related
from .discover import discover
from .expand import Assumptions, Instance, split_section
from .model import Origin, Position, Span
from .rules import RuleContext, all_rules


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


def lint(paths: list[str], assume: Assumptions | None = None, walk: Walk | None = None) -> Report:
    assume = assume or Assumptions()
    ctx = RuleContext(load_catalog(assume.version), assume)
    rules = all_rules()
    files, missing, explicit = targets(paths, walk)
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
    return report


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
