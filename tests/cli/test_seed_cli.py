"""`kiosk seed` from the command line: the summary, the books it leaves, bad input."""

from __future__ import annotations

import json
import re


def test_seed_prints_a_summary_of_what_it_made_and_the_books_check(cli_shop):
    result = cli_shop("seed", "--customers", "30", "--sales", "300", "--seed", "9")
    assert result.code == 0, result.err
    assert re.fullmatch(
        r"Seeded \d+ products, 30 customers \(ids 1-30\) and 300 sales \(\d+ walk-in, \d+ on khata, \d+ with "
        r"points\) with \d+ refunds \(\d+ in full\), \d+ payments, \d+ gave, \d+ reversals in \d+\.\d s with "
        r"seed 9; net balance -?Rs[\d,.]+\n", result.out)
    assert result.err == ""  # no progress bar when stderr is not a terminal
    assert cli_shop("check").code == 0
    report = cli_shop("report", "credit", "--json")
    assert report.code == 0 and json.loads(report.out)["customers"]
    # Seeding again keeps the catalogue and says nothing of products.
    again = cli_shop("seed", "--customers", "5", "--sales", "20", "--seed", "9")
    assert again.code == 0 and again.out.startswith("Seeded 5 customers (ids 31-35) and 20 sales")


def test_seeded_sales_are_real_sales_the_other_commands_see(cli_shop):
    assert cli_shop("seed", "--customers", "20", "--sales", "200").code == 0
    shown = cli_shop("customer", "show", "1", "--json")
    assert shown.code == 0, shown.err


def test_seed_bad_input_is_one_line(cli_shop):
    result = cli_shop("seed", "--customers", "-5", "--sales", "10")
    assert result.code == 1
    assert result.err == "kiosk: customers: must be 0 or more, not -5\n"
    result = cli_shop("seed", "--customers", "many", "--sales", "10")
    assert result.code == 2 and "invalid int value" in result.err
    result = cli_shop("seed", "--customers", "0", "--sales", "10")
    assert result.code == 1 and result.err.startswith("kiosk: sales: need at least one new customer")


def test_seed_help_says_sales_are_real(cli_shop):
    result = cli_shop("seed", "--help")
    assert result.code == 0 and "real sales" in result.out and "refunds" in result.out
