"""The print queue's rows (migration 0014), and the day's figures for the end-of-day slip.

A job moves pending -> printing (claimed by one worker) -> printed, or back to pending with a later
`next_attempt_at` when the printer did not take it. Every move is one conditional UPDATE whose WHERE
says what the row must still be, and the caller checks that it changed exactly one row: two workers
claiming one job cannot both win (SQLite holds the write lock for the statement; PostgreSQL re-checks
the WHERE on the row the other transaction committed). A claim older than the lease is taken over, so
a worker that died mid-send does not strand its job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from kiosk.domain.print_layout import DaySummary
from kiosk.store.db import is_sqlite
from kiosk.store.models import KhataEntry, PrintJob, Refund, Sale, SaleTender, User
from kiosk.store.sql import insert_sql, now, timestamp

PENDING, PRINTING, PRINTED, DROPPED, EXPIRED = "pending", "printing", "printed", "dropped", "expired"
WAITING = (PENDING, PRINTING)

_COLUMNS = ("kind", "ref", "payload", "printer", "kick_drawer", "reprint", "status", "attempts", "last_error",
            "created_at", "user_id", "till", "idempotency_key")


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A print job as the queue shows it."""

    id: int
    kind: str
    ref: str
    payload: str
    printer: str | None
    kick_drawer: bool
    reprint: bool
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime
    printed_at: dt.datetime | None
    till: str
    user: str | None


def _db():
    return PrintJob._meta.database


def insert(*, kind: str, ref: str = "", payload: str = "", printer: str | None = None, kick_drawer: bool = False,
           reprint: bool = False, user_id: int | None, till: str, idempotency_key: str | None = None,
           at: dt.datetime | None = None) -> int:
    """A pending job, in plain SQL (every sale writes one): its id."""
    db = _db()
    values = (kind, ref, payload, printer, kick_drawer, reprint, PENDING, 0, "", timestamp(db, at or now()), user_id,
              till, idempotency_key)
    sql = insert_sql(db, "print_job", _COLUMNS)
    if is_sqlite(db):
        return db.execute_sql(sql, values).lastrowid
    return db.execute_sql(sql + " RETURNING id", values).fetchone()[0]


def _query():
    return (PrintJob.select(PrintJob, User.name.alias("user_name"))
            .join(User, on=(PrintJob.user == User.id), join_type=JOIN.LEFT_OUTER))


def _view(row) -> QueuedJob:
    return QueuedJob(id=row.id, kind=row.kind, ref=row.ref, payload=row.payload, printer=row.printer,
                     kick_drawer=bool(row.kick_drawer), reprint=bool(row.reprint), status=row.status,
                     attempts=row.attempts, next_attempt_at=row.next_attempt_at, last_error=row.last_error,
                     created_at=row.created_at, printed_at=row.printed_at, till=row.till, user=row.user_name)


def get(job_id: int) -> QueuedJob | None:
    row = _query().where(PrintJob.id == job_id).objects().first()
    return _view(row) if row is not None else None


def waiting(limit: int = 500) -> list[QueuedJob]:
    """Jobs not yet printed (pending, or being printed), oldest first."""
    rows = _query().where(PrintJob.status.in_(WAITING)).order_by(PrintJob.id).limit(limit).objects()
    return [_view(r) for r in rows]


def recent(limit: int = 50) -> list[QueuedJob]:
    """The latest jobs whatever their state, newest first."""
    return [_view(r) for r in _query().order_by(PrintJob.id.desc()).limit(limit).objects()]


def _claimable(at: dt.datetime, stale_before: dt.datetime, force: bool):
    due = (PrintJob.status == PENDING)
    if not force:
        due &= (PrintJob.next_attempt_at.is_null() | (PrintJob.next_attempt_at <= at))
    return due | ((PrintJob.status == PRINTING) & (PrintJob.claimed_at < stale_before))


def due_ids(at: dt.datetime, stale_before: dt.datetime, limit: int = 20) -> list[int]:
    """Jobs to send now: pending and due, or claimed by a worker longer ago than the lease."""
    query = (PrintJob.select(PrintJob.id).where(PrintJob.status.in_(WAITING) & _claimable(at, stale_before, False))
             .order_by(PrintJob.id).limit(limit))
    return [r[0] for r in query.tuples()]


def claim(job_id: int, token: str, at: dt.datetime, stale_before: dt.datetime, *, force: bool = False) -> bool:
    """Take the job for one send; False when another worker has it, or it is not due (or not waiting)."""
    changed = (PrintJob.update(status=PRINTING, claimed_by=token, claimed_at=at)
               .where((PrintJob.id == job_id) & _claimable(at, stale_before, force)).execute())
    return changed == 1


def mark_printed(job_id: int, token: str, at: dt.datetime) -> bool:
    return (PrintJob.update(status=PRINTED, printed_at=at, attempts=PrintJob.attempts + 1, last_error="",
                            claimed_by=None, next_attempt_at=None)
            .where((PrintJob.id == job_id) & (PrintJob.claimed_by == token) & (PrintJob.status == PRINTING))
            .execute()) == 1


def mark_failed(job_id: int, token: str, error: str, next_attempt_at: dt.datetime) -> bool:
    return (PrintJob.update(status=PENDING, attempts=PrintJob.attempts + 1, last_error=error[:1000],
                            next_attempt_at=next_attempt_at, claimed_by=None, claimed_at=None)
            .where((PrintJob.id == job_id) & (PrintJob.claimed_by == token) & (PrintJob.status == PRINTING))
            .execute()) == 1


def mark_expired(job_id: int, token: str, reason: str) -> bool:
    return (PrintJob.update(status=EXPIRED, last_error=reason, claimed_by=None)
            .where((PrintJob.id == job_id) & (PrintJob.claimed_by == token) & (PrintJob.status == PRINTING))
            .execute()) == 1


def drop(job_id: int, reason: str) -> bool:
    """A pending job dropped (never one a worker is sending)."""
    return (PrintJob.update(status=DROPPED, last_error=reason, next_attempt_at=None)
            .where((PrintJob.id == job_id) & (PrintJob.status == PENDING)).execute()) == 1


def retarget(job_id: int, printer: str) -> bool:
    """Send a pending job to another printer, now. Its drawer kick stays behind: the drawer hangs on
    the printer the job was meant for."""
    return (PrintJob.update(printer=printer, kick_drawer=False, next_attempt_at=None)
            .where((PrintJob.id == job_id) & (PrintJob.status == PENDING)).execute()) == 1


def pending_ids() -> list[int]:
    return [r[0] for r in PrintJob.select(PrintJob.id).where(PrintJob.status == PENDING).order_by(PrintJob.id).tuples()]


def receipt_job_of(sale_id: str) -> QueuedJob | None:
    """The job the sale itself wrote (not a reprint)."""
    row = _query().where((PrintJob.ref == sale_id) & (PrintJob.idempotency_key == f"sale:{sale_id}")).objects().first()
    return _view(row) if row is not None else None


def last_entry_id(customer_id: int) -> int:
    return KhataEntry.select(fn.MAX(KhataEntry.id)).where(KhataEntry.customer == customer_id).scalar() or 0


# --- The day's figures -------------------------------------------------------------------------------------


def day_summary(day: dt.date) -> DaySummary:
    """Sales, tenders, refunds and khata payments booked on `day` (every till)."""
    s = (Sale.select(fn.COUNT(Sale.id), fn.SUM(Sale.gross), fn.SUM(Sale.line_discounts + Sale.basket_discount),
                     fn.SUM(Sale.total), fn.SUM(Sale.points_value), fn.SUM(Sale.rounding), fn.SUM(Sale.khata))
         .where(Sale.date == day).tuples().first())
    count, gross, discounts, total, points_value, rounding, khata = (int(v or 0) for v in s)
    tender_rows = (SaleTender.select(SaleTender.method, SaleTender.name, fn.SUM(SaleTender.amount))
                   .join(Sale, on=(SaleTender.sale == Sale.id)).where(Sale.date == day)
                   .group_by(SaleTender.method, SaleTender.name).tuples())
    tenders: dict[str, int] = {}
    for method, name, amount in tender_rows:
        key = name if method == "mobile" and name else method
        tenders[key] = tenders.get(key, 0) + int(amount or 0)
    order = {"cash": 0, "card": 1, "khata": 8, "store-credit": 9}
    r = (Refund.select(fn.COUNT(Refund.id),
                       fn.SUM(Case(None, [(Refund.destination == "cash", Refund.payout)], 0)),
                       fn.SUM(Case(None, [(Refund.destination == "store-credit", Refund.payout)], 0)),
                       fn.SUM(Refund.khata_off))
         .where(Refund.date == day).tuples().first())
    refunds, cash_out, credit_out, khata_off = (int(v or 0) for v in r)
    payment_rows = (KhataEntry.select(KhataEntry.method, fn.COUNT(KhataEntry.id), fn.SUM(KhataEntry.amount))
                    .where((KhataEntry.date == day) & (KhataEntry.kind == "credit") & KhataEntry.method.is_null(False))
                    .group_by(KhataEntry.method).order_by(KhataEntry.method).tuples())
    return DaySummary(
        date=day, sales=count, gross=gross, discounts=discounts, total=total, points_value=points_value,
        rounding=rounding, tenders=tuple(sorted(tenders.items(), key=lambda kv: (order.get(kv[0], 5), kv[0]))),
        refunds=refunds, refunded_cash=cash_out, refunded_store_credit=credit_out, refunded_khata=khata_off,
        payments=tuple((m, int(n), int(a or 0)) for m, n, a in payment_rows), credit_given=khata,
    )
