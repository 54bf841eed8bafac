"""Parking a sale: put a basket aside under its sale id, list what is parked, recall it to sell.

The parked id is the sale id made when the basket opened, so a recalled basket sold with
`sales.sell(ctx, sale_id=id, tenders=..., **sell_arguments(basket))` keeps its idempotency key: the
same basket can never be booked twice, even if it was parked, recalled and submitted on two tills.
"""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.domain.basket import Discount
from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.parked import ParkedBasket, ParkedItem, ParkedOpenItem, ParkedRecord
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.services.sales import ItemRequest, OpenItemRequest, build_lines
from kiosk.store import customers as customer_store
from kiosk.store import parking as store
from kiosk.store import sales as sales_store
from kiosk.store.db import write_transaction
from kiosk.store.shop import audit


def basket(*, items: Sequence[ItemRequest] = (), open_items: Sequence[OpenItemRequest] = (),
           customer_id: int | None = None, basket_discount: Discount = Discount(), redeem: int = 0) -> ParkedBasket:
    """The basket `sales.sell` would be given, as a ParkedBasket (the reverse of `sell_arguments`)."""
    return ParkedBasket(items=tuple(_item(i) for i in items),
                        open_items=tuple(ParkedOpenItem(o.description, o.price, o.quantity) for o in open_items),
                        customer_id=customer_id, basket_discount=basket_discount, redeem=redeem)


def _item(request: ItemRequest) -> ParkedItem:
    try:
        return ParkedItem(request.code, request.quantity, request.discount)
    except ValidationError as exc:  # say which line, as sell() does
        raise ValidationError(f"{exc.field} of {request.code}", exc.reason) from None


def sell_arguments(parked: ParkedBasket) -> dict:
    """The keyword arguments of `sales.sell` for this basket (add sale_id and tenders)."""
    return {
        "items": [ItemRequest(i.code, i.quantity, i.discount) for i in parked.items],
        "open_items": [OpenItemRequest(o.description, o.price, o.quantity) for o in parked.open_items],
        "customer_id": parked.customer_id,
        "basket_discount": parked.basket_discount,
        "redeem": parked.redeem,
    }


def _clean_id(sale_id: str) -> str:
    sale_id = (sale_id or "").strip()
    if not sale_id or len(sale_id) > 64:
        raise ValidationError("id", "a sale needs an id of 1 to 64 characters (made when the basket opens)")
    return sale_id


def park(ctx: Context, sale_id: str, parked: ParkedBasket, note: str = "") -> ParkedRecord:
    """Put a basket aside. Parking the same id again replaces the basket: it is the same basket."""
    require(ctx, Permission.PARK)
    sale_id = _clean_id(sale_id)
    group = None
    if parked.customer_id is not None:
        customer = customer_store.get(parked.customer_id)
        if customer.archived:
            raise KioskError(f"customer {customer.id} is archived: unarchive them before selling to them")
        group = customer.group
    # Price the lines now, as the sale will: an unknown code or a half piece is refused while the
    # customer is still at the counter, not when the basket comes back.
    arguments = sell_arguments(parked)
    build_lines(ctx, arguments["items"], arguments["open_items"], group)
    with write_transaction(ctx.db):
        if sales_store.exists(sale_id):
            raise KioskError(f"sale {sale_id} is already completed: there is nothing to park")
        replaced = store.exists(sale_id)
        store.save(sale_id, parked, customer_id=parked.customer_id, user_id=ctx.user.id if ctx.user else None,
                   till=ctx.till, note=(note or "").strip())
        audit("sale.park", f"sale:{sale_id}", user=ctx.user, till=ctx.till, replaced=replaced,
              customer=parked.customer_id, basket=parked.to_json())
        (record,) = store.records(sale_id=sale_id)
    return record


def recall(ctx: Context, sale_id: str) -> ParkedBasket:
    """Take a parked basket back to sell it: the parked row goes in the same transaction.

    A basket already sold on another till meanwhile is refused, and its stale parked row removed."""
    require(ctx, Permission.PARK)
    sale_id = _clean_id(sale_id)
    with write_transaction(ctx.db):
        text = store.payload(sale_id)
        if text is None:
            raise NotFound(f"no parked sale has id {sale_id!r} (`kiosk parked` lists them)")
        sold = sales_store.exists(sale_id)
        parked = None
        if not sold:
            try:
                parked = ParkedBasket.from_json(text)
            except ValidationError as exc:  # kept, so it can be looked at; `unpark` removes it
                raise KioskError(f"parked sale {sale_id} cannot be read ({exc}): `kiosk unpark {sale_id}` "
                                 f"removes it") from None
        if not store.delete(sale_id):  # another till recalled it between our read and our delete
            raise NotFound(f"no parked sale has id {sale_id!r} (another till has just recalled it)")
        audit("sale.recall", f"sale:{sale_id}", user=ctx.user, till=ctx.till, stale=sold, basket=text)
    # Raised after the commit, so the stale row stays removed.
    if sold:
        done = sales_store.receipt(sale_id, ctx.shop.name, ctx.shop.currency)
        raise KioskError(f"sale {sale_id} was already completed on till {done.till or '?'} at "
                         f"{done.at:%Y-%m-%d %H:%M}: its parked basket has been removed")
    return parked


def list_parked(ctx: Context, till: str | None = None) -> list[ParkedRecord]:
    """Every parked basket (or one till's), newest first."""
    require(ctx, Permission.PARK)
    return store.records(till=till)


def drop(ctx: Context, sale_id: str) -> None:
    """Throw a parked basket away (the customer left). The audit row keeps what it held."""
    require(ctx, Permission.PARK)
    sale_id = _clean_id(sale_id)
    with write_transaction(ctx.db):
        text = store.payload(sale_id)
        if text is None or not store.delete(sale_id):
            raise NotFound(f"no parked sale has id {sale_id!r} (`kiosk parked` lists them)")
        audit("sale.unpark", f"sale:{sale_id}", user=ctx.user, till=ctx.till, basket=text)
