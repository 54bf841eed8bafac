"""Promised payment dates on SQLite and PostgreSQL: recorded, newest wins, kept by what is paid after."""

import datetime as dt

import pytest

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.services import customers, khata, promises
from kiosk.services.access import NotAllowed
from kiosk.store.models import AuditLog

TODAY = dt.date.today()


def test_a_promise_is_kept_by_what_is_paid_after_it(shop):
    c = customers.add(shop, name="Promiser")
    khata.receive(shop, c.id, 100, method="cash")  # before any debt: not counted for the promise
    khata.give(shop, c.id, 10_100)
    p = promises.promise(shop, c.id, TODAY + dt.timedelta(days=5), note="after payday")
    assert (p.owed, p.paid_since, p.kept, p.state(TODAY), p.days(TODAY)) == (10_000, 0, False, "due", 5)
    assert p.note == "after payday" and p.source == "promise" and p.user == shop.user.name
    khata.give(shop, c.id, 5_000)  # more credit does not count against the promise
    paid = khata.receive(shop, c.id, 6_000, method="cash")
    p = promises.current(shop, c.id)
    assert (p.paid_since, p.left, p.kept, p.balance) == (6_000, 4_000, False, 9_000)
    assert p.state(TODAY + dt.timedelta(days=5)) == "due today"
    assert p.state(TODAY + dt.timedelta(days=6)) == "overdue"
    khata.receive(shop, c.id, 4_000, method="cash")
    assert promises.current(shop, c.id).kept
    khata.reverse(shop, paid.id, reason="bounced")  # a reversed payment counts back
    p = promises.current(shop, c.id)
    assert (p.paid_since, p.kept) == (4_000, False)
    assert AuditLog.select().where(AuditLog.action == "khata.promise").count() == 1


def test_the_newest_promise_counts_whether_row_or_entry(shop):
    c = customers.add(shop, name="Twice")
    assert promises.current(shop, c.id) is None
    khata.give(shop, c.id, 1_000, promised_date=TODAY + dt.timedelta(days=3))
    p = promises.current(shop, c.id)
    assert (p.source, p.promised_on, p.owed) == ("entry", TODAY + dt.timedelta(days=3), 1_000)
    promises.promise(shop, c.id, TODAY + dt.timedelta(days=9))
    assert promises.current(shop, c.id).promised_on == TODAY + dt.timedelta(days=9)
    khata.give(shop, c.id, 500, promised_date=TODAY + dt.timedelta(days=1))
    p = promises.current(shop, c.id)
    assert (p.source, p.promised_on, p.owed) == ("entry", TODAY + dt.timedelta(days=1), 1_500)


def test_refusals_change_nothing(shop):
    c = customers.add(shop, name="Clear")
    with pytest.raises(KioskError, match="owes nothing"):
        promises.promise(shop, c.id, TODAY)
    khata.give(shop, c.id, 1_000)
    with pytest.raises(ValidationError, match="^date: .* is in the past"):
        promises.promise(shop, c.id, TODAY - dt.timedelta(days=1))
    key = "promise-key-1"
    promises.promise(shop, c.id, TODAY, idempotency_key=key)
    promises.promise(shop, c.id, TODAY, idempotency_key=key)  # a double Enter books once
    assert AuditLog.select().where(AuditLog.action == "khata.promise").count() == 1
    shop.user = None
    with pytest.raises(NotAllowed):
        promises.promise(shop, c.id, TODAY)
