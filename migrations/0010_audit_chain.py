"""The audit log becomes hash-chained, and remembers the acting user's role.

- `audit_log.role`: the acting user's role when the row was written. Rows from before this migration
  keep NULL: the role they acted in is not known (today's role may not be the one they had).
- `audit_log.prev_hash`, `audit_log.hash`: each row's `hash` is SHA-256 over a canonical form of the
  row (id, at, user id, role, till, action, record, detail) and `prev_hash`, the previous row's `hash`
  (64 zeros for the first). Changing, deleting or inserting a row breaks the chain; `kiosk check`
  finds the first broken row.

up() adds the columns in place (no table rebuild) and chains the rows already there in id order, so a
shop that has been trading gets a valid chain. Rows are read and updated in chunks by id: an old shop's
million rows never sit in memory at once.

Frozen code: the canonical form below is a copy of `kiosk.store.shop.audit_row_hash` as it was when
this script was written; never import the app here.
"""

import hashlib
import json

from peewee import CharField

CHUNK = 5_000
GENESIS = "0" * 64
COLUMNS = {
    "role": lambda: CharField(null=True),
    "prev_hash": lambda: CharField(max_length=64, null=True),
    "hash": lambda: CharField(max_length=64, null=True),
}


def _row_hash(row_id, at, user_id, role, till, action, record, detail, prev_hash):
    at_text = at if isinstance(at, str) else at.isoformat(" ")
    canonical = json.dumps([row_id, at_text, user_id, role, till, action, record, detail, prev_hash],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def up(migrator, db):
    migrator.migrate(*[migrator.add_column("audit_log", name, make()) for name, make in COLUMNS.items()])
    param = db.param
    select = ("SELECT id, at, user_id, role, till, action, record, detail FROM audit_log "
              f"WHERE id > {param} ORDER BY id LIMIT {CHUNK}")
    after, prev = 0, GENESIS
    while True:
        rows = db.execute_sql(select, (after,)).fetchall()
        if not rows:
            break
        values = []
        for row_id, at, user_id, role, till, action, record, detail in rows:
            digest = _row_hash(row_id, at, user_id, role, till, action, record, detail, prev)
            values += (row_id, prev, digest)
            prev = digest
        # One UPDATE … FROM a chunk: one statement, not one a row (SQLite >= 3.33 and PostgreSQL).
        db.execute_sql("WITH chained (i, p, h) AS (VALUES "
                       + ", ".join([f"({param}, {param}, {param})"] * len(rows))
                       + ") UPDATE audit_log SET prev_hash = chained.p, hash = chained.h FROM chained "
                       "WHERE audit_log.id = chained.i", values)
        after = rows[-1][0]


def down(migrator, db):
    migrator.migrate(*[migrator.drop_column("audit_log", name) for name in reversed(COLUMNS)])
