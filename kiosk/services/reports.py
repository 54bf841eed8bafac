"""Reports over the books: the credit report with FIFO ageing, and the customer report. Managers,
owners and viewers (`kiosk.domain.roles`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain import customer_report as customer_rules
from kiosk.domain.customer_report import CustomerReport, decimal_text, percent_text
from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.services.loyalty import rates_of
from kiosk.services.settings import loyalty_settings
from kiosk.store import customer_report as customer_store
from kiosk.store import khata as khata_store
from kiosk.store.khata import CreditRow


@dataclass(frozen=True, slots=True)
class CreditReport:
    as_of: dt.date
    currency: str
    rows: list[CreditRow]

    @property
    def total_outstanding(self) -> int:
        """What customers owe: the sum of positive balances (advances are not netted against it)."""
        return sum(r.balance for r in self.rows if r.balance > 0)

    @property
    def bucket_totals(self) -> dict[str, int]:
        return {b: sum(r.ageing[b] for r in self.rows) for b in AGEING_BUCKETS}


def credit_report(ctx: Context, as_of: dt.date | None = None) -> CreditReport:
    require(ctx, Permission.READ_REPORTS)
    as_of = as_of or dt.date.today()
    return CreditReport(as_of, ctx.shop.currency, khata_store.credit_report(as_of))


def credit_report_json(ctx: Context, report: CreditReport) -> dict:
    """The contract scripts and the accountant rely on: exact decimal strings in major units."""
    money = ctx.shop.decimal
    return {
        "as_of": report.as_of.isoformat(),
        "currency": report.currency,
        "total_outstanding": money(report.total_outstanding),
        "customers": [
            {
                "id": r.customer_id,
                "name": r.name,
                "phone": r.phone,
                "balance": money(r.balance),
                "credit_limit": money(r.credit_limit) if r.credit_limit is not None else None,
                "ageing": {b: money(v) for b, v in r.ageing.items()},
                "last_payment": r.last_payment.isoformat() if r.last_payment else None,
            }
            for r in report.rows
        ],
    }


# --- Customer report --------------------------------------------------------------------------------



def customer_report(ctx: Context, start: dt.date | None = None, end: dt.date | None = None) -> CustomerReport:
    """New customers, buyers, repeat rate, lifetime value, the top ten, points moved and the points
    liability for `start`..`end` (inclusive; `start` None: from the beginning, `end` None: today).
    What each figure means is in `kiosk.domain.customer_report`. Owners, managers and viewers only.

    The statements read one snapshot of the books (`kiosk.store.customer_report.snapshot`), so a sale
    rung up meanwhile is in every figure or in none."""
    require(ctx, Permission.READ_REPORTS)
    end = end or dt.date.today()
    customer_rules.check_period(start, end)
    rates = rates_of(loyalty_settings(ctx))
    with customer_store.snapshot(ctx.db):
        totals, top = customer_store.purchases(start, end, customer_rules.TOP)
        new_per_day = customer_store.new_customers_per_day(start, end)
        points, liability = customer_store.points(start, end)
    return customer_rules.make_report(start=start, end=end, currency=ctx.shop.currency, new_per_day=new_per_day,
                                      totals=totals, top=top, points=points, liability_points=liability,
                                      rates=rates)


def customer_report_json(ctx: Context, report: CustomerReport) -> dict:
    """The contract for scripts: money as exact decimal strings in major units, ratios as decimal
    strings (frequency 2 places, repeat rate in percent 1 place), null when there is
    nothing to average, phones masked."""
    money = ctx.shop.decimal
    t, pts = report.totals, report.points
    return {
        "from": report.start.isoformat() if report.start else None,
        "to": report.end.isoformat(),
        "currency": report.currency,
        "new_customers": {
            "total": report.new_customers_total,
            "per": report.bucket,
            "buckets": [{"label": b.label, "from": b.start.isoformat(), "to": b.end.isoformat(),
                         "customers": b.customers} for b in report.new_customers],
        },
        "buyers": t.buyers,
        "repeat_buyers": t.repeaters,
        "purchases": t.purchases,
        "average_purchase_frequency": decimal_text(report.average_frequency, 2),
        "repeat_rate_percent": percent_text(report.repeat_rate, 1),
        "lifetime_value": money(t.value),
        "average_lifetime_value": money(report.average_value) if report.average_value is not None else None,
        "top_customers": [{"id": c.customer_id, "name": c.name, "phone": c.phone, "purchases": c.purchases,
                           "lifetime_value": money(c.value), "archived": c.archived} for c in report.top],
        "points": {
            "earned": pts.earned,
            "redeemed": pts.redeemed,
            "expired": pts.expired,
            "taken_back": pts.taken_back,
            "given_back": pts.given_back,
            "net_issued": pts.net_issued,
            "net_redeemed": pts.net_redeemed,
        },
        "points_liability": {"points": report.liability_points, "value": money(report.liability_value)},
    }
