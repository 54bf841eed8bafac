"""Refund rows: a sale's lines with what earlier refunds took of them, and a refund written whole."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn

from kiosk.domain.refund import Part, RefundPlan, SoldLine
from kiosk.store.models import Refund, RefundLine, Sale, SaleLine

_PART_COLUMNS = ("quantity_milli", "net", "points_discount", "points_redeemed", "points_earned", "khata",
                 "store_credit")


@dataclass(frozen=True, slots=True)
class SaleForRefund:
    id: str
    customer_id: int | None
    date: dt.date
    rounding: int
    khata: int
    khata_points_due: int
    khata_points_earned: int
    lines: tuple[SoldLine, ...]
    line_ids: dict[int, int]  # line n -> sale_line id


def exists(refund_id: str) -> bool:
    return Refund.select().where(Refund.id == refund_id).exists()


def sale_for_refund(sale_id: str) -> SaleForRefund | None:
    sale = Sale.get_or_none(Sale.id == sale_id)
    if sale is None:
        return None
    done = (RefundLine.select(RefundLine.sale_line, *[fn.SUM(getattr(RefundLine, c)).alias(c) for c in _PART_COLUMNS])
            .join(SaleLine).where(SaleLine.sale == sale_id).group_by(RefundLine.sale_line))
    refunded = {row.sale_line_id: Part(*(int(getattr(row, c) or 0) for c in _PART_COLUMNS)) for row in done}
    rows = SaleLine.select().where(SaleLine.sale == sale_id).order_by(SaleLine.n)
    lines = tuple(SoldLine(r.n, r.description, r.unit, Part(*(getattr(r, c) for c in _PART_COLUMNS)),
                           refunded.get(r.id, Part())) for r in rows)
    return SaleForRefund(sale.id, sale.customer_id, sale.date, sale.rounding, sale.khata, sale.khata_points_due,
                         sale.khata_points_earned, lines, {r.n: r.id for r in rows})


def insert(plan: RefundPlan, *, refund_id: str, sale: SaleForRefund, date: dt.date, user_id: int | None, till: str,
           approved_by: int | None) -> None:
    Refund.insert(
        id=refund_id, sale=sale.id, customer=sale.customer_id, date=date, user=user_id, till=till,
        approved_by=approved_by, destination=plan.destination.value, goods=plan.goods,
        points_value=plan.points_value, khata_off=plan.khata_off, store_credit_back=plan.store_credit_back,
        payout=plan.payout, rounding=plan.rounding, points_given_back=plan.points_back,
        points_taken_back=plan.points_taken, shortfall_points=plan.shortfall_points,
        shortfall_value=plan.shortfall_value,
    ).execute()
    RefundLine.insert_many([
        dict(refund=refund_id, sale_line=sale.line_ids[p.n], **{c: getattr(p.part, c) for c in _PART_COLUMNS})
        for p in plan.parts
    ]).execute()
    Sale.update(refunded=Sale.refunded + plan.goods, fully_refunded=plan.completes_sale).where(
        Sale.id == sale.id).execute()


def get(refund_id: str) -> Refund:
    return Refund.get_by_id(refund_id)


def lines_of(refund_id: str) -> list[tuple[int, str, int, int]]:
    """(line n, description, quantity_milli, net) of each line a refund took back."""
    rows = (RefundLine.select(SaleLine.n, SaleLine.description, RefundLine.quantity_milli, RefundLine.net)
            .join(SaleLine, JOIN.INNER).where(RefundLine.refund == refund_id).order_by(SaleLine.n).tuples())
    return list(rows)


def of_sale(sale_id: str) -> list[str]:
    return [r.id for r in Refund.select(Refund.id).where(Refund.sale == sale_id).order_by(Refund.created_at)]
