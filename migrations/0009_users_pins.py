"""Users and PIN logins: peppered PIN hashes with a lookup tag, who made a user, disabling, lockout.

- `app_user.pin_tag`: HMAC-SHA256(pepper, "tag:" + PIN), hex, under a unique index: login finds the
  user in one indexed lookup, and two users can't share a PIN. NULL for users made before this
  migration: their `pin_hash` is the old unpeppered "scrypt$…" form, which still verifies, and the
  app re-hashes it with the pepper and fills the tag at that user's next successful login (a migration
  can't: it has neither the PINs nor the keyring).
- `app_user.created_by_id`, `disabled_at`, `last_login_at`: who added the user, when they were disabled
  (`active` stays the flag), when they last logged in.
- `login_lock`: wrong PINs in a row per till and how long its login is locked. Logins are by PIN
  alone, so a wrong PIN belongs to no user: the counter is the till's, and it survives a restart.

Frozen copies of the models; never import the app here. Columns are added in place (nullable), and
the unique index is made and dropped by name, so `down` can drop the column on SQLite too.
"""

import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model

TAG_INDEX = "app_user_pin_tag"


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):  # made by 0001; here for the self-reference
        class Meta:
            table_name = "app_user"

    class LoginLock(Base):
        till = CharField(unique=True)
        failures = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        last_failure_at = DateTimeField(null=True)
        updated_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            table_name = "login_lock"

    return User, LoginLock


def _user_columns(User):
    return {
        "pin_tag": CharField(max_length=64, null=True),
        "created_by_id": ForeignKeyField(User, field=User.id, null=True, index=False, column_name="created_by_id"),
        "disabled_at": DateTimeField(null=True),
        "last_login_at": DateTimeField(null=True),
    }


def up(migrator, db):
    User, LoginLock = _models(db)
    migrator.migrate(*[migrator.add_column("app_user", name, field) for name, field in _user_columns(User).items()])
    migrator.migrate(migrator.add_index("app_user", ("pin_tag",), unique=True, name=TAG_INDEX))
    db.create_tables([LoginLock])


def down(migrator, db):
    User, LoginLock = _models(db)
    db.drop_tables([LoginLock])
    migrator.migrate(migrator.drop_index("app_user", TAG_INDEX))
    migrator.migrate(*[migrator.drop_column("app_user", name) for name in reversed(_user_columns(User))])
