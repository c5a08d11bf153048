"""The rule pages (``rules/UWnnn.md`` at the repository root) at run time.

``rules/`` is the only copy in the source tree.  A checkout (or an editable install) reads
it directly; a built wheel carries the pages as package data in ``uwsgi_lint/rule_pages/``,
copied there at build time by ``setup.py`` (``tests/test_output_formats.py`` builds a wheel
and checks them), and an installed package reads those.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
SOURCE_DIR = PACKAGE.parent / "rules"
SHIPPED_DIR = PACKAGE / "rule_pages"


def page_dir() -> Path:
    """Where the pages are read from: the repository's ``rules/`` when present."""
    return SOURCE_DIR if (SOURCE_DIR / "UW001.md").is_file() else SHIPPED_DIR


@cache
def page(code: str) -> str | None:
    """The page of rule ``code``, or None when it has none."""
    try:
        return (page_dir() / f"{code}.md").read_text(encoding="utf-8")
    except OSError:
        return None


def section(text: str, title: str) -> str:
    """The text of one ``## title`` section, without its heading (empty when absent)."""
    m = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return m.group(1).strip() if m else ""


def plain(markdown: str) -> str:
    """A section's prose as plain text: paragraphs unwrapped (each list item a line of its
    own), code spans unmarked."""
    paragraphs = [
        "\n".join(" ".join(item.split()) for item in _LIST_ITEM.split(p))
        for p in re.split(r"\n\s*\n", markdown) if p.strip()
    ]
    return "\n\n".join(p.replace("`", "") for p in paragraphs)


_LIST_ITEM = re.compile(r"\n(?=[ \t]*(?:[-*+]|\d+\.)[ \t])")  # where a list item starts


def body(text: str) -> str:
    """The page from its first ``##`` section on (title and metadata table dropped)."""
    i = text.find("\n## ")
    return text[i + 1 :].strip() if i != -1 else text.strip()


def link(code: str, name: str, docs_url: str | None = None) -> str:
    """Where rule ``code``'s page can be opened: ``docs_url`` (``{code}`` and ``{name}``
    filled in) when the settings publish the pages, else the page that ships with
    uwsgi-lint, as a ``file:`` URI (editors open it; it needs no network)."""
    if docs_url is not None:
        from ..untrusted import clean

        return clean(docs_url.replace("{code}", code).replace("{name}", name), None)
    return (page_dir() / f"{code}.md").as_uri()
