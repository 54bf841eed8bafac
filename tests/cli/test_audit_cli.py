"""`kiosk audit`: the log newest first, its filters, JSON for scripts, bad input; managers and owners only."""

import datetime as dt
import json

import pytest

from kiosk.domain.errors import KioskError
from kiosk.services import audit
from kiosk.services.context import Context
from kiosk.store.shop import UserRef

KEYS = {"id", "at", "user", "user_id", "role", "till", "action", "record", "detail", "hash"}


@pytest.fixture
def busy(cli_shop):
    for args in (("product", "add", "--sku", "ATTA", "--name", "Atta 20kg", "--price", "2400"),
                 ("customer", "add", "--name", "Amina", "--phone", "0300 1234567"),
                 ("khata", "give", "1", "500"),
                 ("khata", "receive", "1", "200"),
                 ("sell", "--item", "ATTA", "--pay", "cash", "--id", "s-1")):
        r = cli_shop(*args)
        assert r.code == 0, (args, r.err)
    return cli_shop


def _json(cli, *args, logins: bool = False):
    """The rows, without the login.ok row every command's own PIN login writes (unless asked for)."""
    r = cli("audit", "--json", *args)
    assert r.code == 0, r.err
    return [row for row in json.loads(r.out) if logins or row["action"] != "login.ok"]


def test_the_log_newest_first_with_who_role_what_record_when_till(busy):
    everything = _json(busy, logins=True)
    # Each command logged in with its PIN first, the audit command too (its login is the newest row).
    assert [r["action"] for r in everything[:2]] == ["login.ok", "sale"]
    assert sum(r["action"] == "login.ok" for r in everything) == 6
    rows = _json(busy)
    assert [r["action"] for r in rows] == ["sale", "khata.credit", "khata.debit", "customer.add", "product.add",
                                           "shop.init"]
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert all(set(r) == KEYS for r in rows)
    sale = rows[0]
    assert (sale["user"], sale["role"], sale["till"], sale["record"]) == ("owner", "owner", "till-1", "sale:s-1")
    assert dt.datetime.fromisoformat(sale["at"]).date() == dt.date.today()
    assert sale["detail"]["total"] == 240000 and len(sale["hash"]) == 64
    text = busy("audit", "--action", "sale")
    assert text.code == 0
    lines = text.out.splitlines()
    assert lines[0].split() == ["id", "when", "till", "user", "role", "action", "record", "detail"]
    assert "till-1" in lines[2] and "owner" in lines[2] and "sale:s-1" in lines[2]


def test_filters_by_action_prefix_user_dates_and_limit(busy):
    assert [r["action"] for r in _json(busy, "--action", "khata")] == ["khata.credit", "khata.debit"]
    assert [r["action"] for r in _json(busy, "--action", "khata.d")] == ["khata.debit"]
    assert _json(busy, "--action", "k%") == []  # a prefix, not a LIKE pattern
    assert len(_json(busy, "--user", "owner")) == 6
    today, yesterday = dt.date.today(), dt.date.today() - dt.timedelta(days=1)
    assert len(_json(busy, "--from", today.isoformat(), "--to", today.strftime("%d/%m/%Y"))) == 6
    assert _json(busy, "--to", yesterday.isoformat()) == []
    assert _json(busy, "--from", (today + dt.timedelta(days=1)).isoformat()) == []
    assert [r["action"] for r in _json(busy, "--limit", "3", logins=True)] == ["login.ok", "login.ok", "login.ok"]
    assert len(_json(busy, "--limit", "0")) == 6  # 0: all


def test_nothing_matching_says_so(busy):
    r = busy("audit", "--action", "nothing.like.this")
    assert r.code == 0 and r.out.strip() == "No audit rows match."


@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2026-02-30"), "kiosk: from: '2026-02-30' is not a real date"),
    (("--to", "yesterday"), "kiosk: to: 'yesterday' is not a date like 2026-03-31 or 31/03/2026"),
    (("--from", "2026-03-02", "--to", "2026-03-01"), "kiosk: to: 2026-03-01 is before from 2026-03-02"),
    (("--user", "Nobody"), "kiosk: user: no user is named 'Nobody'"),
    (("--limit", "-1"), "kiosk: limit: -1 is below zero"),
])
def test_bad_input_is_one_line_naming_the_field(busy, args, message):
    r = busy("audit", *args)
    assert r.code == 1 and r.out == ""
    assert r.err.startswith(message) and len(r.err.strip().splitlines()) == 1


@pytest.mark.parametrize("role", ["cashier", "viewer"])
def test_only_managers_and_owners_may_read_it(shop, role):
    someone = Context(db=shop.db, shop=shop.shop, user=UserRef(99, "Kashif", role), till="till-1")
    with pytest.raises(KioskError, match=f"^Kashif is a {role}: only managers and owners can read the audit log$"):
        audit.read(someone)
    nobody = Context(db=shop.db, shop=shop.shop, user=None, till="till-1")
    with pytest.raises(KioskError, match="^nobody is logged in: only managers and owners can read the audit log$"):
        audit.read(nobody)
    manager = Context(db=shop.db, shop=shop.shop, user=UserRef(98, "Mona", "manager"), till="till-1")
    assert [r.action for r in audit.read(manager)] == ["shop.init"]
