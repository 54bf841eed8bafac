"""`kiosk import customers|khata|products FILE.csv`: all or nothing, every bad line named.

A file is read whole, decoded as UTF-8 (with or without Excel's BOM), and every line is checked before
anything is written. If any line is bad, `ImportErrors` lists each problem as ``line N: field: reason``
(the header is line 1) and the database is not touched. Otherwise one write transaction inserts every
row in bulk, moves the cached balances, and writes one audit row with the counts and the file's name
and SHA-256. `dry_run` does every check, including the ones against the shop's existing customers,
and writes nothing.

Choices the command-line contract leaves open, and why:

- Header names are matched case-insensitively, spaces and dashes read as underscores ("Credit Limit"
  is `credit_limit`). Unknown columns are refused by name rather than ignored: a misspelt "phnoe"
  column would otherwise import every customer without a phone.
- The delimiter is a comma, or a semicolon or tab when the header uses one (Excel writes ";" in
  locales with a decimal comma, e.g. Indonesia), or what Excel's "sep=;" first line says. Amounts
  still need a decimal point. Line numbers are the file's own lines.
- Blank lines and all-empty rows (Excel leaves ",,,,," behind) are skipped. Cells to the right of the
  header's last column must be empty.
- Khata: a debit row is a credit sale (source "sale": that is what a paper khata's debits are, and it
  counts in the customer's purchases); a credit row is a payment, method "cash" unless the optional
  `method` column names another of the shop's methods. Dates may not be in the future. Imported
  history is not held to credit limits. A phone already in the shop posts to that customer (archived
  ones too: it is their history); a new phone creates a customer with the first name given for it.
- Importing the same file (same bytes) twice is refused unless `again` is set: a khata imported twice
  doubles every debt, and that is a mistake nobody notices until the customer does.
- Products: columns sku (required), barcode, name, price, unit, active, and `price_<group>` for each
  customer group of the shop (`price_wholesale`, `price_walk_in`: the group's name read like a header);
  a `price_` column naming no group is refused by name. A SKU already in the shop (in any case)
  updates that product: a price list imported again is the common case, so the file is not refused
  as a repeat, and the summary counts new, updated and unchanged products. On such a line an empty
  cell keeps what the shop has (a file of just `sku,price` reprices and touches nothing else, and no
  import erases a barcode or a group price by leaving a cell out; `kiosk product edit` removes them).
  A new SKU needs a name and a price; its unit defaults to `each` and it is active unless the active
  cell says no (yes/no, true/false, 1/0). A SKU or barcode twice in the file is a bad line naming the
  other one; a barcode that another product keeps is a bad line naming that product, but barcodes
  may move between products the file itself rewrites. A UPC-A and its 13-digit EAN form are the
  same barcode.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from peewee import IntegrityError

from kiosk.domain.cnic import normalize_cnic
from kiosk.domain.customers import (
    CustomerData,
    clean_email,
    clean_group,
    clean_name,
    clean_tier,
    make_customer_data,
)
from kiosk.domain.dates import parse_date
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.khata import DebitSource, EntryKind
from kiosk.domain.money import parse_amount
from kiosk.domain.phone import normalize_phone
from kiosk.domain.products import (
    Product,
    ProductData,
    Unit,
    barcode_forms,
    barcode_key,
    clean_active,
    clean_barcode,
    clean_product_name,
    clean_sku,
    clean_unit,
    make_product_data,
    merge_group_prices,
    sku_key,
)
from kiosk.domain.shop import check_payment_method
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import imports as import_store
from kiosk.store import products as product_store
from kiosk.store.db import write_transaction
from kiosk.store.shop import audit


CUSTOMER_COLUMNS = ("name", "phone", "cnic", "email", "address", "business", "credit_limit", "tier", "group",
                    "notes", "birth_date")
CUSTOMER_REQUIRED = ("name",)
KHATA_COLUMNS = ("date", "phone", "name", "type", "amount", "note", "method")
KHATA_REQUIRED = ("date", "phone", "type", "amount")
KHATA_TYPES = (EntryKind.DEBIT.value, EntryKind.CREDIT.value)


class ImportErrors(KioskError):
    """Some lines of the file are bad; nothing was imported. `errors` holds one
    ``line N: field: reason`` string per problem, in line order."""

    def __init__(self, file: str, errors: list[str], lines: int):
        self.file = file
        self.errors = errors
        problems = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        where = f"on {lines} line{'s' if lines != 1 else ''}"
        super().__init__(f"{file}: {problems} {where}; nothing was imported")


@dataclass(frozen=True, slots=True)
class ImportSummary:
    kind: str  # "customers", "khata" or "products"
    file: str
    rows: int  # data rows read (blank rows not counted)
    new_customers: int
    existing_customers: int = 0  # khata: customers already in the shop that got entries
    entries: int = 0
    debits: int = 0  # minor units
    credits: int = 0
    dry_run: bool = False
    new_products: int = 0
    updated_products: int = 0  # SKUs already in the shop whose line changed something
    unchanged_products: int = 0  # SKUs already in the shop whose line changed nothing


# --- Reading a CSV file --------------------------------------------------------------------------


@dataclass(slots=True)
class _Table:
    name: str
    digest: str
    columns: dict[str, int]  # column name -> cell index
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def cell(self, cells: list[str], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


def _read_table(path: Path, known: tuple[str, ...], required: tuple[str, ...], *,
                unknown_reason: Callable[[str], str | None] | None = None) -> _Table:
    """Decode and split the file; refuse a file that is not a CSV of these columns as a whole.

    `unknown_reason(column)` may explain an unknown column better than the list of known ones
    (``price_vip`` names no customer group); it returns None to leave the column to that list."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KioskError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise KioskError(f"{name}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise KioskError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KioskError(f"{name}: is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8' and try again")
    if b"\x00" in data:
        raise KioskError(f"{name}: is a binary file, not a CSV text file (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KioskError(f"{name}: is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                         "save it as 'CSV UTF-8'") from None
    if not text.strip():
        raise KioskError(f"{name}: is empty; expected a header line like {','.join(known[:4])},…")

    first_line = text.splitlines()[0]
    hint = re.fullmatch(r"sep=(.)", first_line.strip())  # Excel's own "sep=;" first line
    if hint:
        delimiter = hint.group(1)
    else:
        delimiter = max((",", ";", "\t"), key=lambda d: (_known_count(first_line, d, known), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if hint:
        next(reader)
    header_line = reader.line_num + 1
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise ImportErrors(name, [f"line {header_line}: header: {exc}"], 1) from None

    if not any(c.strip() for c in header):
        raise ImportErrors(name, [f"line {header_line}: header: is empty; expected the column names, like "
                                  f"{','.join(known[:4])},…"], 1)
    table = _Table(name, digest, {}, [])
    header_errors: list[str] = []
    unknown, seen = [], {}
    for index, raw in enumerate(header):
        column = _column_name(raw)
        if not column:
            continue
        if column not in known:
            reason = unknown_reason(column) if unknown_reason else None
            if reason:
                header_errors.append(f"line {header_line}: header: {reason}")
            else:
                unknown.append(raw.strip())
        elif column in seen:
            header_errors.append(f"line {header_line}: header: column {column!r} appears twice")
        else:
            seen[column] = index
    if unknown:
        header_errors.append(f"line {header_line}: header: unknown column{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(repr(u) for u in unknown)}; the columns are {', '.join(known)}")
    missing = [c for c in required if c not in seen]
    if missing:
        header_errors.append(f"line {header_line}: header: missing required column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(missing)} (the header has "
                             f"{', '.join(_column_name(h) or '(blank)' for h in header)})")
    if header_errors:
        raise ImportErrors(name, header_errors, 1)
    table.columns = seen
    named = set(seen.values())

    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # a blank line, or Excel's ",,,,,"
            stray = [i for i, c in enumerate(cells) if c.strip() and i not in named]
            if stray:
                table.errors.append((start, f"line {start}: columns: a value in column {stray[0] + 1}, "
                                            f"which has no header ({cells[stray[0]].strip()[:30]!r})"))
            table.rows.append((start, cells))
    except csv.Error as exc:
        table.errors.append((line, f"line {line}: csv: {exc}"))
    if not table.rows and not table.errors:
        raise KioskError(f"{name}: has a header but no rows to import")
    return table


def _column_name(raw: str) -> str:
    return "_".join(raw.strip().lower().replace("-", " ").split())


def _known_count(line: str, delimiter: str, known: tuple[str, ...]) -> int:
    return sum(_column_name(c) in known for c in line.split(delimiter))


def _fail_if_errors(table: _Table, errors: list[tuple[int, str]]) -> None:
    everything = sorted(table.errors + errors, key=lambda e: e[0])
    if everything:
        raise ImportErrors(table.name, [msg for _line, msg in everything], len({ln for ln, _ in everything}))


def _require_role(ctx: Context) -> None:
    require(ctx, Permission.IMPORT)


def _refuse_repeat(action: str, table: _Table, again: bool) -> None:
    if again:
        return
    before = import_store.previous_import(action, table.digest)
    if before is not None:
        at, user = before
        raise KioskError(f"{table.name}: this exact file was already imported on {at:%Y-%m-%d %H:%M}"
                         + (f" by {user}" if user else "")
                         + "; nothing was imported (pass --again to import it a second time)")


@contextmanager
def _changed_meanwhile(table: _Table, what: str = "customers"):
    """Between the check and the write another till may delete or add a record the file names; the
    transaction is then rolled back whole, and the message says to run the import again."""
    try:
        yield
    except (IntegrityError, KeyError) as exc:
        raise KioskError(f"{table.name}: the shop's {what} changed while importing ({type(exc).__name__}); "
                         "nothing was imported, run the import again") from None


def _checked(errors: list[tuple[int, str]], line: int, check: Callable[[], object]):
    """Run one field check; on a ValidationError note `line N: field: reason` and return None."""
    try:
        return check()
    except ValidationError as exc:
        errors.append((line, f"line {line}: {exc.field}: {exc.reason}"))
        return None


def _not_future(value: dt.date, field_name: str) -> dt.date:
    if value > dt.date.today():
        raise ValidationError(field_name, f"{value.isoformat()} is in the future")
    return value


# --- Customers -----------------------------------------------------------------------------------


def import_customers(ctx: Context, path: str | os.PathLike, *, dry_run: bool = False,
                     again: bool = False) -> ImportSummary:
    """Add every customer in the file, or none. A phone twice in the file, or already in the shop, is
    a bad line (the message names the other line or the existing customer)."""
    _require_role(ctx)
    table = _read_table(Path(path), CUSTOMER_COLUMNS, CUSTOMER_REQUIRED)
    _refuse_repeat("import.customers", table, again)
    shop = ctx.shop
    errors: list[tuple[int, str]] = []
    good: list[tuple[int, CustomerData]] = []
    for line, cells in table.rows:
        data = _customer_from_row(table, shop, line, cells, errors)
        if data is not None:
            good.append((line, data))

    first_line: dict[str, int] = {}
    for line, data in good:
        if data.phone:
            if data.phone in first_line:
                errors.append((line, f"line {line}: phone: {data.phone} is also on line {first_line[data.phone]}"))
            else:
                first_line[data.phone] = line
    for phone, known in import_store.customers_by_phone(first_line).items():
        line = first_line[phone]
        errors.append((line, f"line {line}: phone: {phone} already belongs to customer {known.id} ({known.name})"
                             + (", archived" if known.archived else "")))
    _fail_if_errors(table, errors)

    summary = ImportSummary("customers", table.name, len(table.rows), new_customers=len(good), dry_run=dry_run)
    if dry_run:
        return summary
    with _changed_meanwhile(table), write_transaction(ctx.db):
        taken = import_store.customers_by_phone(first_line)  # again, under the write lock
        if taken:
            phone, known = next(iter(taken.items()))
            raise KioskError(f"{table.name}: {phone} was given to customer {known.id} ({known.name}) while "
                             "importing; nothing was imported, run the import again")
        import_store.insert_customers([data for _line, data in good], import_store.group_ids())
        audit("import.customers", f"sha256:{table.digest}", user=ctx.user, till=ctx.till,
              file=os.path.basename(table.name), rows=summary.rows, customers=summary.new_customers)
    return summary


def _customer_from_row(table: _Table, shop, line: int, cells: list[str],
                       errors: list[tuple[int, str]]) -> CustomerData | None:
    """The fast path runs the domain's own `make_customer_data` once; only a bad line is checked field
    by field, so that every bad field on it is named, not just the first."""
    cell = table.cell
    had = len(errors)
    limit_text, birth_text = cell(cells, "credit_limit"), cell(cells, "birth_date")
    credit_limit = _checked(errors, line, lambda: parse_amount(limit_text, shop.currency, field="credit_limit",
                                                                allow_zero=True)) if limit_text else None
    birth_date = _checked(errors, line, lambda: _not_future(parse_date(birth_text, field="birth_date"),
                                                            "birth_date")) if birth_text else None
    texts = {c: cell(cells, c) for c in ("name", "phone", "cnic", "email", "address", "business", "notes",
                                         "tier", "group")}
    try:
        data = make_customer_data(country=shop.country, groups=shop.groups, credit_limit=credit_limit,
                                  birth_date=birth_date, **texts)
    except ValidationError as first:
        checks = {
            "name": lambda: clean_name(texts["name"]),
            "phone": lambda: normalize_phone(texts["phone"], shop.country) if texts["phone"] else None,
            "cnic": lambda: normalize_cnic(texts["cnic"]) if texts["cnic"] else None,
            "email": lambda: clean_email(texts["email"]),
            "tier": lambda: clean_tier(texts["tier"]),
            "group": lambda: clean_group(texts["group"], shop.groups),
        }
        for check in checks.values():
            _checked(errors, line, check)
        if len(errors) == had:  # a rule only make_customer_data knows
            errors.append((line, f"line {line}: {first.field}: {first.reason}"))
        return None
    return data if len(errors) == had else None


# --- Khata -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _KhataRow:
    line: int
    phone: str
    name: str
    kind: str
    amount: int
    date: dt.date
    note: str
    method: str | None


def import_khata(ctx: Context, path: str | os.PathLike, *, dry_run: bool = False,
                 again: bool = False) -> ImportSummary:
    """Append every entry in the file, or none; create the customers it names by new phones."""
    _require_role(ctx)
    table = _read_table(Path(path), KHATA_COLUMNS, KHATA_REQUIRED)
    _refuse_repeat("import.khata", table, again)
    shop = ctx.shop
    errors: list[tuple[int, str]] = []
    rows: list[_KhataRow] = []
    phones: dict[str, str | ValidationError] = {}  # what was typed -> E.164, or why not
    methods: dict[str, str | ValidationError] = {}
    today = dt.date.today()
    has_method = "method" in table.columns
    cell = table.cell

    for line, cells in table.rows:
        had = len(errors)
        date = _checked(errors, line, lambda: parse_date(cell(cells, "date"), field="date"))
        if date is not None and date > today:
            errors.append((line, f"line {line}: date: {date.isoformat()} is in the future"))
        typed_phone = cell(cells, "phone")
        phone = phones.get(typed_phone)
        if phone is None:
            try:
                phone = normalize_phone(typed_phone, shop.country)
            except ValidationError as exc:
                phone = exc
            phones[typed_phone] = phone
        if isinstance(phone, ValidationError):
            errors.append((line, f"line {line}: {phone.field}: {phone.reason}"))
        kind = cell(cells, "type").lower()
        if kind not in KHATA_TYPES:
            shown = cell(cells, "type")
            errors.append((line, f"line {line}: type: " + (f"{shown!r} is not debit or credit" if shown
                                                              else "is empty; expected debit or credit")))
        amount = _checked(errors, line, lambda: parse_amount(cell(cells, "amount"), shop.currency, field="amount"))
        name = cell(cells, "name")
        if name:
            name = _checked(errors, line, lambda: clean_name(name)) or ""
        method = None
        typed_method = cell(cells, "method") if has_method else ""
        if kind == EntryKind.CREDIT.value:
            method = methods.get(typed_method)
            if method is None:
                try:
                    method = check_payment_method(typed_method or "cash", shop)
                except ValidationError as exc:
                    method = exc
                methods[typed_method] = method
            if isinstance(method, ValidationError):
                errors.append((line, f"line {line}: {method.field}: {method.reason}"))
        elif typed_method and kind == EntryKind.DEBIT.value:
            errors.append((line, f"line {line}: method: a debit has no payment method (only credits do)"))
        if len(errors) == had:
            rows.append(_KhataRow(line, phone, name, kind, amount, date, " ".join(cell(cells, "note").split()),
                                  method))

    known = import_store.customers_by_phone({r.phone for r in rows})
    new: dict[str, tuple[int, str]] = {}  # phone -> (first line, first name given)
    for r in rows:
        if r.phone in known:
            continue
        first = new.get(r.phone)
        if first is None or (not first[1] and r.name):
            new[r.phone] = (first[0] if first else r.line, r.name)
    new_customers: list[CustomerData] = []
    for phone, (line, name) in new.items():
        if not name:
            errors.append((line, f"line {line}: name: is required for a new customer "
                                 f"({phone} is not in the shop and no line gives a name)"))
            continue
        data = _checked(errors, line, lambda: make_customer_data(country=shop.country, groups=shop.groups,
                                                                 name=name, phone=phone))
        if data is not None:
            new_customers.append(data)
    _fail_if_errors(table, errors)

    debits = sum(r.amount for r in rows if r.kind == EntryKind.DEBIT.value)
    summary = ImportSummary(
        "khata", table.name, len(table.rows), new_customers=len(new_customers),
        existing_customers=len({r.phone for r in rows} & set(known)), entries=len(rows), debits=debits,
        credits=sum(r.amount for r in rows) - debits, dry_run=dry_run,
    )
    if dry_run:
        return summary
    with _changed_meanwhile(table), write_transaction(ctx.db):
        # Look again under the write lock: a till may have added one of the new phones since the check
        # (post to that customer then), or deleted a customer the file names (KeyError: roll back).
        ids = {phone: known.id for phone, known in import_store.customers_by_phone({r.phone for r in rows}).items()}
        created = [c for c in new_customers if c.phone not in ids]
        ids.update(import_store.insert_customers(created, import_store.group_ids()))
        entries = [
            import_store.NewEntry(ids[r.phone], r.kind, r.amount, r.date, r.note, method=r.method,
                                  source=DebitSource.SALE.value if r.kind == EntryKind.DEBIT.value else None)
            for r in rows
        ]
        import_store.insert_entries(entries, user_id=ctx.user.id if ctx.user else None, till=ctx.till)
        audit("import.khata", f"sha256:{table.digest}", user=ctx.user, till=ctx.till,
              file=os.path.basename(table.name), rows=summary.rows, entries=summary.entries,
              new_customers=len(created), debits=debits, credits=summary.credits)
    return summary


# --- Products --------------------------------------------------------------------------------------

PRODUCT_COLUMNS = ("sku", "barcode", "name", "price", "unit", "active")
PRODUCT_REQUIRED = ("sku",)
GROUP_PRICE_PREFIX = "price_"


def group_price_columns(groups: tuple[str, ...]) -> dict[str, str]:
    """`price_<group>` column -> the customer group it prices, for every group of the shop."""
    columns: dict[str, str] = {}
    for group in groups:
        columns.setdefault(GROUP_PRICE_PREFIX + _column_name(group), group)
    return columns


@dataclass(slots=True)
class _ProductRow:
    """One line's cells, checked; None where the cell was empty (keep, or the default when new)."""

    line: int
    sku: str
    barcode: str | None
    name: str | None
    price: int | None
    unit: Unit | None
    active: bool | None
    group_prices: dict[str, int]


def import_products(ctx: Context, path: str | os.PathLike, *, dry_run: bool = False) -> ImportSummary:
    """Add the file's new SKUs and update the ones already in the shop, all or none."""
    _require_role(ctx)
    shop = ctx.shop
    group_columns = group_price_columns(shop.groups)

    def unknown_reason(column: str) -> str | None:
        if not column.startswith(GROUP_PRICE_PREFIX):
            return None
        return (f"column {column!r} is a price for customer group {column.removeprefix(GROUP_PRICE_PREFIX)!r}, "
                f"which this shop does not have (its groups: {', '.join(shop.groups)})")

    table = _read_table(Path(path), PRODUCT_COLUMNS + tuple(group_columns), PRODUCT_REQUIRED,
                        unknown_reason=unknown_reason)
    errors: list[tuple[int, str]] = []
    rows = _product_rows(table, shop, [(c, g) for c, g in group_columns.items() if c in table.columns], errors)

    first_sku: dict[str, int] = {}
    first_code: dict[str, int] = {}
    unique: list[_ProductRow] = []
    for r in rows:
        key = sku_key(r.sku)
        if key in first_sku:
            errors.append((r.line, f"line {r.line}: sku: {r.sku} is also on line {first_sku[key]}"))
            continue
        first_sku[key] = r.line
        if r.barcode:
            code = barcode_key(r.barcode)
            if code in first_code:
                errors.append((r.line, f"line {r.line}: barcode: {r.barcode} is also on line {first_code[code]}"))
                continue
            first_code[code] = r.line
        unique.append(r)

    existing = product_store.by_sku_keys(first_sku)
    _check_barcode_owners(unique, existing, errors)
    new: list[ProductData] = []
    updates: list[tuple[int, ProductData]] = []
    unchanged = 0
    for r in unique:
        known = existing.get(sku_key(r.sku))
        if known is None:
            data = _new_product(r, shop, errors)
            if data is not None:
                new.append(data)
            continue
        before = known.data()
        after = dataclasses.replace(
            before,
            name=r.name or before.name,
            price=r.price or before.price,
            barcode=r.barcode or before.barcode,
            unit=r.unit or before.unit,
            active=before.active if r.active is None else r.active,
            group_prices=merge_group_prices(before.group_prices, r.group_prices, shop.groups),
        )
        if after == before:
            unchanged += 1
        else:
            updates.append((known.id, after))
    _fail_if_errors(table, errors)

    summary = ImportSummary("products", table.name, len(table.rows), new_customers=0, dry_run=dry_run,
                            new_products=len(new), updated_products=len(updates), unchanged_products=unchanged)
    if dry_run:
        return summary
    with _changed_meanwhile(table, "products"), write_transaction(ctx.db):
        if product_store.by_sku_keys(first_sku) != existing:  # another till added or edited one of them
            raise KioskError(f"{table.name}: the shop's products changed while importing; nothing was imported, "
                             "run the import again")
        product_store.update_many(updates)  # first: they may give up barcodes that new products take
        product_store.insert_many(new)
        audit("import.products", f"sha256:{table.digest}", user=ctx.user, till=ctx.till,
              file=os.path.basename(table.name), rows=summary.rows, new=summary.new_products,
              updated=summary.updated_products, unchanged=summary.unchanged_products)
    return summary


def _product_rows(table: _Table, shop, group_columns: list[tuple[str, str]],
                  errors: list[tuple[int, str]]) -> list[_ProductRow]:
    """Every line's cells checked field by field, so each bad field of a line is named."""
    cell = table.cell
    currency = shop.currency
    rows: list[_ProductRow] = []

    def optional(line: int, text: str, check: Callable[[str], object]):
        return _checked(errors, line, lambda: check(text)) if text else None

    for line, cells in table.rows:
        had = len(errors)
        sku = _checked(errors, line, lambda: clean_sku(cell(cells, "sku")))
        barcode = optional(line, cell(cells, "barcode"), clean_barcode)
        name = optional(line, cell(cells, "name"), clean_product_name)
        price = optional(line, cell(cells, "price"), lambda t: parse_amount(t, currency, field="price"))
        unit = optional(line, cell(cells, "unit"), clean_unit)
        active = optional(line, cell(cells, "active"), clean_active)
        group_prices: dict[str, int] = {}
        for column, group in group_columns:
            value = optional(line, cell(cells, column), lambda t, c=column: parse_amount(t, currency, field=c))
            if value is not None:
                group_prices[group] = value
        if len(errors) == had:
            rows.append(_ProductRow(line, sku, barcode, name, price, unit, active, group_prices))
    return rows


def _check_barcode_owners(rows: list[_ProductRow], existing: dict[str, Product],
                          errors: list[tuple[int, str]]) -> None:
    """A barcode the file gives must end up on one product: refuse one that a product keeps, unless
    that product is the line's own or the file moves it to another code."""
    coded = [r for r in rows if r.barcode]
    owners = product_store.barcode_owners(form for r in coded for form in barcode_forms(r.barcode))
    if not owners:
        return
    moving = set()
    for r in coded:
        known = existing.get(sku_key(r.sku))
        if known is not None and known.barcode and barcode_key(known.barcode) != barcode_key(r.barcode):
            moving.add(known.id)
    for r in coded:
        known = existing.get(sku_key(r.sku))
        for form in barcode_forms(r.barcode):
            owner = owners.get(form)
            if owner is not None and owner.id not in moving and (known is None or owner.id != known.id):
                errors.append((r.line, f"line {r.line}: barcode: {r.barcode} already belongs to {owner.sku} "
                                       f"({owner.name})"))
                break


def _new_product(r: _ProductRow, shop, errors: list[tuple[int, str]]) -> ProductData | None:
    missing = [f for f, value in (("name", r.name), ("price", r.price)) if value is None]
    for f in missing:
        errors.append((r.line, f"line {r.line}: {f}: is required for a new product ({r.sku} is not in the shop)"))
    if missing:
        return None
    return _checked(errors, r.line, lambda: make_product_data(
        groups=shop.groups, sku=r.sku, name=r.name, price=r.price, barcode=r.barcode, unit=r.unit,
        group_prices=r.group_prices, active=True if r.active is None else r.active))
