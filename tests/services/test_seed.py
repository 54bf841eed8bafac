"""`kiosk seed`: a deterministic synthetic shop whose books are whole, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re

import phonenumbers
import pytest
from peewee import fn

from kiosk.domain.errors import KioskError, ValidationError

TODAY = dt.date(2026, 3, 31)
N, M = 60, 600


def _seed(ctx, customers=N, sales=M, seed=5, **kw):
    from kiosk.services.seed import seed_shop

    return seed_shop(ctx, customers=customers, sales=sales, seed=seed, today=TODAY, **kw)


def _dump(ctx) -> tuple[list, list]:
    """Every column of every customer and entry, as the database holds them."""
    customers = ctx.db.execute_sql("SELECT * FROM customer ORDER BY id").fetchall()
    entries = ctx.db.execute_sql("SELECT * FROM khata_entry ORDER BY id").fetchall()
    return customers, entries


@pytest.fixture
def other_url(db_url, empty_database):
    """A second empty database on the same backend as `db_url`."""
    return empty_database("postgres" if db_url.startswith("postgresql") else "sqlite")


def test_the_same_seed_gives_the_same_shop_byte_for_byte(shop, other_url):
    from kiosk.services.shop import init_shop

    _seed(shop)
    first = _dump(shop)
    shop.close()
    other = init_shop(other_url, name="Test Kiryana", country="PK", currency="PKR", owner_pin="4321")
    try:
        _seed(other)
        second = _dump(other)
    finally:
        other.close()
    assert first == second
    assert len(first[0]) == N and len(first[1]) == M


def test_another_seed_gives_another_shop(shop):
    _seed(shop, customers=20, sales=50, seed=1)
    names_1 = [row[1] for row in _dump(shop)[0]]
    _seed(shop, customers=20, sales=50, seed=2)
    names_2 = [row[1] for row in _dump(shop)[0][20:]]
    assert names_1 != names_2


def test_counts_kinds_and_books_are_whole(shop):
    from kiosk.services.check import check
    from kiosk.store.models import Customer, KhataEntry

    result = _seed(shop, customers=100, sales=2000)
    assert Customer.select().count() == 100
    assert KhataEntry.select().count() == 2000
    assert result.entries == 2000 == result.sales + result.payments + result.gave + result.reversals
    # About 60% sales, 35% payments, a few gave entries and reversals.
    assert 1000 < result.sales < 1500 and 550 < result.payments < 850
    assert 0 < result.gave < 150 and 0 < result.reversals < 100
    debits = (KhataEntry.select(KhataEntry.source, fn.COUNT(KhataEntry.id)).where(KhataEntry.kind == "debit")
              .group_by(KhataEntry.source).tuples())
    assert dict(debits) == {"sale": result.sales, "gave": result.gave}
    assert KhataEntry.select().where(KhataEntry.kind == "credit").count() == result.payments
    assert check(shop) == []
    assert result.net_balance == sum(c.balance for c in Customer.select(Customer.balance))


def test_entries_are_realistic_and_made_by_the_acting_user_on_this_till(shop):
    from kiosk.store.models import KhataEntry

    _seed(shop)
    methods = set(shop.shop.payment_methods)
    for e in KhataEntry.select():
        assert TODAY - dt.timedelta(days=364) <= e.date <= TODAY
        assert e.user_id == shop.user.id and e.till == shop.till
        assert e.created_at.date() == e.date
        if e.kind == "debit" and e.source == "sale":
            assert 50_00 <= e.amount <= 20_000_00  # PKR 50 to 20,000
        if e.kind == "credit":
            assert e.method in methods
        if e.kind == "reversal":
            target = KhataEntry.get_by_id(e.reverses_id)
            assert target.customer_id == e.customer_id and target.amount == e.amount
            assert target.date <= e.date and target.id < e.id and e.note
    dates = [e.date for e in KhataEntry.select().order_by(KhataEntry.id)]
    assert dates == sorted(dates)  # ids follow the days, as in a real shop
    assert len(set(dates)) > 200  # spread over the year


def test_phones_are_valid_unique_e164_for_the_shop_country(shop):
    from kiosk.store.models import Customer

    _seed(shop, customers=200, sales=0)
    phones = [c.phone for c in Customer.select(Customer.phone) if c.phone]
    assert len(phones) > 170
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert re.fullmatch(r"\+92\d{10}", phone)
        assert phonenumbers.is_valid_number_for_region(phonenumbers.parse(phone), "PK")


def test_customers_have_cnics_emails_tiers_groups_and_limits(shop):
    from kiosk.domain.cnic import normalize_cnic
    from kiosk.domain.customers import clean_email
    from kiosk.services import customers

    _seed(shop, customers=300, sales=0)
    people = [customers.get(shop, i) for i in range(1, 301)]
    cnics = [c.cnic for c in people if c.cnic]
    assert 30 < len(cnics) < 150
    assert all(normalize_cnic(c) == c and c[0] in "1234567" for c in cnics)
    emails = [c.email for c in people if c.email]
    assert emails and all(clean_email(e) == e for e in emails)
    assert {c.tier.value for c in people} == {"New", "Regular", "VIP"}
    assert {c.group for c in people} == {"Retail", "Wholesale", "Corporate", "Walk-in"}
    assert any(c.credit_limit for c in people) and any(c.credit_limit is None for c in people)
    assert all(c.created_at.date() <= TODAY for c in people)


def test_some_names_are_in_urdu_and_found_by_search(shop):
    from kiosk.services.customers import search
    from kiosk.store.models import Customer

    _seed(shop, customers=300, sales=0)
    urdu = [c.name for c in Customer.select(Customer.name) if re.search(r"[\u0600-\u06ff]", c.name)]
    assert 5 < len(urdu) < 60  # about a tenth of the Pakistani customers
    found = search(shop, "محمد")
    assert found and all("محمد" in c.name for c in found)
    rows = Customer.select().where(Customer.name.contains("محمد"))
    assert all(r.name_key == r.name.casefold() and r.name.casefold() in r.search_text for r in rows)


def test_search_finds_seeded_customers_by_phone_and_name(shop):
    from kiosk.services.customers import search
    from kiosk.store.models import Customer

    _seed(shop, customers=50, sales=0)
    someone = Customer.select().where(Customer.phone.is_null(False)).order_by(Customer.id).first()
    national = "0" + someone.phone[3:]  # +923001234567 -> 03001234567
    assert [c.id for c in search(shop, national)] == [someone.id]
    assert someone.id in [c.id for c in search(shop, someone.name[:4], limit=100)]


def test_seeding_a_shop_that_has_customers_adds_to_it(shop):
    from kiosk.services import customers, khata
    from kiosk.services.check import check

    ali = customers.add(shop, name="Ali Raza", phone="0300 1234567")
    khata.give(shop, ali.id, 5000)
    first = _seed(shop, customers=30, sales=200)
    second = _seed(shop, customers=30, sales=200)  # the same seed again: new people, new phones
    assert (first.first_customer_id, first.last_customer_id) == (2, 31)
    assert (second.first_customer_id, second.last_customer_id) == (32, 61)
    assert customers.get(shop, ali.id).balance == 5000
    assert len(khata.entries(shop, ali.id)) == 1
    assert check(shop) == []
    # The app's own writes carry on after the seeded ids (PostgreSQL's sequences moved on).
    later = customers.add(shop, name="Later Customer")
    assert later.id == 62
    assert khata.give(shop, later.id, 100).id == 1 + 200 + 200 + 1


def test_other_countries_and_currencies(make_shop):
    from kiosk.services.check import check
    from kiosk.store.models import Customer, KhataEntry

    ctx = make_shop(country="KE", currency="KES", name="Mama Njeri Duka")
    result = _seed(ctx, customers=40, sales=300)
    phones = [c.phone for c in Customer.select(Customer.phone) if c.phone]
    assert phones and all(phonenumbers.is_valid_number_for_region(phonenumbers.parse(p), "KE") for p in phones)
    assert all(p.startswith("+254") for p in phones)
    assert not any(c.cnic for c in Customer.select(Customer.cnic))  # CNICs are Pakistan's
    methods = {e.method for e in KhataEntry.select().where(KhataEntry.kind == "credit")}
    assert methods <= set(ctx.shop.payment_methods) and "M-Pesa" in methods
    assert result.entries == 300 and check(ctx) == []


def test_progress_counts_every_customer_and_entry(shop):
    seen = []
    _seed(shop, customers=25, sales=250, progress=seen.append)
    assert sum(seen) == 275


@pytest.mark.parametrize(("kw", "field"), [
    ({"customers": -1}, "customers"),
    ({"sales": -3}, "sales"),
    ({"customers": 0, "sales": 10}, "sales"),
    ({"customers": "10"}, "customers"),
])
def test_bad_sizes_are_refused_and_change_nothing(shop, kw, field):
    from kiosk.store.models import Customer

    with pytest.raises(ValidationError) as err:
        _seed(shop, **kw)
    assert err.value.field == field
    assert Customer.select().count() == 0


def test_only_the_owner_may_seed(shop):
    from kiosk.store.shop import UserRef

    cashier = dataclasses.replace(shop, user=UserRef(99, "cashier", "cashier"))
    with pytest.raises(KioskError, match="owner"):
        _seed(cashier)


def test_cli_seed_prints_a_summary_and_the_books_check(cli_shop):
    result = cli_shop("seed", "--customers", "30", "--sales", "300", "--seed", "9")
    assert result.code == 0, result.err
    assert re.fullmatch(
        r"Seeded 30 customers \(ids 1-30\) and 300 khata entries \(\d+ sales, \d+ payments, \d+ gave, "
        r"\d+ reversals\) with seed 9 in \d+\.\d s; net balance -?Rs[\d,.]+\n", result.out)
    assert result.err == ""  # no progress bar when stderr is not a terminal
    assert cli_shop("check").code == 0
    report = cli_shop("report", "credit", "--json")
    assert report.code == 0 and json.loads(report.out)["customers"]


def test_cli_seed_bad_input_is_one_line(cli_shop):
    result = cli_shop("seed", "--customers", "-5", "--sales", "10")
    assert result.code == 1
    assert result.err == "kiosk: customers: must be 0 or more, not -5\n"
    result = cli_shop("seed", "--customers", "many", "--sales", "10")
    assert result.code == 2 and "invalid int value" in result.err


# --- Search over a big seeded shop: every path of store.customers.search against a plain reference ---


def _reference(everyone, text, *, limit=20, include_archived=False):
    """What search must return: names starting with the query in name order, then (3 characters or more)
    the other substring matches in the order customers were added."""
    from kiosk.domain.customers import search_query

    q = search_query(text)
    live = [c for c in everyone if include_archived or not c.archived]
    starts = sorted((c for c in live if c.name_key.startswith(q)), key=lambda c: (c.name_key, c.id))
    others = [c for c in sorted(live, key=lambda c: c.id) if len(q) >= 3 and q in c.search_text
              and not c.name_key.startswith(q)]
    hits = starts + others
    return hits[:limit], len(hits)


def _agrees(ctx, everyone, text, **kw):
    """The same customers in the same order on both backends: names sort by code point on each."""
    from kiosk.services.customers import search

    got = [c.id for c in search(ctx, text, **kw)]
    want, _total = _reference(everyone, text, **kw)
    assert got == [c.id for c in want], text
    return got


def test_search_over_a_seeded_shop_agrees_with_a_plain_reference(shop):
    from kiosk.store.models import Customer

    _seed(shop, customers=400, sales=0)
    everyone = list(Customer.select())
    rng = random.Random(4)
    texts = ["030", "+92", "muh", "Muhammad", "محمد", "محمد علی", "khan", "gmail", "35202-", "ali", "a", "zz"]
    for _ in range(80):
        c = rng.choice(everyone)
        start = rng.randrange(len(c.search_text))
        texts.append(c.search_text[start:start + rng.randint(1, 12)])
    for text in texts:
        for include_archived in (False, True):
            _agrees(shop, everyone, text, include_archived=include_archived)
        _agrees(shop, everyone, text, limit=3)


def test_search_with_many_matches_stops_at_the_limit_in_the_promised_order(shop):
    """1,100 matches that do not start with the query, some archived: the limit holds, names that
    start with the query still come first, and the rest come in the order customers were added."""
    from kiosk.domain.customers import CustomerData, search_text
    from kiosk.store import bulk
    from kiosk.store.db import write_transaction
    from kiosk.store.models import Customer, CustomerGroup

    group = CustomerGroup.get(CustomerGroup.name == "Retail").id
    people = [CustomerData(name=f"Alpha {i:04d}") for i in range(300)]
    people += [CustomerData(name=f"Zulu {i:04d}", email=f"z{i}@common.example") for i in range(1100)]
    with write_transaction(shop.db):
        first = bulk.reserve_ids(Customer, len(people))
        bulk.insert_customers([
            (first + i, d.name, d.name.casefold(), None, None, d.email, "", "", None, "", None, "New", group,
             "2026-01-01 08:00:00", int(i % 97 == 0), 0, 0, search_text(d))
            for i, d in enumerate(people)
        ])
    everyone = list(Customer.select())
    for limit in (1, 5, 20, 40):
        got = _agrees(shop, everyone, "common.example", limit=limit)
        assert len(got) == limit
    _agrees(shop, everyone, "common.example", include_archived=True)
    _agrees(shop, everyone, "zulu 00", limit=30)
