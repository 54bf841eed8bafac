"""The shop, users, customers and their groups, the khata, merges, the audit log, customer search.

Frozen copies of the models as they were when this script was written: never import the app here.
"""

import datetime

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
)


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Shop(Base):
        name = CharField()
        country = CharField(max_length=2)
        currency = CharField(max_length=3)
        locale = CharField(max_length=16)
        mobile_money = TextField(default="")
        demo = BooleanField(default=False)
        created_at = DateTimeField(default=datetime.datetime.now)

    class User(Base):
        name = CharField(unique=True)
        role = CharField()
        pin_hash = CharField()
        active = BooleanField(default=True)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            table_name = "app_user"

    class CustomerGroup(Base):
        name = CharField(unique=True)
        builtin = BooleanField(default=False)

    class Customer(Base):
        name = CharField(max_length=200)
        name_key = CharField(max_length=200, index=True)
        phone = CharField(null=True, unique=True)
        cnic = CharField(null=True, index=True)
        email = CharField(null=True)
        address = TextField(default="")
        business = CharField(default="")
        birth_date = DateField(null=True)
        notes = TextField(default="")
        credit_limit = BigIntegerField(null=True)
        tier = CharField(default="New")
        group = ForeignKeyField(CustomerGroup, column_name="group_id")
        created_at = DateTimeField(default=datetime.datetime.now)
        archived = BooleanField(default=False)
        merged_into = ForeignKeyField("self", null=True, column_name="merged_into_id")
        balance = BigIntegerField(default=0)
        points = BigIntegerField(default=0)
        search_text = TextField(default="")

    class KhataEntry(Base):
        customer = ForeignKeyField(Customer, column_name="customer_id")
        kind = CharField(max_length=8)
        amount = BigIntegerField()
        date = DateField(index=True)
        note = TextField(default="")
        method = CharField(null=True)
        source = CharField(null=True)
        reverses = ForeignKeyField("self", null=True, unique=True, column_name="reverses_id")
        promised_date = DateField(null=True)
        user = ForeignKeyField(User, null=True, column_name="user_id")
        override_by = ForeignKeyField(User, null=True, column_name="override_by_id")
        till = CharField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)
        idempotency_key = CharField(null=True, unique=True)

        class Meta:
            # The ledger of one customer in date order is the hot read.
            indexes = ((("customer", "date", "id"), False),)

    class CustomerMerge(Base):
        kept = ForeignKeyField(Customer, column_name="kept_id")
        merged = ForeignKeyField(Customer, column_name="merged_id")
        moved_entries = IntegerField()
        merged_name = CharField()
        merged_phone = CharField(null=True)
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)

    class AuditLog(Base):
        at = DateTimeField(default=datetime.datetime.now, index=True)
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        action = CharField()
        record = CharField(default="")
        detail = TextField(default="")

    return [Shop, User, CustomerGroup, Customer, KhataEntry, CustomerMerge, AuditLog]


_SQLITE_SEARCH = [
    # External-content FTS5 over customer.search_text with the trigram tokenizer: substring search
    # in any script (Urdu included), case-insensitive, kept in step by triggers.
    "CREATE VIRTUAL TABLE customer_fts USING fts5(search_text, content='customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER customer_fts_ai AFTER INSERT ON customer BEGIN "
    "INSERT INTO customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER customer_fts_ad AFTER DELETE ON customer BEGIN "
    "INSERT INTO customer_fts(customer_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER customer_fts_au AFTER UPDATE OF search_text ON customer BEGIN "
    "INSERT INTO customer_fts(customer_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]

_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX customer_search_trgm ON customer USING gin (search_text gin_trgm_ops)",
]


def up(migrator, db):
    db.create_tables(_models(db))
    for sql in _POSTGRES_SEARCH if isinstance(db, PostgresqlDatabase) else _SQLITE_SEARCH:
        db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP INDEX IF EXISTS customer_search_trgm")
    else:
        for name in ("customer_fts_ai", "customer_fts_ad", "customer_fts_au"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
        db.execute_sql("DROP TABLE IF EXISTS customer_fts")
    db.drop_tables(list(reversed(_models(db))))
