"""The throwaway PostgreSQL server used by the store tests really works."""
import socket

import psycopg
import pytest

from tests.support.postgres import PostgresServer

UNAVAILABLE = PostgresServer.available()


# Skip only when the binaries are truly absent; any failure to start must fail.
@pytest.mark.postgres
@pytest.mark.skipif(UNAVAILABLE is not None, reason=UNAVAILABLE or "")
def test_server_starts_serves_and_is_gone_after_exit():
    with PostgresServer() as pg:
        tmpdir, port = pg.tmpdir, pg.port
        assert pg.url("probe") == f"postgresql://kiosk@127.0.0.1:{port}/probe"
        pg.create_database("probe")
        with psycopg.connect(pg.url("probe")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            # The search features rely on pg_trgm (shipped with Debian's server).
            conn.execute("create extension if not exists pg_trgm")
            assert conn.execute("select similarity('kiosk', 'kiosks') > 0.5").fetchone() == (True,)
        pg.drop_database("probe")

    assert not tmpdir.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
