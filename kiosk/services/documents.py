"""PDF documents: a customer's khata statement, the credit report, the customer report and the customer
list, from the books to a file.

Each document is made in two steps, so the till can keep its database work on its own thread and give
the slow part to a worker:

1. ``*_document(ctx, …) -> Document``: reads the books (the permission check is the service's own),
   formats every figure for the shop's locale and currency, and fills a template. Milliseconds.
2. ``Document.write(path, progress=…, in_subprocess=…) -> PdfResult``: WeasyPrint lays the HTML
   out and writes the file (`kiosk.devices.pdf`). Seconds for a long statement; call it from a
   thread worker. WeasyPrint is imported then, never before.

``statement_pdf`` and the other ``*_pdf`` functions do both with one progress callback, which hears
`READING`, `BUILDING`, then the device's "laying out", "writing" and "done", each with how far along
the whole job is (0..1).

Who may: a statement is one customer's own account, what `kiosk khata show` and the Khata screen
already show anyone who may look the customer up (READ_CUSTOMERS, cashiers too: the cashier is who
stands across the counter from the customer asking what they owe). The credit and customer reports
are reports (READ_REPORTS). The customer list is an export (EXPORT; unmasked phones and CNICs need
EXPORT_UNMASKED) and is audited like the CSV export.

Phones are masked on every document (``+92300****567``) except an unmasked customer list: paper is
left on counters.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.devices import pdf
from kiosk.devices.pdf import PdfResult, Progress
from kiosk.domain import khata as rules
from kiosk.domain.customer_report import decimal_text, percent_text
from kiosk.domain.khata import AGEING_BUCKETS, CreditSource, DebitSource, Entry, EntryKind
from kiosk.domain.phone import mask_phone
from kiosk.domain.roles import Permission
from kiosk.services import customers, exports, khata, promises, reports
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import imports as import_store
from kiosk.store.db import write_transaction
from kiosk.store.shop import audit

READING = "reading the books"
BUILDING = "building HTML"
STAGE_START = {READING: 0.0, BUILDING: 0.05}

#: Fields of the customer list shown as typed: the CSV export puts an apostrophe before a leading
#: = + - @ (Excel's formula guard), which a PDF does not need.
_AS_TYPED = frozenset({"name", "email", "address", "business", "notes", "group"})
_NUMERIC = frozenset({"id", "credit_limit", "balance", "points"})
_FIELD_TITLES = {"id": "Id", "cnic": "CNIC", "birth_date": "Born", "credit_limit": "Limit", "created": "Created"}


@dataclass(frozen=True, slots=True)
class Document:
    """A document ready to be laid out: its kind ("statement", "credit-report", "customer-report",
    "customer-list"), its title and its complete HTML (stylesheet inline)."""

    kind: str
    title: str
    html: str

    def write(self, path: str | os.PathLike, *, progress: Progress | None = None, in_subprocess: bool = False,
              should_stop: Callable[[], bool] | None = None) -> PdfResult:
        """Lay out and write the PDF (whole or not at all, 0600). `in_subprocess`: in a child process
        that `should_stop()` can cancel (`kiosk.devices.pdf.render_in_subprocess`)."""
        if in_subprocess:
            return pdf.render_in_subprocess(self.html, path, progress=progress, should_stop=should_stop)
        return pdf.write_pdf(self.html, path, progress=progress)


# --- Formatting -------------------------------------------------------------------------------------


def _day(ctx: Context, day: dt.date | None, empty: str = "") -> str:
    from babel.dates import format_date

    return format_date(day, "medium", locale=ctx.shop.locale) if day else empty


def _printed(ctx: Context, at: dt.datetime | None) -> str:
    from babel.dates import format_time

    at = at or dt.datetime.now()
    return f"{_day(ctx, at.date())}, {format_time(at.time(), 'short', locale=ctx.shop.locale)}"


def _page(ctx: Context, *, title: str, running: str, subtitle: str = "", printed_at: dt.datetime | None,
          wide: bool = False) -> dict:
    """What base.html needs: the shop's head and the footer's strings."""
    return {
        "lang": ctx.shop.locale.replace("_", "-"),
        "shop": ctx.shop.name,
        "title": title,
        "subtitle": subtitle,
        "running": running,
        "printed": _printed(ctx, printed_at),
        "page_class": "wide" if wide else "",
    }


def _tell(progress: Progress | None, stage: str) -> None:
    if progress is not None:
        progress(stage, STAGE_START[stage])


# --- The khata statement ------------------------------------------------------------------------------


def entry_details(entry: Entry) -> str:
    """What an entry was, in a few words: "Credit sale S-17", "Payment by JazzCash", "Reverses entry 12"."""
    if entry.kind is EntryKind.REVERSAL:
        return f"Reverses entry {entry.reverses_id}"
    if entry.kind is EntryKind.DEBIT:
        what = {DebitSource.SALE: "Credit sale", DebitSource.STORE_CREDIT: "Store credit spent"}.get(
            entry.source, "Given on credit")
        return f"{what} {entry.sale_id}" if entry.sale_id else what
    if entry.source == CreditSource.REFUND:
        return f"Refund of sale {entry.sale_id}" if entry.sale_id else "Refund"
    if entry.source == CreditSource.STORE_CREDIT:
        return f"Store credit from sale {entry.sale_id}" if entry.sale_id else "Store credit"
    return f"Payment by {entry.method}" if entry.method else "Payment"


def promised_payment(ctx: Context, customer_id: int, entries: Sequence[Entry]) -> promises.Promise | None:
    """The customer's promised payment date for the statement: their promise as it stands now
    (`kiosk.services.promises.current`: the newest of a recorded promise and a debit's promised date),
    or None when there is none or it has been kept. The statement renders nothing for None."""
    promise = promises.current(ctx, customer_id, entries)
    return None if promise is None or promise.kept else promise


def statement_document(ctx: Context, customer_id: int, start: dt.date | None = None, end: dt.date | None = None,
                       *, printed_at: dt.datetime | None = None, progress: Progress | None = None) -> Document:
    """A customer's statement from `start` (default: the first day of their khata) to `end` (default:
    today), with the ageing and promises of what is owed on `end`. Anyone who may look customers up."""
    _tell(progress, READING)
    customer = customers.get(ctx, customer_id)
    entries = khata.entries(ctx, customer_id)  # READ_CUSTOMERS; one read for the lines, ageing and promises
    end = end or dt.date.today()
    start = start or min([e.date for e in entries if e.date <= end], default=end)
    statement = rules.statement(entries, start, end)
    ageing = rules.ageing(entries, end)
    money = ctx.shop.money
    lines = [{
        "date": _day(ctx, line.entry.date),
        "id": line.entry.id,
        "details": entry_details(line.entry) + (f" · {line.entry.note}" if line.entry.note else ""),
        "debit": money(line.signed) if line.signed > 0 else "",
        "credit": money(-line.signed) if line.signed < 0 else "",
        "balance": money(line.running_balance),
        "reversal": line.entry.kind is EntryKind.REVERSAL,
    } for line in statement.lines]
    _tell(progress, BUILDING)
    owed = ageing.balance > 0
    context = _page(ctx, title="Khata statement", running=f"Statement of {customer.name}", printed_at=printed_at,
                    subtitle=f"{_day(ctx, start)} to {_day(ctx, end)}")
    context.update(
        customer={"id": customer.id, "name": customer.name, "phone": mask_phone(customer.phone) if customer.phone else ""},
        period={"start": _day(ctx, start), "end": _day(ctx, end)},
        count=len(lines),
        opening=money(statement.opening),
        debits=money(statement.total_debits),
        credits=money(statement.total_credits),
        closing=money(statement.closing),
        closing_label="Closing balance: owed" if statement.closing > 0 else
                      "Closing balance: advance" if statement.closing < 0 else "Closing balance",
        lines=lines,
        ageing={
            "as_of": _day(ctx, end),
            "buckets": [{"label": b, "amount": money(ageing.buckets[b])} for b in AGEING_BUCKETS],
            "total": money(ageing.balance),
            "oldest": _day(ctx, ageing.oldest_unpaid),
        } if owed else None,
        promise=_promise_view(ctx, promised_payment(ctx, customer_id, entries)),
    )
    return Document("statement", f"Statement of {customer.name}", pdf.render_html("statement.html", context))


def _promise_view(ctx: Context, promise: promises.Promise | None) -> dict | None:
    if promise is None:
        return None
    today = dt.date.today()
    state = promise.state(today)
    days = promise.days(today)
    when = {promises.DUE: f"due in {days} day{'s' if days != 1 else ''}", promises.DUE_TODAY: "due today",
            promises.OVERDUE: f"overdue by {-days} day{'s' if days != -1 else ''}"}.get(state, state)
    return {"date": _day(ctx, promise.promised_on), "left": ctx.shop.money(promise.left), "state": when,
            "overdue": state == promises.OVERDUE, "made": _day(ctx, promise.made_at.date() if promise.made_at else None),
            "note": promise.note}


# --- The reports -------------------------------------------------------------------------------------


def credit_report_document(ctx: Context, as_of: dt.date | None = None, *, unmasked: bool = False,
                           printed_at: dt.datetime | None = None, progress: Progress | None = None) -> Document:
    """The credit report (`kiosk.services.reports.credit_report`): READ_REPORTS; phones masked unless
    `unmasked` (EXPORT_UNMASKED, owners)."""
    if unmasked:
        require(ctx, Permission.EXPORT_UNMASKED)
    _tell(progress, READING)
    report = reports.credit_report(ctx, as_of)
    _tell(progress, BUILDING)
    money = ctx.shop.money
    totals = report.bucket_totals

    def phone(p: str | None) -> str:
        return "" if not p else p if unmasked else mask_phone(p)

    context = _page(ctx, title="Credit report", running="Credit report", printed_at=printed_at,
                    subtitle=f"As of {_day(ctx, report.as_of)}", wide=True)
    context.update(
        as_of=_day(ctx, report.as_of),
        count=len(report.rows),
        masked=not unmasked,
        total=money(report.total_outstanding),
        buckets=[{"label": b, "amount": money(totals[b])} for b in AGEING_BUCKETS],
        rows=[{
            "id": r.customer_id, "name": r.name, "phone": phone(r.phone), "balance": money(r.balance),
            "limit": money(r.credit_limit) if r.credit_limit is not None else "–",
            "ageing": [money(r.ageing[b]) for b in AGEING_BUCKETS],
            "last_payment": _day(ctx, r.last_payment, "never"),
        } for r in report.rows],
    )
    return Document("credit-report", "Credit report", pdf.render_html("credit_report.html", context))


def customer_report_document(ctx: Context, start: dt.date | None = None, end: dt.date | None = None, *,
                             printed_at: dt.datetime | None = None, progress: Progress | None = None) -> Document:
    """The customer report (`kiosk.services.reports.customer_report`): READ_REPORTS."""
    _tell(progress, READING)
    report = reports.customer_report(ctx, start, end)
    _tell(progress, BUILDING)
    money = ctx.shop.money
    t, pts = report.totals, report.points
    since = _day(ctx, report.start) if report.start else "the beginning of the books"
    context = _page(ctx, title="Customer report", running="Customer report", printed_at=printed_at,
                    subtitle=f"From {since} to {_day(ctx, report.end)}")

    def shown(text: str | None, suffix: str = "") -> str:
        return "–" if text is None else f"{text}{suffix}"

    context.update(
        end=_day(ctx, report.end),
        buyers=t.buyers, repeaters=t.repeaters, purchases=t.purchases,
        frequency=shown(decimal_text(report.average_frequency, 2)),
        repeat_rate=shown(percent_text(report.repeat_rate, 1), "%"),
        value=money(t.value),
        average_value=money(report.average_value) if report.average_value is not None else "–",
        points={"earned": pts.earned, "taken_back": pts.taken_back, "net_issued": pts.net_issued,
                "redeemed": pts.redeemed, "given_back": pts.given_back, "net_redeemed": pts.net_redeemed,
                "expired": pts.expired},
        liability_points=report.liability_points,
        liability_value=money(report.liability_value),
        top=[{"id": c.customer_id, "name": c.name, "phone": c.phone or "", "purchases": c.purchases,
              "value": money(c.value), "archived": c.archived} for c in report.top],
        new_total=report.new_customers_total,
        bucket_kind=report.bucket,
        new_buckets=[{"label": b.label, "days": f"{_day(ctx, b.start)} to {_day(ctx, b.end)}",
                      "customers": b.customers} for b in report.new_customers],
    )
    return Document("customer-report", "Customer report", pdf.render_html("customer_report.html", context))


# --- The customer list -----------------------------------------------------------------------------------


def customer_list_document(ctx: Context, fields: tuple[str, ...] = exports.CUSTOMER_FIELDS, *,
                           unmasked: bool = False, printed_at: dt.datetime | None = None,
                           progress: Progress | None = None) -> Document:
    """The customer list export as a document: the cells the CSV export has (`exports.customer_rows`:
    its masking, money and dates), text as typed. EXPORT, or EXPORT_UNMASKED for full phones and CNICs;
    audited as an export of the customer list."""
    require(ctx, Permission.EXPORT_UNMASKED if unmasked else Permission.EXPORT)
    _tell(progress, READING)
    people = list(import_store.all_customers())
    rows = exports.customer_rows(ctx, fields, unmasked=unmasked, customers=people)
    next(rows)  # the CSV's header row
    _tell(progress, BUILDING)
    cells = [[str(getattr(c, f) or "") if f in _AS_TYPED else v for f, v in zip(fields, row)]
             for c, row in zip(people, rows)]
    columns = [{"title": _FIELD_TITLES.get(f, f.replace("_", " ").capitalize()),
                "css": "num" if f in _NUMERIC else "date" if f in ("phone", "cnic", "birth_date", "created") else "",
                "text": f in _AS_TYPED} for f in fields]
    context = _page(ctx, title="Customers", running="Customers", printed_at=printed_at,
                    subtitle=f"Amounts in {ctx.shop.currency}", wide=True)
    context.update(fields=columns, rows=cells, count=len(cells), masked=not unmasked)
    html = pdf.render_html("customer_list.html", context)
    with write_transaction(ctx.db):  # who took the customer list out of the shop, and when
        audit("export.customers", "", user=ctx.user, till=ctx.till, customers=len(cells), fields=",".join(fields),
              unmasked=unmasked, format="pdf")
    return Document("customer-list", "Customers", html)


# --- One call each: the books to a PDF file ----------------------------------------------------------------


def _make(build: Callable[[Progress | None], Document], path, progress: Progress | None, in_subprocess: bool,
          should_stop: Callable[[], bool] | None) -> PdfResult:
    return build(progress).write(path, progress=progress, in_subprocess=in_subprocess, should_stop=should_stop)


def statement_pdf(ctx: Context, customer_id: int, path: str | os.PathLike, *, start: dt.date | None = None,
                  end: dt.date | None = None, progress: Progress | None = None, in_subprocess: bool = False,
                  should_stop: Callable[[], bool] | None = None) -> PdfResult:
    return _make(lambda p: statement_document(ctx, customer_id, start, end, progress=p), path, progress, in_subprocess,
                 should_stop)


def credit_report_pdf(ctx: Context, path: str | os.PathLike, *, as_of: dt.date | None = None,
                      unmasked: bool = False, progress: Progress | None = None, in_subprocess: bool = False,
                      should_stop: Callable[[], bool] | None = None) -> PdfResult:
    return _make(lambda p: credit_report_document(ctx, as_of, unmasked=unmasked, progress=p), path, progress, in_subprocess,
                 should_stop)


def customer_report_pdf(ctx: Context, path: str | os.PathLike, *, start: dt.date | None = None,
                        end: dt.date | None = None, progress: Progress | None = None, in_subprocess: bool = False,
                        should_stop: Callable[[], bool] | None = None) -> PdfResult:
    return _make(lambda p: customer_report_document(ctx, start, end, progress=p), path, progress, in_subprocess, should_stop)


def customer_list_pdf(ctx: Context, path: str | os.PathLike, fields: tuple[str, ...] = exports.CUSTOMER_FIELDS, *,
                      unmasked: bool = False, progress: Progress | None = None, in_subprocess: bool = False,
                      should_stop: Callable[[], bool] | None = None) -> PdfResult:
    return _make(lambda p: customer_list_document(ctx, fields, unmasked=unmasked, progress=p), path, progress, in_subprocess,
                 should_stop)
