"""`kiosk till` reads the keyring and the shop's money format in a child process
(kiosk/services/till_prefetch.py): the till gets the same secrets and formats money exactly as babel does,
never imports keyring nor loads babel's data, and a child that fails changes nothing (the till reads and
builds as before).

The children read a plain secrets file named by Kiosk's keyring config (they cannot see the in-memory
keyring of tests/conftest.py); each test runs its till side in a fresh interpreter too, so what it
imports is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kiosk.devices import secrets
from tests.conftest import OWNER_PIN

TILL_SIDE = """
import json, sys
from kiosk.devices import secrets
from kiosk.services import till_prefetch
till_prefetch.start(demo=False)
answered = till_prefetch.collect()
loaded = "keyring" in sys.modules
try:
    pepper = secrets.get_pepper().hex()
    error = None
except secrets.KeyringUnavailable as exc:
    pepper, error = None, str(exc)
print(json.dumps({"answered": answered, "keyring_loaded_before_reading": loaded, "pepper": pepper,
                  "db_key": secrets._cache.get(("shop", "db-key")), "error": error}))
"""


def till_side(env: dict[str, str], script: str = TILL_SIDE, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


#: The till side with a shop: what `kiosk till` does (start with the shop's URL, collect in the warm-up),
#: then the till's ways of formatting money, and whether babel's data was ever loaded in this process.
TILL_WITH_SHOP = """
import json, sys
from kiosk.services import till_prefetch
from kiosk.domain import money
url = sys.argv[1]
till_prefetch.start(demo=False, url=url)
answered = till_prefetch.collect()
from kiosk.services.context import open_shop
ctx = open_shop(url, read_only=True)
from kiosk.services.printing import money_of
from kiosk.services.sales import _money
from kiosk.ui.widgets.ledger_table import plain_amounts
amounts = [0, 1, -1, 125050, -125050, 123456789012, 10**15]
got = {"answered": answered, "registered": [list(key) for key in money._formats],
       "exact": money.format_of(ctx.shop.currency, ctx.shop.locale).exact,
       "shop": [ctx.shop.currency, ctx.shop.locale],
       "money": [ctx.shop.money(n) for n in amounts],
       "printing": [money_of(ctx)(n) for n in amounts],
       "sales": [_money(ctx.shop.currency, ctx.shop.locale)(n) for n in amounts],
       "plain": [plain_amounts(ctx.shop.currency, ctx.shop.locale)(n) for n in amounts],
       "digits": money.minor_digits(ctx.shop.currency),
       "decimal": ctx.shop.decimal(125050)}
core, localedata = sys.modules.get("babel.core"), sys.modules.get("babel.localedata")
got["babel_global_data"] = core is not None and core._global_data is not None
got["babel_locale_data"] = sorted(localedata._cache) if localedata is not None else []
ctx.close()
print(json.dumps(got))
"""

BABEL_AMOUNTS = [0, 1, -1, 125050, -125050, 123456789012, 10**15]


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
    ok = subprocess.run([sys.executable, "-m", "kiosk.services.till_prefetch"], capture_output=True, text=True,
                        env=env, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout) == {"pepper": pepper.hex(), "db-key": None}
    env[secrets.CONFIG_ENV] = str(tmp_path / "nowhere" / "keyring.cfg")
    env.pop(secrets.PASSWORD_ENV, None)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    bad = subprocess.run([sys.executable, "-m", "kiosk.services.till_prefetch"], capture_output=True, text=True,
                         env=env, timeout=120)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.startswith("kiosk: keyring: no usable keyring") and bad.stderr.count("\n") == 1


def test_no_child_means_nothing_to_collect():
    from kiosk.services import till_prefetch

    secrets.forget()
    assert till_prefetch.collect() is False
    assert secrets._cache == {}


def babel_money(currency: str, locale: str) -> tuple[list[str], list[str]]:
    """What babel itself writes for BABEL_AMOUNTS: (format_money, the table cells' format_decimal)."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    from kiosk.domain.money import format_money, minor_digits, plain_pattern

    digits = minor_digits(currency)
    return ([format_money(n, currency, locale) for n in BABEL_AMOUNTS],
            [format_decimal(Decimal(n).scaleb(-digits), format=plain_pattern(digits), locale=locale,
                            decimal_quantization=True) for n in BABEL_AMOUNTS])


@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "encrypted"])
def test_the_till_gets_the_shops_money_format_from_the_child_and_never_loads_babels_data(
        memory_keyring, child_env, tmp_path, encrypt):
    from kiosk.services.shop import init_shop

    url = str(tmp_path / "shop.db")
    init_shop(url, name="Warung Sari", country="ID", currency="IDR", owner_pin=OWNER_PIN, encrypt=encrypt).close()
    got = till_side(child_env(), TILL_WITH_SHOP, url)
    assert got["answered"] is True
    assert got["shop"] == ["IDR", "id_ID"] and got["registered"] == [["IDR", "id_ID"]] and got["exact"] is True
    money, plain = babel_money("IDR", "id_ID")
    assert got["money"] == got["printing"] == got["sales"] == money
    assert money[3] == "Rp1.250,50"
    assert got["plain"] == plain
    assert got["digits"] == 2 and got["decimal"] == "1250.50"
    assert got["babel_global_data"] is False
    assert got["babel_locale_data"] == []


def test_a_shop_the_child_cannot_open_leaves_the_format_to_the_till(memory_keyring, child_env, tmp_path):
    """A shop that needs a key the keyring lost (or a server that is down): the child answers with the
    secrets alone and the till builds the format itself, with babel, as before."""
    from kiosk.services.shop import init_shop

    url = str(tmp_path / "shop.db")
    init_shop(url, name="Duka", country="KE", currency="KES", owner_pin=OWNER_PIN).close()
    env = child_env()
    gone = till_side(env, TILL_WITH_SHOP.replace("url=url)", "url=url + '.gone')"), url)
    assert gone["answered"] is True and gone["registered"] == []
    money, plain = babel_money("KES", "en_KE")
    assert gone["money"] == gone["printing"] == money and gone["plain"] == plain
    assert gone["babel_global_data"] is True  # built in the till's own process


def test_the_child_adds_the_money_format_to_its_answer(memory_keyring, child_env, tmp_path):
    from kiosk.domain.money import MoneyFormat, money_format
    from kiosk.services.shop import init_shop

    pepper = secrets.make_pepper()
    url = str(tmp_path / "shop.db")
    init_shop(url, name="Kiryana", country="PK", currency="PKR", owner_pin=OWNER_PIN).close()
    out = subprocess.run([sys.executable, "-m", "kiosk.services.till_prefetch", "--shop", url],
                         capture_output=True, text=True, env=child_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout)
    assert values["pepper"] == pepper.hex()
    assert MoneyFormat.from_json(values["money_format"]) == money_format("PKR", "en_PK")
    missing = subprocess.run([sys.executable, "-m", "kiosk.services.till_prefetch", "--shop",
                              str(tmp_path / "nowhere.db")], capture_output=True, text=True, env=child_env(),
                             timeout=120)
    assert missing.returncode == 0 and "money_format" not in json.loads(missing.stdout)
