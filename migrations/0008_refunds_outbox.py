"""Refunds, the notification outbox, and what a sale needs for them.

- `refund` and `refund_line`: a refund (its id is the client-made idempotency key, like a sale's) and
  exactly which part of which sale line it took back, so later refunds of the same line know what is
  left and a full refund returns every minor unit and point.
- `outbox_message`: messages (SMS or WhatsApp) written in the same transaction as the sale or payment
  they tell of, sent later by a worker; nothing is lost when the gateway is down.
- `sale.balance_after`, `sale.points_after`: the figures a reprinted receipt must show as they were.
- `sale.refunded`, `sale.fully_refunded`: what refunds have taken back (lifetime value and tiers
  count what the customer kept).
- `sale.khata_points_due`, `sale.khata_points_earned`: when credit sales earn only when paid, the
  points the khata part earns once paid in full, and how many it has earned so far.

Frozen copies of the models; never import the app here. Columns are added in place with a DEFAULT.
"""

import datetime

from peewee import (
    SQL,
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


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):  # made by 0001; here only for the foreign key
        class Meta:
            table_name = "app_user"

    class Customer(Base):  # made by 0001
        class Meta:
            table_name = "customer"

    class Sale(Base):  # made by 0007
        id = CharField(max_length=64, primary_key=True)

        class Meta:
            table_name = "sale"

    class SaleLine(Base):  # made by 0007
        class Meta:
            table_name = "sale_line"

    class Refund(Base):
        id = CharField(max_length=64, primary_key=True)
        sale = ForeignKeyField(Sale, column_name="sale_id", index=True)
        customer = ForeignKeyField(Customer, null=True, column_name="customer_id", index=True)
        date = DateField(index=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        approved_by = ForeignKeyField(User, null=True, column_name="approved_by_id")
        destination = CharField(max_length=16)
        goods = BigIntegerField()
        points_value = BigIntegerField(default=0)
        khata_off = BigIntegerField(default=0)
        store_credit_back = BigIntegerField(default=0)
        payout = BigIntegerField(default=0)
        rounding = BigIntegerField(default=0)
        points_given_back = BigIntegerField(default=0)
        points_taken_back = BigIntegerField(default=0)
        shortfall_points = BigIntegerField(default=0)
        shortfall_value = BigIntegerField(default=0)

    class RefundLine(Base):
        refund = ForeignKeyField(Refund, column_name="refund_id", index=True)
        sale_line = ForeignKeyField(SaleLine, column_name="sale_line_id", index=True)
        quantity_milli = BigIntegerField()
        net = BigIntegerField()
        points_discount = BigIntegerField(default=0)
        points_redeemed = BigIntegerField(default=0)
        points_earned = BigIntegerField(default=0)
        khata = BigIntegerField(default=0)
        store_credit = BigIntegerField(default=0)

    class OutboxMessage(Base):
        customer = ForeignKeyField(Customer, null=True, column_name="customer_id", index=True)
        channel = CharField(max_length=16)
        recipient = CharField()
        kind = CharField(max_length=32)
        body = TextField()
        sale_id = CharField(max_length=64, null=True, index=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        status = CharField(max_length=16, default="pending", index=True)
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(null=True)
        last_error = TextField(default="")
        sent_at = DateTimeField(null=True)
        idempotency_key = CharField(null=True, unique=True)

    return [Refund, RefundLine, OutboxMessage]


SALE_COLUMNS = {
    "balance_after": lambda: BigIntegerField(null=True),
    "points_after": lambda: BigIntegerField(null=True),
    "refunded": lambda: BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")]),
    "fully_refunded": lambda: BooleanField(default=False, constraints=[SQL("DEFAULT false")]),
    "khata_points_due": lambda: BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")]),
    "khata_points_earned": lambda: BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")]),
}


def up(migrator, db):
    db.create_tables(_models(db))
    migrator.migrate(*[migrator.add_column("sale", name, make(), allow_not_null=True)
                       for name, make in SALE_COLUMNS.items()])
    # The earn-when-paid step looks for a customer's credit sales whose points are not all earned.
    db.execute_sql("CREATE INDEX sale_customer_points_due ON sale (customer_id) WHERE khata_points_due > 0")


def down(migrator, db):
    db.execute_sql("DROP INDEX sale_customer_points_due")
    migrator.migrate(*[migrator.drop_column("sale", name) for name in reversed(SALE_COLUMNS)])
    db.drop_tables(list(reversed(_models(db))))
