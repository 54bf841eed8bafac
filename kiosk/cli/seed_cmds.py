"""`kiosk seed`: a deterministic synthetic shop of any size, for demos and benchmarks."""

from __future__ import annotations

import time

from kiosk.cli.common import opened_shop, progress


def register(commands) -> None:
    p = commands.add_parser(
        "seed",
        help="add a deterministic synthetic shop: customers and a year of khata",
        description="Add N synthetic customers (Pakistani, Kenyan, Ghanaian and Indonesian names, some in "
        "Urdu; valid unique phones) and M khata entries over the past year: about 60%% credit sales, "
        "35%% payments, a few 'gave' entries and reversals. The same --seed gives the same shop. "
        "Existing customers and books are kept; the new ones are added after them.",
    )
    p.add_argument("--customers", type=int, required=True, metavar="N", help="how many customers to add")
    p.add_argument("--sales", type=int, required=True, metavar="M",
                   help="how many khata entries to write (credit sales, payments, gave entries, reversals)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="the random seed (default: 1)")
    p.set_defaults(func=cmd_seed)


def cmd_seed(args) -> int:
    from kiosk.services.seed import check_sizes, seed_shop

    check_sizes(args.customers, args.sales)  # before opening anything: bad input changes nothing
    with opened_shop(args) as ctx:
        started = time.perf_counter()
        advance = progress(args.customers + args.sales, "Seeding")
        result = seed_shop(ctx, customers=args.customers, sales=args.sales, seed=args.seed, progress=advance)
        elapsed = time.perf_counter() - started
        ids = (f" (ids {result.first_customer_id}-{result.last_customer_id})"
               if result.first_customer_id is not None else "")
        print(f"Seeded {result.customers:,} customers{ids} and {result.entries:,} khata entries "
              f"({result.sales:,} sales, {result.payments:,} payments, {result.gave:,} gave, "
              f"{result.reversals:,} reversals) with seed {args.seed} in {elapsed:.1f} s; "
              f"net balance {ctx.shop.money(result.net_balance)}")
    return 0
