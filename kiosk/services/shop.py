"""Creating a shop: the database, its migrations, the settings and the first owner."""

from __future__ import annotations

from kiosk.domain.errors import KioskError
from kiosk.domain.pins import check_pin_format, hash_pin, pin_tag
from kiosk.domain.shop import DEFAULT_LOCALES, DEFAULT_MOBILE_MONEY, ShopSettings, check_country, check_currency
from kiosk.services.context import Context, open_shop
from kiosk.services.users import ROLES  # noqa: F401 - kept importable from here
from kiosk.store import shop as shop_store
from kiosk.store import users as users_store
from kiosk.store.db import migrate, open_database, write_transaction


def init_shop(
    url: str,
    *,
    name: str,
    country: str,
    currency: str,
    owner_pin: str,
    owner_name: str = "owner",
    locale: str | None = None,
    demo: bool = False,
    encrypt: bool = False,
) -> Context:
    """Create and migrate the database, write the shop and its first owner. Refuses an existing shop.

    First the machine's keyring: on a headless till with no desktop keyring, an encrypted secrets file
    is configured (kiosk.devices.secrets); a demo shop keeps its own plain file beside the demo
    database. The PIN pepper is made there if this machine has none, before anything is written, so
    a keyring problem leaves no half-made shop. `encrypt`: the SQLite file is made with SQLCipher,
    under the machine's database key (made and kept in the keyring now if there is none)."""
    name = " ".join((name or "").split())
    if not name:
        raise KioskError("shop-name: is required")
    country = check_country(country)
    currency = check_currency(currency)
    check_pin_format(owner_pin)
    locale = locale or DEFAULT_LOCALES.get(country, "en")
    _check_locale(locale)
    from kiosk.devices import secrets

    if not demo:
        secrets.setup_backend()
    pepper = secrets.make_pepper(demo=demo)
    owner_hash, owner_tag = hash_pin(owner_pin, pepper), pin_tag(owner_pin, pepper)
    key = None
    if encrypt:
        from kiosk.services.encryption import make_database_key, sqlite_path

        sqlite_path(url)  # refuses PostgreSQL before anything is made
        key = make_database_key()
    db = open_database(url, create=True, key=key)
    try:
        migrate(db, backup=False)
        settings = ShopSettings(
            name=name, country=country, currency=currency, locale=locale,
            mobile_money=DEFAULT_MOBILE_MONEY.get(country, ()), demo=demo,
        )
        with write_transaction(db):
            shop_store.create_shop(settings)
            owner = users_store.insert(" ".join(owner_name.split()) or "owner", "owner", owner_hash, owner_tag,
                                       created_by=None)
            shop_store.audit("shop.init", name, user=owner, till="", country=country, currency=currency)
    finally:
        db.close()
    return open_shop(url)


def add_user(ctx: Context, name: str, role: str, pin: str) -> shop_store.UserRef:
    """Kept for older callers: see kiosk.services.users.add_user."""
    from kiosk.services import users

    return users.add_user(ctx, name, role, pin)


def _check_locale(locale: str) -> None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise KioskError(f"locale: {locale!r} is not a known locale like en_PK or id_ID") from None


def user_by_pin(ctx: Context, pin: str) -> shop_store.UserRef | None:
    """Kept for older callers: see kiosk.services.users.user_by_pin (wrong PINs count toward the lock)."""
    from kiosk.services import users

    return users.user_by_pin(ctx, pin)
