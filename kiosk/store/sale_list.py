"""One day's sales for the till's sale list: newest first, a page at a time, filtered by what was typed.

Paged by keyset on (created_at, id) within the day, never OFFSET: page 20 of a busy day costs what page 1
does. The day's rows come through the `sale.date` index (a day is hundreds of rows, sorted in a moment);
the customer and the cashier are joined for their names, the page's tenders read in one more statement.
Plain parameterised SQL, as `customer_list.purchases` does, so the cursor is the column values as the
driver gave them (text on SQLite, datetimes on PostgreSQL) and goes back unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.store.models import Sale
from kiosk.store.sql import SqlArgs


@dataclass(frozen=True, slots=True)
class SaleRow:
    """One sale as the list shows it. `customer_name` None: a walk-in."""

    sale_id: str
    date: dt.date
    at: dt.datetime
    till: str
    cashier: str | None
    customer_id: int | None
    customer_name: str | None
    customer_phone: str | None  # E.164
    total: int  # after discounts, before points and rounding
    paid: int  # what the tenders covered: the receipt's TOTAL
    points_value: int  # paid with points
    tenders: tuple[tuple[str, int], ...]  # (method, or the mobile-money service's name; amount), as rung up
    refunded: int  # of `total`, what refunds took back
    fully_refunded: bool

    @property
    def walk_in(self) -> bool:
        return self.customer_id is None

    @property
    def refunded_any(self) -> bool:
        return self.refunded > 0 or self.fully_refunded


@dataclass(frozen=True, slots=True)
class SaleCursor:
    """Where the next page starts: just after this sale (raw column values; pass back unchanged)."""

    created_at: object
    sale_id: str


@dataclass(frozen=True, slots=True)
class SalePage:
    rows: tuple[SaleRow, ...]
    next_cursor: SaleCursor | None  # None: nothing older on the day


_SELECT = ("SELECT s.id, s.date, s.created_at, s.till, u.name, s.customer_id, c.name, c.phone, s.total, s.paid, "
           "s.points_value, s.refunded, s.fully_refunded "
           "FROM sale s LEFT JOIN customer c ON c.id = s.customer_id LEFT JOIN app_user u ON u.id = s.user_id ")


def _db():
    return Sale._meta.database


def page(day: dt.date, *, id_prefix: str = "", text: str = "", after: SaleCursor | None = None,
         limit: int = 50) -> SalePage:
    """The sales booked on `day` (every till), newest first, at most `limit`. `id_prefix` (lower case)
    matches the start of a sale's id, `text` (casefolded as `customer.search_text` is) anywhere in its
    customer's name, phones and CNIC; given both, a sale matching either is listed."""
    db = _db()
    p = SqlArgs(db)
    where = [f"s.date = {p(day)}"]
    either = []
    if id_prefix:
        either.append(f"lower(substr(s.id, 1, {len(id_prefix)})) = {p(id_prefix)}")
    if text:
        find = "instr(c.search_text, {})" if p.sqlite else "strpos(c.search_text, {})"
        either.append(find.format(p(text)) + " > 0")
    if either:
        where.append("(" + " OR ".join(either) + ")")
    if after is not None:
        where.append(f"(s.created_at, s.id) < ({p(after.created_at)}, {p(after.sale_id)})")
    sql = (_SELECT + f"WHERE {' AND '.join(where)} ORDER BY s.created_at DESC, s.id DESC LIMIT {int(limit) + 1}")
    found = db.execute_sql(sql, p.values).fetchall()
    more = len(found) > limit
    found = found[:limit]
    rows = _rows(db, found)
    cursor = SaleCursor(created_at=found[-1][2], sale_id=found[-1][0]) if more else None
    return SalePage(rows=tuple(rows), next_cursor=cursor)


def get(sale_id: str) -> SaleRow | None:
    """The sale with exactly this id, whatever its day (a receipt in hand names its sale), or None."""
    db = _db()
    found = db.execute_sql(_SELECT + f"WHERE s.id = {db.param}", (sale_id,)).fetchall()
    rows = _rows(db, found)
    return rows[0] if rows else None


def _rows(db, found: list[tuple]) -> list[SaleRow]:
    if not found:
        return []
    ids = [r[0] for r in found]
    tenders: dict[str, dict[str, int]] = {i: {} for i in ids}
    marks = ", ".join([db.param] * len(ids))
    for sale_id, method, name, amount in db.execute_sql(
            f"SELECT sale_id, method, name, amount FROM sale_tender WHERE sale_id IN ({marks}) ORDER BY id",
            ids).fetchall():
        label = name if method == "mobile" and name else method
        tenders[sale_id][label] = tenders[sale_id].get(label, 0) + int(amount)
    return [
        SaleRow(sale_id=sid, date=_day(day), at=_moment(at), till=till or "", cashier=cashier, customer_id=cid,
                customer_name=name if cid is not None else None, customer_phone=phone, total=int(total),
                paid=int(paid), points_value=int(points or 0), tenders=tuple(tenders[sid].items()),
                refunded=int(refunded or 0), fully_refunded=bool(fully))
        for sid, day, at, till, cashier, cid, name, phone, total, paid, points, refunded, fully in found
    ]


def _day(value) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _moment(value) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value
