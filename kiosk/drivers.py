"""Which database drivers a process loads.

peewee imports psycopg (PostgreSQL) at its own import whenever it is installed: on a till whose shop is
a SQLite file that is 16 MiB of memory and a quarter of a second of start for a driver it never uses.
`sqlite_only()` hides psycopg (and psycopg2) while peewee and playhouse (whose migrations module pulls
in the PostgreSQL extensions) are first imported; they then treat PostgreSQL as absent, which for that
process is the truth. A driver already loaded stays, so a process that talks to PostgreSQL (the test
run) keeps it.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

POSTGRES_DRIVERS = ("psycopg", "psycopg2")


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


@contextmanager
def sqlite_only(url: str):
    """Around the first import of peewee in a process that will open only `url`."""
    if is_postgres_url(url):
        yield
        return
    hidden = [name for name in POSTGRES_DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # an import of it raises ImportError, which peewee expects
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
