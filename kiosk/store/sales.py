"""Sales rows: written whole from a plan, read back as a receipt."""

from __future__ import annotations

import datetime as dt

from kiosk.domain.receipt import Receipt, ReceiptCustomer, ReceiptLine, ReceiptTender
from kiosk.domain.sale import SalePlan
from kiosk.store.models import Customer, ParkedSale, Sale, SaleLine, SaleTender, User


def exists(sale_id: str) -> bool:
    return Sale.select().where(Sale.id == sale_id).exists()


def insert(plan: SalePlan, *, sale_id: str, date: dt.date, customer_id: int | None, product_ids: list[int | None],
           user_id: int | None, till: str, approved_by: int | None, override_by: int | None) -> None:
    t, s = plan.totals, plan.settlement
    Sale.insert(
        id=sale_id, customer=customer_id, date=date, user=user_id, till=till, gross=t.gross,
        line_discounts=t.line_discounts, basket_discount=t.basket_discount, total=t.total,
        points_redeemed=plan.points_redeemed, points_value=plan.points_value, rounding=s.rounding, paid=s.paid,
        cash_given=s.cash_given, change=s.change, points_earned=plan.points_earned, khata=plan.khata,
        store_credit=plan.store_credit, tier_after=plan.tier_after.value if plan.tier_after else None,
        approved_by=approved_by, override_by=override_by, balance_after=plan.balance_after,
        points_after=plan.points_after, khata_points_due=plan.khata_points_due,
    ).execute()
    SaleLine.insert_many([
        dict(sale=sale_id, n=n, product=pid, sku=line.sku, description=line.description, unit=line.unit.value,
             unit_price=line.unit_price, quantity_milli=line.quantity_milli, discount_bp=line.discount.percent_bp,
             discount_amount=line.discount.amount, gross=line.gross, net=share.net,
             points_discount=share.points_discount, points_redeemed=share.points_redeemed,
             points_earned=share.points_earned, khata=share.khata, store_credit=share.store_credit)
        for n, (line, share, pid) in enumerate(zip(plan.lines, plan.shares, product_ids, strict=True), start=1)
    ]).execute()
    ParkedSale.delete().where(ParkedSale.id == sale_id).execute()  # a recalled-and-reparked basket is done
    if s.tenders:  # a bill paid wholly with points has none
        SaleTender.insert_many([dict(sale=sale_id, method=x.method.value, name=x.name, amount=x.amount)
                                for x in s.tenders]).execute()


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
