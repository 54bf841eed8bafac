"""Khata statements as PDFs: 200 and 1,000 entries, next to WeasyPrint's own time for the same HTML.

A fresh SQLite shop in bench/out/ holds a customer with an Urdu name and 1,000 khata entries (credit
given with notes, some in Urdu, payments by several methods, a reversal). For each size:

- ours: `documents.statement_pdf` (read the ledger, format it, fill the template, lay out and write);
- WeasyPrint alone: ``weasyprint.HTML(string=html).write_pdf(path)`` for the very HTML ours made;
- the share before WeasyPrint: `documents.statement_document` (books + HTML) alone;
- the subprocess renderer (`render_in_subprocess`: a new interpreter, WeasyPrint's import, the render).

Ours and WeasyPrint alternate run by run, so a busy machine hits both alike; medians of wall time and
of CPU time (this process's; the subprocess figure is wall time only) are printed, and the ratios.
Every timed run starts after a full garbage collection (see `timed`); ours also ends with one
(`kiosk.devices.pdf.write_pdf` collects the layout's garbage on the worker thread), which WeasyPrint
alone leaves to whoever allocates next, so the ratio bills that collection to ours.
WeasyPrint is imported once before timing; the cold first PDF of a fresh process is measured on its
own. Goals (issue 6): 200 entries in at most 1.5 s; ours at most 10 % over WeasyPrint's own time.

    .venv/bin/python bench/statements.py            # 200 and 1,000 entries, 8 and 4 runs
    .venv/bin/python bench/statements.py --runs 9   # steadier medians
    .venv/bin/python bench/statements.py --page-image   # docs/statement-page1.png from a short sample
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
PIN = "1111"
SIZES = (200, 1000)
URDU_NAME = "محمد علی"


def build_shop(path: Path, sizes: tuple[int, ...]):
    """A shop with one customer per size, each with exactly that many entries (one of them a reversal)."""
    from kiosk.services import customers, khata
    from kiosk.services.shop import init_shop

    for suffix in ("", "-wal", "-shm", ".writer-lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    ctx = init_shop(str(path), name="Bismillah Kiryana Store", country="PK", currency="PKR", owner_pin=PIN)
    rng = random.Random(6)
    ids = {}
    for size in sizes:
        c = customers.add(ctx, name=f"{URDU_NAME} {size}", phone=f"0300 {size:07d}")
        start = dt.date.today() - dt.timedelta(days=size // 2)
        for i in range(size - 2):
            day = start + dt.timedelta(days=i // 2)
            if i % 5 == 4:
                khata.receive(ctx, c.id, rng.randint(5, 40) * 100_00, method=rng.choice(("cash", "JazzCash")), date=day)
            else:
                khata.give(ctx, c.id, rng.randint(50, 2_000) * 100, date=day, enforce_limit=False,
                           note=rng.choice(("", "atta 10kg", "چینی اور چائے", "ghee, sugar", "")))
        mistake = khata.give(ctx, c.id, 500_00, date=start, note="typed twice", enforce_limit=False)
        khata.reverse(ctx, mistake.id, reason="typed twice", date=start + dt.timedelta(days=1))
        ids[size] = c.id
    return ctx, ids


def sample_statement(ctx, target: Path) -> None:
    """A short statement that shows every part on its first page (Urdu name and note, a payment by
    mobile money, a reversal, ageing, an open promise), for docs/statement-page1.png."""
    from kiosk.services import customers, documents, khata, promises

    c = customers.add(ctx, name=URDU_NAME, phone="0300 1234567", credit_limit=20_000_00)
    today = dt.date.today()
    rows = [(95, "give", 2_450_00, "atta 20kg, ghee"), (88, "give", 1_180_00, "چینی اور چائے"),
            (80, "receive", 2_000_00, "JazzCash"), (66, "give", 3_275_50, "rice 10kg, daal"),
            (52, "give", 640_00, ""), (45, "receive", 1_500_00, "cash"), (31, "give", 2_215_00, "cooking oil 5L"),
            (24, "give", 415_00, "soap, matches"), (17, "receive", 1_000_00, "EasyPaisa"),
            (9, "give", 1_870_00, "atta 10kg, sugar"), (3, "give", 560_00, "")]
    for days, kind, amount, text in rows:
        day = today - dt.timedelta(days=days)
        if kind == "give":
            khata.give(ctx, c.id, amount, date=day, note=text, enforce_limit=False)
        else:
            khata.receive(ctx, c.id, amount, method=text, date=day)
    typo = khata.give(ctx, c.id, 1_180_00, date=today - dt.timedelta(days=88), note="چینی اور چائے")
    khata.reverse(ctx, typo.id, reason="entered twice", date=today - dt.timedelta(days=87))
    promises.promise(ctx, c.id, today + dt.timedelta(days=12), note="after the wheat is sold")
    documents.statement_pdf(ctx, c.id, target)


def page_image(pdf_path: Path, png: Path) -> None:
    """Page 1 at 60 dpi in 64 greys: small enough to keep in the repository, clear enough to check by eye."""
    stem = png.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf_path),
                    str(stem)], check=True)
    from PIL import Image

    Image.open(png).quantize(64).save(png, optimize=True)


def timed(fn):
    """fn(), its wall and CPU seconds. A full garbage collection first: a laid-out document leaves
    millions of objects in cycles, and whichever run next triggers the collection would pay for them."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def cold_first_pdf(db: Path, customer_id: int, target: Path) -> float:
    """Wall seconds for a fresh process to import, read, build and write one statement (its own clock)."""
    code = f"""
import time
t = time.perf_counter()
import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from bench_keyring import use_bench_keyring; use_bench_keyring()
from kiosk.services.context import open_shop
from kiosk.services import documents
ctx = open_shop({str(db)!r})
documents.statement_pdf(ctx, {customer_id}, {str(target)!r})
print(time.perf_counter() - t)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    from bench_keyring import use_bench_keyring  # bench/ is on sys.path when a script in it runs

    use_bench_keyring()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-image", action="store_true",
                        help="only write docs/statement-page1.png (page 1 of a short sample statement)")
    parser.add_argument("--runs", type=int, default=0, help="runs per size (default: 8 for 200, 4 for 1,000)")
    args = parser.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "statements-bench.db"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs ({platform.machine()}), load average {load}; "
          f"building {db} ...", flush=True)
    ctx, ids = build_shop(db, () if args.page_image else SIZES)
    if args.page_image:
        png = Path(__file__).resolve().parents[1] / "docs" / "statement-page1.png"
        png.parent.mkdir(exist_ok=True)
        sample_statement(ctx, OUT / "statement-sample.pdf")
        page_image(OUT / "statement-sample.pdf", png)
        print(f"wrote {png} ({png.stat().st_size // 1024} KiB)")
        return 0

    from kiosk.devices import pdf
    from kiosk.services import documents

    _, import_s, _ = timed(lambda: __import__("weasyprint"))
    import weasyprint

    cold = cold_first_pdf(db, ids[SIZES[0]], OUT / "statement-cold.pdf")
    print(f"\nimport weasyprint: {import_s:.2f} s; a fresh process's first {SIZES[0]}-entry statement "
          f"(imports, open, read, build, write): {cold:.2f} s")
    print("\nmedians: wall s (CPU s)          ours        WeasyPrint alone   ours/WeasyPrint   books+HTML   subprocess")
    for size in SIZES:
        runs = args.runs or (8 if size <= 200 else 4)
        customer = ids[size]
        target, alone = OUT / f"statement-{size}.pdf", OUT / f"statement-{size}-weasyprint.pdf"
        document = documents.statement_document(ctx, customer)
        documents.statement_pdf(ctx, customer, target)  # warm: fonts found, templates compiled
        ours, theirs, before = [], [], []

        def run_ours():
            nonlocal result
            result, wall, cpu = timed(lambda: documents.statement_pdf(ctx, customer, target))
            ours.append((wall, cpu))

        def run_theirs():
            _, wall, cpu = timed(lambda: weasyprint.HTML(string=document.html).write_pdf(alone))
            theirs.append((wall, cpu))

        result = None
        for run in range(runs):  # ours first, then WeasyPrint first: neither always follows the other
            for step in ((run_ours, run_theirs) if run % 2 == 0 else (run_theirs, run_ours)):
                step()
            _, wall, cpu = timed(lambda: documents.statement_document(ctx, customer))
            before.append((wall, cpu))
        _, child, _ = timed(lambda: pdf.render_in_subprocess(document.html, OUT / f"statement-{size}-child.pdf"))

        def med(pairs, i):
            return statistics.median(p[i] for p in pairs)

        ow, oc, tw, tc, bw, bc = med(ours, 0), med(ours, 1), med(theirs, 0), med(theirs, 1), med(before, 0), med(before, 1)
        print(f"{size:>5} entries, {result.pages:>2} pages, {runs} runs  {ow:6.2f} ({oc:5.2f})   {tw:6.2f} ({tc:5.2f})"
              f"         {ow / tw:5.2f}x ({oc / tc:4.2f}x)   {bw:5.3f} ({bc:5.3f})   {child:5.2f}")
        print(f"{'':30} per page {ow / result.pages:5.2f}; books+HTML share of ours {bw / ow:5.1%}; "
              f"{size} entries in {ow:.2f} s" + (" (goal <= 1.5 s)" if size == 200 else ""))
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
