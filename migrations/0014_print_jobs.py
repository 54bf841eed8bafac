"""The print queue: receipts, slips and drawer kicks waiting for the receipt printer.

A job is written in the transaction of what it prints (the sale, the refund, the khata payment), so a
printer that is off, unplugged or out of paper never blocks or undoes the sale; a worker sends it after
commit, one connection per job, and marks it printed only once the printer took the bytes.

- `kind`, `ref`, `payload`: what to print (a sale's receipt is read back from the books by `ref`; a
  refund or payment slip keeps the figures as they were in `payload`, JSON).
- `printer`: another printer's address for this job (NULL: the shop's `printer.url` when it is sent).
- `status`: pending, printing (claimed by `claimed_by` since `claimed_at`), printed, dropped, expired
  (a drawer kick too old to fire). `attempts`, `next_attempt_at`, `last_error`: the retry backoff.
- `idempotency_key`: one receipt job per sale, whatever retries the sale had.
- `print_job_waiting`: a partial index of the jobs still to print (the queue stays small however
  many receipts the shop has printed).

Frozen copies of the models; never import the app here.
"""

import datetime

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField


def _models(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):  # made by 0001; here only for the foreign key
        class Meta:
            table_name = "app_user"

    class PrintJob(Base):
        kind = CharField(max_length=16)
        ref = CharField(max_length=64, default="")
        payload = TextField(default="")
        printer = CharField(max_length=300, null=True)
        kick_drawer = BooleanField(default=False)
        reprint = BooleanField(default=False)
        status = CharField(max_length=16, default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField(null=True)
        last_error = TextField(default="")
        claimed_by = CharField(max_length=64, null=True)
        claimed_at = DateTimeField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        printed_at = DateTimeField(null=True)
        user = ForeignKeyField(User, null=True, column_name="user_id", index=False)
        till = CharField(default="")
        idempotency_key = CharField(max_length=100, null=True, unique=True)

    return [PrintJob]


def up(migrator, db):
    db.create_tables(_models(db))
    db.execute_sql("CREATE INDEX print_job_waiting ON print_job (id) WHERE status IN ('pending', 'printing')")


def down(migrator, db):
    db.execute_sql("DROP INDEX print_job_waiting")
    db.drop_tables(_models(db))
