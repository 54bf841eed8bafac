"""The shop's settings: one row per key that differs from its default (kiosk.domain.settings).

Frozen copies of the models as they were when this script was written: never import the app here.
"""

import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, Model, TextField


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):  # only what the foreign key needs; the table is 0001's
        name = CharField(unique=True)

        class Meta:
            table_name = "app_user"

    class Setting(Base):
        key = CharField(max_length=100, unique=True)
        value = TextField()
        updated_at = DateTimeField(default=datetime.datetime.now)
        updated_by = ForeignKeyField(User, null=True, column_name="updated_by_id")

    return [Setting]


def up(migrator, db):
    db.create_tables(_models(db))


def down(migrator, db):
    db.drop_tables(_models(db))
