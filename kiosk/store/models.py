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
    Check,
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
    #: "scrypt-pepper$…" (peppered, migration 0009) or "scrypt$…" (older, re-hashed at the next login).
    pin_hash = CharField()
    active = BooleanField(default=True)
    created_at = DateTimeField(default=_now)
    #: HMAC-SHA256(pepper, "tag:" + PIN), hex: the login lookup and the PIN's uniqueness (0009).
    #: NULL until a user made before 0009 logs in once.
    pin_tag = CharField(max_length=64, null=True, unique=True)
    created_by = ForeignKeyField("self", null=True, column_name="created_by_id", backref="+", index=False)
    disabled_at = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)

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
    #: A tier set by hand stays until unpinned (migration 0006); otherwise sales re-evaluate it.
    tier_pinned = BooleanField(default=False)
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
    #: The sale this entry belongs to (a credit sale or store credit spent), from migration 0007.
    sale_id = CharField(max_length=64, null=True, index=True)

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
    """Append-only and hash-chained (migration 0010): write it only through `store.shop.audit`."""

    at = DateTimeField(default=_now, index=True)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    #: The acting user's role when the row was written (NULL for rows written before 0010).
    role = CharField(null=True)
    till = CharField(default="")
    action = CharField()
    record = CharField(default="")
    detail = TextField(default="")
    #: The previous row's `hash` (64 zeros for the first row).
    prev_hash = CharField(max_length=64, null=True)
    #: SHA-256 of the row's canonical form, `prev_hash` included (see `store.shop.audit_row_hash`).
    hash = CharField(max_length=64, null=True)


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


class PointsEntry(BaseModel):
    """One line of a customer's points ledger (migration 0006). Append-only, like the khata: earn,
    redeem, expire, take-back (a refund takes back what a sale earned) and give-back (a refund returns
    what a sale spent). `points` > 0; the kind gives the sign."""

    customer = ForeignKeyField(Customer, backref="points_entries", column_name="customer_id")
    kind = CharField(max_length=16)
    points = BigIntegerField(constraints=[Check("points > 0")])
    date = DateField()
    #: Lots that add points: the day after which they expire; None: never. An expire entry: the day its
    #: run expired lots as of (the watermark the next run starts from).
    expires_on = DateField(null=True, index=True)
    #: The sale (a uuid string) this entry belongs to; no foreign key, the sales table came later.
    sale_id = CharField(max_length=64, null=True, index=True)
    note = TextField(default="")
    user = ForeignKeyField(User, null=True, column_name="user_id")
    till = CharField(default="")
    created_at = DateTimeField(default=_now)
    idempotency_key = CharField(null=True, unique=True)

    class Meta:
        indexes = ((("customer", "date", "id"), False),)


class Campaign(BaseModel):
    """A points campaign ("double points in Ramadan"), migration 0006."""

    name = CharField(max_length=100, unique=True)
    start = DateField()
    end = DateField()  # inclusive
    #: An exact decimal as typed ("2", "1.5"), never a float.
    multiplier = CharField(max_length=16)
    groups = TextField(default="")  # comma separated group names; empty: every group
    tiers = TextField(default="")  # comma separated tiers; empty: every tier
    active = BooleanField(default=True)
    created_at = DateTimeField(default=_now)



class Sale(BaseModel):
    """A completed sale. `id` is made when the basket opens: the idempotency key. Migration 0007."""

    id = CharField(max_length=64, primary_key=True)
    customer = ForeignKeyField(Customer, null=True, column_name="customer_id")
    date = DateField(index=True)
    created_at = DateTimeField(default=_now)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    till = CharField(default="")
    gross = BigIntegerField()
    line_discounts = BigIntegerField()
    basket_discount = BigIntegerField()
    total = BigIntegerField()  # after discounts, before points and rounding
    points_redeemed = BigIntegerField(default=0)
    points_value = BigIntegerField(default=0)
    rounding = BigIntegerField(default=0)
    paid = BigIntegerField()  # total - points_value + rounding: what the tenders cover
    cash_given = BigIntegerField(default=0)
    change = BigIntegerField(default=0)
    points_earned = BigIntegerField(default=0)
    khata = BigIntegerField(default=0)
    store_credit = BigIntegerField(default=0)
    tier_after = CharField(null=True)
    approved_by = ForeignKeyField(User, null=True, column_name="approved_by_id")
    override_by = ForeignKeyField(User, null=True, column_name="override_by_id")
    # Migration 0008: the customer's khata balance and points just after the sale (for reprints) ...
    balance_after = BigIntegerField(null=True)
    points_after = BigIntegerField(null=True)
    # ... what refunds have taken back of `total` (lifetime value and tiers count what was kept) ...
    refunded = BigIntegerField(default=0)
    fully_refunded = BooleanField(default=False)
    # ... and, when credit sales earn only once paid, the points the khata part earns when paid in
    # full and how many of them the payments so far have earned.
    khata_points_due = BigIntegerField(default=0)
    khata_points_earned = BigIntegerField(default=0)


class SaleLine(BaseModel):
    """A line and its share of the sale's discounts, points, khata and store credit (for refunds)."""

    sale = ForeignKeyField(Sale, backref="lines", column_name="sale_id")
    n = IntegerField()
    product = ForeignKeyField(Product, null=True, column_name="product_id")
    sku = CharField(null=True)
    description = CharField()
    unit = CharField(default="each")
    unit_price = BigIntegerField()
    quantity_milli = BigIntegerField()
    discount_bp = IntegerField(default=0)
    discount_amount = BigIntegerField(default=0)
    gross = BigIntegerField()
    net = BigIntegerField()
    points_discount = BigIntegerField(default=0)
    points_redeemed = BigIntegerField(default=0)
    points_earned = BigIntegerField(default=0)
    khata = BigIntegerField(default=0)
    store_credit = BigIntegerField(default=0)


class SaleTender(BaseModel):
    sale = ForeignKeyField(Sale, backref="tenders", column_name="sale_id")
    method = CharField()
    name = CharField(null=True)
    amount = BigIntegerField()


class ParkedSale(BaseModel):
    """A basket put aside to finish later; survives a restart. `payload` is the basket as JSON."""

    id = CharField(max_length=64, primary_key=True)
    created_at = DateTimeField(default=_now)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    till = CharField(default="")
    customer = ForeignKeyField(Customer, null=True, column_name="customer_id")
    payload = TextField()
    note = TextField(default="")



class Refund(BaseModel):
    """Part or all of a past sale taken back (migration 0008). `id` is the client-made idempotency key.

    What went out: `khata_off` came off the khata (what the sale had put on it), `store_credit_back`
    returned the store credit the sale spent, `payout` is the money paid for the goods, given as cash or
    as store credit (`destination`), less `shortfall_value` when the customer had already spent points
    this refund had to take back."""

    id = CharField(max_length=64, primary_key=True)
    sale = ForeignKeyField(Sale, backref="refunds", column_name="sale_id")
    customer = ForeignKeyField(Customer, null=True, column_name="customer_id")
    date = DateField()
    created_at = DateTimeField(default=_now)
    user = ForeignKeyField(User, null=True, column_name="user_id")
    till = CharField(default="")
    approved_by = ForeignKeyField(User, null=True, column_name="approved_by_id")
    destination = CharField(max_length=16)  # cash, store-credit
    goods = BigIntegerField()  # Σ net of the lines taken back
    points_value = BigIntegerField(default=0)  # the part of `goods` the sale's points had paid
    khata_off = BigIntegerField(default=0)
    store_credit_back = BigIntegerField(default=0)
    payout = BigIntegerField(default=0)
    rounding = BigIntegerField(default=0)  # cash rounding of the payout (+ the sale's, on the last refund)
    points_given_back = BigIntegerField(default=0)
    points_taken_back = BigIntegerField(default=0)
    shortfall_points = BigIntegerField(default=0)
    shortfall_value = BigIntegerField(default=0)


class RefundLine(BaseModel):
    """How much of one sale line a refund took back, with that part's share of everything."""

    refund = ForeignKeyField(Refund, backref="lines", column_name="refund_id")
    sale_line = ForeignKeyField(SaleLine, column_name="sale_line_id")
    quantity_milli = BigIntegerField()
    net = BigIntegerField()
    points_discount = BigIntegerField(default=0)
    points_redeemed = BigIntegerField(default=0)
    points_earned = BigIntegerField(default=0)
    khata = BigIntegerField(default=0)
    store_credit = BigIntegerField(default=0)


class OutboxMessage(BaseModel):
    """A message to a customer, written in the transaction of what it tells of; a worker sends it."""

    customer = ForeignKeyField(Customer, null=True, column_name="customer_id")
    channel = CharField(max_length=16)  # sms, whatsapp
    recipient = CharField()  # E.164
    kind = CharField(max_length=32)  # credit-sale, payment, refund, reminder
    body = TextField()
    sale_id = CharField(max_length=64, null=True)
    created_at = DateTimeField(default=_now)
    status = CharField(max_length=16, default="pending")  # pending, sent, failed, dropped
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(null=True)
    last_error = TextField(default="")
    sent_at = DateTimeField(null=True)
    idempotency_key = CharField(null=True, unique=True)


class KhataPromise(BaseModel):
    """A promised payment date (migration 0013): "will pay by `promised_on`", made when the customer
    owed `owed` and their newest khata entry was `last_entry_id`. Append-only: the newest row counts."""

    customer = ForeignKeyField(Customer, backref="promises", column_name="customer_id", index=False)
    promised_on = DateField(index=True)
    owed = BigIntegerField()  # minor units: the balance when promised
    last_entry_id = BigIntegerField(null=True)
    note = TextField(default="")
    user = ForeignKeyField(User, null=True, column_name="user_id", backref="+")
    till = CharField(default="")
    created_at = DateTimeField(default=_now)
    idempotency_key = CharField(null=True, unique=True)

    class Meta:
        table_name = "khata_promise"
        indexes = ((("customer", "id"), False),)


class PrintJob(BaseModel):
    """A receipt, slip or drawer kick waiting for (or sent to) the receipt printer (migration 0014).
    Written in the transaction of what it prints; sent after commit (`services.printing`)."""

    kind = CharField(max_length=16)  # receipt, refund, payment, statement, day, test, drawer
    ref = CharField(max_length=64, default="")  # the sale, refund, khata entry or customer it prints
    payload = TextField(default="")  # JSON: the figures as they were (refund and payment slips)
    printer = CharField(max_length=300, null=True)  # another printer for this job; NULL: printer.url
    kick_drawer = BooleanField(default=False)
    reprint = BooleanField(default=False)
    status = CharField(max_length=16, default="pending")  # pending, printing, printed, dropped, expired
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(null=True)
    last_error = TextField(default="")
    claimed_by = CharField(max_length=64, null=True)
    claimed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=_now)
    printed_at = DateTimeField(null=True)
    user = ForeignKeyField(User, null=True, column_name="user_id", index=False)
    till = CharField(default="")
    idempotency_key = CharField(max_length=100, null=True, unique=True)


MODELS = (Shop, User, CustomerGroup, Customer, KhataEntry, CustomerMerge, AuditLog, Product, ProductGroupPrice,
          Sale, SaleLine, SaleTender, ParkedSale,
          Setting, PointsEntry, Campaign, Refund, RefundLine, OutboxMessage,
          KhataPromise, PrintJob)
