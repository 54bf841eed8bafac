"""Plain parameterised SQL for the hot paths (a sale, its message): peewee's query building costs more
than the statement itself there (bench/sales.py). `db.param` is the driver's placeholder on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import functools

from peewee import Database

from kiosk.store.db import is_sqlite


class SqlArgs:
    """Collects a statement's arguments in the order their placeholders are written (`p(value)` returns the
    placeholder): dates go to SQLite as the ISO text it keeps them as (a datetime as sqlite3's own adapter
    writes it, "2025-03-01 15:17:00"), to PostgreSQL as dates."""

    def __init__(self, db: Database):
        self.sqlite, self.mark, self.values = is_sqlite(db), db.param, []

    def __call__(self, value) -> str:
        if self.sqlite and isinstance(value, dt.date):
            value = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        self.values.append(value)
        return self.mark


def insert_sql(db: Database, table: str, columns: tuple[str, ...], rows: int = 1) -> str:
    return _insert_text(db.param, table, columns, rows)


@functools.lru_cache(maxsize=64)
def _insert_text(param: str, table: str, columns: tuple[str, ...], rows: int) -> str:
    one = "(" + ", ".join([param] * len(columns)) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([one] * rows)


def now() -> dt.datetime:
    """A row's created_at, as the models' default makes it (to the second)."""
    return dt.datetime.now().replace(microsecond=0)


def timestamp(db: Database, at: dt.datetime):
    """A datetime as the column stores it: text on SQLite (as peewee writes it), native on PostgreSQL."""
    return at.isoformat(" ") if is_sqlite(db) else at
