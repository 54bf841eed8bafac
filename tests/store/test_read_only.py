"""A read-only session (remote review) can read everything and change nothing, on both backends."""

import pytest

from kiosk.domain.errors import KioskError
from kiosk.services import customers, khata, reports
from kiosk.services.context import open_shop
from kiosk.store.db import ReadOnly


def test_a_read_only_session_reads_and_every_write_is_refused(shop, db_url):
    c = customers.add(shop, name="Amina", phone="0300 1234567")
    khata.give(shop, c.id, 500_00)
    review = open_shop(db_url, read_only=True)
    try:
        assert khata.balance(review, c.id) == 500_00
        assert [r.balance for r in reports.credit_report(review).rows] == [500_00]
        with pytest.raises(ReadOnly, match="read-only review session: nothing can be changed"):
            khata.receive(review, c.id, 100_00)
        with pytest.raises(ReadOnly):
            customers.add(review, name="Intruder", phone="0300 7654321")
        # Below the services, the database itself refuses a write that skipped write_transaction.
        with pytest.raises(Exception) as raw:
            review.db.execute_sql("UPDATE customer SET balance = 0")
        assert not isinstance(raw.value, KioskError)
    finally:
        review.close()
    assert khata.balance(shop, c.id) == 500_00 and customers.search(shop, "Intruder") == []
