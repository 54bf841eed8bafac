"""`kiosk loyalty …`: expire, history, adjust, campaigns and tiers on the command line, on both backends."""

import pytest


@pytest.fixture
def loyal(cli_shop):
    """A shop whose points expire a month after earning, with one customer holding two lots."""
    assert cli_shop("config", "set", "loyalty.expiry_months", "1").code == 0
    assert cli_shop("customer", "add", "--name", "Ayesha", "--phone", "0300 1234567").code == 0
    assert cli_shop("loyalty", "adjust", "1", "1000", "--reason", "opening balance", "--date", "2026-01-01").code == 0
    assert cli_shop("loyalty", "adjust", "1", "500", "--reason", "birthday", "--date", "2026-01-20").code == 0
    return cli_shop


def test_adjust_history_and_expiry(loyal):
    r = loyal("loyalty", "adjust", "1", "-200", "--reason", "wrong customer", "--date", "2026-01-25")
    assert r.code == 0 and r.out.strip() == "Entry 3: took back 200 points; balance 1300 points"
    r = loyal("loyalty", "history", "1")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "Points of Ayesha (customer 1), tier New"
    assert lines[3].split() == ["1", "2026-01-01", "earn", "+1000", "1000", "2026-02-01", "800", "opening",
                                "balance"]
    assert lines[5].split()[:5] == ["3", "2026-01-25", "take-back", "-200", "1300"]
    assert lines[-1] == "Balance 1300 points: 800 expire 2026-02-01, 500 expire 2026-02-20"

    r = loyal("loyalty", "expire", "--as-of", "2026-02-05")
    assert r.code == 0 and r.out.strip() == "Expired 800 points of 1 customer(s) as of 2026-02-05"
    r = loyal("loyalty", "expire", "--as-of", "05/02/2026")  # the same day again, typed day first
    assert r.code == 0 and r.out.strip() == "Nothing to expire as of 2026-02-05"
    assert loyal("loyalty", "history", "1").out.splitlines()[-1] == "Balance 500 points: 500 expire 2026-02-20"
    assert loyal("loyalty", "expire").out.strip().startswith("Expired 500 points of 1 customer(s) as of ")
    assert loyal("check").code == 0


def test_adjust_books_once_per_key(loyal):
    assert loyal("loyalty", "adjust", "1", "50", "--reason", "gift", "--key", "k1").code == 0
    r = loyal("loyalty", "adjust", "1", "50", "--reason", "gift", "--key", "k1")
    assert r.code == 0 and "balance 1550 points" in r.out


@pytest.mark.parametrize(("args", "message"), [
    (("loyalty", "adjust", "1", "500"), "kiosk: reason: a points adjustment needs a reason"),
    (("loyalty", "adjust", "1", "-2000", "--reason", "x"),
     "kiosk: adjust: take back: 2000 points asked, the customer has 1500"),
    (("loyalty", "adjust", "1", "12.5", "--reason", "x"), "points: '12.5' is not a whole number of points"),
    (("loyalty", "adjust", "1", "0", "--reason", "x"), "points: must not be zero"),
    (("loyalty", "adjust", "9", "10", "--reason", "x"), "customer 9 does not exist"),
    (("loyalty", "history", "9"), "customer 9 does not exist"),
    (("loyalty", "expire", "--as-of", "2099-01-01"), "as-of: 2099-01-01 is in the future"),
    (("loyalty", "expire", "--as-of", "31/02/2026"), "as-of: '31/02/2026' is not a real date"),
    (("loyalty", "tier", "1", "Gold"), "tier: 'Gold' is not a tier: New, Regular, VIP, or auto to unpin"),
    (("loyalty", "campaign", "add", "X", "--from", "2026-03-05", "--to", "2026-03-01", "--multiplier", "2"),
     "to: the campaign ends (2026-03-01) before it starts (2026-03-05)"),
    (("loyalty", "campaign", "add", "X", "--from", "2026-03-01", "--to", "2026-03-05", "--multiplier", "0"),
     "multiplier: '0': a multiplier must be more than 0"),
    (("loyalty", "campaign", "add", "X", "--from", "2026-03-01", "--to", "2026-03-05", "--multiplier", "x"),
     "multiplier: 'x' is not a multiplier like 1.5"),
    (("loyalty", "campaign", "add", "X", "--from", "2026-03-01", "--to", "2026-03-05", "--multiplier", "2",
      "--tiers", "Gold"), "tier: 'Gold' is not a tier"),
    (("loyalty", "campaign", "add", "X", "--from", "2026-03-01", "--to", "2026-03-05", "--multiplier", "2",
      "--groups", "Friends"), "groups: 'Friends' is not a customer group (Retail, Wholesale, Corporate, Walk-in)"),
    (("loyalty", "campaign", "end", "Nope"), "no campaign named 'Nope'"),
])
def test_bad_input_gets_one_clear_line_and_changes_nothing(loyal, args, message):
    before = loyal("loyalty", "history", "1").out
    r = loyal(*args)
    assert r.code == 1 and message in r.err and "Traceback" not in r.err and len(r.err.splitlines()) == 1
    assert loyal("loyalty", "history", "1").out == before
    assert loyal("loyalty", "campaign", "list").out.startswith("No campaigns yet")


def test_campaigns_add_list_end(loyal):
    r = loyal("loyalty", "campaign", "add", "Ramadan", "--from", "2026-02-18", "--to", "2026-03-19",
              "--multiplier", "2")
    assert r.code == 0 and r.out.strip() == \
        "Campaign 'Ramadan': points x2 from 2026-02-18 to 2026-03-19 for every group; every tier"
    r = loyal("loyalty", "campaign", "add", "Eid", "--from", "2099-03-19", "--to", "2099-03-22",
              "--multiplier", "1.50", "--groups", "retail,wholesale", "--tiers", "vip,Regular")
    assert r.code == 0 and "for Retail, Wholesale; VIP, Regular" in r.out
    rows = [line.split() for line in loyal("loyalty", "campaign", "list").out.splitlines()[2:]]
    assert rows == [["Ramadan", "2026-02-18", "2026-03-19", "x2", "all", "all", "over"],
                    ["Eid", "2099-03-19", "2099-03-22", "x1.5", "Retail,Wholesale", "VIP,Regular", "upcoming"]]
    assert loyal("loyalty", "campaign", "end", "eid").out.strip() == "Campaign 'Eid' ended"
    assert loyal("loyalty", "campaign", "list").out.splitlines()[3].split()[-1] == "ended"
    r = loyal("loyalty", "campaign", "add", "EID", "--from", "2099-03-19", "--to", "2099-03-22", "--multiplier", "2")
    assert r.code == 1 and "a campaign named 'EID' already exists" in r.err


def test_a_tier_is_pinned_and_unpinned(loyal):
    r = loyal("loyalty", "tier", "1", "vip")
    assert r.code == 0 and r.out.strip() == "Customer 1: tier VIP (pinned until `kiosk loyalty tier 1 auto`)"
    assert "tier VIP" in loyal("loyalty", "history", "1").out.splitlines()[0]
    r = loyal("loyalty", "tier", "1", "AUTO")
    assert r.code == 0 and r.out.strip() == "Customer 1: tier New (unpinned: sales decide it again)"


def test_check_catches_a_drifted_points_cache(loyal):
    assert loyal("check").code == 0
    from kiosk.store.models import Customer

    Customer.update(points=Customer.points + 7).execute()
    r = loyal("check")
    assert r.code == 1 and "customer 1 (Ayesha): cached points 1507 but points entries sum to 1500" in r.out


def test_help_documents_every_loyalty_command(cli_shop):
    r = cli_shop("loyalty", "--help")
    assert r.code == 0 and all(word in r.out for word in ("expire", "history", "adjust", "campaign", "tier"))
    r = cli_shop("loyalty", "campaign", "add", "--help")
    assert r.code == 0 and "--multiplier" in r.out and "--groups" in r.out and "--tiers" in r.out
