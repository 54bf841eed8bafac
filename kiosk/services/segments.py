"""Customer segments: how many customers fall in each group the shop acts on, for the Reports screen.

Counted over live customers (archived and merged-away ones left out), as of `today`:

- **has balance**: owes the shop (khata balance above zero); with what they owe all told. The same
  test as the customers list's "has balance" filter.
- **over the limit**: has a credit limit and owes more than it; with the excess all told.
- **in advance**: the shop owes them (a negative balance); with what it owes.
- **holds points**: has loyalty points to spend; with the points.
- **high value**: the customers list's "high value" (the top `HIGH_VALUE_PERCENT` % by total spent,
  ties at the threshold in); with what they spent.
- **active**: something booked to them (a sale, a refund, a khata entry) in the last `RECENT_DAYS`
  days, today included: the list's "recent activity".
- **dormant**: bought at least once, but nothing booked in the last `DORMANT_DAYS` days: the ones to
  call back; with what they spent before going quiet.
- **never bought**: not one purchase on the books (the list's "no purchases").
- **new this month**: created on or after the first day of `today`'s month.
- **tiers**: New, Regular and VIP, as the loyalty programme has placed them.

"Total spent", "purchases" and "last activity" are those of `kiosk.domain.customer_list`. Managers,
owners and viewers (Permission.READ_REPORTS).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain.customer_list import HIGH_VALUE_PERCENT, RECENT_DAYS
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import segments as store
from kiosk.store.customer_report import snapshot

#: "Dormant": bought before, but nothing booked in this many days.
DORMANT_DAYS = 90

MONEY, POINTS = "money", "points"


@dataclass(frozen=True, slots=True)
class Segment:
    key: str  # "has_balance", "dormant", …
    label: str  # "Has balance"
    customers: int
    about: str  # what it means, one line
    total: int | None = None  # what stands behind it: money (minor units) or points, see `unit`
    unit: str | None = None  # MONEY, POINTS or None


@dataclass(frozen=True, slots=True)
class Segments:
    as_of: dt.date
    customers: int  # live customers
    segments: tuple[Segment, ...]

    def __getitem__(self, key: str) -> Segment:
        for segment in self.segments:
            if segment.key == key:
                return segment
        raise KeyError(key)


def segments(ctx: Context, today: dt.date | None = None) -> Segments:
    """Every segment's count (and the money or points behind it) as of `today` (default: today)."""
    require(ctx, Permission.READ_REPORTS)
    today = today or dt.date.today()
    with snapshot(ctx.db):
        s = store.sums(active_since=today - dt.timedelta(days=RECENT_DAYS - 1),
                       dormant_before=today - dt.timedelta(days=DORMANT_DAYS - 1),
                       new_since=dt.datetime.combine(today.replace(day=1), dt.time()))
    rows = (
        Segment("has_balance", "Has balance", s.has_balance, "owe the shop", s.owed, MONEY),
        Segment("over_limit", "Over the limit", s.over_limit, "owe more than their credit limit", s.over_by, MONEY),
        Segment("in_advance", "In advance", s.in_advance, "the shop owes them", s.advances, MONEY),
        Segment("with_points", "Holds points", s.with_points, "have points to spend", s.points, POINTS),
        Segment("high_value", "High value", s.high_value, f"top {HIGH_VALUE_PERCENT}% by total spent",
                s.high_value_spent, MONEY),
        Segment("active", "Active", s.active, f"something booked in the last {RECENT_DAYS} days"),
        Segment("dormant", "Dormant", s.dormant, f"bought before, nothing in {DORMANT_DAYS} days",
                s.dormant_spent, MONEY),
        Segment("never_bought", "Never bought", s.never_bought, "no purchase on the books"),
        Segment("new_this_month", "New this month", s.new_this_month, f"added since {today.replace(day=1).isoformat()}"),
        Segment("tier_new", "Tier New", s.tier_new, "loyalty tier New"),
        Segment("tier_regular", "Tier Regular", s.tier_regular, "loyalty tier Regular"),
        Segment("tier_vip", "Tier VIP", s.tier_vip, "loyalty tier VIP"),
    )
    return Segments(as_of=today, customers=s.customers, segments=rows)
