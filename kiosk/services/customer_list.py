"""The customers list for the till, and the customer profile's favourite products and purchases.

Everyone who may look customers up (`Permission.READ_CUSTOMERS`) may use these. What the filters and
sorts mean is in `kiosk.domain.customer_list`; how a page is read, and what it costs, in
`kiosk.store.customer_list`.

    first = page(ctx, ListQuery(text="ahm", filters=Filters(has_balance=True)))
    more = page(ctx, query, after=first.next_cursor)     # None when there is no more

A page is read by keyset from the cursor (never OFFSET), so paging on while tills sell never shows a
row twice or skips one that stayed where it was; a row whose sort key changed in between (a sale
moved their total) is shown where it now belongs.
"""

from __future__ import annotations

import datetime as dt

from kiosk.domain.customer_list import (
    PAGE,
    Cursor,
    FavouriteProduct,
    ListPage,
    ListQuery,
    PurchasePage,
    check_limit,
)
from kiosk.domain.customers import clean_group, clean_tier
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import customer_list as store
from kiosk.store import khata as khata_store


def _checked(ctx: Context, query: ListQuery) -> ListQuery:
    """The query with its group and tier as the shop spells them; an unknown one is refused by name."""
    import dataclasses

    f = query.filters
    changes = {}
    if f.group is not None:
        changes["group"] = clean_group(f.group, ctx.shop.groups)
    if f.tier is not None:
        changes["tier"] = clean_tier(str(f.tier))
    return dataclasses.replace(query, filters=dataclasses.replace(f, **changes)) if changes else query


def _threshold(query: ListQuery) -> int | None:
    return store.high_value_threshold() if query.filters.high_value else None


def page(ctx: Context, query: ListQuery, after: Cursor | None = None, limit: int = PAGE, *,
         today: dt.date | None = None) -> ListPage:
    """`limit` rows of the list from `after` (a page's `next_cursor`; None: from the top)."""
    require(ctx, Permission.READ_CUSTOMERS)
    check_limit(limit)
    query = _checked(ctx, query)
    if after is not None and (after.sort is not query.sort or after.direction is not query.direction):
        raise KioskError("this cursor belongs to a list in another order: start again from the top")
    rows, key, _plan = store.page(query, today=today or dt.date.today(), after=after, limit=limit,
                                  threshold=_threshold(query))
    cursor = Cursor(query.sort, query.direction, key, rows[-1].id) if len(rows) == limit else None
    return ListPage(tuple(rows), cursor)


def count(ctx: Context, query: ListQuery, *, cap: int | None = None, today: dt.date | None = None) -> int:
    """How many customers the list holds, or `cap` if at least that many. Not per keystroke: without
    text it walks a whole index (5 to 25 ms at 100k customers), with text it reads every match; give
    a `cap` ("1,000+": under a ms) to bound it."""
    require(ctx, Permission.READ_CUSTOMERS)
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 1):
        raise ValidationError("cap", f"must be a whole number of at least 1, not {cap!r}")
    query = _checked(ctx, query)
    return store.count(query, today=today or dt.date.today(), threshold=_threshold(query), cap=cap)


def favourite_products(ctx: Context, customer_id: int, n: int = 5) -> list[FavouriteProduct]:
    """The `n` products the customer kept most of (quantity bought less refunded, in each product's
    unit), ties by how many purchases held them; open items are left out."""
    require(ctx, Permission.READ_CUSTOMERS)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 100:
        raise ValidationError("n", f"must be 1 to 100, not {n!r}")
    khata_store.customer_exists(customer_id)
    return store.favourite_products(customer_id, n)


def purchases(ctx: Context, customer_id: int, after=None, limit: int = PAGE) -> PurchasePage:
    """The customer's purchases (their sales, refunded ones marked), newest first, with tenders and
    lines; `after` is a page's `next_cursor`. Legacy credit sales written straight into the khata have
    no lines: they are in the khata tab, not here."""
    require(ctx, Permission.READ_CUSTOMERS)
    check_limit(limit)
    khata_store.customer_exists(customer_id)
    rows, last = store.purchases(customer_id, after, limit)
    return PurchasePage(tuple(rows), last if len(rows) == limit else None)


def mismatches(ctx: Context) -> list[str]:
    """Where the list's table disagrees with the customers and the books, one line each (for
    `kiosk check`; it reads every sale and khata entry)."""
    require(ctx, Permission.CHECK)
    return [f"customer {cid}: {why}" for cid, why in store.list_mismatches()]
