"""`kiosk user …`, and `kiosk init` / `kiosk demo` with and without a keyring."""

from __future__ import annotations

import json
import os
import re
import stat

import keyring
import pytest
from keyring.backends import fail

from kiosk.devices import secrets
from tests.conftest import OWNER_PIN


def listed(cli) -> dict[str, dict]:
    result = cli("user", "list", "--json")
    assert result.code == 0, result.err
    return {u["name"]: u for u in json.loads(result.out)}


def test_add_list_reset_disable_enable_set_role(cli_shop):
    r = cli_shop("user", "add", "Sana Bibi", "--role", "cashier", stdin="6666\n6666\n")
    assert r.code == 0, r.err
    assert r.out.strip() == "Added Sana Bibi (cashier)"
    users = listed(cli_shop)
    assert users["Sana Bibi"]["role"] == "cashier" and users["Sana Bibi"]["active"] is True
    assert users["Sana Bibi"]["created_by"] == "owner"
    assert not any("6666" in json.dumps(u) or "scrypt" in json.dumps(u) for u in users.values())

    r = cli_shop("user", "list")
    assert r.code == 0 and r.out.splitlines()[0].split() == ["Name", "Role", "Status", "Last", "login", "Added", "By"]

    r = cli_shop("user", "reset-pin", "Sana Bibi", stdin="6060\n6060\n")
    assert r.code == 0 and "New PIN set for Sana Bibi" in r.out

    r = cli_shop("user", "disable", "Sana Bibi")
    assert r.code == 0 and "Disabled Sana Bibi" in r.out
    assert listed(cli_shop)["Sana Bibi"]["active"] is False
    r = cli_shop("user", "enable", "Sana Bibi")
    assert r.code == 0 and listed(cli_shop)["Sana Bibi"]["active"] is True

    r = cli_shop("user", "set-role", "Sana Bibi", "manager")
    assert r.code == 0 and r.out.strip() == "Sana Bibi is now a manager"


@pytest.mark.parametrize(
    ("stdin", "message"),
    [("666\n666\n", "pin: must be 4 to 8 digits"),
     ("66a6\n66a6\n", "pin: must be 4 to 8 digits"),
     ("6666\n6667\n", "pin: the two PINs do not match"),
     ("6666\n", "give the PIN twice"),
     (f"{OWNER_PIN}\n{OWNER_PIN}\n", "pin: another user already has this PIN")],
)
def test_bad_pins_for_a_new_user_are_one_line_and_change_nothing(cli_shop, stdin, message):
    r = cli_shop("user", "add", "Sana", "--role", "cashier", stdin=stdin)
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("kiosk: ") and message in r.err and len(r.err.splitlines()) == 1
    assert list(listed(cli_shop)) == ["owner"]


def test_a_role_that_does_not_exist_is_a_usage_error(cli_shop):
    r = cli_shop("user", "add", "Sana", "--role", "boss", stdin="6666\n6666\n")
    assert r.code == 2 and "invalid choice: 'boss'" in r.err


def test_unknown_users_and_the_last_owner_are_refused_clearly(cli_shop):
    r = cli_shop("user", "disable", "Nobody")
    assert r.code == 1 and "no user is called 'Nobody'" in r.err
    r = cli_shop("user", "reset-pin", "Nobody", stdin="1212\n1212\n")
    assert r.code == 1 and "no user is called 'Nobody'" in r.err
    r = cli_shop("user", "disable", "owner")
    assert r.code == 1 and "owner is the shop's only active owner" in r.err
    r = cli_shop("user", "set-role", "owner", "cashier")
    assert r.code == 1 and "only active owner" in r.err


def test_a_manager_unlocks_a_locked_till_from_another_till(cli_shop, monkeypatch):
    from kiosk.services import users
    from kiosk.services.context import open_shop

    ctx = open_shop(cli_shop.url)  # the same till the CLI acts on (KIOSK_TILL=till-1)
    try:
        for _ in range(5):
            with pytest.raises(users.LoginRefused):
                users.login(ctx, "0000")
    finally:
        ctx.close()
    locked = cli_shop("user", "unlock", "--status")  # even the owner's PIN is not tried on a locked till
    assert locked.code == 1 and re.search(r"login: locked for (29|30) s after 5 wrong PINs", locked.err)
    monkeypatch.setenv("KIOSK_TILL", "back-office")
    r = cli_shop("user", "unlock", "--status")
    assert r.code == 0 and "till-1" in r.out and re.search(r"\b(2[0-9]|30) s\b", r.out)
    r = cli_shop("user", "unlock", "owner", "--till", "till-1")
    assert r.code == 0 and r.out.strip() == "Unlocked till till-1: its wrong-PIN count is back to 0"
    monkeypatch.setenv("KIOSK_TILL", "till-1")
    r = cli_shop("user", "unlock")
    assert r.code == 0 and "Nothing to unlock" in r.out
    r = cli_shop("user", "unlock", "--status")
    assert r.out.strip() == "No till has wrong PINs counted"


def test_unlock_help_says_what_it_unlocks(cli_shop):
    r = cli_shop("user", "unlock", "--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    assert "the lock belongs to the till, not to a person" in text and "--all" in text


def test_init_with_no_usable_keyring_and_no_password_says_what_is_missing_and_creates_nothing(cli, monkeypatch, tmp_path):
    monkeypatch.setenv(secrets.CONFIG_ENV, str(tmp_path / "cfg" / "keyring.cfg"))
    monkeypatch.setattr(secrets, "default_secrets_file", lambda: tmp_path / "data" / "secrets.cfg")
    keyring.set_keyring(fail.Keyring())
    secrets.forget()
    r = cli("init", "--shop-name", "Duka", "--country", "KE", "--currency", "KES", stdin=f"{OWNER_PIN}\n{OWNER_PIN}\n")
    assert r.code == 1 and len(r.err.splitlines()) == 1
    assert "no desktop keyring answers on this machine" in r.err and "KIOSK_KEYRING_PASSWORD" in r.err
    assert "NoKeyringError" not in r.err and "Traceback" not in r.err
    if not cli.url.startswith("postgres"):
        assert not os.path.exists(cli.url)


@pytest.mark.slow
def test_init_on_a_headless_till_sets_up_the_encrypted_file(cli, monkeypatch, tmp_path):
    config = tmp_path / "cfg" / "keyring.cfg"
    file = tmp_path / "data" / "secrets.cfg"
    monkeypatch.setenv(secrets.CONFIG_ENV, str(config))
    monkeypatch.setattr(secrets, "default_secrets_file", lambda: file)
    monkeypatch.setenv(secrets.PASSWORD_ENV, "a long till password")
    keyring.set_keyring(fail.Keyring())
    secrets.forget()
    r = cli("init", "--shop-name", "Duka", "--country", "KE", "--currency", "KES", stdin=f"{OWNER_PIN}\n{OWNER_PIN}\n")
    assert r.code == 0, r.err
    assert f"The PIN pepper is kept in the encrypted file {file}" in r.out
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600 and f"file = {file}" in config.read_text()

    secrets.forget()  # a later command, as a new process: the config names the file
    r = cli("user", "add", "Sana", "--role", "cashier", stdin="6666\n6666\n")
    assert r.code == 0, r.err


def test_the_demo_starts_with_its_pins_on_a_machine_with_no_keyring(monkeypatch, tmp_path):
    from kiosk.services import demo, users

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(demo, "DEMO_CUSTOMERS", 20)
    monkeypatch.setattr(demo, "DEMO_SALES", 30)
    keyring.set_keyring(fail.Keyring())
    secrets.forget()
    ctx, created = demo.open_demo()
    try:
        assert created and ctx.shop.demo
        for role, pin in demo.DEMO_PINS.items():
            assert users.login(ctx, pin).role == role
    finally:
        ctx.close()
    assert (tmp_path / "kiosk" / "demo-secrets.cfg").exists()
