"""Copy the rule pages (``rules/UWnnn.md``, the single source) into the package
(``uwsgi_lint/rule_pages/``) so that an installed uwsgi-lint can print them and put them in
its SARIF output.  ``tests/test_output_formats.py`` fails while a copy is stale.

    python scripts/sync_rule_pages.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "rules"
SHIPPED = ROOT / "uwsgi_lint" / "rule_pages"


def main() -> None:
    SHIPPED.mkdir(exist_ok=True)
    wanted = {p.name for p in SOURCE.glob("UW*.md")}
    for stale in SHIPPED.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name in sorted(wanted):
        shutil.copyfile(SOURCE / name, SHIPPED / name)
    print(f"{len(wanted)} pages copied to {SHIPPED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
