"""Exports on SQLite and PostgreSQL: a journal hledger and ledger-cli read, and a customer CSV for Excel."""

import csv
import datetime as dt
import io
import json
import os
import shutil
import stat
import subprocess
from decimal import Decimal

import pytest

from kiosk.domain.errors import KioskError
from kiosk.domain.khata import DebitSource
from kiosk.services import customers, khata
from kiosk.services.context import Context
from kiosk.services.exports import (
    CUSTOMER_FIELDS,
    export_customers,
    export_ledger,
    journal_lines,
    parse_fields,
    write_private,
)
from kiosk.services.reports import credit_report
from kiosk.store.models import AuditLog

TOOLS = [pytest.param(tool, marks=pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed"))
         for tool in ("hledger", "ledger")]


@pytest.fixture
def books(shop):
    """Two customers (one in Urdu), credit sales, a gave entry, payments by three methods, reversals."""
    ali = customers.add(shop, name="محمد علی", phone="0300 1234567", cnic="35202-1234567-1")
    bilal = customers.add(shop, name="Bilal; the | baker", phone="0301 7654321")
    customers.add(shop, name="No History")
    sale = khata.give(shop, ali.id, 125_050, date=dt.date(2026, 1, 5), note="چینی", source=DebitSource.SALE)
    khata.give(shop, ali.id, 20_000, date=dt.date(2026, 1, 6), note="cash loan")
    khata.receive(shop, ali.id, 30_000, method="JazzCash", date=dt.date(2026, 2, 1))
    khata.give(shop, bilal.id, 99_999, date=dt.date(2026, 2, 2), source=DebitSource.SALE)
    paid = khata.receive(shop, bilal.id, 10_000, method="bank transfer", date=dt.date(2026, 2, 3))
    khata.reverse(shop, paid.id, reason="bounced\nreally", date=dt.date(2026, 2, 10))
    khata.reverse(shop, sale.id, reason="wrong customer", date=dt.date(2026, 2, 11))
    khata.receive(shop, bilal.id, 500, method="card", date=dt.date(2026, 3, 1), note="part")
    return shop, ali, bilal


def journal(ctx) -> str:
    out = io.StringIO()
    export_ledger(ctx, out)
    return out.getvalue()


def transactions(text: str) -> dict[int, list[str]]:
    """Entry id -> the transaction's lines (header, tags, postings)."""
    found, current = {}, None
    for line in text.splitlines():
        if line[:1].isdigit():
            current = found.setdefault(int(line.split("(")[1].split(")")[0]), [])
        if current is not None:
            if not line.strip():
                current = None
            else:
                current.append(line)
    return found


def postings(lines: list[str]) -> dict[str, str]:
    return {ln.split()[0]: " ".join(ln.split()[1:]) for ln in lines[2:]}


def test_one_transaction_per_entry_with_the_right_accounts(books):
    shop, ali, bilal = books
    text = journal(shop)
    txns = transactions(text)
    assert len(txns) == 8
    sale, gave, jazz, bilal_sale, bank, bounced, undo_sale, card = sorted(txns)
    assert txns[sale][0] == f"2026-01-05 * ({sale}) محمد علی | چینی"
    assert postings(txns[sale]) == {f"assets:receivables:{ali.id}": "1250.50 PKR", "income:sales": "-1250.50 PKR"}
    assert postings(txns[gave]) == {f"assets:receivables:{ali.id}": "200.00 PKR", "assets:gave": "-200.00 PKR"}
    assert postings(txns[jazz]) == {f"assets:receivables:{ali.id}": "-300.00 PKR",
                                    "assets:mobile-money:JazzCash": "300.00 PKR"}
    assert postings(txns[bank]) == {f"assets:receivables:{bilal.id}": "-100.00 PKR", "assets:bank": "100.00 PKR"}
    assert postings(txns[card]) == {f"assets:receivables:{bilal.id}": "-5.00 PKR", "assets:card": "5.00 PKR"}
    # Reversals mirror their targets, dated by the reversal.
    assert postings(txns[bounced]) == {f"assets:receivables:{bilal.id}": "100.00 PKR", "assets:bank": "-100.00 PKR"}
    assert postings(txns[undo_sale]) == {f"assets:receivables:{ali.id}": "-1250.50 PKR", "income:sales": "1250.50 PKR"}
    assert txns[bounced][0] == f"2026-02-10 * ({bounced}) Bilal, the / baker | reverses entry {bank}: bounced really"
    assert f"reverses:{bank}" in txns[bounced][1] and "till:" in txns[bounced][1] and "user:owner" in txns[bounced][1]
    # Every transaction balances to zero, in exact minor units.
    for lines in txns.values():
        assert sum(Decimal(v.split()[0]) for v in postings(lines).values()) == 0
    assert "account assets:receivables:3" not in text  # "No History" has no account
    assert f"account assets:receivables:{ali.id}\n    ; customer: محمد علی" in text


def test_a_zero_digit_currency_has_no_decimal_point(make_shop):
    jp = make_shop(country="JP", currency="JPY")
    sato = customers.add(jp, name="Sato", phone="090-1234-5678")
    khata.give(jp, sato.id, 15_000, date=dt.date(2026, 1, 1))
    text = journal(jp)
    assert "    format 1000 JPY" in text
    assert postings(transactions(text)[1]) == {f"assets:receivables:{sato.id}": "15000 JPY",
                                               "assets:gave": "-15000 JPY"}


def test_a_mobile_money_service_with_a_space_gets_a_valid_account_name(make_shop):
    gh = make_shop(country="GH", currency="GHS")
    ama = customers.add(gh, name="Ama Mensah", phone="024 123 4567")
    khata.give(gh, ama.id, 5_000, date=dt.date(2026, 1, 1))
    khata.receive(gh, ama.id, 1_000, method="MTN MoMo", date=dt.date(2026, 1, 2))
    assert postings(transactions(journal(gh))[2])["assets:mobile-money:MTN-MoMo"] == "10.00 GHS"


def _tool_balances(tool: str, path) -> dict[str, Decimal]:
    """Per receivables account, as the tool computes it (after its strictest check of the file)."""
    if tool == "hledger":
        subprocess.run(["hledger", "-f", path, "check", "--strict"], check=True, capture_output=True)
        out = subprocess.run(["hledger", "-f", path, "bal", "^assets:receivables", "-O", "csv"],
                             check=True, capture_output=True, text=True).stdout
        rows = list(csv.reader(io.StringIO(out)))[1:]
    else:
        out = subprocess.run(["ledger", "-f", path, "--pedantic", "bal", "^assets:receivables", "--flat",
                              "--no-total", "--format", "%(account)\t%(display_total)\n"],
                             check=True, capture_output=True, text=True).stdout
        rows = [line.split("\t") for line in out.splitlines()]
    return {account: Decimal(amount.split()[0]) for account, amount in rows}


@pytest.mark.parametrize("tool", TOOLS)
def test_hledger_and_ledger_read_the_journal_and_receivables_equal_the_credit_report(books, tmp_path, tool):
    shop, _ali, _bilal = books
    path = tmp_path / "khata.journal"
    write_private(path, lambda out: export_ledger(shop, out))
    got = _tool_balances(tool, path)
    total = got.pop("total", None)
    report = credit_report(shop)
    expected = {f"assets:receivables:{r.customer_id}": Decimal(shop.shop.decimal(r.balance))
                for r in report.rows if r.balance}
    assert {a: v for a, v in got.items() if v} == expected
    assert sum(expected.values()) == Decimal(shop.shop.decimal(sum(r.balance for r in report.rows)))
    if total is not None:
        assert total == sum(expected.values())


def test_journal_is_streamed_line_by_line(books):
    shop, _a, _b = books
    lines = journal_lines(shop)
    assert next(lines).startswith("; Kiosk khata of Test Kiryana (PK, PKR), exported")


# --- Customers CSV -------------------------------------------------------------------------------


def customers_csv(ctx, *args, **kw) -> tuple[str, list[dict]]:
    out = io.StringIO(newline="")
    export_customers(ctx, out, *args, **kw)
    raw = out.getvalue()
    return raw, list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))


def test_customer_csv_has_a_bom_crlf_every_default_field_and_masks(books):
    shop, ali, bilal = books
    customers.edit(shop, ali.id, email="ali@example.pk", credit_limit=500_000, birth_date=dt.date(1980, 5, 17),
                   tier="VIP", group="Wholesale", address="Anarkali, Lahore", notes='says "hi"\nFridays')
    customers.set_archived(shop, bilal.id)
    raw, rows = customers_csv(shop)
    assert raw.startswith("\ufeffid,name,phone,cnic,email,address,business,birth_date,notes,credit_limit,tier,group,"
                          "created,archived,balance\r\n")
    assert raw.count("\r\n") == 4  # header + 3 customers (a newline inside a quoted cell stays as typed)
    first = rows[0]
    assert (first["id"], first["name"], first["phone"], first["cnic"]) == (
        str(ali.id), "محمد علی", "+92300****567", "35202-*******-1")
    assert (first["email"], first["address"], first["notes"]) == (
        "ali@example.pk", "Anarkali, Lahore", 'says "hi"\nFridays')
    assert (first["birth_date"], first["credit_limit"], first["tier"], first["group"]) == (
        "1980-05-17", "5000.00", "VIP", "Wholesale")
    assert first["balance"] == "-100.00"  # 1250.50 + 200 - 300 - 1250.50 (the sale was reversed)
    assert dt.datetime.strptime(first["created"], "%Y-%m-%d %H:%M:%S")
    assert (rows[1]["archived"], rows[1]["balance"], rows[1]["phone"]) == ("yes", "994.99", "+92301****321")
    assert (rows[2]["name"], rows[2]["phone"], rows[2]["cnic"], rows[2]["credit_limit"]) == ("No History", "", "", "")


def test_customer_csv_unmasked_and_chosen_fields(books):
    shop, ali, _bilal = books
    raw, rows = customers_csv(shop, ("phone", "name", "cnic", "points"), unmasked=True)
    assert raw.splitlines()[0] == "\ufeffphone,name,cnic,points"
    assert rows[0] == {"phone": "+923001234567", "name": "محمد علی", "cnic": "35202-1234567-1", "points": "0"}


@pytest.mark.parametrize(("text", "message"), [
    ("name,colour,phone,size", "unknown fields colour, size; choose from id,name"),
    ("name,name", "name given twice"),
])
def test_unknown_or_doubled_fields_are_refused_by_name(text, message):
    with pytest.raises(KioskError, match=message):
        parse_fields(text)


def test_default_fields_and_spaces_in_the_list():
    assert parse_fields(None) == parse_fields(" ") == CUSTOMER_FIELDS
    assert parse_fields(" Name , phone ") == ("name", "phone")


def test_text_excel_would_run_as_a_formula_is_guarded(shop):
    customers.add(shop, name="=HYPERLINK(\"http://evil\",\"x\")", business="@SUM(A1)", notes="-2+3")
    _raw, rows = customers_csv(shop, ("name", "business", "notes"))
    assert rows[0] == {"name": "'=HYPERLINK(\"http://evil\",\"x\")", "business": "'@SUM(A1)", "notes": "'-2+3"}


def test_export_files_are_private_and_replace_whole(tmp_path, books):
    shop, _a, _b = books
    path = tmp_path / "out" / "customers.csv"
    path.parent.mkdir()
    path.write_text("old")
    os.chmod(path, 0o644)
    write_private(path, lambda out: export_customers(shop, out), newline="")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"\xef\xbb\xbfid,name,")

    def fails(out):
        out.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_private(path, fails)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfid,name,")  # the old export is intact
    assert [p.name for p in path.parent.iterdir()] == ["customers.csv"]  # no temporary left behind
    with pytest.raises(KioskError, match="no such directory"):
        write_private(tmp_path / "nope" / "x.csv", fails)


def test_who_may_export(shop):
    from kiosk.services.shop import add_user

    def as_role(role, pin):
        return Context(db=shop.db, shop=shop.shop, user=add_user(shop, role, role, pin), till="t")

    manager, viewer = as_role("manager", "6666"), as_role("viewer", "7777")
    export_customers(manager, io.StringIO())
    export_ledger(manager, io.StringIO())
    export_customers(shop, io.StringIO(), ("name",), unmasked=True)
    trail = [(r.action, r.user_id, json.loads(r.detail)) for r in
             AuditLog.select().where(AuditLog.action.startswith("export.")).order_by(AuditLog.id)]
    assert trail == [
        ("export.customers", manager.user.id, {"customers": 0, "fields": ",".join(CUSTOMER_FIELDS), "unmasked": False}),
        ("export.ledger", manager.user.id, {"entries": 0}),
        ("export.customers", shop.user.id, {"customers": 0, "fields": "name", "unmasked": True}),
    ]
    with pytest.raises(KioskError, match="manager is a manager: only owners can export phones and CNICs unmasked"):
        export_customers(manager, io.StringIO(), unmasked=True)
    cashier = viewer  # a viewer reads reports on screen; exports are managers' and owners'
    with pytest.raises(KioskError, match="viewer is a viewer: only managers and owners can export"):
        export_ledger(cashier, io.StringIO())
    with pytest.raises(KioskError, match="viewer is a viewer"):
        export_customers(cashier, io.StringIO())
