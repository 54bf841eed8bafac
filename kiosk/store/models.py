"""Peewee models of the shop's books.

Models carry no `Meta.database`: `store.db.open_database` binds them at run time, so one process can
open a SQLite file in a test and a PostgreSQL server in the next. The schema itself is created only by
the numbered scripts in `migrations/`; these classes must describe the same columns.
"""

from __future__ import annotations

import datetime as dt

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class BaseModel(Model):
    class Meta:
        legacy_table_names = False


class Shop(BaseModel):
    name = CharField()
    country = CharField(max_length=2)
    currency = CharField(max_length=3)
    locale = CharField(max_length=16)
    #: Mobile-money services this shop takes, comma separated ("JazzCash,EasyPaisa").
    mobile_money = TextField(default="")
    demo = BooleanField(default=False)
    created_at = DateTimeField(default=_now)


class User(BaseModel):
    name = CharField(unique=True)
    role = CharField()
    pin_hash = CharField()
    active = BooleanField(default=True)
    created_at = DateTimeField(default=_now)

    class Meta:
        table_name = "app_user"  # "user" is reserved in PostgreSQL


class CustomerGroup(BaseModel):
    name = CharField(unique=True)
    builtin = BooleanField(default=False)


class Customer(BaseModel):
    name = CharField(max_length=200)
    #: Casefolded name: prefix search and sorting without collation surprises across scripts.
    name_key = CharField(max_length=200, index=True)
    phone = CharField(null=True, unique=True)  # E.164
    cnic = CharField(null=True, index=True)  # 13 digits
    email = CharField(null=True)
    address = TextField(default="")
    business = CharField(default="")
    birth_date = DateField(null=True)
    notes = TextField(default="")
    credit_limit = BigIntegerField(null=True)  # minor units
    tier = CharField(default="New")
    group = ForeignKeyField(CustomerGroup, backref="customers", column_name="group_id")
    created_at = DateTimeField(default=_now)
    archived = BooleanField(default=False)
    merged_into = ForeignKeyField("self", null=True, backref="merged", column_name="merged_into_id")
    #: Cached from the books, written in the same transaction as each entry; `kiosk check` proves it.
    balance = BigIntegerField(default=0)
    points = BigIntegerField(default=0)
    #: Everything a cashier may type to find this customer, casefolded (the search index's source).
    search_text = TextField(default="")


class KhataEntry(BaseModel):
    customer = ForeignKeyField(Customer, backref="entries", column_name="customer_id")
    kind = CharField(max_length=8)  # debit, credit, reversal
    amount = BigIntegerField()  # minor units, > 0
    date = DateField(index=True)
    note = TextField(default="")
    method = CharField(null=True)
    source = CharField(null=True)
    #: Unique, so no entry can be reversed twice even by two tills at once.
    reverses = ForeignKeyField("self", null=True, unique=True, backref="reversal", column_name="reverses_id")
    promised_date = DateField(null=True)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    override_by = ForeignKeyField(User, null=True, column_name="override_by_id")
    till = CharField(default="")
    created_at = DateTimeField(default=_now)
    #: Made by the client before it submits: the same action sent twice books once.
    idempotency_key = CharField(null=True, unique=True)

    class Meta:
        # Created by migrations 0001 (the ledger in date order) and 0002 (the credit report's cover).
        indexes = (
            (("customer", "date", "id"), False),
            (("customer", "kind", "date", "amount"), False),
        )


class CustomerMerge(BaseModel):
    """The trail a merge leaves: which record was folded into which, by whom, and what moved."""

    kept = ForeignKeyField(Customer, column_name="kept_id")
    merged = ForeignKeyField(Customer, column_name="merged_id")
    moved_entries = IntegerField()
    merged_name = CharField()
    merged_phone = CharField(null=True)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    till = CharField(default="")
    created_at = DateTimeField(default=_now)


class AuditLog(BaseModel):
    at = DateTimeField(default=_now, index=True)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    till = CharField(default="")
    action = CharField()
    record = CharField(default="")
    detail = TextField(default="")


class Product(BaseModel):
    """Something the shop sells. Created by migration 0003, with its search index."""

    sku = CharField(max_length=32)
    #: The SKU in ASCII lower case: unique, so "ATTA-10" and "atta-10" are one product.
    sku_key = CharField(max_length=32, unique=True)
    barcode = CharField(max_length=32, null=True, unique=True)  # digits; EAN/UPC check digit verified
    name = CharField(max_length=200)
    #: Casefolded name: prefix search and sorting, as for customers.
    name_key = CharField(max_length=200, index=True)
    price = BigIntegerField()  # minor units, > 0; per kg or litre for weighed units
    unit = CharField(max_length=8, default="each")  # each, kg, litre
    active = BooleanField(default=True)
    created_at = DateTimeField(default=_now)
    #: SKU, barcode and name, casefolded (the search index's source).
    search_text = TextField(default="")


class ProductGroupPrice(BaseModel):
    """A product's price for one customer group (e.g. Wholesale), instead of its unit price."""

    product = ForeignKeyField(Product, backref="group_prices", column_name="product_id")
    group = ForeignKeyField(CustomerGroup, column_name="group_id")
    price = BigIntegerField()  # minor units, > 0

    class Meta:
        indexes = ((("product", "group"), True),)


class Setting(BaseModel):
    """One shop setting that differs from its default (kiosk.domain.settings has the registry)."""

    key = CharField(max_length=100, unique=True)
    #: As kiosk.domain.settings stores it: money in minor units, multipliers as exact decimals.
    value = TextField()
    updated_at = DateTimeField(default=_now)
    updated_by = ForeignKeyField(User, null=True, column_name="updated_by_id")


MODELS = (Shop, User, CustomerGroup, Customer, KhataEntry, CustomerMerge, AuditLog, Product, ProductGroupPrice,
          Setting)
