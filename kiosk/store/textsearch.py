"""Search pieces customers and products share: prefix search on a casefolded key column, and
substring search over a `search_text` column through its trigram index, the same on SQLite and
PostgreSQL.

Prefix search:
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


def substring_matches(db: Database, table: str, query: str, n: int, live: str = "") -> list[int]:
    """Ids of the first `n` rows of `table` whose search_text contains `query`, in the order they were
    added: FTS5 trigram (`<table>_fts`) on SQLite, pg_trgm on PostgreSQL. `live` is extra SQL such as
    " AND NOT archived"."""
    if is_sqlite(db):
        phrase = '"' + query.replace('"', '""') + '"'  # an FTS5 phrase: quotes are text, not syntax
        sql = (f"SELECT {table}.id FROM {table}_fts f JOIN {table} ON {table}.id = f.rowid "
               f"WHERE {table}_fts MATCH ?{live} ORDER BY f.rowid LIMIT ?")
        return [r[0] for r in db.execute_sql(sql, (phrase, n))]
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    sql = f"SELECT id FROM {table} WHERE search_text LIKE %s{live} ORDER BY id LIMIT %s"
    return [r[0] for r in db.execute_sql(sql, (pattern, n))]


def fill(ids: list[int], more: list[int], limit: int) -> list[int]:
    """`ids` topped up to `limit` from `more`, skipping those already there, order kept."""
    seen = set(ids)
    return ids + [i for i in more if i not in seen][: limit - len(ids)]
