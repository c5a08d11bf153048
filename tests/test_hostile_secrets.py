"""No secret and no terminal or CI-log injection in any output (issue 11, part A).

Every case runs the real command in a child process (``tests/test_hostile.py``:
``uwsgi_lint()``, bounded in time and memory) with canary secrets in its environment
(``monkeypatch.setenv``: the child inherits them) and inside the linted tree, in every
output format, and asserts what a user (or a CI log) would see: no secret, no raw escape
or control character, no line that GitHub Actions would read as a workflow command.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from uwsgi_lint import untrusted
from uwsgi_lint.rules import all_rules

from .complexity import LINEAR, growth
from .test_hostile import Run, uwsgi_lint, write
from .test_rule_pages import examples, write_case

GITHUB_TOKEN = "ghs_" + "C4nary0GithubT0kenValue9x8y7z6w5v4u3t"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzCANARYq9"
DEPLOY_PASSWORD = "correct-horse-battery-staple-canary"  # no known shape: only its name
BLOB_SECRET = "django-canary-from-the-blob"  # only in the tree, after a NUL
GIT_TOKEN = "ghs_" + "GitC0nfigCanaryT0ken1234567890abcdefgh"
BASIC = base64.b64encode(f"x-access-token:{GIT_TOKEN}".encode()).decode()
URL_PASSWORD = "hunter2-url-canary"
FILE_TOKEN = "ghp_" + "F1leNameCanaryT0ken0123456789abcdefgh"
SLACK = "xoxb-" + "1234567890-canary-slack-token"
JWT = ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkiLCJuYW1lIjoiSm9obiJ9."
       "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")


def pem() -> tuple[str, list[str]]:
    """A PEM private key (fixed random bytes) and its body lines."""
    rng = random.Random(11)
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(600))).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    assert not any(line.startswith("/") for line in lines)  # a path-like line is kept
    return ("-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines)
            + "\n-----END PRIVATE KEY-----\n"), lines


PEM, PEM_LINES = pem()
SECRETS = [GITHUB_TOKEN, AWS_SECRET, DEPLOY_PASSWORD, BLOB_SECRET, GIT_TOKEN, BASIC,
           URL_PASSWORD, FILE_TOKEN, SLACK, JWT, "BEGIN PRIVATE KEY",
           *PEM_LINES]
# what must never reach a terminal or a log raw: ESC, BEL, C1 CSI, bidi overrides
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066")
FORMATS = ("text", "full", "json", "sarif", "github", "gitlab", "junit")


@pytest.fixture(autouse=True)
def canary_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("DEPLOY_PASSWORD", DEPLOY_PASSWORD)
    for name in ("FORCE_COLOR", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)


def command(*args: str | Path, cwd: Path, prelude: str = "") -> Run:
    """The command with ``args`` (``show ...`` too: ``uwsgi_lint()`` puts ``--isolated``
    first, which ``show`` does not take, so the prelude drops it)."""
    if args and args[0] == "show":
        prelude += (
            "\nimport uwsgi_lint.cli as _cli\n_main = _cli.main\n"
            "_cli.main = lambda argv: _main([a for a in argv if a != '--isolated'])\n"
        )
    return uwsgi_lint(*args, cwd=cwd, json_output=False, prelude=prelude)


def strings(doc: Any) -> Iterator[str]:
    """Every string (keys and values) of a JSON document."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield k
            yield from strings(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from strings(v)


def assert_safe(run: Run, fmt: str, secrets: list[str] = SECRETS) -> None:
    """Nothing in stdout or stderr (nor in the strings of a JSON document) holds a secret
    or a raw control character, and no line is a GitHub Actions workflow command but the
    annotations of ``--format github``."""
    texts = [run.out, run.err]
    if fmt in ("json", "sarif", "gitlab", "show-json") and run.out.strip():
        texts += strings(json.loads(run.out))
    for text in texts:
        for secret in secrets:
            assert secret not in text, (fmt, secret)
        for c in RAW:
            assert c not in text, (fmt, repr(c))
        assert "##[" not in text, fmt  # a workflow command anywhere in a line
    for line in (run.out + run.err).splitlines():
        if line.lstrip().startswith("::"):
            assert fmt == "github" and re.match(
                r"::(?:(?:error|warning|notice) file=|group::uwsgi-lint: \d+ findings?$"
                r"|endgroup::$)", line), (fmt, line)


# -- 1. a hostile tree, every format ----------------------------------------------------

EVIL_NAME = "e\x1b[31mvil\u202e\n::error::pwned\n::stop-commands::x ##[add-mask]y.ini"


def hostile_tree(root: Path) -> Path:
    """A tree whose configs pull secrets into options (``@(file)``, ``for-readline``) and
    whose option names, values and file names carry escapes and workflow commands."""
    tree = root / "tree"
    write(tree / ".git" / "config", (
        '[http "https://github.com/"]\n'
        f"\textraheader = AUTHORIZATION: basic {BASIC}\n"
        f'[remote "origin"]\n\turl = https://x-access-token:{GIT_TOKEN}@github.com/o/r\n'))
    # the same, as a file of the tree (the boundary may keep .git/ out)
    write(tree / "gitconfig", f"\textraheader = AUTHORIZATION: basic {BASIC}\n")
    write(tree / "environ.bin", (
        f"GITHUB_TOKEN={GITHUB_TOKEN}\0AWS_SECRET_ACCESS_KEY={AWS_SECRET}\0"
        f"DEPLOY_PASSWORD={DEPLOY_PASSWORD}\0DJANGO_SECRET_KEY={BLOB_SECRET}\0"
        "PATH=/usr/bin\0").encode())
    write(tree / "environ.txt", (
        f"PATH=/usr/bin\nDJANGO_SECRET_KEY={BLOB_SECRET}\nGITHUB_TOKEN={GITHUB_TOKEN}\n"))
    write(tree / "key.pem", PEM)
    write(tree / "app.ini", (
        "[uwsgi]\n"
        "socket = @(environ.bin)\n"
        "chmod-socket = @(environ.txt)\n"
        "chmod-socket = @(gitconfig)\n"
        "uid = @(environ.bin)\n"
        "uid = @(environ.txt)\n"
        "pidfile = @(.git/config)\n"
        f"ini = exec://curl -H 'Authorization: Bearer {GITHUB_TOKEN}' https://x/$(HOME)\n"
        f"ini = http://deploy:{URL_PASSWORD}@config.example.com/app.ini\n"
        f"env = SLACK={SLACK}\n"
        f"processes = {JWT}\n"
        "for-readline = key.pem\n"
        "socket = %(_)\n"
        "endfor =\n"
        "for-readline = environ.txt\n"
        "chmod-socket = %(_)\n"
        "endfor =\n"
        "\x1b]52;c;ZXZpbA==\x07 = 1\n"
        "bogus\x1b[2J\u202e\x9b1m = 2\n"
        "log-format = %[[31mred %[]8;;https://evil.example/%[\\ click\n"
        "logto = /tmp/x\x1b[2K\r::error::injected\n"
        "master = true\n"))
    # a socket read from the secret file, and `uid = root`: UW504 reports it
    write(tree / "root.ini", "[uwsgi]\nsocket = @(environ.txt)\nuid = root\n")
    write(tree / f"{FILE_TOKEN}.ini", "[uwsgi]\nprocesess = 4\n")
    write(tree / EVIL_NAME, "[uwsgi]\nprocesess = 4\n::error::x = 1\n")
    return tree


@pytest.mark.parametrize("fmt", [*FORMATS, "statistics", "statistics-json", "show",
                                 "show-json"])
def test_no_secret_or_injection_in_any_format(tmp_path: Path, fmt: str) -> None:
    tree = hostile_tree(tmp_path)
    args: tuple[str, ...] = {
        "statistics": ("--statistics",), "statistics-json": ("--statistics", "--format", "json"),
        "show": ("show",), "show-json": ("show", "--format", "json"),
    }.get(fmt, ("--format", fmt))
    run = command(*args, ".", cwd=tree)
    assert run.rc == (0 if fmt.startswith("show") else 1), run.err
    assert_safe(run, fmt)
    if fmt == "json":
        found = {(d["code"], Path(d["filename"]).name) for d in json.loads(run.out)["diagnostics"]}
        # the findings are made (masked, not dropped): the rules named by issue 11 included
        for code in ("UW101", "UW112", "UW121", "UW022", "UW506"):
            assert (code, "app.ini") in found, code
        assert ("UW504", "root.ini") in found
        assert ("UW101", "********.ini") in found  # the token in the file name is masked
        assert any(name.startswith("e\\x1b[31mvil\\u202e\\n") for _, name in found)
        assert "********" in run.out
    if fmt == "github":  # one annotation a finding, then a line each in the group
        lines = run.out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("::group::"))
        assert all(line.startswith("::") for line in lines[:start])
        assert lines[-2] == "::endgroup::"
        assert start == sum(1 for line in lines[start + 1:-2] if not line.startswith(" "))
    if fmt == "text":
        assert ("e\\x1b[31mvil\\u202e\\n::error::pwned\\n::stop-commands::x ##\\x5badd-mask]y.ini"
                ":2:1: UW101") in run.out
        assert "unknown option 'bogus\\x1b[2J\\u202e\\x9b1m'" in run.out
    if fmt == "show":
        assert "\\x1b]52;c;ZXZpbA" in run.out and "red \\x1b]8;;https" in run.out


def test_a_path_that_starts_a_line_cannot_be_a_workflow_command(tmp_path: Path) -> None:
    """The runner strips leading blanks (Unicode ones too) before it looks for ``::``."""
    for name in ("::error::x.ini", " ::warning::y.ini", "\u3000::notice::z.ini"):
        write(tmp_path / name, "[uwsgi]\nprocesess = 4\n")
    for fmt in ("text", "full", "junit"):
        run = command("--format", fmt, ".", cwd=tmp_path)
        assert_safe(run, fmt)
        if fmt == "text":
            assert [line.split(":2:1:")[0] for line in run.out.splitlines()[:3]] == [
                "./ ::warning::y.ini", "./::error::x.ini", "./\u3000::notice::z.ini"]


def test_sarif_of_a_non_utf8_file_name(tmp_path: Path) -> None:
    """A non-UTF-8 name used to empty the whole SARIF report (exit 2): its URI is now the
    percent-encoded bytes, and every other finding is there."""
    write(tmp_path / "a.ini", "[uwsgi]\nprocesess = 4\n")
    (tmp_path / os.fsdecode(b"b\xff\n.ini")).write_bytes(b"[uwsgi]\nprocesess = 4\n")
    run = command("--format", "sarif", ".", cwd=tmp_path)
    assert run.rc == 1, run.err
    results = json.loads(run.out)["runs"][0]["results"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                  for r in results)
    assert uris == ["a.ini", "b%FF%0A.ini"]
    for fmt in ("text", "json", "gitlab", "junit", "github", "full"):
        run = command("--format", fmt, ".", cwd=tmp_path)
        shown = [*strings(json.loads(run.out))] if fmt in ("json", "gitlab") else [run.out]
        assert run.rc == 1 and any("b\\xff\\n.ini" in s for s in shown), (fmt, run.out)


def test_fingerprints_hash_the_masked_line(tmp_path: Path) -> None:
    """Two trees that differ only in a secret on the finding's line get the same SARIF
    and GitLab fingerprints (the hash is of the masked line), and a change elsewhere on
    the line changes them."""
    def fingerprints(secret: str, name: str = "procesess") -> list[str]:
        tree = tmp_path / f"{secret}-{name}"
        write(tree / "app.ini", f"[uwsgi]\n{name} = 4 DB_PASSWORD={secret}\n")
        sarif = json.loads(command("--format", "sarif", ".", cwd=tree).out)
        gitlab = json.loads(command("--format", "gitlab", ".", cwd=tree).out)
        return [*(r["partialFingerprints"]["uwsgiLint/v1"] for r in sarif["runs"][0]["results"]),
                *(i["fingerprint"] for i in gitlab)]

    first = fingerprints("s3cret-one")
    assert len(first) == 2
    assert fingerprints("s3cret-two") == first
    assert fingerprints("s3cret-one", "procesesss") != first


def test_full_reads_source_lines_through_the_one_opener(tmp_path: Path) -> None:
    """A file that becomes a FIFO (or a link to /dev/zero) between the linting and the
    rendering is not opened by ``full``, ``sarif`` or ``gitlab``: no hang, no snippet."""
    for i, fmt in enumerate(("full", "sarif", "gitlab")):
        for j, swap in enumerate(("os.mkfifo(P)", "os.symlink('/dev/zero', P)")):
            tree = tmp_path / f"{i}{j}"
            path = write(tree / "app.ini", "[uwsgi]\nprocesess = 4\n")
            prelude = (
                f"import os\nimport uwsgi_lint.render.source as src\nP = {str(path)!r}\n"
                "_forget = src.forget\n"
                f"def forget(*buffers):\n    _forget(*buffers)\n    os.unlink(P)\n    {swap}\n"
                "src.forget = forget\n")
            run = command("--format", fmt, ".", cwd=tree, prelude=prelude)
            assert run.rc == 1 and "UW101" in run.out, (fmt, swap, run.err)
            if fmt == "full":
                assert " 2 | " not in run.out


def test_stderr_lines_are_cleaned(tmp_path: Path) -> None:
    """An internal error quoting a secret and an escape reaches stderr and UW099 masked."""
    prelude = (
        "from uwsgi_lint.diagnostics import Severity\n"
        "from uwsgi_lint.rules import Instances, rule\n"
        "@rule('UW598', 'raises-on-purpose', Severity.WARNING, 'tests only', on=Instances())\n"
        "def _check(view):\n"
        f"    raise KeyError('GITHUB_TOKEN={GITHUB_TOKEN} \\x1b[2J\\n::error::x')\n")
    write(tmp_path / "app.ini", "[uwsgi]\nmaster = true\n")
    for fmt in FORMATS:
        run = command("--format", fmt, ".", cwd=tmp_path, prelude=prelude)
        assert run.rc == 2 and "internal error in UW598" in run.err
        assert "GITHUB_TOKEN=********" in run.err
        assert_safe(run, fmt)


def test_usage_error_quotes_the_argument_escaped(tmp_path: Path) -> None:
    """pre-commit passes file names as arguments: one that argparse rejects is quoted
    escaped."""
    run = command(f"-\x1b[31m{GITHUB_TOKEN}.ini", cwd=tmp_path)
    assert run.rc == 2 and "unrecognized arguments: -\\x1b[31m********.ini" in run.err
    assert_safe(run, "text")


def test_working_directory_and_paths_in_the_environment_are_not_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell's PWD/OLDPWD and path-valued variables with a secret-looking name
    (``SSH_KEY_PATH``) are no secrets: a message naming the tree's own paths stays
    readable."""
    monkeypatch.setenv("PWD", str(tmp_path))
    monkeypatch.setenv("OLDPWD", str(tmp_path))
    monkeypatch.setenv("DEPLOY_KEY", str(tmp_path))
    write(tmp_path / "app.ini", f"[uwsgi]\nsocket = {tmp_path}/app.sock\nchmod-socket = 666\n")
    run = command("--format", "text", ".", cwd=tmp_path)
    assert f"makes `{str(tmp_path)[:40]}" in run.out and "********" not in run.out


# -- 2. every rule's messages, every format -----------------------------------------------

INJECTED = (f" GITHUB_TOKEN={GITHUB_TOKEN} {AWS_SECRET} {DEPLOY_PASSWORD} \x1b]8;;x\x07 "
            f"\u202e\x9b\n::error::injected ##[add-mask]x {JWT}\n{PEM}")
# every diagnostic any rule makes (through Rule.diagnostic, the only way one is made:
# Rule.made turns a rule's Finding into one with it)
# carries INJECTED in its message and in a related location's message and path; and a
# rule with a bug raises with INJECTED on one file (UW099 and stderr quote it)
PRELUDE = f"""
import dataclasses
from uwsgi_lint.diagnostics import Related, Severity
from uwsgi_lint.rules import Instances, Rule, rule
INJECTED = {INJECTED!r}
@rule("UW598", "raises-on-purpose", Severity.WARNING, "A rule with a bug (tests only).",
      on=Instances())
def _check(view):
    if view.inst.root.path.endswith("bad-utf8.ini"):
        raise KeyError(INJECTED)
    return iter(())
_diagnostic = Rule.diagnostic
def diagnostic(self, span, message, related=(), detail="", fix=None):
    where = dataclasses.replace(span, file=span.file + INJECTED)
    return _diagnostic(self, span, message + INJECTED,
                       related + (Related("related" + INJECTED, where),), detail + INJECTED,
                       fix)
Rule.diagnostic = diagnostic
"""


def rule_cases(root: Path) -> dict[str, list[Path]]:
    """Every bad example of every rule page, each in a directory of its own (one level
    down, so that no case is read as another's context), under a directory whose name is
    a token: every path carries a secret; and a file with invalid UTF-8 (UW024, which
    has no page example).  Keyed by target version: the first file of each case."""
    base = root / (FILE_TOKEN + "\x1b\u202e")  # no glob character: Emperors glob paths
    out: dict[str, list[Path]] = {"2.0": [write(base / "UW024" / "bad-utf8.ini",
                                                b"[uwsgi]\nsocket = /tmp/\xff.sock\n")],
                                  "2.1": []}
    for r in all_rules():
        for i, case in enumerate(examples(r, "## Example")):
            where = base / f"{r.code}-{i}" / "case"
            write_case(case, where)
            for name, _, attrs in case:
                owner = re.search(r"owner=(\d+):(\d+)", attrs)
                if owner and os.geteuid() == 0:
                    os.lchown(where / name, int(owner.group(1)), int(owner.group(2)))
            version = re.search(r"version=(\S+)", case[0][2])
            out.setdefault(version.group(1) if version else "2.0", []).append(
                where / case[0][0])
    return out


def test_every_rule_message_in_every_format_is_masked(tmp_path: Path) -> None:
    cases = rule_cases(tmp_path)
    fired: set[str] = set()
    for version, files in cases.items():
        rel = [os.path.relpath(f, tmp_path) for f in files]
        for fmt in (*FORMATS, "statistics"):
            args = ("--statistics",) if fmt == "statistics" else ("--format", fmt)
            run = command(*args, "--select", "all", "--target-version", version, *rel,
                          cwd=tmp_path, prelude=PRELUDE)
            assert run.rc == (2 if version == "2.0" else 1), run.err
            assert_safe(run, fmt)
            if fmt == "json":
                diagnostics = json.loads(run.out)["diagnostics"]
                fired |= {d["code"] for d in diagnostics}
                # masked, not dropped: the text around the secrets is kept
                assert all("GITHUB_TOKEN=******** ******** ******** \\x1b]8;;x\\x07"
                           in d["message"] for d in diagnostics)
    # UW310 fires only with a user that this machine's group database makes a member of
    # another group: tests/test_rules_processes.py builds that tree where it can
    wanted = {r.code for r in all_rules()} - {"UW310"}
    assert wanted <= fired, sorted(wanted - fired)


# -- the sanitiser itself: linear time on long hostile lines -------------------------------

HOSTILE_UNITS = [
    "a.", "a=", "a://", "a:", "a@", "basicauth:", "basicauth:x,", "eyJ-", "eyJaaaaaaaa.",
    "github_pat_", "ghp_", "-----BEGIN X-----", "-----BEGIN ", "\"a\":", "<a>", "<a",
    "authorization:", "Authorization: ", "bearer ", "Aa1+", "\na", "\x1b", "##[", "a=\x00",
    "'", "a:b:c:", "a: ", "\\n", "a:b@", " a:b", "-----END ", "-----BEGIN A-----\\n",
    "\"a\": \"", "://a:b", "%(", "\t", "\udcff",
]


@pytest.mark.parametrize("unit", HOSTILE_UNITS)
def test_cleaning_is_linear(unit: str) -> None:
    """Quadrupling a hostile line at most about quadruples the CPU time of ``clean``, of
    the quoted source line of ``full`` and of the value helpers (a quadratic pattern
    grows sixteenfold): see ``tests/complexity.py``."""
    from uwsgi_lint.values import BASICAUTH, inline_comment, literal_secret, url_password

    for f in (untrusted.clean, lambda s: untrusted.source_line(s, 5, 10), inline_comment,
              url_password, BASICAUTH.search, literal_secret):
        def case(size: int, f: Callable[[str], object] = f) -> Callable[[], object]:
            text = unit * size
            return lambda: f(text)

        ratio = growth(case, max(30_000 // len(unit), 1))
        assert ratio < LINEAR, (unit, f, ratio)


def test_what_is_masked_and_escaped() -> None:
    clean, mask = untrusted.clean, untrusted.mask
    blob = "PATH=/bin\0GITHUB_TOKEN=abc\0X=1\0AWS_SECRET_ACCESS_KEY=a;b c\0HOME=/root"
    assert mask(blob) == (
        "PATH=/bin\0GITHUB_TOKEN=********\0X=1\0AWS_SECRET_ACCESS_KEY=********\0HOME=/root")
    assert mask("url = https://user:p@ss@host/x") == "url = https://user:********@host/x"
    assert mask("extraheader = AUTHORIZATION: basic dXNlcjpwYXNz") == (
        "extraheader = AUTHORIZATION: basic ********")
    assert mask("route = ^/a basicauth:Realm,admin:s3cr3t") == (
        "route = ^/a basicauth:Realm,admin:********")
    assert mask(f"{JWT} {SLACK} AKIAIOSFODNN7EXAMPLE glpat-abcdefghij0123456789") == (
        "******** ******** ******** ********")
    assert mask(PEM) == "********\n"
    assert mask(PEM.split("-----END")[0]) == "********"  # a BEGIN without its END
    assert mask("DB_PASSWORD=$(DB_PASSWORD) DB_PASSWORD=@(/etc/pw)") == (
        "DB_PASSWORD=$(DB_PASSWORD) DB_PASSWORD=@(/etc/pw)")  # references, not secrets
    assert mask("/srv/app/static/CamelCase2/Directory/Listing") == (
        "/srv/app/static/CamelCase2/Directory/Listing")  # a path is no base64 key
    # nor a path whose run starts after a `-` (a temporary directory, a release folder)
    path = "/tmp/lint-k1a2b3c4/RunestoneServer/docker/uwsgi.ini"
    assert mask(path) == path
    assert all(mask(f"x-{line}") == "x-********" for line in PEM_LINES[1:-2] if "/" in line)
    assert clean("a\x1b[2J\n\r\t\x7f\x9b\u202e\u2066\udcff") == (
        "a\\x1b[2J\\n\\r\\t\\x7f\\x9b\\u202e\\u2066\\xff")
    assert clean("  ::error::x") == "  \\x3a:error::x"
    assert clean("x ##[add-mask]y") == "x ##\\x5badd-mask]y"
    assert clean("x" * 10, 8) == "xxxxx..."
    assert clean(clean(blob + "\x1b")) == clean(blob + "\x1b")  # idempotent
    shown, col, width = untrusted.source_line(f"a\tkey = {GITHUB_TOKEN} \x1b end", 2, 5)
    assert shown == "a       key = ******** \\x1b end" and (col, width) == (8, 3)
