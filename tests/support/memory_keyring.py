"""An in-memory keyring backend for tests (keyring ships none: its null backend forgets every write).

tests/conftest.py installs a fresh one for every test with `keyring.set_keyring`, and points Kiosk's
own keyring config at a path that does not exist, so no test reads or writes the real machine's
secrets. A test that wants another backend calls `keyring.set_keyring` itself, then
`kiosk.devices.secrets.forget()`.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    #: Never chosen by keyring's own detection (that wants priority > 0): only when set on purpose.
    priority = -1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.reads = 0

    def get_password(self, service, username):
        self.reads += 1
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no {service}/{username} entry") from None
