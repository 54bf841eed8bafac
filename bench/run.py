"""Kiosk's benchmarks: print figures, never assert. `make bench` runs this.

At 100k customers and 1M khata entries on SQLite (the shop is built once into bench/out/ and reused):
seed time; customer search per keystroke next to the same query's raw FTS5 time; the balance of one
customer next to a raw primary-key read; posting one payment with synchronous=FULL; the credit report
with FIFO ageing; then, on a copy with 1M sales and their points entries added straight into the tables
(built once and reused too), the customer report over all time and over the last full month. Ends with
a Markdown table for the README.

    .venv/bin/python bench/run.py                       # full size (builds bench/out/ the first time)
    .venv/bin/python bench/run.py --customers 10000 --entries 100000   # a quick run
    .venv/bin/python bench/run.py --rebuild             # seed the shop again (and time it)
    .venv/bin/python bench/run.py --try-indexes         # also the customer report with its indexes
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PIN = "1111"
SEED = 1

# Goals from the issue; floors from DESIGN.md ("a point query by key a few µs", "an SQLite FTS5 trigram
# match over 1M names takes 0.2-0.6 ms") and from the raw query measured beside each figure.
GOAL_SEARCH_P99_MS = 1.0
GOAL_BALANCE_MS = 0.1
GOAL_REPORT_S = 1.0
GOAL_CUSTOMER_REPORT_S = 1.0


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile: p99 of 300 samples is the 297th smallest."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.3f} ms" if value < 1 else f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


# --- The shop --------------------------------------------------------------------------------------


def build_or_reuse(customers: int, entries: int, rebuild: bool) -> tuple[Path, dict]:
    """The benchmark shop and what its build recorded (seed time, date). Built under another name
    and renamed when whole, so an interrupted build is never reused."""
    from kiosk.cli.common import progress
    from kiosk.services.seed import seed_shop
    from kiosk.services.shop import init_shop

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"shop-{customers}-{entries}.db"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        print(f"Reusing {path} (built {meta['built']}, seeded in {meta['seed_seconds']:.1f} s)")
        migrate_if_needed(path)
        return path, meta
    building = path.with_name(path.name + ".building")
    for stale in (path, building, meta_path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stale}{suffix}").unlink(missing_ok=True)
    print(f"Building {path}: {customers:,} customers, {entries:,} khata entries (seed {SEED}) ...", flush=True)
    ctx = init_shop(str(building), name="Bench Kiryana", country="PK", currency="PKR", owner_pin=PIN)
    try:
        advance = progress(customers + entries, "Seeding")
        started = time.perf_counter()
        result = seed_shop(ctx, customers=customers, sales=entries, seed=SEED, progress=advance)
        seconds = time.perf_counter() - started
        ctx.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        ctx.db.execute_sql("ANALYZE")  # what a shop's nightly maintenance would do; the planner uses it
    finally:
        ctx.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    building.rename(path)
    meta = {
        "built": dt.date.today().isoformat(),
        "seed_seconds": seconds,
        "customers": result.customers,
        "entries": result.entries,
        "kinds": {"sales": result.sales, "payments": result.payments, "gave": result.gave,
                  "reversals": result.reversals},
        "bytes": path.stat().st_size,
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    print(f"Seeded in {seconds:.1f} s ({(customers + entries) / seconds:,.0f} rows/s); "
          f"{path.stat().st_size / 2**20:.0f} MiB")
    return path, meta


def migrate_if_needed(path: Path) -> None:
    """A benchmark shop built before the latest migrations is brought up to date in place (no backup:
    it can always be built again), so `open_shop` accepts it."""
    from kiosk.store.db import migrate, open_database, pending_migrations

    db = open_database(str(path))
    try:
        pending = pending_migrations(db)
        if pending:
            started = time.perf_counter()
            migrate(db, backup=False)
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            print(f"Migrated {path.name} ({', '.join(pending)}) in {time.perf_counter() - started:.1f} s")
    finally:
        db.close()


# --- Sales and points for the customer report ---------------------------------------------------------

#: Sales are spread over this many days, ending today (the khata seed's year).
SALE_DAYS = 365
#: Share of sales rung up for a known customer (the rest are walk-ins), partly and fully refunded.
SALE_CUSTOMER_SHARE = 0.7
PART_REFUNDED = 0.02
FULLY_REFUNDED = 0.01
#: A customer with at least this many points redeems at a sale this often.
REDEEM_SHARE = 0.08
#: Share of customers with points whose oldest points expired once during the year.
EXPIRED_SHARE = 0.15


def _sale_amount(rng: random.Random) -> int:
    """A till's basket in paisa: mostly small, a long tail of big wholesale ones."""
    return int(min(rng.lognormvariate(7.0, 1.0), 60_000)) * 100


def build_or_reuse_sales(base: Path, base_meta: dict, sales: int, rebuild: bool) -> tuple[Path, dict]:
    """The benchmark shop plus `sales` sales and their points entries, for the customer report.

    A copy of the base shop (so the khata benchmarks keep theirs as seeded), filled straight through
    raw sqlite3 executemany in one transaction, the secondary indexes made after the load: 1M sale
    rows and 0.8M points entries take well under a minute, where `sales.sell` would take hours. Sales
    go day by day over the last year to customers already on the books, regulars more often (Pareto
    weights, like the khata seed), 30% to walk-ins; 1% are refunded in full and 2% in part. Points:
    earn entries for what was paid, redemptions by customers with enough points, take-backs for
    refunded sales, and one expiry run. Each customer's cached points equal Σ of their entries. Sales
    carry only what the report reads: no lines, tenders or refund rows behind their `refunded`, so
    `kiosk check` would point at them. Built under another name and renamed when whole, like the
    base shop; built again when the base shop is."""
    path = base.with_name(f"{base.stem}-sales-{sales}.db")
    meta_path = path.with_suffix(".json")
    base_stamp = f"{base_meta['built']}/{base_meta['seed_seconds']}"  # a rebuilt base shop: build again
    if path.exists() and meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        if meta.get("base") == base_stamp:
            print(f"Reusing {path.name} (built {meta['built']} in {meta['build_seconds']:.1f} s)")
            migrate_if_needed(path)
            return path, meta
    building = path.with_name(path.name + ".building")
    for stale in (path, building, meta_path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stale}{suffix}").unlink(missing_ok=True)
    print(f"Building {path.name}: {sales:,} sales and their points entries on a copy of {base.name} ...", flush=True)
    started = time.perf_counter()
    src = sqlite3.connect(base)
    dst = sqlite3.connect(building)
    src.backup(dst)  # a consistent copy even with a WAL beside the base file
    src.close()
    dst.close()
    copied = time.perf_counter() - started
    try:
        counts = _fill_sales(building, sales)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        raise
    seconds = time.perf_counter() - started
    building.rename(path)
    meta = {"built": dt.date.today().isoformat(), "base": base_stamp, "build_seconds": seconds,
            "copy_seconds": copied, "sales": sales, **counts, "bytes": path.stat().st_size}
    meta_path.write_text(json.dumps(meta, indent=2))
    print(f"Built in {seconds:.1f} s (copy {copied:.1f} s, {sales / (seconds - copied):,.0f} sales/s with points); "
          f"{path.stat().st_size / 2**20:.0f} MiB")
    return path, meta


def _fill_sales(path: Path, sales: int) -> dict:
    from kiosk.store.db import migrate, open_database

    db = open_database(str(path))
    try:
        migrate(db, backup=False)
    finally:
        db.close()
    rng = random.Random(SEED)
    con = sqlite3.connect(path, isolation_level=None)
    # A throwaway file until it is renamed: no journal to keep, no fsync, a big cache for the indexes.
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-512000")
    today = dt.date.today()
    start = today - dt.timedelta(days=SALE_DAYS - 1)
    people = con.execute("SELECT id, substr(created_at, 1, 10), archived FROM customer ORDER BY id").fetchall()
    joined = [max(dt.date.fromisoformat(d), start) for _, d, _ in people]
    weights = [min(rng.paretovariate(1.5), 40.0) * (0.1 if archived else 1.0) for _, _, archived in people]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    (user_id,) = con.execute("SELECT MIN(id) FROM app_user").fetchone()
    (first_point,) = con.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM points_entry").fetchone()
    points = [0] * len(people)  # each customer's balance as the entries go in
    kinds = {"earn": 0, "redeem": 0, "take-back": 0, "expire": 0}
    sale_sql = ("INSERT INTO sale (id, customer_id, date, created_at, user_id, till, gross, line_discounts, "
                "basket_discount, total, points_redeemed, points_value, rounding, paid, cash_given, change, "
                "points_earned, khata, store_credit, points_after, refunded, fully_refunded) "
                "VALUES (?, ?, ?, ?, ?, 'till-1', ?, 0, 0, ?, ?, ?, 0, ?, ?, 0, ?, 0, 0, ?, ?, ?)")
    points_sql = ("INSERT INTO points_entry (id, customer_id, kind, points, date, expires_on, sale_id, note, till, "
                  "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', 'till-1', ?)")
    # Secondary indexes are dropped and made again after the load: one sort each instead of a million
    # random inserts into each (the primary keys stay).
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                          "AND tbl_name IN ('sale', 'points_entry')").fetchall()
    con.execute("BEGIN")
    for name, _sql in indexes:
        con.execute(f'DROP INDEX "{name}"')
    next_point = first_point
    per_day = [sales // SALE_DAYS + (1 if d < sales % SALE_DAYS else 0) for d in range(SALE_DAYS)]
    eligible = 0
    for d in range(SALE_DAYS):
        day = start + dt.timedelta(days=d)
        iso = day.isoformat()
        expires = (day + dt.timedelta(days=365)).isoformat()
        while eligible < len(people) and joined[eligible] <= day:
            eligible += 1
        sale_rows, point_rows = [], []
        for n in range(per_day[d]):
            t = 8 * 3600 + n * 13 * 3600 // per_day[d]
            created = f"{iso} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
            sale_id = f"{rng.getrandbits(128):032x}"
            total_ = _sale_amount(rng)
            i = None
            if eligible and rng.random() < SALE_CUSTOMER_SHARE:
                i = bisect.bisect_right(cum, rng.random() * cum[eligible - 1], 0, eligible - 1)
            redeemed = value = earned = 0
            if i is not None:
                if points[i] >= 500 and rng.random() < REDEEM_SHARE:
                    # In hundreds, at most half the bill; 100 points are worth Rs 1 (the default rate).
                    redeemed = min(points[i], total_ // 2) // 100 * 100
                    value = redeemed * 1_00 // 100
                    if redeemed >= 500:
                        points[i] -= redeemed
                        point_rows.append((next_point, people[i][0], "redeem", redeemed, iso, None, sale_id, created))
                        next_point += 1
                        kinds["redeem"] += 1
                    else:
                        redeemed = value = 0
                earned = (total_ - value) * 50 // 100_00
                if earned:
                    points[i] += earned
                    point_rows.append((next_point, people[i][0], "earn", earned, iso, expires, sale_id, created))
                    next_point += 1
                    kinds["earn"] += 1
            roll = rng.random()
            refunded, fully = 0, 0
            if roll < FULLY_REFUNDED:
                refunded, fully = total_, 1
            elif roll < FULLY_REFUNDED + PART_REFUNDED:
                refunded = total_ // 100 * rng.randint(10, 60)
            if refunded and i is not None and earned:
                back = min(points[i], earned * refunded // total_)
                if back:
                    points[i] -= back
                    point_rows.append((next_point, people[i][0], "take-back", back, iso, None, sale_id, created))
                    next_point += 1
                    kinds["take-back"] += 1
            paid = total_ - value
            sale_rows.append((sale_id, people[i][0] if i is not None else None, iso, created, user_id, total_,
                              total_, redeemed, value, paid, paid, earned,
                              points[i] if i is not None else None, refunded, fully))
        con.executemany(sale_sql, sale_rows)
        con.executemany(points_sql, point_rows)
    # One expiry run at the end of the year: some customers lose a share of what they hold.
    expire_rows, iso = [], today.isoformat()
    for i, held in enumerate(points):
        if held and rng.random() < EXPIRED_SHARE:
            gone = max(1, held * rng.randint(10, 50) // 100)
            points[i] -= gone
            expire_rows.append((next_point, people[i][0], "expire", gone, iso, iso, None, f"{iso} 23:00:00"))
            next_point += 1
    kinds["expire"] = len(expire_rows)
    con.executemany(points_sql, expire_rows)
    con.executemany("UPDATE customer SET points = ? WHERE id = ?",
                    [(p, people[i][0]) for i, p in enumerate(points) if p])
    for _name, sql in indexes:
        con.execute(sql)
    con.execute("COMMIT")
    for table in ("sale", "points_entry", "customer"):  # what the planner needs; the khata's stats stand
        con.execute(f"ANALYZE {table}")
    con.execute("PRAGMA journal_mode=WAL")  # as the app keeps it
    con.close()
    return {"points_entries": sum(kinds.values()), "points_kinds": kinds}


# --- Measurements ------------------------------------------------------------------------------------


def typed_queries(raw: sqlite3.Connection) -> list[str]:
    """What a cashier types to find someone: names in Latin and Urdu script, a phone, a CNIC."""
    rng = random.Random(SEED)
    (top,) = raw.execute("SELECT MAX(id) FROM customer").fetchone()
    phone = cnic = None
    while phone is None or cnic is None:
        p, c = raw.execute("SELECT phone, cnic FROM customer WHERE id = ?", (rng.randint(1, top),)).fetchone()
        if p and phone is None:
            phone = "0" + p[3:]  # +923001234567 is typed 03001234567
        if c and cnic is None:
            cnic = f"{c[:5]}-{c[5:12]}-{c[12]}"
    return ["Muhammad Imran", "محمد علی", "Wanjiru", "Kwame Mensah", "Siti", "Zainab Qureshi", phone, cnic]


def bench_search(ctx, raw: sqlite3.Connection, rounds: int) -> dict:
    from kiosk.domain.customers import search_query
    from kiosk.store import customers as store

    queries = typed_queries(raw)
    keystrokes = [q[:n] for q in queries for n in range(1, len(q) + 1)]
    app: dict[str, list[float]] = {"trigram": [], "prefix": []}
    floor: dict[str, list[float]] = {"trigram": [], "prefix": []}
    slowest: list[tuple[float, str]] = []
    for round_no in range(rounds + 1):  # the first round warms the cache and is not counted
        for typed in keystrokes:
            q = search_query(typed)
            if not q:
                continue
            kind = "trigram" if len(q) >= store.MIN_TRIGRAM else "prefix"
            t_app = timed(store.search, typed)
            if kind == "trigram":
                phrase = '"' + q.replace('"', '""') + '"'
                t_raw = timed(lambda: raw.execute(
                    "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 20", (phrase,)).fetchall())
            else:
                t_raw = timed(lambda: raw.execute(
                    "SELECT id FROM customer WHERE name_key >= ? AND name_key < ? ORDER BY name_key LIMIT 20",
                    (q, q + "\U0010ffff")).fetchall())
            if round_no:
                app[kind].append(t_app)
                floor[kind].append(t_raw)
                slowest.append((t_app, typed))
    slowest.sort(reverse=True)
    seen, worst = set(), []
    for t, typed in slowest:
        if typed not in seen:
            seen.add(typed)
            worst.append(f"{typed!r} {ms(t)}")
        if len(worst) == 5:
            break
    return {"queries": queries, "app": app, "floor": floor, "worst": worst,
            "all": app["trigram"] + app["prefix"], "all_floor": floor["trigram"] + floor["prefix"]}


def bench_balance(ctx, raw: sqlite3.Connection, n: int) -> tuple[list[float], list[float]]:
    from kiosk.services import khata

    rng = random.Random(SEED)
    (top,) = raw.execute("SELECT MAX(id) FROM customer").fetchone()
    ids = [rng.randint(1, top) for _ in range(n)]
    for cid in ids:  # warm the page cache first, or whichever is timed first pays for the disk reads
        raw.execute("SELECT balance FROM customer WHERE id = ?", (cid,)).fetchone()
    app = [timed(khata.balance, ctx, cid) for cid in ids]
    floor = [timed(lambda c=cid: raw.execute("SELECT balance FROM customer WHERE id = ?", (c,)).fetchone())
             for cid in ids]
    return app, floor


def bench_posting(path: Path, n: int) -> tuple[list[float], str]:
    """khata.receive on a copy of the shop, so the benchmark shop stays as seeded."""
    from kiosk.services import khata
    from kiosk.services.context import open_shop

    copy = OUT / "posting.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    ctx = open_shop(str(copy))
    try:
        (sync,) = ctx.db.execute_sql("PRAGMA synchronous").fetchone()
        (journal,) = ctx.db.execute_sql("PRAGMA journal_mode").fetchone()
        owing = [cid for (cid,) in ctx.db.execute_sql(
            "SELECT id FROM customer WHERE balance > 100 ORDER BY id LIMIT ?", (n,)).fetchall()]
        times = [timed(khata.receive, ctx, cid, 100, method="cash", note="bench") for cid in owing]
    finally:
        ctx.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    modes = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return times, f"journal_mode={journal}, synchronous={modes.get(sync, sync)}"


def bench_report(ctx, runs: int) -> tuple[list[float], int]:
    from kiosk.services.reports import credit_report

    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        report = credit_report(ctx)
        times.append(time.perf_counter() - start)
        rows = len(report.rows)
    return times, rows


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    last = first - dt.timedelta(days=1)
    return last.replace(day=1), last


def bench_customer_report(path: Path, built: dt.date, runs: int, explain: bool) -> dict:
    """`customer_report` over all time and over the last full month before the sales were built: one
    warm-up run each, then `runs` timed runs (wall clock, and this process's CPU time, which the rest
    of a noisy machine's load moves less)."""
    from kiosk.services.context import open_shop
    from kiosk.services.reports import customer_report

    month = last_full_month(built)
    ctx = open_shop(str(path))
    out = {}
    try:
        for label, period in (("all time", (None, None)), (f"{month[0]:%Y-%m}", month)):
            report = customer_report(ctx, *period)  # warm-up: the pages into the OS cache
            wall, cpu = [], []
            for _ in range(runs):
                w0, c0 = time.perf_counter(), time.process_time()
                report = customer_report(ctx, *period)
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
            out[label] = {"wall": wall, "cpu": cpu, "buyers": report.totals.buyers,
                          "purchases": report.totals.purchases}
            if explain:
                print_plans(ctx.db.connection(), f"Customer report, {label}", lambda p=period: customer_report(ctx, *p))
    finally:
        ctx.close()
    return out


#: The indexes the customer report is written for (kiosk/store/customer_report.py), until a migration
#: adds them: `--try-indexes` builds them on a copy of the sales shop and times the report there too.
SUGGESTED_INDEXES = (
    # In place of sale (customer_id, date): the same order, and every column the report reads.
    "CREATE INDEX bench_sale_customer_kept ON sale (customer_id, date, fully_refunded, total, refunded)",
    # Legacy credit sales only (few in a shop that sells through checkout; 0.6M in this one).
    "CREATE INDEX bench_khata_legacy_sale ON khata_entry (customer_id, date, amount, kind, source, sale_id) "
    "WHERE kind = 'debit' AND source = 'sale' AND sale_id IS NULL",
    "CREATE INDEX bench_points_kind_date ON points_entry (kind, date, points)",
)


def bench_customer_report_indexed(path: Path, built_on: dt.date, runs: int, explain: bool) -> tuple[dict, float]:
    """The same on a throwaway copy with SUGGESTED_INDEXES; returns the timings and the index build time."""
    copy = OUT / "customer-report-indexes.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(path), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    try:
        started = time.perf_counter()
        for sql in SUGGESTED_INDEXES:
            dst.execute(sql)
        dst.commit()
        built = time.perf_counter() - started
        dst.execute("ANALYZE")
        dst.commit()
        dst.close()
        return bench_customer_report(copy, built_on, runs, explain), built
    finally:
        dst.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


def print_plans(raw: sqlite3.Connection, label: str, action) -> None:
    """EXPLAIN QUERY PLAN of every statement `action` runs, caught as the app runs them."""
    statements: list[str] = []
    raw.set_trace_callback(statements.append)
    try:
        action()
    finally:
        raw.set_trace_callback(None)
    queries = [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    print(f"\n{label}: {len(queries)} queries")
    for sql in queries:
        print("  " + " ".join(sql.split())[:160] + (" ..." if len(" ".join(sql.split())) > 160 else ""))
        for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}"):
            print(f"      {row[-1]}")


# --- Main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from bench_keyring import use_bench_keyring  # bench/ is on sys.path when a script in it runs

    use_bench_keyring()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="seed the benchmark shop again")
    parser.add_argument("--rounds", type=int, default=5, help="times each query is typed (default 5)")
    parser.add_argument("--sales", type=int, default=1_000_000,
                        help="sales (with points entries) added to a copy of the shop for the customer report "
                        "(default 1,000,000; built once and reused; 0: skip the customer report)")
    parser.add_argument("--report-runs", type=int, default=5, help="timed runs of each customer report (default 5)")
    parser.add_argument("--try-indexes", action="store_true",
                        help="also time the customer report with the indexes it is written for, on a throwaway copy")
    parser.add_argument("--explain", action="store_true",
                        help="print the query plans of the statements search and the credit and customer reports run")
    args = parser.parse_args(argv)

    path, meta = build_or_reuse(args.customers, args.entries, args.rebuild)

    from kiosk.services.context import open_shop
    from kiosk.store import customers as store

    ctx = open_shop(str(path))
    raw = ctx.db.connection()  # the same sqlite3 connection the app uses: same pragmas, same cache
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
          f"{platform.machine()}; {meta['customers']:,} customers, {meta['entries']:,} entries")
    try:
        search = bench_search(ctx, raw, args.rounds)
        print(f"\nSearch, typed letter by letter ({len(search['all'])} keystrokes): {search['queries']}")
        for kind, label in (("trigram", "3+ characters (FTS5 trigram)"), ("prefix", "1-2 characters (name prefix)")):
            a, f = search["app"][kind], search["floor"][kind]
            print(f"  {label:32} app p50 {ms(percentile(a, 50))}, p99 {ms(percentile(a, 99))};"
                  f"  raw p50 {ms(percentile(f, 50))}, p99 {ms(percentile(f, 99))}")
        print(f"  slowest keystrokes: {', '.join(search['worst'])}")

        bal_app, bal_raw = bench_balance(ctx, raw, 20_000)
        print(f"\nBalance of one customer (20,000 reads): khata.balance p50 {ms(percentile(bal_app, 50))}, "
              f"p99 {ms(percentile(bal_app, 99))}; raw SELECT p50 {ms(percentile(bal_raw, 50))}, "
              f"p99 {ms(percentile(bal_raw, 99))}")

        report_times, report_rows = bench_report(ctx, 5)
        print(f"\nCredit report with ageing ({report_rows:,} customers with history), 5 runs: "
              + ", ".join(f"{t:.2f} s" for t in report_times))

        if args.explain:
            print_plans(raw, "Search for 'muh' (a common trigram)", lambda: store.search("Muh"))
            print_plans(raw, "Search for '030' (a phone prefix)", lambda: store.search("030"))
            from kiosk.services.reports import credit_report

            print_plans(raw, "Credit report", lambda: credit_report(ctx))
    finally:
        ctx.close()

    post_times, post_mode = bench_posting(path, 300)
    print(f"\nPosting one payment (khata.receive, {len(post_times)} posts, {post_mode}): "
          f"p50 {ms(percentile(post_times, 50))}, p99 {ms(percentile(post_times, 99))}")

    customer, customer_indexed, index_seconds, sales_meta = {}, {}, 0.0, None
    if args.sales:
        sales_path, sales_meta = build_or_reuse_sales(path, meta, args.sales, args.rebuild)
        built_on = dt.date.fromisoformat(sales_meta["built"])
        kinds = sales_meta["points_kinds"]
        print(f"\nCustomer report ({sales_meta['sales']:,} sales, {sales_meta['points_entries']:,} points entries: "
              + ", ".join(f"{n:,} {k}" for k, n in kinds.items()) + f"; plus the khata's legacy credit sales), "
              f"{args.report_runs} runs after a warm-up:")
        customer = bench_customer_report(sales_path, built_on, args.report_runs, args.explain)
        if args.try_indexes:
            customer_indexed, index_seconds = bench_customer_report_indexed(sales_path, built_on, args.report_runs,
                                                                           args.explain)
        indexed = ((f"{k}, suggested indexes", v) for k, v in customer_indexed.items())
        for label, figures in [*customer.items(), *indexed]:
            print(f"  {label:32} " + ", ".join(f"{t:.2f}" for t in figures["wall"]) + " s; median "
                  f"{statistics.median(figures['wall']):.2f} s (CPU {statistics.median(figures['cpu']):.2f} s); "
                  f"{figures['buyers']:,} buyers, {figures['purchases']:,} purchases")
        if args.try_indexes:
            print(f"  building the suggested indexes took {index_seconds:.1f} s")

    # --- The table for the README ---
    def times(x: float, ref: float) -> str:
        return f"{x / ref:.1f}x" if ref else ""

    def goal(x: float, limit: float) -> str:
        return f"{x / limit:.2f}x ({'meets' if x <= limit else 'misses'})"

    s_all, s_floor = search["all"], search["all_floor"]
    tri, tri_floor = search["app"]["trigram"], search["floor"]["trigram"]
    rep_med = statistics.median(report_times)
    size = ("100k customers + 1M entries" if (meta["customers"], meta["entries"]) == (100_000, 1_000_000)
            else f"{meta['customers']:,} customers + {meta['entries']:,} entries")
    rows = [
        (f"Seed {size}", f"{meta['seed_seconds']:.1f} s", "",
         f"{(meta['customers'] + meta['entries']) / meta['seed_seconds']:,.0f} rows/s", "",
         "well under a few minutes"),
        ("Search per keystroke (all)", ms(percentile(s_all, 50)), ms(percentile(s_all, 99)),
         f"raw query {ms(percentile(s_floor, 50))} / {ms(percentile(s_floor, 99))}",
         f"{times(percentile(s_all, 50), percentile(s_floor, 50))} / {times(percentile(s_all, 99), percentile(s_floor, 99))}",
         f"p99 {goal(percentile(s_all, 99), GOAL_SEARCH_P99_MS / 1000)} of 1 ms"),
        ("Search per keystroke, 3+ characters", ms(percentile(tri, 50)), ms(percentile(tri, 99)),
         f"raw FTS5 LIMIT 20 {ms(percentile(tri_floor, 50))} / {ms(percentile(tri_floor, 99))}",
         f"{times(percentile(tri, 50), percentile(tri_floor, 50))} / {times(percentile(tri, 99), percentile(tri_floor, 99))}",
         f"p99 {goal(percentile(tri, 99), GOAL_SEARCH_P99_MS / 1000)} of 1 ms"),
        ("Balance of one customer", ms(percentile(bal_app, 50)), ms(percentile(bal_app, 99)),
         f"raw SELECT {ms(percentile(bal_raw, 50))} / {ms(percentile(bal_raw, 99))}",
         f"{times(percentile(bal_app, 50), percentile(bal_raw, 50))} / {times(percentile(bal_app, 99), percentile(bal_raw, 99))}",
         f"p50 {goal(percentile(bal_app, 50), GOAL_BALANCE_MS / 1000)}, p99 {goal(percentile(bal_app, 99), GOAL_BALANCE_MS / 1000)} of 0.1 ms"),
        ("Post one payment (synchronous=FULL)", ms(percentile(post_times, 50)), ms(percentile(post_times, 99)),
         "an fsync of the WAL per commit", "", ""),
        (f"Credit report with ageing ({report_rows:,} customers)", f"{rep_med:.2f} s",
         f"{max(report_times):.2f} s (slowest of {len(report_times)})", "", "", f"{goal(rep_med, GOAL_REPORT_S)} of 1 s"),
    ]
    if sales_meta is not None:
        rows.append((f"Build {sales_meta['sales']:,} sales + {sales_meta['points_entries']:,} points entries (once)",
                     f"{sales_meta['build_seconds']:.1f} s", "", "raw executemany, one transaction", "", ""))
    for label, figures in [*customer.items(), *((f"{k}, suggested indexes", v) for k, v in customer_indexed.items())]:
        med = statistics.median(figures["wall"])
        rows.append((f"Customer report, {label}", f"{med:.2f} s",
                     f"{max(figures['wall']):.2f} s (slowest of {len(figures['wall'])})",
                     f"process CPU {statistics.median(figures['cpu']):.2f} s", "",
                     f"{goal(med, GOAL_CUSTOMER_REPORT_S)} of 1 s"))
    print("\n| Measure | p50 | p99 | Floor p50 / p99 | vs floor | vs goal |")
    print("|---|---:|---:|---|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nSQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
          f"({platform.machine()}); the shop: {size}, seed {SEED}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
