"""The result of a run: what every output format renders (``uwsgi_lint/render/``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic


@dataclass(slots=True)
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file checked
    errors: list[str] = field(default_factory=list)  # internal errors, one line each
    tracebacks: list[str] = field(default_factory=list)  # of those errors, for --debug
    warnings: list[str] = field(default_factory=list)  # about the run, for stderr
