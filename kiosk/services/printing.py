"""Printing receipts and slips: a queue in the database, written with what it prints, sent after commit.

- **Written in the action's transaction.** `enqueue_sale_in_txn`, `enqueue_refund_in_txn` and
  `enqueue_payment_in_txn` are called by `sales.sell`, `refunds.refund` and `khata.receive` inside their
  own write transaction, so a receipt job exists exactly when its sale does. Nothing is queued when the
  shop has no printer (`printer.url` none); with `printer.auto_print` off only a cash drawer kick is.
- **Sent after commit, never blocking a sale.** `send_pending` (the till's worker, or `kiosk printer
  send`) claims each due job in its own short transaction (one conditional UPDATE: two workers cannot
  both win), renders it, sends it over one connection outside any transaction, and marks it printed
  only after the printer took the bytes. A printer that is off, unplugged or out of reach leaves the
  job pending with `last_error`, retried with a backoff (5 s, 10 s, 20 s, … at most 5 min), for ever:
  nothing is lost, across restarts too. A worker that dies mid-send leaves a claim that another takes
  over after `LEASE`.
- **Reprints and slips on demand** (`reprint_receipt`, `print_refund_slip`, `print_statement_slip`,
  `print_day_summary`, `print_test_page`) are queued jobs too, sent at once: if the printer is down they
  wait like any other. `retry`, `drop` and `send_to` manage the queue; `waiting` lists it.
- **The cash drawer** opens with the receipt of a cash sale, a cash refund or a cash khata payment (a
  kick at the start of that job), but only within `DRAWER_WINDOW` of the sale: a receipt that waited
  for the printer does not open the drawer minutes later, and a job moved to another printer never
  does. A "no sale" opening (`open_drawer`) needs a manager (Permission.APPROVE, on the spot or logged
  in) and is audited.
- A sale's receipt is read back from the books when it prints (`store.sales.receipt` gives what the
  sale gave); a refund or payment slip keeps its figures as they were in the job's payload.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from kiosk.domain import print_layout as docs
from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.khata import Entry
from kiosk.domain.print_layout import Document, PrinterAddress, parse_printer_url
from kiosk.domain.receipt import Receipt
from kiosk.domain.roles import Permission
from kiosk.services.access import check_person, require
from kiosk.services.context import Context
from kiosk.store import print_jobs as store
from kiosk.store.db import write_transaction
from kiosk.store.print_jobs import QueuedJob
from kiosk.store.shop import UserRef, audit

#: A claim older than this is a worker that died mid-send: another may take the job over.
LEASE = dt.timedelta(minutes=5)
#: A receipt sent later than this after its sale prints without opening the drawer.
DRAWER_WINDOW = dt.timedelta(minutes=2)
BACKOFF_FIRST_SECONDS = 5
BACKOFF_MAX_SECONDS = 300
#: Statement slips show this many of the customer's latest entries unless asked otherwise.
STATEMENT_ENTRIES = 10

PRINTED, WAITING, EXPIRED, BUSY = "printed", "waiting", "expired", "busy"


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one attempt at a job did. `status`: printed; waiting (the printer did not take it: the job
    stays queued and `error` says why: "out of paper" among others); expired (a drawer kick too old to
    fire); busy (another worker has the job, or it is not due yet). `warning`: what the printer said
    while taking the job, for the cashier ("paper near end"), else ""."""

    job_id: int
    status: str
    printer: str = ""
    error: str = ""
    bytes: int = 0
    warning: str = ""

    @property
    def printed(self) -> bool:
        return self.status == PRINTED


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after `attempts` failed ones: 5 s doubling, at most 5 minutes."""
    return dt.timedelta(seconds=min(BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1), BACKOFF_MAX_SECONDS))


def _settings(ctx: Context):
    from kiosk.services import settings

    return settings.printer_settings(ctx)


def _user_id(ctx: Context) -> int | None:
    return ctx.user.id if ctx.user else None


# --- Written in the action's own transaction -----------------------------------------------------------------


def _queue_in_txn(ctx: Context, *, kind: str, ref: str, cash: bool, key: str, payload: str = "",
                  at: dt.datetime | None = None) -> int | None:
    cfg = _settings(ctx)
    if cfg.url == "none":
        return None
    if not cfg.auto_print:
        if not cash:
            return None
        kind, payload = "drawer", ""
    return store.insert(kind=kind, ref=ref, payload=payload, kick_drawer=cash, user_id=_user_id(ctx), till=ctx.till,
                        idempotency_key=key, at=at)


def enqueue_sale_in_txn(ctx: Context, receipt: Receipt) -> int | None:
    """The sale's receipt job (with a drawer kick when cash was taken), in the sale's transaction."""
    cash = receipt.cash_given > 0 or any(t.method == "cash" and t.amount for t in receipt.tenders)
    return _queue_in_txn(ctx, kind="receipt", ref=receipt.sale_id, cash=cash, key=f"sale:{receipt.sale_id}",
                         at=receipt.at)


def enqueue_refund_in_txn(ctx: Context, result) -> int | None:
    """The refund slip job (`result`: a `services.refunds.RefundResult`), in the refund's transaction;
    the drawer opens when cash is paid out."""
    slip = _refund_slip(result)
    cash = result.destination == "cash" and result.payout > 0
    return _queue_in_txn(ctx, kind="refund", ref=result.refund_id, cash=cash, key=f"refund:{result.refund_id}",
                         payload=_dump(slip))


def enqueue_payment_in_txn(ctx: Context, entry: Entry, *, balance_after: int) -> int | None:
    """The khata payment slip job, in the payment's transaction; the drawer opens on a cash payment."""
    payload = json.dumps({"entry_id": entry.id, "customer_id": entry.customer_id, "date": entry.date.isoformat(),
                          "amount": entry.amount, "method": entry.method or "", "balance_after": balance_after})
    return _queue_in_txn(ctx, kind="payment", ref=str(entry.id), cash=(entry.method == "cash"),
                         key=f"payment:{entry.id}", payload=payload)


def _refund_slip(result) -> docs.RefundSlip:
    name = None
    if result.customer_id is not None:
        from kiosk.store import customers as customer_store

        name = customer_store.get(result.customer_id).name
    return docs.RefundSlip(
        refund_id=result.refund_id, sale_id=result.sale_id, date=result.date, destination=result.destination,
        lines=tuple(docs.RefundSlipLine(ln.n, ln.description, ln.quantity_milli, ln.net) for ln in result.lines),
        goods=result.goods, khata_off=result.khata_off, store_credit_back=result.store_credit_back,
        payout=result.payout, rounding=result.rounding, points_given_back=result.points_given_back,
        points_taken_back=result.points_taken_back, shortfall_points=result.shortfall_points,
        shortfall_value=result.shortfall_value, customer_name=name, balance_after=result.balance_after,
        points_after=result.points_after)


def _dump(slip: docs.RefundSlip) -> str:
    data = asdict(slip)
    data["date"] = slip.date.isoformat()
    return json.dumps(data, ensure_ascii=False)


def _load_refund(payload: str) -> docs.RefundSlip:
    data = json.loads(payload)
    data["date"] = dt.date.fromisoformat(data["date"])
    data["lines"] = tuple(docs.RefundSlipLine(**ln) for ln in data["lines"])
    return docs.RefundSlip(**data)


# --- Sending ------------------------------------------------------------------------------------------------


def send_pending(ctx: Context, *, limit: int = 20, now: dt.datetime | None = None) -> list[SendResult]:
    """Send every job that is due (oldest first, at most `limit`): what the till's worker calls after
    each sale and every few seconds, and `kiosk printer send`. Jobs another worker holds are skipped."""
    now = now or _now()
    results = []
    for job_id in store.due_ids(now, now - LEASE, limit):
        result = _send(ctx, job_id, now=now)
        if result.status != BUSY:
            results.append(result)
    return results


def _claim(ctx: Context, job_id: int, now: dt.datetime, *, force: bool) -> str | None:
    token = uuid.uuid4().hex
    with write_transaction(ctx.db):
        return token if store.claim(job_id, token, now, now - LEASE, force=force) else None


def _send(ctx: Context, job_id: int, *, now: dt.datetime, force: bool = False) -> SendResult:
    """One attempt: claim, render, send over one connection, mark. Never raises for a printer problem."""
    from kiosk.devices import printer as device

    token = _claim(ctx, job_id, now, force=force)
    if token is None:
        return SendResult(job_id, BUSY)
    job = store.get(job_id)
    cfg = _settings(ctx)
    url = job.printer or cfg.url
    kick = job.kick_drawer and job.printer is None and now - job.created_at <= DRAWER_WINDOW
    if job.kind == "drawer" and not kick:
        with write_transaction(ctx.db):
            store.mark_expired(job_id, token, "the drawer was not opened: too long after the sale")
        return SendResult(job_id, EXPIRED, url, "too long after the sale to open the drawer")
    try:
        address, profile = _target(url, cfg.profile)
        document = _document(ctx, job, cfg, url=url, profile=profile)
        data = device.render(document, profile=profile, kick=kick)
        # out of paper: PrinterError, the job waits; a drawer kick alone needs none
        warning = device.send(address, data, title=document.title, needs_paper=bool(document.blocks))
    except KioskError as exc:  # the printer's or the address's one line
        return _failed(ctx, job, token, url, str(exc), now)
    except Exception as exc:  # a job that cannot be rendered must not stop the queue behind it
        return _failed(ctx, job, token, url, f"internal error: {type(exc).__name__}: {exc}", now)
    with write_transaction(ctx.db):
        store.mark_printed(job_id, token, _now())
    return SendResult(job_id, PRINTED, url, bytes=len(data), warning=warning or "")


def _failed(ctx: Context, job: QueuedJob, token: str, url: str, error: str, now: dt.datetime) -> SendResult:
    with write_transaction(ctx.db):
        store.mark_failed(job.id, token, error, now + backoff(job.attempts + 1))
    return SendResult(job.id, WAITING, url, error)


def _target(url: str, default_profile: str) -> tuple[PrinterAddress, str]:
    address = parse_printer_url(url, field="printer")
    if address is None:
        raise KioskError("no printer is set: `kiosk config set printer.url tcp://HOST:9100` (or usb://, serial://, "
                         "file://, cups://)")
    return address, address.profile or default_profile


def _checked_printer(printer: str | None) -> str | None:
    """A --printer address, checked before anything is queued (None: the shop's printer)."""
    if printer is None:
        return None
    address = parse_printer_url(printer, field="printer")
    if address is None:
        raise ValidationError("printer", "none is not a printer to print on")
    return address.url


def _require_a_printer(ctx: Context, printer: str | None) -> None:
    if printer is None and _settings(ctx).url == "none":
        raise KioskError("no printer is set: give --printer URL, or `kiosk config set printer.url tcp://HOST:9100`")


# --- What a job prints ---------------------------------------------------------------------------------------


def _formatter(currency: str, locale: str) -> Callable[[int], str]:
    from kiosk.domain.money import formatter

    return formatter(currency, locale)  # the shop's one MoneyFormat: babel's answer without babel's data


def money_of(ctx: Context) -> Callable[[int], str]:
    return _formatter(ctx.shop.currency, ctx.shop.locale)


def _document(ctx: Context, job: QueuedJob, cfg, *, url: str, profile: str) -> Document:
    money = money_of(ctx)
    shop = ctx.shop.name
    if job.kind == "receipt":
        from kiosk.store import sales as sales_store

        if not sales_store.exists(job.ref):
            raise NotFound(f"sale {job.ref} does not exist")
        receipt = sales_store.receipt(job.ref, shop, ctx.shop.currency)
        return docs.receipt_document(receipt, money, footer=cfg.footer, reprint=job.reprint)
    if job.kind == "refund":
        return docs.refund_document(_load_refund(job.payload), shop, money, footer=cfg.footer, reprint=job.reprint)
    if job.kind == "payment":
        return docs.payment_document(_payment_slip(job.payload), shop, money, footer=cfg.footer, reprint=job.reprint)
    if job.kind == "statement":
        data = json.loads(job.payload)
        slip = statement_slip(int(job.ref), last=data["last"], up_to=data["up_to"],
                              as_of=dt.date.fromisoformat(data["as_of"]))
        return docs.statement_document(slip, shop, money, footer=cfg.footer)
    if job.kind == "day":
        day = dt.date.fromisoformat(json.loads(job.payload)["date"])
        return docs.day_document(store.day_summary(day), shop, money, printed_by=job.user, at=job.created_at)
    if job.kind == "test":
        from kiosk.devices import printer as device

        return docs.printer_test_document(shop, printer=url, profile=profile, columns=device.columns(profile),
                                          at=job.created_at, sample="اردو: شکریہ، پھر تشریف لائیں")
    if job.kind == "drawer":
        return docs.drawer_document()
    raise KioskError(f"print job {job.id}: unknown kind {job.kind!r}")


def _payment_slip(payload: str) -> docs.PaymentSlip:
    from kiosk.store import customers as customer_store

    data = json.loads(payload)
    customer = customer_store.get(data["customer_id"])
    return docs.PaymentSlip(entry_id=data["entry_id"], date=dt.date.fromisoformat(data["date"]),
                            customer_name=customer.name, phone=customer.phone, amount=data["amount"],
                            method=data["method"], balance_after=data["balance_after"])


def statement_slip(customer_id: int, *, last: int, up_to: int, as_of: dt.date) -> docs.StatementSlip:
    """The customer's `last` entries up to entry `up_to`, with the running balance (ledger order)."""
    from kiosk.domain.khata import running_balances
    from kiosk.store import customers as customer_store
    from kiosk.store import khata as khata_store

    customer = customer_store.get(customer_id)
    entries = [e for e in khata_store.entries_for(customer_id) if e.id <= up_to]
    ledger = running_balances(entries)
    shown = ledger[-last:] if last else []
    earlier = len(ledger) - len(shown)
    brought = ledger[earlier - 1].running_balance if earlier else 0
    lines = tuple(docs.StatementSlipLine(ln.entry.date, _what(ln.entry), ln.signed, ln.running_balance)
                  for ln in shown)
    balance = ledger[-1].running_balance if ledger else 0
    return docs.StatementSlip(customer.name, customer.phone, as_of, earlier, brought, lines, balance)


def _what(e: Entry) -> str:
    kind = e.kind.value
    if kind == "debit":
        if e.sale_id:
            return f"sale {e.sale_id[:12]}" if e.source != "store-credit" else "store credit spent"
        return f"gave{': ' + e.note if e.note else ''}"
    if kind == "credit":
        if e.method:
            return f"payment ({e.method})"
        return "refund" if e.source == "refund" else f"credit{': ' + e.note if e.note else ''}"
    return f"reversal of #{e.reverses_id}"


def render_job(ctx: Context, job_id: int, *, profile: str | None = None) -> tuple[Document, bytes]:
    """A job's document and bytes as they would be sent now (nothing sent, nothing marked): previews,
    the bench and the decoded samples in docs/."""
    from kiosk.devices import printer as device

    require(ctx, Permission.READ_CUSTOMERS)
    job = _job(job_id)
    cfg = _settings(ctx)
    url = job.printer or cfg.url
    address = parse_printer_url(url, field="printer") if url != "none" else None
    profile = profile or (address.profile if address and address.profile else cfg.profile)
    document = _document(ctx, job, cfg, url=url, profile=profile)
    return document, device.render(document, profile=profile, kick=job.kick_drawer)


# --- On demand ------------------------------------------------------------------------------------------------


def _queue_and_send(ctx: Context, *, kind: str, ref: str, printer: str | None, payload: str = "",
                    reprint: bool = False, kick: bool = False, action: str, record: str, **detail) -> SendResult:
    with write_transaction(ctx.db):
        job_id = store.insert(kind=kind, ref=ref, payload=payload, printer=printer, kick_drawer=kick, reprint=reprint,
                              user_id=_user_id(ctx), till=ctx.till)
        audit(action, record, user=ctx.user, till=ctx.till, job=job_id, printer=printer, **detail)
    return _send(ctx, job_id, now=_now(), force=True)


def reprint_receipt(ctx: Context, sale_id: str, *, printer: str | None = None) -> SendResult:
    """Print a past sale's receipt again, marked REPRINT (never opening the drawer); audited."""
    from kiosk.store import sales as sales_store

    require(ctx, Permission.READ_CUSTOMERS)
    printer = _checked_printer(printer)
    if not sales_store.exists(sale_id):
        raise NotFound(f"sale {sale_id} does not exist")
    _require_a_printer(ctx, printer)
    return _queue_and_send(ctx, kind="receipt", ref=sale_id, printer=printer, reprint=True, action="print.reprint",
                           record=f"sale:{sale_id}")


def print_refund_slip(ctx: Context, refund_id: str, *, printer: str | None = None) -> SendResult:
    """A refund's slip again (its balance and points as they are now: the booked refund keeps no other)."""
    from kiosk.services import refunds

    require(ctx, Permission.READ_CUSTOMERS)
    printer = _checked_printer(printer)
    result = refunds.result(ctx, refund_id)
    _require_a_printer(ctx, printer)
    return _queue_and_send(ctx, kind="refund", ref=refund_id, printer=printer, payload=_dump(_refund_slip(result)),
                           reprint=True, action="print.reprint", record=f"refund:{refund_id}")


def print_statement_slip(ctx: Context, customer_id: int, *, last: int = STATEMENT_ENTRIES,
                         printer: str | None = None) -> SendResult:
    """A short khata statement: the customer's last `last` entries with the running balance, as the
    ledger stands now (a slip that waits for the printer still shows these entries, not later ones)."""
    from kiosk.services import customers

    require(ctx, Permission.READ_CUSTOMERS)
    printer = _checked_printer(printer)
    if not 1 <= last <= 100:
        raise ValidationError("last", f"{last} entries: a statement slip shows 1 to 100")
    customers.get(ctx, customer_id)  # exists (or one line saying it does not)
    _require_a_printer(ctx, printer)
    payload = json.dumps({"last": last, "up_to": store.last_entry_id(customer_id), "as_of": dt.date.today().isoformat()})
    return _queue_and_send(ctx, kind="statement", ref=str(customer_id), printer=printer, payload=payload,
                           action="print.statement", record=f"customer:{customer_id}")


def print_day_summary(ctx: Context, day: dt.date | None = None, *, printer: str | None = None) -> SendResult:
    """The end-of-day slip: sales, takings by tender, refunds, khata payments, cash (managers)."""
    require(ctx, Permission.READ_REPORTS)
    printer = _checked_printer(printer)
    _require_a_printer(ctx, printer)
    day = day or dt.date.today()
    return _queue_and_send(ctx, kind="day", ref=day.isoformat(), printer=printer,
                           payload=json.dumps({"date": day.isoformat()}), action="print.day", record=day.isoformat())


def day_summary(ctx: Context, day: dt.date | None = None) -> docs.DaySummary:
    require(ctx, Permission.READ_REPORTS)
    return store.day_summary(day or dt.date.today())


def print_test_page(ctx: Context, *, printer: str | None = None) -> SendResult:
    require(ctx, Permission.SELL)
    printer = _checked_printer(printer)
    _require_a_printer(ctx, printer)
    return _queue_and_send(ctx, kind="test", ref="", printer=printer, action="print.test", record="printer")


def open_drawer(ctx: Context, *, approved_by: UserRef | None = None, reason: str = "",
                printer: str | None = None) -> SendResult:
    """A "no sale" drawer opening: a manager logged in, or a cashier with a manager's PIN given on the
    spot (`approved_by`). Audited whether or not the printer answers; a kick the printer does not take
    is not retried (status expired, the result says why): the drawer never opens by itself later."""
    if approved_by is None:
        require(ctx, Permission.APPROVE)
    else:
        require(ctx, Permission.SELL)
        check_person(approved_by, Permission.APPROVE)
    printer = _checked_printer(printer)
    _require_a_printer(ctx, printer)
    reason = " ".join((reason or "").split())[:200]
    with write_transaction(ctx.db):
        job_id = store.insert(kind="drawer", ref="no-sale", printer=printer, kick_drawer=True, user_id=_user_id(ctx),
                              till=ctx.till)
        audit("drawer.no_sale", f"print_job:{job_id}", user=ctx.user, till=ctx.till, reason=reason,
              approved_by=approved_by.name if approved_by else None, printer=printer)
    return _send_drawer(ctx, job_id)


def _send_drawer(ctx: Context, job_id: int) -> SendResult:
    """A no-sale kick goes to the printer it names, drawer and all (unlike a moved receipt)."""
    from kiosk.devices import printer as device

    now = _now()
    token = _claim(ctx, job_id, now, force=True)
    if token is None:
        return SendResult(job_id, BUSY)
    job = store.get(job_id)
    cfg = _settings(ctx)
    url = job.printer or cfg.url
    try:
        address, profile = _target(url, cfg.profile)
        data = device.render(docs.drawer_document(), profile=profile, kick=True)
        device.send(address, data, title="no sale", needs_paper=False)
    except KioskError as exc:  # not retried: a drawer that opens by itself minutes later is worse than none
        with write_transaction(ctx.db):
            store.mark_expired(job_id, token, str(exc))
        return SendResult(job_id, EXPIRED, url, str(exc))
    with write_transaction(ctx.db):
        store.mark_printed(job_id, token, _now())
    return SendResult(job_id, PRINTED, url, bytes=len(data))


# --- The queue -------------------------------------------------------------------------------------------------


def waiting(ctx: Context) -> list[QueuedJob]:
    """Jobs not printed yet, oldest first: what the till shows as waiting for the printer."""
    require(ctx, Permission.READ_CUSTOMERS)
    return store.waiting()


def recent(ctx: Context, limit: int = 50) -> list[QueuedJob]:
    require(ctx, Permission.READ_CUSTOMERS)
    return store.recent(limit)


def get(ctx: Context, job_id: int) -> QueuedJob:
    require(ctx, Permission.READ_CUSTOMERS)
    return _job(job_id)


def _job(job_id: int) -> QueuedJob:
    job = store.get(job_id)
    if job is None:
        raise NotFound(f"print job {job_id} does not exist")
    return job


def _pending(job_id: int) -> QueuedJob:
    job = _job(job_id)
    if job.status != store.PENDING:
        state = {"printing": "being printed by another till"}.get(job.status, job.status)
        raise KioskError(f"print job {job_id} is {state}, not waiting")
    return job


def retry(ctx: Context, job_id: int, *, printer: str | None = None) -> SendResult:
    """Send a waiting job now, whatever its backoff; `printer`: to another printer (it stays there)."""
    require(ctx, Permission.SELL)
    printer = _checked_printer(printer)
    _pending(job_id)
    if printer is not None:
        _move(ctx, job_id, printer)
    return _send(ctx, job_id, now=_now(), force=True)


def _move(ctx: Context, job_id: int, printer: str) -> None:
    with write_transaction(ctx.db):
        if not store.retarget(job_id, printer):
            raise KioskError(f"print job {job_id} is not waiting any more")
        audit("print.send_to", f"print_job:{job_id}", user=ctx.user, till=ctx.till, printer=printer)


def send_to(ctx: Context, printer: str) -> list[SendResult]:
    """Every waiting job to another printer, now (the shop's printer is broken: use the one next door)."""
    require(ctx, Permission.SELL)
    printer = _checked_printer(printer)
    if printer is None:
        raise ValidationError("printer", "give the printer to send the waiting jobs to")
    results = []
    for job_id in store.pending_ids():
        try:
            _move(ctx, job_id, printer)
        except KioskError:
            continue  # printed or dropped meanwhile
        results.append(_send(ctx, job_id, now=_now(), force=True))
    return results


def drop(ctx: Context, job_id: int, *, reason: str = "") -> QueuedJob:
    """Give up on a waiting job (the customer has gone); audited. A job being sent cannot be dropped."""
    require(ctx, Permission.SELL)
    job = _pending(job_id)
    reason = " ".join((reason or "").split())[:200] or "dropped by hand"
    with write_transaction(ctx.db):
        if not store.drop(job_id, reason):
            raise KioskError(f"print job {job_id} is not waiting any more")
        audit("print.drop", f"print_job:{job_id}", user=ctx.user, till=ctx.till, kind=job.kind, ref=job.ref,
              reason=reason)
    return store.get(job_id)
