"""Renderers: each turns a report into the text one kind of reader wants."""

from __future__ import annotations

import os


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
