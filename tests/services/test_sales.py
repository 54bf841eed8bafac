"""Selling on SQLite and PostgreSQL: one transaction, idempotent, held to the limit, points and tiers."""

import pytest

from kiosk.domain.basket import Discount
from kiosk.domain.errors import CreditLimitExceeded, KioskError, NotFound, ValidationError
from kiosk.domain.tenders import Method, TenderRequest, TendersShort
from kiosk.services import customers, khata, products, sales
from kiosk.services.check import check
from kiosk.services.sales import ItemRequest, OpenItemRequest
from kiosk.services.shop import add_user
from kiosk.store.models import KhataEntry, Sale

T = TenderRequest


@pytest.fixture
def stocked(shop):
    products.add(shop, sku="ATTA-20", name="Atta 20kg", price=2_400_00, barcode="4006381333931",
                 group_prices={"Wholesale": 2_250_00})
    products.add(shop, sku="TOMATO", name="ٹماٹر", price=240_00, unit="kg")
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    return shop


def _count():
    return Sale.select().count(), KhataEntry.select().count()


def test_a_cash_sale_with_change_by_barcode_sku_weight_and_open_item(stocked):
    r = sales.sell(stocked, sale_id="s1", items=[ItemRequest("4006381333931"), ItemRequest("tomato", "0.5")],
                   open_items=[OpenItemRequest("loose sugar", 150_00)], tenders=[T(Method.CASH, 3_000_00)])
    assert [(ln.description, ln.net) for ln in r.lines] == [("Atta 20kg", 2_400_00), ("ٹماٹر", 120_00),
                                                            ("loose sugar", 150_00)]
    assert (r.total, r.paid, r.change, r.customer) == (2_670_00, 2_670_00, 330_00, None)
    assert check(stocked) == []


def test_the_same_sale_submitted_twice_books_once(stocked):
    c = customers.add(stocked, name="Double", phone="0300 1111111")
    first = sales.sell(stocked, sale_id="twice", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    before = _count()
    again = sales.sell(stocked, sale_id="twice", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    assert again == first and _count() == before
    assert khata.balance(stocked, c.id) == 650_00


def test_a_credit_sale_goes_on_the_khata_at_the_group_price_and_counts_as_a_purchase(stocked):
    c = customers.add(stocked, name="Wholesaler", phone="0300 2222222", group="Wholesale")
    r = sales.sell(stocked, sale_id="w1", customer_id=c.id, items=[ItemRequest("ATTA-20", "2")],
                   tenders=[T(Method.CASH, 500_00), T(Method.KHATA)])
    assert r.total == 4_500_00 and r.khata == 4_000_00
    assert r.customer.balance_after == 4_000_00 == khata.balance(stocked, c.id)
    (entry,) = khata.entries(stocked, c.id)
    assert (entry.source, entry.amount) == ("sale", 4_000_00)
    f = customers.figures(stocked, c.id)
    assert (f.purchases, f.total_spent) == (1, 4_500_00)
    assert check(stocked) == []


def test_credit_above_the_limit_is_refused_whole_unless_a_manager_overrides(stocked):
    c = customers.add(stocked, name="Limited", phone="0300 3333333", credit_limit=1_000_00)
    before = _count()
    with pytest.raises(CreditLimitExceeded, match="credit limit Rs1,000.00 would be exceeded"):
        sales.sell(stocked, sale_id="x1", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.KHATA)])
    assert _count() == before and khata.balance(stocked, c.id) == 0
    cashier = add_user(stocked, "Sana", "cashier", "6666")
    with pytest.raises(KioskError, match="only managers and owners can approve"):
        sales.sell(stocked, sale_id="x1", customer_id=c.id, items=[ItemRequest("ATTA-20")],
                   tenders=[T(Method.KHATA)], override_by=cashier)
    manager = add_user(stocked, "Bilal", "manager", "5555")
    sales.sell(stocked, sale_id="x1", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.KHATA)],
               override_by=manager)
    assert khata.balance(stocked, c.id) == 2_400_00


def test_store_credit_spends_a_negative_balance(stocked):
    c = customers.add(stocked, name="Advance", phone="0300 4444444")
    khata.receive(stocked, c.id, 1_000_00)
    r = sales.sell(stocked, sale_id="sc", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.STORE_CREDIT)])
    assert r.store_credit == 650_00 and khata.balance(stocked, c.id) == -350_00
    with pytest.raises(KioskError, match="store credit: the customer has Rs350.00"):
        sales.sell(stocked, sale_id="sc2", customer_id=c.id, items=[ItemRequest("GHEE")],
                   tenders=[T(Method.STORE_CREDIT)])
    assert check(stocked) == []


def test_a_big_discount_needs_a_manager(stocked):
    with pytest.raises(KioskError, match="discount above 10% needs a manager"):
        sales.sell(stocked, sale_id="d1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)],
                   basket_discount=Discount(percent_bp=2000))
    manager = add_user(stocked, "Bilal", "manager", "5555")
    r = sales.sell(stocked, sale_id="d1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)],
                   basket_discount=Discount(percent_bp=2000), approved_by=manager)
    assert r.total == 520_00 and r.discounts == 130_00


def test_points_are_earned_then_redeemed_and_tiers_move(stocked):
    c = customers.add(stocked, name="Loyal", phone="0300 5555555")
    r = sales.sell(stocked, sale_id="p1", customer_id=c.id, items=[ItemRequest("ATTA-20")], tenders=[T(Method.CARD)])
    assert r.points_earned == 1_200 and r.customer.points_after == 1_200  # 50 per Rs 100
    r2 = sales.sell(stocked, sale_id="p2", customer_id=c.id, items=[ItemRequest("GHEE")], redeem=600,
                    tenders=[T(Method.CASH)])
    assert (r2.points_redeemed, r2.points_value, r2.paid) == (600, 6_00, 644_00)
    assert r2.customer.points_after == 1_200 - 600 + r2.points_earned
    for n in range(2):
        sales.sell(stocked, sale_id=f"p{n + 3}", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert customers.get(stocked, c.id).tier.value == "Regular"  # the 4th purchase
    assert check(stocked) == []


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    (dict(items=[ItemRequest("NOPE")], tenders=[T(Method.CASH)]), NotFound, "NOPE"),
    (dict(items=[ItemRequest("GHEE", "1.5")], tenders=[T(Method.CASH)]), ValidationError, "whole numbers"),
    (dict(items=[ItemRequest("GHEE")], tenders=[T(Method.CARD, 100_00)]), TendersShort, "short"),
    (dict(items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)]), KioskError, "needs a customer"),
    (dict(items=[], tenders=[T(Method.CASH)]), ValidationError, "basket: is empty"),
    (dict(items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)], redeem=500), KioskError, "needs a customer"),
])
def test_a_refused_sale_books_nothing(stocked, kwargs, error, message):
    before = _count()
    with pytest.raises(error, match=message):
        sales.sell(stocked, sale_id="bad", **kwargs)
    assert _count() == before


def test_an_inactive_product_is_not_sold(stocked):
    products.set_active(stocked, products.by_sku(stocked, "GHEE").id, False)
    with pytest.raises(ValidationError, match="not sold any more"):
        sales.sell(stocked, sale_id="old", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])


def test_a_merge_brings_the_merged_records_sales_into_the_kept_ones_figures(stocked):
    keep = customers.add(stocked, name="Keep", phone="0300 6666666")
    dup = customers.add(stocked, name="Dup", phone="0300 7777777")
    sales.sell(stocked, sale_id="m1", customer_id=dup.id, items=[ItemRequest("GHEE")], tenders=[T(Method.KHATA)])
    customers.merge(stocked, keep.id, dup.id)
    f = customers.figures(stocked, keep.id)
    assert (f.purchases, f.total_spent, f.balance) == (1, 650_00, 650_00)
    assert customers.get(stocked, keep.id).points == customers.figures(stocked, keep.id).points
    assert check(stocked) == []


def test_finishing_a_parked_basket_by_its_id_takes_it_off_the_parked_list(stocked):
    from kiosk.services import parking

    parking.park(stocked, "p1", parking.basket(items=[ItemRequest("GHEE")]))
    sales.sell(stocked, sale_id="p1", items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert parking.list_parked(stocked) == []


def test_a_customer_with_only_cash_sales_has_history_and_is_archived_not_deleted(stocked):
    c = customers.add(stocked, name="Cash Only", phone="0300 5555555")
    sales.sell(stocked, sale_id="c1", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    with pytest.raises(KioskError, match="has history: archive instead"):
        customers.delete(stocked, c.id)


# --- The fast checkout: the receipt made from the plan, and the lean reads behind it ---------------


def _every_feature(ctx):
    """A Wholesale customer with an advance and points, and a settings set that rounds cash."""
    from kiosk.services import loyalty, settings

    settings.set(ctx, "sale.cash_rounding", "5.00")
    c = customers.add(ctx, name="Everything", phone="0300 8888888", group="Wholesale")
    khata.receive(ctx, c.id, 300_00)  # an advance: 300 of store credit
    loyalty.adjust(ctx, c.id, 5_000, "opening points")
    return c


def test_the_receipt_made_from_the_plan_is_the_one_a_reprint_reads_from_the_books(stocked):
    c = _every_feature(stocked)
    r = sales.sell(stocked, sale_id="all", customer_id=c.id, redeem=1_000, basket_discount=Discount(amount=10_00),
                   items=[ItemRequest("ATTA-20", "2"),  # the Wholesale price
                          ItemRequest("tomato", "0.375"),  # weighed
                          ItemRequest("GHEE", "3", Discount(percent_bp=500))],  # a line discount
                   open_items=[OpenItemRequest("loose sugar", 151_50, "2")],
                   tenders=[T(Method.STORE_CREDIT, 200_00), T(Method.KHATA, 5_000_00), T(Method.CASH, 2_000_00)])
    assert [ln.unit_price for ln in r.lines][:1] == [2_250_00]
    assert r.lines[1].quantity_milli == 375 and r.lines[2].discount > 0 and r.discounts > r.lines[2].discount
    assert (r.points_redeemed, r.store_credit, r.khata) == (1_000, 200_00, 5_000_00)
    assert r.change > 0 and r.rounding != 0 and r.cashier == "owner" and r.till == stocked.till
    assert r.customer.balance_after == khata.balance(stocked, c.id) == -300_00 + 200_00 + 5_000_00
    # Credit earns once paid (the default) and the advance already paid part of it: those points are
    # earned at the sale, and the receipt shows them.
    assert r.customer.points_after == customers.get(stocked, c.id).points > 5_000 - 1_000 + r.points_earned
    assert r == sales.receipt(stocked, "all")
    again = sales.sell(stocked, sale_id="all", customer_id=c.id, items=[ItemRequest("GHEE")], tenders=[T(Method.CASH)])
    assert again == r  # the retried submit answers from the books
    assert check(stocked) == []


def test_the_receipt_of_a_walk_in_cash_sale_is_the_reprint_too(stocked):
    r = sales.sell(stocked, sale_id="walk-in", items=[ItemRequest("4006381333931")],
                   open_items=[OpenItemRequest("bag", 5_00)], tenders=[T(Method.CASH, 5_000_00)])
    assert r.customer is None and r.change == 5_000_00 - 2_405_00
    assert r == sales.receipt(stocked, "walk-in")


def test_a_sale_writes_its_rows_audit_and_message_as_before(stocked):
    import datetime as dt

    from kiosk.domain.loyalty import expiry_date
    from kiosk.services import settings
    from kiosk.store.models import AuditLog, OutboxMessage, PointsEntry

    settings.set(stocked, "loyalty.expiry_months", "12")
    c = customers.add(stocked, name="Rows", phone="0300 9999999")
    r = sales.sell(stocked, sale_id="rows", customer_id=c.id, items=[ItemRequest("GHEE", "2")],
                   tenders=[T(Method.CASH, 300_00), T(Method.KHATA)])
    (entry,) = khata.entries(stocked, c.id)
    assert (entry.kind.value, entry.amount, entry.source, entry.sale_id, entry.note, entry.till, entry.user) == \
        ("debit", 1_000_00, "sale", "rows", "sale rows", stocked.till, "owner")
    assert entry.created_at == r.at
    (earned,) = PointsEntry.select().where(PointsEntry.sale_id == "rows")
    assert (earned.kind, earned.points, earned.date, earned.expires_on, earned.till, earned.user_id) == \
        ("earn", r.points_earned, dt.date.today(), expiry_date(dt.date.today(), 12), stocked.till, stocked.user.id)
    (message,) = OutboxMessage.select().where(OutboxMessage.sale_id == "rows")
    assert (message.recipient, message.kind, message.status, message.attempts, message.idempotency_key) == \
        ("+923009999999", "credit-sale", "pending", 0, "sale:rows")
    assert "Rs1,000.00 added to your khata" in message.body
    audit = AuditLog.select().where(AuditLog.record == "sale:rows").get()
    assert audit.action == "sale" and audit.user_id == stocked.user.id
    assert '"khata": 100000' in audit.detail and '"total": 130000' in audit.detail
    sale = Sale.get_by_id("rows")
    assert (sale.balance_after, sale.points_after, sale.refunded, sale.fully_refunded) == \
        (1_000_00, r.points_earned, 0, False)
    assert check(stocked) == []


def test_a_pinned_tier_is_kept_and_shown(stocked):
    from kiosk.domain.customers import Tier
    from kiosk.services import loyalty

    c = customers.add(stocked, name="Pinned", phone="0300 1212121")
    loyalty.set_tier(stocked, c.id, Tier.VIP)
    for n in range(4):
        r = sales.sell(stocked, sale_id=f"pin{n}", customer_id=c.id, items=[ItemRequest("GHEE")],
                       tenders=[T(Method.CASH)])
        assert r.customer.tier == "VIP" == customers.get(stocked, c.id).tier.value
        assert r == sales.receipt(stocked, f"pin{n}")


def test_a_back_dated_sale_cannot_redeem_points_a_later_entry_spent(stocked):
    import datetime as dt

    from kiosk.domain.loyalty import NotEnoughPoints
    from kiosk.services import loyalty

    c = customers.add(stocked, name="Back", phone="0300 3434343")
    today = dt.date.today()
    loyalty.adjust(stocked, c.id, 1_000, "gift", date=today - dt.timedelta(days=10))
    loyalty.adjust(stocked, c.id, -1_000, "spent", date=today - dt.timedelta(days=5))
    loyalty.adjust(stocked, c.id, 1_000, "gift again", date=today)
    before = _count()
    with pytest.raises(NotEnoughPoints, match="would leave a later entry"):
        sales.sell(stocked, sale_id="old", customer_id=c.id, items=[ItemRequest("ATTA-20")], redeem=600,
                   tenders=[T(Method.CASH)], date=today - dt.timedelta(days=7))
    assert _count() == before
    r = sales.sell(stocked, sale_id="new", customer_id=c.id, items=[ItemRequest("ATTA-20")], redeem=600,
                   tenders=[T(Method.CASH)])
    assert r.customer.points_after == 400 + r.points_earned
    assert check(stocked) == []


def test_the_basket_lookup_finds_what_lookup_finds_at_the_group_price(stocked):
    from kiosk.store.products import price_for

    products.add(stocked, sku="UPC", name="Imported", price=99_00, barcode="036000291452")  # a UPC-A
    products.set_active(stocked, products.by_sku(stocked, "GHEE").id, False)
    codes = ["4006381333931", " atta-20 ", "ghee", "0036000291452", "036000291452", "TOMATO", "nope", "",
             "4006381333932"]
    for group in (None, "Retail", "Wholesale"):
        found = products.lookup_priced(stocked, codes, group)
        for code, got in zip(codes, found, strict=True):
            try:
                want = products.lookup(stocked, code)
            except NotFound:
                assert got is None, code
                continue
            assert (got.id, got.sku, got.name, got.unit, got.active) == \
                (want.id, want.sku, want.name, want.unit, want.active)
            assert got.price == price_for(want.id, group)
    with pytest.raises(NotFound, match="'nope'"):
        sales.sell(stocked, sale_id="nf", items=[ItemRequest("ATTA-20"), ItemRequest("nope")], tenders=[T(Method.CASH)])


def test_one_read_of_the_settings_gives_what_each_reader_gives(stocked):
    from kiosk.services import settings

    for key, text in (("sale.cash_rounding", "1.00"), ("loyalty.expiry_months", "6"), ("notify.channel", "whatsapp"),
                      ("loyalty.multiplier.vip", "2.5"), ("sale.discount_approval_percent", "25")):
        settings.set(stocked, key, text)
        got = settings.checkout_settings(stocked)
        assert got.sale == settings.sale_settings(stocked)
        assert got.loyalty == settings.loyalty_settings(stocked)
        assert got.notify == settings.notify_settings(stocked)
    from kiosk.store.models import Setting

    Setting.update(value="lots").where(Setting.key == "loyalty.expiry_months").execute()  # edited by hand
    with pytest.raises(KioskError, match="loyalty.expiry_months"):
        settings.get_all(stocked)
    with pytest.raises(KioskError, match="loyalty.expiry_months"):
        settings.checkout_settings(stocked)


def test_the_campaigns_of_a_day_read_in_plain_sql_are_the_active_campaigns(stocked):
    import datetime as dt
    from fractions import Fraction

    from kiosk.domain.customers import Tier
    from kiosk.domain.loyalty import Campaign
    from kiosk.store import points as points_store

    d = dt.date(2026, 3, 1)
    points_store.add_campaign(Campaign("Ramadan", d, d + dt.timedelta(days=29), Fraction(3, 2), ("Wholesale",),
                                       (Tier.VIP, Tier.REGULAR)))
    points_store.add_campaign(Campaign("Eid", d + dt.timedelta(days=30), d + dt.timedelta(days=32), Fraction(2)))
    points_store.add_campaign(Campaign("Ended", d, d + dt.timedelta(days=40), Fraction(5)))
    points_store.end_campaign("Ended")
    for offset in (-1, 0, 29, 30, 32, 33):
        on = d + dt.timedelta(days=offset)
        assert points_store.campaigns_on(on) == points_store.active_campaigns(on)


def _purchase_stats_as_before(customer_id):
    """purchase_stats as it was written with peewee, two aggregates: the one-query form must agree."""
    import datetime as dt

    from peewee import fn

    reversed_ids = KhataEntry.select(KhataEntry.reverses).where(KhataEntry.reverses.is_null(False))
    legacy = (KhataEntry.select(fn.COUNT(KhataEntry.id), fn.SUM(KhataEntry.amount), fn.MIN(KhataEntry.date),
                                fn.MAX(KhataEntry.date))
              .where((KhataEntry.customer == customer_id) & (KhataEntry.kind == "debit")
                     & (KhataEntry.source == "sale") & KhataEntry.sale_id.is_null()
                     & KhataEntry.id.not_in(reversed_ids)).tuples().first())
    sold = (Sale.select(fn.COUNT(Sale.id), fn.SUM(Sale.total - Sale.refunded), fn.MIN(Sale.date), fn.MAX(Sale.date))
            .where((Sale.customer == customer_id) & (Sale.fully_refunded == False)).tuples().first())  # noqa: E712
    dates = [dt.date.fromisoformat(d) if isinstance(d, str) else d
             for d in (legacy[2], legacy[3], sold[2], sold[3]) if d is not None]
    return (legacy[0] + sold[0], int(legacy[1] or 0) + int(sold[1] or 0),
            min(dates) if dates else None, max(dates) if dates else None)


def test_purchase_stats_in_one_query_agree_with_the_two_aggregates(stocked):
    import datetime as dt

    from kiosk.domain.khata import DebitSource
    from kiosk.domain.refund import RefundAsk
    from kiosk.services import refunds
    from kiosk.store.customers import purchase_stats

    c = customers.add(stocked, name="History", phone="0300 5656565")
    other = customers.add(stocked, name="Other", phone="0300 5656566")
    assert purchase_stats(c.id) == _purchase_stats_as_before(c.id) == (0, 0, None, None)
    d = dt.date(2025, 6, 1)
    khata.give(stocked, c.id, 700_00, date=d, source=DebitSource.SALE)  # legacy credit sales
    undone = khata.give(stocked, c.id, 900_00, date=d + dt.timedelta(days=3), source=DebitSource.SALE)
    khata.give(stocked, c.id, 100_00, date=d + dt.timedelta(days=4))  # not a sale
    khata.give(stocked, other.id, 555_00, date=d - dt.timedelta(days=9), source=DebitSource.SALE)
    assert purchase_stats(c.id) == _purchase_stats_as_before(c.id)
    khata.reverse(stocked, undone.id, reason="typed twice")
    assert purchase_stats(c.id) == _purchase_stats_as_before(c.id)
    for n, day in enumerate((d + dt.timedelta(days=20), d - dt.timedelta(days=30), d + dt.timedelta(days=40))):
        sales.sell(stocked, sale_id=f"h{n}", customer_id=c.id, items=[ItemRequest("GHEE", "2")],
                   tenders=[T(Method.CASH)], date=day)
    refunds.refund(stocked, refund_id="part", sale_id="h0", asks=[RefundAsk(1, 1000)], to="cash")
    refunds.refund(stocked, refund_id="all", sale_id="h2", to="cash")
    got = purchase_stats(c.id)
    assert got == _purchase_stats_as_before(c.id)
    assert got == (3, 700_00 + 650_00 + 1_300_00, d - dt.timedelta(days=30), d + dt.timedelta(days=20))
    assert purchase_stats(other.id) == _purchase_stats_as_before(other.id) == (1, 555_00, d - dt.timedelta(days=9),
                                                                                d - dt.timedelta(days=9))


@pytest.mark.parametrize(("country", "currency"), [("PK", "PKR"), ("KE", "KES"), ("ID", "IDR"), ("GH", "GHS")])
def test_the_messages_money_is_the_shops_money(make_shop, country, currency):
    from kiosk.services.sales import _money

    ctx = make_shop(country=country, currency=currency)
    money = _money(ctx.shop.currency, ctx.shop.locale)
    for minor in (0, 1, 99, 100, 1_234_567_89, -50_00, 10**15):
        assert money(minor) == ctx.shop.money(minor)
