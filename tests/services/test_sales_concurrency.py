"""Selling from four tills at once, each its own OS process with its own connection, on SQLite and
PostgreSQL: the credit limit holds, points are spent once, and a double submit books once.

The tills are a pool of four spawned processes (tests/support/sale_worker.py) shared by the tests of
this module, so Python and Kiosk are imported once. Each task opens its own shop with `open_shop(url)`
and the four meet at a `multiprocessing.Barrier` before every round, so the sales of a round race for
real; nothing waits on a sleep. Without `write_transaction`'s BEGIN IMMEDIATE (SQLite) or
`lock_customer`'s FOR UPDATE (PostgreSQL) these tests fail: on PostgreSQL two tills pass the same
limit or spend the same points, on SQLite the loser of a race fails with "database is locked". On
PostgreSQL the double submit also fails if sell() lets the losers' IntegrityError on the sale's primary
key out instead of answering with the receipt the winner booked.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from typing import Any

import pytest

from kiosk.services import customers, khata, loyalty, products
from kiosk.services.check import check
from kiosk.store import points as points_store
from kiosk.store.models import AuditLog, KhataEntry, OutboxMessage, PointsEntry, Sale
from tests.support import sale_worker
from tests.support.sale_worker import sell_spec

TILLS = 4
RESULT_TIMEOUT = 180  # seconds for one run of four tills; a healthy run takes one or two

GHEE = 650_00
TOMATO_PER_KG = 240_00
ATTA = 2_400_00


class Tills:
    """Four till processes, started on first use and kept for the module; rebuilt after a hung run."""

    def __init__(self) -> None:
        self._mp = multiprocessing.get_context("spawn")
        self._pool = None
        self._barrier = None

    def _start(self) -> None:
        self._barrier = self._mp.Barrier(TILLS)
        self._pool = self._mp.Pool(TILLS, initializer=sale_worker.init, initargs=(self._barrier,))

    def run(self, url: str, rounds_by_till: list[list[list[dict[str, Any]]]]) -> list[list[list[dict]]]:
        """rounds_by_till[t][r] = the sales till t makes in round r -> their outcomes, same shape."""
        assert len(rounds_by_till) == TILLS and len({len(r) for r in rounds_by_till}) == 1
        if self._pool is None:
            self._start()
        self._barrier.reset()  # a no-op unless an earlier run broke it; nobody waits on it now
        tasks = [{"url": url, "till": f"till-{t + 1}", "rounds": rounds} for t, rounds in enumerate(rounds_by_till)]
        # chunksize=1 and a barrier every till must pass: each of the four tasks runs in its own process.
        pending = self._pool.map_async(sale_worker.run, tasks, chunksize=1)
        try:
            return pending.get(RESULT_TIMEOUT)
        except multiprocessing.TimeoutError:
            self.close()
            pytest.fail(f"the tills did not finish within {RESULT_TIMEOUT} s")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


@pytest.fixture(scope="module")
def tills():
    pool = Tills()
    yield pool
    pool.close()


@pytest.fixture
def stocked(shop):
    products.add(shop, sku="ATTA-20", name="Atta 20kg", price=ATTA)
    products.add(shop, sku="TOMATO", name="Tomato", price=TOMATO_PER_KG, unit="kg")
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=GHEE)
    return shop


def _flat(results: list[list[list[dict]]]) -> list[dict]:
    return [outcome for by_round in results for outcomes in by_round for outcome in outcomes]


def _no_errors(outcomes: list[dict]) -> None:
    errors = [o for o in outcomes if o["status"] == "error"]
    assert not errors, f"{len(errors)} sale(s) failed instead of booking or being refused: {errors[:3]}"


def _rows_of(sale_id: str) -> dict[str, int]:
    """How many rows of each kind a sale id has in the books."""
    return {
        "sale": Sale.select().where(Sale.id == sale_id).count(),
        "khata": KhataEntry.select().where(KhataEntry.sale_id == sale_id).count(),
        "earn": PointsEntry.select().where((PointsEntry.sale_id == sale_id) & (PointsEntry.kind == "earn")).count(),
        "points": PointsEntry.select().where(PointsEntry.sale_id == sale_id).count(),
        "audit": AuditLog.select().where((AuditLog.action == "sale") & (AuditLog.record == f"sale:{sale_id}")).count(),
        "outbox": OutboxMessage.select().where(OutboxMessage.sale_id == sale_id).count(),
    }


NOTHING = {"sale": 0, "khata": 0, "earn": 0, "points": 0, "audit": 0, "outbox": 0}


def _points_from_ledger(customer_id: int) -> int:
    """Σ of the customer's points entries, straight from the ledger (what `kiosk check` compares)."""
    return points_store.sum_by_customer().get(customer_id, 0)


# --- (a) the credit limit -------------------------------------------------------------------------

LIMIT_ROUNDS = 8  # 4 tills x 8 rounds = 32 credit sales tried
FITS = 13  # of which this many fit: 3 whole rounds, then in round 4 the four tills race for the last room


def test_four_tills_selling_on_credit_never_pass_the_limit(stocked, tills, db_url):
    per_sale = GHEE + TOMATO_PER_KG // 4 - 100_00  # ghee and 250 g of tomatoes, Rs100 in cash, the rest on khata
    opening = 5_000_00
    limit = opening + FITS * per_sale + per_sale // 2  # room for 13 more sales and half of a 14th
    c = customers.add(stocked, name="Near The Limit", phone="0300 1234567", credit_limit=limit)
    khata.give(stocked, c.id, opening, note="brought forward")

    def sale(till: int, n: int) -> dict:
        return sell_spec(f"a-{till}-{n}", [("GHEE", "1"), ("TOMATO", "0.250")],
                         [("cash", 100_00), ("khata", None)], customer_id=c.id)

    results = tills.run(db_url, [[[sale(t, n)] for n in range(LIMIT_ROUNDS)] for t in range(TILLS)])
    outcomes = _flat(results)
    _no_errors(outcomes)
    booked = [o for o in outcomes if o["status"] == "booked"]
    refused = [o for o in outcomes if o["status"] == "refused"]
    assert len(outcomes) == TILLS * LIMIT_ROUNDS

    # Exactly what fits was booked; every other sale was refused for the limit and left no trace.
    assert len(booked) == FITS
    assert Counter(o["error"] for o in refused) == {"CreditLimitExceeded": TILLS * LIMIT_ROUNDS - FITS}
    for o in refused:
        assert _rows_of(o["sale_id"]) == NOTHING, o["sale_id"]
    for o in booked:
        assert o["receipt"].khata == per_sale
        rows = _rows_of(o["sale_id"])
        assert (rows["sale"], rows["khata"], rows["audit"]) == (1, 1, 1), o["sale_id"]

    # Each sale saw the one before it: the balances just after each sale climb one sale at a time,
    # never above the limit.
    after = sorted(o["receipt"].customer.balance_after for o in booked)
    assert after == [opening + k * per_sale for k in range(1, FITS + 1)]
    assert max(after) <= limit

    balance = khata.balance(stocked, c.id)
    assert balance == opening + sum(o["receipt"].khata for o in booked) <= limit
    assert balance == sum(line.signed for line in khata.ledger(stocked, c.id))
    assert Sale.select().where(Sale.customer == c.id).count() == FITS
    assert KhataEntry.select().where((KhataEntry.customer == c.id) & (KhataEntry.source == "sale")).count() == FITS
    assert loyalty.balance(stocked, c.id) == sum(o["receipt"].points_earned for o in booked) == _points_from_ledger(c.id)
    assert {o["till"] for o in outcomes} == {f"till-{t + 1}" for t in range(TILLS)}
    assert check(stocked) == []


# --- (b) the same points spent at two tills --------------------------------------------------------

REDEEM_ROUNDS = 6  # each round, tills 1 and 2 race for one customer's points and tills 3 and 4 for another's


def test_two_tills_redeeming_the_same_points_spend_them_once(stocked, tills, db_url):
    people = []
    for n in range(REDEEM_ROUNDS * 2):
        person = customers.add(stocked, name=f"Points Holder {n}", phone=f"0300 55500{n:02d}")
        loyalty.adjust(stocked, person.id, 600, reason="welcome points")
        people.append(person.id)

    def sale(till: int, n: int) -> dict:
        customer = people[2 * n + till // 2]  # tills 0 and 1 share a customer, tills 2 and 3 another
        return sell_spec(f"b-{till}-{n}", [("GHEE", "1")], [("cash", None)], customer_id=customer, redeem=500)

    results = tills.run(db_url, [[[sale(t, n)] for n in range(REDEEM_ROUNDS)] for t in range(TILLS)])
    outcomes = _flat(results)
    _no_errors(outcomes)
    by_customer: dict[int, list[dict]] = {}
    for t in range(TILLS):
        for n in range(REDEEM_ROUNDS):
            (o,) = results[t][n]
            by_customer.setdefault(people[2 * n + t // 2], []).append(o)

    for customer_id, pair in by_customer.items():
        assert sorted(o["status"] for o in pair) == ["booked", "refused"], (customer_id, pair)
        (won,) = [o for o in pair if o["status"] == "booked"]
        (lost,) = [o for o in pair if o["status"] == "refused"]
        assert lost["error"] == "NotEnoughPoints", lost
        assert _rows_of(lost["sale_id"]) == NOTHING
        assert won["receipt"].points_redeemed == 500
        assert PointsEntry.select().where((PointsEntry.customer == customer_id)
                                          & (PointsEntry.kind == "redeem")).count() == 1
        points = loyalty.balance(stocked, customer_id)
        assert points == 600 - 500 + won["receipt"].points_earned == won["receipt"].customer.points_after
        assert 0 <= points == _points_from_ledger(customer_id)
    assert check(stocked) == []


# --- (c) a double submit ----------------------------------------------------------------------------

SUBMIT_ROUNDS = 5  # five sales, each sent by all four tills at once


def test_the_same_sale_sent_by_four_tills_at_once_books_once(stocked, tills, db_url):
    """On SQLite BEGIN IMMEDIATE queues the four and the later ones find the sale; on PostgreSQL the
    four pass `exists()` together, wait at the customer's row lock, and the losers' inserts meet the
    sale's primary key, which sell() must turn into the winner's receipt."""
    c = customers.add(stocked, name="Double Enter", phone="0300 7654321")

    def sale(n: int) -> dict:  # cash and khata, so it writes a khata entry and earns points
        return sell_spec(f"c-{n}", [("ATTA-20", "1"), ("GHEE", "1")], [("cash", 1_000_00), ("khata", None)],
                         customer_id=c.id)

    results = tills.run(db_url, [[[sale(n)] for n in range(SUBMIT_ROUNDS)] for _t in range(TILLS)])
    _no_errors(_flat(results))
    for n in range(SUBMIT_ROUNDS):
        sent = [results[t][n][0] for t in range(TILLS)]
        assert [o["status"] for o in sent] == ["booked"] * TILLS, sent
        receipts = [o["receipt"] for o in sent]
        assert all(r == receipts[0] for r in receipts), f"the tills got different receipts for c-{n}"
        assert receipts[0].khata == ATTA + GHEE - 1_000_00 and receipts[0].points_earned > 0
        rows = _rows_of(f"c-{n}")
        assert (rows["sale"], rows["khata"], rows["earn"], rows["points"], rows["audit"]) == (1, 1, 1, 1, 1), rows
        assert rows["outbox"] <= 1

    first = [results[0][n][0]["receipt"] for n in range(SUBMIT_ROUNDS)]
    assert Sale.select().where(Sale.customer == c.id).count() == SUBMIT_ROUNDS
    assert khata.balance(stocked, c.id) == SUBMIT_ROUNDS * (ATTA + GHEE - 1_000_00)
    assert khata.balance(stocked, c.id) == sum(line.signed for line in khata.ledger(stocked, c.id))
    assert loyalty.balance(stocked, c.id) == sum(r.points_earned for r in first) == _points_from_ledger(c.id)
    assert check(stocked) == []
