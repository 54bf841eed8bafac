"""The shop's settings as stored: overrides in the setting table, and the shop row's own columns."""

from __future__ import annotations

import datetime as dt

from kiosk.domain.errors import KioskError
from kiosk.store.db import is_sqlite
from kiosk.store.models import Setting, Shop

#: The shop row's columns that settings may read and write (kiosk.domain.settings' shop_column).
SHOP_COLUMNS = ("name", "locale", "mobile_money", "country", "currency")
#: Of those, the ones a setting may change (country and currency are fixed at init).
WRITABLE_SHOP_COLUMNS = ("name", "locale", "mobile_money")


def load_overrides() -> dict[str, str]:
    """Every stored override, key -> stored text: one query, in plain SQL (every sale reads it)."""
    return dict(Setting._meta.database.execute_sql("SELECT key, value FROM setting").fetchall())


def save(key: str, value: str, user_id: int | None) -> None:
    """Insert or replace one override (an upsert, so two tills setting a key at once cannot collide)."""
    now = dt.datetime.now().replace(microsecond=0)
    (Setting.insert(key=key, value=value, updated_at=now, updated_by=user_id)
     .on_conflict(conflict_target=[Setting.key],
                  update={Setting.value: value, Setting.updated_at: now, Setting.updated_by: user_id})
     .execute())


def remove(key: str) -> None:
    """Drop an override: the key follows its default again."""
    Setting.delete().where(Setting.key == key).execute()


def lock_shop() -> dict[str, str]:
    """The shop row's setting columns, read under a row lock on PostgreSQL (SQLite already holds the
    write lock from BEGIN IMMEDIATE), so settings changes from two tills queue one after the other."""
    query = Shop.select(*(getattr(Shop, c) for c in SHOP_COLUMNS))
    if not is_sqlite(Shop._meta.database):
        query = query.for_update()
    row = query.dicts().first()
    if row is None:
        raise KioskError("this database has no shop yet: run `kiosk init`")
    return row


def update_shop(column: str, value: str) -> None:
    if column not in WRITABLE_SHOP_COLUMNS:
        raise KioskError(f"the shop's {column} cannot be changed here")
    Shop.update({getattr(Shop, column): value}).execute()
