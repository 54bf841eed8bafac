"""`kiosk till` reads the keyring in a child process (kiosk/devices/secrets_prefetch.py): the till gets the
same secrets, never imports keyring, and a child that fails changes nothing (the till reads as before).

The children read a plain secrets file named by Kiosk's keyring config (they cannot see the in-memory
keyring of tests/conftest.py); each test runs its till side in a fresh interpreter too, so what it
imports is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.devices import secrets

TILL_SIDE = """
import json, sys
from kiosk.devices import secrets, secrets_prefetch
secrets_prefetch.start(demo=False)
answered = secrets_prefetch.collect()
loaded = "keyring" in sys.modules
try:
    pepper = secrets.get_pepper().hex()
    error = None
except secrets.KeyringUnavailable as exc:
    pepper, error = None, str(exc)
print(json.dumps({"answered": answered, "keyring_loaded_before_reading": loaded, "pepper": pepper,
                  "db_key": secrets._cache.get(("shop", "db-key")), "error": error}))
"""


def till_side(env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", TILL_SIDE], capture_output=True, text=True, env=env, timeout=120,
                         stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_till_gets_the_pepper_and_db_key_from_the_child_and_never_imports_keyring(memory_keyring, child_env):
    pepper = secrets.make_pepper()
    secrets.set_secret(secrets.DB_KEY, "ab" * 32)
    got = till_side(child_env())
    assert got["answered"] is True
    assert got["pepper"] == pepper.hex()
    assert got["db_key"] == "ab" * 32
    assert got["keyring_loaded_before_reading"] is False


def test_a_secret_never_set_is_left_to_the_till_itself(memory_keyring, child_env):
    pepper = secrets.make_pepper()  # no db key on this machine
    got = till_side(child_env())
    assert got["answered"] is True and got["pepper"] == pepper.hex()
    assert got["db_key"] is None


def test_a_child_that_fails_changes_nothing_and_the_till_reports_the_same_error(memory_keyring, child_env, tmp_path):
    secrets.make_pepper()
    env = child_env()
    missing = tmp_path / "gone-secrets.cfg"
    broken = tmp_path / "broken-keyring.cfg"
    broken.write_text(f"[backend]\nkind = plaintext\nfile = {missing}\n")
    env[secrets.CONFIG_ENV] = str(broken)
    got = till_side(env)
    assert got["answered"] is False
    assert got["pepper"] is None
    assert str(missing) in got["error"] and "missing" in got["error"]


def test_the_child_alone_writes_its_answer_as_json_and_an_error_as_one_line(memory_keyring, child_env, tmp_path):
    pepper = secrets.make_pepper()
    env = child_env()
    ok = subprocess.run([sys.executable, "-m", "kiosk.devices.secrets_prefetch"], capture_output=True, text=True,
                        env=env, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout) == {"pepper": pepper.hex(), "db-key": None}
    env[secrets.CONFIG_ENV] = str(tmp_path / "nowhere" / "keyring.cfg")
    env.pop(secrets.PASSWORD_ENV, None)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    bad = subprocess.run([sys.executable, "-m", "kiosk.devices.secrets_prefetch"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("kiosk: keyring: no usable keyring") and bad.stderr.count("\n") == 1


def test_no_child_means_nothing_to_collect():
    from kiosk.devices import secrets_prefetch

    secrets.forget()
    assert secrets_prefetch.collect() is False
    assert secrets._cache == {}
