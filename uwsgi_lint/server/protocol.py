"""``uwsgi-lint server``: the Language Server Protocol over stdio, on pygls.

The pygls side only: documents in and out, positions converted to the encoding the client
negotiated (:mod:`uwsgi_lint.positions`), answers taken from :mod:`.state` (what the last
lint of each document said), :mod:`.features` (hover, completion, definition, symbols)
and :mod:`.actions` (code actions).  Lints run one at a time in a worker thread, so that
the server keeps answering while one runs; a change is linted after ``debounce`` seconds
without another change to the same document, an open or a save at once.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..diagnostics import Diagnostic, Severity
from ..fs import read_regular
from ..model import Span
from ..positions import from_units, to_units
from ..render.pages import link
from ..rules import by_code
from ..settings import SettingsError
from ..untrusted import clean
from . import actions, features
from .analysis import Analysis, Symbol
from .state import Workspace, analyse, looks_like_config

DEBOUNCE = 0.15  # seconds without a change before a changed document is linted
SOURCE = "uwsgi-lint"
WATCHED = "**/{*.ini,*.xml,*.yaml,*.yml,*.json,*.js,*.py,pyproject.toml,.uwsgi-lint.toml}"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
T = TypeVar("T")


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, choosing UTF-8 positions whenever the client offers them (as ruff
    does: UTF-16 is the protocol's default, UTF-8 the encoding of the files)."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            offered = list(general.position_encodings)
            if types.PositionEncodingKind.Utf8 in offered:
                general.position_encodings = [types.PositionEncodingKind.Utf8]
            elif types.PositionEncodingKind.Utf16 in offered:
                general.position_encodings = [types.PositionEncodingKind.Utf16]
        return (yield from super().lsp_initialize(params))


class UwsgiLintServer(LanguageServer):
    """The server: a :class:`~.state.Workspace` of open documents, linted one at a time."""

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, protocol_cls=_Protocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = Workspace()
        self.debounce = DEBOUNCE
        self.docs_url: str | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="uwsgi-lint")
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._versions: dict[str, int | None] = {}
        self._shown_errors: set[str] = set()
        self._lines: dict[str, tuple[str, list[str]]] = {}  # path -> (text, its lines)

    # -- positions ---------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        chosen = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return chosen.value if isinstance(chosen, types.PositionEncodingKind) else chosen

    def line_of(self, path: str, line: int) -> str:
        """Line ``line`` (1-based) of file ``path`` (its open document, else the file on
        disk), lines ending at ``\\n`` as the readers count them."""
        text = self.state.documents.get(path)
        if text is None:
            try:
                text = read_regular(path).decode("utf-8", "surrogateescape")
            except (OSError, ValueError):
                return ""
        known = self._lines.get(path)
        if known is None or known[0] is not text:
            known = self._lines[path] = (text, text.split("\n"))
        lines = known[1]
        return lines[line - 1].removesuffix("\r") if 0 < line <= len(lines) else ""

    def position(self, path: str, line: int, column: int) -> types.Position:
        units = to_units(self.line_of(path, line), column, self.encoding)
        return types.Position(line=max(line - 1, 0), character=units)

    def range(self, span: Span) -> types.Range:
        path = os.path.abspath(span.file)
        return types.Range(start=self.position(path, span.start.line, span.start.column),
                           end=self.position(path, span.end.line, span.end.column))

    def at(self, path: str, position: types.Position) -> tuple[int, int]:
        """The linter's (line, column) of a client position in open document ``path``."""
        line = position.line + 1
        return line, from_units(self.line_of(path, line), position.character, self.encoding)

    # -- linting -----------------------------------------------------------------------

    def schedule(self, path: str, delay: float) -> None:
        """Lint ``path`` after ``delay`` seconds, unless it changes again before."""
        old = self._pending.pop(path, None)
        if old is not None:
            old.cancel()
        self._pending[path] = asyncio.ensure_future(self._lint_later(path, delay))

    async def _lint_later(self, path: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        self._pending.pop(path, None)
        await self.relint(path)
        # the others that read this one (a vassal under an Emperor being edited)
        for other in [p for p in self.state.documents if p != path]:
            if other not in self._pending and self.state.reads(other, path):
                await self.relint(other)

    async def relint(self, path: str) -> Analysis | None:
        """Lint open document ``path`` in the worker thread and publish its findings."""
        if path not in self.state.documents:
            return None
        version = self._versions.get(path)
        text = self.state.documents[path]
        if not looks_like_config(path, text):
            self.publish(path, [], version)
            return None
        try:
            analysis = await self.work(analyse, path, text, dict(self.state.documents),
                                       list(self.state.roots))
        except SettingsError as exc:
            self.tell(str(exc), types.MessageType.Error)
            self.publish(path, [], version)
            return None
        except Exception as exc:  # a bug: said once, and the server goes on
            self.tell(f"internal error: {type(exc).__name__}: {exc}", types.MessageType.Error)
            return None
        if path in self.state.documents:
            self.state.analyses[path] = analysis
        for error in analysis.errors:
            self.tell(error, types.MessageType.Error)
        if self.state.documents.get(path) == text:  # not changed meanwhile
            self.publish(path, analysis.diagnostics, version, analysis.docs_url)
        return analysis

    async def work(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the worker thread: the linter's state (its session, caches)
        is used by one thread only, one call at a time, in the order asked."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, fn, *args)

    async def opened(self, uri: str) -> Analysis | None:
        """The current analysis of the open document ``uri`` (None: not open, or no
        uWSGI config)."""
        path = _path(uri)
        return await self.current(path) if path in self.state.documents else None

    async def current(self, path: str) -> Analysis | None:
        """The analysis of open document ``path`` for its text as it is now (a request
        after an edit does not wait for the debounce)."""
        analysis = self.state.analyses.get(path)
        if analysis is not None and analysis.text == self.state.documents.get(path):
            return analysis
        return await self.relint(path)

    def publish(self, path: str, found: Sequence[Diagnostic], version: int | None,
                docs_url: str | None = None) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=from_fs_path(path) or path,
            diagnostics=[self.diagnostic(d, docs_url) for d in found],
            version=version,
        ))

    def diagnostic(self, d: Diagnostic, docs_url: str | None = None) -> types.Diagnostic:
        """``d`` as the protocol has it; its code links to the rule page (``docs_url``:
        the settings' ``docs-url``, else the ``docs_url`` initialization option, else the
        page that ships with uwsgi-lint)."""
        return types.Diagnostic(
            range=self.range(d.span),
            message=d.message,
            severity=_SEVERITY[d.severity],
            code=d.code,
            code_description=types.CodeDescription(
                href=link(d.code, d.name, docs_url or self.docs_url)),
            source=SOURCE,
            related_information=[
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=from_fs_path(os.path.abspath(r.span.file))
                                            or r.span.file, range=self.range(r.span)),
                    message=r.message,
                )
                for r in d.related
            ] or None,
            data={"name": d.name},
        )

    def tell(self, text: str, kind: types.MessageType) -> None:
        """Show ``text`` once (a settings error is not repeated at every keystroke)."""
        text = clean(text)
        if text in self._shown_errors:
            return
        self._shown_errors.add(text)
        self.window_show_message(types.ShowMessageParams(type=kind, message=text))


def _path(uri: str) -> str | None:
    """The file a ``file:`` URI names (None for ``untitled:`` and other schemes)."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return os.path.abspath(path) if path else None


def build() -> UwsgiLintServer:
    """The server with its features registered."""
    server = UwsgiLintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: UwsgiLintServer, params: types.InitializeParams) -> None:
        folders = [f.uri for f in params.workspace_folders or []] or [params.root_uri or ""]
        ls.state.roots = [p for p in (_path(u) for u in folders if u) if p is not None]
        options = params.initialization_options or {}
        if isinstance(options, dict):
            if isinstance(options.get("debounce_ms"), int | float):
                ls.debounce = max(0.0, float(options["debounce_ms"]) / 1000)
            if isinstance(options.get("docs_url"), str):
                ls.docs_url = options["docs_url"]

    @server.feature(types.INITIALIZED)
    async def initialized(ls: UwsgiLintServer, params: types.InitializedParams) -> None:
        dynamic = ls.client_capabilities.workspace
        watch = dynamic.did_change_watched_files if dynamic else None
        if watch is None or not watch.dynamic_registration:
            return
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(
                    id="uwsgi-lint-watch",
                    method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[types.FileSystemWatcher(glob_pattern=WATCHED)]),
                )
            ]))
        except Exception as exc:  # the client refused: documents are still linted on save
            ls.window_log_message(types.LogMessageParams(
                type=types.MessageType.Warning,
                message=f"cannot watch the configs' files: {clean(str(exc))}"))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: UwsgiLintServer, params: types.DidOpenTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        ls.state.open(path, params.text_document.text)
        ls._versions[path] = params.text_document.version
        ls.schedule(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: UwsgiLintServer, params: types.DidChangeTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None or path not in ls.state.documents:
            return
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.state.open(path, document.source)
        ls._versions[path] = params.text_document.version
        ls.schedule(path, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: UwsgiLintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is not None and path in ls.state.documents:
            ls.schedule(path, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: UwsgiLintServer, params: types.DidCloseTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        pending = ls._pending.pop(path, None)
        if pending is not None:
            pending.cancel()
        ls.state.close(path)
        ls._versions.pop(path, None)
        ls.publish(path, [], None)
        for other in ls.state.documents:  # it stood for a file they read: now the disk's
            if ls.state.reads(other, path):
                ls.schedule(other, 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: UwsgiLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        # a vassal added or removed, an included file or the settings changed on disk:
        # every open document may read it (settings are re-read when their file changes)
        ls._shown_errors.clear()
        for path in ls.state.documents:
            ls.schedule(path, 0)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[
            types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND]),
    )
    async def code_action(
        ls: UwsgiLintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        analysis = await ls.opened(params.text_document.uri)
        if analysis is None:
            return None
        path = analysis.path
        start = ls.at(path, params.range.start)
        end = ls.at(path, params.range.end)
        return await ls.work(actions.code_actions, ls, analysis, start, end,
                             params.context.only)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: UwsgiLintServer, params: types.HoverParams) -> types.Hover | None:
        analysis = await ls.opened(params.text_document.uri)
        if analysis is None:
            return None
        path = analysis.path
        line, column = ls.at(path, params.position)
        parts: list[str] = []
        span: Span | None = None
        answer = await ls.work(features.hover, analysis, line, column)
        if answer is not None:
            parts.append(answer.markdown)
            span = answer.span
        for d in analysis.diagnostics:  # the rule page of a finding under the cursor
            if (d.span.start.line, d.span.start.column) <= (line, column) <= (
                    d.span.end.line, d.span.end.column):
                parts.append(_rule_summary(d, analysis.docs_url or ls.docs_url))
        if not parts:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                         value="\n\n---\n\n".join(parts)),
            range=ls.range(span) if span is not None else None,
        )

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["(", "<", "%", "=", ":"]),
    )
    async def completion(
        ls: UwsgiLintServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        analysis = await ls.opened(params.text_document.uri)
        if analysis is None:
            return None
        path = analysis.path
        line, column = ls.at(path, params.position)
        items = await ls.work(features.complete, analysis, line, column)
        kinds = {"option": types.CompletionItemKind.Property,
                 "value": types.CompletionItemKind.EnumMember,
                 "placeholder": types.CompletionItemKind.Variable}
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(
                label=item.label,
                kind=kinds.get(item.kind, types.CompletionItemKind.Text),
                detail=item.detail or None,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                  value=item.documentation)
                if item.documentation else None,
                tags=[types.CompletionItemTag.Deprecated] if item.deprecated else None,
                text_edit=types.TextEdit(range=ls.range(item.replace),
                                         new_text=item.insert_text or item.label),
            )
            for item in items
        ])

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        ls: UwsgiLintServer, params: types.DefinitionParams
    ) -> list[types.Location] | None:
        analysis = await ls.opened(params.text_document.uri)
        if analysis is None:
            return None
        path = analysis.path
        line, column = ls.at(path, params.position)
        return [
            types.Location(uri=from_fs_path(os.path.abspath(s.file)) or s.file,
                           range=ls.range(s))
            for s in await ls.work(features.definition, analysis, line, column)
        ] or None

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        ls: UwsgiLintServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol] | None:
        analysis = await ls.opened(params.text_document.uri)
        if analysis is None:
            return None
        kinds = {"section": types.SymbolKind.Namespace, "option": types.SymbolKind.Property}

        def convert(s: Symbol) -> types.DocumentSymbol:
            return types.DocumentSymbol(
                name=s.name or " ", kind=kinds.get(s.kind, types.SymbolKind.Key),
                range=ls.range(s.span), selection_range=ls.range(s.selection),
                detail=s.detail or None, children=[convert(c) for c in s.children] or None)

        return [convert(s) for s in await ls.work(features.symbols, analysis)]

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: UwsgiLintServer, params: None) -> None:
        for task in ls._pending.values():
            task.cancel()
        ls._worker.shutdown(wait=True, cancel_futures=True)

    return server


def _rule_summary(d: Diagnostic, docs_url: str | None) -> str:
    """The hover of a finding's code: its rule, summary and page link."""
    rule = by_code().get(d.code)
    summary = rule.summary if rule is not None else ""
    return f"**{d.code}** `{d.name}`: {summary}\n\n[Rule page]({link(d.code, d.name, docs_url)})"


def serve() -> int:
    """Run the server over stdio until the client asks it to exit."""
    build().start_io()
    return 0
