"""The project checks itself: ruff and mypy run as part of the test suite; the license,
the package metadata and the install instructions say what is true."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

from .conftest import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)


def test_ruff_is_clean() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_license_is_the_mit_license_of_the_project() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 uwsgi-lint developers\n")
    assert "Permission is hereby granted, free of charge, to any person obtaining a copy" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def _build(tmp_path: Path) -> tuple[list[str], Path]:
    """The sdist of a copy of the checkout and the wheel built from that sdist, as
    ``python -m build`` makes them: the sdist's member names and the wheel's path."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".*cache", ".hypothesis", ".venv", "build", "dist", "*.egg-info",
        "__pycache__"))
    out = tmp_path / "dist"
    script = (
        "import os, sys, tarfile; from setuptools import build_meta as b\n"
        "out, unpacked = sys.argv[1:]\n"  # a build rewrites sys.argv
        "sdist = os.path.join(out, b.build_sdist(out))\n"
        "with tarfile.open(sdist) as tar:\n"
        "    safe = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}\n"
        "    names = tar.getnames(); tar.extractall(unpacked, **safe)\n"
        "os.chdir(os.path.join(unpacked, names[0].split('/')[0]))\n"
        "wheel = b.build_wheel(out)\n"
        "print('built', sdist, wheel)\n"  # the last line: the build prints its steps too
    )
    build = subprocess.run([sys.executable, "-c", script, str(out), str(tmp_path / "unpacked")],
                           cwd=src, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    built, sdist, wheel = build.stdout.splitlines()[-1].split()
    assert built == "built", build.stdout
    with tarfile.open(sdist) as tar:
        return tar.getnames(), out / wheel


def test_built_distributions_carry_the_license_and_the_supported_pythons(
        tmp_path: Path) -> None:
    license_text = (ROOT / "LICENSE").read_bytes()
    sdist, wheel = _build(tmp_path)
    assert [n.split("/", 1)[1] for n in sdist if n.endswith("LICENSE")] == ["LICENSE"]
    with zipfile.ZipFile(wheel) as z:
        (licenses,) = [n for n in z.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert z.read(licenses) == license_text
        (metadata,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        meta = HeaderParser().parsestr(z.read(metadata).decode("utf-8"))
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    classifiers = meta.get_all("Classifier")
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: SPDX only
    assert "Operating System :: POSIX :: Linux" in classifiers
    # every version from requires-python's floor to the newest that .ci/run tests
    floor = re.fullmatch(r">=3\.(\d+)", meta["Requires-Python"])
    assert floor, meta["Requires-Python"]
    tested = re.search(r"EXTRA_PYTHONS-([\d. ]+)\}", (ROOT / ".ci/run").read_text())
    assert tested
    newest = max(int(v.split(".")[1]) for v in tested.group(1).split())
    assert newest >= 13
    listed = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers
                    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert listed == list(range(int(floor.group(1)), newest + 1))


def test_install_instructions_name_no_placeholder_and_no_pypi_package() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"## pre-commit\n.*?```yaml\n(.*?)```", readme, re.DOTALL)
    assert snippet, "the pre-commit section has no yaml snippet"
    assert "example.invalid" not in snippet.group(1)
    hook = re.search(r"- id: (\S+)", snippet.group(1))
    assert hook and f"- id: {hook.group(1)}\n" in (ROOT / ".pre-commit-hooks.yaml").read_text()
    # uwsgi-lint is not on PyPI: every pip install names a path, the checkout or a git URL
    for line in re.findall(r"pip install ([^\n`]*)", readme):
        assert not re.match(r"[\"']?uwsgi-lint\b", line), line
