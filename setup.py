"""Build hook: the rule pages ship as package data without a second copy in the tree.

``rules/UWnnn.md`` (repository root) is the only copy of the pages.  Building a wheel
copies them into the built package as ``uwsgi_lint/rule_pages/``, which an installed
uwsgi-lint reads (``uwsgi-lint rule CODE``, the SARIF rule help; see
``uwsgi_lint/render/pages.py``).  ``MANIFEST.in`` puts ``rules/`` in the sdist, so a wheel
built from the sdist gets them too.  An editable install reads ``rules/`` in place.
Everything else about the project is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PAGES = ROOT / "rules"
TARGET = Path("uwsgi_lint", "rule_pages")


class BuildPyWithPages(build_py):
    """``build_py``, then ``rules/UW*.md`` copied into ``<build_lib>/uwsgi_lint/rule_pages``."""

    def pages(self) -> list[Path]:
        found = sorted(PAGES.glob("UW*.md"))
        if not found:
            raise SystemExit(f"no rule pages in {PAGES}: the package would ship none")
        return found

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads rules/ in the checkout
        target = Path(self.build_lib) / TARGET
        target.mkdir(parents=True, exist_ok=True)
        for page in self.pages():
            shutil.copyfile(page, target / page.name)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [str(Path(self.build_lib) / TARGET / p.name) for p in self.pages()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithPages})
