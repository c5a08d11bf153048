"""The result of a run: what every output format renders (``uwsgi_lint/render/``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Diagnostic
from .discover import Skipped


@dataclass(slots=True)
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file checked
    errors: list[str] = field(default_factory=list)  # internal errors, one line each
    tracebacks: list[str] = field(default_factory=list)  # of those errors, for --debug
    warnings: list[str] = field(default_factory=list)  # about the run, for stderr
    # what the walk passed over (not a config, excluded, .gitignored ...), with the reason:
    # for -v and --show-files; ``explicit``: named on the command line
    skipped: list[Skipped] = field(default_factory=list)
    # where each rule's page is published: a URL template, ``{code}`` and ``{name}`` filled
    # in (``--docs-url``); None: no links
    docs_url: str | None = None
    # whether unsafe fixes count as fixable (``--unsafe-fixes``): the outputs mark the
    # findings ``--fix`` would fix
    unsafe_fixes: bool = False

    def fixable(self, d: Diagnostic) -> bool:
        """Whether ``--fix`` (with this run's ``--unsafe-fixes``) would fix ``d``."""
        return d.fix is not None and d.fix.applies(self.unsafe_fixes)

    def url(self, code: str, name: str) -> str | None:
        """The link to rule ``code``'s page (``docs_url`` filled in, cleaned as every text
        from a setting is), None without ``docs_url``."""
        if self.docs_url is None:
            return None
        from .render.pages import link

        return link(code, name, self.docs_url)
