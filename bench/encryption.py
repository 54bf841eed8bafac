"""What SQLCipher costs a till: the same credit sale, shop open and customer search on a plain and on an
encrypted shop file, in alternating blocks on one machine in one run. Figures only, never assertions.

    .venv/bin/python bench/encryption.py              # 300 sales on each
    .venv/bin/python bench/encryption.py --sales 100  # a quick run
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

from sales import BLOCK, OUT, SEED, basket, build_shop, ms, percentile, remove_db, sell_one


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    from bench_keyring import use_bench_keyring

    use_bench_keyring()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=300, help="timed sales on each shop (default 300)")
    args = parser.parse_args(argv)

    from kiosk.services import customers
    from kiosk.services.context import open_shop

    paths = {"plain": OUT / "plain-bench.db", "encrypted": OUT / "encrypted-bench.db"}
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}; building two shops (100 customers, 300 products) ...",
          flush=True)
    shops = {name: build_shop(path, 100, encrypt=(name == "encrypted")) for name, path in paths.items()}
    ctxs = {name: open_shop(str(path)) for name, path in paths.items()}
    rng = random.Random(SEED)
    sale_times: dict[str, list[float]] = {name: [] for name in paths}
    open_times: dict[str, list[float]] = {name: [] for name in paths}
    search_times: dict[str, list[float]] = {name: [] for name in paths}
    counter = 0
    try:
        while len(sale_times["plain"]) < args.sales:
            for name, ctx in ctxs.items():  # alternating blocks: a noisy machine hits both alike
                people = shops[name]["customers"]
                for first in (True,) + (False,) * BLOCK:
                    items, cid = basket(rng, shops[name]["codes"]), people[counter % len(people)]
                    took = timed(lambda: sell_one(ctx, f"s-{counter}", items, cid))
                    counter += 1
                    if not first:
                        sale_times[name].append(took)
                for _ in range(5):
                    open_times[name].append(timed(lambda: open_shop(str(paths[name])).close()))
                    search_times[name].append(timed(lambda: customers.search(ctx, "Customer 4")))
    finally:
        for ctx in ctxs.values():
            ctx.close()
        for path in paths.values():
            remove_db(path)

    print(f"\n{'':24}{'plain':>22}{'encrypted':>22}{'ratio':>10}")
    for label, table, pct in (("credit sale p50", sale_times, 50), ("credit sale p99", sale_times, 99),
                              ("open the shop p50", open_times, 50), ("customer search p50", search_times, 50)):
        plain, enc = percentile(table["plain"], pct), percentile(table["encrypted"], pct)
        print(f"{label:24}{ms(plain):>22}{ms(enc):>22}{enc / plain:9.2f}x")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
