"""A covering index for the credit report: each customer's entries by kind and date, with amounts.

The report groups every entry by customer; with this index it reads the index alone, in customer
order, instead of sorting a scan of the whole table (1M entries: 1.0 s -> 0.7 s, bench/run.py).
"""

INDEX = "khata_entry_customer_kind_date_amount"


def up(migrator, db):
    db.execute_sql(f"CREATE INDEX {INDEX} ON khata_entry (customer_id, kind, date, amount)")


def down(migrator, db):
    db.execute_sql(f"DROP INDEX {INDEX}")
