"""Receipts: bytes and time for a 30-line receipt, and what printing adds to a sale. Figures only.

A shop is built in bench/out/ (SQLite, as kiosk opens it) with a stand-in network printer on
127.0.0.1 (tests/support/tcp_printer.py), and one sale of 30 lines (one of them with an Urdu name),
paid in cash, to a customer with points. Then, for a 58 mm (POS-5890, 32 columns), an 80 mm 42-column
(TM-T88V) and an 80 mm 48-column (TM-T20II) profile:

- layout: the receipt document laid out in columns (pure Python, kiosk.domain.print_layout);
- render: the document to ESC/POS bytes through python-escpos (text, the Urdu line as an image, the QR);
- send: one job through python-escpos's Network printer to the stand-in, connect to clean close;
- bytes: the job's size, and the same receipt with the Urdu name in Latin letters (no image);

and, on the sale itself, `sales.sell` p50 with printer.url none (nothing queued) and with a printer set
(the job written in the sale's transaction). Also the cold first render (importing python-escpos).

    .venv/bin/python bench/receipts.py            # 200 repeats
    .venv/bin/python bench/receipts.py --repeat 50
    .venv/bin/python bench/receipts.py --samples  # write docs/receipt-80mm.txt and docs/receipt-58mm.txt
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def p(samples: list[float], pct: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * pct // 100) - 1))]


def build(workdir: Path, printer_url: str, urdu: bool):
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, products, sales, settings
    from kiosk.services.sales import ItemRequest
    from kiosk.services.shop import init_shop

    backend = PlaintextKeyring()
    backend.file_path = str(workdir / "keyring.cfg")
    keyring.set_keyring(backend)
    ctx = init_shop(str(workdir / "receipts.db"), name="Bench Kiryana Store", country="PK", currency="PKR",
                    owner_pin="1111")
    names = ["Atta 20kg", "Basmati Rice 5kg", "Sugar 1kg", "Ghee 1kg", "Daal Chana 1kg", "Tea 475g",
             "Milk Pack 1L", "Eggs (dozen)", "Biscuits Family Pack", "Soap Bar"]
    for n in range(30):
        name = "ٹماٹر (تازہ)" if urdu and n == 3 else f"{names[n % len(names)]} #{n + 1}"
        products.add(ctx, sku=f"P{n:03d}", name=name, price=(n + 1) * 37_50)
    c = customers.add(ctx, name="Amina Bibi", phone="0300 1234567")
    settings.set(ctx, "printer.url", printer_url)
    items = [ItemRequest(f"P{n:03d}", "2" if n % 3 == 0 else "1") for n in range(30)]
    receipt = sales.sell(ctx, sale_id="bench-sale-0001", customer_id=c.id, items=items,
                         tenders=[TenderRequest(Method.CASH, 100_000_00)])
    return ctx, c, items, receipt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--samples", action="store_true",
                        help="instead: print one sale on both widths and write the decoded receipts to docs/")
    args = parser.parse_args()
    if args.samples:
        samples()
        return

    from tests.support.tcp_printer import TcpPrinter

    OUT.mkdir(exist_ok=True)
    print(f"# bench/receipts.py  python {platform.python_version()}  {platform.machine()}  "
          f"{os.cpu_count()} cpu  repeat {args.repeat}")
    with TcpPrinter().accept() as printer:
        for urdu in (True, False):
            work = OUT / f"receipts-{'urdu' if urdu else 'latin'}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            ctx, customer, items, receipt = build(work, printer.url, urdu)
            try:
                run(ctx, receipt, printer, args.repeat, urdu)
                if urdu:
                    sale_cost(ctx, customer, items, printer, args.repeat)
            finally:
                ctx.close()


def run(ctx, receipt, printer, repeat: int, urdu: bool) -> None:
    from kiosk.devices import printer as device
    from kiosk.devices.escpos_render import render as render_lines
    from kiosk.domain.print_layout import layout, parse_printer_url, receipt_document
    from kiosk.services import printing

    money = printing.money_of(ctx)
    address = parse_printer_url(printer.url)
    label = "with an Urdu line (image)" if urdu else "all Latin text"
    if urdu:
        start = time.perf_counter()
        device.render(receipt_document(receipt, money), profile="POS-5890")
        print(f"cold first render (imports python-escpos, Pillow, fonts): {ms(time.perf_counter() - start)}")
    print(f"\n30-line receipt, {label}: {len(receipt.lines)} items, total {money(receipt.total)}")
    print(f"{'profile':<10} {'cols':>4} {'lines':>5} {'bytes':>7} {'document':>10} {'layout':>9} {'render':>9} "
          f"{'send tcp':>9}")
    for profile in ("POS-5890", "TM-T88V", "TM-T20II"):
        columns = device.columns(profile)
        doc_t = timed(lambda: receipt_document(receipt, money, footer="Thank you"), repeat)
        document = receipt_document(receipt, money, footer="Thank you")
        lay_t = timed(lambda: layout(document, columns), repeat)
        lines = layout(document, columns)
        ren_t = timed(lambda: render_lines(lines, profile=profile, kick=True), repeat)
        data = render_lines(lines, profile=profile, kick=True)
        sends = max(10, repeat // 10)
        before = len(printer.jobs)
        send_t = timed(lambda: device.send(address, data), sends)
        printer.wait_for(before + sends)
        print(f"{profile:<10} {columns:>4} {len(lines):>5} {len(data):>7} {ms(statistics.median(doc_t)):>10} "
              f"{ms(statistics.median(lay_t)):>9} {ms(statistics.median(ren_t)):>9} "
              f"{ms(statistics.median(send_t)):>9}")
    print("(medians; document = the receipt's blocks with money formatted; send = connect, sendall, "
          "shutdown, the printer's close)")


def sale_cost(ctx, customer, items, printer, repeat: int) -> None:
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import printing, sales, settings

    def sell_many(tag: str) -> list[float]:
        counter = iter(range(10**9))
        return timed(lambda: sales.sell(ctx, sale_id=f"{tag}-{next(counter)}", customer_id=customer.id,
                                        items=items[:5], tenders=[TenderRequest(Method.CASH, 100_000_00)]),
                     repeat)

    rounds = {"none": [], "set": []}
    for _ in range(2):  # alternate so a noisy disk hits both alike
        settings.set(ctx, "printer.url", "none")
        rounds["none"] += sell_many(f"none{_}")
        settings.set(ctx, "printer.url", printer.url)
        rounds["set"] += sell_many(f"set{_}")
    print("\nsales.sell, 5 lines, cash, to a customer (SQLite, synchronous=FULL):")
    for key, label in (("none", "printer.url none (nothing queued)"), ("set", "printer set (receipt job queued)")):
        print(f"  {label:<36} p50 {ms(p(rounds[key], 50))}  p99 {ms(p(rounds[key], 99))}")
    waiting = len(printing.waiting(ctx))
    start = time.perf_counter()
    sent = printing.send_pending(ctx, limit=1000)
    took = time.perf_counter() - start
    print(f"send_pending: {len([r for r in sent if r.printed])} of {waiting} queued receipts printed in "
          f"{took:.2f} s ({ms(took / max(1, len(sent)))} each: claim, read back, render, send, mark)")


def samples() -> None:
    """One sale with everything on it (a weighed Urdu item, a line and a basket discount, points redeemed,
    cash and khata, change), sent through TCP to the stand-in printer and decoded back."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    from kiosk.domain.basket import Discount
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, printing, products, sales, settings
    from kiosk.services.sales import ItemRequest, OpenItemRequest
    from kiosk.services.shop import init_shop
    from tests.support.escpos_decode import decode
    from tests.support.tcp_printer import TcpPrinter

    work = OUT / "receipt-samples"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    backend = PlaintextKeyring()
    backend.file_path = str(work / "keyring.cfg")
    keyring.set_keyring(backend)
    ctx = init_shop(str(work / "shop.db"), name="Madina Kiryana", country="PK", currency="PKR", owner_pin="1111")
    try:
        products.add(ctx, sku="ATTA-20", name="Atta 20kg", price=2_400_00, barcode="4006381333931")
        products.add(ctx, sku="TOMATO", name="ٹماٹر", price=240_00, unit="kg")
        products.add(ctx, sku="GHEE", name="Dalda Ghee 1kg", price=650_00)
        c = customers.add(ctx, name="Amina Bibi", phone="0300 1234567")
        sales.sell(ctx, sale_id="earlier", customer_id=c.id, items=[ItemRequest("ATTA-20")],
                   tenders=[TenderRequest(Method.CARD)])
        settings.set(ctx, "printer.footer", "Shukriya! Phir tashreef laiye")
        with TcpPrinter().accept() as printer:
            for profile, name in (("TM-T88V", "receipt-80mm.txt"), ("POS-5890", "receipt-58mm.txt")):
                settings.set(ctx, "printer.url", f"{printer.url}?profile={profile}")
                sale_id = f"S-{profile}"
                sales.sell(ctx, sale_id=sale_id, customer_id=c.id,
                           items=[ItemRequest("4006381333931"), ItemRequest("TOMATO", "0.750"),
                                  ItemRequest("GHEE", "2", Discount(amount=50_00))],
                           open_items=[OpenItemRequest("loose sugar", 150_00)],
                           basket_discount=Discount(percent_bp=200), redeem=500,
                           tenders=[TenderRequest(Method.CASH, 3_000_00), TenderRequest(Method.KHATA)])
                (result,) = printing.send_pending(ctx)
                data = printer.wait_for(len(printer.jobs) + 1)[-1]
                decoded = decode(data, profile)
                header = (f"# A receipt as the printer received it ({profile}, {len(data)} bytes over TCP), decoded "
                          f"by tests/support/escpos_decode.py.\n# [x2]: double width and height; [image]: a raster "
                          f"image (the Urdu item name, or the QR code on a printer without one).\n\n")
                (ROOT / "docs").mkdir(exist_ok=True)
                (ROOT / "docs" / name).write_text(header + decoded.render().rstrip() + "\n")
                print(f"docs/{name}: {result.status}, {len(data)} bytes")
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
