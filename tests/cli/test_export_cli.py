"""`kiosk export ledger|customers`: files Excel, hledger and ledger-cli open, on SQLite and PostgreSQL."""

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import OWNER_PIN

from kiosk.cli import io_cmds
from kiosk.services import exports


@pytest.fixture
def stocked(cli_shop, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,phone,cnic,email,notes\n"
                    "محمد علی,0300-1234567,35202-1234567-1,ali@example.pk,\"line one\nline two\"\n"
                    "Wanjiru,0301 1234567,,,\n", encoding="utf-8")
    assert cli_shop("import", "customers", path).code == 0
    path = tmp_path / "khata.csv"
    path.write_text("date,phone,name,type,amount,note,method\n"
                    "2026-01-05,03001234567,,debit,1250.50,چینی,\n"
                    "2026-02-01,03001234567,,credit,250.25,,JazzCash\n"
                    "2026-02-02,03011234567,,debit,99.99,,\n", encoding="utf-8")
    assert cli_shop("import", "khata", path).code == 0
    return cli_shop


def test_customers_to_stdout_masked_with_bom_and_crlf(stocked):
    result = stocked("export", "customers")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("\ufeffid,name,phone,cnic,email,address,business,birth_date,notes,credit_limit,"
                                 "tier,group,created,archived,balance\r\n")
    rows = list(csv.DictReader(io.StringIO(result.out.removeprefix("\ufeff"), newline="")))
    assert [(r["name"], r["phone"], r["cnic"], r["balance"]) for r in rows] == [
        ("محمد علی", "+92300****567", "35202-*******-1", "1000.25"), ("Wanjiru", "+92301****567", "", "99.99")]
    assert rows[0]["notes"] == "line one\nline two"
    assert "1234567" not in result.out.replace("35202-*******", "")


def test_customers_to_a_private_file_unmasked_and_round_trip_into_another_shop(stocked, tmp_path):
    out = tmp_path / "out.csv"
    fields = "name,phone,cnic,email,notes"
    result = stocked("export", "customers", "-o", out, "--fields", fields, "--unmasked")
    assert result.code == 0 and result.out == "" and result.err == f"Wrote 2 customers to {out}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfname,phone,cnic,email,notes\r\n")
    assert "محمد علی,+923001234567,35202-1234567-1".encode() in data

    # The unmasked export is a valid import file: into a second shop, and out again, unchanged.
    other = tmp_path / "other.db"
    assert stocked("--db", other, "init", "--shop-name", "Other", "--country", "PK", "--currency", "PKR",
                   stdin=f"{OWNER_PIN}\n{OWNER_PIN}\n").code == 0
    imported = stocked("--db", other, "import", "customers", out)
    assert imported.code == 0, imported.err
    again = tmp_path / "again.csv"
    assert stocked("--db", other, "export", "customers", "-o", again, "--fields", fields, "--unmasked").code == 0
    assert again.read_bytes() == data
    assert stocked("customer", "search", "Wanjiru").code == 0  # the first shop's PINs still work


def test_standard_output_is_utf8_whatever_the_locale(stocked, child_env):
    env = child_env(KIOSK_DB=stocked.url, LC_ALL="C", PYTHONIOENCODING="ascii")
    run = subprocess.run([sys.executable, "-m", "kiosk", "export", "customers", "--fields", "name"], env=env,
                         capture_output=True, check=True)
    assert run.stdout == "\ufeffname\r\nمحمد علی\r\nWanjiru\r\n".encode()
    run = subprocess.run([sys.executable, "-m", "kiosk", "export", "ledger"], env=env, capture_output=True, check=True)
    assert "محمد علی | چینی".encode() in run.stdout and b"\r\n" not in run.stdout


def test_unknown_fields_are_refused_naming_them(stocked):
    result = stocked("export", "customers", "--fields", "name,colour")
    assert result.code == 1 and result.out == ""
    assert result.err.startswith("kiosk: fields: unknown field colour; choose from id,name,phone,")


def test_help_lists_the_services_fields():
    assert io_cmds.CUSTOMER_FIELDS == exports.CUSTOMER_FIELDS
    assert io_cmds.EXTRA_CUSTOMER_FIELDS == exports.EXTRA_CUSTOMER_FIELDS


def test_ledger_to_stdout_and_to_a_file(stocked, tmp_path):
    result = stocked("export", "ledger")
    assert result.code == 0 and result.err == ""
    assert "\n2026-01-05 * (1) محمد علی | چینی\n" in result.out
    assert "    assets:mobile-money:JazzCash" in result.out
    out = tmp_path / "khata.journal"
    result = stocked("export", "ledger", "-o", out)
    assert result.code == 0 and result.err == f"Wrote 3 khata entries to {out}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8").split("\n", 1)[1] == result_body(stocked)


def result_body(cli) -> str:
    return cli("export", "ledger").out.split("\n", 1)[1]  # past the header line with its timestamp


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_receivables_total_equals_the_credit_report(stocked, tmp_path):
    out = tmp_path / "khata.journal"
    assert stocked("export", "ledger", "-o", out).code == 0
    bal = subprocess.run(["hledger", "-f", out, "bal", "^assets:receivables", "-O", "csv"],
                         check=True, capture_output=True, text=True).stdout
    total = list(csv.reader(io.StringIO(bal)))[-1]
    report = json.loads(stocked("report", "credit", "--json").out)
    assert total[0] == "total"
    assert Decimal(total[1].split()[0]) == sum(Decimal(c["balance"]) for c in report["customers"])
    assert total[1] == "1100.24 PKR"


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed")
def test_ledger_cli_reads_it_pedantically(stocked, tmp_path):
    out = tmp_path / "khata.journal"
    assert stocked("export", "ledger", "-o", out).code == 0
    bal = subprocess.run(["ledger", "-f", out, "--pedantic", "bal", "^assets:receivables", "-n",
                          "--format", "%(display_total)\n"], check=True, capture_output=True, text=True).stdout
    assert bal.splitlines()[0].strip() == "1100.24 PKR"
