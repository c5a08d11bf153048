"""The value rules UW102-UW115: exact positions and messages, and what must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from uwsgi_lint.engine import lint

from .helpers import details, findings, fixed, write
from .helpers import positions as lines

# -- UW102 flag-value-reads-as-on ---------------------------------------------------------


def test_flag_values_that_look_off_but_read_on(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nmaster = n\nvacuum = 00\nharakiri-verbose = disabled\nlazy-apps = nope\n"
        "disable-logging = no thanks\nthunder-lock = \"false\"\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW102")
    assert lines(found) == [("UW102", n, col) for n, col in
                            [(2, 10), (3, 10), (4, 20), (5, 13), (6, 19), (7, 16)]]
    assert found[0][3] == "uWSGI reads `n` as on; write `master = false`"
    assert details(tmp_path, "a.ini", text, "UW102")[0] == (
        "Only `false`, `off`, `no` (any case) or exactly `0` turn `master` off.")
    assert "(the quotes are part of the value)" in found[-1][3]


def test_flag_with_carriage_return_in_yaml(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.yaml", b"uwsgi:\r\n  master: False\r\n", "UW102")
    assert len(found) == 1
    assert found[0][1:3] == (2, 11)
    assert "`False\\r` as on (the value ends in a carriage return" in found[0][3]


def test_flag_blanks_kept_by_xml(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.xml", "<uwsgi>\n<master> off </master>\n</uwsgi>\n", "UW102")
    assert lines(found) == [("UW102", 2, 9)]
    assert "(the blanks around it are part of the value)" in found[0][3]


def test_flag_odd_value_reads_on(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nvacuum = /tmp/app.sock\n", "UW102")
    assert found == [("UW102", 2, 10,
                      "`vacuum` is a flag: `/tmp/app.sock` turns it on; write `vacuum = true`")]
    assert details(tmp_path, "a.ini", "[uwsgi]\nvacuum = /tmp/app.sock\n", "UW102") == [
        "uWSGI reads every value of `vacuum` except `false`, `off`, `no` or `0` as on."]


def test_log_date_is_not_a_flag(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", "[uwsgi]\nlog-date = false\n", "UW102")
    assert found == [("UW102", 2, 12,
                      "`false` turns the log prefix on: every log line starts with `false - `; "
                      "remove the line to turn it off")]
    assert details(tmp_path, "a.ini", "[uwsgi]\nlog-date = false\n", "UW102") == [
        "`log-date` is not a flag: any value other than true, 1, on or yes is the strftime "
        "format of the prefix."]


@pytest.mark.parametrize("value", ["true", "True", "YES", "on", "1", "", "false", "OFF",
                                   "No", "0", "2", "y", "enabled"])
def test_flag_plain_values_are_fine(tmp_path: Path, value: str) -> None:
    assert findings(tmp_path, "a.ini", f"[uwsgi]\nmaster = {value}\n", "UW102") == []


def test_flag_bare_key_json_and_unresolved_are_fine(tmp_path: Path) -> None:
    assert findings(tmp_path, "a.ini", "[uwsgi]\nmaster\nvacuum = $(VAC)\n", "UW102") == []
    json = '{"uwsgi": {"master": false, "vacuum": null, "lazy-apps": true}}'
    assert findings(tmp_path, "a.json", json, "UW102") == []
    assert findings(tmp_path, "b.ini", "[uwsgi]\nlog-date = true\n", "UW102") == []


# -- UW103 number-misread / UW104 negative-number-refused ---------------------------------


def test_numbers_uwsgi_reads_otherwise(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nprocesses = four\nthreads = 4abc\nharakiri = 0x10\nlimit-as = 1G\n"
        "reload-on-rss = 512M\ncheaper-rss-limit-soft = 512\nbuffer-size = 70000\n"
        "listen = 99999999999\npost-buffering = true\nmax-requests = -1\n"
        "socket-timeout = 1.5\nthreads = ${THREADS:-4}\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW103")
    assert [(line, msg) for _, line, _, msg in found] == [
        (2, "`four` is not a number: uWSGI reads it as 0, so the master starts with no "
            "workers, without an error"),
        (3, "uWSGI reads `4abc` as 4: the rest is ignored"),
        (4, "uWSGI reads decimal numbers only: `0x10` is 0"),
        (5, "uWSGI takes plain numbers, no units: `1G` is read as 1 (1 MB); write `1024` "
            "for 1G"),
        (6, "uWSGI takes plain numbers, no units: `512M` is read as 512 (512 MB); write "
            "`512` for 512M"),
        (7, "`cheaper-rss-limit-soft` counts bytes, not megabytes: `512` is 512 bytes; for "
            "512 MB write `536870912`"),
        (8, "`70000` is above 65535: uWSGI uses 65535"),
        (9, "`99999999999` does not fit a C int: uWSGI reads 1215752191"),
        (10, "`post-buffering` takes a number, not a flag: `true` is read as 0, which "
             "usually means off"),
        (11, "`-1` is read as an unsigned number: it wraps around to 18446744073709551615"),
        (12, "uWSGI reads whole numbers only: `1.5` is 1"),
        (13, "uWSGI does not expand `${...}` (only `$(...)`): `${THREADS:-4}` is read as 0"),
    ]
    assert found[0][1:3] == (2, 13)


def test_json_integer_cut_to_c_int(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.json", '{"uwsgi": {"max-requests": 5000000000}}', "UW103")
    assert found == [("UW103", 1, 28,
                      "the JSON integer `5000000000` is cut to a C int: uWSGI reads 705032704")]


def test_numbers_that_are_fine_or_not_judged(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nprocesses = 4\nthreads = %k\nharakiri = $(HARAKIRI)\nlimit-as = 1024\n"
        "cheaper-rss-limit-soft = 536870912\nbuffer-size = 65535\n"
        "if-env = WORKERS\nworkers = %(_)\nendif =\nmemory-report = false\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW103", "UW104") == []


def test_negative_values_are_refused(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = -1\nlisten = 3000000000\nprio = -5\n"
    found = findings(tmp_path, "a.ini", text, "UW103", "UW104")
    assert found == [
        ("UW104", 2, 13, "`processes` cannot be negative: uWSGI exits with 'invalid value "
                         "for option \"processes\": must be > 0'"),
        ("UW104", 3, 10, "`3000000000` does not fit a C int and wraps to -1294967296: uWSGI "
                         "exits with 'invalid value for option \"listen\": must be > 0'"),
    ]


# -- UW105 inline-comment-in-value ---------------------------------------------------------


def test_inline_comments(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nsocket = 127.0.0.1:3031 # main\nprocesses = 4 ; four\n"
        "master = false ; for now\nvacuum = true # yes\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW105", "UW102")
    assert found == [
        ("UW105", 2, 25, "uWSGI has no inline comments: `# main` is part of the `socket` "
                         "value and uWSGI uses `127.0.0.1:3031 # main`; put the comment on a "
                         "line of its own"),
        ("UW105", 3, 15, "uWSGI has no inline comments: `; four` is part of the `processes` "
                         "value and uWSGI still reads 4; put the comment on a line of its own"),
        ("UW105", 4, 16, "uWSGI has no inline comments: `; for now` is part of the `master` "
                         "value and so `master` is on, not off; put the comment on a line of "
                         "its own"),
        ("UW105", 5, 15, "uWSGI has no inline comments: `# yes` is part of the `vacuum` value "
                         "and `vacuum` is still on; put the comment on a line of its own"),
    ]


def test_inline_comment_in_xml_json_and_yaml_semicolon(tmp_path: Path) -> None:
    xml = "<uwsgi>\n<processes>4 ; four</processes>\n</uwsgi>\n"
    assert lines(findings(tmp_path, "a.xml", xml, "UW105")) == [("UW105", 2, 14)]
    json = '{"uwsgi": {"chdir": "/srv/app # root"}}'
    assert lines(findings(tmp_path, "a.json", json, "UW105")) == [("UW105", 1, 31)]
    yaml = "uwsgi:\n  processes: 4 ; four\n  chdir: /srv # a YAML comment\n"
    assert lines(findings(tmp_path, "a.yaml", yaml, "UW105")) == [("UW105", 2, 16)]


def test_no_inline_comment_where_hash_and_semicolon_belong(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nexec-pre-app = cd /srv ; ls # list\nroute = ^/x$ addheader:A: b ; c\n"
        "cron = -1 -1 -1 -1 -1 echo hi ; echo ho\nlog-format = %(addr) # %(uri)\n"
        "procname-prefix = \"a # b\"\nsocket = a#b\nnot-an-option = x # y\n"
        "declare-option = mine=socket=$1;master=true\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW105") == []


# -- UW106 percent-swallows-line / UW107 percent-vanishes ---------------------------------


def test_percent_at_line_end_swallows_the_next_line(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nprocname-prefix = 50%\nprocesses = 2\n# cpu at 100%\nmaster = true\n"
        "# harmless 100%\n# next comment\nthreads = 2\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW106", "UW107")
    assert found == [
        ("UW106", 2, 19, "the `%` ending line 2 eats the line break: uWSGI never sees "
                         "`processes`; write `%%` for a literal percent sign"),
        ("UW106", 4, 1, "this comment ends in `%`, which eats the line break: uWSGI never sees "
                        "`master`; write `%%` for a literal percent sign"),
    ]
    assert details(tmp_path, "a.ini", text, "UW106") == [
        "A `%` before a line break is a magic variable that eats it: line 3 (`processes = 2`) "
        "becomes part of the `procname-prefix` value (`50processes = 2`).",
        "A `%` before a line break is a magic variable that eats it: line 5 (`master = true`) "
        "becomes part of the comment.",
    ]


def test_percent_swallows_a_section_header(tmp_path: Path) -> None:
    text = "[other]\nratio = 50%\n[uwsgi]\nmaster = true\n"
    found = findings(tmp_path, "a.ini", text, "UW106")
    assert lines(found) == [("UW106", 2, 9)]
    assert "uWSGI never sees the section header `[uwsgi]`" in found[0][3]


def test_percent_before_crlf_only_vanishes(tmp_path: Path) -> None:
    found = findings(tmp_path, "a.ini", b"[uwsgi]\r\nprocname-prefix = 50%\r\nmaster = 1\r\n",
                     "UW106", "UW107")
    assert lines(found) == [("UW107", 2, 19)]
    assert "the value is `50`;" in found[0][3]
    assert details(tmp_path, "a.ini", b"[uwsgi]\r\nprocname-prefix = 50%\r\nmaster = 1\r\n",
                   "UW107") == ["uWSGI substitutes magic `%` variables in the raw text: `%\\r` "
                                "vanishes."]


def test_percent_vanishes_in_every_format(tmp_path: Path) -> None:
    ini = "[uwsgi]\nlogto = /var/log/app-%Y.log\nlog-date = %Y-%m-%d\n"
    found = findings(tmp_path, "a.ini", ini, "UW107")
    assert found[0] == ("UW107", 2, 9,
                        "uWSGI substitutes magic `%` variables here: the value is "
                        "`/var/log/app-.log`; write `/var/log/app-%%Y.log`")
    assert details(tmp_path, "a.ini", ini, "UW107")[0] == (
        "uWSGI substitutes magic `%` variables in the raw text: `%Y` vanishes.")
    assert found[1][1:3] == (3, 12)
    assert found[1][3].startswith(
        "uWSGI substitutes magic `%` variables here: the value is `--")
    assert found[1][3].endswith("`; write `%%Y-%%m-%%d`")
    assert details(tmp_path, "a.ini", ini, "UW107")[1] == (
        "uWSGI substitutes magic `%` variables in the raw text: `%Y`, `%m` vanish; `%d` "
        "becomes the config file's directory (before strftime sees the format).")
    json = '{"uwsgi": {"procname-prefix": "50% off"}}'
    assert findings(tmp_path, "a.json", json, "UW107") == [
        ("UW107", 1, 31, "uWSGI substitutes magic `%` variables here: the value is `50off`; "
                         "write `50%% off`")]
    yaml = "uwsgi:\n  procname-prefix: 50% off\n"
    assert lines(findings(tmp_path, "a.yaml", yaml, "UW107")) == [("UW107", 2, 20)]
    xml = "<uwsgi>\n<procname-prefix>a%20b</procname-prefix>\n</uwsgi>\n"
    found = findings(tmp_path, "a.xml", xml, "UW107")
    assert lines(found) == [("UW107", 2, 18)]
    assert "`%2` becomes component 3 of the config file's directory" in (
        details(tmp_path, "a.xml", xml, "UW107")[0])


def test_magic_variables_used_on_purpose_are_fine(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nlogto = %d%n.log\nchdir = %d\nprocname-prefix = %c-%x\nsocket = /tmp/%n.sock\n"
        "log-date = %%Y-%%m-%%d\nbase = %v\npidfile = %(base)/%s.pid\nprocname = 100%%\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW106", "UW107") == []


# -- UW108-UW111 placeholders ---------------------------------------------------------------


def test_undefined_placeholder(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nchdir = %(base)/app\nprocesses = 4\nthreads = %(workers)\n"
        "logto = %(logdri)/x.log\nlogdir = /var/log\n"
        "log-format = %(addr) %(uri)\npidfile = %(base)/pid\nenv = X=%(_)\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW108")
    unless = "is not defined in this config:"
    assert found == [
        ("UW108", 2, 9, f"`%(base)` {unless} uWSGI leaves the text `%(base)` in the `chdir` "
                        "value (and in 1 more)"),
        ("UW108", 4, 11, f"`%(workers)` {unless} uWSGI leaves the text `%(workers)` in the "
                         "`threads` value; placeholders do not follow aliases: write "
                         "`%(processes)`, the name the config uses"),
        ("UW108", 5, 9, f"`%(logdri)` {unless} uWSGI leaves the text `%(logdri)` in the "
                        "`logto` value; did you mean `%(logdir)`?"),
        ("UW108", 9, 9, "`%(_)` is only defined inside a `for` or `if-*` block, uWSGI leaves "
                        "the text `%(_)` in the `env` value"),
    ]
    said = details(tmp_path, "a.ini", text, "UW108")
    assert said[0] == ("Unless a config that includes this one, the Emperor (`vassal-set`) or "
                       "the command line (`--set`) defines it, uWSGI keeps the reference as "
                       "text.")
    assert said[3] == ""


def test_placeholders_defined_elsewhere_are_not_reported(tmp_path: Path) -> None:
    text = (
        "#! uwsgi -S addressbook=./carddav --set-ph other=1 a.ini\n[uwsgi]\n"
        "webdav-mount = %(addressbook)\nchdir = %(other)\n"
        "if-env = WORKERS\nworkers = %(_)\nendif =\nfor = a b\nenv = X=%(_)\nendfor =\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW108") == []
    unread = "[uwsgi]\ninclude = exec://cat base.ini\nchdir = %(base)\n"
    assert findings(tmp_path, "b.ini", unread, "UW108") == []


def test_endless_expansion(tmp_path: Path) -> None:
    text = "[uwsgi]\nbase = /srv%(base)\nchdir = %(base)\na = x%(b)\nb = y%(a)\nc = %(c)\n"
    found = findings(tmp_path, "a.ini", text, "UW109")
    assert lines(found) == [("UW109", 2, 8), ("UW109", 4, 5), ("UW109", 5, 5)]
    assert found[0][3] == (
        "expanding `%()` in `base` never ends: uWSGI hangs at start-up, growing its memory; "
        "break the cycle")
    assert details(tmp_path, "a.ini", text, "UW109")[0] == (
        "The value refers back to itself (directly or through other keys), so every expansion "
        "brings the reference back.")


def test_placeholder_takes_the_first_value(tmp_path: Path) -> None:
    base = write(tmp_path, "base.ini", "[uwsgi]\nprocesses = 2\n")
    text = (
        f"[uwsgi]\ninclude = {base}\nprocesses = 8\ncheaper = %(processes)\n"
        "root = /srv/old\nchdir = %(root)/app\nroot = /srv/new\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW110")
    assert found == [
        ("UW110", 4, 11, "`%(processes)` takes the FIRST `processes` in the option list, `2` "
                         "(base.ini line 2), not the value that takes effect, `8` (line 3)"),
        ("UW110", 6, 9, "`%(root)` takes the FIRST `root` in the option list, `/srv/old` "
                        "(line 5), not the value that takes effect, `/srv/new` (line 7)"),
    ]


def test_placeholder_first_value_not_reported(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nhome = /home/app\nwww = %(home)/www\nvirtualenv = %(home)/venv\n"
        "if-env = PROD\nbase = /srv/prod\nendif =\nif-not-env = PROD\nbase = /srv/dev\n"
        "endif =\nchdir = %(base)\nenv = A=1\nenv = B=2\nx = %(env)\n"
        "root = /srv\nroot = /srv\npidfile = %(root)/pid\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW110") == []


def test_expansion_in_immediate_options(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nbacklog = 1024\nlisten = %(backlog)\nif-exists = $(HOME)/x\nendif =\n"
        "set = chdir=%(backlog)\nset-ph = x=$(HOME)\nendif = %(backlog)\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW111")
    assert found == [
        ("UW111", 3, 10, "uWSGI uses the literal `%(backlog)` (read as the number 0): `listen` "
                         "is applied before expansion; write the value out"),
        ("UW111", 4, 13, "uWSGI uses the literal `$(HOME)/x` as the condition: `if-exists` is "
                         "applied before expansion; write the value out"),
    ]
    assert details(tmp_path, "a.ini", text, "UW111")[1] == (
        "`if-exists` is applied while the file is read, before `$()`, `@()` and `%()` are "
        "expanded. Magic variables (`%d`, `%n` ...) are substituted when the file is read: "
        "they work here.")


# -- UW112 scalar-option-repeated -----------------------------------------------------------


def test_scalar_set_twice(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 2\nmaster = true\nworkers = 4\nprocesses = 6\n"
    found = findings(tmp_path, "a.ini", text, "UW112")
    assert found == [
        ("UW112", 5, 1, "`processes` is set more than once: this `6` replaces `2` from line 2, "
                        "`workers = 4` from line 4; keep one line"),
    ]
    assert details(tmp_path, "a.ini", text, "UW112") == [
        "Only the last value of `processes` takes effect. `workers` and `processes` are the "
        "same option."]


def test_scalar_set_in_include_then_in_file(tmp_path: Path) -> None:
    base = write(tmp_path, "base.ini", "[uwsgi]\nharakiri = 30\n")
    found = findings(tmp_path, "a.ini", f"[uwsgi]\ninclude = {base}\nharakiri = 60\n", "UW112")
    assert found == [("UW112", 3, 1, "`harakiri` is set more than once: this `60` replaces "
                                     "`30` from base.ini line 2; keep one line")]


def test_inherit_always_wins(tmp_path: Path) -> None:
    base = write(tmp_path, "base.ini", "[uwsgi]\nharakiri = 30\n")
    found = findings(tmp_path, "a.ini", f"[uwsgi]\nharakiri = 60\ninherit = {base}\n", "UW112")
    assert found == [("UW112", 2, 1, f"`harakiri = 60` never takes effect: `inherit = {base}` "
                                     "is applied after everything else, so its `harakiri = 30` "
                                     "(base.ini line 2) wins")]


def test_scalar_repeats_that_are_fine(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nprocesses = 2\nif-env = PROD\nprocesses = 8\nendif =\n"
        "if-not-env = PROD\nprocesses = 1\nendif =\nmaster = true\nmaster = 1\n"
        "socket = :1\nsocket = :2\nfor = a b\nchdir = /srv/%(_)\nendfor =\n"
    )
    assert findings(tmp_path, "a.ini", text, "UW112") == []


def test_scalar_repeated_inside_one_if_block(tmp_path: Path) -> None:
    text = "[uwsgi]\nif-env = PROD\nprocesses = 8\nprocesses = 16\nendif =\n"
    assert lines(findings(tmp_path, "a.ini", text, "UW112")) == [("UW112", 4, 1)]


# -- UW113 refused-at-startup / UW114 nested-logic-block ------------------------------------


def test_refused_at_startup(tmp_path: Path) -> None:
    text = "[uwsgi]\nset-ph = processes=4\nset = base\ninclude = base\ninclude = missing.ini\n"
    found = findings(tmp_path, "a.ini", text, "UW113")
    assert found == [
        ("UW113", 2, 1, "you cannot use processes as a placeholder, it is already an option "
                        "(uWSGI exits); use `set` to give an option a value, or another name"),
        ("UW113", 3, 1, "invalid placeholder/--set value (no '='): uWSGI exits; write "
                        "`name=value`"),
        ("UW113", 4, 1, "uWSGI cannot load 'base': unknown config suffix, so uWSGI exits at "
                        "start-up"),
    ]


def test_nested_block_outer_false(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nif-exists = /nonexistent\nfor = a b\nchdir = /x\nendfor =\n"
        "socket = :3031\nmaster = true\nendif =\n"
    )
    found = findings(tmp_path, "a.ini", text, "UW114")
    assert found == [
        ("UW114", 3, 1, "`for` inside the `if-exists = /nonexistent` block (line 2): uWSGI has "
                        "no nested blocks; combine the conditions or split them into separate "
                        "blocks"),
    ]
    assert details(tmp_path, "a.ini", text, "UW114") == [
        "When `if-exists = /nonexistent` holds, this `for` makes uWSGI exit with 'recursive "
        "logic in options is not supported'; when it does not, this line is dropped and its "
        "closer (line 5) ends the OUTER block, so lines 6-7 are applied whatever the outer "
        "condition."]


def test_nested_block_outer_true_is_fatal(tmp_path: Path) -> None:
    text = "[uwsgi]\nif-env = A\nif-env = B\nmaster = true\nendif =\nendif =\n"
    found = findings(tmp_path, "a.ini", text, "UW114", "UW113", env={"A": "1"})
    assert found == [
        ("UW114", 3, 1, "`if-env` inside the `if-env = A` block (line 2) makes uWSGI exit: it "
                        "has no nested blocks; combine the conditions or split them"),
    ]
    assert details(tmp_path, "a.ini", text, "UW114", env={"A": "1"}) == [
        "The outer condition holds, so uWSGI exits with 'recursive logic in options is not "
        "supported'."]


def test_sequential_blocks_are_fine(tmp_path: Path) -> None:
    text = "[uwsgi]\nif-env = A\nmaster = true\nendif =\nfor = a b\nenv = X=%(_)\nendfor =\n"
    assert findings(tmp_path, "a.ini", text, "UW114", "UW113") == []


def test_else_of_uwsgi_21_is_no_nesting(tmp_path: Path) -> None:
    text = "[uwsgi]\nif-env = A\nmaster = true\nelse =\nmaster = false\nendif =\n"
    assert findings(tmp_path, "a.ini", text, "UW114", version="2.1") == []


# -- UW115 obsolete-option ------------------------------------------------------------------


def test_obsolete_options(tmp_path: Path) -> None:
    text = "[uwsgi]\nenable-threads = true\ndie-on-term = true\n"
    assert findings(tmp_path, "a.ini", text, "UW115") == []  # "2.0": 2.0.18-2.0.26 need it
    found = findings(tmp_path, "a.ini", text, "UW115", version="2.0.27")
    assert found == [("UW115", 2, 1, "`enable-threads` does nothing from uWSGI 2.0.27 on "
                                     "(target-version 2.0.27): thread support is always on, "
                                     "even with a false value; remove the line")]
    found = findings(tmp_path, "b.ini", text, "UW115", version="2.1")
    assert lines(found) == [("UW115", 2, 1), ("UW115", 3, 1)]
    assert found[1][3] == (
        "`die-on-term` is deprecated in uWSGI 2.1-dev: uWSGI logs a warning and ignores it; "
        "remove the line")
    assert details(tmp_path, "b.ini", text, "UW115", version="2.1")[1] == (
        "In uWSGI 2.1 SIGTERM always shuts the instance down, and `die-on-term` only prints a "
        "deprecation warning.")


def test_emperor_defaults_and_forced_values(tmp_path: Path) -> None:
    (tmp_path / "vassals").mkdir()
    write(tmp_path, "emperor.ini", (
        "[uwsgi]\nemperor = %d/vassals\nvassals-include = %d/inject.ini\n"
        "vassal-set = harakiri=30\n"))
    write(tmp_path, "inject.ini", "[uwsgi]\nidle = 60\n")
    app = write(tmp_path, "vassals/app.ini", "[uwsgi]\nidle = 20\nharakiri = 60\n")
    report = lint([str(tmp_path / "emperor.ini"), str(app)])
    found = [(d.span.file, d.span.start.line, d.message) for d in report.diagnostics
             if d.code == "UW112"]
    assert found == [(str(app), 2, (
        f"`idle = 20` never takes effect: the Emperor's `vassals-include = {tmp_path}//"
        "inject.ini` is read after this file, so its `idle = 60` (inject.ini line 2) wins"))]


def test_values_set_with_set_are_checked(tmp_path: Path) -> None:
    text = "[uwsgi]\nset = master=n\nset = processes=four\n"
    found = findings(tmp_path, "a.ini", text, "UW102", "UW103")
    assert lines(found) == [("UW102", 2, 7), ("UW103", 3, 7)]


def test_repeated_chmod_socket_shifts_its_digits(tmp_path: Path) -> None:
    path = tmp_path / "a.ini"
    path.write_text("[uwsgi]\nchmod-socket = 664\nchmod-socket = 600\n")
    [d] = [d for d in lint([str(path)]).diagnostics if d.code == "UW112"]
    assert d.span.start.line == 3
    assert "the socket gets mode 4600, not 600" in d.message


def test_log_format_after_logformat_strftime_is_turned_off(tmp_path: Path) -> None:
    # the last `logformat-strftime` wins (core/uwsgi.c: uwsgi_opt_true()): `%d` in
    # `log-format` is then the magic variable on purpose, not a strftime field
    text = ("[uwsgi]\nlogformat-strftime = true\nlogformat-strftime = false\n"
            "log-format = %d %(status)\n")
    assert findings(tmp_path, "a.ini", text, "UW107") == []
    text = "[uwsgi]\nlogformat-strftime = true\nlog-format = %d %(status)\n"
    found = findings(tmp_path, "b.ini", text, "UW107")
    assert [f[:3] for f in found] == [("UW107", 3, 14)]
    assert "`%d` becomes the config file's directory (before strftime sees the format)" in (
        details(tmp_path, "b.ini", text, "UW107")[0])


# -- automatic fixes (--fix, --unsafe-fixes) ------------------------------------------------


def settled(tmp_path: Path, name: str, text: str | bytes, *codes: str,
            unsafe: bool = False) -> str:
    """The text of one file after ``--fix`` with ``codes`` only; fixing it again changes
    nothing."""
    once = fixed(tmp_path, name, text, *codes, unsafe=unsafe)
    assert fixed(tmp_path, name, once, *codes, unsafe=unsafe) == once
    return once


def test_unknown_option_renamed_to_its_one_suggestion(tmp_path: Path) -> None:
    # `threds` has three suggestions, `proce` none: a guess, no fix
    text = "[uwsgi]\nprocesess = 4\nmax_requests = 1000\nthreds = 2\nproce = 1\n"
    assert fixed(tmp_path, "a.ini", text, "UW101") == text  # unsafe
    assert settled(tmp_path, "a.ini", text, "UW101", unsafe=True) == (
        "[uwsgi]\nprocesses = 4\nmax-requests = 1000\nthreds = 2\nproce = 1\n")
    xml = "<uwsgi>\n  <procesess>4</procesess>\n  <Master/>\n</uwsgi>\n"
    assert settled(tmp_path, "a.xml", xml, "UW101", unsafe=True) == (
        "<uwsgi>\n  <processes>4</processes>\n  <master/>\n</uwsgi>\n")
    js = '{"uwsgi": {"procesess": 4, "max_requests": 1000}}\n'
    assert settled(tmp_path, "a.json", js, "UW101", unsafe=True) == (
        '{"uwsgi": {"processes": 4, "max-requests": 1000}}\n')
    yaml = "uwsgi:\n  procesess: 4\n"
    assert settled(tmp_path, "a.yaml", yaml, "UW101", unsafe=True) == (
        "uwsgi:\n  processes: 4\n")


def test_unknown_option_not_renamed_on_a_guess(tmp_path: Path) -> None:
    # `log-buffering` is three letters away from its one suggestion, `post-buffering`;
    # `procesess` would set `processes` a second time; `{virtualenv}` is a template's name
    text = ("[uwsgi]\nprocesses = 2\nprocesess = 4\npost-buffering = 4096\n"
            "log-buffering = 1024\n{virtualenv} = /srv/venv\n")
    found = findings(tmp_path, "a.ini", text, "UW101")
    assert [m.rpartition("; ")[2] for *_, m in found] == [
        "did you mean 'processes'?", "did you mean 'post-buffering'?",
        "did you mean 'virtualenv'?"]
    assert fixed(tmp_path, "a.ini", text, "UW101", unsafe=True) == text


def test_flag_fix_writes_false_or_true(tmp_path: Path) -> None:
    text = ("[uwsgi]\nmaster = n\nvacuum = \"false\"\nlazy-apps = /tmp/app.sock\n"
            "log-date = no\nthunder-lock = %(lock)\nlock = nope\n")
    assert fixed(tmp_path, "a.ini", text, "UW102") == text  # unsafe
    # the value that comes from a placeholder is not written on the flag's line
    assert settled(tmp_path, "a.ini", text, "UW102", unsafe=True) == (
        "[uwsgi]\nmaster = false\nvacuum = false\nlazy-apps = true\n"
        "thunder-lock = %(lock)\nlock = nope\n")
    js = '{"uwsgi": {"master": "n", "vacuum": "disabled"}}\n'
    assert settled(tmp_path, "a.json", js, "UW102", unsafe=True) == (
        '{"uwsgi": {"master": "false", "vacuum": "false"}}\n')
    xml = "<uwsgi>\n  <master> false </master>\n</uwsgi>\n"
    assert settled(tmp_path, "a.xml", xml, "UW102", unsafe=True) == (
        "<uwsgi>\n  <master>false</master>\n</uwsgi>\n")
    yaml = "uwsgi:\n  master: n\n"
    assert settled(tmp_path, "a.yaml", yaml, "UW102", unsafe=True) == "uwsgi:\n  master: false\n"
    # the carriage return of a CRLF line is part of the value: the fix would drop it
    crlf = b"uwsgi:\r\n  master: False\r\n"
    assert settled(tmp_path, "b.yaml", crlf, "UW102", unsafe=True) == crlf.decode()


def test_number_fix_writes_the_number_the_message_names(tmp_path: Path) -> None:
    text = ("[uwsgi]\nlimit-as = 1G\nreload-on-rss = 1.5G\ncheaper-rss-limit-soft = 512\n"
            "processes = \"4\"\nthreads = \"four\"\nharakiri = 0x10\nevil-reload-on-as = 0.5M\n")
    found = findings(tmp_path, "a.ini", text, "UW103")
    assert found[1][3] == ("uWSGI takes plain numbers, no units: `1.5G` is read as 1 (1 MB); "
                           "write `1536` for 1.5G")
    assert found[-1][3] == "uWSGI takes plain numbers, no units: `0.5M` is read as 0 (0 MB)"
    assert fixed(tmp_path, "a.ini", text, "UW103") == text  # unsafe
    # no number named for `four`, `0x10`, or half a megabyte
    assert settled(tmp_path, "a.ini", text, "UW103", unsafe=True) == (
        "[uwsgi]\nlimit-as = 1024\nreload-on-rss = 1536\ncheaper-rss-limit-soft = 536870912\n"
        "processes = 4\nthreads = \"four\"\nharakiri = 0x10\nevil-reload-on-as = 0.5M\n")
    js = '{"uwsgi": {"limit-as": "1G"}}\n'
    assert settled(tmp_path, "a.json", js, "UW103", unsafe=True) == (
        '{"uwsgi": {"limit-as": "1024"}}\n')


def test_number_and_flag_before_an_inline_comment(tmp_path: Path) -> None:
    text = ("[uwsgi]\nbuffer-size = 65536 # big\nmaster = n # off\nlimit-as = 1G # one\n"
            "processes = 4 ; four\nvacuum = false ; for now\n")
    assert findings(tmp_path, "a.ini", text, "UW102", "UW103") == [
        ("UW103", 2, 15, "`65536` is above 65535: uWSGI uses 65535"),
        ("UW102", 3, 10, "uWSGI reads `n` as on; write `master = false`"),
        ("UW103", 4, 12, "uWSGI takes plain numbers, no units: `1G` is read as 1 (1 MB); "
                         "write `1024` for 1G"),
    ]
    # no fix while the comment is part of the value: UW105's fix moves it first
    assert fixed(tmp_path, "a.ini", text, "UW102", "UW103", unsafe=True) == text
    assert settled(tmp_path, "a.ini", text, "UW102", "UW103", "UW105", unsafe=True) == (
        "[uwsgi]\n# big\nbuffer-size = 65536\n# off\nmaster = false\n# one\nlimit-as = 1024\n"
        "; four\nprocesses = 4\n; for now\nvacuum = false\n")


def test_inline_comment_moved_to_a_line_of_its_own(tmp_path: Path) -> None:
    # each line keeps its own indentation and line ending
    text = "[uwsgi]\r\n\tsocket = /run/app.sock ; main\r\nprocesses = 4 # four\n"
    assert settled(tmp_path, "a.ini", text, "UW105") == (
        "[uwsgi]\r\n\t; main\r\n\tsocket = /run/app.sock\r\n# four\nprocesses = 4\n")
    yaml = "uwsgi:\n  processes: 4 ; four\n"
    assert settled(tmp_path, "a.yaml", yaml, "UW105") == "uwsgi:\n  # four\n  processes: 4\n"
    # `--` cannot be in an XML comment
    xml = ("<uwsgi>\n  <socket>127.0.0.1:3031 # main</socket>\n"
           "  <chdir>/srv # not -- here</chdir>\n</uwsgi>\n")
    assert settled(tmp_path, "a.xml", xml, "UW105") == (
        "<uwsgi>\n  <!-- main -->\n  <socket>127.0.0.1:3031</socket>\n"
        "  <chdir>/srv # not -- here</chdir>\n</uwsgi>\n")


def test_inline_comment_not_moved(tmp_path: Path) -> None:
    js = '{"uwsgi": {"chdir": "/srv/app # root"}}\n'  # JSON has no comments
    assert lines(findings(tmp_path, "a.json", js, "UW105")) == [("UW105", 1, 31)]
    assert fixed(tmp_path, "a.json", js, "UW105") == js
    # a `%` in the comment: magic substitution works on comment lines too
    text = "[uwsgi]\nchdir = /srv # 50% off\n"
    assert lines(findings(tmp_path, "a.ini", text, "UW105")) == [("UW105", 2, 14)]
    assert fixed(tmp_path, "a.ini", text, "UW105") == text


def test_percent_ending_a_line_doubled(tmp_path: Path) -> None:
    text = ("[uwsgi]\n# workers may use up to 100%\nprocesses = 4\nprocname-prefix = at 50%\n"
            "procname = b%\nmaster = true\nprocname-master = 25%%\n")
    assert fixed(tmp_path, "a.ini", text, "UW106") == text  # unsafe
    # the chain of line 4 and 5 in one fix; `25%%` is a literal percent already
    assert settled(tmp_path, "a.ini", text, "UW106", unsafe=True) == (
        "[uwsgi]\n# workers may use up to 100%%\nprocesses = 4\nprocname-prefix = at 50%%\n"
        "procname = b%%\nmaster = true\nprocname-master = 25%%\n")
    yaml = "uwsgi:\n  procname-prefix: at 50%\n  processes: 4\n"
    assert settled(tmp_path, "a.yaml", yaml, "UW106", unsafe=True) == (
        "uwsgi:\n  procname-prefix: at 50%%\n  processes: 4\n")


def test_vanishing_percent_doubled(tmp_path: Path) -> None:
    # `%2F` may be meant as `%2` (a directory component): no fix
    text = ("[uwsgi]\nlog-date = %Y-%m-%d %H:%M:%S\nprocname-prefix = 50% off\n"
            "logto = /tmp/a%2Fb\n")
    assert settled(tmp_path, "a.ini", text, "UW107") == (
        "[uwsgi]\nlog-date = %%Y-%%m-%%d %%H:%%M:%%S\nprocname-prefix = 50%% off\n"
        "logto = /tmp/a%2Fb\n")
    for name, written, meant in [
        ("a.json", '{"uwsgi": {"procname-prefix": "50% off"}}\n',
         '{"uwsgi": {"procname-prefix": "50%% off"}}\n'),
        ("a.xml", "<uwsgi>\n  <procname-prefix>50% off</procname-prefix>\n</uwsgi>\n",
         "<uwsgi>\n  <procname-prefix>50%% off</procname-prefix>\n</uwsgi>\n"),
        ("a.yaml", "uwsgi:\n  procname-prefix: 50% off\n", "uwsgi:\n  procname-prefix: 50%% off\n"),
    ]:
        assert settled(tmp_path, name, written, "UW107") == meant
    # in `log-format` `%d` may be meant as the config directory
    text = "[uwsgi]\nlogformat-strftime = true\nlog-format = %d %(status)\n"
    assert lines(findings(tmp_path, "b.ini", text, "UW107")) == [("UW107", 3, 14)]
    assert fixed(tmp_path, "b.ini", text, "UW107") == text


def test_repeated_scalar_keeps_the_last_line(tmp_path: Path) -> None:
    text = "[uwsgi]\nprocesses = 2\nmaster = true\nworkers = 4\nprocesses = 6\n"
    assert fixed(tmp_path, "a.ini", text, "UW112") == text  # unsafe
    assert settled(tmp_path, "a.ini", text, "UW112", unsafe=True) == (
        "[uwsgi]\nmaster = true\nprocesses = 6\n")
    for name, written, kept in [
        ("a.json", '{"uwsgi": {"processes": 2, "workers": 4}}\n', '{"uwsgi": {"workers": 4}}\n'),
        ("a.xml", "<uwsgi>\n  <processes>2</processes>\n  <processes>4</processes>\n</uwsgi>\n",
         "<uwsgi>\n  <processes>4</processes>\n</uwsgi>\n"),
        ("a.yaml", "uwsgi:\n  processes: 2\n  workers: 4\n", "uwsgi:\n  workers: 4\n"),
    ]:
        assert settled(tmp_path, name, written, "UW112", unsafe=True) == kept


def test_repeated_scalar_left_alone(tmp_path: Path) -> None:
    base = write(tmp_path, "base.ini", "[uwsgi]\nharakiri = 30\n")
    text = f"[uwsgi]\ninclude = {base}\nharakiri = 60\n"
    assert lines(findings(tmp_path, "a.ini", text, "UW112")) == [("UW112", 3, 1)]
    assert fixed(tmp_path, "a.ini", text, "UW112", unsafe=True) == text
    assert base.read_text(encoding="utf-8") == "[uwsgi]\nharakiri = 30\n"
    # `%(processes)` reads the first value: removing it would change the name
    text = "[uwsgi]\nprocesses = 2\nprocname = app-%(processes)\nprocesses = 4\n"
    assert lines(findings(tmp_path, "b.ini", text, "UW112")) == [("UW112", 4, 1)]
    assert fixed(tmp_path, "b.ini", text, "UW112", unsafe=True) == text


def test_obsolete_option_line_removed(tmp_path: Path) -> None:
    top = tmp_path / "t"
    write(top, ".uwsgi-lint.toml", 'target-version = "2.0.27"\n')
    for name, written, kept in [
        ("a.ini", "[uwsgi]\nthreads = 2\nenable-threads = true\r\nmaster = true\n",
         "[uwsgi]\nthreads = 2\nmaster = true\n"),
        ("a.json", '{"uwsgi": {"threads": 2, "enable-threads": true}}\n',
         '{"uwsgi": {"threads": 2}}\n'),
        ("b.json", '{"uwsgi": {\n  "threads": 2,\n  "enable-threads": true\n}}\n',
         '{"uwsgi": {\n  "threads": 2\n}}\n'),
        ("a.xml", "<uwsgi>\n  <enable-threads/>\n  <threads>2</threads>\n</uwsgi>\n",
         "<uwsgi>\n  <threads>2</threads>\n</uwsgi>\n"),
        ("a.yaml", "uwsgi:\n  enable-threads: true\n  threads: 2\n", "uwsgi:\n  threads: 2\n"),
    ]:
        assert settled(top, name, written, "UW115") == kept
    # the only member of a JSON object; a line in an included file (which a config of
    # another target version may read)
    js = '{"uwsgi": {"enable-threads": true}}\n'
    assert fixed(top, "c.json", js, "UW115") == js
    base = write(top, "base.ini", "[uwsgi]\nenable-threads = true\n")
    text = f"[uwsgi]\ninclude = {base}\nthreads = 2\n"
    assert fixed(top, "c.ini", text, "UW115") == text
    assert base.read_text(encoding="utf-8") == "[uwsgi]\nenable-threads = true\n"
    # under the default target (2.0.18 and later) `enable-threads` still matters
    text = "[uwsgi]\nenable-threads = true\n"
    assert fixed(tmp_path, "a.ini", text, "UW115") == text
