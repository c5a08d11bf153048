"""`uwsgi-lint server` end to end: the real server process, driven over stdio by a real
Language Server Protocol client (pytest-lsp's, on pygls), with real files on disk.

Each test starts the server as an editor does (`python -m uwsgi_lint server`), opens and
edits documents, and checks what the editor would show: the diagnostics published (their
ranges in the negotiated position encoding), the code actions and what applying them
gives, hover, completion, definition and symbols, then shuts the server down cleanly.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
HANG_GUARD = 120.0  # seconds: a server that answers nothing fails the test, never hangs it


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def uri(path: Path) -> str:
    return from_fs_path(str(path)) or ""


class Editor:
    """A client session: the documents it holds, as an editor keeps them."""

    def __init__(self, client: LanguageClient, initialized: types.InitializeResult,
                 registered: list[types.Registration], published: dict[str, int | None]
                 ) -> None:
        self.client = client
        self.published_versions = published  # uri -> the version its findings are for
        self.capabilities = initialized.capabilities
        self.registered = registered  # what the server asked the client to watch ...
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    @property
    def encoding(self) -> str:
        chosen = self.capabilities.position_encoding or "utf-16"
        return chosen.value if isinstance(chosen, types.PositionEncodingKind) else chosen

    async def wait(self, what: Callable[[], Any]) -> Any:
        """Until ``what()`` is true (the server publishes when its lint is done)."""
        async def poll() -> Any:
            while not (found := what()):
                await asyncio.sleep(0.02)
            return found
        return await asyncio.wait_for(poll(), HANG_GUARD)

    def published(self, path: Path) -> list[types.Diagnostic] | None:
        """The diagnostics last published for ``path`` for its current version."""
        u = uri(path)
        got = self.client.diagnostics.get(u)
        if got is None or self.published_versions.get(u) != self.versions.get(u):
            return None
        return got

    async def diagnostics(self, path: Path) -> list[types.Diagnostic]:
        await self.wait(lambda: self.published(path) is not None)
        return list(self.published(path) or [])

    def open(self, path: Path, text: str | None = None) -> None:
        u = uri(path)
        self.texts[u] = path.read_text(encoding="utf-8") if text is None else text
        self.versions[u] = 1
        self.client.diagnostics.pop(u, None)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=u, language_id="ini", version=1,
                                                 text=self.texts[u])))

    def change(self, path: Path, text: str) -> None:
        """Replace the whole text (unsaved)."""
        u = uri(path)
        self.texts[u] = text
        self.versions[u] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=u,
                                                                 version=self.versions[u]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def apply(self, edit: types.WorkspaceEdit) -> None:
        """Apply a workspace edit as an editor does, then tell the server."""
        for u, edits in (edit.changes or {}).items():
            self.change(Path(u.removeprefix("file://")), apply_edits(
                self.texts[u], edits, self.encoding))

    def position(self, path: Path, needle: str, offset: int = 0) -> types.Position:
        """The client position of ``needle`` (+ ``offset`` characters) in ``path``."""
        text = self.texts[uri(path)]
        at = text.index(needle) + offset
        line = text.count("\n", 0, at)
        start = text.rfind("\n", 0, at) + 1
        return types.Position(line=line, character=units(text[start:at], self.encoding))


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` ``text`` is (as an editor counts)."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def offset_of(text: str, position: types.Position, encoding: str) -> int:
    lines = text.split("\n")
    before = sum(len(line) + 1 for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    column = 0
    while column < len(line) and units(line[:column + 1], encoding) <= position.character:
        column += 1
    return before + column


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    spans = sorted(((offset_of(text, e.range.start, encoding),
                     offset_of(text, e.range.end, encoding), e.new_text) for e in edits),
                   reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


@asynccontextmanager
async def editor(
    root: Path, *, encodings: list[str] | None = None, options: dict[str, Any] | None = None
) -> AsyncIterator[Editor]:
    """A server started as an editor starts it, initialised and, at the end, shut down;
    its exit status must be 0 (a clean shutdown)."""
    client = LanguageClient(converter_factory=default_converter)
    register_lsp_features(client, {m: f for m, f in DEFAULT_CLIENT_FEATURES.items()
                                   if m != PUBLISH})
    registered: list[types.Registration] = []
    published: dict[str, int | None] = {}

    @client.feature(PUBLISH)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        published[params.uri] = params.version

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    await client.start_io(sys.executable, "-m", "uwsgi_lint", "server", cwd=str(root))
    caps = client_capabilities("visual-studio-code")
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    initialized = await asyncio.wait_for(client.initialize_session(types.InitializeParams(
        capabilities=caps, root_uri=uri(root),
        initialization_options={"debounce_ms": 20, **(options or {})})), HANG_GUARD)
    try:
        yield Editor(client, initialized, registered, published)
    finally:
        await asyncio.wait_for(client.shutdown_session(), HANG_GUARD)
        server = client._server
        assert server is not None and server.returncode == 0
        await client.stop()


def run(scenario: Callable[[], Any]) -> None:
    asyncio.run(scenario())


def tree(tmp_path: Path) -> tuple[Path, Path]:
    """An Emperor and a vassal that asks for Broodlord help the Emperor does not give."""
    emperor = write(tmp_path / "emperor.ini", "[uwsgi]\nemperor = %d/vassals\n")
    vassal = write(tmp_path / "vassals" / "app.ini",
                   "[uwsgi]\nmodule = app:application\n"
                   "socket = /run/caf\u00e9-\U0001F600.sock # main\n"
                   "vassal-sos = 10\n")
    return emperor, vassal


# --- diagnostics ------------------------------------------------------------------------


@pytest.mark.parametrize("encodings", [None, ["utf-8", "utf-16"]])
def test_diagnostics_ranges_in_the_negotiated_encoding(
    tmp_path: Path, encodings: list[str] | None
) -> None:
    """UTF-16 by default, UTF-8 when the client offers it: the range of a finding after a
    non-BMP character on its line counts the units that encoding counts."""
    _, vassal = tree(tmp_path)

    async def scenario() -> None:
        async with editor(tmp_path, encodings=encodings) as ed:
            assert ed.encoding == ("utf-8" if encodings else "utf-16")
            ed.open(vassal)
            found = {d.code: d for d in await ed.diagnostics(vassal)}
            comment = found["UW105"]
            line = ed.texts[uri(vassal)].split("\n")[2]
            assert comment.range.start == types.Position(
                line=2, character=units(line[: line.index("# main")], ed.encoding))
            assert comment.range.end.character == units(line, ed.encoding)
            assert comment.source == "uwsgi-lint"
            assert comment.code_description is not None
            assert comment.code_description.href.endswith("UW105.md")

    run(scenario)


def test_a_vassal_is_linted_under_its_emperor_as_the_editor_holds_it(tmp_path: Path) -> None:
    """The Emperor's file gives the vassal's context; its unsaved buffer, once open and
    edited, stands for it (the vassal's findings are published again)."""
    emperor, vassal = tree(tmp_path)

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(vassal)
            found = {d.code: d for d in await ed.diagnostics(vassal)}
            sos = found["UW410"]
            assert sos.severity == types.DiagnosticSeverity.Warning
            assert sos.related_information is not None
            assert sos.related_information[0].location.uri == uri(emperor)
            ed.open(emperor)
            await ed.diagnostics(emperor)
            ed.change(emperor, ed.texts[uri(emperor)] + "emperor-broodlord = 40\n")
            await ed.wait(lambda: "UW410" not in {
                d.code for d in ed.client.diagnostics.get(uri(vassal), [])})
            assert emperor.read_text() == "[uwsgi]\nemperor = %d/vassals\n"  # nothing saved

    run(scenario)


def test_a_file_that_is_no_uwsgi_config_gets_no_findings(tmp_path: Path) -> None:
    tox = write(tmp_path / "tox.ini", "[tox]\nenvlist = py311\n[testenv]\nprocesess = 4\n")

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(tox)
            assert list(await ed.diagnostics(tox)) == []

    run(scenario)


def test_a_hostile_buffer_gets_the_budget_finding_and_the_server_goes_on(
    tmp_path: Path,
) -> None:
    """The hostile repository's placeholder doubling (32 MiB from 40 lines) and loop of a
    hundred million copies: each published as UW025, and the server answers after."""
    doubling = "\n".join(["[uwsgi]", "a0 = xxxxxxxx"]
                         + [f"a{i} = %(a{i - 1})%(a{i - 1})" for i in range(1, 41)]) + "\n"
    loop = "[uwsgi]\nfor-times = 100000000\nenv = W%(_)=1\nendfor =\nprocesess = 4\n"
    first = write(tmp_path / "doubling.ini", doubling)
    second = write(tmp_path / "loop.ini", loop)

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(first)
            assert "UW025" in {d.code for d in await ed.diagnostics(first)}
            ed.open(second)
            assert "UW025" in {d.code for d in await ed.diagnostics(second)}
            symbols = await ed.client.text_document_document_symbol_async(
                types.DocumentSymbolParams(
                    text_document=types.TextDocumentIdentifier(uri=uri(second))))
            assert symbols

    run(scenario)


def test_the_server_reads_nothing_outside(tmp_path: Path) -> None:
    """A config in the workspace that includes a file outside it: the include is
    deployment-only (UW022), the outside file's content appears nowhere."""
    outside = write(tmp_path / "outside" / "secret.ini",
                    "[uwsgi]\nprocesses = CANARY-7d1f\nmastre = true\n")
    canary = write(tmp_path / "outside" / "name.txt", "CANARY-2b9e\n")
    root = tmp_path / "workspace"
    app = write(root / "app.ini", f"[uwsgi]\ninclude = {outside}\nchdir = /srv/%(processes)\n"
                f"procname = @({canary})\n")
    write(root / ".uwsgi-lint.toml", 'extend-select = ["UW022"]\n')

    async def scenario() -> None:
        async with editor(root) as ed:
            ed.open(app)
            found = await ed.diagnostics(app)
            assert "UW022" in {d.code for d in found}
            hover = await ed.client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri(app)),
                position=ed.position(app, "%(processes)", 3)))
            at_file = await ed.client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri(app)),
                position=ed.position(app, "@(", 3)))
            assert at_file is not None  # it says why it was not read
            shown = repr(found) + repr(hover) + repr(at_file) + repr(ed.client.messages)
            assert "CANARY" not in shown and "mastre" not in shown

    run(scenario)


def test_settings_apply_and_reload_when_their_file_changes(tmp_path: Path) -> None:
    _, vassal = tree(tmp_path)
    settings = write(tmp_path / ".uwsgi-lint.toml", "ignore = []\n")

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(vassal)
            assert "UW105" in {d.code for d in await ed.diagnostics(vassal)}
            (watch,) = ed.registered
            assert watch.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
            write(settings, 'ignore = ["UW105"]\n')
            ed.client.diagnostics.pop(uri(vassal))
            ed.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=uri(settings),
                                         type=types.FileChangeType.Changed)]))
            assert "UW105" not in {d.code for d in await ed.diagnostics(vassal)}

    run(scenario)


# --- code actions ------------------------------------------------------------------------


def test_code_actions_fix_suppress_and_fix_all(tmp_path: Path) -> None:
    _, vassal = tree(tmp_path)

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(vassal)
            found = {d.code: d for d in await ed.diagnostics(vassal)}

            async def actions(d: types.Diagnostic) -> dict[str, types.CodeAction]:
                got = await ed.client.text_document_code_action_async(types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri(vassal)),
                    range=d.range, context=types.CodeActionContext(diagnostics=[d])))
                return {a.title: a for a in got or [] if isinstance(a, types.CodeAction)}

            offered = await actions(found["UW105"])
            fix = next(a for t, a in offered.items() if t.startswith("UW105:"))
            assert fix.is_preferred and "unsafe" not in fix.title
            assert "Suppress UW105 (inline-comment-in-value) on this line" in offered
            assert "Suppress UW105 (inline-comment-in-value) in this file" in offered
            unsafe = [t for t in await actions(found["UW410"]) if t.startswith("UW410:")]
            assert all(t.endswith("(unsafe fix)") for t in unsafe)

            assert fix.edit is not None
            ed.apply(fix.edit)
            after = ed.texts[uri(vassal)]
            assert "# main\nsocket = /run/caf\u00e9-\U0001F600.sock\n" in after
            found = {d.code: d for d in await ed.diagnostics(vassal)}
            assert "UW105" not in found

            suppress = (await actions(found["UW410"]))[
                "Suppress UW410 (vassal-sos-without-broodlord) on this line"]
            assert suppress.edit is not None
            ed.apply(suppress.edit)
            assert "; uwsgi-lint: disable=UW410\nvassal-sos = 10" in ed.texts[uri(vassal)]
            left = {d.code for d in await ed.diagnostics(vassal)}
            assert "UW410" not in left and "UW090" not in left
            assert vassal.read_text().count("# main") == 1  # the file on disk is untouched

    run(scenario)


def test_fix_all_safe_applies_every_safe_fix(tmp_path: Path) -> None:
    app = write(tmp_path / "app.ini",
                "[uwsgi]\nsocket = /run/app.sock # main\nlogto = /var/log/app.log ; here\n"
                "mastre = true\n")

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(app)
            before = {d.code for d in await ed.diagnostics(app)}
            assert {"UW105", "UW101"} <= before
            got = await ed.client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri(app)),
                range=types.Range(start=types.Position(line=0, character=0),
                                   end=types.Position(line=0, character=0)),
                context=types.CodeActionContext(diagnostics=[],
                                                only=[types.CodeActionKind.Source])))
            (fix_all,) = [a for a in got or [] if isinstance(a, types.CodeAction)]
            assert fix_all.kind == "source.fixAll.uwsgi-lint" and fix_all.edit is not None
            ed.apply(fix_all.edit)
            assert ed.texts[uri(app)] == ("[uwsgi]\n# main\nsocket = /run/app.sock\n"
                                          "; here\nlogto = /var/log/app.log\nmastre = true\n")
            after = {d.code for d in await ed.diagnostics(app)}
            assert "UW105" not in after and "UW101" in after  # the unsafe one is left

    run(scenario)


# --- hover, completion, definition, symbols ----------------------------------------------


def test_hover_completion_definition_and_symbols(tmp_path: Path) -> None:
    emperor, vassal = tree(tmp_path)
    app = write(tmp_path / "vassals" / "web.ini",
                "[uwsgi]\nbase = /srv/\U0001F600web\nchdir = %(base)\nprocesses = 4\n"
                "harakiri = 30\nprocesses = 8\n")

    async def scenario() -> None:
        async with editor(tmp_path) as ed:
            ed.open(app)
            await ed.diagnostics(app)
            doc = types.TextDocumentIdentifier(uri=uri(app))

            hover = await ed.client.text_document_hover_async(types.HoverParams(
                text_document=doc, position=ed.position(app, "processes", 3)))
            assert hover is not None and isinstance(hover.contents, types.MarkupContent)
            # uWSGI's own help text, and the value in effect: the later line's
            assert "spawn the specified number of workers" in hover.contents.value
            assert "`8`" in hover.contents.value and "web.ini:6" in hover.contents.value

            hover = await ed.client.text_document_hover_async(types.HoverParams(
                text_document=doc, position=ed.position(app, "%(base)", 3)))
            assert hover is not None and isinstance(hover.contents, types.MarkupContent)
            assert "/srv/\U0001F600web" in hover.contents.value

            where = await ed.client.text_document_definition_async(types.DefinitionParams(
                text_document=doc, position=ed.position(app, "%(base)", 3)))
            assert isinstance(where, list) and where[0].uri == uri(app)
            assert where[0].range.start.line == 1

            ed.change(app, ed.texts[uri(app)] + "proc")
            got = await ed.client.text_document_completion_async(types.CompletionParams(
                text_document=doc, position=types.Position(line=6, character=4)))
            labels = {i.label for i in (got.items if isinstance(got, types.CompletionList)
                                        else got or [])}
            assert "processes" in labels

            symbols = await ed.client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=doc))
            assert symbols and [s.name for s in symbols] == ["uwsgi"]

            ed.open(vassal)
            await ed.diagnostics(vassal)
            where = await ed.client.text_document_definition_async(types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=uri(vassal)),
                position=types.Position(line=0, character=2)))
            assert isinstance(where, list) and where[0].uri == uri(emperor)

    run(scenario)


# --- the command -------------------------------------------------------------------------


def test_without_pygls_the_command_says_what_to_install(tmp_path: Path) -> None:
    """The plain install has no pygls: `uwsgi-lint server` says which extra to install and
    exits 2 (an import of pygls that fails stands for the missing package)."""
    write(tmp_path / "pygls" / "__init__.py", "raise ImportError('No module named pygls')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "uwsgi_lint", "server"], env=env,
                          capture_output=True, text=True, timeout=HANG_GUARD, check=False)
    assert done.returncode == 2
    assert "pip install 'uwsgi-lint[server]'" in done.stderr
    assert "Traceback" not in done.stderr
