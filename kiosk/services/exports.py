"""`kiosk export ledger|customers`: the khata as a plain-text journal, customers as a CSV for Excel.

The journal is read by hledger and ledger-cli alike. One transaction per khata entry, dated by the
entry, coded by its id, described as ``customer name | note`` (hledger's payee | note):

- a credit sale:   ``assets:receivables:<customer id>`` against ``income:sales``;
- a "gave" entry:  ``assets:receivables:<customer id>`` against ``assets:gave`` (money or goods handed
  over outside a sale; an accountant can alias it to cash or stock: ``--alias assets:gave=assets:cash``);
- a payment:       the method's account (``assets:cash``, ``assets:card``, ``assets:bank``,
  ``assets:mobile-money:<service>``) against ``assets:receivables:<customer id>``;
- a refund:        ``income:sales`` against ``assets:receivables:<customer id>`` (what a refund
  takes off the khata, or gives as store credit);
- a reversal:      the postings of the entry it undoes, with the signs flipped.

So ``hledger bal assets:receivables`` is what customers owe, per customer id, and its total equals
the sum of the cached balances (the credit report's balances). The commodity is the shop's currency
code, amounts carry the currency's minor digits (``1250.50 PKR``, ``12500 IDR``).

The CSV is what Excel opens without a wizard: UTF-8 with a BOM (so Urdu shows), CRLF line ends, a
header row. Phones and CNICs are masked unless asked for in full. Text cells that Excel would run as
a formula (starting with = + - @) get a leading apostrophe, the usual guard against CSV injection.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from kiosk.domain.cnic import format_cnic, mask_cnic
from kiosk.domain.customers import Customer
from kiosk.domain.errors import KioskError
from kiosk.domain.khata import EntryKind
from kiosk.domain.money import minor_digits, to_decimal_string
from kiosk.domain.phone import mask_phone
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import imports as import_store
from kiosk.store.db import write_transaction
from kiosk.store.shop import audit


CUSTOMER_FIELDS = ("id", "name", "phone", "cnic", "email", "address", "business", "birth_date", "notes",
                   "credit_limit", "tier", "group", "created", "archived", "balance")
#: Also allowed in --fields, not exported by default.
EXTRA_CUSTOMER_FIELDS = ("points",)

RECEIVABLES = "assets:receivables"
SALES = "income:sales"
GAVE = "assets:gave"
METHOD_ACCOUNTS = {"cash": "assets:cash", "card": "assets:card", "bank transfer": "assets:bank"}
MOBILE_MONEY = "assets:mobile-money"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_FIELDS = {"name", "email", "address", "business", "notes", "group"}


# --- Files ---------------------------------------------------------------------------------------


def write_private(path: str | os.PathLike, write: Callable[[TextIO], object], *, newline: str | None = None):
    """Write a text file readable by its owner only (0600), whole or not at all: a temporary file in
    the same directory, fsynced, then renamed over `path`. Returns what `write` returned."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise KioskError(f"{target}: is a directory")
    if not directory.is_dir():
        raise KioskError(f"{directory}: no such directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)  # 0600
    except OSError as exc:
        raise KioskError(f"{target}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(target, 0o600)
    return result


# --- Ledger journal ------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """One line of description: no newlines or control characters, no ';' (starts a comment) and
    no '|' (splits payee from note in hledger)."""
    text = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
    return " ".join(text.replace(";", ",").replace("|", "/").split())


def _tag(text: str | None) -> str:
    return _clean(text).replace(",", " ").replace(":", "-").replace(" ", "-")


def method_account(method: str | None) -> str:
    if method is None:
        return "assets:unknown"
    known = METHOD_ACCOUNTS.get(method.lower())
    if known:
        return known
    # A mobile-money service: account names may not hold ':' and end at two spaces.
    return f"{MOBILE_MONEY}:{_tag(method)}"


def _counter_account(kind: str, method: str | None, source: str | None) -> str:
    if kind == EntryKind.CREDIT.value:
        # A refund's credit (off the khata, or as store credit) gives back a sale: income goes down.
        return SALES if source in ("refund", "store-credit") and method is None else method_account(method)
    return SALES if source in ("sale", "store-credit") else GAVE  # store credit spent pays for a sale


def journal_lines(ctx: Context) -> Iterator[str]:
    """The journal, a line at a time (a million entries need not fit in memory). Every account and
    the commodity are declared first, so `hledger check --strict` and `ledger --pedantic` pass, and
    each receivables account carries its customer's name."""
    currency = ctx.shop.currency

    def amount(minor: int) -> str:
        return f"{to_decimal_string(minor, currency)} {currency}"

    yield f"; Kiosk khata of {_clean(ctx.shop.name)} ({ctx.shop.country}, {currency}), exported " \
          f"{dt.datetime.now():%Y-%m-%d %H:%M}"
    yield "; One transaction per khata entry; assets:receivables:<customer id> is what that customer owes."
    yield "; income:sales = credit sales; assets:gave = money or goods given outside a sale;"
    yield "; payments land in assets:cash, assets:card, assets:bank or assets:mobile-money:<service>."
    yield ""
    yield f"commodity {currency}"
    yield f"    format {amount(1000 * 10 ** minor_digits(currency))}"
    yield ""
    methods = {method_account(m) for m in (*ctx.shop.payment_methods, *import_store.methods_used())}
    for account in (SALES, GAVE, *sorted(methods)):
        yield f"account {account}"
    for customer_id, name in import_store.customers_with_entries():
        yield f"account {RECEIVABLES}:{customer_id}"
        yield f"    ; customer: {_clean(name)}"
    yield ""
    for e in import_store.all_entries():
        receivable = f"{RECEIVABLES}:{e.customer_id}"
        if e.kind == EntryKind.REVERSAL.value:
            counter = _counter_account(e.target_kind or "", e.target_method, e.target_source)
            signed = -e.amount if e.target_kind == EntryKind.DEBIT.value else e.amount
            note = f"reverses entry {e.reverses_id}" + (f": {e.note}" if e.note else "")
        else:
            counter = _counter_account(e.kind, e.method, e.source)
            signed = e.amount if e.kind == EntryKind.DEBIT.value else -e.amount
            note = e.note
        description = _clean(e.customer_name) + (f" | {_clean(note)}" if _clean(note) else "")
        yield f"{e.date.isoformat()} * ({e.id}) {description}"
        tags = [f"kind:{e.kind}", f"customer:{e.customer_id}"]
        if e.source:
            tags.append(f"source:{e.source}")
        if e.method:
            tags.append(f"method:{_tag(e.method)}")
        if e.reverses_id:
            tags.append(f"reverses:{e.reverses_id}")
        if e.promised_date:
            tags.append(f"promised:{e.promised_date.isoformat()}")
        if e.user:
            tags.append(f"user:{_tag(e.user)}")
        if e.till:
            tags.append(f"till:{_tag(e.till)}")
        yield "    ; " + ", ".join(tags)
        width = max(len(receivable), len(counter), 36)
        yield f"    {receivable:<{width}}  {amount(signed):>16}"
        yield f"    {counter:<{width}}  {amount(-signed):>16}"
        yield ""


def export_ledger(ctx: Context, out: TextIO) -> int:
    """Write the journal to `out`; returns the number of transactions (entries)."""
    require(ctx, Permission.EXPORT)
    count = 0
    for line in journal_lines(ctx):
        out.write(line + "\n")
        if line[:1].isdigit():
            count += 1
    _audit(ctx, "export.ledger", entries=count)
    return count


# --- Customers CSV -------------------------------------------------------------------------------


def parse_fields(text: str | None) -> tuple[str, ...]:
    """``a,b,c`` -> the field names, checked; empty or None -> the default fields."""
    if text is None or not text.strip():
        return CUSTOMER_FIELDS
    fields = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    allowed = CUSTOMER_FIELDS + EXTRA_CUSTOMER_FIELDS
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise KioskError(f"fields: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                         f"choose from {','.join(allowed)}")
    doubled = sorted({f for f in fields if fields.count(f) > 1})
    if doubled:
        raise KioskError(f"fields: {', '.join(doubled)} given twice")
    return fields


def _cell(c: Customer, name: str, currency: str, unmasked: bool) -> str:
    match name:
        case "id":
            return str(c.id)
        case "phone":
            return "" if not c.phone else c.phone if unmasked else mask_phone(c.phone)
        case "cnic":
            return "" if not c.cnic else format_cnic(c.cnic) if unmasked else mask_cnic(c.cnic)
        case "email":
            return c.email or ""
        case "birth_date":
            return c.birth_date.isoformat() if c.birth_date else ""
        case "credit_limit":
            return to_decimal_string(c.credit_limit, currency) if c.credit_limit is not None else ""
        case "tier":
            return c.tier.value
        case "created":
            return c.created_at.strftime("%Y-%m-%d %H:%M:%S") if c.created_at else ""
        case "archived":
            return "yes" if c.archived else "no"
        case "balance":
            return to_decimal_string(c.balance, currency)
        case "points":
            return str(c.points)
        case _:
            return getattr(c, name) or ""


def _guard(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def customer_rows(ctx: Context, fields: tuple[str, ...] = CUSTOMER_FIELDS, *, unmasked: bool = False,
                  customers: Iterable[Customer] | None = None) -> Iterator[list[str]]:
    """The header row, then one row per customer (archived ones too), by id."""
    currency = ctx.shop.currency
    yield list(fields)
    for c in customers if customers is not None else import_store.all_customers():
        yield [_guard(v) if f in _TEXT_FIELDS else v
               for f, v in ((f, _cell(c, f, currency, unmasked)) for f in fields)]


def export_customers(ctx: Context, out: TextIO, fields: tuple[str, ...] = CUSTOMER_FIELDS, *,
                     unmasked: bool = False) -> int:
    """Write the CSV (BOM, CRLF) to `out`, which should be opened with newline=""; returns the
    number of customers."""
    require(ctx, Permission.EXPORT_UNMASKED if unmasked else Permission.EXPORT)
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    count = -1
    for row in customer_rows(ctx, fields, unmasked=unmasked):
        writer.writerow(row)
        count += 1
    _audit(ctx, "export.customers", customers=count, fields=",".join(fields), unmasked=unmasked)
    return count


def _audit(ctx: Context, action: str, **detail) -> None:
    """Who took the books or the customer list out of the shop, and when."""
    with write_transaction(ctx.db):
        audit(action, "", user=ctx.user, till=ctx.till, **detail)
