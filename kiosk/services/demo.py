"""The demo shop: a Lahore kiryana with a catalogue, a year of sales, refunds and khata, and one user per
role with known PINs."""

from __future__ import annotations

from kiosk.paths import demo_database
from kiosk.services.context import Context, open_shop

#: Shown on the demo's login screen; never used outside a demo shop.
DEMO_PINS = {"owner": "1111", "manager": "2222", "cashier": "3333"}
DEMO_CUSTOMERS = 300
DEMO_SALES = 3000
DEMO_SEED = 7


def open_demo(*, reset: bool = False) -> tuple[Context, bool]:
    """Create the demo shop the first time (or after `reset`), then open it. Returns (ctx, created)."""
    from kiosk.services.seed import seed_shop
    from kiosk.services.shop import add_user, init_shop

    path = demo_database()
    if reset:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    if path.exists():
        return open_shop(str(path)), False
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    # Built under another name and renamed when whole, so an interrupted first run leaves no half shop.
    ctx = init_shop(str(building), name="Bismillah Kiryana Store", country="PK", currency="PKR",
                    owner_pin=DEMO_PINS["owner"], demo=True)
    try:
        add_user(ctx, "manager", "manager", DEMO_PINS["manager"])
        add_user(ctx, "cashier", "cashier", DEMO_PINS["cashier"])
        seed_shop(ctx, customers=DEMO_CUSTOMERS, sales=DEMO_SALES, seed=DEMO_SEED)
        ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ctx.close()
    for suffix in ("-wal", "-shm"):
        building.with_name(building.name + suffix).unlink(missing_ok=True)
    building.rename(path)
    return open_shop(str(path)), True
