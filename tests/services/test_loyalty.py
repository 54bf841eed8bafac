"""The points ledger on SQLite and PostgreSQL: earn, redeem, take back, give back, adjust, expire;
nearest-expiry-first spending; campaigns; loyalty terms; pinned tiers; `kiosk check` on points."""

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain import loyalty as rules
from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.loyalty import Lot, NotEnoughPoints, PointsEntry, PointsKind
from kiosk.services import customers, loyalty
from kiosk.services import settings as shop_settings
from kiosk.services.check import check
from kiosk.store import points as points_store
from kiosk.store.db import write_transaction
from kiosk.store.khata import lock_customer
from kiosk.store.models import AuditLog, Customer, PointsEntry as PointsRow

D = dt.date


def _in_txn(shop, customer_id, fn, *args, **kwargs):
    """What the sale service does: its transaction, the customer locked, then the helper."""
    with write_transaction(shop.db):
        lock_customer(customer_id)
        return fn(shop, customer_id, *args, **kwargs)


def earn(shop, cid, points, date, sale_id=None):
    return _in_txn(shop, cid, loyalty.earn_in_txn, points, date=date, sale_id=sale_id)


def redeem(shop, cid, points, date, sale_id=None):
    return _in_txn(shop, cid, loyalty.redeem_in_txn, points, date=date, sale_id=sale_id)


def take_back(shop, cid, points, date, sale_id="s"):
    return _in_txn(shop, cid, loyalty.take_back_in_txn, points, date=date, sale_id=sale_id)


def give_back(shop, cid, points, date, expires_on, sale_id="s"):
    return _in_txn(shop, cid, loyalty.give_back_in_txn, points, date=date, sale_id=sale_id, expires_on=expires_on)


def months(shop, n):
    shop_settings.set(shop, "loyalty.expiry_months", str(n))


def assert_whole(shop, cid):
    """Cache = Σ ledger = what the nearest-expiry-first replay leaves, and `kiosk check` agrees."""
    entries = points_store.entries_for(cid)
    lots = rules.open_lots(entries)  # raises if the ledger ever goes below zero
    assert loyalty.balance(shop, cid) == rules.balance(entries) == sum(lot.left for lot in lots) >= 0
    assert check(shop) == []


def lots_of(shop, cid):
    return [(lot.left, lot.expires_on) for lot in loyalty.history(shop, cid).open_lots]


_PINS = {"cashier": "5678", "manager": "8765"}


def as_role(shop, role):
    from kiosk.services.shop import add_user

    user = add_user(shop, role.title(), role, _PINS[role])
    return dataclasses.replace(shop, user=user)


# --- The migration -------------------------------------------------------------------------------


def test_migration_0006_gives_existing_customers_an_unpinned_tier_and_keeps_their_search(db_url):
    from playhouse.migrations import Runner

    from kiosk.paths import migrations_dir
    from kiosk.services.context import open_shop
    from kiosk.services.shop import init_shop
    from kiosk.store import db as store_db

    init_shop(db_url, name="Old Shop", country="PK", currency="PKR", owner_pin="4321").close()
    db = store_db.open_database(db_url)
    runner = Runner(db, str(migrations_dir()), table_name=store_db.MIGRATION_TABLE)
    later = [name for name, _ in store_db.migration_status(db) if name >= "0006"]
    assert runner.down("0006_loyalty") == list(reversed(later))  # the shop as it was before loyalty
    assert "tier_pinned" not in {c.name for c in db.get_columns("customer")}
    group = db.execute_sql("SELECT id FROM customer_group ORDER BY id").fetchone()[0]
    db.execute_sql("INSERT INTO customer (name, name_key, tier, group_id, search_text, address, business, notes, "
                   "created_at, archived, balance, points) VALUES ('Saima Khan', 'saima khan', 'Regular', "
                   f"{group}, 'saima khan', '', '', '', '2026-01-01 10:00:00', {db.param}, 0, 0)", (False,))
    assert runner.up() == later
    db.close()
    ctx = open_shop(db_url)
    try:
        [saima] = customers.search(ctx, "saima")
        assert points_store.tier_of(saima.id) == (Tier.REGULAR, False)
        loyalty.adjust(ctx, saima.id, 100, "welcome back")
        assert check(ctx) == []
    finally:
        ctx.close()


# --- The ledger ----------------------------------------------------------------------------------


def test_earn_redeem_take_back_give_back_keep_the_cache_equal_to_the_ledger(shop):
    months(shop, 6)
    c = customers.add(shop, name="Zainab")
    e = earn(shop, c.id, 1200, D(2026, 1, 10), sale_id="sale-1")
    assert (e.kind, e.points, e.expires_on, e.sale_id) == (PointsKind.EARN, 1200, D(2026, 7, 10), "sale-1")
    assert earn(shop, c.id, 0, D(2026, 1, 10)) is None  # nothing earned, nothing written
    redeem(shop, c.id, 500, D(2026, 1, 11), sale_id="sale-2")
    assert take_back(shop, c.id, 200, D(2026, 1, 12), sale_id="sale-1") == 200
    give_back(shop, c.id, 500, D(2026, 1, 12), D(2026, 7, 10), sale_id="sale-2")
    assert loyalty.balance(shop, c.id) == 1000 == customers.get(shop, c.id).points
    assert_whole(shop, c.id)
    h = loyalty.history(shop, c.id)
    assert [(ln.entry.kind, ln.signed, ln.balance) for ln in h.lines] == [
        (PointsKind.EARN, 1200, 1200), (PointsKind.REDEEM, -500, 700), (PointsKind.TAKE_BACK, -200, 500),
        (PointsKind.GIVE_BACK, 500, 1000)]
    assert h.lines[0].user == shop.user.name and h.lines[0].left == 500 and h.lines[1].left is None
    assert [e.kind for e in points_store.for_sale("sale-1")] == [PointsKind.EARN, PointsKind.TAKE_BACK]


def test_redeem_spends_the_nearest_expiry_first_and_points_that_never_expire_last(shop):
    c = customers.add(shop, name="Nearest")
    months(shop, 12)
    far = earn(shop, c.id, 1000, D(2026, 1, 1))  # expires 2027-01-01
    months(shop, 1)
    near = earn(shop, c.id, 500, D(2026, 1, 10))  # expires 2026-02-10
    forever = give_back(shop, c.id, 300, D(2026, 1, 11), None)
    redeem(shop, c.id, 600, D(2026, 1, 12), sale_id="big-sale")
    assert lots_of(shop, c.id) == [(900, D(2027, 1, 1)), (300, None)]
    assert loyalty.redeemed_lots(shop, c.id, "big-sale") == [Lot(near.id, D(2026, 2, 10), 500),
                                                             Lot(far.id, D(2027, 1, 1), 100)]
    redeem(shop, c.id, 1000, D(2026, 1, 13))  # the rest of the dated lot, then the undated one
    assert lots_of(shop, c.id) == [(200, None)]
    assert [ln.left for ln in loyalty.history(shop, c.id).lines if ln.left is not None] == [0, 0, 200]
    assert forever.expires_on is None
    assert_whole(shop, c.id)


def test_points_never_go_negative(shop):
    c = customers.add(shop, name="Careful")
    earn(shop, c.id, 300, D(2026, 3, 1))
    with pytest.raises(NotEnoughPoints, match="400 points asked, the customer has 300"):
        redeem(shop, c.id, 400, D(2026, 3, 2))
    assert take_back(shop, c.id, 500, D(2026, 3, 2)) == 300  # what it could; the caller values the rest
    assert take_back(shop, c.id, 50, D(2026, 3, 3)) == 0  # nothing left: nothing written
    assert loyalty.balance(shop, c.id) == 0 and len(points_store.entries_for(c.id)) == 2
    with pytest.raises(NotEnoughPoints):
        redeem(shop, c.id, 1, D(2026, 3, 3))
    for bad in (-5, 1.5, True, "10"):
        with pytest.raises(ValidationError, match="points"):
            redeem(shop, c.id, bad, D(2026, 3, 3))
    assert_whole(shop, c.id)


def test_a_back_dated_entry_is_checked_against_the_whole_replay(shop):
    c = customers.add(shop, name="Back Dated")
    earn(shop, c.id, 1000, D(2026, 1, 1))
    redeem(shop, c.id, 1000, D(2026, 1, 20))
    earn(shop, c.id, 500, D(2026, 1, 25))
    # The balance is 500, but on Jan 10 the customer had 1000 that a Jan 20 redemption then spent in full.
    with pytest.raises(NotEnoughPoints, match="later entry"):
        redeem(shop, c.id, 300, D(2026, 1, 10))
    assert take_back(shop, c.id, 300, D(2026, 1, 10)) == 0  # nothing there to take back on that day
    earn(shop, c.id, 200, D(2026, 1, 5))  # a back-dated lot fits
    redeem(shop, c.id, 200, D(2026, 1, 10))
    assert loyalty.balance(shop, c.id) == 500
    assert_whole(shop, c.id)


def test_in_txn_helpers_refuse_a_customer_that_does_not_exist(shop):
    with pytest.raises(NotFound):
        earn(shop, 999, 10, D(2026, 1, 1))


# --- Adjusting by hand ---------------------------------------------------------------------------


def test_adjust_adds_or_takes_back_with_a_reason_and_an_audit_row(shop):
    months(shop, 3)
    c = customers.add(shop, name="Adjusted")
    e = loyalty.adjust(shop, c.id, 700, "  welcome   gift ", date=D(2026, 2, 1))
    assert (e.kind, e.points, e.expires_on) == (PointsKind.EARN, 700, D(2026, 5, 1))
    t = loyalty.adjust(shop, c.id, -200, "typo at the till", date=D(2026, 2, 2))
    assert (t.kind, t.points) == (PointsKind.TAKE_BACK, 200)
    assert [ln.note for ln in loyalty.history(shop, c.id).lines] == ["welcome gift", "typo at the till"]
    row = AuditLog.get(AuditLog.action == "points.adjust", AuditLog.record == f"points:{t.id}")
    assert '"points": -200' in row.detail and "typo at the till" in row.detail and row.user_id == shop.user.id
    assert loyalty.balance(shop, c.id) == 500
    assert_whole(shop, c.id)


def test_adjust_books_once_per_idempotency_key(shop):
    c = customers.add(shop, name="Double Enter")
    first = loyalty.adjust(shop, c.id, 100, "gift", idempotency_key="k-1")
    again = loyalty.adjust(shop, c.id, 100, "gift", idempotency_key="k-1")
    assert first == again and loyalty.balance(shop, c.id) == 100


@pytest.mark.parametrize(("points", "reason", "error", "message"), [
    (500, "", ValidationError, "reason: a points adjustment needs a reason"),
    (500, "   ", ValidationError, "reason"),
    (0, "why", ValidationError, "points: must not be zero"),
    (-600, "why", NotEnoughPoints, "adjust: take back: 600 points asked, the customer has 100"),
    ("5", "why", ValidationError, "is not a whole number of points"),
])
def test_adjust_refuses_bad_input_and_changes_nothing(shop, points, reason, error, message):
    c = customers.add(shop, name="Bad Input")
    loyalty.adjust(shop, c.id, 100, "start")
    with pytest.raises(error, match=message):
        loyalty.adjust(shop, c.id, points, reason)
    assert loyalty.balance(shop, c.id) == 100 and len(points_store.entries_for(c.id)) == 1


def test_only_owners_and_managers_adjust_points_set_tiers_and_run_campaigns(shop):
    c = customers.add(shop, name="Guarded")
    cashier = as_role(shop, "cashier")
    with pytest.raises(KioskError, match="only managers and owners can adjust points"):
        loyalty.adjust(cashier, c.id, 100, "friend")
    with pytest.raises(KioskError, match="only managers and owners can adjust points, pin tiers"):
        loyalty.set_tier(cashier, c.id, "VIP")
    with pytest.raises(KioskError, match="only managers and owners can adjust points, pin tiers or run campaigns"):
        loyalty.add_campaign(cashier, "Mine", start=D(2026, 1, 1), end=D(2026, 1, 2), multiplier="2")
    manager = as_role(shop, "manager")
    loyalty.adjust(manager, c.id, 100, "friend")
    assert loyalty.expire(cashier).points == 0  # the start-of-day run is anyone's


# --- Expiry --------------------------------------------------------------------------------------


def test_expiry_writes_off_what_is_past_its_date_once(shop):
    months(shop, 1)
    a = customers.add(shop, name="Expiring")
    b = customers.add(shop, name="Fresh")
    z = customers.add(shop, name="Spent")
    earn(shop, a.id, 1000, D(2026, 1, 1))  # expires 2026-02-01
    earn(shop, a.id, 400, D(2026, 1, 20))  # expires 2026-02-20
    redeem(shop, a.id, 300, D(2026, 1, 25))  # from the nearer lot: 700 of it left
    earn(shop, b.id, 900, D(2026, 1, 30))  # expires 2026-03-02
    earn(shop, z.id, 100, D(2026, 1, 1))
    redeem(shop, z.id, 100, D(2026, 1, 2))
    result = loyalty.expire(shop, D(2026, 2, 1))
    assert result.expired == ()  # on its expiry day a lot is still good
    result = loyalty.expire(shop, D(2026, 2, 5))
    assert result.expired == ((a.id, 700),) and result.points == 700 and result.customers == 1
    assert lots_of(shop, a.id) == [(400, D(2026, 2, 20))] and loyalty.balance(shop, b.id) == 900
    before = PointsRow.select().count()
    assert loyalty.expire(shop, D(2026, 2, 5)).expired == ()  # again the same day: nothing new
    assert PointsRow.select().count() == before
    assert points_store.expiry_candidates(D(2026, 2, 5)) == []  # and nothing left to read
    assert AuditLog.select().where(AuditLog.action == "points.expire").count() == 1
    result = loyalty.expire(shop, D(2026, 3, 10))
    assert dict(result.expired) == {a.id: 400, b.id: 900}
    for c in (a, b, z):
        assert_whole(shop, c.id)
        assert loyalty.balance(shop, c.id) == 0


def test_points_spent_after_their_date_but_before_the_run_stay_spent(shop):
    months(shop, 1)
    c = customers.add(shop, name="Late Spender")
    earn(shop, c.id, 1000, D(2026, 1, 1))  # expires 2026-02-01
    redeem(shop, c.id, 600, D(2026, 2, 10))  # the run had not happened yet
    result = loyalty.expire(shop, D(2026, 2, 5))  # a run for a past day
    assert result.expired == ((c.id, 400),)
    last = points_store.entries_for(c.id)[-1]
    assert (last.kind, last.date) == (PointsKind.EXPIRE, D(2026, 2, 10))  # sorts after the redemption
    assert_whole(shop, c.id)


def test_old_points_given_back_after_a_run_go_at_the_next_run(shop):
    months(shop, 1)
    c = customers.add(shop, name="Refunded")
    other = customers.add(shop, name="Other")
    earn(shop, c.id, 1000, D(2026, 1, 1))
    redeem(shop, c.id, 1000, D(2026, 1, 5), sale_id="old-sale")
    earn(shop, other.id, 50, D(2026, 1, 1))
    assert loyalty.expire(shop, D(2026, 3, 1)).expired == ((other.id, 50),)
    give_back(shop, c.id, 1000, D(2026, 3, 1), D(2026, 2, 1), sale_id="old-sale")  # a refund of the old sale
    assert points_store.expiry_candidates(D(2026, 3, 1)) == [c.id]
    assert loyalty.expire(shop, D(2026, 3, 1)).expired == ((c.id, 1000),)
    assert_whole(shop, c.id)


def test_expiry_refuses_a_day_to_come_and_does_nothing_when_points_never_expire(shop):
    c = customers.add(shop, name="Forever")
    earn(shop, c.id, 500, D(2020, 1, 1))  # expiry_months 0: never
    assert loyalty.expire(shop).expired == ()
    with pytest.raises(ValidationError, match="as-of: .* is in the future"):
        loyalty.expire(shop, dt.date.today() + dt.timedelta(days=1))


# --- Campaigns and terms -------------------------------------------------------------------------


def test_campaigns_date_range_groups_tiers_and_the_best_one_wins(shop):
    retail = customers.add(shop, name="Retail New")
    vip = customers.add(shop, name="Wholesale VIP", group="Wholesale", tier="VIP")
    loyalty.add_campaign(shop, "Ramadan", start=D(2026, 2, 18), end=D(2026, 3, 19), multiplier="2")
    loyalty.add_campaign(shop, "Eid VIP", start=D(2026, 3, 19), end=D(2026, 3, 22), multiplier="3",
                         tiers="vip")
    loyalty.add_campaign(shop, "Wholesale week", start=D(2026, 3, 1), end=D(2026, 3, 7), multiplier=Fraction(3, 2),
                         groups=["wholesale"])

    def m(customer, on):
        return loyalty.terms_for(shop, customer, on).campaign_multiplier

    assert m(retail, D(2026, 2, 17)) == 1 and m(retail, D(2026, 2, 18)) == 2 and m(retail, D(2026, 3, 19)) == 2
    assert m(retail, D(2026, 3, 20)) == 1  # Eid is VIP only
    assert m(vip, D(2026, 3, 19)) == 3  # both apply: the best wins, they do not compound
    assert m(vip, D(2026, 3, 3)) == 2  # Ramadan's 2 beats the wholesale 1.5
    loyalty.end_campaign(shop, "ramadan")
    assert m(vip, D(2026, 3, 3)) == Fraction(3, 2) and m(retail, D(2026, 3, 3)) == 1
    listed = {r.campaign.name: r for r in loyalty.list_campaigns(shop)}
    assert not listed["Ramadan"].active and listed["Eid VIP"].campaign.tiers == (Tier.VIP,)
    assert listed["Wholesale week"].campaign.groups == ("Wholesale",)
    assert listed["Wholesale week"].campaign.multiplier == Fraction(3, 2)
    assert PointsRow.select().count() == 0
    with pytest.raises(KioskError, match="already been ended"):
        loyalty.end_campaign(shop, "Ramadan")
    with pytest.raises(NotFound, match="no campaign named 'Diwali'"):
        loyalty.end_campaign(shop, "Diwali")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"multiplier": "0"}, "multiplier: '0': a multiplier must be more than 0"),
    ({"multiplier": "x"}, "multiplier: 'x' is not a multiplier"),
    ({"multiplier": "0.5"}, "multiplier: 0.5 is below the minimum 1"),
    ({"multiplier": "1.23456"}, "multiplier: '1.23456' is not a multiplier"),
    ({"multiplier": Fraction(1, 3)}, "more than 4 decimal places"),
    ({"end": D(2026, 2, 28)}, "to: the campaign ends \\(2026-02-28\\) before it starts \\(2026-03-01\\)"),
    ({"groups": "Retail,Gold"}, "groups: 'Gold' is not a customer group"),
    ({"tiers": "VIP,Platinum"}, "tier: 'Platinum' is not a tier: New, Regular, VIP"),
    ({"name": "  "}, "name: a campaign needs a name"),
    ({"name": "eid"}, "a campaign named 'eid' already exists"),
])
def test_bad_campaigns_are_refused_naming_the_field(shop, kwargs, message):
    loyalty.add_campaign(shop, "Eid", start=D(2026, 1, 1), end=D(2026, 1, 2), multiplier="2")
    args = {"name": "New one", "start": D(2026, 3, 1), "end": D(2026, 3, 5), "multiplier": "2", **kwargs}
    with pytest.raises(KioskError, match=message):
        loyalty.add_campaign(shop, args.pop("name"), **args)
    assert len(loyalty.list_campaigns(shop)) == 1


def test_terms_come_from_the_settings_the_tier_and_the_campaigns(shop):
    shop_settings.set(shop, "loyalty.earn_points", "20")
    shop_settings.set(shop, "loyalty.earn_per", "50.00")
    shop_settings.set(shop, "loyalty.min_redeem", "300")
    shop_settings.set(shop, "loyalty.multiplier.vip", "2.5")
    shop_settings.set(shop, "loyalty.tier.vip_from", "30")
    vip = customers.add(shop, name="Big Buyer", tier="VIP")
    t = loyalty.terms_for(shop, vip, D(2026, 5, 1))
    assert (t.rates.earn_points, t.rates.earn_per, t.rates.min_redeem) == (20, 5000, 300)
    assert (t.rates.redeem_points, t.rates.redeem_value) == (100, 100)
    assert t.tier_rules == rules.TierRules(regular_from=4, vip_from=30, vip_spend=50_000_00)
    assert (t.tier_multiplier, t.campaign_multiplier, t.credit_earns_at_sale) == (Fraction(5, 2), 1, False)
    regular = customers.add(shop, name="Regular", tier="Regular")
    assert loyalty.terms_for(shop, regular, D(2026, 5, 1)).tier_multiplier == Fraction(3, 2)
    shop_settings.set(shop, "loyalty.credit_earns", "sale")
    loyalty.add_campaign(shop, "May", start=D(2026, 5, 1), end=D(2026, 5, 31), multiplier="1.25")
    t = loyalty.terms_for(shop, vip, D(2026, 5, 1))
    assert t.credit_earns_at_sale is True and t.campaign_multiplier == Fraction(5, 4)
    walk_in = loyalty.terms_for(shop, None, D(2026, 5, 1))
    assert (walk_in.tier_multiplier, walk_in.campaign_multiplier) == (1, 1)


# --- Tiers ---------------------------------------------------------------------------------------


def test_a_pinned_tier_stays_until_unpinned(shop):
    c = customers.add(shop, name="Pinned")
    assert loyalty.set_tier(shop, c.id, "vip") is Tier.VIP
    assert points_store.tier_of(c.id) == (Tier.VIP, True) and customers.get(shop, c.id).tier is Tier.VIP
    assert loyalty.set_tier(shop, c.id, Tier.REGULAR) is Tier.REGULAR
    assert loyalty.set_tier(shop, c.id, None) is Tier.NEW  # unpinned: back to what the rules say
    assert points_store.tier_of(c.id) == (Tier.NEW, False)
    actions = [(r.action, r.detail) for r in AuditLog.select().where(AuditLog.action == "customer.tier")]
    assert len(actions) == 3 and '"pinned": false' in actions[-1][1]
    with pytest.raises(ValidationError, match="tier: 'Gold' is not a tier"):
        loyalty.set_tier(shop, c.id, "Gold")
    with pytest.raises(NotFound):
        loyalty.set_tier(shop, 999, "VIP")


# --- kiosk check ---------------------------------------------------------------------------------


def test_check_catches_a_drifted_points_cache_and_a_ledger_that_goes_below_zero(shop):
    c = customers.add(shop, name="Drifter")
    earn(shop, c.id, 100, D(2026, 1, 1))
    assert check(shop) == []
    Customer.update(points=Customer.points + 5).where(Customer.id == c.id).execute()
    assert check(shop) == [f"customer {c.id} (Drifter): cached points 105 but points entries sum to 100"]
    Customer.update(points=Customer.points - 5).where(Customer.id == c.id).execute()
    # A hand-written redemption dated before the points existed: the sum is fine, the replay is not.
    PointsRow.insert(customer=c.id, kind="redeem", points=50, date=D(2025, 12, 1)).execute()
    PointsRow.insert(customer=c.id, kind="earn", points=50, date=D(2026, 2, 1)).execute()
    problems = check(shop)
    assert len(problems) == 1 and f"customer {c.id}: the points ledger goes below zero" in problems[0]


# --- The service against the domain's replay --------------------------------------------------------

_OPS = st.one_of(
    st.tuples(st.just("earn"), st.integers(0, 2000), st.integers(0, 20)),
    st.tuples(st.just("give_back"), st.integers(1, 1500), st.one_of(st.none(), st.integers(-15, 60))),
    st.tuples(st.just("redeem"), st.integers(1, 2500), st.integers(0, 20)),
    st.tuples(st.just("redeem_back_dated"), st.integers(1, 1500), st.integers(1, 40)),
    st.tuples(st.just("take_back"), st.integers(1, 2500), st.integers(0, 5)),
    st.tuples(st.just("adjust"), st.integers(-2500, 2500).filter(bool), st.integers(0, 5)),
    st.tuples(st.just("expire"), st.integers(0, 20), st.booleans()),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_OPS, min_size=1, max_size=14))
def test_the_service_keeps_the_ledger_the_domain_replays(shop, ops):
    """Random earn, give-back, redeem (some back-dated), take-back, adjust and expiry runs (some for a
    day gone by): every refusal and every amount is what the domain's replay of the ledger says."""
    if shop_settings.get(shop, "loyalty.expiry_months") != 1:
        months(shop, 1)
    c = customers.add(shop, name="Random")
    model: list[PointsEntry] = []  # the ledger as the domain sees it, in replay order
    day = D(2025, 1, 1)

    def fits(points, date):
        nxt = max((e.id for e in model), default=0) + 1
        try:
            rules.open_lots([*model, PointsEntry(nxt, c.id, PointsKind.REDEEM, points, date)])
        except NotEnoughPoints:
            return False
        return True

    for op, a, b in ops:
        before = rules.balance(model)
        expected = None  # the stored ledger's balance after the op, when the op does not append to `model`
        if op == "earn":
            day += dt.timedelta(days=b)
            e = earn(shop, c.id, a, day)
            if a:
                assert e.expires_on == rules.expiry_date(day, 1)
                model.append(e)
        elif op == "give_back":
            model.append(give_back(shop, c.id, a, day, None if b is None else day + dt.timedelta(days=b)))
        elif op in ("redeem", "redeem_back_dated"):
            when = day + dt.timedelta(days=b) if op == "redeem" else day - dt.timedelta(days=b)
            day = max(day, when)
            allowed = fits(a, when)
            try:
                model.append(redeem(shop, c.id, a, when))
                assert allowed, f"redeemed {a} on {when}, which the replay refuses"
            except NotEnoughPoints:
                assert not allowed, f"refused {a} on {when}, which the replay allows"
        elif op == "take_back":
            day += dt.timedelta(days=b)
            taken = take_back(shop, c.id, a, day)
            assert taken == min(a, before)
            expected = before - taken
        elif op == "adjust":
            day += dt.timedelta(days=b)
            if a < 0 and -a > before:
                with pytest.raises(NotEnoughPoints):
                    loyalty.adjust(shop, c.id, a, "property", date=day)
            else:
                loyalty.adjust(shop, c.id, a, "property", date=day)
            expected = before + a if a > 0 or -a <= before else before
        elif op == "expire":
            day += dt.timedelta(days=a)
            as_of = day if b else day - dt.timedelta(days=a)  # sometimes a run for a day gone by
            due = rules.due_to_expire(model, as_of)
            assert dict(loyalty.expire(shop, as_of).expired).get(c.id, 0) == due
            expected = before - due
        stored = points_store.entries_for(c.id)
        if expected is None:
            assert stored == sorted(model, key=lambda e: (e.date, e.id))
        else:
            assert rules.balance(stored) == expected
        model = stored
        lots = rules.open_lots(stored)  # raises if the ledger ever spends points that are not there
        assert loyalty.balance(shop, c.id) == rules.balance(stored) == sum(lot.left for lot in lots) >= 0
    assert check(shop) == []
