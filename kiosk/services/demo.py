"""The demo shop: a Lahore kiryana with a catalogue, a year of sales, refunds and khata, one user per
role with known PINs, and a story to show.

The story, dated back from the day the demo is made, every step through the services a till uses (so
`kiosk check` passes and every figure on a screen is what the books say):

- **Ahmed Khan**, 0300 1234567, a regular for the last half year: customer number 1, with a credit limit
  of Rs 25,000. He buys for cash and on the khata, pays some of it back, and owes money from several
  credit sales; the cash sales (and the khata payments, as loyalty.credit_earns is "paid") earn him
  points, doubled by the campaign.
- **SKU 1001, "Atta 10kg"** at Rs 1,450, what the tmux test sells him on the khata.
- **"Ramzan double points"**: a campaign that began a month ago and runs a month on, so it is on
  whenever the demo is opened in the weeks after it was made.
- Three hundred other customers and three thousand sales over the year (`kiosk seed`, seed 7).

`open_demo(reset=True)` takes about a second on a quiet 2-core machine, most of it the seeded year
and the PIN hashes (bench/customer_list.py times it); the story itself is a dozen service calls. The
shop is built in a file of its own with synchronous=OFF, as nothing in it matters until the file is
renamed into place whole.
"""

from __future__ import annotations

import datetime as dt

from kiosk.paths import demo_database
from kiosk.services.context import Context, open_shop

#: Shown on the demo's login screen; never used outside a demo shop.
DEMO_PINS = {"owner": "1111", "manager": "2222", "cashier": "3333"}
DEMO_CUSTOMERS = 300
DEMO_SALES = 3000
DEMO_SEED = 7

#: The story's people and things, for screens and tests that look for them.
AHMED = {"name": "Ahmed Khan", "phone": "0300 1234567", "credit_limit": 25_000_00, "group": "Retail",
         "address": "Ichhra, Lahore"}
ATTA = {"sku": "1001", "name": "Atta 10kg", "price": 1_450_00}
CAMPAIGN = "Ramzan double points"
CAMPAIGN_DAYS = 30  # before and after the day the demo is made


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
    for suffix in ("", "-wal", "-shm"):
        building.with_name(building.name + suffix).unlink(missing_ok=True)
    # Built under another name and renamed when whole, so an interrupted first run leaves no half shop;
    # so nothing written before the rename needs to survive a power cut: no fsync per transaction.
    ctx = init_shop(str(building), name="Bismillah Kiryana Store", country="PK", currency="PKR",
                    owner_pin=DEMO_PINS["owner"], demo=True)
    try:
        ctx.db.execute_sql("PRAGMA synchronous = OFF")
        add_user(ctx, "manager", "manager", DEMO_PINS["manager"])
        add_user(ctx, "cashier", "cashier", DEMO_PINS["cashier"])
        today = dt.date.today()
        _campaign(ctx, today)  # first, so the seeded year's sales in it earn double too
        ahmed = _ahmed(ctx, today)  # before the seed, which then keeps clear of his phone
        seed_shop(ctx, customers=DEMO_CUSTOMERS, sales=DEMO_SALES, seed=DEMO_SEED, today=today)
        _atta(ctx)
        _ahmeds_story(ctx, ahmed, today)
        ctx.db.execute_sql("PRAGMA synchronous = FULL")
        ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ctx.close()
    for suffix in ("-wal", "-shm"):
        building.with_name(building.name + suffix).unlink(missing_ok=True)
    building.rename(path)
    return open_shop(str(path)), True


def _campaign(ctx: Context, today: dt.date) -> None:
    from kiosk.services import loyalty

    span = dt.timedelta(days=CAMPAIGN_DAYS)
    loyalty.add_campaign(ctx, CAMPAIGN, start=today - span, end=today + span, multiplier="2")


def _ahmed(ctx: Context, today: dt.date) -> int:
    """Ahmed Khan, on the books since half a year ago (the date a screen shows as "added")."""
    from kiosk.services import customers
    from kiosk.store.db import write_transaction
    from kiosk.store.models import Customer

    ahmed = customers.add(ctx, **AHMED)
    since = dt.datetime.combine(today - dt.timedelta(days=182), dt.time(10, 15))
    with write_transaction(ctx.db):  # not the books: only when he was written down
        Customer.update(created_at=since).where(Customer.id == ahmed.id).execute()
    return ahmed.id


def _atta(ctx: Context) -> None:
    from kiosk.services import products

    products.add(ctx, **ATTA)


def _ahmeds_story(ctx: Context, ahmed: int, today: dt.date) -> None:
    """Cash sales now and then, credit sales that add up, a payment on account: he owes from three
    credit sales and holds the points his cash and payments earned."""
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import khata, sales
    from kiosk.services.sales import ItemRequest

    cash, on_khata = TenderRequest(Method.CASH), TenderRequest(Method.KHATA)  # exact cash; the rest on khata
    story = [  # (days ago, items, tenders)
        (150, [("1001", "1"), ("GHEE-1", "2"), ("TEA-190", "1")], [cash]),
        (96, [("1001", "2"), ("SUGAR", "5")], [cash]),
        (41, [("1001", "2"), ("OIL-1", "1"), ("SUGAR", "3")], [on_khata]),
        (24, [("GHEE-1", "1"), ("TEA-190", "2")], [cash]),
        (17, [("1001", "1"), ("SUGAR", "2.5")], [TenderRequest(Method.CASH, 1_000_00), on_khata]),
        (6, [("1001", "1"), ("GHEE-1", "1"), ("OIL-1", "1")], [on_khata]),
    ]
    for n, (days, items, tenders) in enumerate(story, start=1):
        sales.sell(ctx, sale_id=f"demo-ahmed-{n}", customer_id=ahmed, date=today - dt.timedelta(days=days),
                   items=[ItemRequest(code, qty) for code, qty in items], tenders=tenders)
        if days == 24:  # he pays something on account
            khata.receive(ctx, ahmed, 3_000_00, method="JazzCash", date=today - dt.timedelta(days=days),
                          note="part payment", idempotency_key="demo-ahmed-payment-1")
