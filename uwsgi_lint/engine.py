"""Running the rules over the files a command line names, with failures contained."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import fs, session
from .diagnostics import Diagnostic, Related
from .discover import Skipped, Walk, discover
from .dispatch import Dispatch, Failures
from .facts import Views
from .instance import Assumptions
from .instance.loader import split_target
from .model import Instance, Origin, Position, Span
from .parallel import default_jobs, map_indexes
from .postprocess import SettingsLookup, apply
from .report import Report
from .rules import Deployment as DeploymentScope
from .rules import Rule, all_rules
from .settings import Selection, SettingsError
from .tree import assemble, context_emperors, for_checked


@dataclass(slots=True)
class Targets:
    """What a command line names: the files to check, those named explicitly, a UW001
    finding for each path that does not exist and each file or directory that cannot be
    read (permission denied ...), and what the walk passed over, with the reason."""

    files: list[str]
    explicit: frozenset[str]
    unreadable: list[Diagnostic]
    skipped: list[Skipped]


def targets(paths: list[str], walk: Walk | None = None) -> Targets:
    """The files to check: files named as they are (unless they are no uWSGI config),
    uWSGI configs found under directories (:func:`~uwsgi_lint.discover.discover`)."""
    from .rules.unreadable import UNREADABLE as unreadable

    walk = walk or Walk()
    found = discover(
        paths,
        max_depth=walk.max_depth,
        exclude=walk.exclude,
        respect_gitignore=walk.respect_gitignore,
    )
    problems = [(p, "cannot read: No such file or directory") for p in found.missing]
    problems += [(u.path, u.reason) for u in found.unreadable]
    return Targets(
        files=[f.path for f in found.found],
        explicit=frozenset(f.path for f in found.found if f.explicit),
        unreadable=[
            unreadable.diagnostic(
                Span(os.path.abspath(p), Position(1, 1), Position(1, 1)), reason)
            for p, reason in problems
        ],
        skipped=found.skipped,
    )


def without_excluded(named: Targets, lookup: SettingsLookup) -> Targets:
    """``named`` without the files found by the walk that the ``exclude``/``extend-exclude``
    of their settings leave out (a file named on the command line is always checked)."""
    files, skipped = [], list(named.skipped)
    for f in named.files:
        if f not in named.explicit and lookup.excludes(f):
            source = lookup(f).source or "the settings"
            skipped.append(Skipped(f, f"excluded by `exclude` in {source}"))
        else:
            files.append(f)
    return replace(named, files=files, skipped=skipped)


def plan(
    paths: list[str],
    walk: Walk | None = None,
    *,
    config: str | None = None,
    isolated: bool = False,
    allow_read: Sequence[str] = (),
) -> Targets:
    """What a run over ``paths`` would check, and what it would pass over and why
    (``--show-files``): nothing is read beyond what finding the configs takes."""
    roots, _ = boundary_roots(paths, allow_read, config=config, isolated=isolated)
    with session.run(roots):
        return without_excluded(targets(paths, walk),
                                SettingsLookup(config=config, isolated=isolated))


def lint(
    paths: list[str],
    assume: Assumptions | None = None,
    walk: Walk | None = None,
    *,
    config: str | None = None,
    isolated: bool = False,
    suppressions: bool = True,
    buffers: Mapping[str, bytes] | None = None,
    allow_read: Sequence[str] = (),
    only: Collection[str] | None = None,
    jobs: int | None = None,
    selection: Selection | None = None,
    overrides: Mapping[str, Any] | None = None,
    overlay: Mapping[str, bytes] | None = None,
    instances: list[Instance] | None = None,
) -> Report:
    """Lint ``paths``, reading nothing outside their boundary (see :func:`boundary_roots`;
    ``allow_read`` is ``--allow-read``); then (see :func:`apply`) the settings closest to
    each file, or ``config`` for all (``--config``), none with ``isolated``
    (``--isolated``), and the suppression comments unless ``suppressions`` is false
    (``--disable-suppressions``).

    ``buffers`` maps file paths to bytes that are linted in place of those files (standard
    input with ``--stdin-filename``): each is checked as a file named on the command line,
    whether or not it exists, and nothing is written to disk.

    Files named explicitly (not directories) get their context: an Emperor above them
    that starts one of them is read too (see :func:`context_emperors`), and findings are
    reported only for the files checked and the files they include, never for a file that
    was read only for context.
    ``only`` runs just the rules with those codes (a rule's own tests), whatever their
    set; ``selection``: the command line's selectors, over each file's settings.  ``jobs``: how
    many processes read and check the files (``--jobs``; default: one per core, used
    for big runs only: :mod:`uwsgi_lint.parallel`); the output does not depend on it.

    ``overlay`` maps file paths to bytes read in place of theirs, without naming those
    files (the fixed text between two passes of ``--fix``: :mod:`uwsgi_lint.fix`).
    ``instances``, when given, receives the instances the rules ran on (``show`` draws
    the Emperor tree from them: :mod:`uwsgi_lint.render.tree_view`).

    Each file is read with ``assume`` and the target version, YAML reader, plugins and
    context of its closest settings over it, then ``overrides`` (the command line's
    ``--target-version`` ...: :class:`FileAssumptions`).
    Raises :class:`~uwsgi_lint.settings.SettingsError` for a settings file in error."""
    roots, warnings = boundary_roots(
        [*paths, *(buffers or {})], allow_read, config=config, isolated=isolated
    )
    with session.run(roots, {**(buffers or {}), **(overlay or {})}):  # fixed text wins
        report = _lint(paths, assume or Assumptions(), walk, config, isolated, suppressions,
                       list(buffers or {}), only,
                       default_jobs() if jobs is None else jobs, selection, overrides or {},
                       instances)
    report.warnings[:0] = warnings
    return report


def boundary_roots(
    paths: Sequence[str],
    allow_read: Sequence[str] = (),
    *,
    config: str | None = None,
    isolated: bool = False,
) -> tuple[tuple[str, ...], list[str]]:
    """What a run over ``paths`` may read (:func:`uwsgi_lint.fs.roots_for`): each path's
    directory widened to its git work tree, the ``allow_read`` paths (``--allow-read``),
    and the ``allow-read`` paths of the settings that govern ``paths`` (relative to the
    settings file) -- those only from a settings file outside the linted tree (one given
    with ``--config``): a settings file inside it is as untrusted as the configs (a pull
    request can change it), so its ``allow-read`` is ignored, with a warning (returned).
    Raises :class:`~uwsgi_lint.settings.SettingsError` for a settings file in error."""
    base = fs.roots_for(paths or ["."])
    roots = [*base, *fs.roots_for((), allow_read)]
    warnings: list[str] = []
    if isolated:
        return tuple(dict.fromkeys(roots)), warnings
    tree = fs.Boundary(base)
    lookup = SettingsLookup(config=config)
    done: set[str] = set()
    for p in paths or ["."]:
        s = lookup(p)
        if not s.allow_read or s.source is None or s.source in done:
            continue
        done.add(s.source)
        if tree.contains(s.source):
            warnings.append(
                f"{s.source}: `allow-read` is ignored: a settings file inside the linted "
                "tree cannot widen what uwsgi-lint reads (a pull request could change it); "
                "give --allow-read PATH on the command line, or --config a settings file "
                "outside the tree"
            )
            continue
        here = os.path.dirname(s.source)
        roots.extend(fs.roots_for((), [os.path.join(here, a) for a in s.allow_read]))
    return tuple(dict.fromkeys(roots)), warnings


def _lint(
    paths: list[str],
    assume: Assumptions,
    walk: Walk | None,
    config: str | None,
    isolated: bool,
    suppressions: bool,
    given: list[str],
    only: Collection[str] | None,
    jobs: int,
    selection: Selection | None,
    overrides: Mapping[str, Any],
    checked_out: list[Instance] | None = None,
) -> Report:
    rules = [r for r in all_rules() if only is None or r.code in only]
    dispatches: dict[str, Dispatch] = {}  # one per target version met
    named = targets(paths, walk) if paths else Targets([], frozenset(), [], [])
    named = replace(named, files=named.files + [b for b in given if b not in named.files],
                    explicit=named.explicit | frozenset(given))
    missing, explicit = named.unreadable, named.explicit
    if only:  # the rules asked for run whatever their set
        selection = selection or Selection()
        selection = replace(selection, extend_select=selection.extend_select + tuple(only))
    lookup = SettingsLookup(config=config, isolated=isolated, selection=selection)
    assume_for = FileAssumptions(lookup, assume, overrides)
    named = without_excluded(named, lookup)
    files = named.files
    for f in files:
        assume_for(f)  # a settings file in error stops the run here, not while reading
    assume_for.check()
    report = Report(diagnostics=list(missing), skipped=named.skipped)
    checked = {os.path.realpath(split_target(f)[0]) for f in files}
    context = context_emperors([f for f in files if f in explicit], checked, assume_for)
    instances = assemble(files + context, assume_for, report.errors, explicit)
    assume_for.check()
    report.diagnostics.extend(reading_error(line) for line in report.errors)
    if context:
        instances, allowed = for_checked(instances, checked, context)
    if checked_out is not None:
        checked_out.extend(instances)
    roots = {os.path.abspath(i.root.path) for i in instances}
    report.files = sorted(roots | {os.path.abspath(split_target(f)[0]) for f in files})
    views = Views(assume_for)

    def check(i: int) -> tuple[list[Diagnostic], Failures]:
        failures = Failures()
        view = views.of(instances[i])
        dispatch = dispatches.get(view.assume.version)
        if dispatch is None:
            dispatch = dispatches[view.assume.version] = Dispatch(rules, view.catalog)
        found = dispatch.run(view, failures)
        views.release(instances[i])
        return found, failures

    seen: set[tuple[str, Span, str]] = set()
    for inst, (found, failures) in zip(
        instances, map_indexes(check, len(instances), jobs), strict=True
    ):
        _add(report, found, failures, origin_chains(inst), seen)
    _deployment(instances, views, rules, report, seen)
    if context:
        report.diagnostics = [
            d for d in report.diagnostics
            if os.path.realpath(d.span.file) in allowed or d in missing
        ]
    report.diagnostics.sort(key=Diagnostic.sort_key)
    sources = {os.path.abspath(c.path): c for inst in instances for c in inst.files}
    if context:
        sources = {k: v for k, v in sources.items() if os.path.realpath(k) in allowed}
    return apply(report, settings_for=lookup, suppressions=suppressions, sources=sources,
                 ran=only)


def _deployment(
    instances: list[Instance],
    views: Views,
    rules: Sequence[Rule],
    report: Report,
    seen: set[tuple[str, Span, str]],
) -> None:
    """The findings of the ``Deployment()`` rules, run once in this process over every
    instance of the run (after the per-instance checks, which may run in workers)."""
    if not instances or not any(isinstance(r.scope, DeploymentScope) for r in rules):
        return
    all_views = [views.of(i) for i in instances]
    failures = Failures()
    found = Dispatch(rules, all_views[0].catalog).run_deployment(all_views, failures)
    chains: dict[tuple[str, Position], tuple[Origin, ...]] = {}
    for inst in instances if found else ():
        for where, chain in origin_chains(inst).items():
            chains.setdefault(where, chain)
    _add(report, found, failures, chains, seen)
    for inst in instances:
        views.release(inst)


def _fix_fits(d: Diagnostic) -> bool:
    """Whether a fix edits text of the kind it was made for: a uwsgiconf module is only
    edited by the uwsgiconf rules' codemods (UW6xx) and the removal of an unused
    suppression comment (UW090), never by an INI text fix of an option it writes."""
    assert d.fix is not None
    if not any(e.span.file.endswith(".py") for e in d.fix.edits):
        return True
    return d.code.startswith("UW6") or d.code == "UW090"


def _add(
    report: Report,
    found: list[Diagnostic],
    failures: Failures,
    chains: dict[tuple[str, Position], tuple[Origin, ...]],
    seen: set[tuple[str, Span, str]],
) -> None:
    """Findings into the report once each (a file read by several instances gives the
    same finding for each), with their include chains, and the rules' failures."""
    for d in found:
        key = (d.code, d.span, d.message)
        if key not in seen:
            seen.add(key)
            if d.fix is not None and not _fix_fits(d):
                d = replace(d, fix=None)
            report.diagnostics.append(with_chain(d, chains))
    report.errors += failures.lines
    report.tracebacks += failures.tracebacks


@dataclass
class FileAssumptions:
    """What each file is read with: ``base`` with its closest settings' ``target-version``,
    ``yaml-reader``, ``plugins`` and ``context`` put in (:meth:`Settings.assumptions`),
    then ``overrides`` (the command line's, by :class:`Assumptions` field name).  Files
    are grouped by their settings file, so the answer is worked out once per group."""

    settings: SettingsLookup
    base: Assumptions
    overrides: Mapping[str, Any]
    errors: list[SettingsError] = field(default_factory=list)
    _by_source: dict[str | None, Assumptions] = field(default_factory=dict)

    def __call__(self, path: str) -> Assumptions:
        try:
            settings = self.settings(path)
        except SettingsError as exc:  # met while reading (a vassal's): raised by check()
            self.errors.append(exc)
            return self.base
        found = self._by_source.get(settings.source)
        if found is None:
            found = settings.assumptions(self.base)
            if "context" in self.overrides:  # the settings' deprecated `container` gives way
                found = replace(found, container=False)
            found = self._by_source[settings.source] = replace(found, **self.overrides)
        return found

    def check(self) -> None:
        """Raise the first settings error met while reading."""
        if self.errors:
            raise self.errors[0]


def reading_error(line: str) -> Diagnostic:
    """The UW099 finding for a bug met while reading a file (``PATH: internal error: ...``,
    as :func:`~uwsgi_lint.tree.assemble` records it): the file is left out."""
    from .rules.internal_error import INTERNAL_ERROR as uw099

    path, _, what = line.partition(": internal error: ")
    span = Span(os.path.abspath(split_target(path)[0]), Position(1, 1), Position(1, 1))
    return uw099.diagnostic(
        span,
        f"internal error while reading this file: {what}; it was not checked (a bug in "
        "uwsgi-lint: please report it)",
    )


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
