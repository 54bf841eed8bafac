"""The customer report's sums, in SQL: purchases grouped by customer in the database, few rows back.

- `purchases`: one statement makes each buyer's purchases and value in the period, from their sales
  and their legacy credit sales, and returns the sums over all buyers and the top ten (the
  per-customer rows are made once and read twice); one more reads the names and phones of those ten.
- `new_customers_per_day`: customers created each day of the period (a few thousand rows at most).
- `points`: entries by kind in the period and after it, the not-live customers' entries after it,
  and the live customers' cached points.

What each figure means is in `kiosk.domain.customer_report`.

Speed (bench/run.py: 100k customers, 1M sales, 0.6M legacy credit sales, 0.8M points entries): the
cost is grouping purchases by customer. SQLite's planner has no histograms (stat4 is not compiled into
Debian's SQLite), so for any date range it takes the date index, which for a long period means a
lookup per sale and then a sort of them all by customer. So on SQLite the date is written `+date`,
which keeps the date indexes out: sales and credit sales are read in customer order and the grouping
streams without a sort. That is fast when the index read in customer order holds every column the
query needs: sale (customer_id, date, fully_refunded, total, refunded), in place of sale (customer_id,
date); khata_entry (customer_id, date, amount, kind, source, sale_id) WHERE kind = 'debit' AND source
= 'sale' AND sale_id IS NULL; and, for the points, points_entry (kind, date, points). A migration is
to add them (`bench/run.py --try-indexes` measures them); until then a long period pays a table
lookup per sale. PostgreSQL's planner has the statistics to choose for itself.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from peewee import Database

from kiosk.domain.customer_report import PointsFlow, PurchaseTotals, TopCustomer
from kiosk.domain.loyalty import ADDS, PointsKind
from kiosk.store.db import is_sqlite
from kiosk.store.models import Sale


@contextmanager
def snapshot(db: Database):
    """A read-only transaction whose statements all see the books as of its first read: SQLite's WAL
    gives a deferred transaction that by itself; PostgreSQL needs REPEATABLE READ (its default, READ
    COMMITTED, lets each statement see what committed before it)."""
    nested = db.in_transaction()  # inside a caller's transaction: its isolation stands
    with db.atomic():
        if not nested and not is_sqlite(db):
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _db():
    return Sale._meta.database


class _Params:
    """Each call keeps a value and returns the driver's placeholder, so a statement written as an
    f-string gets its arguments in the order they appear. Dates go to SQLite as the ISO text it keeps
    them as (its adapter for date objects is deprecated), to PostgreSQL as dates."""

    def __init__(self, sqlite: bool, param: str):
        self.sqlite, self.param, self.args = sqlite, param, []

    def __call__(self, value) -> str:
        if self.sqlite and isinstance(value, dt.date | dt.datetime):
            value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        self.args.append(value)
        return self.param


def _day(value) -> dt.date | None:
    """A date from SQLite comes back as text (peewee converts model columns, not raw statements)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def purchases(start: dt.date | None, end: dt.date, top: int) -> tuple[PurchaseTotals, list[TopCustomer]]:
    """The sums over the period's buyers, and its `top` customers by value (names and phones in full:
    the domain masks them)."""
    db = _db()
    sqlite = is_sqlite(db)
    p = _Params(sqlite, db.param)  # called in the order the placeholders appear
    plus = "+" if sqlite else ""  # +date: see the module's docstring

    def period(column: str) -> str:  # inline in the statement, so the arguments follow in order
        return f"{plus}{column} <= {p(end)}" + (f" AND {plus}{column} >= {p(start)}" if start else "")

    sql = f"""
WITH sold AS (
    -- a fully refunded sale is no purchase and kept nothing
    SELECT customer_id, COUNT(*) AS n, SUM(total - refunded) AS v
    FROM sale
    WHERE customer_id IS NOT NULL AND NOT fully_refunded AND {period('date')}
    GROUP BY customer_id
),
legacy AS (
    -- credit sales written straight into the khata (imported, or from before checkout) ...
    SELECT customer_id, COUNT(*) AS n, SUM(amount) AS v
    FROM khata_entry
    WHERE kind = 'debit' AND source = 'sale' AND sale_id IS NULL AND {period('date')}
    GROUP BY customer_id
    UNION ALL
    -- ... less the reversed ones: a few, found from their reversals, cheaper than testing every row
    SELECT t.customer_id, -COUNT(*), -SUM(t.amount)
    FROM khata_entry r
    CROSS JOIN khata_entry t  -- SQLite: the reversals first, then what each reverses by id
    WHERE r.reverses_id IS NOT NULL AND t.id = r.reverses_id
      AND t.kind = 'debit' AND t.source = 'sale' AND t.sale_id IS NULL AND {period('t.date')}
    GROUP BY t.customer_id
),
per AS (
    SELECT customer_id, SUM(n) AS n, SUM(v) AS v
    FROM (SELECT customer_id, n, v FROM sold UNION ALL SELECT customer_id, n, v FROM legacy) AS both_kinds
    GROUP BY customer_id
    HAVING SUM(n) > 0
)
SELECT 0 AS part, NULL AS customer_id, COUNT(*), SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END), SUM(n), SUM(v)
FROM per
UNION ALL
SELECT 1, customer_id, n, v, NULL, NULL
FROM (SELECT customer_id, n, v FROM per ORDER BY v DESC, customer_id LIMIT {int(top)}) AS best
"""
    totals, best = PurchaseTotals(), []
    for part, customer_id, a, b, c, d in db.execute_sql(sql, p.args).fetchall():
        if part == 0:
            totals = PurchaseTotals(buyers=int(a or 0), repeaters=int(b or 0), purchases=int(c or 0),
                                    value=int(d or 0))
        else:
            best.append((int(customer_id), int(a), int(b)))
    return totals, _named(best)


def _named(best: list[tuple[int, int, int]]) -> list[TopCustomer]:
    if not best:
        return []
    db = _db()
    marks = ", ".join([db.param] * len(best))
    people = {r[0]: r for r in db.execute_sql(
        f"SELECT id, name, phone, archived FROM customer WHERE id IN ({marks})", [cid for cid, _n, _v in best])}
    # Best first (value down, then id), as the statement ordered them.
    best.sort(key=lambda r: (-r[2], r[0]))
    return [TopCustomer(customer_id=cid, name=people[cid][1], phone=people[cid][2], purchases=n, value=v,
                        archived=bool(people[cid][3]))
            for cid, n, v in best]


def new_customers_per_day(start: dt.date | None, end: dt.date) -> dict[dt.date, int]:
    """Customers created each day of the period (merged-away duplicates left out)."""
    db = _db()
    sqlite = is_sqlite(db)
    p = _Params(sqlite, db.param)
    day = "substr(created_at, 1, 10)" if sqlite else "CAST(created_at AS DATE)"
    # created_at is a timestamp: the period is [start 00:00, the day after end 00:00).
    sql = f"""
SELECT {day}, COUNT(*)
FROM customer
WHERE merged_into_id IS NULL AND created_at < {p(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))}
      {f"AND created_at >= {p(dt.datetime.combine(start, dt.time()))}" if start else ""}
GROUP BY {day}
"""
    return {_day(d): int(n) for d, n in db.execute_sql(sql, p.args).fetchall()}


def points(start: dt.date | None, end: dt.date) -> tuple[PointsFlow, int]:
    """Points moved in the period by kind, and the live customers' points at its end.

    The liability at `end` is the cached points of live customers (neither archived nor merged) less
    what their entries dated after `end` moved: Σ entries = cache is what `kiosk check` proves. Those
    entries are all entries after `end` (usually none) less those of the few customers who are not
    live, so no entry is joined to its customer."""
    db = _db()
    sqlite = is_sqlite(db)
    p = _Params(sqlite, db.param)
    sql = f"""
SELECT kind, SUM(points) FROM points_entry
WHERE date <= {p(end)} {f"AND date >= {p(start)}" if start else ""}
GROUP BY kind
"""
    moved = {kind: int(total) for kind, total in db.execute_sql(sql, p.args).fetchall()}
    adds = {k.value for k in ADDS}
    p = _Params(sqlite, db.param)
    sql = f"SELECT kind, SUM(points) FROM points_entry WHERE date > {p(end)} GROUP BY kind"
    later = sum(int(n) if kind in adds else -int(n) for kind, n in db.execute_sql(sql, p.args).fetchall())
    p = _Params(sqlite, db.param)
    add_kinds = ", ".join(f"'{k}'" for k in sorted(adds))
    signed = f"CASE WHEN e.kind IN ({add_kinds}) THEN e.points ELSE -e.points END"
    sql = f"""
SELECT COALESCE(SUM({signed}), 0)
FROM customer c
CROSS JOIN points_entry e  -- SQLite: the few customers who are not live first, then their entries
WHERE (c.archived OR c.merged_into_id IS NOT NULL) AND e.customer_id = c.id AND e.date > {p(end)}
"""
    (later_not_live,) = db.execute_sql(sql, p.args).fetchone()
    (cached,) = db.execute_sql(
        "SELECT COALESCE(SUM(points), 0) FROM customer WHERE NOT archived AND merged_into_id IS NULL").fetchone()
    flow = PointsFlow(
        earned=moved.get(PointsKind.EARN.value, 0),
        redeemed=moved.get(PointsKind.REDEEM.value, 0),
        expired=moved.get(PointsKind.EXPIRE.value, 0),
        taken_back=moved.get(PointsKind.TAKE_BACK.value, 0),
        given_back=moved.get(PointsKind.GIVE_BACK.value, 0),
    )
    return flow, int(cached) - (later - int(later_not_live))
