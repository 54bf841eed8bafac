"""The dashboard's sums in SQL: today's sales, what customers owe, the points they hold, sales per day,
and the ageing of what is owed. Each is one statement that returns a row or a few.

Speed at 100k customers, 1M sales and 1M khata entries (bench/customer_list.py prints it): the
figures but the ageing read indexes only (sale (date), customer_list (balance)) or one pass over the
customers (the points), a few ms each; the ageing reads the last 90 days' debits (migration 0012's
khata_entry (date, customer_id, amount, kind) WHERE kind = 'debit'), a few hundred ms: a screen asks
for it in a worker.
"""

from __future__ import annotations

import datetime as dt

from peewee import Database

from kiosk.domain.loyalty import ADDS
from kiosk.store.db import is_sqlite
from kiosk.store.models import Sale
from kiosk.store.sql import SqlArgs


def _db() -> Database:
    return Sale._meta.database


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def sales_on(day: dt.date) -> tuple[int, int, int]:
    """(sales, Σ their totals, Σ what refunds dated that day took back) for one day."""
    db = _db()
    p = SqlArgs(db)
    sql = (f"SELECT (SELECT COUNT(*) FROM sale WHERE date = {p(day)}), "
           f"(SELECT COALESCE(SUM(total), 0) FROM sale WHERE date = {p(day)}), "
           f"(SELECT COALESCE(SUM(goods), 0) FROM refund WHERE date = {p(day)})")
    n, total, refunded = db.execute_sql(sql, p.values).fetchone()
    return int(n), int(total), int(refunded)


def sales_per_day(first: dt.date, last: dt.date) -> dict[dt.date, tuple[int, int]]:
    """{day: (sales, Σ totals)} for the days from `first` to `last` that had sales."""
    db = _db()
    p = SqlArgs(db)
    sql = (f"SELECT date, COUNT(*), SUM(total) FROM sale WHERE date >= {p(first)} AND date <= {p(last)} "
           f"GROUP BY date")
    return {_day(d): (int(n), int(t)) for d, n, t in db.execute_sql(sql, p.values).fetchall()}


def balances() -> tuple[int, int, int, int]:
    """(customers who owe, Σ what they owe, customers owed, Σ what the shop owes them): cached balances,
    archived customers included, as the credit report counts them. Two ranges of the balance index."""
    db = _db()
    sql = ("SELECT (SELECT COUNT(*) FROM customer_list WHERE balance > 0), "
           "(SELECT COALESCE(SUM(balance), 0) FROM customer_list WHERE balance > 0), "
           "(SELECT COUNT(*) FROM customer_list WHERE balance < 0), "
           "(SELECT COALESCE(SUM(balance), 0) FROM customer_list WHERE balance < 0)")
    owing, owed, ahead, advance = db.execute_sql(sql).fetchone()
    return int(owing), int(owed), int(ahead), -int(advance)


def points_held(as_of: dt.date) -> int:
    """The points liability on `as_of` as the customer report counts it: the cached points of customers
    neither archived nor merged, less what their entries dated after `as_of` moved (usually none; the
    (kind, date, points) index finds them)."""
    db = _db()
    p = SqlArgs(db)
    adds = ", ".join(f"'{k.value}'" for k in sorted(ADDS))
    kinds = ", ".join(f"'{k}'" for k in ("earn", "redeem", "expire", "take-back", "give-back"))
    sql = (f"SELECT (SELECT COALESCE(SUM(points), 0) FROM customer WHERE NOT archived AND merged_into_id IS NULL), "
           f"(SELECT COALESCE(SUM(CASE WHEN e.kind IN ({adds}) THEN e.points ELSE -e.points END), 0) "
           f" FROM points_entry e CROSS JOIN customer c"  # SQLite: the entries first (few), not every customer
           f" WHERE c.id = e.customer_id AND e.kind IN ({kinds}) AND e.date > {p(as_of)}"
           f" AND NOT c.archived AND c.merged_into_id IS NULL)")
    held, later = db.execute_sql(sql, p.values).fetchone()
    return int(held) - int(later)


def entries_after(day: dt.date) -> bool:
    """Whether any khata entry is dated after `day` (one probe of the date index)."""
    db = _db()
    p = SqlArgs(db)
    return db.execute_sql(f"SELECT 1 FROM khata_entry WHERE date > {p(day)} LIMIT 1", p.values).fetchone() is not None


def ageing(as_of: dt.date) -> tuple[int, int, int, int]:
    """What is owed on `as_of` by age, FIFO (payments settle the oldest debits first), summed over every
    customer who owes: (0-30, 31-60, 61-90, 90+ days). The rule is the credit report's
    (`kiosk.store.khata.credit_report`): of a balance O, the last 30 days' live debits r0 hold
    min(O, r0), the 31-60 days' r1 the next min(O - r0, r1), and so on; 90+ holds the rest. Only the
    customers who owe count, only the last 90 days' debits are read, less the reversed ones (found
    from the few reversals). Valid when no entry is dated after `as_of` (the balance is the cached
    one); the caller checks (`entries_after`)."""
    db = _db()
    sqlite = is_sqlite(db)
    p = SqlArgs(db)
    d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))
    most = "max" if sqlite else "GREATEST"

    def bands(e: str) -> str:
        return (f"SUM(CASE WHEN {e}.date >= {p(d30)} THEN {e}.amount ELSE 0 END) AS r0, "
                f"SUM(CASE WHEN {e}.date < {p(d30)} AND {e}.date >= {p(d60)} THEN {e}.amount ELSE 0 END) AS r1, "
                f"SUM(CASE WHEN {e}.date < {p(d60)} THEN {e}.amount ELSE 0 END) AS r2")

    materialized = "MATERIALIZED " if sqlite else ""
    recent = (f"SELECT e.customer_id AS id, {bands('e')} FROM khata_entry e "
              f"WHERE e.kind = 'debit' AND e.date >= {p(d90)} AND e.date <= {p(as_of)} GROUP BY e.customer_id")
    undone = (f"SELECT t.customer_id AS id, {bands('t')} FROM khata_entry r CROSS JOIN khata_entry t "
              f"WHERE r.reverses_id > 0 AND r.date <= {p(as_of)} AND t.id = r.reverses_id AND t.kind = 'debit' "
              f"AND t.date >= {p(d90)} AND t.date <= {p(as_of)} GROUP BY t.customer_id")
    sql = f"""
WITH recent AS {materialized}({recent}),
undone AS {materialized}({undone}),
owed AS (
    SELECT w.balance AS o,
           COALESCE(a.r0, 0) - COALESCE(u.r0, 0) AS r0,
           COALESCE(a.r1, 0) - COALESCE(u.r1, 0) AS r1,
           COALESCE(a.r2, 0) - COALESCE(u.r2, 0) AS r2
    FROM customer_list w
    LEFT JOIN recent a ON a.id = w.customer_id
    LEFT JOIN undone u ON u.id = w.customer_id
    WHERE w.balance > 0
)
SELECT COALESCE(SUM(o - g1), 0), COALESCE(SUM(g1 - g2), 0), COALESCE(SUM(g2 - g3), 0), COALESCE(SUM(g3), 0)
FROM (SELECT o, {most}(o - r0, 0) AS g1, {most}(o - r0 - r1, 0) AS g2, {most}(o - r0 - r1 - r2, 0) AS g3
      FROM owed) AS aged
"""
    b0, b1, b2, b3 = db.execute_sql(sql, p.values).fetchone()
    return int(b0), int(b1), int(b2), int(b3)
