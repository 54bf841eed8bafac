"""Launch-to-login stays as quick as a bare Textual app: nothing heavy is imported to paint the PIN box
(the harlequin pattern: import in a fresh interpreter, look at sys.modules)."""

from __future__ import annotations

import json
import subprocess
import sys

from kiosk.paths import repo_root

#: Never needed to show the login screen. peewee imports psycopg, so neither may load before the paint.
HEAVY = ("weasyprint", "escpos", "keyring", "keyrings", "psycopg", "psycopg_binary", "peewee", "playhouse",
         "kiosk.services", "kiosk.store", "kiosk.devices")
#: Never needed before a PIN is typed, even once the shop is open.
BEFORE_LOGIN = ("weasyprint", "escpos", "keyring", "keyrings")


def loaded_after(code: str) -> list[str]:
    probe = code + f"""
import json, sys
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m.startswith({HEAVY!r}))))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo_root(),
                         check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_and_building_the_app_imports_nothing_heavy(tmp_path):
    loaded = loaded_after(f"""
from kiosk.ui.app import KioskApp
app = KioskApp({str(tmp_path / 'shop.db')!r}, demo=True)
""")
    assert loaded == []


def test_the_open_login_screen_has_not_loaded_keyring_pdf_or_printer(shop_url, child_env):
    """Once the shop is open (peewee loads after the first paint), still no keyring, PDF or printer."""
    code = f"""
import asyncio
from kiosk.ui.app import KioskApp

async def main():
    app = KioskApp({shop_url!r})
    async with app.run_test() as pilot:
        await app.ready.wait()
        await pilot.pause()
        assert app.session is None
    app.close_shop()

asyncio.run(main())
"""
    probe = code + f"""
import json, sys
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {BEFORE_LOGIN + ("psycopg", "peewee")!r})))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo_root(),
                         env=child_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    # peewee is in (the shop is open); psycopg is not: a SQLite shop's till never loads PostgreSQL's driver
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["peewee"]
