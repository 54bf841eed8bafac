"""`kiosk import …` and `kiosk export …` (CSV in, CSV and ledger journal out)."""

from __future__ import annotations

import sys

from kiosk.cli.common import opened_shop

# Kept in step with kiosk.services.exports (a test checks), so `kiosk --help` need not import services.
CUSTOMER_FIELDS = ("id", "name", "phone", "cnic", "email", "address", "business", "birth_date", "notes",
                   "credit_limit", "tier", "group", "created", "archived", "balance")
EXTRA_CUSTOMER_FIELDS = ("points",)

_IMPORT_HELP = {
    "customers": ("add customers from a CSV file, all or none",
                  "Columns by header: name (required), phone, cnic, email, address, business, credit_limit, "
                  "tier, group, notes, birth_date. UTF-8 with or without a BOM (Excel's 'CSV UTF-8'). If any "
                  "line is bad nothing is imported and every bad line is listed as 'line N: field: reason' "
                  "(the header is line 1)."),
    "khata": ("add khata history from a CSV file, all or none",
              "Columns by header: date, phone, name, type, amount, note (and optionally method). type is "
              "debit (a credit sale) or credit (a payment, by cash unless method names another); amount in "
              "major units like 1250.50; date YYYY-MM-DD or DD/MM/YYYY. Customers are found by phone in "
              "any format and created with the name when new. Imported history is not held to credit "
              "limits. If any line is bad nothing is imported and every bad line is listed as "
              "'line N: field: reason' (the header is line 1)."),
    "products": ("add or update products from a CSV price list, all or none",
                 "Columns by header: sku (required), barcode, name, price, unit (each, kg or litre), active "
                 "(yes/no), and price_<group> for a customer group's price (price_wholesale). A SKU already in "
                 "the shop is updated: its non-empty cells replace what the shop has; a new SKU needs a name and "
                 "a price. Prices in major units like 250.00, per kg or litre for weighed units. UTF-8 with or "
                 "without a BOM. If any line is bad nothing is imported and every bad line is listed as "
                 "'line N: field: reason' (the header is line 1)."),
}


def register(commands) -> None:
    imp = commands.add_parser("import", help="import customers, khata history or products from CSV (all or nothing)")
    kinds = imp.add_subparsers(dest="kind", metavar="WHAT", required=True)
    for kind, (summary, description) in _IMPORT_HELP.items():
        p = kinds.add_parser(kind, help=summary, description=description)
        p.add_argument("file", metavar="FILE.csv")
        p.add_argument("--dry-run", action="store_true", help="check every line and report; write nothing")
        if kind != "products":  # a price list imported again updates prices; it is never refused as a repeat
            p.add_argument("--again", action="store_true",
                           help="import a file that was already imported once (refused otherwise)")
        p.set_defaults(func=cmd_import)

    exp = commands.add_parser("export", help="export the khata as a ledger journal, or customers as CSV")
    kinds = exp.add_subparsers(dest="kind", metavar="WHAT", required=True)
    p = kinds.add_parser(
        "ledger", help="the whole khata as a plain-text journal for hledger and ledger-cli",
        description="One transaction per khata entry: assets:receivables:<customer id> against income:sales "
        "(credit sales), assets:gave (manual gave entries) or the payment method's account (assets:cash, "
        "assets:card, assets:bank, assets:mobile-money:<service>). Commodity = the shop's currency code.")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (created 0600) instead of standard output")
    p.set_defaults(func=cmd_export_ledger)

    p = kinds.add_parser(
        "customers", help="customers as CSV that Excel opens (UTF-8 with BOM); phones and CNICs masked",
        description="CSV with a header row, UTF-8 with a BOM and CRLF line ends. Phones and CNICs are masked "
        "(+92300****567, 35202-*******-1) unless --unmasked. Money as decimal strings.")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (created 0600) instead of standard output")
    p.add_argument("--fields", metavar="a,b,…",
                   help=f"columns in this order (default: {','.join(CUSTOMER_FIELDS)}; also: "
                        f"{','.join(EXTRA_CUSTOMER_FIELDS)})")
    p.add_argument("--unmasked", action="store_true", help="full phones and CNICs (owners and managers only)")
    p.add_argument("--format", choices=("csv", "pdf"),
                   help="csv, or pdf (a printable list; needs -o); default: pdf when FILE ends in .pdf, else csv")
    p.set_defaults(func=cmd_export_customers)


def cmd_import(args) -> int:
    from kiosk.services.imports import ImportErrors, import_customers, import_khata, import_products

    with opened_shop(args) as ctx:
        try:
            if args.kind == "products":
                summary = import_products(ctx, args.file, dry_run=args.dry_run)
            else:
                run = import_customers if args.kind == "customers" else import_khata
                summary = run(ctx, args.file, dry_run=args.dry_run, again=args.again)
        except ImportErrors as exc:  # every bad line on its own line, then the one-line verdict
            for line in exc.errors:
                print(line, file=sys.stderr)
            print(f"kiosk: {exc}", file=sys.stderr)
            return 1
    money = ctx.shop.money
    if summary.kind == "customers":
        what = _count(summary.new_customers, "customer")
    elif summary.kind == "products":
        what = (f"{summary.new_products} new {'product' if summary.new_products == 1 else 'products'}, "
                f"{summary.updated_products} updated, {summary.unchanged_products} unchanged")
    else:
        people = summary.existing_customers + summary.new_customers
        what = (f"{_count(summary.entries, 'khata entry', 'khata entries')} for {_count(people, 'customer')} "
                f"({summary.new_customers} new): debits {money(summary.debits)}, credits {money(summary.credits)}")
    if summary.dry_run:
        print(f"Dry run: {summary.file} is good; it would import {what}. Nothing was written.")
    else:
        print(f"Imported from {summary.file}: {what}")
    return 0


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _to_output(args, write, *, newline: str | None = None):
    """Run `write(stream)` into the -o file (0600, whole or not at all) or onto standard output, as
    UTF-8 whatever the terminal's locale. Returns what `write` returned."""
    if args.output and args.output != "-":
        from kiosk.services.exports import write_private

        return write_private(args.output, write, newline=newline)
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text stream with no bytes underneath (tests, some wrappers)
        return write(sys.stdout)
    import io

    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline=newline)
    try:
        result = write(stream)
        stream.flush()
    finally:
        stream.detach()
    return result


def cmd_export_ledger(args) -> int:
    from kiosk.services.exports import export_ledger

    with opened_shop(args) as ctx:
        count = _to_output(args, lambda out: export_ledger(ctx, out))
    if args.output and args.output != "-":
        print(f"Wrote {count} khata entries to {args.output}", file=sys.stderr)
    return 0


def cmd_export_customers(args) -> int:
    from kiosk.services.exports import export_customers, parse_fields

    fields = parse_fields(args.fields)
    to_file = bool(args.output) and args.output != "-"
    if (args.format or ("pdf" if to_file and args.output.lower().endswith(".pdf") else "csv")) == "pdf":
        return _export_customers_pdf(args, fields, to_file)
    with opened_shop(args) as ctx:
        count = _to_output(args, lambda out: export_customers(ctx, out, fields, unmasked=args.unmasked),
                           newline="")
    if args.output and args.output != "-":
        print(f"Wrote {count} customers to {args.output}", file=sys.stderr)
    return 0


def _export_customers_pdf(args, fields, to_file: bool) -> int:
    from kiosk.cli.statement_cmds import stage_printer, wrote
    from kiosk.domain.errors import KioskError
    from kiosk.services import documents

    if not to_file:
        raise KioskError("output: a PDF needs a file: add -o FILE.pdf")
    with opened_shop(args) as ctx:
        result = documents.customer_list_pdf(ctx, args.output, fields, unmasked=args.unmasked,
                                             progress=stage_printer())
    wrote(result, "customer list" + (", phones and CNICs in full" if args.unmasked else ""))
    return 0
