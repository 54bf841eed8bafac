"""Sales: the sale (its id is the client-made idempotency key), its lines with each line's share of
discounts, points, khata and store credit (so a refund takes back exactly its part), its tenders;
parked baskets; and the sale a khata entry belongs to."""

import datetime

from peewee import (
    BigIntegerField,
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

    class Customer(Base):
        class Meta:
            table_name = "customer"

    class User(Base):
        class Meta:
            table_name = "app_user"

    class Product(Base):
        class Meta:
            table_name = "product"

    class Sale(Base):
        id = CharField(max_length=64, primary_key=True)
        customer = ForeignKeyField(Customer, null=True, column_name="customer_id")
        date = DateField(index=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        gross = BigIntegerField()
        line_discounts = BigIntegerField()
        basket_discount = BigIntegerField()
        total = BigIntegerField()
        points_redeemed = BigIntegerField(default=0)
        points_value = BigIntegerField(default=0)
        rounding = BigIntegerField(default=0)
        paid = BigIntegerField()
        cash_given = BigIntegerField(default=0)
        change = BigIntegerField(default=0)
        points_earned = BigIntegerField(default=0)
        khata = BigIntegerField(default=0)
        store_credit = BigIntegerField(default=0)
        tier_after = CharField(null=True)
        approved_by = ForeignKeyField(User, null=True, column_name="approved_by_id")
        override_by = ForeignKeyField(User, null=True, column_name="override_by_id")

        class Meta:
            indexes = ((("customer", "date"), False),)

    class SaleLine(Base):
        sale = ForeignKeyField(Sale, column_name="sale_id")
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

        class Meta:
            indexes = ((("sale", "n"), True),)

    class SaleTender(Base):
        sale = ForeignKeyField(Sale, column_name="sale_id")
        method = CharField()
        name = CharField(null=True)
        amount = BigIntegerField()

    class ParkedSale(Base):
        id = CharField(max_length=64, primary_key=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        user = ForeignKeyField(User, null=True, column_name="user_id")
        till = CharField(default="")
        customer = ForeignKeyField(Customer, null=True, column_name="customer_id")
        payload = TextField()
        note = TextField(default="")

    return [Sale, SaleLine, SaleTender, ParkedSale]


def up(migrator, db):
    db.create_tables(_models(db))
    migrator.migrate(migrator.add_column("khata_entry", "sale_id", CharField(max_length=64, null=True)))
    db.execute_sql("CREATE INDEX khata_entry_sale_id ON khata_entry (sale_id)")


def down(migrator, db):
    db.execute_sql("DROP INDEX khata_entry_sale_id")
    migrator.migrate(migrator.drop_column("khata_entry", "sale_id"))
    db.drop_tables(list(reversed(_models(db))))
