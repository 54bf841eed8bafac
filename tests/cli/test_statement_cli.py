"""`kiosk statement`, `kiosk report credit|customers --pdf` and `kiosk export customers` as a PDF, on SQLite
and PostgreSQL: the files read back with pdftotext, errors one line."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.translate(BIDI_MARKS).replace("\u00a0", " ")


@pytest.fixture
def khata_shop(cli_shop):
    for args in (("--name", "محمد علی", "--phone", "0300-1234567"), ("--name", "Wanjiru", "--phone", "0301 1234567")):
        assert cli_shop("customer", "add", *args).code == 0
    for args in (("khata", "give", "1", "1250.50", "--date", "2026-01-05", "--note", "چینی"),
                 ("khata", "give", "1", "300", "--date", "2026-02-10"),
                 ("khata", "receive", "1", "250.25", "--date", "2026-02-01", "--method", "JazzCash"),
                 ("khata", "give", "2", "99.99", "--date", "2026-02-02")):
        r = cli_shop(*args)
        assert r.code == 0, r.err
    return cli_shop


def test_a_statement_by_phone(khata_shop, tmp_path):
    target = tmp_path / "ali.pdf"
    r = khata_shop("statement", "0300 1234567", "-o", target)
    assert r.code == 0, r.err
    assert r.out.startswith(f"Wrote {target}: statement of محمد علی (customer 1), 1 page, ")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    text = pdf_text(target)
    assert "محمد علی" in text and "چینی" in text
    assert "05-Jan-2026 to " in text  # from the first entry to today
    for figure in ("Rs1,250.50", "Rs250.25", "Rs1,000.25", "Rs300.00", "Rs1,300.25"):
        assert figure in text
    assert "Page 1 of 1" in text


def test_a_statement_by_id_for_a_period(khata_shop, tmp_path):
    r = khata_shop("statement", "1", "--from", "2026-02-01", "--to", "28/02/2026", "-o", tmp_path / "feb.pdf")
    assert r.code == 0, r.err
    text = pdf_text(tmp_path / "feb.pdf")
    assert "01-Feb-2026 to 28-Feb-2026" in text
    assert "Opening balance" in text and "Rs1,250.50" in text  # January's debit is the opening balance
    assert "Rs1,300.25" in text  # closing


@pytest.mark.parametrize("args, message", [
    (("0300 7654321",), "kiosk: no customer has phone 0300 7654321"),
    (("999",), "kiosk: customer 999 does not exist"),
    (("1", "--from", "2026-02-30"), "kiosk: from: '2026-02-30' is not a real date"),
    (("1", "--from", "2026-03-01", "--to", "2026-02-01"), "kiosk: period: ends 2026-02-01 before it starts 2026-03-01"),
])
def test_mistakes_are_one_line_and_write_nothing(khata_shop, tmp_path, args, message):
    out = tmp_path / "out"
    out.mkdir()
    r = khata_shop("statement", *args, "-o", out / "x.pdf")
    assert r.code == 1
    assert r.err.startswith(message) and r.err.count("\n") == 1
    assert list(out.iterdir()) == []


def test_a_statement_needs_an_output_file(khata_shop):
    r = khata_shop("statement", "1")
    assert r.code == 2 and "-o/--output" in r.err


def test_an_output_in_a_missing_directory_is_one_line(khata_shop, tmp_path):
    r = khata_shop("statement", "1", "-o", tmp_path / "nowhere" / "x.pdf")
    assert r.code == 1 and r.err == f"kiosk: {tmp_path / 'nowhere'}: no such directory\n"


def test_a_cashier_may_print_a_statement_but_not_the_credit_report(khata_shop, monkeypatch, tmp_path):
    assert khata_shop("user", "add", "Sana", "--role", "cashier", stdin="6666\n6666\n").code == 0
    monkeypatch.setenv("KIOSK_PIN", "6666")
    assert khata_shop("statement", "1", "-o", tmp_path / "s.pdf").code == 0
    r = khata_shop("report", "credit", "--pdf", tmp_path / "credit.pdf")
    assert r.code == 1 and r.err == "kiosk: Sana is a cashier: only managers, owners and viewers can read reports\n"


def test_report_credit_as_a_pdf(khata_shop, tmp_path):
    r = khata_shop("report", "credit", "--pdf", tmp_path / "credit.pdf")
    assert r.code == 0, r.err
    assert r.out.startswith(f"Wrote {tmp_path / 'credit.pdf'}: credit report, 1 page")
    text = pdf_text(tmp_path / "credit.pdf")
    assert "Credit report" in text and "Wanjiru" in text and "محمد علی" in text
    assert "Rs1,400.24" in text  # 1300.25 + 99.99 outstanding
    assert "+92300****567" in text and "+923001234567" not in text


def test_report_customers_as_a_pdf(khata_shop, tmp_path):
    r = khata_shop("report", "customers", "--from", "2026-01-01", "--pdf", tmp_path / "customers.pdf")
    assert r.code == 0, r.err
    text = pdf_text(tmp_path / "customers.pdf")
    assert "Customer report" in text and "From 01-Jan-2026 to" in text and "New customers" in text


def test_json_and_pdf_together_are_refused(khata_shop, tmp_path):
    for kind in ("credit", "customers"):
        r = khata_shop("report", kind, "--json", "--pdf", tmp_path / "r.pdf")
        assert r.code == 1 and r.err == "kiosk: pdf: choose --json or --pdf, not both\n"
    assert not (tmp_path / "r.pdf").exists()


def test_export_customers_as_a_pdf(khata_shop, tmp_path):
    r = khata_shop("export", "customers", "-o", tmp_path / "people.pdf")
    assert r.code == 0, r.err
    assert r.out.startswith(f"Wrote {tmp_path / 'people.pdf'}: customer list, 1 page")
    text = pdf_text(tmp_path / "people.pdf")
    assert "Phones and CNICs are masked" in text and "+92300****567" in text and "+923001234567" not in text
    r = khata_shop("export", "customers", "--unmasked", "--format", "pdf", "-o", tmp_path / "full.list")
    assert r.code == 0, r.err
    assert "+923001234567" in pdf_text(tmp_path / "full.list")
    assert (tmp_path / "people.csv").exists() is False
    r = khata_shop("export", "customers", "-o", tmp_path / "people.csv")  # still a CSV by default
    assert r.code == 0 and (tmp_path / "people.csv").read_text(encoding="utf-8-sig").startswith("id,name,phone")


def test_a_pdf_export_needs_a_file(khata_shop):
    r = khata_shop("export", "customers", "--format", "pdf")
    assert r.code == 1 and r.err == "kiosk: output: a PDF needs a file: add -o FILE.pdf\n"
