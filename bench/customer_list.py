"""The customers list, the dashboard and the demo shop: figures only, never assertions.

On the benchmark shop of bench/run.py (100k customers, 1M khata entries, plus 1M sales and their points
entries: built once into bench/out/ by bench/run.py's builders and reused, migrated in place):

- every sort both ways: the first page of 50 and a page after a cursor ten pages down, p50 and p99;
- every filter alone under every sort, and a few together: the first page (slowest and median);
- typing, letter by letter, in a list sorted by name and in one sorted by total spent: a name
  ("ahmed", "muhammad"), a phone as people say it ("0300 1…") and a CNIC: each keystroke's page, p50
  and p99, next to the floor: the least a page of matches needs, the raw FTS5 trigram MATCH of the
  same text (LIMIT 50) and a point read of those rows by id (under 3 characters: a raw name-prefix
  range, LIMIT 50); and how each was read (walk, drive, or a walk given up);
- `count`, with and without a cap;
- the dashboard, without and with its ageing, next to the credit report it agrees with;
- `open_demo(reset=True)`, as a cashier waits for it on the first run.

A frame is ~16 ms at 60 Hz: the goal is a page well inside one.

    .venv/bin/python bench/customer_list.py                   # full size (builds bench/out/ the first time)
    .venv/bin/python bench/customer_list.py --customers 10000 --entries 100000 --sales 100000
    .venv/bin/python bench/customer_list.py --explain         # and the query plans of the first pages
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

FRAME_MS = 16.7


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


#: Each timed call's process CPU time, beside its wall time: on a busy machine (other tills, tests, a
#: browser) the wall clock counts the waits for a core too; the CPU time is close to what a quiet
#: machine's wall clock would show for this work, which is all in memory.
CPU: list[float] = []


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    CPU.append(time.process_time() - cpu)
    return time.perf_counter() - start, out


def cpu_since(mark: int) -> list[float]:
    return CPU[mark:]


def p50_p99(samples: list[float]) -> str:
    return f"p50 {ms(percentile(samples, 50))} ms, p99 {ms(percentile(samples, 99))} ms"


# --- The list ----------------------------------------------------------------------------------------


def bench_sorts(ctx, rounds: int) -> list[tuple]:
    from kiosk.domain.customer_list import Direction, ListQuery, Sort
    from kiosk.services import customer_list

    rows = []
    for sort in Sort:
        for direction in Direction:
            q = ListQuery(sort=sort, direction=direction)
            deep = None
            page = customer_list.page(ctx, q)
            for _ in range(10):  # a cursor ten pages down
                deep = page.next_cursor
                page = customer_list.page(ctx, q, after=deep)
            mark = len(CPU)
            first = [timed(customer_list.page, ctx, q)[0] for _ in range(rounds)]
            first_cpu = cpu_since(mark)
            after = [timed(customer_list.page, ctx, q, after=deep)[0] for _ in range(rounds)]
            rows.append((f"{sort.value} {direction.value}", first, after, first_cpu))
    return rows


def filter_sets():
    from kiosk.domain.customer_list import Filters
    from kiosk.domain.customers import Tier

    return {
        "has balance": Filters(has_balance=True),
        "no purchases": Filters(no_purchases=True),
        "high value": Filters(high_value=True),
        "recent": Filters(recent=True),
        "group Corporate": Filters(group="Corporate"),
        "tier VIP": Filters(tier=Tier.VIP),
        "archived": Filters(archived=True),
        "VIP, recent, owes": Filters(tier=Tier.VIP, recent=True, has_balance=True),
        "archived VIPs": Filters(tier=Tier.VIP, archived=True),
    }


def bench_filters(ctx, rounds: int) -> list[tuple]:
    from kiosk.domain.customer_list import Direction, ListQuery, Sort
    from kiosk.services import customer_list

    rows = []
    for name, filters in filter_sets().items():
        per_sort = []
        for sort in Sort:
            for direction in Direction:
                q = ListQuery(sort=sort, direction=direction, filters=filters)
                customer_list.page(ctx, q)
                best = min(timed(customer_list.page, ctx, q)[0] for _ in range(rounds))
                per_sort.append((best, f"{sort.value} {direction.value}"))
        per_sort.sort()
        rows.append((name, statistics.median(t for t, _ in per_sort), per_sort[-1]))
    return rows


def typed_queries(raw: sqlite3.Connection) -> list[str]:
    """A name, the commonest name, a phone as people say it (0300 1234567) and a CNIC with dashes."""
    (phone,) = raw.execute("SELECT phone FROM customer WHERE phone LIKE '+92300%' ORDER BY id LIMIT 1").fetchone()
    (cnic,) = raw.execute("SELECT cnic FROM customer WHERE cnic IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    national = "0" + phone[3:]
    return ["ahmed", "muhammad", f"{national[:4]} {national[4:]}", f"{cnic[:5]}-{cnic[5:12]}-{cnic[12]}"]


def floor(raw: sqlite3.Connection, typed: str) -> float:
    """The least a page of matches costs: the text's matches from its index (50), then those rows."""
    from kiosk.domain.customers import search_query

    q = search_query(typed)
    start = time.perf_counter()
    if len(q) >= 3:
        phrase = '"' + q.replace('"', '""') + '"'
        ids = [r[0] for r in raw.execute("SELECT rowid FROM customer_fts WHERE customer_fts MATCH ? LIMIT 50", (phrase,))]
    else:
        ids = [r[0] for r in raw.execute("SELECT id FROM customer WHERE name_key >= ? AND name_key < ? "
                                          "ORDER BY name_key LIMIT 50", (q, q + "\U0010ffff"))]
    if ids:
        raw.execute(f"SELECT id, name, phone, balance, points FROM customer WHERE id IN ({','.join('?' * len(ids))})",
                    ids).fetchall()
    return time.perf_counter() - start


def bench_typing(ctx, raw: sqlite3.Connection, rounds: int) -> dict:
    from kiosk.domain.customer_list import Direction, ListQuery, Sort
    from kiosk.domain.customers import search_query
    from kiosk.services import customer_list
    from kiosk.store import customer_list as store

    queries = typed_queries(raw)
    out = {}
    for sort in (Sort.NAME, Sort.SPENT):
        app, app_cpu, base, plans, worst = [], [], [], {}, []
        for round_no in range(rounds + 1):  # the first round warms the caches and is not counted
            for query in queries:
                for n in range(1, len(query) + 1):
                    typed = query[:n]
                    if not search_query(typed):
                        continue
                    q = ListQuery(text=typed, sort=sort, direction=Direction.ASC if sort is Sort.NAME else Direction.DESC)
                    t_app, _page = timed(customer_list.page, ctx, q)
                    t_floor = floor(raw, typed)
                    if round_no:
                        app.append(t_app)
                        app_cpu.append(CPU[-1])
                        base.append(t_floor)
                        worst.append((t_app, typed))
                    if round_no == 1:
                        _rows, _key, plan = store.page(q, today=dt.date.today(), after=None, limit=50)
                        how = "walk, gave up, drive" if plan.gave_up else plan.how
                        plans[how] = plans.get(how, 0) + 1
        worst.sort(reverse=True)
        seen, slowest = set(), []
        for t, typed in worst:
            if typed not in seen:
                seen.add(typed)
                slowest.append(f"{typed!r} {ms(t)} ms")
            if len(slowest) == 5:
                break
        out[sort.value] = {"app": app, "cpu": app_cpu, "floor": base, "plans": plans, "slowest": slowest}
    return {"queries": queries, **out}


def bench_count(ctx, rounds: int) -> list[tuple[str, list[float]]]:
    from kiosk.domain.customer_list import Filters, ListQuery
    from kiosk.services import customer_list

    cases = [("all, no text", ListQuery(), None), ("all, cap 1000", ListQuery(), 1000),
             ("'ahmed'", ListQuery(text="ahmed"), None), ("owes, recent", ListQuery(filters=Filters(
                 has_balance=True, recent=True)), None)]
    return [(label, [timed(customer_list.count, ctx, q, cap=cap)[0] for _ in range(rounds)]) for label, q, cap in cases]


# --- The dashboard and the demo -------------------------------------------------------------------------


def bench_dashboard(ctx, rounds: int) -> dict:
    from kiosk.services import dashboard
    from kiosk.services.reports import credit_report

    dashboard.dashboard(ctx)
    quick = [timed(dashboard.dashboard, ctx, ageing=False)[0] for _ in range(rounds)]
    full = [timed(dashboard.dashboard, ctx)[0] for _ in range(max(3, rounds // 4))]
    report = [timed(credit_report, ctx)[0] for _ in range(3)]
    return {"quick": quick, "full": full, "credit_report": report}


def bench_demo(runs: int) -> list[float]:
    """`open_demo(reset=True)` in a throwaway data directory, as a first run makes it."""
    from kiosk.devices import secrets
    from kiosk.services import demo

    times = []
    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_DATA_HOME"] = home
        for _ in range(runs):
            secrets.forget()
            t, (ctx, _created) = timed(demo.open_demo, reset=True)
            ctx.close()
            times.append(t)
    return times


def print_plans(ctx, raw: sqlite3.Connection) -> None:
    from kiosk.domain.customer_list import Direction, Filters, ListQuery, Sort
    from kiosk.services import customer_list

    cases = [ListQuery(sort=s, direction=Direction.DESC, filters=Filters(has_balance=True)) for s in Sort]
    cases += [ListQuery(text=t, sort=Sort.SPENT, direction=Direction.DESC) for t in ("ah", "ahm", "0300 12", "muh")]
    for q in cases:
        statements: list[str] = []
        raw.set_trace_callback(statements.append)
        try:
            customer_list.page(ctx, q)
        finally:
            raw.set_trace_callback(None)
        print(f"\n{q.sort.value} {q.direction.value}, text {q.text!r}, filters {q.filters}")
        for sql in statements:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                print("  " + " ".join(sql.split())[:150] + " ...")
                for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}"):
                    print(f"      {row[-1]}")


# --- Main --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    import run
    from bench_keyring import use_bench_keyring  # bench/ is on sys.path when a script in it runs

    use_bench_keyring()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20, help="times each page is read (default 20)")
    parser.add_argument("--demo-runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print the query plans of a few pages")
    parser.add_argument("--out", type=Path, default=run.OUT,
                        help="where the benchmark shops are built and reused (default bench/out)")
    args = parser.parse_args(argv)

    run.OUT = args.out
    base, meta = run.build_or_reuse(args.customers, args.entries, rebuild=False)
    path, sales_meta = run.build_or_reuse_sales(base, meta, args.sales, rebuild=False)

    from kiosk.services.context import open_shop

    ctx = open_shop(str(path))
    raw = ctx.db.connection()
    try:
        load = os.getloadavg()[0]
        print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs "
              f"(load {load:.1f} at the start); {meta['customers']:,} customers, {meta['entries']:,} khata entries, "
              f"{sales_meta['sales']:,} sales")
        sorts = bench_sorts(ctx, args.rounds)
        print("\nFirst page (50 rows) and a page after a cursor ten pages down, no text, no filter:")
        for label, first, after, first_cpu in sorts:
            print(f"  {label:22} first {p50_p99(first)} (CPU {p50_p99(first_cpu)});  after {p50_p99(after)}")

        filters = bench_filters(ctx, max(3, args.rounds // 4))
        print("\nEach filter under all ten sorts, first page (best of a few reads each): median; slowest sort")
        for name, median, (slowest, which) in filters:
            print(f"  {name:20} median {ms(median)} ms; slowest {ms(slowest)} ms ({which})")

        typing = bench_typing(ctx, raw, max(1, args.rounds // 4))
        print(f"\nTyping, letter by letter: {typing['queries']}")
        for sort in ("name", "total spent"):
            t = typing[sort]
            print(f"  sorted by {sort:12} page {p50_p99(t['app'])} (CPU {p50_p99(t['cpu'])});  "
                  f"floor {p50_p99(t['floor'])};  read: {t['plans']}")
            print(f"  {'':22} slowest keystrokes: {', '.join(t['slowest'])}")

        counts = bench_count(ctx, max(3, args.rounds // 4))
        print("\ncount():")
        for label, times in counts:
            print(f"  {label:22} {p50_p99(times)}")

        dash = bench_dashboard(ctx, max(4, args.rounds // 2))
        print(f"\nDashboard without the ageing {p50_p99(dash['quick'])}; with it median "
              f"{ms(statistics.median(dash['full']))} ms; the credit report (all its rows) median "
              f"{ms(statistics.median(dash['credit_report']))} ms")
        if args.explain:
            print_plans(ctx, raw)
    finally:
        ctx.close()

    demo = bench_demo(args.demo_runs) if args.demo_runs else []
    if demo:
        print("\nopen_demo(reset=True): " + ", ".join(f"{t:.2f} s" for t in demo))

    # --- The table for the README ---
    def vs(a: list[float], b: list[float]) -> str:
        return f"{percentile(a, 50) / percentile(b, 50):.1f}x / {percentile(a, 99) / percentile(b, 99):.1f}x"

    firsts = [t for _l, first, _a, _c in sorts for t in first]
    firsts_cpu = [t for _l, _f, _a, cpu in sorts for t in cpu]
    afters = [t for _l, _f, after, _c in sorts for t in after]

    def both(samples: list[float], cpu: list[float] | None = None) -> tuple[str, str, str]:
        return (ms(percentile(samples, 50)), ms(percentile(samples, 99)),
                f"{ms(percentile(cpu, 50))} / {ms(percentile(cpu, 99))}" if cpu else "")

    rows = [
        ("First page, any sort (10 sorts)", *both(firsts, firsts_cpu), "", ""),
        ("Page after a cursor, any sort", *both(afters), "", ""),
        ("First page, any filter under any sort (median / worst of 90)",
         ms(statistics.median(m for _n, m, _s in filters)), ms(max(s for _n, _m, (s, _w) in filters)), "", "", ""),
    ]
    for sort in ("name", "total spent"):
        t = typing[sort]
        rows.append((f"Keystroke, sorted by {sort}", *both(t["app"], t["cpu"]),
                     f"{ms(percentile(t['floor'], 50))} / {ms(percentile(t['floor'], 99))}", vs(t["app"], t["floor"])))
    rows.append(("Dashboard, without / with ageing (median)", ms(statistics.median(dash["quick"])),
                 ms(statistics.median(dash["full"])), "", f"credit report {ms(statistics.median(dash['credit_report']))}",
                 ""))
    if demo:
        rows.append(("open_demo(reset=True), median / slowest", f"{statistics.median(demo) * 1000:.0f}",
                     f"{max(demo) * 1000:.0f}", "", "", ""))
    print("\n| Measure (ms) | p50 | p99 | CPU p50 / p99 | Floor p50 / p99 | vs floor |")
    print("|---|---:|---:|---|---|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nA frame is {FRAME_MS} ms. SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs ({platform.machine()}).")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
