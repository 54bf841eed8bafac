"""`kiosk seed`: a deterministic synthetic shop of any size, for demos and benchmarks."""

from __future__ import annotations

import time

from kiosk.cli.common import opened_shop, progress


def register(commands) -> None:
    p = commands.add_parser(
        "seed",
        help="add a deterministic synthetic shop: a catalogue, customers and a year of real sales",
        description="Add a catalogue of about sixty products (if the shop has none yet), N synthetic "
        "customers (Pakistani, Kenyan, Ghanaian and Indonesian names, some in Urdu; valid unique phones) "
        "and a year of M real sales: baskets of products paid in cash with change, by card, by the shop's "
        "mobile-money services, on the khata or with store credit, points earned and redeemed; among them "
        "refunds (partial and full, to cash or store credit), khata payments, a few 'gave' entries and "
        "reversals. Every figure agrees with the books (`kiosk check`). The same --seed gives the same "
        "shop. Existing customers, products and books are kept; the new ones are added after them.",
    )
    p.add_argument("--customers", type=int, required=True, metavar="N", help="how many customers to add")
    p.add_argument("--sales", type=int, required=True, metavar="M",
                   help="how many sales to make over the year (refunds, payments, gave entries and reversals "
                        "come on top, about one for every five sales)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="the random seed (default: 1)")
    p.set_defaults(func=cmd_seed)


def cmd_seed(args) -> int:
    from kiosk.services.seed import check_sizes, seed_shop

    check_sizes(args.customers, args.sales)  # before opening anything: bad input changes nothing
    with opened_shop(args) as ctx:
        started = time.perf_counter()
        advance = progress(args.customers + args.sales, "Seeding")
        r = seed_shop(ctx, customers=args.customers, sales=args.sales, seed=args.seed, progress=advance)
        elapsed = time.perf_counter() - started
        ids = f" (ids {r.first_customer_id}-{r.last_customer_id})" if r.first_customer_id is not None else ""
        products = f"{r.products:,} products, " if r.products else ""
        print(f"Seeded {products}{r.customers:,} customers{ids} and {r.sales:,} sales ({r.walk_in:,} walk-in, "
              f"{r.on_khata:,} on khata, {r.redemptions:,} with points) with {r.refunds:,} refunds "
              f"({r.full_refunds:,} in full), {r.payments:,} payments, {r.gave:,} gave, {r.reversals:,} reversals "
              f"in {elapsed:.1f} s with seed {args.seed}; net balance {ctx.shop.money(r.net_balance)}")
    return 0
