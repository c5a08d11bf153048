"""Coverage-guided fuzzing of every uwsgi-lint reader with atheris (libFuzzer).

atheris is not a dependency of uwsgi-lint: ``pip install atheris`` first, then e.g.

    python fuzz/fuzz_readers.py -max_total_time=600 tests/fixtures/fuzz/

The first input byte picks the reader (INI, XML, JSON, embedded YAML, libyaml YAML), the
rest is the file.  Any exception, and any broken property (see ``check`` in
``tests/test_fuzz.py``: spans inside the file, raw text equal to the source slice of its
span), is a finding: libFuzzer writes the input to ``crash-*``; keep it as a regression
fixture under ``tests/fixtures/fuzz/`` and fix the reader.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402

with atheris.instrument_imports():
    from tests.test_fuzz import READERS, check


def test_one_input(data: bytes) -> None:
    if not data:
        return
    name, fmt, yaml_reader = READERS[data[0] % len(READERS)]
    check(data[1:], name, fmt, yaml_reader)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
