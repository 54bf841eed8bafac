"""The segment counts in SQL: one pass over `customer_list` (migration 0012) joined to `customer`.

`customer_list` already holds, per customer, what the segments test (balance, spent, purchases,
last_activity, tier, archived), kept in step with the books by triggers; `customer` adds
created_at, credit_limit and points. One statement, one row back, whatever the number of customers:
at 100k customers it reads the table once (a few tens of milliseconds on SQLite), so the Reports
screen runs it in a worker but never waits long. What each segment means is in
`kiosk.services.segments`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.store.customer_list import high_value_threshold
from kiosk.store.models import Customer
from kiosk.store.sql import SqlArgs


@dataclass(frozen=True, slots=True)
class SegmentSums:
    """Counts (and the money or points behind them) over the live customers (not archived)."""

    customers: int = 0
    has_balance: int = 0
    owed: int = 0  # minor units: Σ balance of those who owe
    over_limit: int = 0
    over_by: int = 0  # minor units: Σ (balance - limit) of those over their limit
    in_advance: int = 0
    advances: int = 0  # minor units: Σ -balance of those the shop owes
    with_points: int = 0
    points: int = 0
    high_value: int = 0
    high_value_spent: int = 0  # minor units
    active: int = 0
    dormant: int = 0
    dormant_spent: int = 0  # minor units: what the dormant customers spent, all told
    never_bought: int = 0
    new_this_month: int = 0
    tier_new: int = 0
    tier_regular: int = 0
    tier_vip: int = 0


def sums(*, active_since: dt.date, dormant_before: dt.date, new_since: dt.datetime) -> SegmentSums:
    """The segments' counts over live customers.

    active: something booked on or after `active_since`; dormant: bought at least once and nothing
    booked on or after `dormant_before`; new: created on or after `new_since`. High value uses the
    customers list's own threshold (`kiosk.store.customer_list.high_value_threshold`), so the
    segment and the list's "high value" filter count the same people."""
    db = Customer._meta.database
    threshold = high_value_threshold()
    p = SqlArgs(db)

    def high() -> str:  # called where it is written, so its argument falls in its place
        return "1 = 0" if threshold is None else f"l.spent >= {p(threshold)}"

    # Each placeholder is written once, in the order of the SELECT, so the arguments follow.
    sql = f"""
SELECT COUNT(*),
       SUM(CASE WHEN l.balance > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.balance > 0 THEN l.balance ELSE 0 END),
       SUM(CASE WHEN c.credit_limit IS NOT NULL AND l.balance > c.credit_limit THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.credit_limit IS NOT NULL AND l.balance > c.credit_limit
                THEN l.balance - c.credit_limit ELSE 0 END),
       SUM(CASE WHEN l.balance < 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.balance < 0 THEN -l.balance ELSE 0 END),
       SUM(CASE WHEN c.points > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.points > 0 THEN c.points ELSE 0 END),
       SUM(CASE WHEN {high()} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {high()} THEN l.spent ELSE 0 END),
       SUM(CASE WHEN l.last_activity >= {p(active_since)} THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.purchases > 0 AND l.last_activity < {p(dormant_before)} THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.purchases > 0 AND l.last_activity < {p(dormant_before)} THEN l.spent ELSE 0 END),
       SUM(CASE WHEN l.purchases = 0 AND l.spent = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.created_at >= {p(new_since)} THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.tier = 'New' THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.tier = 'Regular' THEN 1 ELSE 0 END),
       SUM(CASE WHEN l.tier = 'VIP' THEN 1 ELSE 0 END)
FROM customer_list l
JOIN customer c ON c.id = l.customer_id
WHERE NOT l.archived
"""
    row = db.execute_sql(sql, p.values).fetchone()
    return SegmentSums(*(int(v or 0) for v in row))
