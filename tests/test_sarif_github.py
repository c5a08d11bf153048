"""SARIF as GitHub code scanning documents it ("SARIF support for code scanning"): security
tags and scores for the exposure rules, precision by rule set, descriptions within 1,024
characters, help from the rule pages, ``primaryLocationLineHash`` computed as GitHub's
upload action computes it (over the masked file), symlinks reported under their real
path; every document checked against the OASIS schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from uwsgi_lint import cli
from uwsgi_lint.render import pages
from uwsgi_lint.render.source import LineHashes
from uwsgi_lint.rules import all_rules

from .helpers import write

SARIF_SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "reference" / (
    "sarif-schema-2.1.0.json")

WORLD_WRITABLE = "[uwsgi]\nsocket = /run/app/app.sock\nchmod-socket = 666\nuid = app\ngid = app\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree (the source root) as the working directory."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def sarif(capsys: pytest.CaptureFixture[str], *paths: str) -> dict[str, Any]:
    """The SARIF the CLI prints for ``paths``, checked against the OASIS schema."""
    code = cli.main(["--isolated", "--format", "sarif", *paths])
    out, err = capsys.readouterr()
    assert code in (0, 1) and err == "", err
    doc: dict[str, Any] = json.loads(out)
    if SARIF_SCHEMA.is_file():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        validator = jsonschema.validators.validator_for(schema)
        validator(schema, format_checker=validator.FORMAT_CHECKER).validate(doc)
    return doc


def rules_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}


def results_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = doc["runs"][0]["results"]
    return results


def where(result: dict[str, Any]) -> tuple[str, str, int]:
    loc = result["locations"][0]["physicalLocation"]
    return result["ruleId"], loc["artifactLocation"]["uri"], loc["region"]["startLine"]


# -- rules ----------------------------------------------------------------------------------

def test_exposure_rules_are_security_alerts_with_a_score(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "app.ini", WORLD_WRITABLE)
    doc = sarif(capsys, "app.ini")
    rules = rules_of(doc)
    [result] = results_of(doc)
    assert where(result) == ("UW502", "app.ini", 3)
    uw502 = doc["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert uw502["id"] == "UW502"
    assert "security" in uw502["properties"]["tags"]
    assert float(uw502["properties"]["security-severity"]) >= 7.0  # high: local users get in
    exposure = [code for code in rules if code.startswith("UW5")]
    assert len(exposure) >= 10
    for code, rule in rules.items():
        props = rule["properties"]
        if code.startswith("UW5"):
            assert "security" in props["tags"], code
            score = props["security-severity"]
            assert isinstance(score, str) and 0.0 < float(score) <= 10.0, (code, score)
        else:
            assert "security" not in props["tags"] and "security-severity" not in props, code
    # an unauthenticated way to make the app load code ranks critical
    assert float(rules["UW501"]["properties"]["security-severity"]) >= 9.0
    assert "external/cwe/cwe-798" in rules["UW507"]["properties"]["tags"]


def test_precision_follows_the_rule_set(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "app.ini", "[uwsgi]\nmaster = true\n")
    rules = rules_of(sarif(capsys, "app.ini"))
    expected = {"default": "high", "hardening": "medium", "pedantic": "low"}
    assert {r.code: expected[r.group] for r in all_rules()} == {
        code: rule["properties"]["precision"] for code, rule in rules.items()}
    assert {rule["properties"]["precision"] for rule in rules.values()} == set(expected.values())


def test_descriptions_fit_and_help_comes_from_the_pages(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tree, "app.ini", "[uwsgi]\nmaster = true\n")
    rules = rules_of(sarif(capsys, "app.ini"))
    assert list(rules) == [r.code for r in all_rules()]
    cut = []
    for r in all_rules():
        rule = rules[r.code]
        short, full = rule["shortDescription"]["text"], rule["fullDescription"]["text"]
        assert 0 < len(short) <= 1024 and 0 < len(full) <= 1024, r.code
        assert rule["help"]["text"], r.code
        page = pages.page(r.code)
        if page is None:
            continue
        assert rule["help"]["markdown"] == pages.body(page) != "", r.code
        what = pages.plain(pages.section(page, "What it does"))
        if len(what) > 1024:  # cut after a sentence (or a word), and says so
            cut.append(r.code)
            assert full.endswith(" ...") and what.startswith(full[:-4]), r.code
            assert what[len(full) - 4] in " \n", r.code
        else:
            assert full == what, r.code
    assert "UW504" in cut  # its page explains every way the tree shows a start as root
    # no docs_url: no link
    assert all("helpUri" not in rule for rule in rules.values())


# -- GitHub's line hash ---------------------------------------------------------------------

def github_line_hashes(text: str) -> list[str]:
    """A straight port of github/codeql-action ``src/fingerprints.ts`` ``hash()``: a rolling
    hash over the UTF-16 code units, character by character."""
    mod, block, eof, mask64 = 37, 100, 65535, (1 << 64) - 1
    first_mod = pow(mod, block, 1 << 64)
    window, line_numbers = [0] * block, [-1] * block
    value, index, line_number, line_start, prev_cr = 0, 0, 0, True, False
    counts: dict[str, int] = {}
    out: list[str] = []

    def output() -> None:
        h = f"{value:x}"
        counts[h] = counts.get(h, 0) + 1
        out.append(f"{h}:{counts[h]}")
        assert line_numbers[index] == len(out)
        line_numbers[index] = -1

    def update(current: int) -> None:
        nonlocal value, index
        begin = window[index]
        window[index] = current
        value = (mod * value + current - first_mod * begin) & mask64
        index = (index + 1) % block

    def process(current: int) -> None:
        nonlocal prev_cr, line_start, line_number
        if current in (0x20, 0x09) or (prev_cr and current == 0x0A):
            prev_cr = False
            return
        if current == 0x0D:
            current, prev_cr = 0x0A, True
        else:
            prev_cr = False
        if line_numbers[index] != -1:
            output()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[index] = line_number
        if current == 0x0A:
            line_start = True
        update(current)

    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        process(int.from_bytes(data[i:i + 2], "little"))
    process(eof)
    for _ in range(block):
        if line_numbers[index] != -1:
            output()
        update(0)
    return out


def all_hashes(text: str) -> list[str]:
    hashes = LineHashes(text)
    return [hashes(n) for n in range(1, len(hashes) + 1)]


@pytest.mark.parametrize(("text", "expected"), [  # github/codeql-action's own test cases
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d",
     ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
     ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
      "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]),
    ("Lorem ipsum dolor sit amet.\n" * 10,
     [*(f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)), "a7f2ff1481e87703:1",
      "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
])
def test_line_hash_matches_githubs_published_values(text: str, expected: list[str]) -> None:
    assert all_hashes(text) == expected == github_line_hashes(text)


def test_line_hash_is_githubs_for_every_finding(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # CRLF line ends, tabs, a character beyond U+FFFF, a long line, a repeated line
    text = ("[uwsgi]\r\n\tprocesess = 4\r\nnope = \U0001f600 " + "x" * 150 + "\r\n"
            + "nope2 = 1\r\n" * 15 + "master = true\r\n")
    path = tree / "app.ini"
    path.write_bytes(text.encode("utf-8"))
    first = results_of(sarif(capsys, "app.ini"))
    expected = github_line_hashes(text)
    got = {where(r)[2]: r["partialFingerprints"] for r in first}
    assert sorted(got) == list(range(2, 19))
    for line, prints in got.items():
        assert prints["primaryLocationLineHash"] == expected[line - 1], line
        assert len(prints["uwsgiLint/v1"]) == 32  # our own is kept
    # lines 4-6 start the same 100 characters (12 lines of `nope2=1`, then `nope`): counted
    same = [got[n]["primaryLocationLineHash"].split(":") for n in (4, 5, 6)]
    assert [h for h, _ in same] == [same[0][0]] * 3 and [n for _, n in same] == ["1", "2", "3"]
    assert len({p["primaryLocationLineHash"].split(":")[0] for p in got.values()}) == 17 - 2
    assert results_of(sarif(capsys, "app.ini")) == first  # stable across runs


def test_line_hash_is_of_the_masked_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def run(secret: str) -> tuple[str, dict[str, Any]]:
        root = tmp_path / str(len(secret))
        (root / ".git").mkdir(parents=True)
        text = f"[uwsgi]\nenv = DB_PASSWORD={secret}\nmaster = true\n"
        write(root, "app.ini", text)
        monkeypatch.chdir(root)
        code = cli.main(["--isolated", "--format", "sarif", "app.ini"])
        out, _ = capsys.readouterr()
        assert code == 1
        [result] = [r for r in results_of(json.loads(out)) if r["ruleId"] == "UW507"]
        assert where(result)[1:] == ("app.ini", 2)
        assert secret not in out
        return text, result["partialFingerprints"]

    text, one = run("hunter2-first-Secret")
    _, two = run("Zz9-another-secret-value")
    assert one["primaryLocationLineHash"] == two["primaryLocationLineHash"]
    assert one["uwsgiLint/v1"] == two["uwsgiLint/v1"]
    # what the upload action would compute from the file itself differs: the secret is in it
    assert one["primaryLocationLineHash"] != github_line_hashes(text)[1]
    masked = text.replace("hunter2-first-Secret", "********")
    assert one["primaryLocationLineHash"] == github_line_hashes(masked)[1]


def test_line_hash_masks_a_secret_over_several_lines(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PEM block after the finding: the hash covers the next lines too (100 characters
    from the start of the line), so they are masked line by line, line numbers kept."""
    key = "MIIEowIBAAKCAQEA7bq3xYz0secretKEYmaterial1234567890abcdefABCDEF"
    text = (f"[uwsgi]\nnope = 1\nfor-readline = x\n-----BEGIN RSA PRIVATE KEY-----\n{key}\n"
            "-----END RSA PRIVATE KEY-----\nendfor =\nnope2 = 2\n")
    write(tree, "app.ini", text)
    results = results_of(sarif(capsys, "app.ini"))
    got = {where(r)[2]: r["partialFingerprints"]["primaryLocationLineHash"]
           for r in results if r["ruleId"] == "UW101"}
    assert 2 in got and 8 in got
    plain = github_line_hashes(text)
    assert got[2] != plain[1]  # the key is within 100 characters of line 2
    assert got[8] == plain[7]  # line 8 is past it: numbering unchanged


# -- paths ----------------------------------------------------------------------------------

def test_symlinked_vassal_is_reported_under_its_real_path(
        tree: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write(tree, "emperor.ini", f"[uwsgi]\nemperor = {tree / 'vassals'}\n")
    write(tree, "apps/app.ini", WORLD_WRITABLE)
    (tree / "vassals").mkdir()
    (tree / "vassals" / "app.ini").symlink_to("../apps/app.ini")
    # a link to a file outside the source root keeps the link's path
    write(tmp_path, "elsewhere/other.ini", WORLD_WRITABLE)
    (tree / "vassals" / "other.ini").symlink_to(tmp_path / "elsewhere" / "other.ini")
    results = [r for r in results_of(sarif(capsys, "--allow-read", str(tmp_path / "elsewhere"),
                                           "emperor.ini"))
               if r["ruleId"] == "UW502"]  # both bind one socket too (UW217): not the point
    assert sorted(where(r) for r in results) == [
        ("UW502", "apps/app.ini", 3), ("UW502", "vassals/other.ini", 3)]
    for r in results:
        for related in r.get("relatedLocations", []):
            assert related["physicalLocation"]["artifactLocation"]["uri"] == where(r)[1]
            assert related["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert "primaryLocationLineHash" in r["partialFingerprints"]
