"""What the language server knows about one open document after a lint, and the answers
its features give, in the linter's own positions (1-based lines, columns in characters;
:mod:`uwsgi_lint.server.protocol` turns them into the client's position encoding).

Nothing here imports pygls: the features are plain functions of an :class:`Analysis`,
tested without a client (``tests/test_server_features.py``), and the same answers reach
the editor over the protocol (``tests/test_server_e2e.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic
from ..instance import Assumptions
from ..model import Format, Instance, Span


@dataclass(slots=True)
class Analysis:
    """One document as the last lint saw it.

    ``instances`` are all the instances that lint built (the Emperor read for context
    included); :meth:`containing` picks those that read this document."""

    path: str  # absolute path the document stands for (it may not exist on disk)
    text: str  # the document's text as the editor holds it
    format: Format
    diagnostics: list[Diagnostic]  # the findings in this document
    instances: list[Instance]
    assumptions: Assumptions  # target version, plugins ... of the document's settings
    errors: list[str] = field(default_factory=list)  # internal errors of the lint, one line each
    docs_url: str | None = None  # the settings' `docs-url`: where the rule pages are published
    allow_read: tuple[str, ...] = ()  # read besides the document's tree: workspace folders

    def read_roots(self) -> tuple[str, ...]:
        """What the lint could read (real paths): a feature that opens or looks for a file
        stays within them (worked out when asked: most answers open nothing)."""
        from ..engine import boundary_roots

        return boundary_roots([self.path], self.allow_read)[0]

    def containing(self) -> list[Instance]:
        """The instances that read this document (its own, or those that include it)."""
        return [i for i in self.instances if any(f.path == self.path for f in i.files)]


@dataclass(frozen=True, slots=True)
class HoverAnswer:
    """Markdown to show over ``span`` (the word hovered)."""

    markdown: str
    span: Span


@dataclass(frozen=True, slots=True)
class CompletionItem:
    """One completion: ``kind`` is "option", "value" or "placeholder"; ``replace`` is the
    text range the item replaces (the partial word under the cursor)."""

    label: str
    kind: str
    replace: Span
    detail: str = ""  # one line: "core, int" / "alias of socket" ...
    documentation: str = ""  # markdown
    insert_text: str | None = None  # None: the label
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class Symbol:
    """A document symbol: a section (``kind`` "section") with its options as children
    (``kind`` "option"); ``selection`` is the name's span."""

    name: str
    kind: str
    span: Span
    selection: Span
    detail: str = ""
    children: list[Symbol] = field(default_factory=list)
