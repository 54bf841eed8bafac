"""The customers list on SQLite and PostgreSQL: every sort both ways, every filter, text search, paging
that gives each row once and in order, and the table behind it equal to the books; the profile's
favourite products and purchases.

Each list is checked against a reference made in Python from what the other services say of each
customer (their record, their figures, their history), so the list's SQL answers to the same rules.
"""

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain.customer_list import (
    HIGH_VALUE_PERCENT,
    RECENT_DAYS,
    Cursor,
    Direction,
    Filters,
    ListQuery,
    Sort,
)
from kiosk.domain.customers import Tier, search_query
from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.khata import DebitSource
from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customer_list, customers, khata, loyalty, products, refunds, sales, users
from kiosk.services.check import check
from kiosk.services.context import Context
from kiosk.services.sales import ItemRequest
from kiosk.store import customer_list as list_store
from kiosk.store.db import is_sqlite

TODAY = dt.date.today()
T = TenderRequest


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _sell(ctx, sale_id, customer_id, code, qty="1", *, tenders=None, days=0):
    return sales.sell(ctx, sale_id=sale_id, customer_id=customer_id, items=[ItemRequest(code, qty)],
                      tenders=tenders or [T(Method.CASH, 10_000_000)], date=ago(days))


@pytest.fixture
def town(shop):
    """Fourteen customers with every kind of history. Returns (ctx, {label: id})."""
    products.add(shop, sku="1001", name="Atta 10kg", price=1_450_00)
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)
    products.add(shop, sku="SUGAR", name="Sugar", price=150_00, unit="kg")
    add = customers.add
    ids = {}
    ids["ahmed"] = add(shop, name="Ahmed Khan", phone="0300 1234567", cnic="35202-1234567-1").id
    for n, days in enumerate((20, 9, 2)):  # three credit sales, part paid
        _sell(shop, f"ahmed-{n}", ids["ahmed"], "1001", tenders=[T(Method.KHATA)], days=days)
    khata.receive(shop, ids["ahmed"], 1_000_00, date=ago(1))
    ids["bilal"] = add(shop, name="Bilal Ahmed", phone="0301 7654321", group="Wholesale").id
    _sell(shop, "bilal-0", ids["bilal"], "1001", "12", days=50)  # big, and long ago
    ids["urdu"] = add(shop, name="محمد علی", phone="0333 5555555").id
    _sell(shop, "urdu-0", ids["urdu"], "GHEE")
    ids["zainab"] = add(shop, name="Zainab Qureshi").id  # nothing at all
    ids["kofi"] = add(shop, name="Kofi Mensah", phone="0345 1112223", email="kofi@mensah.gh").id
    khata.receive(shop, ids["kofi"], 500_00, date=ago(40))  # an advance: the shop owes him
    ids["gone"] = add(shop, name="Archie Gone", phone="0311 0000001").id
    _sell(shop, "gone-0", ids["gone"], "1001", "3", days=5)
    customers.set_archived(shop, ids["gone"], True)
    ids["legacy"] = add(shop, name="Lubna Legacy", phone="0321 4445556").id
    khata.give(shop, ids["legacy"], 3_000_00, source=DebitSource.SALE, date=ago(100))  # before checkout
    undone = khata.give(shop, ids["legacy"], 700_00, source=DebitSource.SALE, date=ago(90))
    khata.reverse(shop, undone.id, reason="written twice", date=ago(90))
    ids["ray"] = add(shop, name="Ray Refund", phone="0322 1010101").id
    _sell(shop, "ray-0", ids["ray"], "GHEE", "2", days=12)
    refunds.refund(shop, refund_id="ray-r0", sale_id="ray-0", date=ago(11))  # all of it
    _sell(shop, "ray-1", ids["ray"], "SUGAR", "4", days=70)
    refunds.refund(shop, refund_id="ray-r1", sale_id="ray-1", asks=[RefundAsk(1, 1_000)], date=ago(3))
    ids["vera"] = add(shop, name="Vera Vip", phone="0312 9999999", group="Corporate").id
    _sell(shop, "vera-0", ids["vera"], "GHEE", days=35)
    loyalty.set_tier(shop, ids["vera"], "VIP")  # pinned by hand
    for n, name in enumerate(("Ali Raza", "Ali Raza", "ali raza", "Ayesha Ali", "Usman Tie")):
        ids[f"tie{n}"] = add(shop, name=name, phone=f"0302 00000{n:02d}").id
        _sell(shop, f"tie-{n}", ids[f"tie{n}"], "GHEE", days=n)  # equal spends
    return shop, ids


# --- A reference, from the other services ---------------------------------------------------------------


def _last_activity(ctx: Context, customer_id: int) -> dt.date | None:
    p = ctx.db.param
    days = []
    for table in ("sale", "khata_entry", "refund"):
        (day,) = ctx.db.execute_sql(f"SELECT MAX(date) FROM {table} WHERE customer_id = {p}", (customer_id,)).fetchone()
        if day is not None:
            days.append(dt.date.fromisoformat(day) if isinstance(day, str) else day)
    return max(days, default=None)


def _everyone(ctx: Context) -> list[dict]:
    out = []
    for c in customers.search(ctx, "", limit=10_000, include_archived=True):
        f = customers.figures(ctx, c.id)
        (text,) = ctx.db.execute_sql(f"SELECT search_text FROM customer WHERE id = {ctx.db.param}", (c.id,)).fetchone()
        out.append({"id": c.id, "name": c.name, "key": c.name.casefold(), "tier": c.tier, "group": c.group,
                    "phone": c.phone, "balance": c.balance, "points": c.points, "archived": c.archived,
                    "spent": f.total_spent, "purchases": f.purchases, "active": _last_activity(ctx, c.id),
                    "added": c.created_at.date(), "text": text})
    return out


def _threshold(people: list[dict]) -> int | None:
    spends = sorted((p["spent"] for p in people if p["spent"] > 0), reverse=True)
    if not spends:
        return None
    return spends[max(1, -(-len(spends) * HIGH_VALUE_PERCENT // 100)) - 1]


def _passes(p: dict, q: ListQuery, threshold: int | None) -> bool:
    f = q.filters
    text = search_query(q.text)
    if p["archived"] != f.archived:
        return False
    if text and not (p["key"].startswith(text) if len(text) < 3 else text in p["text"]):
        return False
    recent = p["active"] is not None and p["active"] >= TODAY - dt.timedelta(days=RECENT_DAYS - 1)
    return ((not f.has_balance or p["balance"] > 0) and (not f.no_purchases or p["purchases"] == 0)
            and (not f.high_value or (threshold is not None and p["spent"] >= threshold))
            and (not f.recent or recent) and (f.group is None or p["group"] == f.group)
            and (f.tier is None or p["tier"] == f.tier))


def _key(p: dict, sort: Sort):
    return {Sort.NAME: p["key"], Sort.ADDED: 0, Sort.BALANCE: p["balance"], Sort.SPENT: p["spent"],
            Sort.ACTIVITY: p["active"] or dt.date.min}[sort]


def expected(ctx: Context, q: ListQuery) -> list[int]:
    people = _everyone(ctx)
    threshold = _threshold(people)
    chosen = [p for p in people if _passes(p, q, threshold)]
    chosen.sort(key=lambda p: (_key(p, q.sort), p["id"]), reverse=q.direction is Direction.DESC)
    return [p["id"] for p in chosen]


def listed(ctx: Context, q: ListQuery, limit: int = 3) -> list[int]:
    """Every page of the list, each row once: the ids in order."""
    out, after, seen_cursors = [], None, 0
    while True:
        page = customer_list.page(ctx, q, after=after, limit=limit, today=TODAY)
        out += [r.id for r in page.rows]
        assert len(page.rows) <= limit
        if page.next_cursor is None:
            return out
        after = page.next_cursor
        seen_cursors += 1
        assert seen_cursors < 100


# --- The table behind the list ---------------------------------------------------------------------------


def test_the_list_table_is_what_the_books_say_after_every_kind_of_history(town):
    ctx, ids = town
    assert customer_list.mismatches(ctx) == []
    assert check(ctx) == []
    row = {r.id: r for r in customer_list.page(ctx, ListQuery(), limit=50, today=TODAY).rows}
    ahmed = row[ids["ahmed"]]
    f = customers.figures(ctx, ids["ahmed"])
    assert (ahmed.total_spent, ahmed.purchases, ahmed.balance) == (f.total_spent, f.purchases, 3 * 1_450_00 - 1_000_00)
    assert ahmed.last_activity == ago(1) and ahmed.phone == "+923001234567" and ahmed.tier is Tier.NEW
    assert (row[ids["legacy"]].total_spent, row[ids["legacy"]].purchases) == (3_000_00, 1)  # the reversed one is not
    assert (row[ids["ray"]].total_spent, row[ids["ray"]].purchases) == (4 * 150_00 - 150_00, 1)  # refunds taken off
    assert row[ids["ray"]].last_activity == ago(3)  # a refund is activity
    assert (row[ids["zainab"]].total_spent, row[ids["zainab"]].last_activity) == (0, None)
    assert (row[ids["kofi"]].balance, row[ids["kofi"]].last_activity) == (-500_00, ago(40))
    assert row[ids["vera"]].tier is Tier.VIP and row[ids["vera"]].group == "Corporate"
    assert row[ids["zainab"]].added_on == TODAY


def test_a_merge_moves_the_totals_and_an_edit_moves_the_copied_columns(town):
    ctx, ids = town
    before = customers.figures(ctx, ids["ahmed"]).total_spent + customers.figures(ctx, ids["bilal"]).total_spent
    customers.merge(ctx, ids["ahmed"], ids["bilal"])
    customers.edit(ctx, ids["kofi"], name="Kofi Annan Mensah", group="Wholesale", tier="regular")
    assert customer_list.mismatches(ctx) == []
    rows = {r.id: r for r in customer_list.page(ctx, ListQuery(filters=Filters(archived=True)), limit=50,
                                                today=TODAY).rows}
    bilal = rows[ids["bilal"]]
    assert (bilal.total_spent, bilal.purchases, bilal.last_activity) == (0, 0, None)
    (ahmed,) = [r for r in customer_list.page(ctx, ListQuery(text="ahmed"), today=TODAY).rows]
    assert ahmed.total_spent == before and ahmed.last_activity == ago(1)
    (kofi,) = customer_list.page(ctx, ListQuery(text="kofi"), today=TODAY).rows
    assert (kofi.name, kofi.group, kofi.tier) == ("Kofi Annan Mensah", "Wholesale", Tier.REGULAR)


def test_a_seeded_year_written_by_the_bulk_writers_keeps_the_table(shop):
    from kiosk.services.seed import seed_shop

    seed_shop(shop, customers=40, sales=400, seed=3)
    assert customer_list.mismatches(shop) == []
    q = ListQuery(sort=Sort.SPENT, direction=Direction.DESC, filters=Filters(recent=True))
    assert listed(shop, q, limit=7) == expected(shop, q)


def test_a_customer_deleted_leaves_no_row_behind(shop):
    c = customers.add(shop, name="Passing Through")
    customers.delete(shop, c.id)
    assert customer_list.page(shop, ListQuery(), today=TODAY).rows == ()
    assert customer_list.mismatches(shop) == []


# --- Sorts, filters, text --------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", list(Sort))
def test_every_sort_both_ways_gives_each_row_once_in_order_across_pages(town, sort):
    ctx, ids = town
    for direction in Direction:
        q = ListQuery(sort=sort, direction=direction)
        want = expected(ctx, q)
        assert len(want) == len(ids) - 1  # everyone but the archived one
        assert listed(ctx, q, limit=1) == want
        assert listed(ctx, q, limit=4) == want
        assert listed(ctx, q, limit=500) == want


def test_ties_follow_the_id_in_the_sort_direction(town):
    ctx, ids = town
    ties = [ids[f"tie{n}"] for n in range(3)]  # "Ali Raza", "Ali Raza", "ali raza": one name key
    by_name = listed(ctx, ListQuery(text="ali r"))
    assert by_name == ties
    assert listed(ctx, ListQuery(text="ali r", direction=Direction.DESC)) == ties[::-1]


FILTERS = {
    "has balance": Filters(has_balance=True),
    "no purchases": Filters(no_purchases=True),
    "high value": Filters(high_value=True),
    "recent": Filters(recent=True),
    "group": Filters(group="Wholesale"),
    "tier": Filters(tier=Tier.VIP),
    "archived": Filters(archived=True),
    "several": Filters(recent=True, has_balance=True, group="Retail"),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter_under_every_sort(town, name):
    ctx, ids = town
    for sort in Sort:
        q = ListQuery(filters=FILTERS[name], sort=sort, direction=Direction.DESC)
        assert listed(ctx, q, limit=2) == expected(ctx, q)


def test_what_the_filters_hold_in_this_shop(town):
    ctx, ids = town

    def who(**f):
        return set(listed(ctx, ListQuery(filters=Filters(**f)), limit=50))

    assert who(has_balance=True) == {ids["ahmed"], ids["legacy"]}  # Kofi's advance is not a balance
    assert who(no_purchases=True) == {ids["zainab"], ids["kofi"]}
    assert who(high_value=True) == {ids["bilal"], ids["ahmed"]}  # top 10% of 12 who spent: ranks 1 and 2
    assert who(archived=True) == {ids["gone"]}
    assert who(tier=Tier.VIP) == {ids["vera"]} and who(group="wholesale") == {ids["bilal"]}
    assert ids["bilal"] not in who(recent=True) and ids["ahmed"] in who(recent=True)
    assert ids["vera"] not in who(recent=True)  # 35 days ago


def test_high_value_is_the_top_tenth_by_spend_ties_included(town):
    ctx, ids = town
    # Twelve customers spent something (the archived one too): the top 10% is ranks 1 and 2, and rank 2
    # is Ahmed's Rs 4,350, which Archie (archived) also spent.
    assert list_store.high_value_threshold() == _threshold(_everyone(ctx)) == 4_350_00
    gap = 4_350_00 - customers.figures(ctx, ids["urdu"]).total_spent
    sales.sell(ctx, sale_id="catch-up", customer_id=ids["urdu"], open_items=[sales.OpenItemRequest("order", gap)],
               tenders=[T(Method.CASH, gap)])
    assert set(listed(ctx, ListQuery(filters=Filters(high_value=True)))) == {ids["bilal"], ids["ahmed"], ids["urdu"]}
    assert listed(ctx, ListQuery(filters=Filters(high_value=True, archived=True))) == [ids["gone"]]


@pytest.mark.parametrize(("typed", "who"), [
    ("0300 1234567", ["ahmed"]),  # as people say it
    ("+923001234567", ["ahmed"]),  # E.164
    ("03001", ["ahmed"]),  # a phone's start
    ("35202-1234567", ["ahmed"]),  # CNIC with dashes
    ("3520212345671", ["ahmed"]),  # and without
    ("KHAN", ["ahmed"]),  # any part of the name, any case
    ("ahm", ["ahmed", "bilal"]),  # Ahmed Khan and Bilal Ahmed
    ("ah", ["ahmed"]),  # under three characters: a name prefix
    ("a", ["ahmed", "tie0", "tie1", "tie2", "tie3"]),  # Ahmed, Ali Raza ×3, Ayesha Ali (not Archie: archived)
    ("علی", ["urdu"]),
    ("mensah.gh", ["kofi"]),  # email
    ("zzz", []),
    ('"; DROP', []),
])
def test_search_by_name_phone_cnic_and_email(town, typed, who):
    ctx, ids = town
    q = ListQuery(text=typed)
    got = listed(ctx, q, limit=2)
    assert got == expected(ctx, q)
    assert set(got) == {ids[w] for w in who}


def test_archived_customers_are_hidden_unless_asked_for(town):
    ctx, ids = town
    assert ids["gone"] not in listed(ctx, ListQuery(text="archie"))
    assert listed(ctx, ListQuery(text="archie", filters=Filters(archived=True))) == [ids["gone"]]
    customers.set_archived(ctx, ids["gone"], False)
    assert listed(ctx, ListQuery(text="archie")) == [ids["gone"]]


QUERIES = st.builds(
    ListQuery,
    text=st.sampled_from(["", "", "a", "al", "ali", "ahm", "030", "0300", "raza", "zz", "علی", "+92"]),
    filters=st.builds(Filters, has_balance=st.booleans(), no_purchases=st.booleans(), high_value=st.booleans(),
                      recent=st.booleans(), group=st.sampled_from([None, None, "Retail", "Wholesale"]),
                      tier=st.sampled_from([None, None, Tier.NEW, Tier.VIP]),
                      archived=st.sampled_from([False, False, False, True])),
    sort=st.sampled_from(list(Sort)),
    direction=st.sampled_from(list(Direction)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERIES, limit=st.integers(1, 5))
def test_any_query_pages_to_the_reference_list(town, q, limit):
    ctx, _ids = town
    assert listed(ctx, q, limit=limit) == expected(ctx, q)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL's planner chooses: one way only
@pytest.mark.parametrize("text", ["ahm", "030", "a", "zz", "0300 1234567"])
def test_reading_from_the_matches_and_walking_the_index_give_the_same_pages(town, text):
    ctx, _ids = town
    assert is_sqlite(ctx.db)
    for sort, direction in [(s, d) for s in Sort for d in Direction]:
        q = ListQuery(text=text, sort=sort, direction=direction, filters=Filters(recent=text == "a"))
        pages = {}
        for how in ("walk", "drive", None):
            out, after = [], None
            while True:
                rows, key, _plan = list_store.page(q, today=TODAY, after=after, limit=2, force=how)
                out += [r.id for r in rows]
                if len(rows) < 2:
                    break
                after = Cursor(q.sort, q.direction, key, rows[-1].id)
            pages[how] = out
        assert pages["walk"] == pages["drive"] == pages[None] == expected(ctx, q), (sort, direction)


def test_count_and_its_cap(town):
    ctx, ids = town
    assert customer_list.count(ctx, ListQuery(), today=TODAY) == len(ids) - 1
    assert customer_list.count(ctx, ListQuery(), cap=5, today=TODAY) == 5
    assert customer_list.count(ctx, ListQuery(text="ahm"), today=TODAY) == 2
    assert customer_list.count(ctx, ListQuery(filters=Filters(archived=True)), today=TODAY) == 1
    with pytest.raises(ValidationError, match="cap"):
        customer_list.count(ctx, ListQuery(), cap=0)


def test_bad_requests_are_refused_with_a_clear_line(town):
    ctx, _ids = town
    with pytest.raises(ValidationError, match="group: 'Nobody' is not a group"):
        customer_list.page(ctx, ListQuery(filters=Filters(group="Nobody")))
    with pytest.raises(ValidationError, match="limit"):
        customer_list.page(ctx, ListQuery(), limit=0)
    first = customer_list.page(ctx, ListQuery(sort=Sort.SPENT), limit=2)
    with pytest.raises(KioskError, match="another order"):
        customer_list.page(ctx, ListQuery(sort=Sort.NAME), after=first.next_cursor)
    assert customer_list.page(ctx, ListQuery(filters=Filters(group="wholesale"))).rows  # any case


def test_every_role_may_read_the_list(town):
    ctx, ids = town
    viewer = users.add_user(ctx, "Remote", "viewer", "7777")
    cashier = users.add_user(ctx, "Sana", "cashier", "6666")
    for who in (viewer, cashier):
        as_them = dataclasses.replace(ctx, user=who)
        assert customer_list.page(as_them, ListQuery(text="ahmed")).rows[0].id == ids["ahmed"]


# --- The profile ----------------------------------------------------------------------------------------


def test_favourite_products_by_quantity_kept(town):
    ctx, ids = town
    c = ids["urdu"]
    _sell(ctx, "fav-1", c, "SUGAR", "5")
    _sell(ctx, "fav-2", c, "SUGAR", "2.5")
    _sell(ctx, "fav-3", c, "1001", "2")
    sales.sell(ctx, sale_id="fav-4", customer_id=c, items=[ItemRequest("GHEE", "3")],
               open_items=[sales.OpenItemRequest("loose nuts", 100_00, "9")], tenders=[T(Method.CASH, 10_000_000)])
    refunds.refund(ctx, refund_id="fav-r", sale_id="fav-4", asks=[RefundAsk(1, 1_000)])  # one ghee back
    favs = customer_list.favourite_products(ctx, c)
    assert [(f.sku, f.quantity_milli, f.times) for f in favs] == [
        ("SUGAR", 7_500, 2), ("GHEE", 3_000, 2), ("1001", 2_000, 1)]  # ghee: 1 + 3 - 1; the open item is left out
    assert favs[0].name == "Sugar" and favs[0].unit == "kg" and favs[0].spent == 7_500 * 150_00 // 1000
    assert [f.sku for f in customer_list.favourite_products(ctx, c, n=1)] == ["SUGAR"]
    assert customer_list.favourite_products(ctx, ids["zainab"]) == []
    with pytest.raises(NotFound):
        customer_list.favourite_products(ctx, 999_999)


def test_purchases_newest_first_with_tenders_lines_and_refunds(town):
    ctx, ids = town
    c = ids["ray"]
    sales.sell(ctx, sale_id="ray-2", customer_id=c, items=[ItemRequest("GHEE"), ItemRequest("SUGAR", "2")],
               tenders=[T(Method.CASH, 500_00), T(Method.KHATA)])
    first = customer_list.purchases(ctx, c, limit=2)
    assert [p.sale_id for p in first.rows] == ["ray-2", "ray-0"]
    newest = first.rows[0]
    assert newest.total == 950_00 and newest.date == TODAY and not newest.refunded_any
    assert newest.tenders_summary == (("cash", 500_00), ("khata", 450_00))
    assert [(ln.sku, ln.quantity_milli, ln.net) for ln in newest.lines] == [("GHEE", 1_000, 650_00),
                                                                            ("SUGAR", 2_000, 300_00)]
    assert first.rows[1].fully_refunded and first.rows[1].lines[0].refunded_milli == 2_000
    rest = customer_list.purchases(ctx, c, after=first.next_cursor, limit=2)
    assert [p.sale_id for p in rest.rows] == ["ray-1"] and rest.next_cursor is None
    assert rest.rows[0].refunded == 150_00 and not rest.rows[0].fully_refunded
    assert customer_list.purchases(ctx, ids["zainab"]).rows == ()
