"""The reports dashboard: today's sales, what customers owe and its ageing, the points liability, and
sales per day for a chart. Managers, owners and viewers (`Permission.READ_REPORTS`).

The figures mean what the reports say they mean, so the dashboard and the reports agree to the minor
unit: "outstanding" and the ageing buckets are the credit report's `total_outstanding` and
`bucket_totals` (FIFO: payments settle the oldest debits first), the points liability is the customer
report's (live customers' points at the redeem rate, rounded down once). They are read with cheaper
statements than the reports' (kiosk/store/dashboard.py): all but the ageing in a few ms at 100k
customers; the ageing in a few hundred ms, so a screen shows it from a worker, or asks without it
first (`ageing=False`).

    d = dashboard(ctx)                       # today, the last 14 days
    d.sales_today, d.outstanding, d.liability_value
    for day, total in d.sales_per_day: ...   # oldest first, every day (0 when nothing was sold)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.domain.loyalty import redemption_value
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context

#: Days in the chart unless asked otherwise, and the most a chart may ask for.
DAYS = 14
MAX_DAYS = 366


class DaySales(NamedTuple):
    """One day of the chart: (day, Σ sale totals in minor units); unpacks as a pair."""

    day: dt.date
    total: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: dt.date
    currency: str
    sales_today: int  # Σ totals (after discounts, before points and rounding) of sales dated today
    sales_today_count: int
    refunded_today: int  # Σ of goods taken back by refunds dated today
    outstanding: int  # what customers owe: Σ positive balances (the credit report's total_outstanding)
    owing_customers: int
    advances: int  # what the shop owes customers (Σ negative balances, as a positive amount)
    liability_points: int  # points held by customers neither archived nor merged
    liability_value: int  # their worth at the redeem rate, rounded down once
    sales_per_day: tuple[DaySales, ...]  # the last `days` days, oldest first, today last
    sales_count_per_day: tuple[tuple[dt.date, int], ...]  # how many sales each of those days
    ageing: dict[str, int] | None  # bucket ("0-30", "31-60", "61-90", "90+") -> amount; None: not asked

    @property
    def average_sale_today(self) -> int | None:
        return self.sales_today // self.sales_today_count if self.sales_today_count else None


def dashboard(ctx: Context, *, today: dt.date | None = None, days: int = DAYS, ageing: bool = True) -> Dashboard:
    """The dashboard as of `today` (default: the calendar's), its chart the `days` days up to it. All
    statements read one snapshot of the books, so a sale rung up meanwhile is in every figure or none."""
    require(ctx, Permission.READ_REPORTS)
    from kiosk.domain.errors import ValidationError
    from kiosk.services.loyalty import rates_of
    from kiosk.services.settings import loyalty_settings
    from kiosk.store import dashboard as store
    from kiosk.store.customer_report import snapshot

    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", f"a chart covers 1 to {MAX_DAYS} days, not {days!r}")
    today = today or dt.date.today()
    rates = rates_of(loyalty_settings(ctx))
    first = today - dt.timedelta(days=days - 1)
    with snapshot(ctx.db):
        count, total, refunded = store.sales_on(today)
        owing, owed, _ahead, advances = store.balances()
        points = store.points_held(today)
        per_day = store.sales_per_day(first, today)
        buckets = _ageing(today) if ageing else None
    chart = [first + dt.timedelta(days=n) for n in range(days)]
    return Dashboard(
        today=today, currency=ctx.shop.currency, sales_today=total, sales_today_count=count,
        refunded_today=refunded, outstanding=owed, owing_customers=owing, advances=advances,
        liability_points=points, liability_value=redemption_value(max(points, 0), rates),
        sales_per_day=tuple(DaySales(d, per_day.get(d, (0, 0))[1]) for d in chart),
        sales_count_per_day=tuple((d, per_day.get(d, (0, 0))[0]) for d in chart),
        ageing=buckets,
    )


def ageing(ctx: Context, as_of: dt.date | None = None) -> dict[str, int]:
    """What customers owe on `as_of` by age (the credit report's bucket totals), on its own."""
    require(ctx, Permission.READ_REPORTS)
    return _ageing(as_of or dt.date.today())


def _ageing(as_of: dt.date) -> dict[str, int]:
    from kiosk.store import dashboard as store
    from kiosk.store import khata as khata_store

    if store.entries_after(as_of):  # a balance then is not the cached one: the credit report's way
        rows = khata_store.credit_report(as_of)
        return {b: sum(r.ageing[b] for r in rows) for b in AGEING_BUCKETS}
    return dict(zip(AGEING_BUCKETS, store.ageing(as_of), strict=True))
