"""The customers list (kiosk/store/customer_list.py): a page of any sort and filters from one index walk.

`customer_list` holds, for each customer, everything the list sorts and filters on:

- copied from the customer row: name_key, balance, archived, group_id, tier;
- from the books: `spent` and `purchases`, exactly as `kiosk.store.customers.purchase_stats` counts
  them (sales not refunded in full, at total - refunded, plus legacy credit sales: khata debits of
  source "sale" with no sale, not reversed), and `last_activity`, the latest day anything was booked
  to the customer (a sale, a refund or a khata entry), '0001-01-01' when nothing was (a NOT NULL
  sentinel keeps NULL ordering and keyset pagination alike on both backends).

Triggers keep it in the transaction of every write, whichever code writes (the checkout, refunds,
the khata, imports, the seeder's bulk writers, merges), as 0001's triggers keep the search index: a
customer row's insert and update copy its columns; each sale, khata entry or refund moves its
customer's totals by its own part, and moving rows to another customer (a merge) moves their parts;
only the `last_activity` of a customer rows were moved away from is read again (three index probes).
`kiosk.store.customer_list.list_mismatches` proves the table equal to the customers and the books.

Why a table of its own: a list sorted by total spent or last activity must walk an index on them, and
the walk must test the filters without visiting each customer's row (a row visit costs about 1 µs,
an index entry about 0.05 µs: 100k visits is six frames, 100k entries a third of one). So each sort
has an index holding the sort key, the id (ties) and every filter column: walking it, SQLite never
leaves the index until the page's rows are known. The list's "date added" order is the id order,
the table's own. On PostgreSQL the filter columns are INCLUDEd and names are keyed COLLATE "C", as
kiosk/store/textsearch.py compares them.

One more index, for the dashboard's ageing bars (kiosk/store/dashboard.py) and the credit report's
recent debits: khata_entry (date, customer_id, amount, kind) WHERE kind = 'debit', the last 90 days'
debits read without visiting the entries.

The books never delete sales, refunds or khata entries, so no trigger handles that; a customer's
row goes with the customer (ON DELETE CASCADE). A later migration that rebuilds the customer, sale,
khata_entry or refund table on SQLite must create these triggers again. Raw SQL only: never import
the app here.
"""

from peewee import PostgresqlDatabase

NONE = "0001-01-01"

#: Copied from the customer row, in this order.
COPIED = ("name_key", "balance", "archived", "group_id", "tier")

#: A legacy credit sale: what `purchase_stats` counts from the khata. {r} is the row (new, old, t).
_LEGACY = "{r}.kind = 'debit' AND {r}.source = 'sale' AND {r}.sale_id IS NULL"

#: Each sort's index: its key, the id, then every filter column not already in it.
_FILTER_COLUMNS = ("archived", "group_id", "tier", "name_key", "balance", "spent", "purchases", "last_activity")
SORT_INDEXES = {"name": "name_key", "balance": "balance", "spent": "spent", "activity": "last_activity"}


def _indexes(postgres: bool) -> list[str]:
    out = []
    for name, key in SORT_INDEXES.items():
        rest = ", ".join(c for c in _FILTER_COLUMNS if c != key)
        if postgres:
            keyed = f'{key} COLLATE "C"' if key == "name_key" else key
            out.append(f"CREATE INDEX customer_list_{name} ON customer_list ({keyed}, customer_id) INCLUDE ({rest})")
        else:
            out.append(f"CREATE INDEX customer_list_{name} ON customer_list ({key}, customer_id, {rest})")
    return out


RECENT_DEBITS = ("CREATE INDEX khata_entry_debit_date ON khata_entry (date, customer_id, amount, kind) "
                 "WHERE kind = 'debit'")


def _table(postgres: bool) -> str:
    none = f"DATE '{NONE}'" if postgres else f"'{NONE}'"
    return (
        "CREATE TABLE customer_list ("
        "customer_id INTEGER NOT NULL PRIMARY KEY REFERENCES customer (id) ON DELETE CASCADE, "
        "name_key VARCHAR(200) NOT NULL, "
        "balance BIGINT NOT NULL, "
        "archived BOOLEAN NOT NULL, "
        "group_id INTEGER NOT NULL, "
        "tier VARCHAR(255) NOT NULL, "
        "spent BIGINT NOT NULL DEFAULT 0, "
        "purchases INTEGER NOT NULL DEFAULT 0, "
        f"last_activity DATE NOT NULL DEFAULT {none})"
    )


def _backfill(last_day: str) -> str:
    """Every customer's row from the customer and the books, in one statement (grouped once per table)."""
    return f"""
INSERT INTO customer_list (customer_id, {", ".join(COPIED)}, spent, purchases, last_activity)
SELECT c.id, {", ".join(f"c.{col}" for col in COPIED)},
       COALESCE(s.spent, 0) + COALESCE(k.spent, 0),
       COALESCE(s.n, 0) + COALESCE(k.n, 0),
       {last_day}
FROM customer c
LEFT JOIN (SELECT customer_id,
                  SUM(CASE WHEN fully_refunded THEN 0 ELSE total - refunded END) AS spent,
                  SUM(CASE WHEN fully_refunded THEN 0 ELSE 1 END) AS n,
                  MAX(date) AS last_day
           FROM sale WHERE customer_id IS NOT NULL GROUP BY customer_id) s ON s.customer_id = c.id
LEFT JOIN (SELECT e.customer_id,
                  SUM(CASE WHEN {_LEGACY.format(r="e")} AND r.id IS NULL THEN e.amount ELSE 0 END) AS spent,
                  SUM(CASE WHEN {_LEGACY.format(r="e")} AND r.id IS NULL THEN 1 ELSE 0 END) AS n,
                  MAX(e.date) AS last_day
           FROM khata_entry e LEFT JOIN khata_entry r ON r.reverses_id = e.id
           GROUP BY e.customer_id) k ON k.customer_id = c.id
LEFT JOIN (SELECT customer_id, MAX(date) AS last_day
           FROM refund WHERE customer_id IS NOT NULL GROUP BY customer_id) r ON r.customer_id = c.id
"""


# --- SQLite ------------------------------------------------------------------------------------------


def _sqlite_last_activity(ref: str) -> str:
    """The customer's latest day booked, read again from the books (after rows moved away)."""
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


def _no_part(r: str) -> tuple[str, str]:
    return "0", "0"


def _sqlite_moves(table: str, part) -> list[str]:
    """A table whose rows add `part` to their customer's totals: on insert, and on an update of the
    customer (a merge) or, for sales, of the figures a refund moves."""
    new_spent, new_n = part("new")
    old_spent, old_n = part("old")
    watched = "customer_id, total, refunded, fully_refunded" if table == "sale" else "customer_id"
    changed = "old.customer_id IS NOT new.customer_id" + (
        " OR old.total IS NOT new.total OR old.refunded IS NOT new.refunded"
        " OR old.fully_refunded IS NOT new.fully_refunded" if table == "sale" else "")
    # Skipped when it would change nothing (a payment on a day already booked): each write of the row
    # rewrites its entry in every sort's index.
    moves = (" AND last_activity < new.date" if new_spent == "0"
             else f" AND ({new_spent} <> 0 OR {new_n} <> 0 OR last_activity < new.date)")
    add_new = (f"UPDATE customer_list SET spent = spent + {new_spent}, purchases = purchases + {new_n}, "
               f"last_activity = max(last_activity, new.date) WHERE customer_id = new.customer_id{moves};")
    take_old = (f"UPDATE customer_list SET spent = spent - {old_spent}, purchases = purchases - {old_n}, "
                f"last_activity = CASE WHEN old.customer_id IS new.customer_id THEN last_activity "
                f"ELSE {_sqlite_last_activity('old.customer_id')} END WHERE customer_id = old.customer_id;")
    return [
        f"CREATE TRIGGER customer_list_{table}_ai AFTER INSERT ON {table} WHEN new.customer_id IS NOT NULL "
        f"BEGIN {add_new} END",
        f"CREATE TRIGGER customer_list_{table}_au AFTER UPDATE OF {watched} ON {table} WHEN {changed} "
        f"BEGIN {take_old} {add_new} END",
    ]


#: Every trigger, as (name, table): SQLite and PostgreSQL use the same names.
TRIGGERS = (
    ("customer_list_customer_ai", "customer"), ("customer_list_customer_au", "customer"),
    ("customer_list_sale_ai", "sale"), ("customer_list_sale_au", "sale"),
    ("customer_list_khata_entry_ai", "khata_entry"), ("customer_list_khata_entry_au", "khata_entry"),
    ("customer_list_refund_ai", "refund"), ("customer_list_refund_au", "refund"),
)


def _sqlite_up(db) -> None:
    db.execute_sql(_table(postgres=False))
    db.execute_sql(_backfill(f"max(COALESCE(s.last_day, '{NONE}'), COALESCE(k.last_day, '{NONE}'), "
                             f"COALESCE(r.last_day, '{NONE}'))"))
    changed = " OR ".join(f"old.{col} IS NOT new.{col}" for col in COPIED)
    statements = [
        f"CREATE TRIGGER customer_list_customer_ai AFTER INSERT ON customer BEGIN "
        f"INSERT INTO customer_list (customer_id, {', '.join(COPIED)}) "
        f"VALUES (new.id, {', '.join(f'new.{col}' for col in COPIED)}); END",
        f"CREATE TRIGGER customer_list_customer_au AFTER UPDATE OF {', '.join(COPIED)} ON customer WHEN {changed} "
        f"BEGIN UPDATE customer_list SET {', '.join(f'{col} = new.{col}' for col in COPIED)} "
        f"WHERE customer_id = new.id; END",
        *_sqlite_moves("sale", _sale_part),
        *_sqlite_moves("khata_entry", _khata_part),
        *_sqlite_moves("refund", _no_part),
    ]
    for sql in statements:
        db.execute_sql(sql)


# --- PostgreSQL ----------------------------------------------------------------------------------------

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

-- Moves the totals by a row's part: taken off the old customer's, added to the new one's (insert: new only).
CREATE FUNCTION customer_list_move(op text, old_customer integer, new_customer integer, old_spent bigint,
                                   old_n integer, new_spent bigint, new_n integer, new_day date)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF op = 'UPDATE' AND old_customer IS NOT NULL THEN
        UPDATE customer_list
        SET spent = spent - old_spent, purchases = purchases - old_n,
            last_activity = CASE WHEN old_customer IS NOT DISTINCT FROM new_customer THEN last_activity
                                 ELSE customer_list_last_activity(old_customer) END
        WHERE customer_id = old_customer;
    END IF;
    IF new_customer IS NOT NULL THEN
        UPDATE customer_list
        SET spent = spent + new_spent, purchases = purchases + new_n,
            last_activity = GREATEST(last_activity, new_day)
        WHERE customer_id = new_customer AND (new_spent <> 0 OR new_n <> 0 OR last_activity < new_day);
    END IF;
END $$;

CREATE FUNCTION customer_list_sale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM customer_list_move(TG_OP, OLD.customer_id, NEW.customer_id,
            CASE WHEN OLD.fully_refunded THEN 0 ELSE OLD.total - OLD.refunded END,
            CASE WHEN OLD.fully_refunded THEN 0 ELSE 1 END,
            CASE WHEN NEW.fully_refunded THEN 0 ELSE NEW.total - NEW.refunded END,
            CASE WHEN NEW.fully_refunded THEN 0 ELSE 1 END, NEW.date);
    ELSE
        PERFORM customer_list_move(TG_OP, NULL, NEW.customer_id, 0, 0,
            CASE WHEN NEW.fully_refunded THEN 0 ELSE NEW.total - NEW.refunded END,
            CASE WHEN NEW.fully_refunded THEN 0 ELSE 1 END, NEW.date);
    END IF;
    RETURN NULL;
END $$;

-- A legacy credit sale adds itself; its reversal takes it off.
CREATE FUNCTION customer_list_khata_part(kind text, source text, sale_id text, amount bigint, reverses integer,
                                         OUT spent bigint, OUT n integer)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    spent := 0;
    n := 0;
    IF kind = 'debit' AND source = 'sale' AND sale_id IS NULL THEN
        spent := amount;
        n := 1;
    ELSIF reverses IS NOT NULL THEN
        SELECT -t.amount, -1 INTO spent, n FROM khata_entry t WHERE t.id = reverses AND {_LEGACY.format(r="t")};
        IF NOT FOUND THEN
            spent := 0;
            n := 0;
        END IF;
    END IF;
END $$;

CREATE FUNCTION customer_list_khata() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o record;
    w record;
BEGIN
    SELECT * INTO w FROM customer_list_khata_part(NEW.kind, NEW.source, NEW.sale_id, NEW.amount, NEW.reverses_id);
    IF TG_OP = 'UPDATE' THEN
        SELECT * INTO o FROM customer_list_khata_part(OLD.kind, OLD.source, OLD.sale_id, OLD.amount,
                                                      OLD.reverses_id);
        PERFORM customer_list_move(TG_OP, OLD.customer_id, NEW.customer_id, o.spent, o.n, w.spent, w.n, NEW.date);
    ELSE
        PERFORM customer_list_move(TG_OP, NULL, NEW.customer_id, 0, 0, w.spent, w.n, NEW.date);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION customer_list_refund() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM customer_list_move(TG_OP, OLD.customer_id, NEW.customer_id, 0, 0, 0, 0, NEW.date);
    ELSE
        PERFORM customer_list_move(TG_OP, NULL, NEW.customer_id, 0, 0, 0, 0, NEW.date);
    END IF;
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
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.total IS DISTINCT FROM NEW.total
                       OR OLD.refunded IS DISTINCT FROM NEW.refunded
                       OR OLD.fully_refunded IS DISTINCT FROM NEW.fully_refunded)
    EXECUTE FUNCTION customer_list_sale();
CREATE TRIGGER customer_list_khata_entry_ai AFTER INSERT ON khata_entry
    FOR EACH ROW EXECUTE FUNCTION customer_list_khata();
CREATE TRIGGER customer_list_khata_entry_au AFTER UPDATE OF customer_id ON khata_entry
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION customer_list_khata();
CREATE TRIGGER customer_list_refund_ai AFTER INSERT ON refund
    FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION customer_list_refund();
CREATE TRIGGER customer_list_refund_au AFTER UPDATE OF customer_id ON refund
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id) EXECUTE FUNCTION customer_list_refund();
"""

PG_FUNCTIONS = (
    "customer_list_refund()", "customer_list_khata()",
    "customer_list_khata_part(text, text, text, bigint, integer)", "customer_list_sale()",
    "customer_list_move(text, integer, integer, bigint, integer, bigint, integer, date)",
    "customer_list_customer()", "customer_list_last_activity(integer)",
)


def _pg_up(db) -> None:
    db.execute_sql(_table(postgres=True))
    db.execute_sql(_backfill(f"GREATEST(DATE '{NONE}', s.last_day, k.last_day, r.last_day)"))
    db.execute_sql(_PG_FUNCTIONS)


# --- Both ---------------------------------------------------------------------------------------------


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    if postgres:
        _pg_up(db)
    else:
        _sqlite_up(db)
    for sql in _indexes(postgres):  # after the backfill: one sort each, not 100k inserts
        db.execute_sql(sql)
    db.execute_sql(RECENT_DEBITS)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    db.execute_sql("DROP INDEX IF EXISTS khata_entry_debit_date")
    for trigger, table in TRIGGERS:
        db.execute_sql(f"DROP TRIGGER {trigger}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for function in PG_FUNCTIONS:
            db.execute_sql(f"DROP FUNCTION {function}")
    db.execute_sql("DROP TABLE customer_list")  # and its indexes
