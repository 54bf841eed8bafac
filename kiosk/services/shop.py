"""Creating a shop: the database, its migrations, the settings and the first owner."""

from __future__ import annotations

from kiosk.domain.errors import KioskError
from kiosk.domain.pins import check_pin_format, hash_pin
from kiosk.domain.shop import DEFAULT_LOCALES, DEFAULT_MOBILE_MONEY, ShopSettings, check_country, check_currency
from kiosk.services.context import Context, open_shop
from kiosk.store import shop as shop_store
from kiosk.store.db import migrate, open_database, write_transaction

ROLES = ("owner", "manager", "cashier", "viewer")


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
) -> Context:
    """Create and migrate the database, write the shop and its first owner. Refuses an existing shop."""
    name = " ".join((name or "").split())
    if not name:
        raise KioskError("shop-name: is required")
    country = check_country(country)
    currency = check_currency(currency)
    check_pin_format(owner_pin)
    locale = locale or DEFAULT_LOCALES.get(country, "en")
    _check_locale(locale)
    db = open_database(url, create=True)
    try:
        migrate(db, backup=False)
        settings = ShopSettings(
            name=name, country=country, currency=currency, locale=locale,
            mobile_money=DEFAULT_MOBILE_MONEY.get(country, ()), demo=demo,
        )
        with write_transaction(db):
            shop_store.create_shop(settings)
            owner = shop_store.add_user(owner_name, "owner", hash_pin(owner_pin))
            shop_store.audit("shop.init", name, user=owner, till="", country=country, currency=currency)
    finally:
        db.close()
    return open_shop(url)


def add_user(ctx: Context, name: str, role: str, pin: str) -> shop_store.UserRef:
    if role not in ROLES:
        raise KioskError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    check_pin_format(pin)
    from kiosk.domain.pins import verify_pin

    if any(verify_pin(pin, stored) for _user, stored in shop_store.pin_hashes()):
        raise KioskError("pin: another user already has this PIN")
    with write_transaction(ctx.db):
        user = shop_store.add_user(name, role, hash_pin(pin))
        shop_store.audit("user.add", name, user=ctx.user, till=ctx.till, role=role)
    return user


def _check_locale(locale: str) -> None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        raise KioskError(f"locale: {locale!r} is not a known locale like en_PK or id_ID") from None


def user_by_pin(ctx: Context, pin: str) -> shop_store.UserRef | None:
    """The active user whose PIN this is (PINs are unique in a shop), or None."""
    from kiosk.domain.pins import verify_pin

    return next((user for user, stored in shop_store.pin_hashes() if verify_pin(pin, stored)), None)
