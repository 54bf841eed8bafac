"""The khata on SQLite and PostgreSQL: postings, limits, overrides, reversals, idempotency, concurrency."""

import datetime as dt
import threading

import pytest

from kiosk.domain.errors import CreditLimitExceeded, KioskError, ValidationError
from kiosk.domain.khata import EntryKind
from kiosk.services import customers, khata
from kiosk.services.check import check
from kiosk.services.context import Context
from kiosk.store.models import AuditLog, KhataEntry


def test_debits_raise_credits_lower_and_the_cache_never_drifts(shop):
    c = customers.add(shop, name="Zainab Bibi")
    khata.give(shop, c.id, 125_050, source="sale", note="atta, ghee")
    khata.give(shop, c.id, 10_000)
    payment = khata.receive(shop, c.id, 50_000, method="easypaisa", note="half")
    assert payment.method == "EasyPaisa" and payment.kind is EntryKind.CREDIT
    assert khata.balance(shop, c.id) == 85_050 == sum(line.signed for line in khata.ledger(shop, c.id))
    assert check(shop) == []


def test_an_advance_makes_the_balance_negative(shop):
    c = customers.add(shop, name="Advance Payer")
    khata.receive(shop, c.id, 20_000, method="cash")
    assert khata.balance(shop, c.id) == -20_000
    assert khata.ageing(shop, c.id).buckets == {"0-30": 0, "31-60": 0, "61-90": 0, "90+": 0}


def test_every_entry_records_who_where_and_when(shop):
    c = customers.add(shop, name="Traced")
    e = khata.give(shop, c.id, 100, promised_date=dt.date.today() + dt.timedelta(days=7))
    row = KhataEntry.get_by_id(e.id)
    assert row.user_id == shop.user.id and row.till == shop.till and row.created_at is not None
    assert row.promised_date == dt.date.today() + dt.timedelta(days=7)
    assert AuditLog.select().where(AuditLog.record == f"khata:{e.id}").count() == 1


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_amount_must_be_positive_whole_minor_units(shop, amount):
    c = customers.add(shop, name="Amounts")
    with pytest.raises(ValidationError, match="amount"):
        khata.give(shop, c.id, amount)
    assert KhataEntry.select().count() == 0


def test_unknown_payment_method_is_refused_naming_the_shops_methods(shop):
    c = customers.add(shop, name="Method")
    with pytest.raises(ValidationError, match="JazzCash, EasyPaisa"):
        khata.receive(shop, c.id, 100, method="bitcoin")


def test_the_credit_limit_refuses_with_limit_balance_and_amount(shop):
    c = customers.add(shop, name="Limited", credit_limit=500_000)
    khata.give(shop, c.id, 400_000)
    with pytest.raises(CreditLimitExceeded) as exc:
        khata.give(shop, c.id, 200_000)
    assert "Rs5,000.00" in str(exc.value) and "Rs4,000.00" in str(exc.value) and "Rs2,000.00" in str(exc.value)
    assert khata.balance(shop, c.id) == 400_000  # nothing changed
    khata.give(shop, c.id, 100_000)  # up to the limit is fine


def test_a_manager_override_passes_the_limit_and_is_recorded(shop):
    from kiosk.services.shop import add_user

    manager = add_user(shop, "Bilal", "manager", "5555")
    cashier = add_user(shop, "Sana", "cashier", "6666")
    c = customers.add(shop, name="Trusted", credit_limit=1000)
    with pytest.raises(KioskError, match="only managers and owners can approve"):
        khata.give(shop, c.id, 5000, override_by=cashier)
    e = khata.give(shop, c.id, 5000, override_by=manager)
    assert KhataEntry.get_by_id(e.id).override_by_id == manager.id
    assert AuditLog.select().where(AuditLog.action == "khata.limit_override").count() == 1


def test_reversal_points_at_its_target_needs_a_reason_and_happens_once(shop):
    c = customers.add(shop, name="Oops")
    debit = khata.give(shop, c.id, 7_000)
    payment = khata.receive(shop, c.id, 2_000)
    with pytest.raises(ValidationError, match="reason"):
        khata.reverse(shop, debit.id, reason="  ")
    rev = khata.reverse(shop, payment.id, reason="cheque bounced")
    assert (rev.kind, rev.reverses_id, rev.amount, rev.note) == (EntryKind.REVERSAL, payment.id, 2_000, "cheque bounced")
    assert khata.balance(shop, c.id) == 7_000
    with pytest.raises(ValidationError, match="already been reversed"):
        khata.reverse(shop, payment.id, reason="again")
    with pytest.raises(ValidationError, match="itself a reversal"):
        khata.reverse(shop, rev.id, reason="undo the undo")
    with pytest.raises(ValidationError, match="does not exist"):
        khata.reverse(shop, 9999, reason="ghost")
    khata.reverse(shop, debit.id, reason="wrong customer")
    assert khata.balance(shop, c.id) == 0
    assert check(shop) == []


def test_the_same_idempotency_key_books_once(shop):
    c = customers.add(shop, name="Double Enter")
    first = khata.receive(shop, c.id, 1_000, idempotency_key="k-1")
    again = khata.receive(shop, c.id, 1_000, idempotency_key="k-1")
    assert first.id == again.id
    assert khata.balance(shop, c.id) == -1_000
    assert KhataEntry.select().count() == 1


def test_statement_for_a_period(shop):
    c = customers.add(shop, name="Statement")
    d = dt.date
    khata.give(shop, c.id, 1_000, date=d(2026, 1, 10))
    khata.give(shop, c.id, 2_000, date=d(2026, 2, 10))
    khata.receive(shop, c.id, 500, date=d(2026, 2, 20))
    khata.give(shop, c.id, 4_000, date=d(2026, 3, 10))
    st = khata.statement(shop, c.id, d(2026, 2, 1), d(2026, 2, 28))
    assert (st.opening, st.closing, st.total_debits, st.total_credits) == (1_000, 2_500, 2_000, 500)
    assert [line.running_balance for line in st.lines] == [3_000, 2_500]


def test_ageing_as_of_any_date(shop):
    c = customers.add(shop, name="Ageing")
    d = dt.date
    khata.give(shop, c.id, 1_000, date=d(2026, 1, 1))
    khata.give(shop, c.id, 2_000, date=d(2026, 3, 1))
    khata.receive(shop, c.id, 1_500, date=d(2026, 3, 5))
    aged = khata.ageing(shop, c.id, d(2026, 4, 15))
    assert aged.buckets == {"0-30": 0, "31-60": 1_500, "61-90": 0, "90+": 0}
    assert aged.oldest_unpaid == d(2026, 3, 1)


def test_two_tills_posting_at_once_never_break_the_balance_or_the_limit(shop):
    """Eight threads, each with its own database connection (peewee connects per thread) as a till
    would, hammer one customer near the limit."""
    c = customers.add(shop, name="Busy Customer", credit_limit=20_000)
    owner = shop.user
    results = {"ok": 0, "refused": 0}
    lock = threading.Lock()
    start = threading.Barrier(8)

    def till(n):
        ctx = Context(db=shop.db, shop=shop.shop, user=owner, till=f"till-{n}")
        start.wait()
        for i in range(10):
            try:
                if i % 3 == 2:
                    khata.receive(ctx, c.id, 1_000)
                else:
                    khata.give(ctx, c.id, 1_000)
                with lock:
                    results["ok"] += 1
            except CreditLimitExceeded:
                with lock:
                    results["refused"] += 1
        ctx.db.close()

    threads = [threading.Thread(target=till, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["ok"] + results["refused"] == 80
    assert results["refused"] > 0  # the limit was really reached
    balance = khata.balance(shop, c.id)
    assert balance <= 20_000
    assert balance == sum(line.signed for line in khata.ledger(shop, c.id))
    assert check(shop) == []


def test_a_second_till_waits_for_the_first_and_is_held_to_its_debit(shop):
    """Till A is mid-transaction with a debit; till B's debit must wait, then see A's, then be refused.
    Without the row lock (FOR UPDATE) or SQLite's BEGIN IMMEDIATE, B would read the old balance and pass."""
    from kiosk.store.db import write_transaction

    c = customers.add(shop, name="Contended", credit_limit=10_000)
    posted, release = threading.Event(), threading.Event()
    order, outcome = [], {}

    def till_a():
        ctx = Context(db=shop.db, shop=shop.shop, user=shop.user, till="till-a")
        with write_transaction(ctx.db):
            khata.give(ctx, c.id, 8_000)
            posted.set()
            release.wait(10)
            order.append("a-commit")

    def till_b():
        ctx = Context(db=shop.db, shop=shop.shop, user=shop.user, till="till-b")
        posted.wait(10)
        try:
            khata.give(ctx, c.id, 5_000)
            outcome["b"] = "booked"
        except CreditLimitExceeded:
            outcome["b"] = "refused"
        order.append("b-done")

    a, b = threading.Thread(target=till_a), threading.Thread(target=till_b)
    a.start()
    b.start()
    posted.wait(10)
    b.join(0.5)
    assert b.is_alive(), "till B did not wait for till A's transaction"
    release.set()
    a.join(10)
    b.join(10)
    assert order == ["a-commit", "b-done"] and outcome["b"] == "refused"
    assert khata.balance(shop, c.id) == 8_000


def test_the_ledger_names_the_user_and_till_of_each_entry(shop):
    c = customers.add(shop, name="Named")
    khata.give(shop, c.id, 100)
    (entry,) = khata.entries(shop, c.id)
    assert (entry.user, entry.till) == (shop.user.name, shop.till)
