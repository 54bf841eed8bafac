"""`kiosk seed`: a deterministic synthetic shop of real sales whose books are whole, on SQLite and
PostgreSQL.

What is proved here:
- the books: `kiosk check` passes, and every cached figure (balance, points, tier; a sale's refunded
  total, whether it is refunded in full, and the points its khata part has earned) is what the ledgers
  say;
- the sales and refunds are the services' own: a sample of seeded customers (and walk-in sales) is
  replayed through `sales.sell`, `refunds.refund` and `khata.receive/give/reverse` on a second
  database, and every row of theirs comes out the same;
- the same seed gives the same rows, byte for byte;
- the mix: cash with change, card, mobile money by the shop's services, khata, store credit,
  redemptions, partial and full refunds to cash and store credit, payments, gave entries, reversals,
  points earned once the khata is paid;
- the catalogue, the customers (names, phones, CNICs, groups, limits), search over them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import uuid
from collections import Counter, defaultdict

import phonenumbers
import pytest

from kiosk.domain.errors import KioskError, ValidationError

TODAY = dt.date(2026, 3, 31)
N, M = 60, 600

#: Every table the seed writes, in an order that keeps foreign keys whole.
TABLES = ("product", "product_group_price", "customer", "sale", "sale_line", "sale_tender", "khata_entry",
          "points_entry", "refund", "refund_line")


def _seed(ctx, customers=N, sales=M, seed=5, **kw):
    from kiosk.services.seed import seed_shop

    return seed_shop(ctx, customers=customers, sales=sales, seed=seed, today=TODAY, **kw)


def _dump(ctx) -> dict[str, list]:
    """Every column of every row the seed writes, as the database holds them."""
    order = {"sale": "id", "refund": "id"}
    return {t: ctx.db.execute_sql(f'SELECT * FROM "{t}" ORDER BY {order.get(t, "id")}').fetchall() for t in TABLES}


def _rows(ctx, sql, *params):
    return ctx.db.execute_sql(sql.replace("?", ctx.db.param), params).fetchall()


@pytest.fixture
def other_url(db_url, empty_database):
    """A second empty database on the same backend as `db_url`."""
    return empty_database("postgres" if db_url.startswith("postgresql") else "sqlite")


# --- Determinism -----------------------------------------------------------------------------------


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
    assert len(first["customer"]) == N and len(first["sale"]) == M and len(first["product"]) > 50


def test_chunks_and_the_child_process_change_nothing_in_the_rows(shop, other_url, monkeypatch):
    """One transaction made here, or many made by a forked child while this process writes: the same
    rows."""
    from kiosk.services import seed
    from kiosk.services.shop import init_shop

    monkeypatch.setattr(seed, "_can_fork", lambda: False)
    _seed(shop, customers=40, sales=900)
    here = _dump(shop)
    shop.close()
    monkeypatch.undo()
    monkeypatch.setattr(seed, "CHUNK", 200)
    other = init_shop(other_url, name="Test Kiryana", country="PK", currency="PKR", owner_pin="4321")
    try:
        made_by = []
        elsewhere = seed._YearElsewhere
        monkeypatch.setattr(seed, "_YearElsewhere", lambda *a: made_by.append("child") or elsewhere(*a))
        _seed(other, customers=40, sales=900)
        there = _dump(other)
    finally:
        other.close()
    assert made_by == ["child"]
    assert here == there


def test_another_seed_gives_another_shop(shop):
    _seed(shop, customers=20, sales=50, seed=1)
    names_1 = [row[1] for row in _dump(shop)["customer"]]
    _seed(shop, customers=20, sales=50, seed=2)
    names_2 = [row[1] for row in _dump(shop)["customer"][20:]]
    assert names_1 != names_2


def test_seed_ids_look_like_the_tills_own():
    from kiosk.services.seed_draw import key

    for n in range(200):
        bits = random.Random(n).getrandbits(128)
        assert key(random.Random(n)) == uuid.UUID(int=bits, version=4).hex


# --- The books -------------------------------------------------------------------------------------


def test_books_are_whole_and_every_cached_figure_is_what_the_ledgers_say(shop):
    from kiosk.domain.loyalty import tier_for
    from kiosk.services import loyalty, settings
    from kiosk.services.check import check
    from kiosk.store import customers as customer_store
    from kiosk.store.models import Customer, KhataEntry, PointsEntry, Refund, Sale

    result = _seed(shop, customers=120, sales=2500, seed=3)
    assert check(shop) == []
    rules = loyalty.tier_rules_of(settings.loyalty_settings(shop))
    for c in Customer.select():
        purchases, spend, _first, _last = customer_store.purchase_stats(c.id)
        if not c.tier_pinned:
            assert c.tier == tier_for(purchases, spend, rules).value, c.id
        for sale_id, (target, earned) in loyalty.paid_points_targets(c.id).items():
            assert target == earned, (c.id, sale_id)
    refunded = dict(_rows(shop, "SELECT sale_id, SUM(goods) FROM refund GROUP BY sale_id"))
    lines_left = dict(_rows(shop, """
        SELECT sl.sale_id, SUM(CASE WHEN sl.quantity_milli > COALESCE(r.q, 0) THEN 1 ELSE 0 END)
        FROM sale_line sl LEFT JOIN (SELECT sale_line_id, SUM(quantity_milli) AS q FROM refund_line
                                     GROUP BY sale_line_id) r ON r.sale_line_id = sl.id
        GROUP BY sl.sale_id"""))
    for sale_id, total, back, fully in _rows(shop, "SELECT id, total, refunded, fully_refunded FROM sale"):
        assert back == int(refunded.get(sale_id, 0)), sale_id
        assert bool(fully) == (lines_left[sale_id] == 0) == (back == total if back else False), sale_id
    # The summary counts what is in the books.
    assert Sale.select().count() == result.sales == 2500
    assert Refund.select().count() == result.refunds
    assert KhataEntry.select().count() == result.entries and PointsEntry.select().count() == result.points_entries
    assert KhataEntry.select().where(KhataEntry.kind == "credit", KhataEntry.method.is_null(False)).count() \
        == result.payments
    assert KhataEntry.select().where(KhataEntry.source == "gave").count() == result.gave
    assert KhataEntry.select().where(KhataEntry.kind == "reversal").count() == result.reversals
    assert Sale.select().where(Sale.customer.is_null()).count() == result.walk_in
    assert Sale.select().where(Sale.khata > 0).count() == result.on_khata
    assert Sale.select().where(Sale.points_redeemed > 0).count() == result.redemptions
    assert Sale.select().where(Sale.fully_refunded).count() == result.full_refunds
    assert result.net_balance == sum(c.balance for c in Customer.select(Customer.balance))


def test_the_year_has_every_kind_of_sale_refund_and_khata_entry(shop):
    from kiosk.store.models import KhataEntry, PointsEntry, Refund, Sale, SaleLine, SaleTender

    result = _seed(shop, customers=150, sales=4000, seed=8)
    tenders = Counter((t.method, t.name) for t in SaleTender.select())
    assert {m for m, _n in tenders} == {"cash", "card", "mobile", "khata", "store-credit"}
    assert {n for m, n in tenders if m == "mobile"} == set(shop.shop.mobile_money)  # JazzCash, EasyPaisa
    assert Sale.select().where(Sale.change > 0).count() > 100  # cash handed over in notes, change given
    assert Sale.select().where(Sale.points_redeemed > 0).count() > 20
    assert Sale.select().where(Sale.store_credit > 0).exists()
    assert Sale.select().where(Sale.basket_discount > 0).exists()
    assert Sale.select().where(Sale.line_discounts > 0).exists()
    assert 0.35 < result.walk_in / result.sales < 0.55
    # Refunds: some partial, some completing a sale; to cash and to store credit; khata taken off.
    partial = Sale.select().where((Sale.refunded > 0) & ~Sale.fully_refunded).count()
    assert partial > 5 and result.full_refunds > 5 and result.refunds > result.full_refunds
    assert {r.destination for r in Refund.select()} == {"cash", "store-credit"}
    assert Refund.select().where(Refund.khata_off > 0).exists()
    # The khata: credit sales, store credit spent and given, payments by the shop's methods, gave
    # entries, reversals of payments and gave entries only (never of a sale's entry).
    kinds = Counter((e.kind, e.source) for e in KhataEntry.select())
    assert {("debit", "sale"), ("debit", "store-credit"), ("debit", "gave"), ("credit", None),
            ("credit", "refund"), ("credit", "store-credit"), ("reversal", None)} <= set(kinds)
    methods = {e.method for e in KhataEntry.select().where(KhataEntry.method.is_null(False))}
    assert {"cash", "card"} <= methods <= set(shop.shop.payment_methods)
    for r in KhataEntry.select().where(KhataEntry.kind == "reversal"):
        target = KhataEntry.get_by_id(r.reverses_id)
        assert target.sale_id is None and target.amount == r.amount and target.date <= r.date and r.note
        assert target.kind == "debit" and target.source == "gave" or target.kind == "credit" and target.method
    # Points: earned at sales and once the khata is paid, redeemed, given back and taken back by refunds.
    points = Counter((p.kind, p.note) for p in PointsEntry.select())
    assert {("earn", ""), ("earn", "khata paid"), ("redeem", ""), ("give-back", ""), ("take-back", "")} <= set(points)
    # Loose goods by the kg, the Wholesale price for Wholesale customers.
    assert any(line.quantity_milli % 1000 for line in SaleLine.select().where(SaleLine.unit == "kg"))
    wholesale = _rows(shop, """SELECT COUNT(*) FROM sale_line sl JOIN sale s ON s.id = sl.sale_id
                               JOIN customer c ON c.id = s.customer_id JOIN customer_group g ON g.id = c.group_id
                               JOIN product_group_price gp ON gp.product_id = sl.product_id AND gp.group_id = g.id
                               WHERE sl.unit_price = gp.price""")[0][0]
    assert wholesale > 10


def test_sales_and_entries_are_dated_in_the_year_by_the_acting_user_on_this_till(shop):
    from kiosk.store.models import KhataEntry, PointsEntry, Refund, Sale

    _seed(shop)
    for model in (Sale, KhataEntry, PointsEntry, Refund):
        for row in model.select():
            assert TODAY - dt.timedelta(days=364) <= row.date <= TODAY
            assert row.user_id == shop.user.id and row.till == shop.till
            assert row.created_at.date() == row.date and 9 <= row.created_at.hour < 22
    for r in Refund.select():
        assert r.date >= r.sale.date and r.created_at > r.sale.created_at
    dates = [e.date for e in KhataEntry.select().order_by(KhataEntry.id)]
    assert dates == sorted(dates)  # ids follow the days, as in a real shop
    assert len({s.date for s in Sale.select()}) > 200  # spread over the year


# --- The services would have written the same ---------------------------------------------------------


def _history(ctx, customer_ids: list[int], walk_in_sales: list[str]) -> dict:
    """What the services need to replay these customers' and walk-in sales' year, and what it wrote."""
    from kiosk.store.models import Customer

    marks = ", ".join(["?"] * len(customer_ids))
    sale_ids = [r[0] for r in _rows(ctx, f"SELECT id FROM sale WHERE customer_id IN ({marks})", *customer_ids)]
    sale_ids += walk_in_sales
    smarks = ", ".join(["?"] * len(sale_ids))
    line_n = dict(_rows(ctx, f"SELECT id, n FROM sale_line WHERE sale_id IN ({smarks})", *sale_ids))
    from kiosk.store import bulk

    sales = {row[0]: row for row in _rows(ctx, f"SELECT {', '.join(bulk.SALE_COLUMNS)} FROM sale "
                                               f"WHERE id IN ({smarks})", *sale_ids)}
    lines = defaultdict(list)
    for row in _rows(ctx, f"SELECT sale_id, n, product_id, sku, description, unit, unit_price, quantity_milli, "
                          f"discount_bp, discount_amount, gross, net, points_discount, points_redeemed, "
                          f"points_earned, khata, store_credit FROM sale_line WHERE sale_id IN ({smarks}) "
                          f"ORDER BY sale_id, n", *sale_ids):
        lines[row[0]].append(row)
    tenders = defaultdict(list)
    for row in _rows(ctx, f"SELECT sale_id, method, name, amount FROM sale_tender WHERE sale_id IN ({smarks}) "
                          f"ORDER BY id", *sale_ids):
        tenders[row[0]].append(row)
    refunds = {row[0]: row for row in _rows(ctx, f"SELECT {', '.join(bulk.REFUND_COLUMNS)} FROM refund "
                                                 f"WHERE sale_id IN ({smarks})", *sale_ids)}
    refund_lines = defaultdict(list)
    for row in _rows(ctx, f"SELECT refund_id, sale_line_id, quantity_milli, net, points_discount, points_redeemed, "
                          f"points_earned, khata, store_credit FROM refund_line WHERE refund_id IN "
                          f"(SELECT id FROM refund WHERE sale_id IN ({smarks})) ORDER BY refund_id, id", *sale_ids):
        refund_lines[row[0]].append((line_n[row[1]], *row[2:]))
    entries = defaultdict(list)
    for row in _rows(ctx, f"SELECT id, customer_id, kind, amount, date, note, method, source, reverses_id, "
                          f"promised_date, user_id, till, created_at, sale_id, idempotency_key FROM khata_entry "
                          f"WHERE customer_id IN ({marks}) ORDER BY id", *customer_ids):
        entries[row[1]].append(row)
    points = defaultdict(list)
    for row in _rows(ctx, f"SELECT customer_id, kind, points, date, expires_on, sale_id, note, user_id, till "
                          f"FROM points_entry WHERE customer_id IN ({marks}) ORDER BY id", *customer_ids):
        points[row[0]].append(row[1:])
    people = {c.id: (c.balance, c.points, c.tier) for c in Customer.select().where(Customer.id.in_(customer_ids))}
    return dict(sales=sales, lines=lines, tenders=tenders, refunds=refunds, refund_lines=refund_lines,
                entries=entries, points=points, people=people)


def _khata_rows(entries: list[tuple]) -> list[tuple]:
    """A customer's khata entries without their ids: a reversal names its target by position."""
    at = {row[0]: i for i, row in enumerate(entries)}
    return [(row[2], row[3], str(row[4]), row[5], row[6], row[7], at.get(row[8]), row[9], row[10], row[11],
             row[13], row[14]) for row in entries]


def _quantity(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _replay(ctx, seeded: dict) -> None:
    """Each sale, refund, payment, gave entry and reversal of the seeded history through the services,
    in the order they happened, on the dates they happened."""
    from kiosk.domain.basket import Discount
    from kiosk.domain.refund import RefundAsk
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import khata, refunds, sales
    from kiosk.services.sales import ItemRequest, OpenItemRequest

    events = []  # (created_at, kind, detail)
    for sale_id, row in seeded["sales"].items():
        events.append((str(row[3]), "sale", sale_id))
    for refund_id, row in seeded["refunds"].items():
        events.append((str(row[4]), "refund", refund_id))
    for rows in seeded["entries"].values():
        for row in rows:
            if row[2] == "reversal" or row[7] == "gave" or row[6] is not None:
                events.append((str(row[12]), "khata", row))
    moments = [e[0] for e in events]
    assert len(set(moments)) == len(moments)  # every action has its own moment
    new_id = {}
    for _at, kind, detail in sorted(events, key=lambda e: e[0]):
        if kind == "sale":
            row = seeded["sales"][detail]
            items, extras = [], []
            for line in seeded["lines"][detail]:
                _s, _n, product_id, sku, description, _unit, price, milli, bp = line[:9]
                if product_id is None:
                    extras.append(OpenItemRequest(description, price, _quantity(milli)))
                else:
                    items.append(ItemRequest(sku, _quantity(milli), Discount(percent_bp=bp)))
            tenders = [TenderRequest(Method(m), amount, name) for _s, m, name, amount in seeded["tenders"][detail]
                       if m != "cash"]
            cash_given = row[14]
            if cash_given:
                tenders.insert(0, TenderRequest(Method.CASH, cash_given))
            sales.sell(ctx, sale_id=detail, items=items, open_items=extras, tenders=tenders, customer_id=row[1],
                       basket_discount=Discount(amount=row[8]), redeem=row[10], date=_day(row[2]))
        elif kind == "refund":
            row = seeded["refunds"][detail]
            asks = [RefundAsk(n, milli) for n, milli, *_rest in seeded["refund_lines"][detail]]
            refunds.refund(ctx, refund_id=detail, sale_id=row[1], asks=asks, to=row[8], date=_day(row[3]))
        else:
            eid, cid, what, amount, date, note, method = detail[:7]
            date = _day(date)
            if what == "reversal":
                made = khata.reverse(ctx, new_id[detail[8]], reason=note, date=date)
            elif what == "debit":
                made = khata.give(ctx, cid, amount, date=date, note=note)
            else:
                made = khata.receive(ctx, cid, amount, method=method, date=date, note=note)
            new_id[eid] = made.id


#: Shop rules the replay is run under: the defaults, and rules that change what a sale and refund write
#: (points that expire, so lots keep their dates through give-backs; credit sales that earn at once;
#: cash rounded to Rs 5; a smaller redemption; campaigns by date, group and tier).
RULES = {
    "defaults": ({}, ()),
    "other rules": ({"loyalty.expiry_months": "3", "loyalty.credit_earns": "sale", "sale.cash_rounding": "5",
                     "loyalty.min_redeem": "200", "loyalty.earn_points": "80"},
                    (("Ramadan", dt.date(2026, 2, 18), dt.date(2026, 3, 19), "2", None, None),
                     ("Wholesale week", dt.date(2025, 9, 1), dt.date(2025, 9, 30), "1.5", "Wholesale", None),
                     ("VIP days", dt.date(2025, 6, 1), dt.date(2025, 7, 15), "3", None, "VIP"))),
    "earn when paid, expiring": ({"loyalty.expiry_months": "2", "loyalty.min_redeem": "100"}, ()),
}


def _apply(ctx, rules: str) -> None:
    from kiosk.services import loyalty, settings

    values, campaigns = RULES[rules]
    for key_, text in values.items():
        settings.set(ctx, key_, text)
    for name, start, end, multiplier, groups, tiers in campaigns:
        loyalty.add_campaign(ctx, name, start=start, end=end, multiplier=multiplier, groups=groups, tiers=tiers)


@pytest.mark.parametrize("rules", list(RULES))
def test_seeded_histories_replayed_through_the_services_write_the_same_rows(shop, other_url, rules):
    """A sample of customers, their busiest and some others, and some walk-in sales: every sale, line,
    tender, refund, refund line, khata entry and points entry of theirs, and their balance, points and
    tier, come out of `sales.sell`, `refunds.refund` and `services.khata` exactly as the seed wrote them,
    under the shop's default rules and under others."""
    from kiosk.services import products
    from kiosk.services.shop import init_shop
    from kiosk.store import bulk
    from kiosk.store.db import write_transaction

    _apply(shop, rules)
    _seed(shop, customers=50, sales=1500, seed=11)
    busiest = [cid for cid, _n in _rows(shop, "SELECT customer_id, COUNT(*) FROM sale WHERE customer_id IS NOT NULL "
                                              "GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 6")]
    with_refunds = [cid for (cid,) in _rows(shop, "SELECT DISTINCT customer_id FROM refund "
                                                  "WHERE customer_id IS NOT NULL ORDER BY customer_id")]
    with_reversals = [cid for (cid,) in _rows(shop, "SELECT DISTINCT customer_id FROM khata_entry "
                                                    "WHERE kind = 'reversal' ORDER BY customer_id")]
    rng = random.Random(1)
    sample = sorted(set(busiest) | set(with_refunds[:6]) | set(with_reversals[:4])
                    | set(rng.sample(range(1, 51), 6)))
    walk_in = [sid for (sid,) in _rows(shop, "SELECT id FROM sale WHERE customer_id IS NULL ORDER BY id")][:40]
    walk_in += [sid for (sid,) in _rows(shop, "SELECT s.id FROM sale s JOIN refund r ON r.sale_id = s.id "
                                              "WHERE s.customer_id IS NULL ORDER BY s.id") if sid not in walk_in][:10]
    seeded = _history(shop, sample, walk_in)
    assert any(e[2] == "reversal" for rows in seeded["entries"].values() for e in rows)
    assert len(seeded["refunds"]) > 10
    values, _campaigns = RULES[rules]
    if "sale.cash_rounding" in values:  # cash rounded to the coin
        assert _rows(shop, "SELECT COUNT(*) FROM sale WHERE rounding <> 0")[0][0] > 50
    if "loyalty.expiry_months" in values:  # lots with dates, which give-backs keep
        assert _rows(shop, "SELECT COUNT(*) FROM points_entry WHERE kind = 'earn' AND expires_on IS NULL")[0][0] == 0
        assert _rows(shop, "SELECT COUNT(*) FROM points_entry WHERE kind = 'give-back' "
                           "AND expires_on IS NULL")[0][0] == 0
    paid_later = _rows(shop, "SELECT COUNT(*) FROM points_entry WHERE note = 'khata paid'")[0][0]
    assert (paid_later > 0) == (values.get("loyalty.credit_earns", "paid") == "paid")
    catalogue = [(p.sku, p.name, p.price, p.barcode, p.unit.value, dict(p.group_prices))
                 for p in products.search(shop, "", limit=1000, include_inactive=True)]
    customer_rows = _rows(shop, f"SELECT {', '.join(bulk.SEED_CUSTOMER_COLUMNS)} FROM customer ORDER BY id")
    shop.close()

    other = init_shop(other_url, name="Test Kiryana", country="PK", currency="PKR", owner_pin="4321")
    try:
        _apply(other, rules)
        for sku, name, price, barcode, unit, prices in sorted(catalogue):
            products.add(other, sku=sku, name=name, price=price, barcode=barcode, unit=unit, group_prices=prices)
        with write_transaction(other.db):  # the same people, before their year: no balance, no points, New
            bulk.insert_customers([(*r[:11], r[11] if r[18] else "New", *r[12:14], False, 0, 0, *r[17:])
                                   for r in customer_rows], bulk.SEED_CUSTOMER_COLUMNS)
        _replay(other, seeded)
        replayed = _history(other, sample, walk_in)
    finally:
        other.close()

    assert replayed["people"] == seeded["people"]
    for cid in sample:
        assert _khata_rows(replayed["entries"][cid]) == _khata_rows(seeded["entries"][cid]), cid
        assert replayed["points"][cid] == seeded["points"][cid], cid
    for sale_id, row in seeded["sales"].items():
        again = replayed["sales"][sale_id]
        assert again[:3] + again[4:] == row[:3] + row[4:], sale_id  # all but created_at
        # Lines by SKU: the products were added again in SKU order, so their ids differ.
        assert [r[:2] + r[3:] for r in replayed["lines"][sale_id]] == [r[:2] + r[3:] for r in seeded["lines"][sale_id]]
        assert replayed["tenders"][sale_id] == seeded["tenders"][sale_id], sale_id
    for refund_id, row in seeded["refunds"].items():
        again = replayed["refunds"][refund_id]
        assert again[:4] + again[5:] == row[:4] + row[5:], refund_id
        assert replayed["refund_lines"][refund_id] == seeded["refund_lines"][refund_id], refund_id


# --- The catalogue -----------------------------------------------------------------------------------


def test_the_catalogue_is_a_kiryanas_with_valid_barcodes_loose_goods_and_wholesale_prices(shop):
    from kiosk.domain.products import clean_barcode
    from kiosk.services import products

    result = _seed(shop, customers=5, sales=0)
    catalogue = products.search(shop, "", limit=1000)
    assert len(catalogue) == result.products and 55 <= len(catalogue) <= 70
    ean13 = [p for p in catalogue if p.barcode and len(p.barcode) == 13]
    assert len(ean13) > len(catalogue) // 2  # packed goods; loose ones are weighed
    assert all(clean_barcode(p.barcode) == p.barcode and p.barcode.startswith("896") for p in ean13)
    assert len({p.barcode for p in catalogue if p.barcode}) == len([p for p in catalogue if p.barcode])
    weighed = [p for p in catalogue if p.unit.value in ("kg", "litre")]
    assert len(weighed) > 10 and any(p.barcode is None for p in weighed)
    wholesale = [p for p in catalogue if dict(p.group_prices).get("Wholesale")]
    assert len(wholesale) >= 5 and all(dict(p.group_prices)["Wholesale"] < p.price for p in wholesale)
    urdu = [p for p in catalogue if re.search(r"[\u0600-\u06ff]", p.name)]
    assert 3 <= len(urdu) <= len(catalogue) // 8  # a tenth, as for customers
    atta = products.lookup(shop, "ATTA-10")
    assert 1_000_00 <= atta.price <= 3_000_00  # a 10 kg bag of flour in rupees
    assert products.search(shop, "atta") and products.search(shop, urdu[0].name.split()[0])


@pytest.mark.parametrize(("country", "currency", "low", "high"), [
    ("KE", "KES", 400_00, 1_500_00),  # KSh for 10 kg of flour
    ("GH", "GHS", 40_00, 150_00),
    ("ID", "IDR", 50_000_00, 150_000_00),
])
def test_catalogue_prices_are_in_the_shops_currency(make_shop, country, currency, low, high):
    from kiosk.services import products

    ctx = make_shop(country=country, currency=currency, name="Duka")
    _seed(ctx, customers=5, sales=0)
    assert low <= products.lookup(ctx, "ATTA-10").price <= high
    assert not any(re.search(r"[\u0600-\u06ff]", p.name) for p in products.search(ctx, "", limit=1000))


def test_a_shop_with_products_keeps_its_own_catalogue(shop):
    from kiosk.services import products
    from kiosk.store.models import Product, SaleLine

    products.add(shop, sku="SUGAR-1", name="Sugar 1kg", price=150_00)
    products.add(shop, sku="TEA", name="Tea 190g", price=350_00)
    result = _seed(shop, customers=20, sales=200)
    assert result.products == 0 and Product.select().count() == 2
    assert {line.sku for line in SaleLine.select()} <= {"SUGAR-1", "TEA", None}
    again = _seed(shop, customers=5, sales=20, seed=6)
    assert again.products == 0 and Product.select().count() == 2


# --- Customers -----------------------------------------------------------------------------------------


def test_phones_are_valid_unique_e164_for_the_shop_country(shop):
    from kiosk.store.models import Customer

    _seed(shop, customers=200, sales=0)
    phones = [c.phone for c in Customer.select(Customer.phone) if c.phone]
    assert len(phones) > 170
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert re.fullmatch(r"\+92\d{10}", phone)
        assert phonenumbers.is_valid_number_for_region(phonenumbers.parse(phone), "PK")


def test_customers_have_cnics_emails_groups_limits_and_tiers_their_year_earned(shop):
    from kiosk.domain.cnic import normalize_cnic
    from kiosk.domain.customers import clean_email
    from kiosk.services import customers
    from kiosk.store.models import Customer

    _seed(shop, customers=300, sales=3000)
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
    pinned = list(Customer.select().where(Customer.tier_pinned))
    assert pinned and all(c.group.name == "Corporate" and c.tier == "VIP" for c in pinned)


def test_a_customer_never_buys_before_joining_nor_once_archived(shop):
    from kiosk.store.models import Customer, Sale

    _seed(shop, customers=200, sales=2000)
    joined = {c.id: c.created_at.date() for c in Customer.select()}
    archived = {c.id for c in Customer.select().where(Customer.archived)}
    for sale in Sale.select().where(Sale.customer.is_null(False)):
        assert sale.date >= joined[sale.customer_id] and sale.customer_id not in archived


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


def test_seeding_a_shop_that_has_customers_and_sales_adds_to_it(shop):
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, khata, sales
    from kiosk.services.check import check
    from kiosk.services.sales import ItemRequest
    from kiosk.store.models import KhataEntry, PointsEntry, Sale

    ali = customers.add(shop, name="Ali Raza", phone="0300 1234567")
    khata.give(shop, ali.id, 5000)
    first = _seed(shop, customers=30, sales=200)
    sales.sell(shop, sale_id="mine", customer_id=ali.id, items=[ItemRequest("ATTA-10")],
               tenders=[TenderRequest(Method.KHATA)])
    second = _seed(shop, customers=30, sales=200)  # the same seed again: new people, new phones, new sale ids
    assert (first.first_customer_id, first.last_customer_id) == (2, 31)
    assert (second.first_customer_id, second.last_customer_id) == (32, 61)
    assert Sale.select().count() == 401 and customers.get(shop, ali.id).balance > 5000
    assert len(khata.entries(shop, ali.id)) == 2
    assert check(shop) == []
    # The app's own writes carry on after the seeded ids (PostgreSQL's sequences moved on).
    later = customers.add(shop, name="Later Customer")
    assert later.id == 62
    top = KhataEntry.select().order_by(KhataEntry.id.desc()).first().id
    assert khata.give(shop, later.id, 100).id == top + 1
    points_top = PointsEntry.select().order_by(PointsEntry.id.desc()).first().id
    sale = sales.sell(shop, sale_id="later", customer_id=later.id, items=[ItemRequest("ATTA-10")],
                      tenders=[TenderRequest(Method.CASH)])
    assert sale.points_earned and PointsEntry.select().order_by(PointsEntry.id.desc()).first().id == points_top + 1
    assert check(shop) == []


def test_other_countries_and_currencies(make_shop):
    from kiosk.services.check import check
    from kiosk.store.models import Customer, KhataEntry, SaleTender

    ctx = make_shop(country="KE", currency="KES", name="Mama Njeri Duka")
    result = _seed(ctx, customers=40, sales=600)
    phones = [c.phone for c in Customer.select(Customer.phone) if c.phone]
    assert phones and all(phonenumbers.is_valid_number_for_region(phonenumbers.parse(p), "KE") for p in phones)
    assert all(p.startswith("+254") for p in phones)
    assert not any(c.cnic for c in Customer.select(Customer.cnic))  # CNICs are Pakistan's
    methods = {e.method for e in KhataEntry.select().where(KhataEntry.method.is_null(False))}
    assert methods <= set(ctx.shop.payment_methods) and "M-Pesa" in methods
    assert {t.name for t in SaleTender.select().where(SaleTender.method == "mobile")} <= set(ctx.shop.mobile_money)
    assert result.sales == 600 and check(ctx) == []


def test_progress_counts_every_customer_and_sale(shop):
    seen = []
    _seed(shop, customers=25, sales=250, progress=seen.append)
    assert sum(seen) == 275


def test_books_are_whole_at_every_commit(shop, monkeypatch):
    """Chunk by chunk: each transaction leaves books `kiosk check` passes, with the figures it moved."""
    from kiosk.services import seed
    from kiosk.services.check import check

    monkeypatch.setattr(seed, "CHUNK", 300)
    checked = []
    commit = seed._commit

    def commit_and_check(ctx, *args):
        commit(ctx, *args)
        checked.append(check(ctx))

    monkeypatch.setattr(seed, "_commit", commit_and_check)
    _seed(shop, customers=40, sales=1000)
    assert checked == [[], [], [], []]


def test_a_failure_in_the_child_making_the_year_is_told_and_leaves_whole_books(shop, monkeypatch):
    from kiosk.services import seed, seed_year
    from kiosk.services.check import check
    from kiosk.store.models import Sale

    monkeypatch.setattr(seed, "CHUNK", 300)
    calls = []

    def refund_then_fail(self):
        calls.append(1)
        if len(calls) > 12:  # in the second or third chunk
            raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(seed_year.Year, "_refund", refund_then_fail)
    with pytest.raises(KioskError, match="making the year failed: RuntimeError: the printer caught fire"):
        _seed(shop, customers=40, sales=1200)
    assert Sale.select().count() % 300 == 0 and check(shop) == []


@pytest.mark.parametrize(("kw", "field"), [
    ({"customers": -1}, "customers"),
    ({"sales": -3}, "sales"),
    ({"customers": 0, "sales": 10}, "sales"),
    ({"customers": "10"}, "customers"),
])
def test_bad_sizes_are_refused_and_change_nothing(shop, kw, field):
    from kiosk.store.models import Customer, Product

    with pytest.raises(ValidationError) as err:
        _seed(shop, **kw)
    assert err.value.field == field
    assert Customer.select().count() == 0 and Product.select().count() == 0


def test_only_the_owner_may_seed(shop):
    from kiosk.store.shop import UserRef

    cashier = dataclasses.replace(shop, user=UserRef(99, "cashier", "cashier"))
    with pytest.raises(KioskError, match="owner"):
        _seed(cashier)


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
