"""Sales rows: written whole from a plan, read back as a receipt.

The checkout's own statements (the idempotency probe, the customer read under lock, the rows of the
sale and its outbox message) are plain parameterised SQL through peewee's `execute_sql`, so errors
come as peewee's types (IntegrityError included): building them with peewee's query builder cost
more than running them (bench/sales.py). `db.param` is the driver's placeholder on either backend;
SQLite is handed dates as the ISO text peewee stores, PostgreSQL date and datetime objects. The
reprint (`receipt`) still reads the rows back; `receipt_of` makes the same receipt from the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain.errors import NotFound
from kiosk.domain.receipt import Receipt, ReceiptCustomer, ReceiptLine, ReceiptTender
from kiosk.domain.sale import SalePlan
from kiosk.store.db import is_sqlite
from kiosk.store.models import Customer, Sale, SaleLine, SaleTender, User
from kiosk.store.sql import insert_sql, now

_SALE_COLUMNS = (
    "id", "customer_id", "date", "created_at", "user_id", "till", "gross", "line_discounts", "basket_discount",
    "total", "points_redeemed", "points_value", "rounding", "paid", "cash_given", '"change"', "points_earned",
    "khata", "store_credit", "tier_after", "approved_by_id", "override_by_id", "balance_after", "points_after",
    "refunded", "fully_refunded", "khata_points_due", "khata_points_earned",
)
_LINE_COLUMNS = (
    "sale_id", "n", "product_id", "sku", "description", "unit", "unit_price", "quantity_milli", "discount_bp",
    "discount_amount", "gross", "net", "points_discount", "points_redeemed", "points_earned", "khata", "store_credit",
)
#: Rows per multi-row INSERT of sale lines (17 values a row: under any SQLite's parameter limit).
_LINES_PER_INSERT = 50


def _db():
    return Sale._meta.database


def _insert_sql(db, table: str, columns: tuple[str, ...], rows: int = 1) -> str:
    return insert_sql(db, table, columns, rows)


def exists(sale_id: str) -> bool:
    db = _db()
    return db.execute_sql(f"SELECT 1 FROM sale WHERE id = {db.param}", (sale_id,)).fetchone() is not None


@dataclass(frozen=True, slots=True)
class Buyer:
    """The customer a sale is to, as read under lock: what the plan, the message and the receipt need."""

    id: int
    name: str
    phone: str | None
    balance: int
    credit_limit: int | None
    archived: bool
    tier_pinned: bool
    points: int
    tier: str
    group: str


def lock_buyer(customer_id: int) -> Buyer:
    """The customer's row under a row lock (PostgreSQL FOR UPDATE; SQLite already holds the database
    write lock from BEGIN IMMEDIATE), as `kiosk.store.khata.lock_customer` takes it, with the rest of
    what a sale reads of the customer in the same statement. The group's name comes from a scalar
    subquery rather than a join, so the lock is on the customer row alone and PostgreSQL re-reads the
    group of the row version it locked."""
    db = _db()
    sql = (f"SELECT c.id, c.name, c.phone, c.balance, c.credit_limit, c.archived, c.tier_pinned, c.points, c.tier, "
           f"(SELECT g.name FROM customer_group g WHERE g.id = c.group_id) "
           f"FROM customer c WHERE c.id = {db.param}")
    if not is_sqlite(db):
        sql += " FOR UPDATE"
    row = db.execute_sql(sql, (customer_id,)).fetchone()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    cid, name, phone, balance, limit, archived, pinned, points, tier, group = row
    return Buyer(cid, name, phone, balance, limit, bool(archived), bool(pinned), points, tier, group)


def insert(plan: SalePlan, *, sale_id: str, date: dt.date, customer_id: int | None, product_ids: list[int | None],
           user_id: int | None, till: str, approved_by: int | None, override_by: int | None,
           created_at: dt.datetime | None = None) -> dt.datetime:
    """Write the sale, its lines and tenders, and take it off the parked list, in the caller's
    transaction. Returns its created_at (`created_at`, or now)."""
    db = _db()
    p = db.param
    sqlite = is_sqlite(db)
    at = created_at or now()
    t, s = plan.totals, plan.settlement
    db.execute_sql(_insert_sql(db, "sale", _SALE_COLUMNS), (
        sale_id, customer_id, date.isoformat() if sqlite else date, at.isoformat(" ") if sqlite else at, user_id,
        till, t.gross, t.line_discounts, t.basket_discount, t.total, plan.points_redeemed, plan.points_value,
        s.rounding, s.paid, s.cash_given, s.change, plan.points_earned, plan.khata, plan.store_credit,
        plan.tier_after.value if plan.tier_after else None, approved_by, override_by, plan.balance_after,
        plan.points_after, 0, False, plan.khata_points_due, 0,
    ))
    rows = [
        (sale_id, n, pid, line.sku, line.description, line.unit.value, line.unit_price, line.quantity_milli,
         line.discount.percent_bp, line.discount.amount, gross, share.net, share.points_discount,
         share.points_redeemed, share.points_earned, share.khata, share.store_credit)
        for n, (line, gross, share, pid)
        in enumerate(zip(plan.lines, _grosses(plan), plan.shares, product_ids, strict=True), start=1)
    ]
    for start in range(0, len(rows), _LINES_PER_INSERT):
        batch = rows[start:start + _LINES_PER_INSERT]
        db.execute_sql(_insert_sql(db, "sale_line", _LINE_COLUMNS, len(batch)), [v for row in batch for v in row])
    db.execute_sql(f"DELETE FROM parked_sale WHERE id = {p}", (sale_id,))  # a recalled-and-reparked basket is done
    if s.tenders:  # a bill paid wholly with points has none
        db.execute_sql(_insert_sql(db, "sale_tender", ("sale_id", "method", "name", "amount"), len(s.tenders)),
                       [v for x in s.tenders for v in (sale_id, x.method.value, x.name, x.amount)])
    return at


def _grosses(plan: SalePlan) -> list[int]:
    return [line.gross for line in plan.lines]  # a property that computes: once a line


def set_tier(customer_id: int, tier: str) -> None:
    db = _db()
    db.execute_sql(f"UPDATE customer SET tier = {db.param} WHERE id = {db.param}", (tier, customer_id))


def receipt_of(plan: SalePlan, *, sale_id: str, at: dt.datetime, shop_name: str, currency: str, till: str,
               cashier: str | None, buyer: Buyer | None, points_after: int | None) -> Receipt:
    """The receipt of a sale just written from `plan`, without reading it back: what `receipt` reads
    from the rows `insert` wrote (`points_after` is the sale's, after any points a paid advance
    earned). Keep the two in step: a test holds them equal."""
    t, s = plan.totals, plan.settlement
    lines = tuple(
        ReceiptLine(n=n, description=line.description, sku=line.sku, quantity_milli=line.quantity_milli,
                    unit=line.unit.value, unit_price=line.unit_price, gross=gross, discount=gross - share.net,
                    net=share.net)
        for n, (line, gross, share) in enumerate(zip(plan.lines, _grosses(plan), plan.shares, strict=True), start=1)
    )
    customer = None
    if buyer is not None:
        customer = ReceiptCustomer(buyer.id, buyer.name, buyer.phone, plan.balance_after, points_after,
                                   plan.tier_after.value if plan.tier_after else buyer.tier)
    return Receipt(
        sale_id=sale_id, at=at, shop_name=shop_name, currency=currency, till=till, cashier=cashier, lines=lines,
        gross=t.gross, discounts=t.line_discounts + t.basket_discount, total=t.total,
        points_redeemed=plan.points_redeemed, points_value=plan.points_value, rounding=s.rounding, paid=s.paid,
        tenders=tuple(ReceiptTender(x.method.value, x.name, x.amount) for x in s.tenders),
        cash_given=s.cash_given, change=s.change, khata=plan.khata, store_credit=plan.store_credit,
        points_earned=plan.points_earned, customer=customer,
    )


def receipt(sale_id: str, shop_name: str, currency: str) -> Receipt:
    sale = Sale.get_by_id(sale_id)
    lines = tuple(
        ReceiptLine(n=ln.n, description=ln.description, sku=ln.sku, quantity_milli=ln.quantity_milli, unit=ln.unit,
                    unit_price=ln.unit_price, gross=ln.gross, discount=ln.gross - ln.net, net=ln.net)
        for ln in SaleLine.select().where(SaleLine.sale == sale_id).order_by(SaleLine.n)
    )
    tenders = tuple(ReceiptTender(t.method, t.name, t.amount)
                    for t in SaleTender.select().where(SaleTender.sale == sale_id).order_by(SaleTender.id))
    customer = None
    if sale.customer_id:
        c = Customer.get_by_id(sale.customer_id)
        # As they were just after the sale (a reprint shows what the first print showed); sales made
        # before migration 0008 kept no such figures and show today's.
        balance = sale.balance_after if sale.balance_after is not None else c.balance
        points = sale.points_after if sale.points_after is not None else c.points
        customer = ReceiptCustomer(c.id, c.name, c.phone, balance, points, sale.tier_after or c.tier)
    cashier = User.get_or_none(User.id == sale.user_id)
    return Receipt(
        sale_id=sale.id, at=sale.created_at, shop_name=shop_name, currency=currency, till=sale.till,
        cashier=cashier.name if cashier else None, lines=lines, gross=sale.gross,
        discounts=sale.line_discounts + sale.basket_discount, total=sale.total,
        points_redeemed=sale.points_redeemed, points_value=sale.points_value, rounding=sale.rounding,
        paid=sale.paid, tenders=tenders, cash_given=sale.cash_given, change=sale.change, khata=sale.khata,
        store_credit=sale.store_credit, points_earned=sale.points_earned, customer=customer,
    )


def move_sales(from_customer: int, to_customer: int) -> int:
    """Merge: the merged record's sales, refunds, messages and parked baskets belong to the kept one."""
    from kiosk.store.models import OutboxMessage, ParkedSale, Refund

    for model in (ParkedSale, Refund, OutboxMessage):
        model.update(customer=to_customer).where(model.customer == from_customer).execute()
    return Sale.update(customer=to_customer).where(Sale.customer == from_customer).execute()


def points_due(customer_id: int) -> list[tuple[str, int, int, int]]:
    """(sale id, points due when paid, earned so far, khata) of a customer's credit sales that earn
    points once paid (the partial index sale_customer_points_due serves this)."""
    return list(Sale.select(Sale.id, Sale.khata_points_due, Sale.khata_points_earned, Sale.khata)
                .where((Sale.customer == customer_id) & (Sale.khata_points_due > 0)).order_by(Sale.date, Sale.id)
                .tuples())


def set_paid_points(sale_id: str, earned: int) -> None:
    Sale.update(khata_points_earned=earned).where(Sale.id == sale_id).execute()


def add_points_after(sale_id: str, points: int) -> None:
    Sale.update(points_after=Sale.points_after + points).where(Sale.id == sale_id).execute()
