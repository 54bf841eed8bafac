"""Promised payment dates: "Ahmed will pay by the 15th", set at the till for a customer who owes.

A promise is a row, never updated or deleted, like the books: a new promise is a new row and the
newest one counts. `owed` is the balance when the promise was made and `last_entry_id` the customer's
newest khata entry then, so what has been paid since is exact (entry ids only grow, and the customer is
locked while either is written). `last_entry_id` is a plain column, not a foreign key: a merge moves
entries between customers and nothing here must stop it.

Frozen copies of the models as they were when this script was written: never import the app here.
"""

import datetime

from peewee import BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, Model, TextField


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

    class KhataPromise(Base):
        customer = ForeignKeyField(Customer, column_name="customer_id", index=False)
        promised_on = DateField(index=True)  # the day the customer said they would pay by
        owed = BigIntegerField()  # the balance when they promised, minor units
        last_entry_id = BigIntegerField(null=True)  # the customer's newest khata entry then
        note = TextField(default="")
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)
        idempotency_key = CharField(null=True, unique=True)

        class Meta:
            table_name = "khata_promise"
            indexes = ((("customer", "id"), False),)  # the newest promise of a customer: one probe

    return [KhataPromise]


def up(migrator, db):
    db.create_tables(_models(db))


def down(migrator, db):
    db.drop_tables(_models(db))
