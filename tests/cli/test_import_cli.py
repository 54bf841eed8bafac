"""`kiosk import customers|khata`: the contract the shop's scripts rely on, on SQLite and PostgreSQL."""

import json

import pytest

KHATA = "date,phone,name,type,amount,note\n"


def write(tmp_path, text: str, name: str = "file.csv", *, bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def credit(cli) -> dict:
    result = cli("report", "credit", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_import_customers_then_khata_with_excel_bom(cli_shop, tmp_path):
    people = write(tmp_path, "Name,Phone,CNIC,Credit Limit,Group\r\n"
                             "محمد علی,0300-1234567,35202-1234567-1,5000,Wholesale\r\n"
                             "Bilal,+92 301 1234567,,,\r\n", bom=True)
    result = cli_shop("import", "customers", people)
    assert (result.code, result.err) == (0, "")
    assert result.out == f"Imported from {people}: 2 customers\n"

    history = write(tmp_path, KHATA + "2026-01-05,923001234567,,debit,1250.50,sugar\n"
                                      "05/02/2026,0333 1234567,Naveed,debit,100,\n"
                                      "2026-03-01,03001234567,,credit,200,paid\n", name="khata.csv", bom=True)
    result = cli_shop("import", "khata", history)
    assert result.code == 0, result.err
    assert result.out == (f"Imported from {history}: 3 khata entries for 2 customers (1 new): "
                          "debits Rs1,350.50, credits Rs200.00\n")
    report = credit(cli_shop)
    assert {c["name"]: c["balance"] for c in report["customers"]} == {"محمد علی": "1050.50", "Naveed": "100.00"}
    assert report["total_outstanding"] == "1150.50"
    assert cli_shop("check").code == 0


def test_every_bad_line_on_its_own_stderr_line_and_nothing_imported(cli_shop, tmp_path):
    cli_shop("import", "khata", write(tmp_path, KHATA + "2026-01-05,03001234567,Ali,debit,10,\n", name="ok.csv"))
    before = credit(cli_shop)
    bad = write(tmp_path, KHATA + "2026-01-05,03001234567,Ali,debit,12.5.0,\n"
                                  "2026-02-30,12345,Ali,refund,-5,\n"
                                  "2026-01-07,03001234567,Ali,credit,5,\n"
                                  "31/04/2026,0300 1234567,Ali,debit,Rs 500,\n")
    result = cli_shop("import", "khata", bad)
    assert result.code == 1 and result.out == ""
    assert result.err.splitlines() == [
        "line 2: amount: '12.5.0' is not an amount like 1250.50",
        "line 3: date: '2026-02-30' is not a real date (day is out of range for month)",
        "line 3: phone: '12345' is not a valid phone number for PK",
        "line 3: type: 'refund' is not debit or credit",
        "line 3: amount: '-5' is not an amount like 1250.50",
        "line 5: date: '31/04/2026' is not a real date (day is out of range for month)",
        "line 5: amount: 'Rs 500' is not an amount like 1250.50",
        f"kiosk: {bad}: 7 problems on 3 lines; nothing was imported",
    ]
    assert credit(cli_shop) == before
    assert "Traceback" not in result.err


def test_dry_run_reports_and_writes_nothing(cli_shop, tmp_path):
    path = write(tmp_path, KHATA + "2026-01-05,03001234567,Ali,debit,10,\n")
    result = cli_shop("import", "khata", path, "--dry-run")
    assert result.code == 0
    assert result.out.startswith(f"Dry run: {path} is good; it would import 1 khata entry for 1 customer (1 new): "
                                 "debits Rs10.00, credits Rs0.00.")
    assert result.out.endswith("Nothing was written.\n")
    assert credit(cli_shop)["customers"] == []
    assert cli_shop("import", "khata", path).code == 0
    again = cli_shop("import", "khata", path)
    assert again.code == 1 and "already imported" in again.err and "--again" in again.err
    assert cli_shop("import", "khata", path, "--again").code == 0
    assert credit(cli_shop)["customers"][0]["balance"] == "20.00"


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file, not a CSV text file (it contains NUL bytes)"),
    (b"", "is empty; expected a header line like date,phone,name,type,…"),
    (KHATA.encode(), "has a header but no rows to import"),
    (b"date,phone,name,type\n2026-01-01,03001234567,Ali,debit\n", "line 1: header: missing required column amount"),
])
def test_files_refused_whole_get_one_clear_message(cli_shop, tmp_path, content, message):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    result = cli_shop("import", "khata", path)
    assert result.code == 1 and result.out == ""
    assert message in result.err and "Traceback" not in result.err
    assert len(result.err.splitlines()) <= 2


def test_missing_file_and_help(cli_shop, tmp_path):
    result = cli_shop("import", "customers", tmp_path / "nope.csv")
    assert result.code == 1 and result.err == f"kiosk: {tmp_path / 'nope.csv'}: no such file\n"
    help_text = cli_shop("import", "khata", "--help").out
    assert "date, phone, name, type, amount, note" in help_text and "--dry-run" in help_text
    assert "credit_limit" in cli_shop("import", "customers", "--help").out
