"""Reports over the books: the credit report with FIFO ageing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.services.context import Context
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
