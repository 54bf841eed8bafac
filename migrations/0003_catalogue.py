"""The catalogue: products, their prices per customer group, and product search.

Frozen copies of the models as they were when this script was written: never import the app here.
Search is over one casefolded `search_text` column (SKU, barcode, name), indexed as customers' is:
an external-content FTS5 trigram table kept by triggers on SQLite, a pg_trgm GIN index on PostgreSQL.
"""

import datetime

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    Model,
    PostgresqlDatabase,
    TextField,
)


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class CustomerGroup(Base):  # made by 0001; here only for the foreign key
        name = CharField(unique=True)
        builtin = BooleanField(default=False)

    class Product(Base):
        sku = CharField(max_length=32)
        sku_key = CharField(max_length=32, unique=True)
        barcode = CharField(max_length=32, null=True, unique=True)
        name = CharField(max_length=200)
        name_key = CharField(max_length=200, index=True)
        price = BigIntegerField()
        unit = CharField(max_length=8, default="each")
        active = BooleanField(default=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        search_text = TextField(default="")

    class ProductGroupPrice(Base):
        product = ForeignKeyField(Product, column_name="product_id")
        group = ForeignKeyField(CustomerGroup, column_name="group_id")
        price = BigIntegerField()

        class Meta:
            indexes = ((("product", "group"), True),)

    return [Product, ProductGroupPrice]


_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE product_fts USING fts5(search_text, content='product', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER product_fts_ai AFTER INSERT ON product BEGIN "
    "INSERT INTO product_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER product_fts_ad AFTER DELETE ON product BEGIN "
    "INSERT INTO product_fts(product_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    # Only when the text really changed: a price-list import rewrites prices, not names.
    "CREATE TRIGGER product_fts_au AFTER UPDATE OF search_text ON product "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO product_fts(product_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO product_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]

_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX product_search_trgm ON product USING gin (search_text gin_trgm_ops)",
]


def up(migrator, db):
    db.create_tables(_models(db))
    for sql in _POSTGRES_SEARCH if isinstance(db, PostgresqlDatabase) else _SQLITE_SEARCH:
        db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP INDEX IF EXISTS product_search_trgm")
    else:
        for name in ("product_fts_ai", "product_fts_ad", "product_fts_au"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
        db.execute_sql("DROP TABLE IF EXISTS product_fts")
    db.drop_tables(list(reversed(_models(db))))
