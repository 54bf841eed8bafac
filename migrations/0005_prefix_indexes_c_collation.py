"""PostgreSQL: index the prefix-searched keys by code point (COLLATE "C"), as kiosk/store/textsearch.py
compares and sorts them, so prefix search finds every match whatever the database's locale and still
reads an index. SQLite's default collation is already by code point: nothing to do there."""

from peewee import PostgresqlDatabase

INDEXES = (
    ("customer_name_key_c", "customer", "name_key"),
    ("product_name_key_c", "product", "name_key"),
    ("product_sku_key_c", "product", "sku_key"),
)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for name, table, column in INDEXES:
            db.execute_sql(f'CREATE INDEX {name} ON {table} ({column} COLLATE "C")')


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for name, _table, _column in INDEXES:
            db.execute_sql(f"DROP INDEX {name}")
