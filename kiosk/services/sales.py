"""Selling: one transaction books the sale, its lines and tenders, the khata entries, the points
redeemed and earned, and the customer's new tier. The sale id is made when the basket opens and is
the idempotency key: the same sale submitted twice books once and returns the same receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from peewee import IntegrityError

from kiosk.domain.basket import Discount, Line, discounts_needing_approval, open_item, parse_quantity
from kiosk.domain.customers import Tier
from kiosk.domain.errors import CreditLimitExceeded, KioskError, ValidationError
from kiosk.domain.khata import DebitSource, EntryKind
from kiosk.domain.money import formatter
from kiosk.domain.products import Unit
from kiosk.domain.receipt import Receipt
from kiosk.domain.sale import Standing, plan_sale
from kiosk.domain.tenders import TenderRequest
from kiosk.domain.roles import Permission
from kiosk.services.access import check_person, require
from kiosk.services.context import Context
from kiosk.store import customers as customer_store
from kiosk.store import khata as khata_store
from kiosk.store import sales as store
from kiosk.store.db import write_transaction
from kiosk.store.shop import UserRef, audit



@dataclass(frozen=True, slots=True)
class ItemRequest:
    """A product by barcode or SKU, and how many (text as typed: "2", "0.250")."""

    code: str
    quantity: str = "1"
    discount: Discount = Discount()


@dataclass(frozen=True, slots=True)
class OpenItemRequest:
    description: str
    price: int  # minor units
    quantity: str = "1"


def build_lines(ctx: Context, items: Sequence[ItemRequest], open_items: Sequence[OpenItemRequest],
                group: str | None) -> tuple[list[Line], list[int | None]]:
    """Basket lines at the customer's group price, and the product id behind each (None: open item).
    The products and their prices come in one query for the basket; each line is then checked in
    order (found, still sold, a quantity its unit takes), so the refusal names the first bad line."""
    from kiosk.services import products

    lines, ids = [], []
    found = products.lookup_priced(ctx, [item.code for item in items], group) if items else []
    for item, product in zip(items, found, strict=True):
        if product is None:
            raise products.not_found(item.code)
        if not product.active:
            raise ValidationError("item", f"{product.sku} ({product.name}) is not sold any more")
        qty = parse_quantity(item.quantity, product.unit, field_name=f"quantity of {product.sku}")
        lines.append(Line(product.name, product.price, qty, unit=product.unit, sku=product.sku,
                          discount=item.discount))
        ids.append(product.id)
    for extra in open_items:
        qty = parse_quantity(extra.quantity, Unit.EACH, field_name="open item quantity")
        lines.append(open_item(extra.description, extra.price, qty))
        ids.append(None)
    return lines, ids


def _money(currency: str, locale: str) -> Callable[[int], str]:
    """`ShopSettings.money`: the shop's one MoneyFormat (kiosk.domain.money.formatter)."""
    return formatter(currency, locale)


def _check_manager(person: UserRef | None, what: str) -> int | None:
    """The id of the manager approving `what` on the spot (a big discount, credit above the limit)."""
    return check_person(person, Permission.APPROVE).id if person is not None else None


def sell(
    ctx: Context,
    *,
    sale_id: str,
    items: Sequence[ItemRequest] = (),
    open_items: Sequence[OpenItemRequest] = (),
    tenders: Sequence[TenderRequest],
    customer_id: int | None = None,
    basket_discount: Discount = Discount(),
    redeem: int = 0,
    approved_by: UserRef | None = None,
    override_by: UserRef | None = None,
    date: dt.date | None = None,
) -> Receipt:
    """Book a sale whole or not at all; refuse with one line that says why.

    One transaction: on SQLite BEGIN IMMEDIATE, on PostgreSQL the customer's row locked (FOR UPDATE)
    before anything the plan uses is read. The settings are read once and passed down; the statements
    are plain SQL (kiosk.store.sales); nothing written is read back: the receipt is made from the plan
    (`sales.receipt` reprints the same from the books).
    """
    require(ctx, Permission.SELL)
    from kiosk.domain import notify as messages
    from kiosk.services import loyalty, notify, printing, settings

    sale_id = (sale_id or "").strip()
    if not sale_id or len(sale_id) > 64:
        raise ValidationError("id", "a sale needs an id of 1 to 64 characters (made when the basket opens)")
    approver = _check_manager(approved_by, "a big discount")
    overrider = _check_manager(override_by, "credit above the limit")
    date = date or dt.date.today()
    user_id = ctx.user.id if ctx.user else None
    try:
        with write_transaction(ctx.db):
            if store.exists(sale_id):  # a double Enter or a retried submit: book once
                return store.receipt(sale_id, ctx.shop.name, ctx.shop.currency)
            standing, buyer = None, None
            if customer_id is not None:
                buyer = store.lock_buyer(customer_id)  # first: everything after it is read under the lock
                if buyer.archived:
                    raise KioskError(f"customer {customer_id} is archived: unarchive them before selling to them")
            rules = settings.checkout_settings(ctx)
            if buyer is not None:
                purchases = spend = 0  # a pinned tier stays whatever was bought: no need to count
                if not buyer.tier_pinned:
                    purchases, spend, _first, _last = customer_store.purchase_stats(customer_id)
                standing = Standing(buyer.id, buyer.balance, buyer.credit_limit, buyer.points, Tier(buyer.tier),
                                    buyer.tier_pinned, buyer.group, purchases, spend)
            lines, product_ids = build_lines(ctx, items, open_items, buyer.group if buyer else None)
            terms = loyalty.terms_for(ctx, standing, date, settings=rules.loyalty)
            sale_rules = rules.sale
            plan = plan_sale(lines, tenders, standing=standing, loyalty=terms, basket_discount=basket_discount,
                             redeem=redeem, cash_step=sale_rules.cash_rounding, money=ctx.shop.money)
            big = discounts_needing_approval(lines, basket_discount, sale_rules.discount_approval_percent * 100)
            if big and approver is None:
                raise KioskError(f"discount above {sale_rules.discount_approval_percent}% needs a manager: {'; '.join(big)}")
            if plan.over_limit_by and overrider is None:
                raise CreditLimitExceeded(
                    f"credit limit {ctx.shop.money(standing.credit_limit)} would be exceeded: balance "
                    f"{ctx.shop.money(standing.balance)} + {ctx.shop.money(plan.khata)} on khata "
                    f"(a manager can override)")
            at = store.insert(plan, sale_id=sale_id, date=date, customer_id=customer_id, product_ids=product_ids,
                              user_id=user_id, till=ctx.till, approved_by=approver, override_by=overrider)
            for amount, source in ((plan.khata, DebitSource.SALE), (plan.store_credit, DebitSource.STORE_CREDIT)):
                if amount:
                    khata_store.append_unread(signed=amount, customer=customer_id, kind=EntryKind.DEBIT.value,
                                              amount=amount, date=date, note=f"sale {sale_id}", source=source.value,
                                              sale_id=sale_id, override_by=overrider, user=user_id, till=ctx.till,
                                              created_at=at)
            if plan.points_redeemed:
                loyalty.redeem_in_txn(ctx, customer_id, plan.points_redeemed, date=date, sale_id=sale_id)
            if plan.points_earned:
                loyalty.earn_in_txn(ctx, customer_id, plan.points_earned, date=date, sale_id=sale_id,
                                    settings=rules.loyalty)
            points_after = plan.points_after
            if plan.khata_points_due and standing.balance < 0:  # an advance already pays part of the khata
                if moved := loyalty.settle_paid_points_in_txn(ctx, customer_id, date=date):
                    store.add_points_after(sale_id, moved)
                    points_after += moved
            if standing is not None and plan.tier_after is not standing.tier:
                store.set_tier(customer_id, plan.tier_after.value)
                audit("customer.tier", f"customer:{customer_id}", user=ctx.user, till=ctx.till,
                      old=standing.tier.value, new=plan.tier_after.value, sale=sale_id)
            if plan.khata and buyer.phone and rules.notify.wants("credit-sale"):  # the message is made only if sent
                message = messages.credit_sale(ctx.shop.name, plan.khata, plan.balance_after, sale_id,
                                               _money(ctx.shop.currency, ctx.shop.locale))
                notify.queue_in_txn(ctx, rules.notify, "credit-sale", customer_id=customer_id, phone=buyer.phone,
                                    message=message, sale_id=sale_id, idempotency_key=f"sale:{sale_id}", at=at)
            audit("sale", f"sale:{sale_id}", user=ctx.user, till=ctx.till, total=plan.totals.total,
                  paid=plan.settlement.paid, khata=plan.khata, customer=customer_id,
                  approved_by=approver, override_by=overrider)
            receipt = store.receipt_of(plan, sale_id=sale_id, at=at, shop_name=ctx.shop.name,
                                       currency=ctx.shop.currency, till=ctx.till,
                                       cashier=ctx.user.name if ctx.user else None, buyer=buyer,
                                       points_after=points_after)
            printing.enqueue_sale_in_txn(ctx, receipt)  # sent after commit; a dead printer never undoes a sale
            return receipt
    except IntegrityError:
        # The same sale sent by two tills at once: PostgreSQL lets both past `exists` (no row to lock
        # yet); the other's insert won and committed, ours rolled back whole. Answer with what it booked.
        if store.exists(sale_id):
            return store.receipt(sale_id, ctx.shop.name, ctx.shop.currency)
        raise


def receipt(ctx: Context, sale_id: str) -> Receipt:
    require(ctx, Permission.READ_CUSTOMERS)
    if not store.exists(sale_id):
        raise KioskError(f"sale {sale_id} does not exist")
    return store.receipt(sale_id, ctx.shop.name, ctx.shop.currency)

