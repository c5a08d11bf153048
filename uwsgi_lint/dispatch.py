"""Running the rules over the instances of a run: each rule where its scope says
(:mod:`uwsgi_lint.rules`), a failing rule contained to the file it failed on (UW099).

The per-entry rules are found through a ``{option name: rules}`` dict filled once per name
the run meets, so a rule about ``cheaper`` costs nothing on an instance that never writes
it; an instance rule with ``needs`` runs only where one of those options is written.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field

from .catalog import Catalog
from .diagnostics import Diagnostic, Finding
from .facts import View
from .instance.loader import split_target
from .model import Instance, Position, Role, Span
from .rules import Deployment, Emperors, Entries, Files, Instances, Reader, Rule


@dataclass(slots=True)
class Failures:
    """The internal errors of a run: one line each, and their tracebacks (``--debug``)."""

    lines: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)


class Dispatch:
    """The rules of a run, sorted by scope."""

    def __init__(self, rules: Sequence[Rule], catalog: Catalog) -> None:
        self.catalog = catalog
        # each per-entry rule with its names and their aliases, folded once per run
        self.entry_rules = [(r, r.scope, self._folded(r.scope.names)) for r in rules
                            if isinstance(r.scope, Entries)]
        self.file_rules = [r for r in rules if isinstance(r.scope, Files)]
        self.emperor_rules = [r for r in rules if isinstance(r.scope, Emperors)]
        self.deployment_rules = [r for r in rules if isinstance(r.scope, Deployment)]
        self.reader_rules = [r for r in rules if isinstance(r.scope, Reader)]
        self.instance_rules: list[tuple[Rule, frozenset[str] | None]] = [
            (r, self._folded(r.scope.needs)) for r in rules
            if isinstance(r.scope, Instances)
        ]
        self._by_key: dict[str, tuple[list[Rule], list[Rule]]] = {}
        self._files_done: set[int] = set()

    def _folded(self, names: frozenset[str] | None) -> frozenset[str] | None:
        """``names`` with their aliases: what an instance may write to set one of them."""
        if names is None:
            return None
        return frozenset().union(*(self.catalog.same_option(n) for n in names))

    def _for_key(self, key: str) -> tuple[list[Rule], list[Rule]]:
        """The per-entry rules for entries named ``key``: (once per entry, once per
        source position)."""
        found = self._by_key.get(key)
        if found is None:
            opt = self.catalog.get(key)
            every: list[Rule] = []
            unique: list[Rule] = []
            for r, s, names in self.entry_rules:
                if s.every or key in (names or ()) or (opt is not None and (
                        opt.value_kind in s.kinds or opt.handler in s.handlers)):
                    (unique if s.unique else every).append(r)
            found = self._by_key[key] = (every, unique)
        return found

    def run(self, view: View, failures: Failures) -> list[Diagnostic]:
        """Every finding of the rules on one instance."""
        inst = view.inst
        out: list[Diagnostic] = []
        for r in self.reader_rules:
            _reader(r, view, out)
        keys = view.keys
        for r, needs in self.instance_rules:
            if needs is None or not needs.isdisjoint(keys):
                _call(r, inst, failures, out, view)
        if self.entry_rules:
            for d in inst.options:
                for r in self._for_key(d.key)[0]:
                    _call(r, inst, failures, out, view, d)
            for _, d in view.unique():
                for r in self._for_key(d.key)[1]:
                    _call(r, inst, failures, out, view, d)
        for f in inst.files:
            # a file read twice the same way is one object (the readers' cache); read with
            # other magic values (%x, %o) it is another, with findings of its own
            if id(f) in self._files_done:
                continue
            self._files_done.add(id(f))
            for r in self.file_rules:
                _call(r, inst, failures, out, view, f)
        if inst.role is Role.EMPEROR:
            vassals = view.vassals
            for r in self.emperor_rules:
                _call(r, inst, failures, out, view, vassals)
        return out


    def run_deployment(self, views: Sequence[View], failures: Failures) -> list[Diagnostic]:
        """Every finding of the rules about the whole run (``Deployment()``), once; a
        failing rule is reported at the first instance's file."""
        out: list[Diagnostic] = []
        if views:
            for r in self.deployment_rules:
                _call(r, views[0].inst, failures, out, views)
        return out


def _reader(rule: Rule, view: View, out: list[Diagnostic]) -> None:
    """The problems the readers recorded with the rule's code (``once_per_file``: the
    first of each file)."""
    once = isinstance(rule.scope, Reader) and rule.scope.once_per_file
    files: set[str] = set()
    for p in view.problems(rule.code):
        if once:
            if p.span.file in files:
                continue
            files.add(p.span.file)
        out.append(rule.made(Finding(p.span, p.message, p.related, fix=p.fix, detail=p.detail)))


def _call(
    rule: Rule, inst: Instance, failures: Failures, out: list[Diagnostic], *args: object
) -> None:
    """Add the rule's findings to ``out``; when it raises, what it found so far is dropped
    and a UW099 finding says so at 1:1 of the instance's file (the other rules go on)."""
    assert rule.check is not None
    mark = len(out)
    try:
        for f in rule.check(*args):
            out.append(rule.made(f))
    except Exception as exc:  # contain a bug to the rule and file it happened on
        del out[mark:]
        failures.lines.append(
            f"{inst.root.path}: internal error in {rule.code} ({rule.name}): "
            f"{type(exc).__name__}: {exc}"
        )
        failures.tracebacks.append(traceback.format_exc())
        out.append(internal_error(rule, inst.root.path, exc))


def internal_error(failed: Rule, path: str, exc: BaseException) -> Diagnostic:
    """The UW099 finding for rule ``failed`` raising ``exc`` on the file ``path``: at 1:1
    of that file, so that every output format shows it beside the file's other findings."""
    from .rules.internal_error import INTERNAL_ERROR

    span = Span(os.path.abspath(split_target(path)[0]), Position(1, 1), Position(1, 1))
    return INTERNAL_ERROR.diagnostic(
        span,
        f"internal error in {failed.code} ({failed.name}): {type(exc).__name__}: {exc}; "
        f"this rule's findings for this file are missing (a bug in uwsgi-lint: please "
        f"report it, with `--debug` output)",
    )

