"""Prefix search must not depend on the database's collation (kiosk/store/prefix.py)."""

import pytest

from kiosk.services import customers
from kiosk.services.shop import init_shop


@pytest.mark.postgres
def test_prefix_search_is_right_on_a_database_whose_locale_ignores_punctuation(pg_server):
    # An ICU locale with "shifted" punctuation sorts "a-b" beside "ab": a plain range on the column
    # then returns names that do not start with the query and misses ones that do.
    import psycopg

    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE icu_shifted TEMPLATE template0 LOCALE_PROVIDER icu "
                     "ICU_LOCALE 'en-US-u-ka-shifted' LOCALE 'C.UTF-8'")
    ctx = init_shop(pg_server.url("icu_shifted"), name="ICU", country="PK", currency="PKR", owner_pin="1234")
    try:
        for name in ["A-B Traders", "AB Store", "A B Khan", "A.Z. Sons", "Ali", "محمد علی", "مح"]:
            customers.add(ctx, name=name)

        def names(q):
            return [c.name for c in customers.search(ctx, q)]

        assert names("a-") == ["A-B Traders"]
        assert names("a b") == ["A B Khan"]
        assert names("a") == ["A B Khan", "A-B Traders", "A.Z. Sons", "AB Store", "Ali"]  # by code point
        assert names("مح") == ["مح", "محمد علی"]
    finally:
        ctx.close()
        pg_server.drop_database("icu_shifted")
