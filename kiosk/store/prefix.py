"""Prefix search on a casefolded key column, the same on SQLite and PostgreSQL.

`key >= q AND key < q + U+10FFFF` finds every key starting with q only when keys sort by code point.
SQLite's default BINARY collation does; PostgreSQL sorts by the database's locale (en_US.UTF-8 puts
"a-b" and "ab" in an order a range cannot follow), so there the column is compared, sorted and indexed
(migration 0005) with COLLATE "C". One ordering on both backends, and the index serves it.
"""

from __future__ import annotations

from peewee import Database

from kiosk.store.db import is_sqlite

_HIGHEST = "\U0010ffff"


def sort_key(db: Database, column: str) -> str:
    """The column as sorted and compared: by code point on both backends."""
    return column if is_sqlite(db) else f'{column} COLLATE "C"'


def starts_with(db: Database, column: str) -> str:
    """A WHERE fragment with two placeholders; pass `bounds(query)` for them."""
    key = sort_key(db, column)
    return f"{key} >= {db.param} AND {key} < {db.param}"


def bounds(prefix: str) -> tuple[str, str]:
    return prefix, prefix + _HIGHEST
