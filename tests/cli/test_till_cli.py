"""`kiosk till` parses with the till's own module alone (kiosk/cli/__init__.py: the other commands'
modules and their domains are never imported by the till's process), and every other command still
finds the full parser."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kiosk.cli import COMMAND_MODULES, _command, build_parser, main


@pytest.mark.parametrize(("argv", "command"), [
    (["till"], "till"),
    (["--db", "shop.db", "till"], "till"),
    (["--db", "till", "report", "credit"], "report"),  # a shop file called "till" is --db's value
    (["--version"], None),
    ([], None),
    (["sell", "--till", "x"], "sell"),
])
def test_the_command_word_is_the_first_that_is_not_an_option_or_the_db(argv, command):
    assert _command(argv) == command


PROBE = """
import json, sys
from kiosk.cli import main
code = main(["--db", sys.argv[1], "till"])
print(json.dumps({"code": code, "cli": sorted(m for m in sys.modules if m.startswith("kiosk.cli.")),
                  "domain": sorted(m for m in sys.modules if m.startswith("kiosk.domain."))}))
"""


def test_kiosk_till_imports_only_the_till_command(tmp_path):
    shop = tmp_path / "shop.db"
    shop.write_bytes(b"")
    out = subprocess.run([sys.executable, "-c", PROBE, str(shop)], capture_output=True, text=True, timeout=120,
                         stdin=subprocess.DEVNULL)
    got = json.loads(out.stdout)
    assert got["code"] == 1  # no terminal here: one line, as before
    assert "till: needs a terminal" in out.stderr
    assert got["cli"] == ["kiosk.cli.common", "kiosk.cli.till_cmds"]
    assert "kiosk.domain.refund" not in got["domain"] and "kiosk.domain.print_layout" not in got["domain"]


def test_kiosk_till_help_and_the_full_help_both_work(capsys):
    with pytest.raises(SystemExit) as done:
        main(["till", "--help"])
    assert done.value.code == 0
    assert "usage: kiosk till" in capsys.readouterr().out
    listed = build_parser().format_help()
    for word in ("till", "sell", "report", "statement", "printer", "review"):
        assert word in listed
    assert len(COMMAND_MODULES) == len(set(COMMAND_MODULES))
