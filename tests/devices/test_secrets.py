"""The machine's secrets through keyring: which backend, the encrypted file, the demo's file, caching,
and one clear message when there is nowhere to keep them.

Every test starts with the in-memory keyring of tests/conftest.py and no Kiosk keyring config.
"""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys

import keyring
import pytest
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked

from kiosk.devices import secrets
from kiosk.devices.secrets import KeyringUnavailable

PASSWORD = "correct horse battery"


def stored_form(pepper: bytes) -> str:
    """The start of how keyrings.alt's plain file writes the pepper's hex (base64, lines of 76)."""
    return base64.b64encode(pepper.hex().encode()).decode()[:40]


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Kiosk's keyring config in a temporary directory (not written yet)."""
    path = tmp_path / "config" / "keyring.cfg"
    monkeypatch.setenv(secrets.CONFIG_ENV, str(path))
    return path


def test_the_in_memory_keyring_keeps_secrets_under_the_kiosk_service(memory_keyring):
    assert secrets.get_secret("sms-token") is None
    secrets.set_secret("sms-token", "abc123")
    assert memory_keyring.entries[("kiosk", "sms-token")] == "abc123"
    assert secrets.get_secret("sms-token") == "abc123"


def test_secrets_are_cached_for_the_life_of_the_process(memory_keyring):
    memory_keyring.entries[("kiosk", "db-key")] = "k1"
    assert secrets.get_secret("db-key") == "k1"
    reads = memory_keyring.reads
    assert secrets.get_secret("db-key") == "k1"
    assert memory_keyring.reads == reads
    secrets.forget()
    memory_keyring.entries[("kiosk", "db-key")] = "k2"
    assert secrets.get_secret("db-key") == "k2"


def test_the_pepper_is_made_once_32_random_bytes_and_kept_as_hex(memory_keyring):
    assert secrets.get_pepper() is None
    pepper = secrets.make_pepper()
    assert len(pepper) == 32
    assert memory_keyring.entries[("kiosk", "pepper")] == pepper.hex()
    secrets.forget()
    assert secrets.make_pepper() == pepper == secrets.get_pepper()


def test_a_damaged_pepper_entry_is_named_not_used(memory_keyring):
    memory_keyring.entries[("kiosk", "pepper")] = "not hex"
    with pytest.raises(secrets.KioskError, match="is not a pepper Kiosk made"):
        secrets.get_pepper()


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring], ids=["fail", "null"])
def test_no_usable_backend_gives_one_clear_message_never_a_bare_no_keyring_error(backend):
    keyring.set_keyring(backend())
    secrets.forget()
    with pytest.raises(KeyringUnavailable) as exc:
        secrets.get_pepper()
    message = str(exc.value)
    assert message.startswith("keyring: no usable keyring")
    assert "Secret Service" in message and "kiosk init" in message and "KIOSK_KEYRING_PASSWORD" in message
    assert "\n" not in message


def test_a_chainer_of_nothing_but_file_backends_is_not_usable(monkeypatch):
    """What keyring detects on a headless till with keyrings.alt and keyrings.cryptfile installed: a
    chainer over their file backends, which would prompt for a password at random and hide the file."""
    from keyrings.alt.file import PlaintextKeyring
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [CryptFileKeyring(), PlaintextKeyring()])
    keyring.set_keyring(chainer.ChainerBackend())
    secrets.forget()
    with pytest.raises(KeyringUnavailable, match="no usable keyring"):
        secrets.get_secret("pepper")


def test_a_chainer_with_a_real_keyring_uses_that_keyring_and_not_its_file_backends(monkeypatch):
    from keyrings.alt.file import PlaintextKeyring

    from tests.support.memory_keyring import MemoryKeyring

    real = MemoryKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextKeyring(), real])
    keyring.set_keyring(chainer.ChainerBackend())
    secrets.forget()
    secrets.set_secret("db-key", "xyz")
    assert real.entries == {("kiosk", "db-key"): "xyz"}


def test_a_locked_keyring_becomes_one_line_naming_the_fix(memory_keyring, monkeypatch):
    def locked(*_args):
        raise KeyringLocked("the collection is locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    with pytest.raises(KeyringUnavailable, match="refused to get password .*the collection is locked.*unlock"):
        secrets.get_secret("pepper")


def test_setup_with_a_usable_keyring_writes_no_config(config, memory_keyring):
    where = secrets.setup_backend()
    assert "MemoryKeyring" in where
    assert not config.exists()


@pytest.mark.slow
def test_setup_on_a_headless_till_makes_an_encrypted_file_and_names_it_in_kiosks_config(
        config, tmp_path, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    secrets.forget()
    monkeypatch.setattr(secrets, "default_secrets_file", lambda: tmp_path / "data" / "secrets.cfg")
    monkeypatch.setenv(secrets.PASSWORD_ENV, PASSWORD)
    where = secrets.setup_backend()
    file = tmp_path / "data" / "secrets.cfg"
    assert where == f"the encrypted file {file}"
    assert f"kind = cryptfile\nfile = {file}\nargon2 = 3,65536,2\n" in config.read_text()
    pepper = secrets.make_pepper()
    for path in (file, config):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert pepper.hex() not in file.read_text() and stored_form(pepper) not in file.read_text()

    secrets.forget()  # as a new process would: the config wins, the file is opened with the password
    assert secrets.get_pepper() == pepper

    secrets.forget()
    monkeypatch.setenv(secrets.PASSWORD_ENV, "wrong password")
    with pytest.raises(KeyringUnavailable, match=f"wrong password for the encrypted secrets file {file}"):
        secrets.get_pepper()

    secrets.forget()
    monkeypatch.delenv(secrets.PASSWORD_ENV)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # no terminal to ask on
    with pytest.raises(KeyringUnavailable, match="is encrypted: set \\$KIOSK_KEYRING_PASSWORD"):
        secrets.get_pepper()


def test_setup_on_a_headless_till_without_a_password_or_terminal_says_how_to_give_one(config, monkeypatch, tmp_path):
    keyring.set_keyring(fail.Keyring())
    secrets.forget()
    monkeypatch.setattr(secrets, "default_secrets_file", lambda: tmp_path / "secrets.cfg")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))
    with pytest.raises(KeyringUnavailable, match="no desktop keyring .* encrypted file .*secrets.cfg: choose its "
                                                 "password in \\$KIOSK_KEYRING_PASSWORD"):
        secrets.setup_backend()
    assert not config.exists()


def test_kiosks_config_wins_over_a_usable_keyring(config, tmp_path, memory_keyring):
    """Once the pepper lives in a file, a keyring that appears later must not hide it."""
    file = tmp_path / "plain.cfg"
    assert secrets.configure_file_backend(file, kind="plaintext") == f"the unencrypted file {file}"
    pepper = secrets.make_pepper()
    secrets.forget()
    assert secrets.get_pepper() == pepper
    assert memory_keyring.entries == {}
    assert stored_form(pepper) in file.read_text()


def test_a_config_naming_a_missing_file_says_so_and_makes_no_new_pepper(config, tmp_path):
    config.parent.mkdir(parents=True)
    config.write_text(f"[backend]\nkind = cryptfile\nfile = {tmp_path / 'gone.cfg'}\n")
    with pytest.raises(KeyringUnavailable, match="gone.cfg named in .* is missing: restore it"):
        secrets.make_pepper()
    assert not (tmp_path / "gone.cfg").exists()


@pytest.mark.parametrize("text", ["nonsense", "[backend]\nkind = cryptfile\n", "[backend]\nkind = vault\nfile = x\n"])
def test_a_broken_config_is_named(config, text):
    config.parent.mkdir(parents=True)
    config.write_text(text)
    with pytest.raises(KeyringUnavailable, match=f"keyring: {config}"):
        secrets.get_pepper()


def test_the_demo_keeps_its_own_plain_file_and_works_with_no_keyring_at_all(monkeypatch, tmp_path, memory_keyring):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    keyring.set_keyring(fail.Keyring())
    secrets.forget()
    pepper = secrets.make_pepper(demo=True)
    file = secrets.demo_secrets_file()
    assert file.parent == tmp_path / "kiosk" and stored_form(pepper) in file.read_text()
    secrets.forget()
    assert secrets.get_pepper(demo=True) == pepper
    with pytest.raises(KeyringUnavailable):  # the real shop's secrets are elsewhere
        secrets.get_pepper()


def test_importing_the_module_does_not_import_keyring():
    code = "import sys, kiosk.devices.secrets; print([m for m in sys.modules if m.startswith(('keyring', 'keyrings'))])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
