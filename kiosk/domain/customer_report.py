"""The customer report's rules: what each figure means, the period's buckets, and the maths on the sums
that `kiosk.store.customer_report` reads in SQL.

What the period filters, and what counts:

- **The period** is `start`..`end`, both inclusive; `start` None means from the beginning of the books,
  and the command's default `end` is today. Sales and legacy credit sales count by the day they are
  dated, customers by the day they were created, points entries by the day they are dated.
- **A purchase** is a sale to a customer that is not fully refunded, or a legacy credit sale: a khata
  debit of source "sale" with no sale row (imported, or written before checkout existed) that was never
  reversed, as `kiosk.store.customers.purchase_stats` counts them. Walk-in sales (no customer) are not
  in this report.
- **Lifetime value** (per customer, within the period) is what they kept: Σ (total - refunded) of their
  sales that are not fully refunded, plus the amounts of their legacy credit sales. A refund is taken
  off the sale it refunds (the sale's `refunded` as it stands now), whenever it was made.
- **A buyer** is a customer with at least one purchase in the period; a **repeater** has two or more.
  The average purchase frequency is purchases per buyer; the repeat rate is repeaters per buyer; the
  average lifetime value is Σ value / buyers, rounded down to the minor unit. (The mean days between
  a repeater's purchases is not in the report: it needs each buyer's first and last purchase day, and
  reading those more than doubled the report's time at 1M sales; see bench/run.py.)
- **Top customers** are the ten with the highest value in the period (ties by customer id), with
  their phone masked: the report is printed, mailed and left on the counter.
- **New customers** are customers created in the period, merged-away duplicates left out (they are
  somebody already counted) and archived ones kept (they were new then), counted per calendar month,
  or per ISO week (Monday to Sunday) when the period is `WEEKLY_UP_TO_DAYS` days or shorter. The first
  and last bucket are cut to the period; buckets with nobody new are listed with 0.
- **Points** earned (by sales and manual adjustments up), redeemed, expired, taken back (by refunds
  and manual adjustments down) and given back (by refunds) are the entries of each kind dated in the
  period; net issued = earned - taken back, net redeemed = redeemed - given back.
- **The points liability** is what customers who can still spend points hold at the end of the period:
  Σ points of customers neither archived nor merged (as they are now), valued at the shop's redeem
  rate now, rounded down once on the total. It is their cached points (which `kiosk check` proves
  equal to their ledgers) less what their entries dated after the period moved: none for a period
  ending today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from kiosk.domain.errors import ValidationError
from kiosk.domain.loyalty import Rates, redemption_value
from kiosk.domain.phone import mask_phone

#: A period this many days long or shorter counts new customers per week instead of per month.
WEEKLY_UP_TO_DAYS = 92
#: How many customers the top list holds.
TOP = 10

MONTH = "month"
WEEK = "week"


@dataclass(frozen=True, slots=True)
class Bucket:
    """New customers created from `start` to `end` (inclusive): a month or an ISO week, cut to the period."""

    label: str  # "2026-10" or "2026-W44"
    start: dt.date
    end: dt.date
    customers: int


@dataclass(frozen=True, slots=True)
class PurchaseTotals:
    """Sums over the buyers of the period, as the store reads them in one pass."""

    buyers: int = 0
    repeaters: int = 0
    purchases: int = 0
    value: int = 0  # minor units


@dataclass(frozen=True, slots=True)
class TopCustomer:
    customer_id: int
    name: str
    phone: str | None  # masked once in the report
    purchases: int
    value: int  # minor units
    archived: bool = False


@dataclass(frozen=True, slots=True)
class PointsFlow:
    """Points moved by the entries dated in the period, by kind (each ≥ 0)."""

    earned: int = 0
    redeemed: int = 0
    expired: int = 0
    taken_back: int = 0
    given_back: int = 0

    @property
    def net_issued(self) -> int:
        return self.earned - self.taken_back

    @property
    def net_redeemed(self) -> int:
        return self.redeemed - self.given_back


@dataclass(frozen=True, slots=True)
class CustomerReport:
    start: dt.date | None  # None: from the first day of the books
    end: dt.date
    currency: str
    bucket: str  # MONTH or WEEK
    new_customers: tuple[Bucket, ...]
    totals: PurchaseTotals
    top: tuple[TopCustomer, ...]
    points: PointsFlow
    liability_points: int
    liability_value: int  # minor units, at the redeem rate

    @property
    def new_customers_total(self) -> int:
        return sum(b.customers for b in self.new_customers)

    @property
    def average_frequency(self) -> Fraction | None:
        """Purchases per buyer; None without buyers."""
        t = self.totals
        return Fraction(t.purchases, t.buyers) if t.buyers else None

    @property
    def repeat_rate(self) -> Fraction | None:
        """Share of buyers with two or more purchases (0..1); None without buyers."""
        t = self.totals
        return Fraction(t.repeaters, t.buyers) if t.buyers else None

    @property
    def average_value(self) -> int | None:
        """Average lifetime value per buyer in minor units, rounded down; None without buyers."""
        t = self.totals
        return t.value // t.buyers if t.buyers else None


def check_period(start: dt.date | None, end: dt.date) -> None:
    """A period that ends before it starts is refused, naming --from."""
    if start is not None and start > end:
        raise ValidationError("from", f"{start.isoformat()} is after --to {end.isoformat()}")


def bucket_kind(start: dt.date | None, end: dt.date) -> str:
    """Weeks for a short period, months otherwise (and for all time)."""
    if start is not None and (end - start).days + 1 <= WEEKLY_UP_TO_DAYS:
        return WEEK
    return MONTH


def _bucket_of(day: dt.date, kind: str) -> tuple[dt.date, dt.date, str]:
    """The first day, the day after and the label of the month or ISO week holding `day`."""
    if kind == WEEK:
        first = day - dt.timedelta(days=day.weekday())
        year, week, _ = first.isocalendar()
        return first, first + dt.timedelta(days=7), f"{year}-W{week:02d}"
    first = day.replace(day=1)
    return first, dt.date(day.year + day.month // 12, day.month % 12 + 1, 1), f"{first.year}-{first.month:02d}"


def buckets(start: dt.date | None, end: dt.date, per_day: dict[dt.date, int], kind: str) -> tuple[Bucket, ...]:
    """Count `per_day` (customers created each day) into months or ISO weeks from `start` to `end`,
    every bucket listed even when 0, the first and last cut to the period. Without `start` the buckets
    begin at the first day in `per_day` (nothing at all: no buckets)."""
    if start is None:
        if not per_day:
            return ()
        start = min(per_day)
    spans: list[tuple[str, dt.date, dt.date]] = []
    cursor = start
    while cursor <= end:
        first, after, label = _bucket_of(cursor, kind)
        spans.append((label, cursor, min(after - dt.timedelta(days=1), end)))
        cursor = after
    counts = dict.fromkeys((label for label, _s, _e in spans), 0)
    for day, n in per_day.items():
        if start <= day <= end:
            counts[_bucket_of(day, kind)[2]] += n
    return tuple(Bucket(label, first, last, counts[label]) for label, first, last in spans)


def make_report(*, start: dt.date | None, end: dt.date, currency: str, new_per_day: dict[dt.date, int],
                totals: PurchaseTotals, top: list[TopCustomer], points: PointsFlow, liability_points: int,
                rates: Rates) -> CustomerReport:
    """The report from the store's sums. Phones of the top customers are masked here, so a full number
    never reaches a screen, a printout or the JSON."""
    kind = bucket_kind(start, end)
    masked = tuple(dataclasses.replace(t, phone=mask_phone(t.phone) if t.phone else None) for t in top[:TOP])
    return CustomerReport(
        start=start,
        end=end,
        currency=currency,
        bucket=kind,
        new_customers=buckets(start, end, new_per_day, kind),
        totals=totals,
        top=masked,
        points=points,
        liability_points=liability_points,
        liability_value=redemption_value(max(liability_points, 0), rates),
    )


def decimal_text(value: Fraction | None, places: int) -> str | None:
    """An exact ratio (≥ 0) as a decimal string rounded half up: Fraction(7, 3), 2 -> "2.33". None stays
    None. Exact integer maths: no float, no double rounding."""
    if value is None:
        return None
    scaled = value * 10**places
    units = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    text = str(units).rjust(places + 1, "0")
    return f"{text[:-places]}.{text[-places:]}" if places else text


def percent_text(value: Fraction | None, places: int = 1) -> str | None:
    """A share (0..1) as a percentage string: Fraction(1, 3) -> "33.3"."""
    return decimal_text(value * 100, places) if value is not None else None
