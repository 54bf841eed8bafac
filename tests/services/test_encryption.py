"""Encryption at rest through the services and the command line: the key lives in the keyring, the
owner converts a plain shop, everyone else (and PostgreSQL) is refused, and a missing or wrong key
is one clear line that changes nothing."""

import secrets as random_secrets
from pathlib import Path

import pytest

from kiosk.devices import secrets
from kiosk.domain.errors import KioskError
from kiosk.services import customers, khata, users
from kiosk.services.check import check
from kiosk.services.context import open_shop
from kiosk.services.encryption import encrypt_shop
from kiosk.services.shop import init_shop
from kiosk.store import db as store_db
from tests.conftest import OWNER_PIN


def _plain_shop(path: Path):
    ctx = init_shop(str(path), name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN)
    ali = customers.add(ctx, name="Ali Raza", phone="03001234567", cnic="35202-1234567-1")
    khata.give(ctx, ali.id, 2_500_00)
    khata.receive(ctx, ali.id, 1_000_00)
    return ctx


def test_init_encrypt_keeps_the_key_in_the_keyring_and_every_start_reads_it_there(tmp_path, memory_keyring):
    path = tmp_path / "shop.db"
    init_shop(str(path), name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN, encrypt=True).close()
    key = memory_keyring.entries[(secrets.SERVICE, secrets.DB_KEY)]
    assert len(bytes.fromhex(key)) == 32 and store_db.is_encrypted(path)
    secrets.forget()
    ctx = open_shop(str(path))
    assert ctx.shop.name == "K" and check(ctx) == []
    ctx.close()


def test_a_missing_or_wrong_key_in_the_keyring_is_one_clear_line(tmp_path, memory_keyring):
    path = tmp_path / "shop.db"
    init_shop(str(path), name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN, encrypt=True).close()
    before = path.read_bytes()
    key = memory_keyring.entries.pop((secrets.SERVICE, secrets.DB_KEY))
    secrets.forget()
    with pytest.raises(KioskError, match=r"shop.db: it is encrypted .* holds no database key \(kiosk/db-key\)"):
        open_shop(str(path))
    memory_keyring.entries[(secrets.SERVICE, secrets.DB_KEY)] = random_secrets.token_hex(32)
    secrets.forget()
    with pytest.raises(store_db.WrongKey, match="does not open this file"):
        open_shop(str(path))
    assert path.read_bytes() == before
    memory_keyring.entries[(secrets.SERVICE, secrets.DB_KEY)] = key
    secrets.forget()
    open_shop(str(path)).close()


def test_the_owner_encrypts_a_plain_shop_in_place_and_the_books_still_check(tmp_path):
    path = tmp_path / "shop.db"
    ctx = _plain_shop(path)
    encrypt_shop(ctx)
    assert store_db.is_encrypted(path)
    assert [p.name for p in tmp_path.iterdir() if "before-encrypt" in p.name] == []  # verified, so dropped
    ctx = open_shop(str(path))
    ali = customers.find_by_phone(ctx, "03001234567")
    assert khata.balance(ctx, ali.id) == 1_500_00 and check(ctx) == []
    assert customers.search(ctx, "35202")[0].id == ali.id
    with pytest.raises(KioskError, match="already encrypted"):
        encrypt_shop(ctx)
    ctx.close()


@pytest.mark.parametrize("role", ["manager", "cashier", "viewer"])
def test_only_an_owner_may_encrypt(tmp_path, role):
    path = tmp_path / "shop.db"
    ctx = _plain_shop(path)
    users.add_user(ctx, "someone", role, "5555")
    ctx.user = users.login(ctx, "5555")
    with pytest.raises(KioskError, match="only"):
        encrypt_shop(ctx)
    ctx.close()
    assert not store_db.is_encrypted(path)


def test_postgres_shops_are_refused_before_anything_is_made(empty_database):
    url = empty_database("postgres")
    with pytest.raises(KioskError, match="for SQLite files"):
        init_shop(url, name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN, encrypt=True)
    ctx = init_shop(url, name="K", country="PK", currency="PKR", owner_pin=OWNER_PIN)
    with pytest.raises(KioskError, match="for SQLite files"):
        encrypt_shop(ctx)
    ctx.close()


def test_the_command_line_encrypts_checks_backs_up_and_restores(tmp_path, monkeypatch, cli_shop):
    if not Path(cli_shop.url).suffix == ".db":
        result = cli_shop("encrypt")
        assert result.code == 1 and "for SQLite files" in result.err
        return
    assert cli_shop("customer", "add", "--name", "Zainab", "--phone", "03211234567").code == 0
    result = cli_shop("encrypt")
    assert result.code == 0, result.err
    assert "Encrypted" in result.out and "back that up" in result.out
    assert store_db.is_encrypted(Path(cli_shop.url))
    assert cli_shop("check").code == 0
    assert cli_shop("backup", tmp_path / "b.db").code == 0
    assert store_db.is_encrypted(tmp_path / "b.db")
    assert cli_shop("restore", tmp_path / "b.db").code == 0
    assert "Zainab" in cli_shop("customer", "show", "03211234567").out
    again = cli_shop("encrypt")
    assert again.code == 1 and again.err.count("\n") == 1 and "already encrypted" in again.err

    monkeypatch.setenv("KIOSK_PIN", "0000")  # a wrong PIN never reaches the conversion
    assert cli_shop("encrypt").code == 1


def test_init_encrypt_from_the_command_line(cli, tmp_path):
    result = cli("init", "--shop-name", "K", "--country", "PK", "--currency", "PKR", "--encrypt",
                 stdin=f"{OWNER_PIN}\n{OWNER_PIN}\n")
    if cli.url.startswith("postgres"):
        assert result.code == 1 and "for SQLite files" in result.err
        return
    assert result.code == 0 and "(encrypted)" in result.out and "database key" in result.out
    assert store_db.is_encrypted(Path(cli.url))
    assert cli("check").code == 0
