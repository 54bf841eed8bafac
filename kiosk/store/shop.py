"""The shop row, its users and groups, and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from peewee import JOIN, fn

from kiosk.domain.customers import DEFAULT_GROUPS
from kiosk.domain.errors import KioskError
from kiosk.domain.shop import ShopSettings
from kiosk.store.db import is_sqlite, write_transaction
from kiosk.store.models import AuditLog, CustomerGroup, Shop, User


@dataclass(frozen=True, slots=True)
class UserRef:
    id: int
    name: str
    role: str


def load_settings() -> ShopSettings:
    row = Shop.select().first()
    if row is None:
        raise KioskError("this database has no shop yet: run `kiosk init`")
    groups = tuple(g.name for g in CustomerGroup.select().order_by(CustomerGroup.builtin.desc(), CustomerGroup.id))
    return ShopSettings(
        name=row.name,
        country=row.country,
        currency=row.currency,
        locale=row.locale,
        mobile_money=tuple(m for m in row.mobile_money.split(",") if m),
        groups=groups,
        demo=row.demo,
    )


def create_shop(settings: ShopSettings) -> None:
    if Shop.select().exists():
        raise KioskError("this database already has a shop")
    Shop.create(
        name=settings.name,
        country=settings.country,
        currency=settings.currency,
        locale=settings.locale,
        mobile_money=",".join(settings.mobile_money),
        demo=settings.demo,
    )
    for name in DEFAULT_GROUPS:
        CustomerGroup.get_or_create(name=name, defaults={"builtin": True})


def first_owner() -> UserRef | None:
    row = User.select().where((User.role == "owner") & (User.active == True)).order_by(User.id).first()  # noqa: E712
    return UserRef(row.id, row.name, row.role) if row else None


#: `prev_hash` of the first row of the audit chain.
AUDIT_GENESIS = "0" * 64
#: PostgreSQL: the transaction-scoped advisory lock every audit writer takes before it reads the last
#: row, held to commit, so two tills never chain onto the same row. b"kioskAUD" as a big-endian int64.
AUDIT_LOCK_KEY = int.from_bytes(b"kioskAUD", "big")
_LOOK_UP = object()
# Encoders made once: json.dumps with options builds a new encoder on every call.
_canonical_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_detail_json = json.JSONEncoder(default=str, ensure_ascii=False, sort_keys=True).encode
_AUDIT_COLUMNS = "id, at, user_id, role, till, action, record, detail, prev_hash, hash"
#: Two statements, so the read takes its snapshot after the lock is granted: under READ COMMITTED it
#: then sees the row the lock's previous holder committed. The id comes from the sequence under the
#: lock too, so ids follow the chain.
_PG_LOCK_AND_READ = (
    f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY}); "
    "SELECT nextval('audit_log_id_seq'), last.id, last.hash FROM (SELECT 1) AS one "
    "LEFT JOIN (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) AS last ON true"
)


def audit_row_hash(row_id: int, at, user_id: int | None, role: str | None, till: str, action: str, record: str,
                   detail: str | None, prev_hash: str | None) -> str:
    """SHA-256 (hex) of an audit row's canonical form: a compact JSON array of its fields in this order.
    `at` is a datetime (ISO with a space, as SQLite stores it) or the text SQLite gave back. Migration
    0010 keeps a frozen copy of this function: change neither without the other."""
    at_text = at if isinstance(at, str) else at.isoformat(" ")
    canonical = _canonical_json([row_id, at_text, user_id, role, till, action, record, detail, prev_hash])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def audit(action: str, record: str = "", *, user: UserRef | None, till: str, **detail) -> None:
    """Append a row to the audit log: who (and their role), what, which record, when, which till.

    Call it inside the action's own transaction, last (every service does), so the row commits or
    rolls back with what it records."""
    append_audit(action, record, user_id=user.id if user else None, role=user.role if user else None,
                 till=till, detail=detail)


def append_audit(action: str, record: str = "", *, user_id: int | None, till: str, role=_LOOK_UP,
                 at: dt.datetime | None = None, detail: dict | None = None) -> None:
    """`audit` for callers that hold a user id rather than a `UserRef` (the checkout's plain-SQL path);
    without `role`, the user's current role is read (one primary-key read).

    The row is chained: `prev_hash` is the last row's `hash` and `hash` covers the row and `prev_hash`.
    Writers are serialised from reading the last row to commit: on SQLite by the write lock (
    `write_transaction` is BEGIN IMMEDIATE; a deferred transaction that lost the race fails with
    "database is locked" rather than fork the chain), on PostgreSQL by `pg_advisory_xact_lock`. Cost:
    the last row by primary key (one index probe) and a SHA-256; on PostgreSQL one more round trip
    (the lock, the read and `nextval`)."""
    db = AuditLog._meta.database
    if db.in_transaction():
        _append_audit(db, action, record, user_id, till, role, at, detail)
    else:
        with write_transaction(db):
            _append_audit(db, action, record, user_id, till, role, at, detail)


def _append_audit(db, action, record, user_id, till, role, at, detail) -> None:
    text = _detail_json(detail) if detail else ""
    at = (at or dt.datetime.now()).replace(microsecond=0)
    param = db.param
    if role is _LOOK_UP:
        found = (db.execute_sql(f"SELECT role FROM app_user WHERE id = {param}", (user_id,)).fetchone()
                 if user_id is not None else None)
        role = found[0] if found else None
    if is_sqlite(db):
        last = db.execute_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        row_id = last[0] + 1 if last else 1
        at_value = at.isoformat(" ")  # the text peewee stores and reads back
    else:
        cursor = db.execute_sql(_PG_LOCK_AND_READ)  # no parameters: both statements in one round trip
        cursor.nextset()
        row_id, *last = cursor.fetchone()
        last = last if last[0] is not None else None
        at_value = at
    prev_hash = last[1] if last else AUDIT_GENESIS
    digest = audit_row_hash(row_id, at, user_id, role, till, action, record, text, prev_hash)
    db.execute_sql(f"INSERT INTO audit_log ({_AUDIT_COLUMNS}) VALUES ({', '.join([param] * 10)})",
                   (row_id, at_value, user_id, role, till, action, record, text, prev_hash, digest))


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit log row as `kiosk audit` shows it."""

    id: int
    at: dt.datetime
    user_id: int | None
    user: str | None
    role: str | None
    till: str
    action: str
    record: str
    detail: dict
    hash: str | None


def audit_rows(*, since: dt.datetime | None = None, until: dt.datetime | None = None, user_id: int | None = None,
               action_prefix: str | None = None, limit: int | None = None, chunk: int = 1_000):
    """Audit rows newest first (by id, the chain's order), filtered; a generator that reads `chunk` rows
    at a time by id (keyset), so a whole log can be streamed out. `until` is exclusive."""
    where = []
    if since is not None:
        where.append(AuditLog.at >= since)
    if until is not None:
        where.append(AuditLog.at < until)
    if user_id is not None:
        where.append(AuditLog.user == user_id)
    if action_prefix:
        where.append(fn.SUBSTR(AuditLog.action, 1, len(action_prefix)) == action_prefix)  # exact, no LIKE escapes
    left = limit
    before = None
    while left is None or left > 0:
        page = chunk if left is None else min(chunk, left)
        conditions = where + ([AuditLog.id < before] if before is not None else [])
        query = (AuditLog.select(AuditLog.id, AuditLog.at, AuditLog.user_id, User.name, AuditLog.role, AuditLog.till,
                                 AuditLog.action, AuditLog.record, AuditLog.detail, AuditLog.hash)
                 .join(User, JOIN.LEFT_OUTER, on=(AuditLog.user == User.id))
                 .order_by(AuditLog.id.desc()).limit(page))
        if conditions:
            query = query.where(*conditions)
        rows = list(query.tuples())
        for row_id, at, uid, name, role, till, action, record, detail, digest in rows:
            yield AuditRow(row_id, at, uid, name, role, till or "", action, record or "",
                           _detail_of(detail), digest)
        if len(rows) < page:
            return
        before = rows[-1][0]
        if left is not None:
            left -= len(rows)


def _detail_of(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def audit_user_id(name: str) -> int | None:
    """The id of the user named `name` (active or not: the log names people who have left), or None."""
    row = User.select(User.id).where(User.name == name).tuples().first()
    return row[0] if row else None
