"""The customer_list triggers (migration 0012, folded by 0015) keep the table equal to the customers and the
books after any mix of writes, on SQLite and PostgreSQL; 0015 goes down to exactly 0012's triggers.

`list_mismatches` (what `kiosk check` runs) is the proof: it recomputes every row from the books.
"""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain.errors import KioskError
from kiosk.domain.khata import DebitSource
from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, products, refunds, sales
from kiosk.services.sales import ItemRequest
from kiosk.store import db as store_db
from kiosk.store.customer_list import list_mismatches
from kiosk.store.db import is_sqlite

TODAY = dt.date.today()
FOLD = "0015_fold_customer_list_triggers"
BEFORE_FOLD = "0014_print_jobs"


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _stock(shop) -> None:
    products.add(shop, sku="ATTA", name="Atta 10kg", price=1_450_00)
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=650_00)


def _sell(shop, sale_id, customer_id, *, days=0, credit=False, qty="1", code="GHEE"):
    tenders = [TenderRequest(Method.KHATA)] if credit else [TenderRequest(Method.CASH, 10_000_000)]
    return sales.sell(shop, sale_id=sale_id, customer_id=customer_id, items=[ItemRequest(code, qty)],
                      tenders=tenders, date=ago(days))


def _row(shop, customer_id):
    p = shop.db.param
    return shop.db.execute_sql(f"SELECT name_key, balance, archived, group_id, tier, spent, purchases, last_activity "
                               f"FROM customer_list WHERE customer_id = {p}", (customer_id,)).fetchone()


# --- A scripted history --------------------------------------------------------------------------------


def test_every_kind_of_write_keeps_the_table_equal_to_the_books(shop):
    _stock(shop)
    ali = customers.add(shop, name="Ali Raza", phone="0300 1111111").id
    sara = customers.add(shop, name="Sara Bibi", phone="0300 2222222").id
    omar = customers.add(shop, name="Omar Farooq").id
    paid = []
    steps = [
        ("credit sales", lambda: [_sell(shop, f"a{n}", ali, days=d, credit=True) for n, d in enumerate((30, 9, 4))]),
        ("cash sale, an earlier day", lambda: _sell(shop, "a-old", ali, days=60, qty="2", code="ATTA")),
        ("a payment on a later day", lambda: paid.append(khata.receive(shop, ali, 500_00, date=ago(2)))),
        ("a payment on a day already booked", lambda: khata.receive(shop, ali, 100_00, date=ago(9))),
        ("part of a sale refunded", lambda: refunds.refund(shop, refund_id="r1", sale_id="a1",
                                                            asks=[RefundAsk(1, 1_000)], date=ago(1))),
        ("a sale refunded in full", lambda: _sell(shop, "s0", sara, days=20, qty="3")),
        ("", lambda: refunds.refund(shop, refund_id="r2", sale_id="s0", date=ago(15))),
        ("legacy credit sales", lambda: [khata.give(shop, sara, 800_00, source=DebitSource.SALE, date=ago(d))
                                         for d in (100, 90)]),
        ("a legacy sale reversed", lambda: khata.reverse(shop, khata.entries(shop, sara)[-1].id, reason="twice",
                                                          date=ago(90))),
        ("a payment reversed", lambda: khata.reverse(shop, paid[0].id, reason="bounced")),
        ("an edit of every copied column", lambda: customers.edit(shop, omar, name="Omar Farooq Khan",
                                                                   group="Wholesale", tier="regular")),
        ("archived", lambda: customers.set_archived(shop, omar, True)),
        ("unarchived", lambda: customers.set_archived(shop, omar, False)),
        ("a merge: Sara's sales, refunds and khata move to Ali", lambda: customers.merge(shop, ali, sara)),
        ("after the merge", lambda: _sell(shop, "a-after", ali, credit=True)),
        ("a merge of a customer with nothing", lambda: customers.merge(shop, ali, omar)),
    ]
    for what, step in steps:
        step()
        assert list_mismatches() == [], what
    assert _row(shop, sara)[5:7] == (0, 0)  # everything moved to Ali


def test_rows_moved_one_at_a_time_keep_or_read_again_the_day_they_leave(shop):
    """Any writer may move rows (not only the merge): moving an earlier day leaves the last day alone,
    moving the last day reads it again from what is left, on each table."""
    _stock(shop)
    a = customers.add(shop, name="Asma").id
    b = customers.add(shop, name="Bilal").id
    _sell(shop, "old", a, days=40)
    _sell(shop, "new", a, days=10)
    khata.receive(shop, a, 50_00, date=ago(20))
    refunds.refund(shop, refund_id="back", sale_id="old", asks=[RefundAsk(1, 1_000)], date=ago(5))
    p = shop.db.param

    def move(table, key, value):
        with store_db.write_transaction(shop.db):
            shop.db.execute_sql(f"UPDATE {table} SET customer_id = {p} WHERE {key} = {p}", (b, value))
        assert list_mismatches() == [], (table, value)

    move("sale", "id", "old")  # an earlier sale: Asma's day (the refund, 5 days ago) stays
    assert _row(shop, a)[7] in (ago(5), ago(5).isoformat())
    move("refund", "id", "back")  # her last day moves away: read again (the sale 10 days ago)
    assert _row(shop, a)[7] in (ago(10), ago(10).isoformat())
    move("sale", "id", "new")
    move("khata_entry", "customer_id", a)  # the last of her rows
    assert _row(shop, a)[5:] in ((0, 0, dt.date(1, 1, 1)), (0, 0, "0001-01-01"))


def test_a_points_only_update_does_not_fire_the_customer_trigger(shop):
    """The cached points are not in the list: updating them alone must not rewrite the list's row.
    Seen by spoiling the row's balance first: the customer's trigger would copy it back."""
    c = customers.add(shop, name="Nadia").id
    p = shop.db.param
    with store_db.write_transaction(shop.db):
        shop.db.execute_sql(f"UPDATE customer_list SET balance = 12345 WHERE customer_id = {p}", (c,))
        shop.db.execute_sql(f"UPDATE customer SET points = points + 10 WHERE id = {p}", (c,))
        assert _row(shop, c)[1] == 12345  # not fired
        shop.db.execute_sql(f"UPDATE customer SET balance = balance + 0, points = points + 1 WHERE id = {p}", (c,))
        assert _row(shop, c)[1] == 12345  # a copied column written but not changed: not fired either
        shop.db.execute_sql(f"UPDATE customer SET balance = balance + 7 WHERE id = {p}", (c,))
        assert _row(shop, c)[1] == 7  # changed: copied
    assert list_mismatches() == []


# --- Any history ---------------------------------------------------------------------------------------

_OPS = st.lists(st.tuples(st.sampled_from(["cash", "credit", "pay", "legacy", "reverse", "refund", "refund_all",
                                           "edit", "archive", "merge"]),
                          st.integers(0, 2), st.integers(0, 2), st.integers(0, 40)),
                min_size=1, max_size=14)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_OPS)
def test_any_mix_of_writes_keeps_the_table(shop, ops):
    if products.lookup_priced(shop, ["GHEE"], None) == [None]:  # the first example
        _stock(shop)
    people = [customers.add(shop, name=f"Person {n}").id for n in range(3)]
    sold: dict[int, list[str]] = {c: [] for c in people}
    for n, (op, i, j, days) in enumerate(ops):
        who, other = people[i], people[j]
        tag = f"{people[0]}-{n}"
        try:
            if op in ("cash", "credit"):
                _sell(shop, f"h{tag}", who, days=days, credit=op == "credit")
                sold[who].append(f"h{tag}")
            elif op == "pay":
                khata.receive(shop, who, 10_00 + days, date=ago(days))
            elif op == "legacy":
                khata.give(shop, who, 100_00 + days, source=DebitSource.SALE, date=ago(days), enforce_limit=False)
            elif op == "reverse" and (entries := khata.entries(shop, who)):
                khata.reverse(shop, entries[days % len(entries)].id, reason="test")
            elif op in ("refund", "refund_all") and sold[who]:
                asks = [RefundAsk(1, 1_000)] if op == "refund" else []
                refunds.refund(shop, refund_id=f"r{tag}", sale_id=sold[who][days % len(sold[who])], asks=asks)
            elif op == "edit":
                customers.edit(shop, who, name=f"Person {who} {days}", group=("Wholesale" if days % 2 else "Retail"))
            elif op == "archive":
                customers.set_archived(shop, who, days % 2 == 0)
            elif op == "merge":
                customers.merge(shop, who, other)
                sold[who] += sold.pop(other, [])
                sold[other] = []
        except KioskError:
            pass  # refused (archived, already merged, nothing left to refund...): nothing written
        assert list_mismatches() == [], (op, i, j, days)


# --- The migration -------------------------------------------------------------------------------------


def _definitions(db) -> dict[str, str]:
    """Every customer_list trigger and function, as the database prints it."""
    like = ("customer_list%",)
    if is_sqlite(db):
        return dict(db.execute_sql(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                   f"AND name LIKE {db.param}", like).fetchall())
    triggers = db.execute_sql(f"SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                              f"WHERE tgname LIKE {db.param} AND NOT tgisinternal", like).fetchall()
    functions = db.execute_sql(f"SELECT oid::regprocedure::text, pg_get_functiondef(oid) FROM pg_proc "
                               f"WHERE proname LIKE {db.param}", like).fetchall()
    return dict(triggers + functions)


def test_the_fold_goes_down_to_exactly_the_triggers_of_0012_and_up_again(db_url):
    from playhouse.migrations import Runner

    from kiosk.paths import migrations_dir

    db = store_db.open_database(db_url, create=True)
    try:
        runner = Runner(db, str(migrations_dir()), table_name=store_db.MIGRATION_TABLE)
        runner.up(BEFORE_FOLD)
        of_0012 = _definitions(db)
        assert len(of_0012) == (8 if is_sqlite(db) else 15)  # 8 triggers (+ 7 functions on PostgreSQL)
        runner.up()
        folded = _definitions(db)
        assert folded != of_0012
        runner.down(FOLD)
        assert _definitions(db) == of_0012
        runner.up()
        assert _definitions(db) == folded
    finally:
        db.close()


def test_books_written_under_either_set_of_triggers_stay_equal(shop):
    """Down to 0012's triggers and up again in the middle of a history: each set carries on from the other."""
    from playhouse.migrations import Runner

    from kiosk.paths import migrations_dir

    _stock(shop)
    a = customers.add(shop, name="Amna").id
    b = customers.add(shop, name="Babar").id
    _sell(shop, "x1", a, days=5, credit=True)
    runner = Runner(shop.db, str(migrations_dir()), table_name=store_db.MIGRATION_TABLE)
    runner.down(FOLD)
    with store_db.write_transaction(shop.db):  # 0012's triggers: a refund's sale update, a move
        p = shop.db.param
        shop.db.execute_sql(f"UPDATE sale SET refunded = 100, customer_id = {p} WHERE id = 'x1'", (b,))
    assert list_mismatches() == []
    runner.up()
    _sell(shop, "x2", b, days=1)
    refunds.refund(shop, refund_id="x2r", sale_id="x2", asks=[RefundAsk(1, 1_000)])
    customers.merge(shop, a, b)
    assert list_mismatches() == []


def test_the_folded_set_is_whole_and_nothing_of_0012_is_left_behind(shop):
    names = set(_definitions(shop.db))
    tables = ("customer", "sale", "khata_entry", "refund")
    expected = {f"customer_list_{t}_{when}" for t in tables for when in ("ai", "au")}
    if is_sqlite(shop.db):
        assert names == expected | {"customer_list_sale_move"}
    else:
        assert names == expected | {"customer_list_customer()", "customer_list_sale()", "customer_list_khata()",
                                    "customer_list_refund()", "customer_list_last_activity(integer)"}
