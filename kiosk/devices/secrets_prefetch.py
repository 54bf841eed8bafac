"""The till reads its secrets (the PIN pepper, the database key) in a short-lived child process.

keyring, its plugins and what they pull in (importlib_metadata's entry points, email, http.client,
jaraco, more_itertools) cost the till's process about 5 MiB that it would keep for the whole day, to
read two short strings once. So `kiosk till` starts `python -m kiosk.devices.secrets_prefetch` first;
the child reads them through kiosk.devices.secrets (the same keyring choice, the same errors) and writes
them as JSON on a pipe; the till puts them in secrets' cache (`collect`, from its warm-up thread, before
anyone can log in) and never imports keyring.

- When the secrets file's password will be asked on the terminal (an encrypted file, no
  $KIOSK_KEYRING_PASSWORD), the child runs to its end before the screen opens, on the till's terminal,
  as the password was asked before. Otherwise it runs beside the till's start, which it does not slow.
- A child that fails (no keyring, a wrong password, a damaged file) or takes too long changes nothing:
  the cache stays empty, the till reads in its own process as before, and the same one-line error comes
  from there, on the login screen.
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys

from kiosk.devices import secrets
from kiosk.domain.errors import KioskError

#: What the till needs from the keyring, in the scope it runs in.
NAMES = (secrets.PEPPER, secrets.DB_KEY)
#: A child still running after this long is stopped; the till then reads in its own process.
TIMEOUT_S = 60

_child: subprocess.Popen | None = None
_demo = False


def start(*, demo: bool = False) -> None:
    """Start the child (see the module doc). Asks the password on the terminal first when it must."""
    global _child, _demo
    _demo = demo
    args = [sys.executable, "-m", "kiosk.devices.secrets_prefetch", *(["--demo"] if demo else [])]
    if _asks_password(demo):  # on the terminal, before Textual owns it
        _child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        collect()
        return
    _child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)


def collect() -> bool:
    """Wait for the child and cache what it read. True when it answered; False when there was no child or
    it failed (then the secrets are read in this process, whose error is the one shown)."""
    global _child
    child, _child = _child, None
    if child is None:
        return False
    try:
        out, _err = child.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return False
    if child.returncode != 0:
        return False
    try:
        values = json.loads(out)
    except json.JSONDecodeError:
        return False
    scope = "demo" if _demo else "shop"
    for name in NAMES:
        if isinstance(values.get(name), str):
            secrets._cache[(scope, name)] = values[name]
    return True


def _asks_password(demo: bool) -> bool:
    """An encrypted secrets file whose password is not in the environment, on a terminal."""
    if demo or os.environ.get(secrets.PASSWORD_ENV) or not sys.stdin.isatty():
        return False
    path = secrets.config_path()
    if not path.exists():
        return False
    config = configparser.ConfigParser()
    try:
        config.read(path, encoding="utf-8")
        return config.get("backend", "kind", fallback="").strip() == "cryptfile"
    except (configparser.Error, UnicodeDecodeError):
        return True  # the child reports the broken config; it may as well run on the terminal


def main(argv: list[str]) -> int:
    """The child: the secrets as JSON on stdout (None for one never set); an error is one line on stderr."""
    demo = "--demo" in argv
    try:
        values = {name: secrets.get_secret(name, demo=demo) for name in NAMES}
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    json.dump(values, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
