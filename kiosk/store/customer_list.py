"""The customers list in SQL, a page at a time by keyset (never OFFSET), and the profile's purchases and
favourite products.

Everything the list sorts and filters on is in `customer_list` (migration 0012: a row per customer,
kept by triggers; 0015 folds them into fewer writes of the same contents), and each sort has an index
holding its key, the id and every filter column, so a page is a walk down one index from the cursor
that tests the filters on the index entries (0.01 to 0.05 µs each: even a filter that passes nobody
costs one walk of 100k entries, a few ms) and visits no row (about 1 µs each) until the page's rows
are known. "Date added" walks the table itself, in id order.

Text is where a walk is not enough, and on SQLite the store chooses how to read a page with text:

- a name prefix (under three characters): sorted by name, a range of the walked index; otherwise a
  test on the walked entries, or, when the name index says few names start so (`DRIVE_MAX`), those
  few customers read and sorted ("drive");
- three characters or more, matched by the trigram index (FTS5): the matches are counted first
  (stopping at `COUNT_CAP`, about 0.05 µs a match). Few: drive from them (about 0.5 µs each, then a
  sort of what passes the filters). Many: walk the sort's index testing each customer that passes
  the filters against its search text (a row visit, about 1.5 µs) until the page is full, giving up
  after the entries a page should need at the matches' share of the shop, times `PROBE`; given up
  (the matches bunch where this sort puts them last: "muh" is mostly Muhammads, far down a list by
  name), drive after all.

So a keystroke costs one statement (no text, or a prefix sorted by name) or two (a count, then the
page), three when a walk gives up. PostgreSQL's planner has the statistics to choose for itself:
there each page is one statement and text is pg_trgm's LIKE '%…%'.

Rows are read with plain SQL: building peewee models per row costs more than the query.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from peewee import Database

from kiosk.domain.customer_list import (
    RECENT_DAYS,
    Cursor,
    Direction,
    FavouriteProduct,
    ListQuery,
    ListRow,
    Purchase,
    PurchaseCursor,
    PurchaseLine,
    PurchaseTender,
    Sort,
    high_value_rank,
)
from kiosk.domain.customers import Tier, search_query
from kiosk.store import textsearch
from kiosk.store.customers import MIN_TRIGRAM
from kiosk.store.db import is_sqlite
from kiosk.store.models import Customer
from kiosk.store.sql import SqlArgs

#: customer_list.last_activity of a customer with nothing booked (migration 0012).
NO_ACTIVITY = dt.date(1, 1, 1)
#: Text matched by fewer customers than this is read from its matches ("drive"), else by a walk.
DRIVE_MAX = 4_000
#: Counting the text's matches stops here (enough to size a walk).
COUNT_CAP = 8_000
#: A walk with text gives up after PROBE times the entries a page should need at the matches' share.
PROBE = 3
WALK, DRIVE = "walk", "drive"


def _db() -> Database:
    return Customer._meta.database


#: Each sort: the column walked (l is customer_list) and its index on SQLite (None: the table's own,
#: in id order).
_SORTS = {
    Sort.NAME: ("l.name_key", "customer_list_name"),
    Sort.BALANCE: ("l.balance", "customer_list_balance"),
    Sort.SPENT: ("l.spent", "customer_list_spent"),
    Sort.ACTIVITY: ("l.last_activity", "customer_list_activity"),
    Sort.ADDED: ("l.customer_id", None),
}


@dataclass(frozen=True, slots=True)
class _Text:
    kind: str  # "prefix" or "substring"
    query: str  # as `search_query` normalised it


def _text(query: ListQuery) -> _Text | None:
    text = search_query(query.text)
    if not text:
        return None
    return _Text("prefix" if len(text) < MIN_TRIGRAM else "substring", text)


def _sort_key(db: Database, sort: Sort) -> str:
    column = _SORTS[sort][0]
    return textsearch.sort_key(db, column) if sort is Sort.NAME else column


def _filters(db: Database, query: ListQuery, p: SqlArgs, today: dt.date, threshold: int | None) -> list[str]:
    """The filters, as tests of customer_list's columns (all held by every sort's index)."""
    f = query.filters
    out = ["l.archived" if f.archived else "NOT l.archived"]
    if f.has_balance:
        out.append("l.balance > 0")
    if f.no_purchases:  # no purchases is nothing spent: for a walk by spend, the zero range
        out.append("l.purchases = 0 AND l.spent = 0")
    if f.high_value:
        out.append("1 = 0" if threshold is None else f"l.spent >= {p(threshold)}")
    if f.recent:
        out.append(f"l.last_activity >= {p(today - dt.timedelta(days=RECENT_DAYS - 1))}")
    if f.group is not None:
        out.append(f"l.group_id = (SELECT id FROM customer_group WHERE name = {p(f.group)})")
    if f.tier is not None:
        out.append(f"l.tier = {p(Tier(f.tier).value)}")
    return out


def _prefix_test(db: Database, text: _Text, p: SqlArgs) -> str:
    lo, hi = textsearch.bounds(text.query)
    key = textsearch.sort_key(db, "l.name_key")
    return f"{key} >= {p(lo)} AND {key} < {p(hi)}"


def _source(db: Database, text: _Text, p: SqlArgs) -> str:
    """The ids of the customers the text lets through, from its own index."""
    if text.kind == "prefix":
        return f"SELECT customer_id AS id FROM customer_list l WHERE {_prefix_test(db, text, p)}"
    phrase = '"' + text.query.replace('"', '""') + '"'  # an FTS5 phrase: quotes are text, not syntax
    return f"SELECT rowid AS id FROM customer_fts WHERE customer_fts MATCH {p(phrase)}"


def _keyset(query: ListQuery, key: str, after: Cursor | None, p: SqlArgs) -> list[str]:
    if after is None:
        return []
    op = "<" if query.direction is Direction.DESC else ">"
    if query.sort is Sort.ADDED:
        return [f"l.customer_id {op} {p(after.id)}"]
    return [f"({key}, l.customer_id) {op} ({p(after.key)}, {p(after.id)})"]


def _order(query: ListQuery, key: str) -> str:
    d = " DESC" if query.direction is Direction.DESC else ""
    return f"{key}{d}" if query.sort is Sort.ADDED else f"{key}{d}, l.customer_id{d}"


@dataclass(frozen=True, slots=True)
class _Ask:
    """Everything a statement of the page needs, made once per page."""

    query: ListQuery
    today: dt.date
    threshold: int | None
    text: _Text | None
    after: Cursor | None


def _walk(db: Database, ask: _Ask, p: SqlArgs, limit: int | None, *, text_test: bool = True,
          ordered: bool = True) -> str:
    """(id, k) of the list walked down the sort's index from the cursor (the text's prefix tested on
    the entries; a substring is left to the caller)."""
    query = ask.query
    key = _sort_key(db, query.sort)
    index = _SORTS[query.sort][1]
    hint = ""
    if is_sqlite(db):
        hint = f" INDEXED BY {index}" if index else " NOT INDEXED"
    tables = f"customer_list l{hint}"
    where = _filters(db, query, p, ask.today, ask.threshold)
    if ask.text is not None and ask.text.kind == "prefix" and text_test:
        where.append(_prefix_test(db, ask.text, p))
    elif ask.text is not None and text_test and not is_sqlite(db):  # PostgreSQL: pg_trgm's index serves it
        tables += " JOIN customer c ON c.id = l.customer_id"
        where.append(f"c.search_text LIKE {p(_pattern(ask.text))}")
    where += _keyset(query, key, ask.after, p)
    sql = f"SELECT l.customer_id AS id, {key} AS k FROM {tables} WHERE {' AND '.join(where)}"
    if ordered:
        sql += f" ORDER BY {_order(query, key)}"
    return sql + (f" LIMIT {int(limit)}" if limit is not None else "")


def _pattern(text: _Text) -> str:
    return "%" + text.query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _drive(db: Database, ask: _Ask, p: SqlArgs, limit: int | None, *, ordered: bool = True) -> str:
    """(id, k) of the list read from the text's matches: each looked up, tested, then sorted."""
    query = ask.query
    key = _sort_key(db, query.sort)
    source = _source(db, ask.text, p)
    where = ["l.customer_id = m.id", *_filters(db, query, p, ask.today, ask.threshold),
             *_keyset(query, key, ask.after, p)]
    sql = (f"SELECT l.customer_id AS id, {key} AS k FROM ({source}) AS m CROSS JOIN customer_list l "
           f"WHERE {' AND '.join(where)}")
    if ordered:
        sql += f" ORDER BY {_order(query, key)}"
    return sql + (f" LIMIT {int(limit)}" if limit is not None else "")


def _probe(db: Database, ask: _Ask, p: SqlArgs, walk_limit: int, limit: int) -> str:
    """The first `limit` customers, as (id, k), among the first `walk_limit` the walk lets through whose
    search text holds the text (a row visit each, as far as needed), then (NULL, how many the walk let
    through): given `walk_limit` back with fewer than `limit`, the walk stopped short of its end. The
    walk is made once (MATERIALIZED) for both."""
    walked = _walk(db, ask, p, walk_limit, text_test=False)
    # No ORDER BY over w: it would visit every row of w before the first came out. A materialized
    # table is read back in the order it was written, the walk's; the caller sorts the few found.
    return (f"WITH w AS MATERIALIZED ({walked}) "
            f"SELECT id, k FROM (SELECT w.id, w.k FROM w "
            f"WHERE instr((SELECT c.search_text FROM customer c WHERE c.id = w.id), {p(ask.text.query)}) > 0 "
            f"LIMIT {int(limit)}) AS hits "
            f"UNION ALL SELECT NULL, COUNT(*) FROM w")


def _in_order(query: ListQuery, ids: list[tuple]) -> list[tuple]:
    """(id, k) pairs in the list's order (SQLite's keys: text compares by code point, as BINARY does)."""
    if query.sort is Sort.ADDED:
        return sorted(ids, key=lambda r: r[0], reverse=query.direction is Direction.DESC)
    return sorted(ids, key=lambda r: (r[1], r[0]), reverse=query.direction is Direction.DESC)


@dataclass
class Plan:
    """How a page was read: WALK or DRIVE, whether a walk with text gave up first, and what was counted."""

    how: str
    gave_up: bool = False
    matches: int | None = None  # the text's matches, counted up to COUNT_CAP
    customers: int = 0


def _count_matches(db: Database, ask: _Ask) -> tuple[int, int, int]:
    """(the text's matches up to COUNT_CAP, the highest customer id, the names starting with the text up
    to COUNT_CAP for a list by name, else 0): one statement."""
    p = SqlArgs(db)
    source = _source(db, ask.text, p)
    parts = [f"(SELECT COUNT(*) FROM ({source} LIMIT {COUNT_CAP}) AS s)",
             "(SELECT MAX(customer_id) FROM customer_list)"]
    if ask.query.sort is Sort.NAME and ask.text.kind == "substring":
        prefix = _source(db, _Text("prefix", ask.text.query), p)
        parts.append(f"(SELECT COUNT(*) FROM ({prefix} LIMIT {COUNT_CAP}) AS n)")
    row = db.execute_sql(f"SELECT {', '.join(parts)}", p.values).fetchone()
    return int(row[0]), int(row[1] or 0), int(row[2]) if len(row) > 2 else 0


def page(query: ListQuery, *, today: dt.date, after: Cursor | None, limit: int, threshold: int | None = None,
         force: str | None = None) -> tuple[list[ListRow], object, Plan]:
    """One page: its rows, the last row's sort key (for the cursor) and how it was read. `threshold`:
    the high-value threshold when that filter is on (`high_value_threshold`). `force` (WALK or DRIVE)
    overrides the choice, for tests that compare both ways."""
    db = _db()
    ask = _Ask(query, today, threshold, _text(query), after)
    text = ask.text
    sqlite = is_sqlite(db)
    if text is None or force is not None:  # with no text there is nothing to drive from
        how = DRIVE if text is not None and force == DRIVE and sqlite else WALK
        return _finish(db, ask, how, limit, Plan(how))
    if not sqlite or (text.kind == "prefix" and query.sort is Sort.NAME):
        return _finish(db, ask, WALK, limit, Plan(WALK))
    matches, customers, named = _count_matches(db, ask)
    plan = Plan(WALK, matches=matches, customers=customers)
    # Few matches: read them. Most of them names that start with the text, in a list by name: they
    # bunch where a walk by name reaches last (a page of "muh" is Muhammads), so read them too.
    if matches < DRIVE_MAX or 2 * named >= matches:
        plan.how = DRIVE
        return _finish(db, ask, DRIVE, limit, plan)
    if text.kind == "prefix":
        return _finish(db, ask, WALK, limit, plan)
    walk_limit = min(customers, math.ceil(PROBE * limit * customers / matches)) + limit
    p = SqlArgs(db)
    found = db.execute_sql(_probe(db, ask, p, walk_limit, limit), p.values).fetchall()
    ids, walked = _in_order(query, found[:-1]), found[-1][1]
    if len(ids) < limit and walked == walk_limit:  # the walk stopped before its end: the rest may match
        plan.how, plan.gave_up = DRIVE, True
        return _finish(db, ask, DRIVE, limit, plan)
    return _rows(db, ask.query, ids), (ids[-1][1] if ids else None), plan


def _finish(db: Database, ask: _Ask, how: str, limit: int, plan: Plan) -> tuple[list[ListRow], object, Plan]:
    p = SqlArgs(db)
    if how != DRIVE and ask.text is not None and ask.text.kind == "substring" and is_sqlite(db):
        found = db.execute_sql(_probe(db, ask, p, 2**62, limit), p.values).fetchall()  # a forced walk: to the end
        ids = _in_order(ask.query, found[:-1])
        return _rows(db, ask.query, ids), (ids[-1][1] if ids else None), plan
    inner = _drive(db, ask, p, limit) if how == DRIVE else _walk(db, ask, p, limit)
    d = " DESC" if ask.query.direction is Direction.DESC else ""
    # One statement: the page's few rows are read in full once it is known which they are.
    sql = (f"SELECT {_ROW_COLUMNS}, p.k FROM ({inner}) AS p CROSS JOIN customer_list l CROSS JOIN customer c "
           f"JOIN customer_group g ON g.id = c.group_id WHERE l.customer_id = p.id AND c.id = p.id "
           f"ORDER BY p.k{d}, p.id{d}")
    rows = db.execute_sql(sql, p.values).fetchall()
    return [_row(r) for r in rows], (rows[-1][-1] if rows else None), plan


_ROW_COLUMNS = ("c.id, c.name, c.tier, c.phone, l.spent, c.balance, c.points, l.last_activity, c.created_at, "
                "c.archived, g.name, l.purchases")


def _rows(db: Database, query: ListQuery, ids: list[tuple]) -> list[ListRow]:
    """The rows in full of `ids` ((id, key) pairs, in the list's order): one statement by primary key."""
    if not ids:
        return []
    marks = ", ".join([db.param] * len(ids))
    sql = (f"SELECT {_ROW_COLUMNS} FROM customer c JOIN customer_list l ON l.customer_id = c.id "
           f"JOIN customer_group g ON g.id = c.group_id WHERE c.id IN ({marks})")
    rows = {r[0]: r for r in db.execute_sql(sql, [i for i, _k in ids]).fetchall()}
    return [_row(rows[i]) for i, _k in ids if i in rows]


def count(query: ListQuery, *, today: dt.date, threshold: int | None = None, cap: int | None = None) -> int:
    """How many customers the list holds (at most `cap`): as much work as reading them all, in index
    entries: a walk of the whole index without text (about 5 ms at 100k customers), the matches with."""
    db = _db()
    ask = _Ask(query, today, threshold, _text(query), None)
    p = SqlArgs(db)
    if ask.text is not None and ask.text.kind == "substring" and is_sqlite(db):
        inner = _drive(db, ask, p, cap, ordered=False)
    else:
        inner = _walk(db, ask, p, cap, ordered=False)
    (n,) = db.execute_sql(f"SELECT COUNT(*) FROM ({inner}) AS x", p.values).fetchone()
    return int(n)


def high_value_threshold() -> int | None:
    """The least a high-value customer spent (`kiosk.domain.customer_list`): the spend at rank
    ceil(HIGH_VALUE_PERCENT% of customers who spent anything), read off the spend index (a count of
    its range above zero, then a step down it). None when nobody spent anything."""
    db = _db()
    hint = " INDEXED BY customer_list_spent" if is_sqlite(db) else ""
    (spenders,) = db.execute_sql(f"SELECT COUNT(*) FROM customer_list{hint} WHERE spent > 0").fetchone()
    if not spenders:
        return None
    rank = high_value_rank(int(spenders))
    row = db.execute_sql(f"SELECT spent FROM customer_list{hint} WHERE spent > 0 ORDER BY spent DESC, customer_id DESC "
                         f"LIMIT 1 OFFSET {rank - 1}").fetchone()
    return int(row[0]) if row else None


def _day(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    elif isinstance(value, dt.datetime):
        value = value.date()
    return value


def _row(r) -> ListRow:
    active = _day(r[7])
    return ListRow(id=r[0], name=r[1], tier=Tier(r[2]), phone=r[3], total_spent=int(r[4]), balance=int(r[5]),
                   points=int(r[6]), last_activity=None if active == NO_ACTIVITY else active,
                   added_on=_day(r[8]), archived=bool(r[9]), group=r[10], purchases=int(r[11]))


# --- The check -----------------------------------------------------------------------------------------

#: Every customer's list row beside what the customer row and the books say it should hold (as
#: migration 0012 filled the table).
_RECOMPUTED_SQL = """
SELECT c.id, t.customer_id,
       t.name_key, t.balance, t.archived, t.group_id, t.tier, c.name_key, c.balance, c.archived, c.group_id, c.tier,
       t.spent, t.purchases, t.last_activity,
       COALESCE(s.spent, 0) + COALESCE(k.spent, 0), COALESCE(s.n, 0) + COALESCE(k.n, 0),
       s.last_day, k.last_day, r.last_day
FROM customer c
LEFT JOIN customer_list t ON t.customer_id = c.id
LEFT JOIN (SELECT customer_id,
                  SUM(CASE WHEN fully_refunded THEN 0 ELSE total - refunded END) AS spent,
                  SUM(CASE WHEN fully_refunded THEN 0 ELSE 1 END) AS n,
                  MAX(date) AS last_day
           FROM sale WHERE customer_id IS NOT NULL GROUP BY customer_id) s ON s.customer_id = c.id
LEFT JOIN (SELECT e.customer_id,
                  SUM(CASE WHEN e.kind = 'debit' AND e.source = 'sale' AND e.sale_id IS NULL AND r.id IS NULL
                           THEN e.amount ELSE 0 END) AS spent,
                  SUM(CASE WHEN e.kind = 'debit' AND e.source = 'sale' AND e.sale_id IS NULL AND r.id IS NULL
                           THEN 1 ELSE 0 END) AS n,
                  MAX(e.date) AS last_day
           FROM khata_entry e LEFT JOIN khata_entry r ON r.reverses_id = e.id
           GROUP BY e.customer_id) k ON k.customer_id = c.id
LEFT JOIN (SELECT customer_id, MAX(date) AS last_day
           FROM refund WHERE customer_id IS NOT NULL GROUP BY customer_id) r ON r.customer_id = c.id
"""


def list_mismatches() -> list[tuple[int, str]]:
    """(customer id, what differs) wherever `customer_list` disagrees with the customer row or the books:
    the proof that the triggers of migrations 0012 and 0015 kept it (for `kiosk check`). Reads every sale and
    khata entry once (about as long as the credit report)."""
    problems = []
    copied = ("name key", "balance", "archived", "group", "tier")
    for cid, listed, *rest in _db().execute_sql(_RECOMPUTED_SQL).fetchall():
        if listed is None:
            problems.append((cid, "is missing from the customers list"))
            continue
        have_copy, want_copy = rest[0:5], rest[5:10]
        spent, n, active, want_spent, want_n, *days = rest[10:]
        want_day = max([d for d in map(_day, days) if d is not None], default=NO_ACTIVITY)
        checks = [(what, h, w) for what, h, w in zip(copied, have_copy, want_copy, strict=True)]
        checks += [("total spent", int(spent), int(want_spent)), ("purchases", int(n), int(want_n)),
                   ("last activity", _day(active), want_day)]
        for what, have, want in checks:
            if have != want and not (what == "archived" and bool(have) == bool(want)):
                problems.append((cid, f"{what} is {have} in the customers list but {want} in the books"))
    return problems


# --- The profile: favourite products and purchases ------------------------------------------------------

_FAVOURITES_SQL = """
SELECT b.product_id, p.sku, p.name, p.unit, b.qty - COALESCE(r.qty, 0), b.times, b.spent - COALESCE(r.spent, 0)
FROM (SELECT l.product_id, SUM(l.quantity_milli) AS qty, SUM(l.net) AS spent,
             COUNT(DISTINCT CASE WHEN s.fully_refunded THEN NULL ELSE s.id END) AS times
      FROM sale s JOIN sale_line l ON l.sale_id = s.id
      WHERE s.customer_id = {p} AND l.product_id IS NOT NULL
      GROUP BY l.product_id) b
LEFT JOIN (SELECT l.product_id, SUM(x.quantity_milli) AS qty, SUM(x.net) AS spent
           FROM sale s JOIN sale_line l ON l.sale_id = s.id JOIN refund_line x ON x.sale_line_id = l.id
           WHERE s.customer_id = {p} AND l.product_id IS NOT NULL
           GROUP BY l.product_id) r ON r.product_id = b.product_id
JOIN product p ON p.id = b.product_id
WHERE b.qty - COALESCE(r.qty, 0) > 0
ORDER BY b.qty - COALESCE(r.qty, 0) DESC, b.times DESC, b.product_id
LIMIT {n}
"""


def favourite_products(customer_id: int, n: int) -> list[FavouriteProduct]:
    """The `n` products the customer kept most of (bought less refunded, in the product's unit), then
    by how many purchases held them; open items (no product) are left out."""
    db = _db()
    sql = _FAVOURITES_SQL.format(p=db.param, n=int(n))
    return [FavouriteProduct(product_id=pid, sku=sku, name=name, unit=unit, quantity_milli=int(qty), times=int(times),
                             spent=int(spent))
            for pid, sku, name, unit, qty, times, spent in db.execute_sql(sql, (customer_id, customer_id)).fetchall()]


def purchases(customer_id: int, after: PurchaseCursor | None, limit: int
              ) -> tuple[list[Purchase], PurchaseCursor | None]:
    """The customer's sales, newest first (by date, then time rung up, then id), `limit` at a time, with
    their tenders and lines (three statements a page). Returns the rows and the cursor of the last."""
    db = _db()
    p = SqlArgs(db)
    where = f"customer_id = {p(customer_id)}"
    if after is not None:
        where += f" AND (date, created_at, id) < ({p(after.date)}, {p(after.created_at)}, {p(after.sale_id)})"
    sql = (f"SELECT id, date, created_at, total, paid, points_redeemed, points_earned, refunded, fully_refunded "
           f"FROM sale WHERE {where} ORDER BY date DESC, created_at DESC, id DESC LIMIT {int(limit)}")
    sales = db.execute_sql(sql, p.values).fetchall()
    if not sales:
        return [], None
    ids = [s[0] for s in sales]
    marks = ", ".join([db.param] * len(ids))
    tenders: dict[str, list[PurchaseTender]] = {i: [] for i in ids}
    for sale_id, method, name, amount in db.execute_sql(
            f"SELECT sale_id, method, name, amount FROM sale_tender WHERE sale_id IN ({marks}) ORDER BY sale_id, id",
            ids).fetchall():
        tenders[sale_id].append(PurchaseTender(method, name, int(amount)))
    lines: dict[str, list[PurchaseLine]] = {i: [] for i in ids}
    for sale_id, n, sku, description, unit, qty, price, net, back in db.execute_sql(
            f"SELECT l.sale_id, l.n, l.sku, l.description, l.unit, l.quantity_milli, l.unit_price, l.net, "
            f"(SELECT COALESCE(SUM(x.quantity_milli), 0) FROM refund_line x WHERE x.sale_line_id = l.id) "
            f"FROM sale_line l WHERE l.sale_id IN ({marks}) ORDER BY l.sale_id, l.n", ids).fetchall():
        lines[sale_id].append(PurchaseLine(n=n, sku=sku, description=description, unit=unit, quantity_milli=int(qty),
                                           unit_price=int(price), net=int(net), refunded_milli=int(back)))
    rows = [
        Purchase(sale_id=sid, date=_day(day), created_at=_moment(at), total=int(total), paid=int(paid),
                 points_redeemed=int(redeemed), points_earned=int(earned), refunded=int(refunded),
                 fully_refunded=bool(fully), tenders=tuple(tenders[sid]), lines=tuple(lines[sid]))
        for sid, day, at, total, paid, redeemed, earned, refunded, fully in sales
    ]
    last = sales[-1]
    return rows, PurchaseCursor(date=last[1], created_at=last[2], sale_id=last[0])


def _moment(value) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
