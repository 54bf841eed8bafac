"""Loyalty: the append-only points ledger, campaigns, and a customer's hand-set (pinned) tier.

Frozen copies of the models as they were when this script was written: never import the app here.
`points_entry.sale_id` holds a sale's id (a uuid string) without a foreign key: the sales table comes in
0007. `customer.tier_pinned` is added in place with a DEFAULT, never by rebuilding the table (a SQLite
rebuild would drop the customer search triggers).
"""

import datetime

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    Model,
    TextField,
)


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):  # made by 0001; here only for the foreign key
        name = CharField(unique=True)

        class Meta:
            table_name = "app_user"

    class Customer(Base):  # made by 0001; here only for the foreign key
        name = CharField(max_length=200)

    class PointsEntry(Base):
        customer = ForeignKeyField(Customer, column_name="customer_id")
        kind = CharField(max_length=16)  # earn, redeem, expire, take-back, give-back
        points = BigIntegerField(constraints=[Check("points > 0")])
        date = DateField()
        expires_on = DateField(null=True, index=True)  # lots: expiry day; expire entries: the run's as-of
        sale_id = CharField(max_length=64, null=True, index=True)
        note = TextField(default="")
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)
        idempotency_key = CharField(null=True, unique=True)

        class Meta:
            indexes = ((("customer", "date", "id"), False),)

    class Campaign(Base):
        name = CharField(max_length=100, unique=True)
        start = DateField()
        end = DateField()
        multiplier = CharField(max_length=16)  # an exact decimal as typed: "2", "1.5"
        groups = TextField(default="")  # comma separated group names; empty: every group
        tiers = TextField(default="")  # comma separated tiers; empty: every tier
        active = BooleanField(default=True)
        created_at = DateTimeField(default=datetime.datetime.now)

    return [PointsEntry, Campaign]


def up(migrator, db):
    db.create_tables(_models(db))
    migrator.migrate(
        migrator.add_column("customer", "tier_pinned",
                            BooleanField(default=False, constraints=[SQL("DEFAULT false")]), allow_not_null=True)
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("customer", "tier_pinned"))
    db.drop_tables(list(reversed(_models(db))))
