"""Migration 0012's customer_list triggers, folded: the same table, written less often and more cheaply.

`customer_list` (0012) is unchanged, and so is what the triggers keep in it: the customer's copied
columns, `spent`, `purchases` and `last_activity`, equal to the books (`list_mismatches` proves it).
What changes is how often a trigger writes a row, and what it reads to do so. Every write of a
customer_list row rewrites its entry in all four sort indexes (each holds every filter column), so
a write skipped is the saving.

- A khata entry that is neither a legacy credit sale nor a reversal (a sale's own debit, a payment)
  moves only `last_activity`, and only when it is booked on a later day than the customer's last.
  On SQLite the trigger says so in its WHEN (one probe of customer_list's primary key) instead of
  starting an UPDATE that matches nothing (0012 wrote nothing here either: about 2 µs saved).
- A sale whose figures change in place (a refund sets `refunded`, `fully_refunded`) moves its
  customer's totals by the difference in ONE update; 0012 took the old part off and added the new
  part back in two updates of the same row. A part refund writes the row twice instead of three times.
- A refund moves only `last_activity`: no `spent = spent + 0`.
- Rows moved to another customer (a merge): the customer they left reads its `last_activity` from
  the books again (three index probes) only when the row moved was on its last day; a row from an
  earlier day leaves that day to the rows still there. A move that changes nothing on the customer
  left (no part, an earlier day) writes nothing there.
- PostgreSQL: one flat PL/pgSQL function per table, the parts worked out in the function, instead of
  0012's generic `customer_list_move` and `customer_list_khata_part` called through SQL for every row
  (a credit sale about 3% and a refund about 5% faster on the test server).

The customer's own triggers (insert, and an update of a copied column that really changed: the
cached points alone never fire it) and the sale insert trigger were already as cheap as they get and
are left as 0012 made them on SQLite (on PostgreSQL they are dropped and made again, the same, with
the rest). So a credit sale is as it was: three trigger programs, two writes of its customer's row,
one for the sale (spent, purchases, day) and one for the customer's new balance. They are two
statements, and no trigger of one can know the other will follow. What the list costs a sale is
mostly not the triggers' SQL but what any trigger brings: SQLite keeps a statement journal for a
statement with a trigger (a copy of every page it touches), and the list's row and its four index
entries are five more pages in the WAL at commit.

Why a row from an earlier day may leave `last_activity` alone: the row holds the latest day booked
to its customer before the move (triggers keep it so from 0012's backfill on), so a moved row whose
day is earlier than it was not the latest, and the row that was is still there. On SQLite row
triggers run after each row; on PostgreSQL after the whole statement; either way each read-again
gives the day of what is left, and each row skipped had an earlier day than one still there.

down() puts 0012's triggers and functions back exactly, from 0012's own script (a migration is
frozen once written, so reading it is reading what it made). A later migration that rebuilds the
customer, sale, khata_entry or refund table on SQLite must create these triggers again. Raw SQL
only: never import the app here.
"""

import importlib.util
from pathlib import Path

from peewee import PostgresqlDatabase

NONE = "0001-01-01"

#: Copied from the customer row, in this order (as 0012).
COPIED = ("name_key", "balance", "archived", "group_id", "tier")

#: A legacy credit sale: what `purchase_stats` counts from the khata. {r} is the row (new, old, t).
_LEGACY = "{r}.kind = 'debit' AND {r}.source = 'sale' AND {r}.sale_id IS NULL"


def _migration_0012():
    """0012's script, loaded from its file as the migration runner loads it (for down())."""
    path = Path(__file__).with_name("0012_customer_list.py")
    spec = importlib.util.spec_from_file_location("customer_list_0012", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- SQLite ------------------------------------------------------------------------------------------


def _reread(ref: str) -> str:
    """The customer's latest day booked, read again from the books (three index probes)."""
    return (f"max('{NONE}', "
            f"COALESCE((SELECT MAX(date) FROM sale WHERE customer_id = {ref}), '{NONE}'), "
            f"COALESCE((SELECT MAX(date) FROM khata_entry WHERE customer_id = {ref}), '{NONE}'), "
            f"COALESCE((SELECT MAX(date) FROM refund WHERE customer_id = {ref}), '{NONE}'))")


def _sale_part(r: str) -> tuple[str, str]:
    """(spent, purchases) a sale row adds to its customer."""
    return (f"(CASE WHEN {r}.fully_refunded THEN 0 ELSE {r}.total - {r}.refunded END)",
            f"(CASE WHEN {r}.fully_refunded THEN 0 ELSE 1 END)")


def _khata_part(r: str) -> tuple[str, str]:
    """(spent, purchases) a khata entry adds: a legacy credit sale adds itself, its reversal takes it off."""
    target = f"SELECT {{}} FROM khata_entry t WHERE t.id = {r}.reverses_id AND {_LEGACY.format(r='t')}"
    return (f"(CASE WHEN {_LEGACY.format(r=r)} THEN {r}.amount WHEN {r}.reverses_id IS NOT NULL "
            f"THEN -COALESCE(({target.format('t.amount')}), 0) ELSE 0 END)",
            f"(CASE WHEN {_LEGACY.format(r=r)} THEN 1 WHEN {r}.reverses_id IS NOT NULL "
            f"AND EXISTS ({target.format('1')}) THEN -1 ELSE 0 END)")


def _add_new(spent: str, n: str) -> str:
    """Add the new row's part to its customer and move the day forward; no write when neither changes."""
    if spent == "0":
        return ("UPDATE customer_list SET last_activity = new.date "
                "WHERE customer_id = new.customer_id AND last_activity < new.date;")
    return (f"UPDATE customer_list SET spent = spent + {spent}, purchases = purchases + {n}, "
            f"last_activity = max(last_activity, new.date) "
            f"WHERE customer_id = new.customer_id AND ({spent} <> 0 OR {n} <> 0 OR last_activity < new.date);")


def _take_old(spent: str, n: str) -> str:
    """Take the old row's part off the customer it left; its day is read again only if it was the last."""
    day = f"CASE WHEN old.date < last_activity THEN last_activity ELSE {_reread('old.customer_id')} END"
    if spent == "0":
        return (f"UPDATE customer_list SET last_activity = {day} "
                f"WHERE customer_id = old.customer_id AND old.date >= last_activity;")
    return (f"UPDATE customer_list SET spent = spent - {spent}, purchases = purchases - {n}, last_activity = {day} "
            f"WHERE customer_id = old.customer_id AND ({spent} <> 0 OR {n} <> 0 OR old.date >= last_activity);")


def _sqlite_triggers() -> list[tuple[str, str, str]]:
    """(name, table, CREATE TRIGGER) of the triggers this migration makes on SQLite."""
    sale_new, sale_old = _sale_part("new"), _sale_part("old")
    khata_new, khata_old = _khata_part("new"), _khata_part("old")
    figures = ("old.total IS NOT new.total OR old.refunded IS NOT new.refunded "
               "OR old.fully_refunded IS NOT new.fully_refunded")
    moved = "old.customer_id IS NOT new.customer_id"
    out = [
        # A sale's figures changed in place (a refund): its customer's totals move by the difference.
        ("customer_list_sale_au", "sale",
         f"CREATE TRIGGER customer_list_sale_au AFTER UPDATE OF total, refunded, fully_refunded ON sale "
         f"WHEN new.customer_id IS NOT NULL AND old.customer_id IS new.customer_id AND ({figures}) BEGIN "
         f"UPDATE customer_list SET spent = spent - {sale_old[0]} + {sale_new[0]}, "
         f"purchases = purchases - {sale_old[1]} + {sale_new[1]}, last_activity = max(last_activity, new.date) "
         f"WHERE customer_id = new.customer_id AND ({sale_old[0]} <> {sale_new[0]} OR {sale_old[1]} <> {sale_new[1]} "
         f"OR last_activity < new.date); END"),
        # A sale moved to another customer (a merge), its figures changed or not.
        ("customer_list_sale_move", "sale",
         f"CREATE TRIGGER customer_list_sale_move AFTER UPDATE OF customer_id ON sale WHEN {moved} BEGIN "
         f"{_take_old(*sale_old)} {_add_new(*sale_new)} END"),
        # Only a legacy credit sale, a reversal or a later day moves anything; the WHEN reads one key.
        ("customer_list_khata_entry_ai", "khata_entry",
         f"CREATE TRIGGER customer_list_khata_entry_ai AFTER INSERT ON khata_entry "
         f"WHEN new.customer_id IS NOT NULL AND ({_LEGACY.format(r='new')} OR new.reverses_id IS NOT NULL "
         f"OR new.date > (SELECT last_activity FROM customer_list WHERE customer_id = new.customer_id)) BEGIN "
         f"{_add_new(*khata_new)} END"),
        ("customer_list_khata_entry_au", "khata_entry",
         f"CREATE TRIGGER customer_list_khata_entry_au AFTER UPDATE OF customer_id ON khata_entry WHEN {moved} BEGIN "
         f"{_take_old(*khata_old)} {_add_new(*khata_new)} END"),
        ("customer_list_refund_ai", "refund",
         f"CREATE TRIGGER customer_list_refund_ai AFTER INSERT ON refund WHEN new.customer_id IS NOT NULL BEGIN "
         f"{_add_new('0', '0')} END"),
        ("customer_list_refund_au", "refund",
         f"CREATE TRIGGER customer_list_refund_au AFTER UPDATE OF customer_id ON refund WHEN {moved} BEGIN "
         f"{_take_old('0', '0')} {_add_new('0', '0')} END"),
    ]
    return out


#: 0012's SQLite triggers this migration replaces (its customer triggers and sale insert trigger stay).
SQLITE_REPLACED = ("customer_list_sale_au", "customer_list_khata_entry_ai", "customer_list_khata_entry_au",
                   "customer_list_refund_ai", "customer_list_refund_au")


def _sqlite_up(db) -> None:
    for name in SQLITE_REPLACED:
        db.execute_sql(f"DROP TRIGGER {name}")
    for _name, _table, sql in _sqlite_triggers():
        db.execute_sql(sql)


def _sqlite_down(db) -> None:
    for name, _table, _sql in _sqlite_triggers():
        db.execute_sql(f"DROP TRIGGER {name}")
    old = _migration_0012()
    made = {}
    for table, part in (("sale", old._sale_part), ("khata_entry", old._khata_part), ("refund", old._no_part)):
        for sql in old._sqlite_moves(table, part):
            made[sql.split()[2]] = sql
    for name in SQLITE_REPLACED:  # the sale insert trigger was never dropped
        db.execute_sql(made[name])


# --- PostgreSQL ----------------------------------------------------------------------------------------


def _pg_khata_part(r: str) -> str:
    """PL/pgSQL setting {r}_spent and {r}_n to what the khata entry {r} (NEW or OLD) adds."""
    v = r.lower()
    return f"""
    IF {_LEGACY.format(r=r)} THEN
        {v}_spent := {r}.amount;
        {v}_n := 1;
    ELSIF {r}.reverses_id IS NOT NULL THEN
        SELECT -t.amount, -1 INTO {v}_spent, {v}_n
        FROM khata_entry t WHERE t.id = {r}.reverses_id AND {_LEGACY.format(r="t")};
        IF NOT FOUND THEN
            {v}_spent := 0;
            {v}_n := 0;
        END IF;
    END IF;"""


#: Take the OLD row's part off the customer it left (a merge); its day read again only if it was the last.
_PG_TAKE_OLD = """
        UPDATE customer_list
        SET spent = spent - old_spent, purchases = purchases - old_n,
            last_activity = CASE WHEN OLD.date < last_activity THEN last_activity
                                 ELSE customer_list_last_activity(OLD.customer_id) END
        WHERE customer_id = OLD.customer_id AND (old_spent <> 0 OR old_n <> 0 OR OLD.date >= last_activity);"""

#: Add the NEW row's part to its customer and move the day forward; no write when neither changes.
_PG_ADD_NEW = """
    UPDATE customer_list
    SET spent = spent + new_spent, purchases = purchases + new_n, last_activity = GREATEST(last_activity, NEW.date)
    WHERE customer_id = NEW.customer_id AND (new_spent <> 0 OR new_n <> 0 OR last_activity < NEW.date);"""

_PG_SALE_FIGURES = ("OLD.total IS DISTINCT FROM NEW.total OR OLD.refunded IS DISTINCT FROM NEW.refunded "
                    "OR OLD.fully_refunded IS DISTINCT FROM NEW.fully_refunded")

_PG_FUNCTIONS = f"""
CREATE FUNCTION customer_list_last_activity(cid integer) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT GREATEST(DATE '{NONE}',
                    (SELECT MAX(date) FROM sale WHERE customer_id = cid),
                    (SELECT MAX(date) FROM khata_entry WHERE customer_id = cid),
                    (SELECT MAX(date) FROM refund WHERE customer_id = cid))
$$;

CREATE FUNCTION customer_list_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_list (customer_id, {", ".join(COPIED)})
        VALUES (NEW.id, {", ".join(f"NEW.{col}" for col in COPIED)});
    ELSE
        UPDATE customer_list SET {", ".join(f"{col} = NEW.{col}" for col in COPIED)} WHERE customer_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION customer_list_sale() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_spent bigint := CASE WHEN NEW.fully_refunded THEN 0 ELSE NEW.total - NEW.refunded END;
    new_n integer := CASE WHEN NEW.fully_refunded THEN 0 ELSE 1 END;
    old_spent bigint := 0;
    old_n integer := 0;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_spent := CASE WHEN OLD.fully_refunded THEN 0 ELSE OLD.total - OLD.refunded END;
        old_n := CASE WHEN OLD.fully_refunded THEN 0 ELSE 1 END;
        IF OLD.customer_id IS NOT DISTINCT FROM NEW.customer_id THEN  -- figures changed in place: one write
            UPDATE customer_list
            SET spent = spent - old_spent + new_spent, purchases = purchases - old_n + new_n,
                last_activity = GREATEST(last_activity, NEW.date)
            WHERE customer_id = NEW.customer_id
              AND (old_spent <> new_spent OR old_n <> new_n OR last_activity < NEW.date);
            RETURN NULL;
        END IF;{_PG_TAKE_OLD}
    END IF;{_PG_ADD_NEW}
    RETURN NULL;
END $$;

-- A legacy credit sale adds itself; its reversal takes it off; anything else moves only the day.
CREATE FUNCTION customer_list_khata() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    new_spent bigint := 0;
    new_n integer := 0;
    old_spent bigint := 0;
    old_n integer := 0;
BEGIN{_pg_khata_part("NEW")}
    IF TG_OP = 'UPDATE' THEN{_pg_khata_part("OLD").replace(chr(10), chr(10) + "    ")}{_PG_TAKE_OLD}
    END IF;{_PG_ADD_NEW}
    RETURN NULL;
END $$;

CREATE FUNCTION customer_list_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE customer_list SET last_activity = customer_list_last_activity(OLD.customer_id)
        WHERE customer_id = OLD.customer_id AND OLD.date >= last_activity;
    END IF;
    UPDATE customer_list SET last_activity = NEW.date WHERE customer_id = NEW.customer_id AND last_activity < NEW.date;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_list_customer_ai AFTER INSERT ON customer
    FOR EACH ROW EXECUTE FUNCTION customer_list_customer();
CREATE TRIGGER customer_list_customer_au AFTER UPDATE OF {", ".join(COPIED)} ON customer
    FOR EACH ROW WHEN ({" OR ".join(f"OLD.{col} IS DISTINCT FROM NEW.{col}" for col in COPIED)})
    EXECUTE FUNCTION customer_list_customer();
CREATE TRIGGER customer_list_sale_ai AFTER INSERT ON sale
    FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION customer_list_sale();
CREATE TRIGGER customer_list_sale_au AFTER UPDATE OF customer_id, total, refunded, fully_refunded ON sale
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id
                       OR (NEW.customer_id IS NOT NULL AND ({_PG_SALE_FIGURES})))
    EXECUTE FUNCTION customer_list_sale();
CREATE TRIGGER customer_list_khata_entry_ai AFTER INSERT ON khata_entry
    FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION customer_list_khata();
CREATE TRIGGER customer_list_khata_entry_au AFTER UPDATE OF customer_id ON khata_entry
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION customer_list_khata();
CREATE TRIGGER customer_list_refund_ai AFTER INSERT ON refund
    FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION customer_list_refund();
CREATE TRIGGER customer_list_refund_au AFTER UPDATE OF customer_id ON refund
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION customer_list_refund();
"""

#: Every trigger on PostgreSQL, as (name, table): the same names as 0012's.
PG_TRIGGERS = (
    ("customer_list_customer_ai", "customer"), ("customer_list_customer_au", "customer"),
    ("customer_list_sale_ai", "sale"), ("customer_list_sale_au", "sale"),
    ("customer_list_khata_entry_ai", "khata_entry"), ("customer_list_khata_entry_au", "khata_entry"),
    ("customer_list_refund_ai", "refund"), ("customer_list_refund_au", "refund"),
)

PG_FUNCTIONS = ("customer_list_refund()", "customer_list_khata()", "customer_list_sale()",
                "customer_list_customer()", "customer_list_last_activity(integer)")


def _pg_drop(db, triggers, functions) -> None:
    for trigger, table in triggers:
        db.execute_sql(f"DROP TRIGGER {trigger} ON {table}")
    for function in functions:
        db.execute_sql(f"DROP FUNCTION {function}")


#: 0012's functions on PostgreSQL, all replaced (its triggers have the same names as ours).
PG_FUNCTIONS_0012 = (
    "customer_list_refund()", "customer_list_khata()",
    "customer_list_khata_part(text, text, text, bigint, integer)", "customer_list_sale()",
    "customer_list_move(text, integer, integer, bigint, integer, bigint, integer, date)",
    "customer_list_customer()", "customer_list_last_activity(integer)",
)


def _pg_up(db) -> None:
    _pg_drop(db, PG_TRIGGERS, PG_FUNCTIONS_0012)
    db.execute_sql(_PG_FUNCTIONS)


def _pg_down(db) -> None:
    _pg_drop(db, PG_TRIGGERS, PG_FUNCTIONS)
    db.execute_sql(_migration_0012()._PG_FUNCTIONS)


# --- Both ---------------------------------------------------------------------------------------------


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        _pg_up(db)
    else:
        _sqlite_up(db)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        _pg_down(db)
    else:
        _sqlite_down(db)
