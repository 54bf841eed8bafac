"""The till's sale list (any day's sales, to find one and reprint it) and the end-of-day summary on screen.

- `page` lists one day's sales (every till), newest first, a page at a time by keyset; what was typed
  matches the start of a sale's id or anywhere in its customer's name or phone. Anyone logged in may
  list and reprint (READ_CUSTOMERS, as `sales.receipt` and `printing.reprint_receipt` ask): finding a
  customer's receipt again is a cashier's job.
- `find` is the sale with exactly that id on any day: the id a receipt's QR code holds.
- `day_summary` / `print_day_summary` are `printing`'s, which need READ_REPORTS (managers, owners,
  viewers). A cashier may show or print them with a manager's PIN given on the spot (`approved_by`):
  the summary is then read, and the slip printed, as that manager, so the print job, the audit row and
  the slip's "By" name the person who allowed it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from kiosk.domain.customers import search_query
from kiosk.domain.errors import ValidationError
from kiosk.domain.print_layout import DaySummary
from kiosk.domain.roles import Permission
from kiosk.services.access import check_person, require
from kiosk.services.context import Context
from kiosk.store import sale_list as store
from kiosk.store.sale_list import SaleCursor, SalePage, SaleRow
from kiosk.store.shop import UserRef

__all__ = ["MAX_PAGE", "PAGE", "SaleCursor", "SalePage", "SaleRow", "day_summary", "find", "page",
           "print_day_summary"]

PAGE = 50
MAX_PAGE = 500


def page(ctx: Context, day: dt.date | None = None, *, text: str = "", after: SaleCursor | None = None,
         limit: int = PAGE) -> SalePage:
    """The sales booked on `day` (default today), newest first, `limit` at a time (`after`: the previous
    page's `next_cursor`), those matching `text` only when it is given."""
    require(ctx, Permission.READ_CUSTOMERS)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError("limit", f"a page holds 1 to {MAX_PAGE} sales, not {limit!r}")
    typed = " ".join((text or "").split())
    return store.page(day or dt.date.today(), id_prefix=typed.casefold(), text=search_query(typed), after=after,
                      limit=limit)


def find(ctx: Context, sale_id: str) -> SaleRow | None:
    """The sale with exactly this id, whatever its day, or None."""
    require(ctx, Permission.READ_CUSTOMERS)
    sale_id = (sale_id or "").strip()
    if not sale_id or len(sale_id) > 64:
        return None
    return store.get(sale_id)


def _approver(ctx: Context, approved_by: UserRef | None) -> Context:
    """The Context to read the summary in: the logged-in user's, or (a cashier at the till with a
    manager's PIN given on the spot) one acting as that manager."""
    if approved_by is None:
        return ctx
    require(ctx, Permission.SELL)
    check_person(approved_by, Permission.READ_REPORTS)
    return dataclasses.replace(ctx, user=approved_by)


def day_summary(ctx: Context, day: dt.date | None = None, *, approved_by: UserRef | None = None) -> DaySummary:
    """The day's takings (`printing.day_summary`): managers, owners and viewers, or with one's PIN."""
    from kiosk.services import printing

    return printing.day_summary(_approver(ctx, approved_by), day)


def print_day_summary(ctx: Context, day: dt.date | None = None, *, approved_by: UserRef | None = None):
    """Print the end-of-day slip (`printing.print_day_summary`, a `SendResult`), as `day_summary` allows."""
    from kiosk.services import printing

    return printing.print_day_summary(_approver(ctx, approved_by), day)
