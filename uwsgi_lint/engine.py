"""Running the rules over the files a command line names, with failures contained."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from .catalog import load_catalog
from .diagnostics import Diagnostic
from .expand import Assumptions, build_instance, split_section
from .model import Position, Span
from .readers import SUFFIXES
from .rules import RuleContext, all_rules

# what an Emperor directory monitor takes as vassals (core/emperor.c, case-sensitive)
VASSAL_SUFFIXES = tuple(SUFFIXES)


@dataclass(slots=True)
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file checked
    errors: list[str] = field(default_factory=list)  # internal errors, one line each


def discover(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """Files to check: given files as they are, directories' vassal files (not recursive)."""
    from .rules.unreadable import check as unreadable

    files: list[str] = []
    missing: list[Diagnostic] = []
    for p in paths:
        name, section = split_section(p)
        if section is not None and not os.path.exists(p) and os.path.isfile(name):
            files.append(p)  # `app.ini:prod`, as `uwsgi --ini app.ini:prod` reads it
            continue
        try:
            st = os.stat(p)
        except OSError as exc:
            span = Span(os.path.abspath(p), Position(1, 1), Position(1, 1))
            missing.append(unreadable.diagnostic(span, f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            files.extend(_vassals(p))
        else:
            files.append(p)
    return files, missing


def _vassals(directory: str) -> list[str]:
    found = []
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return []
    for entry in entries:
        if not entry.name.endswith(VASSAL_SUFFIXES):
            continue
        try:
            if stat.S_ISREG(os.stat(entry.path).st_mode):
                found.append(entry.path)
        except OSError:
            continue
    return found


def lint(paths: list[str], assume: Assumptions | None = None) -> Report:
    assume = assume or Assumptions()
    ctx = RuleContext(load_catalog(assume.version), assume)
    rules = all_rules()
    files, missing = discover(paths)
    report = Report(diagnostics=missing)
    seen: set[tuple[str, Span, str]] = set()
    for path in files:
        report.files.append(path)
        try:
            inst = build_instance(path, assume)
            found = [d for r in rules for d in r.check(inst, ctx)]
        except Exception as exc:  # contain any bug to the file it happened on
            report.errors.append(f"{path}: internal error: {type(exc).__name__}: {exc}")
            continue
        for d in found:
            key = (d.code, d.span, d.message)
            if key not in seen:
                seen.add(key)
                report.diagnostics.append(d)
    report.diagnostics.sort(key=Diagnostic.sort_key)
    return report
