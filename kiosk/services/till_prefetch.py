"""The till reads its secrets (the PIN pepper, the database key) and the shop's money format in a
short-lived child process.

keyring, its plugins and what they pull in (importlib_metadata's entry points, email, http.client,
jaraco, more_itertools) cost the till's process about 5 MiB that it would keep for the whole day, to
read two short strings once. So `kiosk till` starts `python -m kiosk.services.till_prefetch` first;
the child reads them through kiosk.devices.secrets (the same keyring choice, the same errors) and writes
them as JSON on a pipe; the till puts them in secrets' cache (`collect`, from its warm-up thread, before
anyone can log in) and never imports keyring.

- When the secrets file's password will be asked on the terminal (an encrypted file, no
  $KIOSK_KEYRING_PASSWORD), the child runs to its end before the screen opens, on the till's terminal,
  as the password was asked before. Otherwise it runs beside the till's start, which it does not slow.
- A child that fails (no keyring, a wrong password, a damaged file) or takes too long changes nothing:
  the cache stays empty, the till reads in its own process as before, and the same one-line error comes
  from there, on the login screen.

The same child also hands the till the shop's money format, for the same reason: babel's data costs a
process ~5 MiB it never gives back, to learn a few symbols. Given the shop's URL (`start(url=...)`),
the child, once it has the secrets (an encrypted file's database key among them, in its own secrets
cache), opens the shop read-only, reads its currency and locale, and adds
`"money_format": kiosk.domain.money.money_format(currency, locale).to_json()` to its answer; `collect`
registers it (`kiosk.domain.money.use_format`), so the till formats money without loading babel's data.
A shop the child cannot open (or not within MONEY_TIMEOUT_S) just leaves it out: the till then builds
the format in its own process, as before. Never an error from here. (This is why the module is a
service, not a device: the child opens the shop.)
"""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import threading

from kiosk.devices import secrets
from kiosk.domain.errors import KioskError

#: What the till needs from the keyring, in the scope it runs in.
NAMES = (secrets.PEPPER, secrets.DB_KEY)
#: A child still running after this long is stopped; the till then reads in its own process.
TIMEOUT_S = 60
#: The child gives up on the shop's money format after this long (a database server that does not
#: answer) and answers with the secrets alone.
MONEY_TIMEOUT_S = 5

_child: subprocess.Popen | None = None
_demo = False


def start(*, demo: bool = False, url: str | None = None) -> None:
    """Start the child (see the module doc). Asks the password on the terminal first when it must.
    `url`: the shop the till opens, whose money format the child sends as well."""
    global _child, _demo
    _demo = demo
    args = [sys.executable, "-m", "kiosk.services.till_prefetch", *(["--demo"] if demo else []),
            *(["--shop", url] if url else [])]
    if _asks_password(demo):  # on the terminal, before Textual owns it
        _child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        collect()
        return
    _child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)


def collect() -> bool:
    """Wait for the child and cache what it read (and register the shop's money format when it sent one).
    True when it answered; False when there was no child or it failed (then the secrets are read in this
    process, whose error is the one shown)."""
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
    if isinstance(values.get("money_format"), dict):
        from kiosk.domain.money import MoneyFormat, use_format

        try:
            use_format(MoneyFormat.from_json(values["money_format"]))
        except ValueError:
            pass  # not one: the till builds its own, with babel
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


def money_format_of(url: str) -> dict | None:
    """The shop's money format as JSON values, or None when the shop cannot be opened or read in time.
    Runs in the child, after the secrets are in its cache (an encrypted file's key comes from there)."""
    found: list[dict] = []

    def read() -> None:
        from kiosk.domain.money import money_format
        from kiosk.drivers import sqlite_only

        with sqlite_only(url):  # as the till: a SQLite shop needs no psycopg (a quarter of a second)
            import playhouse.migrations  # noqa: F401  (opening the shop checks its migrations)

            from kiosk.services.context import open_shop
        ctx = open_shop(url, read_only=True)
        try:
            found.append(money_format(ctx.shop.currency, ctx.shop.locale).to_json())
        finally:
            ctx.close()

    def guarded() -> None:
        try:
            read()
        except Exception:  # noqa: BLE001 - anything (a server down, a shop to migrate): the till builds its own
            pass

    worker = threading.Thread(target=guarded, name="money-format", daemon=True)
    worker.start()
    worker.join(MONEY_TIMEOUT_S)
    return found[0] if found else None


def main(argv: list[str]) -> int:
    """The child: the secrets as JSON on stdout (None for one never set), and with `--shop URL` the shop's
    money format; an error is one line on stderr."""
    demo = "--demo" in argv
    try:
        values: dict = {name: secrets.get_secret(name, demo=demo) for name in NAMES}
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    if "--shop" in argv[:-1]:
        fmt = money_format_of(argv[argv.index("--shop") + 1])
        if fmt is not None:
            values["money_format"] = fmt
    json.dump(values, sys.stdout)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
