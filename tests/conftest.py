"""Shared fixtures: every store, service and CLI test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per test run (tests/support/postgres.py) and each test gets a
fresh database in it. It is skipped only when the server binaries are truly absent.
"""

from __future__ import annotations

import io
import os
import sys
import uuid
from dataclasses import dataclass

import pytest

from tests.support.postgres import PostgresServer

OWNER_PIN = "4321"
BACKENDS = ("sqlite", "postgres")


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch, tmp_path_factory):
    """Every test keeps the machine's secrets (the PIN pepper) in a fresh in-memory keyring, never the
    real one; Kiosk's own keyring config points at a file that does not exist."""
    import keyring

    from kiosk.devices import secrets
    from tests.support.memory_keyring import MemoryKeyring

    for name in ("PYTHON_KEYRING_BACKEND", secrets.PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(secrets.CONFIG_ENV, str(tmp_path_factory.getbasetemp() / "no-kiosk-keyring.cfg"))
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    secrets.forget()
    yield backend
    secrets.forget()


@pytest.fixture
def child_env(memory_keyring, tmp_path):
    """The environment for a `kiosk` run in another process (which cannot see the in-memory keyring):
    the secrets written so far copied into a plain file named by Kiosk's keyring config, and the
    owner's PIN. Call it after the shop exists: child_env(KIOSK_DB=url)."""
    from keyrings.alt.file import PlaintextKeyring

    from kiosk.devices import secrets

    def make(**extra: str) -> dict[str, str]:
        file, config = tmp_path / "child-secrets.cfg", tmp_path / "child-keyring.cfg"
        plain = PlaintextKeyring()
        plain.file_path = str(file)
        for (service, name), value in memory_keyring.entries.items():
            plain.set_password(service, name, value)
        config.write_text(f"[backend]\nkind = plaintext\nfile = {file}\n")
        return {**os.environ, secrets.CONFIG_ENV: str(config), "KIOSK_PIN": OWNER_PIN, **extra}

    return make


@pytest.fixture(scope="session")
def pg_server():
    reason = PostgresServer.available()
    if reason:
        pytest.skip(f"PostgreSQL server binaries absent: {reason}")
    with PostgresServer() as server:
        yield server


@pytest.fixture
def empty_database(request, tmp_path):
    """A factory: empty_database("sqlite" | "postgres") -> URL of a new empty database, dropped after."""
    made = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return str(tmp_path / f"shop-{uuid.uuid4().hex[:8]}.db")
        server = request.getfixturevalue("pg_server")
        name = f"t_{uuid.uuid4().hex[:12]}"
        server.create_database(name)
        made.append((server, name))
        return server.url(name)

    yield make
    from kiosk.store.models import MODELS

    db = MODELS[0]._meta.database  # the test may have left its connection open; DROP … FORCE copes
    if db is not None and not db.is_closed():
        db.close()
    for server, name in made:
        server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request, empty_database):
    """A URL for an empty database: a SQLite path, or a fresh database on the test server."""
    return empty_database(request.param)


@pytest.fixture
def make_shop(db_url):
    """Create a shop on the test database: make_shop(country="KE", currency="KES")."""
    from kiosk.services.shop import init_shop

    opened = []

    def make(country: str = "PK", currency: str = "PKR", name: str = "Test Kiryana"):
        ctx = init_shop(db_url, name=name, country=country, currency=currency, owner_pin=OWNER_PIN)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


@pytest.fixture
def shop(make_shop):
    """A Pakistani shop in PKR with its first owner acting."""
    return make_shop()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch, db_url):
    """Run `kiosk ARGS` in-process against the test database: cli("report", "credit", stdin="")."""
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_DB", db_url)
    monkeypatch.setenv("KIOSK_TILL", "till-1")
    monkeypatch.setenv("KIOSK_PIN", OWNER_PIN)  # commands act as the owner unless a test says otherwise

    def run(*args: str, stdin: str = "") -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors and --help
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            monkeypatch.setattr(sys, "stdout", sys.__stdout__)
            monkeypatch.setattr(sys, "stderr", sys.__stderr__)
        return CliResult(code, out.getvalue(), err.getvalue())

    run.url = db_url
    return run


@pytest.fixture
def cli_shop(cli):
    """`cli` on a freshly initialised Pakistani shop."""
    result = cli("init", "--shop-name", "Test Kiryana", "--country", "PK", "--currency", "PKR",
                 stdin=f"{OWNER_PIN}\n{OWNER_PIN}\n")
    assert result.code == 0, result.err
    return cli
