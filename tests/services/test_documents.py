"""PDF documents from the books, on SQLite and PostgreSQL, read back with pdftotext: every statement line
and running balance against `khata.ledger`, ageing, promises, the credit report's totals, the customer
report, the customer list's masking and audit, who may make which, and progress."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.services import customers, documents, khata, promises, reports, users
from kiosk.services.access import NotAllowed
from kiosk.services.context import Context
from kiosk.store.models import AuditLog

BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
URDU_NAME = "محمد علی"
TODAY = dt.date.today()
PRINTED = dt.datetime(2026, 3, 14, 10, 22)


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.translate(BIDI_MARKS).replace("\u00a0", " ")


def ledger_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The statement's entry rows as pdftotext lays them out, in order: (entry id, {"date", "debit",
    "credit", "balance"}). An amount belongs to the column whose (right-aligned) heading ends nearest
    to where the amount ends; the heading is read again on every page."""
    rows, columns = [], None
    for line in text.splitlines():
        if re.search(r"\bDEBIT\b.*\bCREDIT\b.*\bBALANCE\b", line):
            columns = {name.lower(): line.index(name) + len(name) for name in ("DEBIT", "CREDIT", "BALANCE")}
            continue
        match = re.match(r"^\s*(\S+)\s+(\d+)\s{2,}\S", line)
        if columns is None or match is None:
            continue
        row = {"date": match.group(1), "debit": "", "credit": "", "balance": ""}
        for amount in re.finditer(r"-?Rs[\d,]+\.\d\d", line):
            column = min(columns, key=lambda c: abs(columns[c] - amount.end()))
            assert not row[column], f"two amounts in the {column} column: {line!r}"
            row[column] = amount.group()
        rows.append((int(match.group(2)), row))
    return rows


def _day(shop, day: dt.date) -> str:
    from babel.dates import format_date

    return format_date(day, "medium", locale=shop.shop.locale)


@pytest.fixture
def books(shop):
    """A customer with an Urdu name and 30 entries over three months: credit given, payments by several
    methods, an advance, an Urdu note, a reversal; and a second customer who owes."""
    c = customers.add(shop, name=URDU_NAME, phone="0300 1234567")
    start = TODAY - dt.timedelta(days=120)
    for i in range(28):
        day = start + dt.timedelta(days=4 * i)
        if i % 3 == 2:
            khata.receive(shop, c.id, 700_00 + 100 * i, method=("cash", "JazzCash", "bank transfer")[i // 3 % 3], date=day)
        else:
            khata.give(shop, c.id, 450_00 + 1_000 * i, date=day, note="چینی اور چائے" if i == 4 else f"atta {i}kg",
                       enforce_limit=False)
    mistake = khata.give(shop, c.id, 99_00, date=start + dt.timedelta(days=5), note="typed twice")
    khata.reverse(shop, mistake.id, reason="typed twice", date=start + dt.timedelta(days=6))
    other = customers.add(shop, name="Bilal Traders", phone="0301 7654321", credit_limit=5_000_00)
    khata.give(shop, other.id, 1_234_00, date=TODAY - dt.timedelta(days=40))
    khata.receive(shop, other.id, 200_00, date=TODAY - dt.timedelta(days=3))
    return shop, c, other


def test_every_statement_line_and_running_balance_matches_the_ledger(books, tmp_path):
    shop, c, _ = books
    result = documents.statement_pdf(shop, c.id, tmp_path / "statement.pdf")
    money = shop.shop.money
    ledger = khata.ledger(shop, c.id)
    rows = ledger_rows(pdf_text(result.path))
    assert [entry_id for entry_id, _ in rows] == [line.entry.id for line in ledger]
    for (_, row), line in zip(rows, ledger):
        assert row == {"date": _day(shop, line.entry.date),
                       "debit": money(line.signed) if line.signed > 0 else "",
                       "credit": money(-line.signed) if line.signed < 0 else "",
                       "balance": money(line.running_balance)}, line
    text = pdf_text(result.path)
    closing = khata.balance(shop, c.id)
    assert ledger[-1].running_balance == closing
    assert re.search(rf"Closing balance\s+{re.escape(money(sum(x.signed for x in ledger if x.signed > 0)))}\s+"
                     rf"{re.escape(money(-sum(x.signed for x in ledger if x.signed < 0)))}\s+{re.escape(money(closing))}",
                     text)
    assert "چینی اور چائے" in text and "Reverses entry" in text and "Payment by JazzCash" in text


def test_a_period_starts_from_the_opening_balance(books, tmp_path):
    shop, c, _ = books
    start, end = TODAY - dt.timedelta(days=60), TODAY - dt.timedelta(days=20)
    st = khata.statement(shop, c.id, start, end)
    result = documents.statement_pdf(shop, c.id, tmp_path / "period.pdf", start=start, end=end)
    text = pdf_text(result.path)
    rows = ledger_rows(text)
    assert [entry_id for entry_id, _ in rows] == [line.entry.id for line in st.lines] != []
    assert [row["balance"] for _, row in rows] == [shop.shop.money(line.running_balance) for line in st.lines]
    assert re.search(rf"Opening balance\s+{re.escape(shop.shop.money(st.opening))}", text)
    assert st.opening == sum(line.signed for line in khata.ledger(shop, c.id) if line.entry.date < start) != 0
    assert f"{_day(shop, start)} to {_day(shop, end)}" in text


def test_the_statement_shows_the_urdu_name_the_masked_phone_and_the_ageing(books, tmp_path):
    shop, c, _ = books
    text = pdf_text(documents.statement_pdf(shop, c.id, tmp_path / "s.pdf").path)
    assert URDU_NAME in text
    assert "+92300****567" in text and "+923001234567" not in text
    aged = khata.ageing(shop, c.id)
    money = shop.shop.money
    assert aged.balance > 0
    assert re.search(r"\s+".join(re.escape(money(aged.buckets[b])) for b in AGEING_BUCKETS)
                     + r"\s+" + re.escape(money(aged.balance)), text)
    assert f"The oldest unpaid debt is from {_day(shop, aged.oldest_unpaid)}." in text


def test_an_open_promise_is_on_the_statement_and_a_kept_one_is_not(books, tmp_path):
    shop, c, other = books
    assert "Promised to pay" not in pdf_text(documents.statement_pdf(shop, other.id, tmp_path / "none.pdf").path)
    promises.promise(shop, other.id, TODAY + dt.timedelta(days=10), note="after the harvest")
    text = pdf_text(documents.statement_pdf(shop, other.id, tmp_path / "open.pdf").path)
    assert (f"Promised to pay {shop.shop.money(khata.balance(shop, other.id))} by "
            f"{_day(shop, TODAY + dt.timedelta(days=10))}: due in 10 days.") in text
    assert "after the harvest" in text
    khata.receive(shop, other.id, khata.balance(shop, other.id))
    assert "Promised to pay" not in pdf_text(documents.statement_pdf(shop, other.id, tmp_path / "kept.pdf").path)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_long_statement_numbers_every_page(shop, tmp_path):
    c = customers.add(shop, name="Long Khata")
    start = TODAY - dt.timedelta(days=200)
    for i in range(130):
        khata.give(shop, c.id, 100_00 + i, date=start + dt.timedelta(days=i), enforce_limit=False)
    result = documents.statement_pdf(shop, c.id, tmp_path / "long.pdf")
    assert result.pages >= 3
    pages = pdf_text(result.path).split("\f")[:result.pages]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {result.pages}" in text
        assert "Test Kiryana · Statement of Long Khata" in text
        assert "DEBIT" in text  # the table's heading again on every page
    assert len(ledger_rows("\n".join(pages))) == 130


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_shop_in_ghana_prints_cedis(make_shop, tmp_path):
    shop = make_shop(country="GH", currency="GHS", name="Kumasi Provisions")
    c = customers.add(shop, name="Ama Mensah")
    khata.give(shop, c.id, 1_250_50, date=TODAY - dt.timedelta(days=3))
    text = pdf_text(documents.statement_pdf(shop, c.id, tmp_path / "gh.pdf").path)
    assert "GH₵1,250.50" in text and "Kumasi Provisions" in text


def test_entries_are_described_in_a_few_words():
    from kiosk.domain.khata import Entry, EntryKind

    def entry(kind, **kw):
        return Entry(id=1, customer_id=1, kind=kind, amount=100, date=TODAY, **kw)

    assert documents.entry_details(entry(EntryKind.DEBIT, source="sale", sale_id="S-17")) == "Credit sale S-17"
    assert documents.entry_details(entry(EntryKind.DEBIT, source="gave")) == "Given on credit"
    assert documents.entry_details(entry(EntryKind.DEBIT, source="store-credit", sale_id="S-2")) == "Store credit spent S-2"
    assert documents.entry_details(entry(EntryKind.CREDIT, method="EasyPaisa")) == "Payment by EasyPaisa"
    assert documents.entry_details(entry(EntryKind.CREDIT, source="refund", sale_id="S-9")) == "Refund of sale S-9"
    assert documents.entry_details(entry(EntryKind.CREDIT, source="store-credit", sale_id="S-9")) == \
        "Store credit from sale S-9"
    assert documents.entry_details(entry(EntryKind.REVERSAL, reverses_id=41)) == "Reverses entry 41"


def test_a_period_before_the_first_entry_is_empty_not_refused(shop, tmp_path):
    c = customers.add(shop, name="Late Starter")
    khata.give(shop, c.id, 100_00)
    doc = documents.statement_document(shop, c.id, end=TODAY - dt.timedelta(days=30))
    assert "No entries in this period." in doc.html


def test_an_empty_khata_has_a_statement_too(shop, tmp_path):
    c = customers.add(shop, name="New Customer")
    text = pdf_text(documents.statement_pdf(shop, c.id, tmp_path / "empty.pdf").path)
    assert "No entries in this period." in text and "Rs0.00" in text and "by age" not in text


def test_notes_and_names_are_printed_as_typed_never_as_markup(shop, tmp_path):
    c = customers.add(shop, name="<b>Bold</b> & Co")
    khata.give(shop, c.id, 100_00, note='<img src="x.png">')
    doc = documents.statement_document(shop, c.id)
    assert "<b>Bold" not in doc.html and "<img" not in doc.html
    text = pdf_text(doc.write(tmp_path / "escaped.pdf").path)
    assert "<b>Bold</b> & Co" in text and '<img src="x.png">' in text


def test_progress_runs_from_reading_the_books_to_done(books, tmp_path):
    shop, c, _ = books
    heard = []
    documents.statement_pdf(shop, c.id, tmp_path / "p.pdf", progress=lambda stage, done: heard.append((stage, done)))
    assert [s for s, _ in heard] == ["reading the books", "building HTML", "laying out", "writing", "done"]
    assert [d for _, d in heard] == sorted(d for _, d in heard)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_statement_made_in_a_subprocess_reads_the_same(books, tmp_path):
    shop, c, _ = books
    doc = documents.statement_document(shop, c.id, printed_at=PRINTED)
    here, there = doc.write(tmp_path / "here.pdf"), doc.write(tmp_path / "there.pdf", in_subprocess=True)
    assert pdf_text(here.path) == pdf_text(there.path) and here.pages == there.pages


def test_the_credit_report_totals_match_the_report(books, tmp_path):
    shop, c, other = books
    report = reports.credit_report(shop)
    text = pdf_text(documents.credit_report_pdf(shop, tmp_path / "credit.pdf").path)
    money = shop.shop.money
    totals = report.bucket_totals
    assert report.total_outstanding > 0
    figures = [money(report.total_outstanding), *(money(totals[b]) for b in AGEING_BUCKETS)]
    assert re.search(r"\s+".join(map(re.escape, figures)), text)  # the boxes at the top
    assert re.search(r"Total outstanding\s+" + re.escape(figures[0]) + r"\s+" + r"\s+".join(map(re.escape, figures[1:])),
                     text)  # the table's total row
    for r in report.rows:
        assert re.search(rf"\b{r.customer_id}\s+.*{re.escape(money(r.balance))}", text)
    assert "+92300****567" in text and "+923001234567" not in text  # masked on paper
    assert "Bilal Traders" in text and URDU_NAME in text
    assert f"{len(report.rows)} customers with khata history" in text


def test_the_customer_report_as_a_pdf(shop, tmp_path):
    a = customers.add(shop, name="Ayesha", phone="0300 1234567")
    b = customers.add(shop, name="Bilal", phone="0301 7654321")
    for who, amount in ((a, 650_00), (a, 300_00), (b, 650_00)):
        khata.give(shop, who.id, amount, source="sale")  # legacy credit sales count as purchases
    report = reports.customer_report(shop)
    text = pdf_text(documents.customer_report_pdf(shop, tmp_path / "customers.pdf").path)
    assert re.search(r"Buyers\s+2\b", text) and re.search(r"Purchases\s+3\b", text)
    assert re.search(r"Lifetime value\s+" + re.escape(shop.shop.money(report.totals.value)), text)
    assert "+92300****567" in text and "+923001234567" not in text
    assert re.search(r"Ayesha\s+\+92300\*\*\*\*567\s+2\s+Rs950\.00", text)


def _as(shop, people, role) -> Context:
    return Context(db=shop.db, shop=shop.shop, user=people[role], till="till-1")


@pytest.fixture
def staff(shop):
    return {"owner": shop.user, **{role: users.add_user(shop, role, role, pin) for role, pin in
                                   (("manager", "5555"), ("cashier", "6666"), ("viewer", "7777"))}}


def test_the_customer_list_is_masked_unless_an_owner_asks_and_is_audited(shop, staff, tmp_path):
    customers.add(shop, name="=HYPERLINK(x)", phone="0300 1234567", cnic="35202-1234567-1")
    customers.add(shop, name=URDU_NAME, phone="0301 7654321")
    masked = pdf_text(documents.customer_list_pdf(_as(shop, staff, "manager"), tmp_path / "masked.pdf").path)
    assert "+92300****567" in masked and "35202-*******-1" in masked and "+923001234567" not in masked
    assert "=HYPERLINK(x)" in masked and "'=HYPERLINK" not in masked  # the CSV's formula guard is not needed here
    assert URDU_NAME in masked and "2 customers" in masked
    full = pdf_text(documents.customer_list_pdf(shop, tmp_path / "full.pdf", unmasked=True).path)
    assert "+923001234567" in full and "35202-1234567-1" in full
    with pytest.raises(NotAllowed, match="only owners can export phones and CNICs unmasked"):
        documents.customer_list_pdf(_as(shop, staff, "manager"), tmp_path / "no.pdf", unmasked=True)
    audited = [r.detail for r in AuditLog.select().where(AuditLog.action == "export.customers").order_by(AuditLog.id)]
    assert len(audited) == 2 and all('"format": "pdf"' in d or '"format":"pdf"' in d for d in audited)
    assert not (tmp_path / "no.pdf").exists()


def test_the_customer_list_with_chosen_fields(shop, tmp_path):
    customers.add(shop, name="Ayesha", phone="0300 1234567", credit_limit=5_000_00)
    text = pdf_text(documents.customer_list_pdf(shop, tmp_path / "few.pdf", ("id", "name", "credit_limit")).path)
    assert re.search(r"ID\s+NAME\s+LIMIT", text) and re.search(r"1\s+Ayesha\s+5000\.00", text)
    assert "+92300" not in text


@pytest.mark.parametrize("role, statement, reports_, customer_list", [
    ("cashier", True, False, False),
    ("viewer", True, True, False),
    ("manager", True, True, True),
])
def test_who_may_make_which_document(books, staff, role, statement, reports_, customer_list):
    shop, c, _ = books
    ctx = _as(shop, staff, role)
    for allowed, make in ((statement, lambda: documents.statement_document(ctx, c.id)),
                          (reports_, lambda: documents.credit_report_document(ctx)),
                          (reports_, lambda: documents.customer_report_document(ctx)),
                          (customer_list, lambda: documents.customer_list_document(ctx))):
        if allowed:
            assert make().html.startswith("<!DOCTYPE html>")
        else:
            with pytest.raises(NotAllowed):
                make()
    with pytest.raises(NotAllowed):
        documents.credit_report_document(ctx, unmasked=True)  # full phones on paper: owners only
