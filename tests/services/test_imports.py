"""CSV imports on SQLite and PostgreSQL: all or nothing, every bad line named, fast enough for 50,000 lines."""

import datetime as dt
import json
import time

import pytest

from kiosk.domain.errors import KioskError
from kiosk.domain.khata import EntryKind
from kiosk.services import customers, khata
from kiosk.services.check import check
from kiosk.services.context import Context
from kiosk.services.imports import ImportErrors, import_customers, import_khata
from kiosk.store import imports as import_store
from kiosk.store.models import AuditLog, KhataEntry

KHATA_HEADER = "date,phone,name,type,amount,note"
CUSTOMER_HEADER = "name,phone,cnic,email,address,business,credit_limit,tier,group,notes,birth_date"


def write(tmp_path, text: str, name: str = "file.csv", *, bom: bool = False, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def refused(ctx, run, path, **kw) -> list[str]:
    """Run an import that must fail; check nothing changed; return its error lines."""
    before = import_store.counts()
    with pytest.raises(ImportErrors) as exc:
        run(ctx, path, **kw)
    assert import_store.counts() == before
    assert "nothing was imported" in str(exc.value)
    return exc.value.errors


def refused_whole(ctx, run, path) -> str:
    """A file refused as a whole (binary, empty, …): one message, nothing changed."""
    before = import_store.counts()
    with pytest.raises(KioskError) as exc:
        run(ctx, path)
    assert not isinstance(exc.value, ImportErrors)
    assert import_store.counts() == before
    assert "\n" not in str(exc.value)
    return str(exc.value)


# --- Customers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_customers_import_every_field_with_or_without_a_bom(shop, tmp_path, bom):
    path = write(tmp_path, CUSTOMER_HEADER + "\r\n"
                 "محمد علی,0300-1234567,35202-1234567-1,Ali@Example.PK,\"Anarkali, Lahore\",Ali Store,5000.00,vip,"
                 "wholesale,pays on Fridays,17/05/1980\r\n"
                 "Wanjiru Kamau,,,,,,,,,,\r\n", bom=bom)
    summary = import_customers(shop, path)
    assert (summary.new_customers, summary.rows, summary.dry_run) == (2, 2, False)
    ali = customers.find_by_phone(shop, "+92 300 1234567")
    assert (ali.name, ali.cnic, ali.email, ali.address, ali.business) == (
        "محمد علی", "3520212345671", "ali@example.pk", "Anarkali, Lahore", "Ali Store")
    assert (ali.credit_limit, ali.tier.value, ali.group, ali.notes, ali.birth_date) == (
        500_000, "VIP", "Wholesale", "pays on Fridays", dt.date(1980, 5, 17))
    # The search index followed the bulk insert (FTS5 triggers / pg_trgm), Urdu included.
    assert [c.id for c in customers.search(shop, "علی")] == [ali.id]
    assert [c.name for c in customers.search(shop, "wanjiru")] == ["Wanjiru Kamau"]
    assert customers.search(shop, "wanjiru")[0].phone is None
    assert check(shop) == []
    row = AuditLog.select().where(AuditLog.action == "import.customers").get()
    assert '"customers": 2' in row.detail and '"file": "file.csv"' in row.detail and row.till == shop.till


def test_customers_header_is_matched_loosely_and_only_name_is_required(shop, tmp_path):
    path = write(tmp_path, "Phone, NAME ,Credit Limit,Birth-Date\n0301 1234567,Bilal,0,2001-02-03\n")
    import_customers(shop, path)
    bilal = customers.find_by_phone(shop, "03011234567")
    assert (bilal.name, bilal.credit_limit, bilal.birth_date) == ("Bilal", 0, dt.date(2001, 2, 3))


CUSTOMER_BAD_FIELDS = [
    ("name", "", "is required"),
    ("phone", "12345", "not a valid phone number"),
    ("phone", "0300-12345678901", "not a valid phone number"),
    ("cnic", "35202-123456-1", "is not a CNIC"),
    ("cnic", "95202-1234567-1", "first digit"),
    ("email", "ali@", "is not an email"),
    ("tier", "Gold", "is not one of"),
    ("group", "Nobody", "is not a group"),
    ("credit_limit", "12.5.0", "not an amount"),
    ("credit_limit", "-5", "not an amount"),
    ("credit_limit", "1e3", "not an amount"),
    ("credit_limit", "Rs 500", "not an amount"),
    ("credit_limit", "10.005", "more than 2 decimal digits"),
    ("birth_date", "2026-02-30", "not a real date"),
    ("birth_date", "31/04/2026", "not a real date"),
    ("birth_date", "2999-01-01", "in the future"),
    ("birth_date", "1980/05/17", "not a date like"),
]


def test_customers_each_bad_field_names_its_line_and_field_and_changes_nothing(shop, tmp_path):
    """One file, a good line then one bad line per case: every case is reported, nothing is written."""
    good = {"name": "Good", "phone": "", "cnic": "", "email": "", "tier": "Regular", "group": "", "credit_limit": "",
            "birth_date": ""}
    lines = [",".join(good), ",".join(good.values())]
    for column, value, _reason in CUSTOMER_BAD_FIELDS:
        lines.append(",".join({**good, "name": "Bad", column: value}.values()))
    errors = refused(shop, import_customers, write(tmp_path, "\n".join(lines) + "\n"))
    assert len(errors) == len(CUSTOMER_BAD_FIELDS), errors
    for line, (error, (column, value, reason)) in enumerate(zip(errors, CUSTOMER_BAD_FIELDS, strict=True), start=3):
        assert error.startswith(f"line {line}: {column}: ") and reason in error, (value, error)


def test_every_bad_field_of_every_bad_line_is_listed_in_line_order(shop, tmp_path):
    path = write(tmp_path, "name,phone,cnic,credit_limit\n"
                           "Ok,0300 1234567,,\n"
                           ",12345,123,abc\n"
                           "Ok too,,,\n"
                           "Also bad,,,-1\n")
    errors = refused(shop, import_customers, path)
    assert [e.split(":")[0] + ":" + e.split(":")[1] for e in errors] == [
        "line 3: credit_limit", "line 3: name", "line 3: phone", "line 3: cnic", "line 5: credit_limit"]


def test_a_phone_twice_in_the_file_in_two_formats_is_an_error_naming_the_first_line(shop, tmp_path):
    path = write(tmp_path, "name,phone\nAli,0300-1234567\nBilal,0301 1234567\nAli again,+92 300 1234567\n")
    assert refused(shop, import_customers, path) == ["line 4: phone: +923001234567 is also on line 2"]


def test_a_phone_already_in_the_shop_is_an_error_naming_the_customer(shop, tmp_path):
    ali = customers.add(shop, name="Ali Raza", phone="03001234567")
    path = write(tmp_path, "name,phone\nSomeone,923001234567\n")
    assert refused(shop, import_customers, path) == [
        f"line 2: phone: +923001234567 already belongs to customer {ali.id} (Ali Raza)"]


def test_unknown_and_missing_columns_are_refused_on_line_1(shop, tmp_path):
    errors = refused(shop, import_customers, write(tmp_path, "name,phnoe,colour\nAli,0300 1234567,red\n"))
    assert errors == ["line 1: header: unknown columns 'phnoe', 'colour'; the columns are "
                      "name, phone, cnic, email, address, business, credit_limit, tier, group, notes, birth_date"]
    errors = refused(shop, import_customers, write(tmp_path, "phone,email\n0300 1234567,a@b.pk\n"))
    assert len(errors) == 1 and errors[0].startswith("line 1: header: missing required column name")


def test_a_value_without_a_header_is_refused_but_trailing_empty_cells_are_fine(shop, tmp_path):
    errors = refused(shop, import_customers, write(tmp_path, "name,phone\nAli,0300 1234567,extra\n"))
    assert errors == ["line 2: columns: a value in column 3, which has no header ('extra')"]
    import_customers(shop, write(tmp_path, "name,phone,,\nAli,0300 1234567,,\n,,,\n\n"))
    assert customers.find_by_phone(shop, "03001234567").name == "Ali"


def test_excel_sep_hint_line_and_an_empty_header(shop, tmp_path):
    errors = refused(shop, import_customers, write(tmp_path, "sep=;\r\nName;Phone\r\nAli;0300 1234567\r\nBad;123\r\n"))
    assert errors == ["line 4: phone: '123' is not a valid phone number for PK"]  # the file's own line numbers
    assert refused(shop, import_customers, write(tmp_path, "\nname\nAli\n")) == [
        "line 1: header: is empty; expected the column names, like name,phone,cnic,email,…"]
    import_customers(shop, write(tmp_path, "sep=;\nName;Phone\nAli;0300 1234567\n"))
    assert customers.find_by_phone(shop, "03001234567").name == "Ali"


def test_customers_dry_run_checks_against_the_shop_and_writes_nothing(shop, tmp_path):
    path = write(tmp_path, "name,phone\nAli,0300 1234567\nBilal,0301 1234567\n")
    before = import_store.counts()
    summary = import_customers(shop, path, dry_run=True)
    assert (summary.new_customers, summary.dry_run) == (2, True)
    assert import_store.counts() == before
    assert not AuditLog.select().where(AuditLog.action == "import.customers").exists()
    customers.add(shop, name="Ali", phone="0300 1234567")
    assert refused(shop, import_customers, path, dry_run=True)[0].startswith("line 2: phone: +923001234567 already")


def test_a_file_imported_once_is_refused_the_second_time_unless_asked(shop, tmp_path):
    path = write(tmp_path, "name\nAli\n")
    import_customers(shop, path)
    with pytest.raises(KioskError, match="already imported .* by owner; nothing was imported .*--again"):
        import_customers(shop, path)
    import_customers(shop, path, again=True)
    assert len(customers.search(shop, "ali")) == 2


def test_a_cashier_may_not_import(shop, tmp_path):
    from kiosk.services.shop import add_user

    cashier = add_user(shop, "sana", "cashier", "5555")
    ctx = Context(db=shop.db, shop=shop.shop, user=cashier, till="till-2")
    with pytest.raises(KioskError, match="sana is a cashier: only managers and owners can import"):
        import_customers(ctx, write(tmp_path, "name\nAli\n"))


# --- Files refused whole -------------------------------------------------------------------------


@pytest.mark.parametrize("run", [import_customers, import_khata], ids=["customers", "khata"])
def test_binary_empty_header_only_and_non_utf8_files_get_one_clear_message(shop, tmp_path, run):
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    assert "is a binary file" in refused_whole(shop, run, png)
    assert "is empty" in refused_whole(shop, run, write(tmp_path, ""))
    assert "is empty" in refused_whole(shop, run, write(tmp_path, "\r\n  \n", bom=True))
    header = "name,phone" if run is import_customers else KHATA_HEADER
    assert "has a header but no rows" in refused_whole(shop, run, write(tmp_path, header + "\r\n,,\r\n"))
    latin1 = write(tmp_path, f"{header}\nJosé,0300 1234567\n", encoding="latin-1")
    assert "is not UTF-8 text (byte 0xe9 on line 2)" in refused_whole(shop, run, latin1)
    utf16 = write(tmp_path, f"{header}\n", encoding="utf-16")
    assert "UTF-16" in refused_whole(shop, run, utf16)
    assert "no such file" in refused_whole(shop, run, tmp_path / "missing.csv")
    assert "is a directory" in refused_whole(shop, run, tmp_path)


# --- Khata ----------------------------------------------------------------------------------------


def test_khata_phones_in_four_formats_are_one_customer_and_the_first_name_wins(shop, tmp_path):
    path = write(tmp_path, KHATA_HEADER + "\n"
                 "2026-01-05,0300 1234567,محمد علی,debit,1250.50,چینی اور چاول\n"
                 "06/01/2026,0300-1234567,Ali (second name),Debit,100,\n"
                 "2026-02-01,+92 300 1234567,,credit,300.25,paid\n"
                 "2026-02-02,923001234567,Someone else,CREDIT,50,\n", bom=True)
    summary = import_khata(shop, path)
    assert (summary.entries, summary.new_customers, summary.existing_customers) == (4, 1, 0)
    assert (summary.debits, summary.credits) == (135_050, 35_025)
    ali = customers.find_by_phone(shop, "03001234567")
    assert ali.name == "محمد علی" and ali.balance == 135_050 - 35_025
    entries = khata.entries(shop, ali.id)
    assert [(e.kind, e.amount, e.date) for e in entries] == [
        (EntryKind.DEBIT, 125_050, dt.date(2026, 1, 5)), (EntryKind.DEBIT, 10_000, dt.date(2026, 1, 6)),
        (EntryKind.CREDIT, 30_025, dt.date(2026, 2, 1)), (EntryKind.CREDIT, 5_000, dt.date(2026, 2, 2))]
    assert [(e.source, e.method) for e in entries] == [("sale", None), ("sale", None), (None, "cash"), (None, "cash")]
    assert entries[0].note == "چینی اور چاول"
    assert {(r.user_id, r.till) for r in KhataEntry.select()} == {(shop.user.id, shop.till)}
    assert customers.figures(shop, ali.id).purchases == 2  # imported debits are credit sales
    audit = AuditLog.select().where(AuditLog.action == "import.khata").get()
    assert json.loads(audit.detail) == {"file": "file.csv", "rows": 4, "entries": 4, "new_customers": 1,
                                        "debits": 135_050, "credits": 35_025}
    assert audit.record.startswith("sha256:") and audit.user_id == shop.user.id
    # The ids the bulk write took are behind the sequences: ordinary posts go on as before.
    later = customers.add(shop, name="Later", phone="0345 1234567")
    assert later.id > ali.id and khata.give(shop, later.id, 100).id > entries[-1].id
    assert check(shop) == []
    assert check(shop) == []


def test_khata_posts_to_existing_customers_archived_ones_too_and_ignores_credit_limits(shop, tmp_path):
    ali = customers.add(shop, name="Ali", phone="0300 1234567", credit_limit=10_000)
    old = customers.add(shop, name="Old Friend", phone="0301 1234567")
    customers.set_archived(shop, old.id)
    path = write(tmp_path, KHATA_HEADER + "\n2026-03-01,+923001234567,Another Name,debit,5000,\n"
                           "2026-03-02,03011234567,,debit,10,\n")
    summary = import_khata(shop, path)
    assert (summary.new_customers, summary.existing_customers) == (0, 2)
    assert customers.get(shop, ali.id).balance == 500_000 > 10_000  # above the limit: imported history
    assert customers.get(shop, ali.id).name == "Ali"
    assert customers.get(shop, old.id).balance == 1_000
    assert check(shop) == []


def test_khata_balances_move_by_the_imported_total_on_top_of_existing_history(shop, tmp_path):
    ali = customers.add(shop, name="Ali", phone="0300 1234567")
    khata.give(shop, ali.id, 20_000)
    path = write(tmp_path, KHATA_HEADER + "\n2026-03-01,03001234567,,credit,50,\n2026-03-02,03001234567,,debit,7.5,\n")
    import_khata(shop, path)
    assert customers.get(shop, ali.id).balance == 20_000 - 5_000 + 750
    assert check(shop) == []


def test_a_customer_gone_between_check_and_write_rolls_the_whole_import_back(shop, tmp_path, monkeypatch):
    ali = customers.add(shop, name="Ali", phone="0300 1234567")
    path = write(tmp_path, KHATA_HEADER + "\n2026-03-01,03011234567,New,debit,5,\n2026-03-01,03001234567,,debit,10,\n")
    real = import_store.customers_by_phone
    calls = []

    def vanishing(phones):  # the check sees Ali; by the write another till has deleted him
        calls.append(1)
        found = real(phones)
        return found if len(calls) == 1 else {p: k for p, k in found.items() if k.id != ali.id}

    monkeypatch.setattr(import_store, "customers_by_phone", vanishing)
    before = import_store.counts()
    with pytest.raises(KioskError, match="customers changed while importing .* run the import again"):
        import_khata(shop, path)
    assert import_store.counts() == before and customers.find_by_phone(shop, "03011234567") is None
    assert check(shop) == []


def test_a_foreign_key_failure_in_the_bulk_write_rolls_back_whole(shop, tmp_path, monkeypatch):
    path = write(tmp_path, KHATA_HEADER + "\n2026-03-01,03011234567,New,debit,5,\n")
    real = import_store.insert_customers
    monkeypatch.setattr(import_store, "insert_customers",
                        lambda created, groups: {p: i + 10_000 for p, i in real(created, groups).items()})
    with pytest.raises(KioskError, match="customers changed while importing \\(IntegrityError\\)"):
        import_khata(shop, path)
    assert import_store.counts() == (0, 0)


def test_khata_method_column_is_optional_and_checked(shop, tmp_path):
    path = write(tmp_path, "date;phone;name;type;amount;note;method\n"
                           "2026-03-01;03001234567;Ali;debit;100;;\n"
                           "2026-03-02;03001234567;;credit;40;;jazzcash\n"
                           "2026-03-03;03001234567;;credit;10;;\n")
    import_khata(shop, path)  # semicolons, as Excel writes them in some locales
    ali = customers.find_by_phone(shop, "03001234567")
    assert [e.method for e in khata.entries(shop, ali.id)] == [None, "JazzCash", "cash"]
    path = write(tmp_path, "date,phone,name,type,amount,method\n2026-03-01,03001234567,,credit,1,Bitcoin\n"
                           "2026-03-01,03001234567,,debit,1,cash\n", name="methods.csv")
    errors = refused(shop, import_khata, path)
    assert errors[0].startswith("line 2: method: 'Bitcoin' is not one of cash, card, bank transfer, JazzCash")
    assert errors[1] == "line 3: method: a debit has no payment method (only credits do)"


BAD_AMOUNTS = ["12.5.0", "-5", "1e3", "Rs 500", "12.345", "", "0", "1,250.50", "١٢٣", " 1 0 "]


def test_khata_malformed_amounts_name_line_and_field(shop, tmp_path):
    lines = [KHATA_HEADER, "2026-03-01,03001234567,Ali,debit,1,"]
    lines += [f'2026-03-02,03001234567,Ali,debit,"{amount}",' for amount in BAD_AMOUNTS]
    errors = refused(shop, import_khata, write(tmp_path, "\n".join(lines) + "\n"))
    assert [e.split(":")[0] for e in errors] == [f"line {n}" for n in range(3, 3 + len(BAD_AMOUNTS))]
    assert all(e.split(": ")[1] == "amount" for e in errors), errors
    assert errors[0] == "line 3: amount: '12.5.0' is not an amount like 1250.50"
    assert errors[4] == "line 7: amount: '12.345' has more than 2 decimal digits for PKR"
    assert errors[5] == "line 8: amount: is empty"
    assert errors[6] == "line 9: amount: must be more than zero"


def test_khata_minor_digits_follow_the_currency(make_shop, tmp_path):
    jpy = make_shop(country="JP", currency="JPY")
    ok = write(tmp_path, KHATA_HEADER + "\n2026-03-01,090-1234-5678,Sato,debit,15000,\n")
    import_khata(jpy, ok)
    assert customers.find_by_phone(jpy, "09012345678").balance == 15_000
    bad = write(tmp_path, KHATA_HEADER + "\n2026-03-01,090-1234-5678,Sato,debit,15000.5,\n", name="bad.csv")
    assert refused(jpy, import_khata, bad) == ["line 2: amount: '15000.5' has more than 0 decimal digits for JPY"]


KHATA_BAD_FIELDS = [
    ("date", "2026-02-30", "is not a real date"),
    ("date", "31/04/2026", "is not a real date"),
    ("date", "2026-13-01", "is not a real date"),
    ("date", "March 1", "not a date like 2026-03-31 or 31/03/2026"),
    ("date", "", "is empty"),
    ("date", "2999-01-01", "is in the future"),
    ("phone", "12345", "is not a valid phone number for PK"),
    ("phone", "0300 123", "is not a valid phone number for PK"),
    ("phone", "", "is empty"),
    ("type", "refund", "'refund' is not debit or credit"),
    ("type", "", "is empty; expected debit or credit"),
    ("name", "x" * 201, "longer than 200"),
]


def test_khata_bad_fields_name_line_and_field(shop, tmp_path):
    row = {"date": "2026-03-01", "phone": "0300 1234567", "name": "Ali", "type": "debit", "amount": "10",
           "note": ""}
    lines = [KHATA_HEADER, ",".join(row.values())]
    lines += [",".join({**row, column: value}.values()) for column, value, _reason in KHATA_BAD_FIELDS]
    errors = refused(shop, import_khata, write(tmp_path, "\n".join(lines) + "\n"))
    assert len(errors) == len(KHATA_BAD_FIELDS), errors
    for line, (error, (column, value, reason)) in enumerate(zip(errors, KHATA_BAD_FIELDS, strict=True), start=3):
        assert error.startswith(f"line {line}: {column}: ") and reason in error, (value, error)


def test_khata_missing_column_and_a_new_phone_with_no_name(shop, tmp_path):
    no_amount = write(tmp_path, "date,phone,name,type,note\n2026-03-01,03001234567,Ali,debit,\n")
    errors = refused(shop, import_khata, no_amount)
    assert errors == ["line 1: header: missing required column amount (the header has date, phone, name, type, note)"]
    errors = refused(shop, import_khata, write(tmp_path, KHATA_HEADER + "\n2026-03-01,03001234567,,debit,1,\n"
                                                         "2026-03-02,0300 1234567,,debit,1,\n"))
    assert errors == ["line 2: name: is required for a new customer (+923001234567 is not in the shop and no "
                      "line gives a name)"]
    # A name on a later line of the same phone is enough.
    import_khata(shop, write(tmp_path, KHATA_HEADER + "\n2026-03-01,03001234567,,debit,1,\n"
                                                      "2026-03-02,0300 1234567,Ali,debit,1,\n", name="ok.csv"))
    assert customers.find_by_phone(shop, "03001234567").name == "Ali"


def test_quoted_newlines_keep_line_numbers_of_the_file(shop, tmp_path):
    path = write(tmp_path, KHATA_HEADER + '\n2026-03-01,03001234567,Ali,debit,1,"two\nlines"\n'
                                          "2026-03-01,03001234567,Ali,debit,oops,\n")
    assert refused(shop, import_khata, path) == ["line 4: amount: 'oops' is not an amount like 1250.50"]


def test_khata_dry_run_reports_and_writes_nothing(shop, tmp_path):
    path = write(tmp_path, KHATA_HEADER + "\n2026-03-01,03001234567,Ali,debit,100,\n"
                                          "2026-03-01,03011234567,Bilal,credit,5,\n")
    before = import_store.counts()
    summary = import_khata(shop, path, dry_run=True)
    assert (summary.entries, summary.new_customers, summary.debits, summary.credits) == (2, 2, 10_000, 500)
    assert import_store.counts() == before


def _big_khata(tmp_path, lines: int, *, bad_last: bool):
    rows = [KHATA_HEADER]
    for i in range(lines - 1):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 600)
        phone = f"0300{i % 2000:07d}"
        kind = "credit" if i % 5 == 4 else "debit"
        rows.append(f"{day:%d/%m/%Y},{phone},Customer {i % 2000},{kind},{(i % 997) + 1}.{i % 100:02d},line {i + 2}")
    if bad_last:
        rows[-1] = "31/12/2025,03001234567,Customer 1,debit,1e3,the bad line"
    return write(tmp_path, "\n".join(rows) + "\n", name="big.csv")


@pytest.mark.slow
def test_50000_lines_with_one_bad_line_at_the_end_are_refused_whole_in_seconds(shop, tmp_path):
    customers.add(shop, name="Already here", phone="0300 0000001")
    before = import_store.counts()
    started = time.perf_counter()
    errors = refused(shop, import_khata, _big_khata(tmp_path, 50_000, bad_last=True))
    print(f"\n50k-line bad khata refused in {time.perf_counter() - started:.2f}s on {type(shop.db).__name__}")
    assert errors == ["line 50000: amount: '1e3' is not an amount like 1250.50"]
    assert import_store.counts() == before == (1, 0)
    assert customers.find_by_phone(shop, "03000000001").balance == 0


# About 1.3 s on SQLite and 2 s on PostgreSQL on the development machine (bench/ is where figures
# belong; this only proves the bulk path at scale on both backends).
@pytest.mark.slow
def test_a_valid_50000_line_file_imports_whole_in_seconds(shop, tmp_path):
    path = _big_khata(tmp_path, 50_000, bad_last=False)
    started = time.perf_counter()
    summary = import_khata(shop, path)
    print(f"\n50k-line khata imported in {time.perf_counter() - started:.2f}s on {type(shop.db).__name__}")
    assert (summary.entries, summary.new_customers) == (49_999, 2000)
    assert import_store.counts() == (2000, 49_999)
    assert KhataEntry.select().where(KhataEntry.till == shop.till).count() == 49_999
    assert check(shop) == []
    assert len(customers.search(shop, "customer 1999")) == 1
