"""The command-line contract: init, migrate, check, backup/restore, customers, khata, reports, errors."""

import json
import subprocess
import sys

import pytest

from kiosk.cli import build_parser
from tests.conftest import OWNER_PIN


def _all_commands():
    parser = build_parser()
    stack, found = [((), parser)], []
    while stack:
        path, p = stack.pop()
        for action in p._actions:  # argparse has no public walk of sub-commands
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    found.append(path + (name,))
                    stack.append((path + (name,), sub))
    return sorted(found)


@pytest.mark.parametrize("command", _all_commands(), ids=" ".join)
def test_every_command_documents_itself(command, capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args([*command, "--help"])
    assert exc.value.code == 0
    assert "usage: kiosk" in capsys.readouterr().out


def test_init_reads_the_pin_twice_from_stdin_and_stores_only_a_slow_hash(cli):
    result = cli("init", "--shop-name", "Duka la Mama", "--country", "KE", "--currency", "KES",
                 stdin=f"{OWNER_PIN}\n{OWNER_PIN}\n")
    assert result.code == 0, result.err
    assert "Duka la Mama (KE, KES)" in result.out
    from kiosk.store.models import User

    owner = User.get()
    assert owner.role == "owner" and owner.pin_hash.startswith("scrypt-pepper$") and OWNER_PIN not in owner.pin_hash


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [((), "1234\n4321\n", "pin: the two PINs do not match"),
     ((), "12\n12\n", "pin: must be 4 to 8 digits"),
     ((), "123456789\n123456789\n", "pin: must be 4 to 8 digits"),
     ((), "1234\n", "give the PIN twice"),
     (("--country", "XX"), "1234\n1234\n", "country: 'XX' is not a two-letter country code"),
     (("--currency", "RUPEES"), "1234\n1234\n", "currency: 'RUPEES' is not an ISO 4217 currency code")],
)
def test_init_refuses_bad_input_with_one_line(cli, args, stdin, message):
    base = {"--shop-name": "S", "--country": "PK", "--currency": "PKR"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = cli("init", *[x for kv in base.items() for x in kv], stdin=stdin)
    assert result.code == 1
    assert result.err.strip() == f"kiosk: {message}" or message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_init_twice_is_refused(cli_shop):
    result = cli_shop("init", "--shop-name", "Again", "--country", "PK", "--currency", "PKR", stdin="1234\n1234\n")
    assert result.code == 1 and ("already" in result.err)


def test_customers_and_khata_from_the_command_line(cli_shop):
    assert cli_shop("customer", "add", "--name", "محمد علی", "--phone", "0300-1234567",
                    "--credit-limit", "5000").code == 0
    r = cli_shop("khata", "give", "1", "1250.50", "--sale", "--date", "2026-06-01")
    assert r.code == 0 and "balance Rs1,250.50" in r.out
    r = cli_shop("khata", "give", "1", "4000")
    assert r.code == 1 and "credit limit Rs5,000.00 would be exceeded" in r.err
    r = cli_shop("khata", "receive", "1", "250.50", "--method", "JazzCash", "--key", "abc")
    assert r.code == 0 and "balance Rs1,000.00" in r.out
    assert "balance Rs1,000.00" in cli_shop("khata", "receive", "1", "250.50", "--key", "abc").out  # booked once
    assert "محمد علی" in cli_shop("customer", "search", "0300 123").out
    shown = cli_shop("khata", "show", "1").out
    assert "1,250.50" in shown and "JazzCash" in shown
    r = cli_shop("report", "credit", "--json", "--as-of", "2026-11-22")
    report = json.loads(r.out)
    assert report["customers"][0]["balance"] == "1000.00"
    assert report["customers"][0]["ageing"]["90+"] == "1000.00"
    table = cli_shop("report", "credit", "--as-of", "22/11/2026").out
    assert "محمد علی" in table and "Total outstanding: Rs1,000.00" in table


@pytest.mark.parametrize("amount", ["12.5.0", "-5", "1e3", "Rs 500", "1.234", ""])
def test_malformed_amounts_are_one_line_errors_and_change_nothing(cli_shop, amount):
    cli_shop("customer", "add", "--name", "Amina")
    r = cli_shop("khata", "give", "1", amount)
    assert r.code == 1 and r.err.startswith("kiosk: amount:") and r.err.count("\n") == 1
    assert '"total_outstanding": "0.00"' in cli_shop("report", "credit", "--json").out


@pytest.mark.parametrize(("args", "message"), [
    (("customer", "add", "--name", "X", "--phone", "12345"), "phone: '12345' is not a valid phone number for PK"),
    (("customer", "add", "--name", "X", "--cnic", "1234"), "cnic:"),
    (("customer", "add", "--name", "X", "--birth-date", "2026-02-30"), "birth_date: '2026-02-30' is not a real date"),
    (("customer", "show", "99"), "customer 99 does not exist"),
    (("report", "credit", "--as-of", "31/04/2026"), "as-of: '31/04/2026' is not a real date"),
    (("khata", "reverse", "42", "--reason", "x"), "reverses: khata entry 42 does not exist"),
])
def test_bad_input_gets_one_clear_line(cli_shop, args, message):
    r = cli_shop(*args)
    assert r.code == 1 and message in r.err and "Traceback" not in r.err


def test_check_passes_then_lists_each_problem_and_exits_1(cli_shop):
    cli_shop("customer", "add", "--name", "Drifter")
    cli_shop("khata", "give", "1", "100")
    r = cli_shop("check")
    assert r.code == 0 and r.out.startswith("OK")
    from kiosk.store.models import Customer, KhataEntry

    Customer.update(balance=Customer.balance + 1).execute()  # a drifted cache
    KhataEntry.insert(customer=1, kind="reversal", amount=5, date="2026-01-01", till="x").execute()  # no target
    r = cli_shop("check")
    assert r.code == 1
    assert "customer 1 (Drifter): cached balance Rs100.01 but entries sum to" in r.out
    assert "is a reversal that points at no entry" in r.out
    assert "problem(s) found" in r.err


def test_migrate_status_and_backup_restore_commands(cli_shop, tmp_path):
    r = cli_shop("migrate")
    assert r.code == 0 and "Up to date" in r.out
    assert "applied  0001_initial" in cli_shop("migrate", "--status").out
    if cli_shop.url.startswith("postgresql"):
        r = cli_shop("backup", str(tmp_path / "b.db"))
        assert r.code == 1 and "pg_dump" in r.err
        return
    cli_shop("customer", "add", "--name", "Saved")
    assert cli_shop("backup", str(tmp_path / "b.db")).code == 0
    cli_shop("customer", "add", "--name", "Lost After Restore")
    r = cli_shop("restore", str(tmp_path / "b.db"))
    assert r.code == 0 and "previous file is kept" in r.out
    out = cli_shop("customer", "search", "").out
    assert "Saved" in out and "Lost After Restore" not in out
    (tmp_path / "x.csv").write_text("name\nnot a db\n")
    r = cli_shop("restore", str(tmp_path / "x.csv"))
    assert r.code == 1 and "refusing to restore" in r.err


def test_a_cold_cli_imports_no_heavy_library():
    """`kiosk --help` on an old till must not pay for textual, weasyprint, escpos or keyring."""
    code = ("import sys; from kiosk.cli import build_parser; build_parser().format_help(); "
            "heavy = [m for m in ('textual', 'weasyprint', 'escpos', 'keyring', 'peewee', 'psycopg') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_no_database_gives_the_command_that_fixes_it(tmp_path, capsys):
    from kiosk.cli import main

    assert main(["--db", str(tmp_path / "none.db"), "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: no shop database at") and "run `kiosk init`" in err and err.count("\n") == 1
