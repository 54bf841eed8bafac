"""Refunds: take back all or part of a past sale in one transaction.

`preview` plans the refund with today's figures and writes nothing: what the cashier is shown before
confirming (the payout, and any points shortfall deducted from it). `refund` books it: the refund and
its lines, the khata credit taking off what the sale put on it, store credit given, points given back
(keeping the expiry of the lots they were spent from) and taken back, the customer's tier again, and
the audit row. The refund id, made when the refund screen opens, is the idempotency key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.khata import CreditSource, Entry, EntryKind
from kiosk.domain.refund import Destination, RefundAsk, RefundPlan, plan_refund
from kiosk.domain.roles import Permission
from kiosk.services.access import check_person, require
from kiosk.services.context import Context
from kiosk.store import khata as khata_store
from kiosk.store import refunds as store
from kiosk.store.db import write_transaction
from kiosk.store.shop import UserRef, audit



@dataclass(frozen=True, slots=True)
class RefundLineResult:
    n: int
    description: str
    quantity_milli: int
    net: int


@dataclass(frozen=True, slots=True)
class RefundResult:
    """A booked refund, for the screen, the JSON and the refund slip."""

    refund_id: str
    sale_id: str
    date: dt.date
    destination: str
    lines: tuple[RefundLineResult, ...]
    goods: int
    points_value: int
    khata_off: int
    store_credit_back: int
    payout: int
    rounding: int
    points_given_back: int
    points_taken_back: int
    shortfall_points: int
    shortfall_value: int
    customer_id: int | None
    balance_after: int | None
    points_after: int | None


def _approver(ctx: Context, approved_by: UserRef | None) -> int | None:
    """A manager refunds; a cashier refunds with a manager's PIN given on the spot (both are recorded)."""
    if approved_by is None:
        require(ctx, Permission.REFUND)
        return None
    require(ctx, Permission.SELL)
    return check_person(approved_by, Permission.REFUND).id


def _plan(ctx: Context, sale_id: str, asks: Sequence[RefundAsk], destination: Destination,
          date: dt.date) -> tuple[store.SaleForRefund, RefundPlan, int]:
    """Read the sale and the customer's points (the caller holds the lock when it will write) and plan.
    Also returns what the refunded sale's earn-when-paid points come to after it."""
    from kiosk.services import loyalty, settings

    sale = store.sale_for_refund(sale_id)
    if sale is None:
        raise NotFound(f"sale {sale_id} does not exist")
    if date < sale.date:
        raise ValidationError("date", f"a refund cannot be dated {date}, before its sale ({sale.date})")
    rules = settings.loyalty_settings(ctx)
    points_now, paid_take, paid_after = 0, 0, 0
    if sale.customer_id is not None:
        points_now = _points(sale.customer_id)
    first = plan_refund(sale_id, sale.lines, asks, destination, has_customer=sale.customer_id is not None,
                        points_now=points_now, rates=loyalty.rates_of(rules), sale_rounding=sale.rounding,
                        cash_step=settings.sale_settings(ctx).cash_rounding)
    if sale.khata_points_due and first.goods:
        # What payments earned on this sale, as it would stand with its khata part taken off.
        khata_off = sum(p.part.khata for p in first.parts)
        pending = Entry(id=2**62, customer_id=sale.customer_id, kind=EntryKind.CREDIT, amount=khata_off, date=date,
                        source=CreditSource.REFUND.value, sale_id=sale_id) if khata_off else None
        targets = loyalty.paid_points_targets(sale.customer_id, [pending] if pending else [])
        paid_after, earned = targets.get(sale_id, (0, 0))
        paid_take = max(0, earned - paid_after)
    if not paid_take:
        return sale, first, paid_after
    plan = plan_refund(sale_id, sale.lines, asks, destination, has_customer=True, points_now=points_now,
                       rates=loyalty.rates_of(rules), sale_rounding=sale.rounding, paid_points_take=paid_take,
                       cash_step=settings.sale_settings(ctx).cash_rounding)
    return sale, plan, paid_after


def _points(customer_id: int) -> int:
    from kiosk.store import points as points_store

    return points_store.cached_points(customer_id)


def preview(ctx: Context, sale_id: str, asks: Sequence[RefundAsk] = (), *, to: Destination | str = Destination.CASH,
            date: dt.date | None = None) -> RefundPlan:
    """What the refund would do, with nothing written: shown to the cashier before confirming."""
    from kiosk.domain.refund import parse_destination

    require(ctx, Permission.SELL)  # a cashier may show it before asking for the manager's PIN
    return _plan(ctx, sale_id, asks, parse_destination(to), date or dt.date.today())[1]


def refund(
    ctx: Context,
    *,
    refund_id: str,
    sale_id: str,
    asks: Sequence[RefundAsk] = (),
    to: Destination | str = Destination.CASH,
    approved_by: UserRef | None = None,
    date: dt.date | None = None,
) -> RefundResult:
    """Book the refund whole or not at all; refuse with one line that says why."""
    from kiosk.domain.refund import parse_destination
    from kiosk.services import loyalty

    refund_id = (refund_id or "").strip()
    if not refund_id or len(refund_id) > 64:
        raise ValidationError("id", "a refund needs an id of 1 to 64 characters")
    destination = parse_destination(to)
    approver = _approver(ctx, approved_by)
    date = date or dt.date.today()
    with write_transaction(ctx.db):
        if store.exists(refund_id):  # the same refund submitted twice: book once
            return result(ctx, refund_id)
        head = store.sale_for_refund(sale_id)
        if head is not None and head.customer_id is not None:
            khata_store.lock_customer(head.customer_id)  # before reading points: two tills, one refund
        sale, plan, paid_after = _plan(ctx, sale_id, asks, destination, date)
        customer = sale.customer_id
        user = ctx.user.id if ctx.user else None
        store.insert(plan, refund_id=refund_id, sale=sale, date=date, user_id=user, till=ctx.till,
                     approved_by=approver)
        note = f"refund {refund_id} of sale {sale_id}"
        if plan.khata_off:
            khata_store.append(signed=-plan.khata_off, customer=customer, kind=EntryKind.CREDIT.value,
                               amount=plan.khata_off, date=date, note=note, source=CreditSource.REFUND.value,
                               sale_id=sale_id, user=user, till=ctx.till, idempotency_key=f"refund:{refund_id}:khata")
        if plan.store_credit_out:
            khata_store.append(signed=-plan.store_credit_out, customer=customer, kind=EntryKind.CREDIT.value,
                               amount=plan.store_credit_out, date=date, note=note,
                               source=CreditSource.STORE_CREDIT.value, sale_id=sale_id, user=user, till=ctx.till,
                               idempotency_key=f"refund:{refund_id}:store-credit")
        if plan.points_back:
            _give_back(ctx, customer, sale_id, plan.points_back, date)
        if plan.points_taken:
            taken = loyalty.take_back_in_txn(ctx, customer, plan.points_taken, date=date, sale_id=sale_id)
            if taken != plan.points_taken:  # the lock makes this impossible; say so loudly if it ever is not
                raise KioskError(f"refund: {plan.points_taken} points to take back, only {taken} could be")
        if sale.khata_points_due:
            from kiosk.store import sales as sales_store

            sales_store.set_paid_points(sale_id, paid_after)
            loyalty.settle_paid_points_in_txn(ctx, customer, date=date)  # other sales now paid more
        if customer is not None:
            _retier(ctx, customer, sale_id)
        audit("refund", f"refund:{refund_id}", user=ctx.user, till=ctx.till, sale=sale_id, goods=plan.goods,
              to=destination.value, payout=plan.payout, khata_off=plan.khata_off,
              store_credit=plan.store_credit_out, points_back=plan.points_back, points_taken=plan.points_taken,
              shortfall_points=plan.shortfall_points, shortfall_value=plan.shortfall_value, approved_by=approver)
        done = result(ctx, refund_id)
        from kiosk.services import printing

        printing.enqueue_refund_in_txn(ctx, done)  # the refund slip, sent after commit
        return done


def _give_back(ctx: Context, customer_id: int, sale_id: str, points: int, date: dt.date) -> None:
    """Points come back with the expiry of the lots they were spent from, nearest expiry first, after
    what earlier refunds of this sale already gave back."""
    from kiosk.services import loyalty
    from kiosk.store import points as points_store

    already = points_store.given_back(customer_id, sale_id)
    for lot in loyalty.redeemed_lots(ctx, customer_id, sale_id):
        skip = min(already, lot.left)
        already -= skip
        give = min(points, lot.left - skip)
        if give:
            loyalty.give_back_in_txn(ctx, customer_id, give, date=date, sale_id=sale_id, expires_on=lot.expires_on)
            points -= give
    if points:  # lots no longer traceable (a merge re-pointed them): a lot that never expires
        loyalty.give_back_in_txn(ctx, customer_id, points, date=date, sale_id=sale_id, expires_on=None)


def _retier(ctx: Context, customer_id: int, sale_id: str) -> None:
    """Tiers count what the customer kept: re-evaluate after the refund unless the tier is pinned."""
    from kiosk.domain.loyalty import tier_for
    from kiosk.services import loyalty, settings
    from kiosk.store import customers as customer_store
    from kiosk.store import points as points_store

    tier, pinned = points_store.tier_of(customer_id)
    if pinned:
        return
    purchases, spend, _first, _last = customer_store.purchase_stats(customer_id)
    new = tier_for(purchases, spend, loyalty.tier_rules_of(settings.loyalty_settings(ctx)))
    if new is not tier:
        points_store.set_tier(customer_id, new, pinned=False)
        audit("customer.tier", f"customer:{customer_id}", user=ctx.user, till=ctx.till, old=tier.value,
              new=new.value, refund_of=sale_id)


def result(ctx: Context, refund_id: str) -> RefundResult:
    require(ctx, Permission.READ_CUSTOMERS)
    if not store.exists(refund_id):
        raise NotFound(f"refund {refund_id} does not exist")
    row = store.get(refund_id)
    balance = points = None
    if row.customer_id is not None:
        from kiosk.store import customers as customer_store

        c = customer_store.get(row.customer_id)
        balance, points = c.balance, c.points
    lines = tuple(RefundLineResult(*r) for r in store.lines_of(refund_id))
    return RefundResult(
        refund_id=row.id, sale_id=row.sale_id, date=row.date, destination=row.destination, lines=lines,
        goods=row.goods, points_value=row.points_value, khata_off=row.khata_off,
        store_credit_back=row.store_credit_back, payout=row.payout, rounding=row.rounding,
        points_given_back=row.points_given_back, points_taken_back=row.points_taken_back,
        shortfall_points=row.shortfall_points, shortfall_value=row.shortfall_value, customer_id=row.customer_id,
        balance_after=balance, points_after=points,
    )
