"""Benchmark: how long `uwsgi-lint server` takes to publish diagnostics after an edit.

    python bench/bench_server.py [--edits 40] [--lines 200]

Starts the real server over stdio (as an editor does), opens a vassal of an Emperor
(a realistic INI config of ``--lines`` lines: sockets, processes, env, placeholders,
logging, a few findings), then makes ``--edits`` edits one after another, each waiting for
its diagnostics, with the debounce set to 0 so that the figure is the server's own work:
the time from sending ``textDocument/didChange`` to receiving the matching
``textDocument/publishDiagnostics``.  The first edits warm the server up and are left out.
Also prints the lint alone, in this process (``state.analyse``), to tell protocol
cost from lint cost.  Target (issue 17): under 50 ms warm for a 200-line buffer.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

TARGET_MS = 50
WARM_UP = 5


def vassal(lines: int) -> str:
    """A realistic vassal of about ``lines`` lines."""
    head = [
        "[uwsgi]",
        "base = /srv/shop",
        "chdir = %(base)",
        "module = shop.wsgi:application",
        "master = true",
        "processes = 8",
        "threads = 2",
        "socket = /run/uwsgi/shop.sock",
        "chmod-socket = 660",
        "vacuum = true",
        "harakiri = 30",
        "max-requests = 5000",
        "buffer-size = 32768",
        "logto = /var/log/uwsgi/%n.log",
        "log-maxsize = 10485760",
        "enable-threads = true",
        "mastre = true",  # a finding
        "socket = /run/uwsgi/shop2.sock # second",  # a finding
    ]
    body: list[str] = []
    i = 0
    while len(head) + len(body) < lines:
        body += [f"env = SHOP_SETTING_{i}=%(base)/conf/{i}",
                 f"static-map = /static{i}=%(base)/static/{i}",
                 f"route-if = equal:${{PATH_INFO}};/health{i} return:200",
                 f"; comment {i}"]
        i += 1
    return "\n".join((head + body)[:lines]) + "\n"


async def measure_edits(root: Path, path: Path, edits: int) -> list[float]:
    client = LanguageClient(converter_factory=default_converter)
    register_lsp_features(client, {m: f for m, f in DEFAULT_CLIENT_FEATURES.items()
                                   if m != types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS})
    arrived: dict[int, float] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived[params.version] = time.perf_counter()

    await client.start_io(sys.executable, "-m", "uwsgi_lint", "server", cwd=str(root))
    await client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root)),
        initialization_options={"debounce_ms": 0}))
    uri = from_fs_path(str(path)) or ""
    text = path.read_text()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="ini", version=1, text=text)))
    while 1 not in arrived:
        await asyncio.sleep(0.001)
    took: list[float] = []
    lines = text.split("\n")
    for version in range(2, edits + 2):
        row = 5 + version % 150
        new = f"processes = {version}"
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=row, character=0),
                                  end=types.Position(line=row, character=len(lines[row]))),
                text=new)]))
        lines[row] = new
        while version not in arrived:
            await asyncio.sleep(0.0005)
        took.append((arrived[version] - sent) * 1000)
    await client.shutdown_session()
    await client.stop()
    return took


def in_process(path: Path, runs: int) -> list[float]:
    from uwsgi_lint.server.state import analyse

    text, roots = path.read_text(), [str(path.parent.parent)]
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        analyse(str(path), text, None, roots)
        took.append((time.perf_counter() - start) * 1000)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--lines", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "vassals").mkdir()
        (root / "emperor.ini").write_text("[uwsgi]\nemperor = %d/vassals\n")
        path = root / "vassals" / "shop.ini"
        path.write_text(vassal(args.lines))
        os.chdir(root)
        took = asyncio.run(measure_edits(root, path, args.edits + WARM_UP))[WARM_UP:]
        alone = in_process(path, args.edits + WARM_UP)[WARM_UP:]
    median = statistics.median(took)
    print(f"edit -> diagnostics, {args.lines}-line vassal, warm, {len(took)} edits: "
          f"median {median:.1f} ms, p90 {sorted(took)[int(len(took) * 0.9)]:.1f} ms, "
          f"min {min(took):.1f} ms")
    print(f"the lint alone (state.analyse, in process): median "
          f"{statistics.median(alone):.1f} ms")
    print(f"target < {TARGET_MS} ms: {'met' if median < TARGET_MS else 'missed'}")


if __name__ == "__main__":
    main()
