"""Selling on SQLite: one credit sale next to the raw inserts it needs, and sales per second at 1 and 4 tills.

A fresh shop is built in bench/out/ (on the same disk as the real thing: fsync is most of a sale), opened
as kiosk opens it (WAL, synchronous=FULL). Figures only, never assertions.

- One sale: `sales.sell` of a credit sale with 5 product lines, paid part cash and part on the khata, to a
  customer with points who earns more: p50 and p99. Next to it the floor: the same rows written with
  plain sqlite3 and the same pragmas, one BEGIN IMMEDIATE ... COMMIT per sale (1 sale, 5 sale_line,
  2 sale_tender, 1 khata_entry, 1 customer UPDATE of balance and points, 1 points_entry, 1
  outbox_message, 1 audit_log). The two run in alternating blocks so a noisy machine hits both alike.
- Throughput: tills as separate processes on one file, each alternating a cash sale (no customer) and a
  credit sale to its own customers, all started together: 1 till, then 4.

    .venv/bin/python bench/sales.py                 # 500 sales, then 1 and 4 tills
    .venv/bin/python bench/sales.py --profile       # and cProfile of one sale, top 15 by cumulative time
    .venv/bin/python bench/sales.py --sales 200 --per-till 50     # a quick run
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import multiprocessing
import os
import platform
import pstats
import random
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PIN = "1111"
SEED = 1
PRODUCTS = 300
CUSTOMERS = 100
LINES = 5
CASH_PART = 500_00  # Rs 500 in cash, the rest on the khata
BLOCK = 50  # sales per block; app and floor blocks alternate, each block starts with one untimed sale


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile: p99 of 500 samples is the 495th smallest."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms"


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- The shop --------------------------------------------------------------------------------------


def ean13(n: int) -> str:
    """A valid EAN-13 for the number n (its check digit computed)."""
    body = f"89{n:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def build_shop(path: Path, customers: int, *, encrypt: bool = False) -> dict:
    """A fresh shop: PRODUCTS products (barcodes and SKUs), `customers` customers with a phone and
    1,000 points each. Written in one transaction: only the sales are timed. `encrypt`: SQLCipher."""
    from kiosk.services import customers as customer_service
    from kiosk.services import loyalty, products
    from kiosk.services.shop import init_shop
    from kiosk.store.db import write_transaction

    remove_db(path)
    OUT.mkdir(parents=True, exist_ok=True)
    ctx = init_shop(str(path), name="Bench Kiryana", country="PK", currency="PKR", owner_pin=PIN, encrypt=encrypt)
    rng = random.Random(SEED)
    try:
        with write_transaction(ctx.db):
            codes = []
            for n in range(PRODUCTS):
                barcode = ean13(n) if n % 2 else None
                products.add(ctx, sku=f"SKU-{n:04d}", name=f"Product {n}", price=rng.randint(20, 3_000) * 100,
                             barcode=barcode)
                codes.append(barcode or f"SKU-{n:04d}")
            people = []
            for n in range(customers):
                c = customer_service.add(ctx, name=f"Customer {n}", phone=f"0300 {1_000_000 + n:07d}")
                loyalty.adjust(ctx, c.id, 1_000, reason="opening points")
                people.append(c.id)
        ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        ctx.close()
    return {"codes": codes, "customers": people}


def basket(rng: random.Random, codes: list[str]) -> list[tuple[str, str]]:
    return [(code, str(rng.randint(1, 3))) for code in rng.sample(codes, LINES)]


def sell_one(ctx, sale_id: str, items: list[tuple[str, str]], customer_id: int | None) -> None:
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import sales
    from kiosk.services.sales import ItemRequest

    tenders = ([TenderRequest(Method.CASH, CASH_PART), TenderRequest(Method.KHATA)] if customer_id
               else [TenderRequest(Method.CASH)])
    sales.sell(ctx, sale_id=sale_id, items=[ItemRequest(c, q) for c, q in items], tenders=tenders,
               customer_id=customer_id)


# --- The floor: the same rows in plain sqlite3 ---------------------------------------------------------


class Floor:
    """What one credit sale writes, and nothing else: no reads, no Python beyond binding values."""

    SALE = ("INSERT INTO sale (id, customer_id, date, created_at, user_id, till, gross, line_discounts, "
            "basket_discount, total, points_redeemed, points_value, rounding, paid, cash_given, change, "
            "points_earned, khata, store_credit, tier_after, approved_by_id, override_by_id, balance_after, "
            "points_after, refunded, fully_refunded, khata_points_due, khata_points_earned) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 0, 0, 0, ?, ?, 0, ?, ?, 0, ?, NULL, NULL, ?, ?, 0, 0, 0, 0)")
    LINE = ("INSERT INTO sale_line (sale_id, n, product_id, sku, description, unit, unit_price, quantity_milli, "
            "discount_bp, discount_amount, gross, net, points_discount, points_redeemed, points_earned, khata, "
            "store_credit) VALUES (?, ?, ?, ?, ?, 'each', ?, ?, 0, 0, ?, ?, 0, 0, ?, ?, 0)")
    TENDER = "INSERT INTO sale_tender (sale_id, method, name, amount) VALUES (?, ?, NULL, ?)"
    KHATA = ("INSERT INTO khata_entry (customer_id, kind, amount, date, note, source, user_id, till, created_at, "
             "sale_id) VALUES (?, 'debit', ?, ?, ?, 'sale', ?, ?, ?, ?)")
    CUSTOMER = "UPDATE customer SET balance = balance + ?, points = points + ? WHERE id = ?"
    POINTS = ("INSERT INTO points_entry (customer_id, kind, points, date, expires_on, sale_id, note, user_id, "
              "till, created_at) VALUES (?, 'earn', ?, ?, ?, ?, '', ?, ?, ?)")
    OUTBOX = ("INSERT INTO outbox_message (customer_id, channel, recipient, kind, body, sale_id, created_at, "
              "status, attempts, last_error, idempotency_key) "
              "VALUES (?, 'sms', ?, 'credit-sale', ?, ?, ?, 'pending', 0, '', ?)")
    AUDIT = "INSERT INTO audit_log (at, user_id, till, action, record, detail) VALUES (?, ?, ?, 'sale', ?, ?)"

    def __init__(self, path: Path, products: list[tuple[int, str, int]]):
        from kiosk.store.db import SQLITE_PRAGMAS

        self.conn = sqlite3.connect(path, isolation_level=None)  # autocommit: BEGIN/COMMIT are ours
        for key, value in SQLITE_PRAGMAS.items():
            self.conn.execute(f"PRAGMA {key} = {value}")
        self.products = products  # (id, sku, price)

    def sell(self, rng: random.Random, sale_id: str, customer_id: int, phone: str) -> None:
        now = dt.datetime.now().replace(microsecond=0).isoformat(" ")
        today = dt.date.today().isoformat()
        picked = [(pid, sku, price, rng.randint(1, 3)) for pid, sku, price in rng.sample(self.products, LINES)]
        total = sum(price * qty for _pid, _sku, price, qty in picked)
        khata, earned = total - CASH_PART, CASH_PART // 100 // 2
        lines = [(sale_id, n, pid, sku, f"Product {sku}", price, qty * 1000, price * qty, price * qty,
                  earned // LINES, (price * qty) * khata // total)
                 for n, (pid, sku, price, qty) in enumerate(picked, start=1)]
        body = f"Bench Kiryana: Rs{total / 100:,.2f} bought, Rs{khata / 100:,.2f} on your khata. Sale {sale_id}."
        detail = json.dumps({"approved_by": None, "customer": customer_id, "khata": khata, "override_by": None,
                             "paid": total, "total": total}, sort_keys=True)
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        c.execute(self.SALE, (sale_id, customer_id, today, now, 1, "bench", total, total, total, CASH_PART, earned,
                              khata, "New", 0, 0))
        c.executemany(self.LINE, lines)
        c.executemany(self.TENDER, [(sale_id, "cash", CASH_PART), (sale_id, "khata", khata)])
        c.execute(self.KHATA, (customer_id, khata, today, f"sale {sale_id}", 1, "bench", now, sale_id))
        c.execute(self.CUSTOMER, (khata, earned, customer_id))
        c.execute(self.POINTS, (customer_id, earned, today, "2027-12-31", sale_id, 1, "bench", now))
        c.execute(self.OUTBOX, (customer_id, phone, body, sale_id, now, f"sale:{sale_id}"))
        c.execute(self.AUDIT, (now, 1, "bench", f"sale:{sale_id}", detail))
        c.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


# --- One sale: app next to floor -----------------------------------------------------------------------


def bench_one_sale(path: Path, shop: dict, n: int) -> dict:
    from kiosk.services.context import open_shop
    from kiosk.store.models import OutboxMessage, Sale

    rng = random.Random(SEED)
    ctx = open_shop(str(path))
    ctx.till = "bench"
    (sync,) = ctx.db.execute_sql("PRAGMA synchronous").fetchone()
    (journal,) = ctx.db.execute_sql("PRAGMA journal_mode").fetchone()
    products = [tuple(r) for r in ctx.db.execute_sql("SELECT id, sku, price FROM product ORDER BY id").fetchall()]
    phones = dict(ctx.db.execute_sql("SELECT id, phone FROM customer").fetchall())
    floor = Floor(path, products)
    people = shop["customers"]
    app_times: list[float] = []
    floor_times: list[float] = []
    counter = 0
    try:
        for _ in range(20):  # warm both connections and Python before anything is timed
            sell_one(ctx, f"warm-{counter}", basket(rng, shop["codes"]), people[counter % len(people)])
            floor.sell(rng, f"warm-floor-{counter}", people[counter % len(people)], phones[people[counter % len(people)]])
            counter += 1
        while len(app_times) < n:
            size = min(BLOCK, n - len(app_times))
            for timed in (False,) + (True,) * size:  # the first sale of a block refills the page cache
                cid = people[counter % len(people)]
                items = basket(rng, shop["codes"])
                start = time.perf_counter()
                sell_one(ctx, f"app-{counter}", items, cid)
                if timed:
                    app_times.append(time.perf_counter() - start)
                counter += 1
            for timed in (False,) + (True,) * size:
                cid = people[counter % len(people)]
                start = time.perf_counter()
                floor.sell(rng, f"floor-{counter}", cid, phones[cid])
                if timed:
                    floor_times.append(time.perf_counter() - start)
                counter += 1
        outbox = OutboxMessage.select().where(OutboxMessage.sale_id.startswith("app-")).count()
        app_sales = Sale.select().where(Sale.id.startswith("app-")).count()
        statements = statements_of_one_sale(ctx, rng, shop, f"traced-{counter}", people[0])
    finally:
        floor.close()
        ctx.close()
    modes = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return {"app": app_times, "floor": floor_times, "mode": f"journal_mode={journal}, synchronous={modes.get(sync, sync)}",
            "outbox": outbox, "app_sales": app_sales, "statements": statements}


def statements_of_one_sale(ctx, rng: random.Random, shop: dict, sale_id: str, customer_id: int) -> list[str]:
    """Every SQL statement one sale sends to SQLite, in order."""
    seen: list[str] = []
    conn = ctx.db.connection()
    conn.set_trace_callback(seen.append)
    try:
        sell_one(ctx, sale_id, basket(rng, shop["codes"]), customer_id)
    finally:
        conn.set_trace_callback(None)
    return [" ".join(sql.split()) for sql in seen if sql.strip()]


def profile_sales(path: Path, shop: dict, sales: int) -> str:
    """cProfile of `sales` sales (default one) after 10 warm-up sales: the top 15 by cumulative time,
    then the top 15 of Kiosk's own functions (which use case the time is spent under)."""
    from kiosk.services.context import open_shop

    rng = random.Random(SEED + 1)
    ctx = open_shop(str(path))
    ctx.till = "bench"
    people = shop["customers"]
    try:
        for n in range(10):
            sell_one(ctx, f"profile-warm-{n}", basket(rng, shop["codes"]), people[n % len(people)])
        baskets = [basket(rng, shop["codes"]) for _ in range(sales)]
        profiler = cProfile.Profile()
        profiler.enable()
        for n, items in enumerate(baskets):
            sell_one(ctx, f"profiled-{n}", items, people[(10 + n) % len(people)])
        profiler.disable()
    finally:
        ctx.close()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(15)
    out.write("Kiosk's own functions only:\n")
    stats.print_stats(r"/kiosk/", 15)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


# --- Throughput: tills as processes ---------------------------------------------------------------------


def till_process(path: str, till: int, customers: list[int], codes: list[str], sales: int, tag: str,
                 barrier, results) -> None:
    """One till: open the shop, wait for the others, then sell `sales` times, alternating a cash sale
    and a credit sale to its own customers. Puts (start, end, per-sale seconds, refusals) on `results`."""
    from kiosk.domain.errors import KioskError
    from kiosk.services.context import open_shop

    rng = random.Random(SEED + till)
    ctx = open_shop(path)
    ctx.till = f"till-{till}"
    try:
        sell_one(ctx, f"{tag}-warm-{till}", basket(rng, codes), None)  # imports and caches, untimed
        times, refused = [], 0
        barrier.wait(120)
        start = time.perf_counter()  # CLOCK_MONOTONIC: comparable between processes on Linux
        for n in range(sales):
            customer = customers[(n // 2) % len(customers)] if n % 2 else None
            t0 = time.perf_counter()
            try:
                sell_one(ctx, f"{tag}-{till}-{n}", basket(rng, codes), customer)
            except KioskError:
                refused += 1
            times.append(time.perf_counter() - t0)
        end = time.perf_counter()
    except BaseException as exc:
        barrier.abort()
        results.put(("error", till, repr(exc)))
        raise
    finally:
        ctx.close()
    results.put(("ok", start, end, times, refused))


def bench_tills(path: Path, shop: dict, tills: int, per_till: int) -> dict:
    """`tills` processes selling at once, each with its own customers: sales per second over the
    span from the first till's start to the last till's end."""
    mp = multiprocessing.get_context("spawn")
    barrier, results = mp.Barrier(tills), mp.Queue()
    people = shop["customers"]
    per = max(1, len(people) // tills)
    procs = [mp.Process(target=till_process, args=(str(path), t, people[t * per:(t + 1) * per], shop["codes"],
                                                   per_till, f"t{tills}", barrier, results))
             for t in range(tills)]
    for p in procs:
        p.start()
    got = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(60)
    errors = [g for g in got if g[0] != "ok"]
    if errors:
        raise RuntimeError(f"a till failed: {errors}")
    start = min(g[1] for g in got)
    end = max(g[2] for g in got)
    times = [t for g in got for t in g[3]]
    return {"sales": len(times), "seconds": end - start, "per_second": len(times) / (end - start),
            "p50": percentile(times, 50), "p99": percentile(times, 99), "refused": sum(g[4] for g in got)}


# --- Main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from bench_keyring import use_bench_keyring  # bench/ is on sys.path when a script in it runs

    use_bench_keyring()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=500, help="timed sales, and as many floor sales (default 500)")
    parser.add_argument("--per-till", type=int, default=100, help="sales per till in the throughput runs")
    parser.add_argument("--profile", action="store_true", help="cProfile one sale, top 15 by cumulative time")
    parser.add_argument("--profile-sales", type=int, default=1, metavar="N",
                        help="with --profile: profile N sales together, for steadier shares (default 1)")
    args = parser.parse_args(argv)

    path = OUT / "sales-bench.db"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())  # other work on the machine moves every figure
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs "
          f"({platform.machine()}), load average {load}; building {path} ({PRODUCTS} products, "
          f"{CUSTOMERS} customers) ...", flush=True)
    shop = build_shop(path, CUSTOMERS)
    try:
        one = bench_one_sale(path, shop, args.sales)
        app, floor = one["app"], one["floor"]
        a50, a99, f50, f99 = (percentile(app, 50), percentile(app, 99), percentile(floor, 50), percentile(floor, 99))
        stmts = Counter(sql.split(None, 1)[0].upper() for sql in one["statements"])
        print(f"\nOne credit sale: {LINES} product lines, Rs{CASH_PART // 100} cash + the rest on khata, to a customer "
              f"with points who earns more ({len(app)} sales; {one['mode']}; blocks of {BLOCK} alternating):")
        print(f"  sales.sell()                 p50 {ms(a50):>10}   p99 {ms(a99):>10}   "
              f"({sum(stmts.values())} SQL statements: "
              + ", ".join(f"{k} {v}" for k, v in sorted(stmts.items(), key=lambda kv: -kv[1])) + ")")
        print(f"  floor: raw sqlite3 inserts   p50 {ms(f50):>10}   p99 {ms(f99):>10}   "
              f"(BEGIN IMMEDIATE, 8 INSERT/UPDATE statements for 13 rows, COMMIT)")
        print(f"  sell() / floor               p50 {a50 / f50:9.2f}x   p99 {a99 / f99:9.2f}x   (goal: at most 2x)")
        if one["outbox"]:
            print(f"  outbox: sell() wrote {one['outbox']} outbox messages for its {one['app_sales']} sales "
                  "(the floor writes one per sale)")
        else:
            print("  outbox: sell() wrote no outbox message yet; the floor writes one, so the ratio flatters sell() "
                  "by one INSERT")

        print(f"\nSales per second, each till its own process on one file, cash and credit sales alternating "
              f"({args.per_till} sales per till):")
        solo = bench_tills(path, shop, 1, args.per_till)
        four = bench_tills(path, shop, 4, args.per_till)
        for label, r in (("1 till ", solo), ("4 tills", four)):
            print(f"  {label}: {r['sales']} sales in {r['seconds']:.2f} s = {r['per_second']:6.1f} sales/s   "
                  f"per sale p50 {ms(r['p50'])}, p99 {ms(r['p99'])}"
                  + (f"   ({r['refused']} refused)" if r["refused"] else ""))
        print(f"  4 tills / 1 till: {four['per_second'] / solo['per_second']:.2f}x the sales per second")

        if args.profile:
            what = "One sale" if args.profile_sales == 1 else f"{args.profile_sales} sales"
            print(f"\n{what} under cProfile (after 10 warm-up sales), top 15 by cumulative time:")
            print(profile_sales(path, shop, args.profile_sales))
            print(f"The {len(one['statements'])} SQL statements of one sale, in order:")
            for sql in one["statements"]:
                print(f"  {sql[:150]}{' ...' if len(sql) > 150 else ''}")
    finally:
        remove_db(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
