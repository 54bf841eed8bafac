"""Users (app_user) and each till's wrong-PIN counter (login_lock): the queries behind kiosk.services.users.

Call these inside the service's transaction. Rows go out as plain dataclasses, never peewee rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, CharField, DateTimeField, IntegerField, IntegrityError

from kiosk.domain.errors import KioskError, NotFound
from kiosk.store.db import is_sqlite
from kiosk.store.models import BaseModel, User
from kiosk.store.shop import UserRef

PEPPERED_PREFIX = "scrypt-pepper$"


class LoginLock(BaseModel):
    """Wrong PINs in a row at one till, and until when its login is locked (migration 0009).

    Declared here rather than in store.models (its only reader and writer is this module); bound to
    the database the other models are bound to, at first use (`_locks`)."""

    till = CharField(unique=True)
    failures = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_failure_at = DateTimeField(null=True)
    updated_at = DateTimeField(default=dt.datetime.now)

    class Meta:
        table_name = "login_lock"


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    name: str
    role: str
    active: bool
    pin_hash: str
    pin_tag: str | None
    created_at: dt.datetime | None
    created_by: str | None
    disabled_at: dt.datetime | None
    last_login_at: dt.datetime | None

    @property
    def ref(self) -> UserRef:
        return UserRef(self.id, self.name, self.role)


@dataclass(frozen=True, slots=True)
class TillLock:
    till: str
    failures: int
    locked_until: dt.datetime | None
    last_failure_at: dt.datetime | None


def _record(row: User, created_by: str | None = None) -> UserRecord:
    return UserRecord(row.id, row.name, row.role, bool(row.active), row.pin_hash, row.pin_tag, row.created_at,
                      created_by, row.disabled_at, row.last_login_at)


def _locking(query):
    """FOR UPDATE on PostgreSQL; SQLite already holds the write lock from BEGIN IMMEDIATE."""
    return query if is_sqlite(User._meta.database) else query.for_update()


# --- Users ----------------------------------------------------------------------------------------


def by_tag(tag: str) -> UserRecord | None:
    row = User.get_or_none(User.pin_tag == tag)
    return _record(row) if row else None


def by_name(name: str, *, lock: bool = False) -> UserRecord:
    query = User.select().where(User.name == name)
    row = (_locking(query) if lock else query).first()
    if row is None:
        raise NotFound(f"user: no user is called {name!r} (see `kiosk user list`)")
    return _record(row)


def by_id(user_id: int) -> UserRecord | None:
    row = User.get_or_none(User.id == user_id)
    return _record(row) if row else None


def untagged() -> list[UserRecord]:
    """Users made before migration 0009 (unpeppered hash, no tag yet), active or not."""
    return [_record(row) for row in User.select().where(User.pin_tag.is_null()).order_by(User.id)]


def tag_taken(tag: str) -> bool:
    return User.select().where(User.pin_tag == tag).exists()


def a_peppered_hash() -> str | None:
    """One peppered PIN hash of this shop (they all carry the same pepper id), or None."""
    row = (User.select(User.pin_hash).where(User.pin_hash.startswith(PEPPERED_PREFIX))
           .order_by(User.id.desc()).first())
    return row.pin_hash if row else None


def all_users() -> list[UserRecord]:
    creator = User.alias()
    rows = (User.select(User, creator.name.alias("creator_name"))
            .join(creator, on=(User.created_by == creator.id), join_type=JOIN.LEFT_OUTER)
            .order_by(User.active.desc(), User.name).objects())
    return [_record(row, row.creator_name) for row in rows]


def insert(name: str, role: str, pin_hash: str, pin_tag: str, *, created_by: int | None) -> UserRef:
    """A new user; the unique indexes (name, pin_tag) refuse a duplicate even when two tills race."""
    if User.select().where(User.name == name).exists():
        raise KioskError(f"user: a user named {name!r} already exists")
    if tag_taken(pin_tag):
        raise KioskError("pin: another user already has this PIN; choose another")
    try:
        with User._meta.database.atomic():  # a savepoint: the caller's transaction stays usable
            row = User.create(name=name, role=role, pin_hash=pin_hash, pin_tag=pin_tag, created_by=created_by)
    except IntegrityError:
        raise KioskError(f"user: {name!r} or this PIN was taken at the same moment by another till") from None
    return UserRef(row.id, row.name, row.role)


def set_pin(user_id: int, pin_hash: str, pin_tag: str) -> None:
    try:
        with User._meta.database.atomic():
            User.update(pin_hash=pin_hash, pin_tag=pin_tag).where(User.id == user_id).execute()
    except IntegrityError:
        raise KioskError("pin: another user already has this PIN; choose another") from None


def set_active(user_id: int, active: bool, at: dt.datetime | None) -> None:
    User.update(active=active, disabled_at=None if active else at).where(User.id == user_id).execute()


def set_role(user_id: int, role: str) -> None:
    User.update(role=role).where(User.id == user_id).execute()


def touch_login(user_id: int, at: dt.datetime) -> None:
    User.update(last_login_at=at).where(User.id == user_id).execute()


def lock_active_owners() -> list[int]:
    """Ids of the active owners, read under row locks (PostgreSQL) so two owners can't disable or
    demote each other at the same moment and leave the shop with none."""
    query = User.select(User.id).where((User.role == "owner") & (User.active == True))  # noqa: E712
    return [row.id for row in _locking(query.order_by(User.id))]


# --- Each till's wrong-PIN counter ----------------------------------------------------------------


def _locks():
    db = User._meta.database
    if LoginLock._meta.database is not db:
        LoginLock.bind(db, bind_refs=False, bind_backrefs=False)
    return LoginLock


def till_lock(till: str, *, lock: bool = False) -> TillLock:
    """The till's counter (zero when it never had a wrong PIN)."""
    model = _locks()
    query = model.select().where(model.till == till)
    row = (_locking(query) if lock else query).first()
    if row is None:
        return TillLock(till, 0, None, None)
    return TillLock(row.till, row.failures, row.locked_until, row.last_failure_at)


def save_till_lock(till: str, failures: int, locked_until: dt.datetime | None, at: dt.datetime) -> None:
    model = _locks()
    values = {"failures": failures, "locked_until": locked_until, "last_failure_at": at, "updated_at": at}
    (model.insert(till=till, **values)
     .on_conflict(conflict_target=[model.till], update={getattr(model, k): v for k, v in values.items()})
     .execute())


def clear_till_lock(till: str) -> bool:
    """Reset the till's counter; True when there was something to reset."""
    model = _locks()
    return bool(model.delete().where(model.till == till).execute())


def clear_all_till_locks() -> int:
    model = _locks()
    return model.delete().execute()


def till_locks() -> list[TillLock]:
    model = _locks()
    return [TillLock(r.till, r.failures, r.locked_until, r.last_failure_at)
            for r in model.select().order_by(model.till)]
