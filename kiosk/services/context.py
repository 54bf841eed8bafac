"""What every service call needs: the open database, the shop's settings, who acts, on which till."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Database

from kiosk.domain.shop import ShopSettings
from kiosk.paths import till_name
from kiosk.store import shop as shop_store
from kiosk.store.db import close_database, open_database, require_migrated
from kiosk.store.shop import UserRef


@dataclass(slots=True)
class Context:
    db: Database
    shop: ShopSettings
    user: UserRef | None
    till: str

    def reload_settings(self) -> None:
        self.shop = shop_store.load_settings()

    def close(self) -> None:
        close_database(self.db)


def database_key() -> str:
    """The key of an encrypted SQLite file, from the keyring (asked only when the file is encrypted)."""
    from kiosk.services.encryption import database_key as from_keyring

    return from_keyring()


def open_shop(url: str, user: UserRef | None = None, *, read_only: bool = False,
              cache_mib: int | None = None) -> Context:
    """Open a migrated shop. Until PIN logins exist, the command line acts as the first owner.
    `read_only`: a review session, in which every write is refused (see `store.db.open_database`).
    `cache_mib`: SQLite's page cache per connection, when not the store's default."""
    db = open_database(url, read_only=read_only, key=database_key, cache_mib=cache_mib)
    try:
        require_migrated(db)
        settings = shop_store.load_settings()
        acting = user or shop_store.first_owner()
    except Exception:
        db.close()
        raise
    return Context(db=db, shop=settings, user=acting, till=till_name())
