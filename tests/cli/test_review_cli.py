"""`kiosk review`: a manager's, owner's or viewer's PIN opens the shop read-only; every write is refused."""

import json

import pytest


@pytest.fixture
def shop_with_books(cli_shop):
    for args in (("customer", "add", "--name", "Amina", "--phone", "0300 1234567"),
                 ("khata", "give", "1", "500"),
                 ("user", "add", "Vee", "--role", "viewer"),
                 ("user", "add", "Sana", "--role", "cashier")):
        r = cli_shop(*args, stdin="5555\n5555\n" if "Vee" in args else "6666\n6666\n")
        assert r.code == 0, (args, r.err)
    return cli_shop


def test_a_viewer_reads_reports_and_every_change_is_refused(shop_with_books, monkeypatch):
    monkeypatch.setenv("KIOSK_PIN", "5555")
    session = "\n".join(["report credit", "customer show 0300-1234567 --json", "khata receive 1 100",
                         "customer add --name Intruder --phone 0300-7654321", "config set sale.cash_rounding 5",
                         "init --shop-name X --country PK --currency PKR", "quit"]) + "\n"
    r = shop_with_books("review", stdin=session)
    assert r.code == 0, r.err
    assert "Kiosk review of Test Kiryana: Vee (viewer). Read-only" in r.out
    assert "Amina" in r.out and "500.00" in r.out  # the credit report and the customer card
    refusals = [line for line in r.err.splitlines() if line]
    assert len(refusals) == 4, refusals
    # A viewer is refused by role before the read-only database is even asked.
    assert refusals[:3] == ["kiosk: Vee is a viewer: only cashiers, managers and owners can take a khata payment",
                            "kiosk: Vee is a viewer: only cashiers, managers and owners can add a customer",
                            "kiosk: Vee is a viewer: only managers and owners can change the loyalty and checkout "
                            "settings"]
    assert refusals[3] == "kiosk: `init` is not available in review"
    monkeypatch.setenv("KIOSK_PIN", "4321")
    card = json.loads(shop_with_books("customer", "show", "1", "--json").out)
    assert card["balance"] == "500.00"
    assert "Intruder" not in shop_with_books("customer", "search", "Intruder").out
    audit = json.loads(shop_with_books("audit", "--json", "--action", "login").out)
    assert any(row["user"] == "Vee" and row["action"] == "login.ok" for row in audit)


def test_a_cashier_cannot_review(shop_with_books, monkeypatch):
    monkeypatch.setenv("KIOSK_PIN", "6666")
    r = shop_with_books("review", stdin="report credit\nquit\n")
    assert r.code == 1 and r.err.strip() == "kiosk: Sana is a cashier: review is for managers, owners and viewers"


def test_a_wrong_pin_is_refused_and_counted(shop_with_books, monkeypatch):
    monkeypatch.setenv("KIOSK_PIN", "0000")
    r = shop_with_books("review", stdin="")
    assert r.code == 1 and "wrong PIN" in r.err


def test_even_a_managers_writes_are_refused_in_review(shop_with_books, monkeypatch):
    assert shop_with_books("user", "add", "Mona", "--role", "manager", stdin="2468\n2468\n").code == 0
    monkeypatch.setenv("KIOSK_PIN", "2468")
    r = shop_with_books("review", stdin="khata receive 1 100\nconfig set sale.cash_rounding 5\nquit\n")
    assert r.code == 0 and "Mona (manager)" in r.out
    assert r.err.splitlines() == ["kiosk: this is a read-only review session: nothing can be changed here"] * 2
