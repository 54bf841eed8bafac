"""What a receipt printer prints, as text in columns: pure rules, no escpos, no database.

Three parts:

- **Printer addresses.** `parse_printer_url` reads the shop's `printer.url` (tcp://HOST:9100,
  usb://VID:PID, serial:///dev/ttyS0?baud=9600, file:///dev/usb/lp0, cups://QUEUE, or none) and refuses
  a bad one with one line naming the part that is wrong. Any address may carry `?profile=NAME` (a
  python-escpos capability profile) for a printer whose paper differs from the shop's default.
- **Documents.** A document is a tuple of blocks (text, a label with an amount, a rule, a blank line, a
  QR code). The builders below make the sale receipt, refund slip, khata payment slip, statement slip,
  end-of-day summary and test page from facts (money formatted by the caller's `money`, i.e.
  `format_money` in the shop's locale), so a job can be laid out for whichever printer prints it.
- **Layout.** `layout(document, columns)` wraps and aligns the blocks into lines for 32, 42 or 48
  columns. Each line is a list of segments (column, width, text, alignment): the printer sends a line
  as text when its code pages can carry it, and draws the same segments into an image when they
  cannot (Urdu), so an amount stays in its column either way.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kiosk.domain.errors import ValidationError
from kiosk.domain.receipt import Receipt

Money = Callable[[int], str]

# --- Printer addresses -----------------------------------------------------------------------

#: python-escpos 3.1's capability profiles (escpos/capabilities.json); a test keeps this list equal
#: to the installed library's. The profile gives the paper width in dots and the columns of font A.
PROFILES = (
    "AF-240", "CT-S651", "KR-306", "NT-5890K", "NT-80-V-UL", "OCD-100", "OCD-300", "P822D", "POS-5890",
    "RP-F10-58mm", "RP-F10-80mm", "RP326", "SP2000", "Sunmi-V2", "T-1", "TEP-200M", "TH230", "TH230Plus",
    "TM-L90", "TM-P80", "TM-P80-42col", "TM-T20II", "TM-T20II-42col", "TM-T88II", "TM-T88III", "TM-T88IV",
    "TM-T88IV-SA", "TM-T88V", "TM-U220", "TM-U220B", "TSP600", "TUP500", "ZJ-5870", "default", "simple",
)
PRINTER_KINDS = ("tcp", "usb", "serial", "file", "cups")
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
URL_HELP = ("tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyS0?baud=9600, file:///dev/usb/lp0, cups://QUEUE "
            "or none")
_OPTIONS = {
    "tcp": ("profile", "timeout"),
    "usb": ("profile", "timeout", "in_ep", "out_ep"),
    "serial": ("profile", "timeout", "baud"),
    "file": ("profile",),
    "cups": ("profile",),
}
_HEX4 = re.compile(r"^(?:0x)?([0-9a-fA-F]{4})$")
_HOST = re.compile(r"^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$", re.ASCII)
_QUEUE = re.compile(r"^[A-Za-z0-9_.@-]{1,127}$", re.ASCII)
_PATH = re.compile(r"^/[^\s?#]*[^/\s?#]$")


@dataclass(frozen=True, slots=True)
class PrinterAddress:
    """A parsed `printer.url`. `url` is the address as written back (normalised)."""

    kind: str  # tcp, usb, serial, file, cups
    url: str
    host: str | None = None
    port: int | None = None
    vendor: int | None = None
    product: int | None = None
    path: str | None = None
    baud: int | None = None
    queue: str | None = None
    profile: str | None = None  # None: the shop's printer.profile
    timeout: int | None = None  # seconds; None: the device's default
    in_ep: int | None = None
    out_ep: int | None = None


def parse_printer_url(text: str, *, field: str = "printer") -> PrinterAddress | None:
    """The printer at `text`, or None for `none` (no printer). Refuses with one line naming the part."""
    from urllib.parse import parse_qsl, urlsplit

    raw = (text or "").strip()
    if raw.lower() in ("none", ""):
        if not raw:
            raise ValidationError(field, f"is empty: use {URL_HELP}")
        return None
    scheme, sep, _rest = raw.partition("://")
    if not sep:
        raise ValidationError(field, f"{raw!r} is not a printer address: use {URL_HELP}")
    kind = scheme.lower()
    if kind not in PRINTER_KINDS:
        raise ValidationError(field, f"{raw}: the kind {scheme!r} is not one of {', '.join(PRINTER_KINDS)} "
                                     f"(use {URL_HELP})")
    parts = urlsplit(raw)
    if parts.fragment:
        raise ValidationError(field, f"{raw}: {'#' + parts.fragment!r} does not belong in a printer address")
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ValidationError(field, f"{raw}: the options {parts.query!r} are not NAME=VALUE&…") from None
    options: dict[str, str] = {}
    for name, value in pairs:
        if name not in _OPTIONS[kind]:
            raise ValidationError(field, f"{raw}: the option {name!r} is not one of {', '.join(_OPTIONS[kind])} "
                                         f"for a {kind} printer")
        if name in options:
            raise ValidationError(field, f"{raw}: the option {name!r} is given twice")
        options[name] = value
    common = _common_options(raw, options, field)
    if kind == "tcp":
        found = _tcp(raw, parts, field)
    elif kind == "usb":
        found = _usb(raw, parts, options, field)
    elif kind == "serial":
        found = _serial(raw, parts, options, field)
    elif kind == "file":
        found = {"path": _path(raw, parts, field, "file:///dev/usb/lp0")}
    else:
        found = _cups(raw, parts, field)
    query = "&".join(f"{k}={v}" for k, v in options.items())
    return PrinterAddress(kind=kind, url=f"{kind}://{raw.partition('://')[2].split('?')[0]}"
                          + (f"?{query}" if query else ""), **found, **common)


def _common_options(raw: str, options: dict[str, str], field: str) -> dict:
    out: dict = {}
    if "profile" in options:
        name = options["profile"]
        match = [p for p in PROFILES if p.lower() == name.lower()]
        if not match:
            raise ValidationError(field, f"{raw}: the profile {name!r} is not a known printer profile "
                                         "(e.g. POS-5890 for 58 mm, TM-T88V or TM-T20II for 80 mm)")
        options["profile"] = out["profile"] = match[0]
    if "timeout" in options:
        value = options["timeout"]
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 300:
            raise ValidationError(field, f"{raw}: the timeout {value!r} is not a whole number of seconds, 1 to 300")
        out["timeout"] = int(value)
    return out


def _tcp(raw: str, parts, field: str) -> dict:
    netloc = parts.netloc
    if "@" in netloc:
        raise ValidationError(field, f"{raw}: a printer address has no user name")
    host, port_text = netloc, ""
    if netloc.startswith("["):
        close = netloc.find("]")
        host, port_text = netloc[:close + 1], netloc[close + 2:] if netloc[close + 1:close + 2] == ":" else ""
    elif ":" in netloc:
        host, _, port_text = netloc.rpartition(":")
    if not host:
        raise ValidationError(field, f"{raw}: the host is missing (tcp://HOST:9100)")
    if not _HOST.match(host):
        raise ValidationError(field, f"{raw}: the host {host!r} is not a host name or IP address")
    if parts.path not in ("", "/"):
        raise ValidationError(field, f"{raw}: the path {parts.path!r} does not belong in a tcp address")
    port = 9100
    if port_text or netloc.endswith(":"):
        if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ValidationError(field, f"{raw}: the port {port_text!r} is not a number from 1 to 65535")
        port = int(port_text)
    return {"host": host.strip("[]"), "port": port}


def _usb(raw: str, parts, options: dict[str, str], field: str) -> dict:
    vid, sep, pid = parts.netloc.partition(":")
    if not sep:
        raise ValidationError(field, f"{raw}: give the vendor and product ids as usb://VID:PID (e.g. usb://04b8:0202)")
    ids = []
    for label, value in (("vendor id", vid), ("product id", pid)):
        match = _HEX4.match(value)
        if not match:
            raise ValidationError(field, f"{raw}: the {label} {value!r} is not 4 hex digits (lsusb shows it)")
        ids.append(int(match.group(1), 16))
    if parts.path not in ("", "/"):
        raise ValidationError(field, f"{raw}: the path {parts.path!r} does not belong in a usb address")
    out = {"vendor": ids[0], "product": ids[1]}
    for name in ("in_ep", "out_ep"):
        if name in options:
            value = options[name].lower().removeprefix("0x")
            if not re.fullmatch(r"[0-9a-f]{1,2}", value):
                raise ValidationError(field, f"{raw}: the endpoint {name}={options[name]!r} is not a hex byte like 0x81")
            out[name] = int(value, 16)
    return out


def _serial(raw: str, parts, options: dict[str, str], field: str) -> dict:
    path = _path(raw, parts, field, "serial:///dev/ttyS0?baud=9600")
    baud = 9600
    if "baud" in options:
        text = options["baud"]
        if not text.isascii() or not text.isdigit() or int(text) not in BAUD_RATES:
            raise ValidationError(field, f"{raw}: the baud {text!r} is not one of {', '.join(map(str, BAUD_RATES))}")
        baud = int(text)
    return {"path": path, "baud": baud}


def _path(raw: str, parts, field: str, example: str) -> str:
    if parts.netloc:
        raise ValidationError(field, f"{raw}: {parts.netloc!r} is read as a host; a device path needs three "
                                     f"slashes ({example})")
    if not _PATH.match(parts.path or ""):
        raise ValidationError(field, f"{raw}: the path {parts.path or '(none)'!r} is not an absolute device path "
                                     f"({example})")
    return parts.path


def _cups(raw: str, parts, field: str) -> dict:
    queue = parts.netloc
    if not queue:
        raise ValidationError(field, f"{raw}: the queue name is missing (cups://QUEUE, as lpstat -p lists it)")
    if not _QUEUE.match(queue) or parts.path not in ("", "/"):
        raise ValidationError(field, f"{raw}: the queue {queue + parts.path!r} is not a CUPS queue name")
    return {"queue": queue}


def describe_address(address: PrinterAddress | None) -> str:
    return "none" if address is None else address.url


# --- Documents -------------------------------------------------------------------------------


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph, wrapped at word boundaries. `big`: double width and height (half the columns)."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    big: bool = False


@dataclass(frozen=True, slots=True)
class Pair:
    """A label on the left and a figure on the right (the label wraps, the figure never does)."""

    left: str
    right: str
    bold: bool = False
    big: bool = False
    indent: int = 0


@dataclass(frozen=True, slots=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True, slots=True)
class Blank:
    pass


@dataclass(frozen=True, slots=True)
class QR:
    data: str


Block = Text | Pair | Rule | Blank | QR


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # receipt, refund, payment, statement, day, test, drawer
    title: str  # for the queue list and logs: "receipt s-123"
    blocks: tuple[Block, ...]


# --- Layout ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """`text` in `width` columns starting at column `col` (in the line's own character size)."""

    col: int
    width: int
    text: str
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line. A `big` line counts its columns in double-width characters."""

    segments: tuple[Segment, ...]
    bold: bool = False
    big: bool = False

    @property
    def text(self) -> str:
        """The segments padded into one string, trailing spaces dropped: what a text printer prints."""
        out = ""
        for s in self.segments:
            out = out.ljust(s.col) + _aligned(s.text, s.width, s.align)
        return out.rstrip()

    @property
    def needs_shaping(self) -> bool:
        """Right-to-left or joined scripts (Arabic, Urdu): never sent as code-page text."""
        return any(needs_shaping(s.text) for s in self.segments)


@dataclass(frozen=True, slots=True)
class QRLine:
    data: str


Printed = Line | QRLine


def needs_shaping(text: str) -> bool:
    """Text a code page would print as unjoined letters in the wrong order: right-to-left scripts
    (Arabic, Urdu, Hebrew) and combining marks."""
    for ch in text:
        if ord(ch) < 0x300:
            continue
        if unicodedata.bidirectional(ch) in ("R", "AL", "AN") or unicodedata.combining(ch):
            return True
    return False


def _aligned(text: str, width: int, align: Align) -> str:
    if align is Align.RIGHT:
        return text.rjust(width)
    if align is Align.CENTER:
        pad = max(0, width - len(text))
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text.ljust(width)


def wrap(text: str, width: int) -> list[str]:
    """Words onto lines of at most `width` characters; a word longer than a line is cut."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        current = ""
        for word in paragraph.split():
            while len(word) > width:
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:width])
                word = word[width:]
            if not word:
                continue
            if not current:
                current = word
            elif len(current) + 1 + len(word) <= width:
                current += " " + word
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def layout(document: Document, columns: int) -> list[Printed]:
    """The document's lines for a printer of `columns` characters (32, 42, 48, …)."""
    if columns < 16:
        raise ValueError(f"{columns} columns is too narrow for a receipt")
    out: list[Printed] = []
    for block in document.blocks:
        if isinstance(block, QR):
            out.append(QRLine(block.data))
        elif isinstance(block, Blank):
            out.append(Line(()))
        elif isinstance(block, Rule):
            out.append(Line((Segment(0, columns, block.char * columns),)))
        elif isinstance(block, Text):
            width = columns // 2 if block.big else columns
            for part in wrap(block.text, width):
                out.append(Line((Segment(0, width, part, block.align),), bold=block.bold, big=block.big))
        elif isinstance(block, Pair):
            out.extend(_pair(block, columns // 2 if block.big else columns))
        else:  # pragma: no cover - a new block kind without a layout
            raise TypeError(f"cannot lay out {block!r}")
    return out


def _pair(block: Pair, width: int) -> list[Line]:
    right = block.right
    room = width - block.indent - len(right) - 1
    style = {"bold": block.bold, "big": block.big}
    if room < 1 or (room < 6 and len(block.left) > room):  # the figure needs the line: the label goes above
        lines = [Line((Segment(block.indent, width - block.indent, part),), **style)
                 for part in wrap(block.left, width - block.indent)]
        return lines + [Line((Segment(0, width, part, Align.RIGHT),), **style) for part in wrap(right, width)]
    parts = wrap(block.left, room)
    lines = [Line((Segment(block.indent, room, part),), **style) for part in parts[:-1]]
    lines.append(Line((Segment(block.indent, room, parts[-1]),
                       Segment(width - len(right), len(right), right, Align.RIGHT)), **style))
    return lines


def plain_text(lines: Sequence[Printed]) -> str:
    """The laid-out lines as text (a QR as a marker): for previews and tests."""
    return "\n".join(f"[QR {ln.data}]" if isinstance(ln, QRLine) else ln.text for ln in lines)


# --- The documents -----------------------------------------------------------------------------

TENDER_NAMES = {"cash": "Cash", "card": "Card", "mobile": "Mobile money", "khata": "On khata (credit)",
                "store-credit": "Store credit"}


def quantity_text(quantity_milli: int, unit: str = "each") -> str:
    """2000 each -> "2"; 500 kg -> "0.500 kg"."""
    whole, frac = divmod(quantity_milli, 1000)
    if unit == "each":
        return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)
    return f"{whole}.{frac:03d} {unit}"


def _when(at: dt.datetime | dt.date) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if isinstance(at, dt.datetime) else at.isoformat()


def _head(shop_name: str, title: str, reprint: bool) -> list[Block]:
    blocks: list[Block] = [Text(shop_name, Align.CENTER, bold=True, big=True), Text(title, Align.CENTER, bold=True)]
    if reprint:
        blocks.append(Text("*** REPRINT ***", Align.CENTER, bold=True))
    return blocks


def _foot(footer: str) -> list[Block]:
    return [Blank(), Text(footer, Align.CENTER)] if footer else []


def _balance(balance: int, money: Money) -> Pair:
    if balance < 0:
        return Pair("Store credit left", money(-balance), bold=True)
    return Pair("Khata balance owed", money(balance), bold=True)


def receipt_document(r: Receipt, money: Money, *, footer: str = "", reprint: bool = False) -> Document:
    """The sale receipt: header, items, discounts, totals, tenders, change, khata and points, a QR
    with the sale id, the footer."""
    b: list[Block] = _head(r.shop_name, "RECEIPT", reprint)
    b += [Pair("Sale", r.sale_id), Pair(_when(r.at), f"Till {r.till}")]
    if r.cashier:
        b.append(Pair("Cashier", r.cashier))
    if r.customer is not None:
        b.append(Pair("Customer", r.customer.name))
        if r.customer.phone:
            b.append(Pair("Phone", r.customer.phone))
    b.append(Rule())
    for ln in r.lines:
        simple = ln.unit == "each" and ln.quantity_milli == 1000 and not ln.discount
        if simple:
            b.append(Pair(ln.description, money(ln.gross)))
            continue
        b.append(Text(ln.description))
        b.append(Pair(f"{quantity_text(ln.quantity_milli, ln.unit)} x {money(ln.unit_price)}", money(ln.gross),
                      indent=2))
        if ln.discount:
            b.append(Pair("discount", money(-ln.discount), indent=2))
    b.append(Rule())
    b.append(Pair(f"Subtotal ({len(r.lines)} items)", money(r.gross)))
    if r.discounts:
        b.append(Pair("Discounts", money(-r.discounts)))
    b.append(Pair("TOTAL", money(r.total), bold=True, big=True))
    if r.points_value:
        b.append(Pair(f"Points redeemed ({r.points_redeemed})", money(-r.points_value)))
    if r.rounding:
        b.append(Pair("Rounding", money(r.rounding)))
    if r.paid != r.total:
        b.append(Pair("TO PAY", money(r.paid), bold=True))
    b.append(Rule())
    for t in r.tenders:
        name = t.name if t.method == "mobile" and t.name else TENDER_NAMES.get(t.method, t.method)
        b.append(Pair(name, money(t.amount)))
    if r.cash_given:
        b.append(Pair("Cash given", money(r.cash_given)))
    if r.change or r.cash_given:
        b.append(Pair("CHANGE", money(r.change), bold=True))
    if r.customer is not None:
        b.append(Rule())
        if r.khata:
            b.append(Pair("Put on khata", money(r.khata)))
        if r.store_credit:
            b.append(Pair("Store credit used", money(r.store_credit)))
        b.append(_balance(r.customer.balance_after, money))
        if r.points_earned:
            b.append(Pair("Points earned", str(r.points_earned)))
        if r.points_redeemed:
            b.append(Pair("Points redeemed", str(r.points_redeemed)))
        b.append(Pair("Points balance", str(r.customer.points_after)))
        b.append(Pair("Tier", r.customer.tier))
    b += [Blank(), QR(r.sale_id)]
    b += _foot(footer)
    return Document("receipt", f"receipt {r.sale_id}", tuple(b))


@dataclass(frozen=True, slots=True)
class RefundSlipLine:
    n: int
    description: str
    quantity_milli: int
    net: int


@dataclass(frozen=True, slots=True)
class RefundSlip:
    """What a refund slip says (from the booked refund, as it was when booked)."""

    refund_id: str
    sale_id: str
    date: dt.date
    destination: str  # cash, store-credit
    lines: tuple[RefundSlipLine, ...]
    goods: int
    khata_off: int
    store_credit_back: int
    payout: int
    rounding: int
    points_given_back: int
    points_taken_back: int
    shortfall_points: int
    shortfall_value: int
    customer_name: str | None
    balance_after: int | None
    points_after: int | None


def refund_document(s: RefundSlip, shop_name: str, money: Money, *, footer: str = "",
                    reprint: bool = False) -> Document:
    b: list[Block] = _head(shop_name, "REFUND", reprint)
    b += [Pair("Refund", s.refund_id), Pair("Of sale", s.sale_id), Pair("Date", _when(s.date))]
    if s.customer_name:
        b.append(Pair("Customer", s.customer_name))
    b.append(Rule())
    for ln in s.lines:
        b.append(Pair(f"{ln.n}. {ln.description} x{quantity_text(ln.quantity_milli)}", money(ln.net)))
    b.append(Rule())
    b.append(Pair("Goods returned", money(s.goods)))
    if s.khata_off:
        b.append(Pair("Taken off the khata", money(s.khata_off)))
    if s.store_credit_back:
        b.append(Pair("Store credit back", money(s.store_credit_back)))
    if s.shortfall_value:
        b.append(Pair(f"Points already spent ({s.shortfall_points})", money(-s.shortfall_value)))
    if s.rounding:
        b.append(Pair("Rounding", money(s.rounding)))
    label = "CASH PAID OUT" if s.destination == "cash" else "STORE CREDIT GIVEN"
    b.append(Pair(label, money(s.payout), bold=True))
    if s.points_given_back or s.points_taken_back:
        b.append(Pair("Points back / taken", f"+{s.points_given_back} / -{s.points_taken_back}"))
    if s.balance_after is not None:
        b.append(_balance(s.balance_after, money))
    if s.points_after is not None:
        b.append(Pair("Points balance", str(s.points_after)))
    b += [Blank(), Text("Signature: ____________________")]
    b += _foot(footer)
    return Document("refund", f"refund slip {s.refund_id}", tuple(b))


@dataclass(frozen=True, slots=True)
class PaymentSlip:
    entry_id: int
    date: dt.date
    customer_name: str
    phone: str | None
    amount: int
    method: str
    balance_after: int


def payment_document(s: PaymentSlip, shop_name: str, money: Money, *, footer: str = "",
                     reprint: bool = False) -> Document:
    b: list[Block] = _head(shop_name, "KHATA PAYMENT", reprint)
    b += [Pair("Entry", str(s.entry_id)), Pair("Date", _when(s.date)), Pair("Customer", s.customer_name)]
    if s.phone:
        b.append(Pair("Phone", s.phone))
    b += [Rule(), Pair("AMOUNT RECEIVED", money(s.amount), bold=True), Pair("Method", s.method), Rule(),
          _balance(s.balance_after, money)]
    b += _foot(footer)
    return Document("payment", f"payment slip {s.entry_id}", tuple(b))


@dataclass(frozen=True, slots=True)
class StatementSlipLine:
    date: dt.date
    what: str
    signed: int  # + on the khata (debit), - off it (payment)
    balance: int


@dataclass(frozen=True, slots=True)
class StatementSlip:
    customer_name: str
    phone: str | None
    as_of: dt.date
    earlier: int  # entries before the ones shown
    brought_forward: int  # the balance before the first line shown
    lines: tuple[StatementSlipLine, ...]
    balance: int


def statement_document(s: StatementSlip, shop_name: str, money: Money, *, footer: str = "") -> Document:
    b: list[Block] = _head(shop_name, "KHATA STATEMENT", False)
    b += [Pair("Customer", s.customer_name)]
    if s.phone:
        b.append(Pair("Phone", s.phone))
    b += [Pair("As of", _when(s.as_of)), Rule()]
    if s.earlier:
        b.append(Pair(f"Brought forward ({s.earlier} earlier)", money(s.brought_forward)))
    for ln in s.lines:
        b.append(Text(f"{ln.date.isoformat()} {ln.what}"))
        sign = "+" if ln.signed > 0 else ""
        b.append(Pair(f"{sign}{money(ln.signed)}", f"= {money(ln.balance)}", indent=2))
    b += [Rule(), _balance(s.balance, money)]
    b += _foot(footer)
    return Document("statement", f"statement slip {s.customer_name}", tuple(b))


@dataclass(frozen=True, slots=True)
class DaySummary:
    """One day's takings, for the end-of-day slip."""

    date: dt.date
    sales: int
    gross: int
    discounts: int
    total: int
    points_value: int
    rounding: int
    tenders: tuple[tuple[str, int], ...]  # (method or service name, amount) in order
    refunds: int
    refunded_cash: int
    refunded_store_credit: int
    refunded_khata: int
    payments: tuple[tuple[str, int, int], ...]  # (method, count, amount)
    credit_given: int  # put on khata by sales

    @property
    def cash_in(self) -> int:
        """Cash the drawer should have taken: cash tenders and cash payments, less cash refunds."""
        cash = sum(amount for name, amount in self.tenders if name == "cash")
        cash += sum(amount for method, _n, amount in self.payments if method == "cash")
        return cash - self.refunded_cash


def day_document(d: DaySummary, shop_name: str, money: Money, *, printed_by: str | None,
                 at: dt.datetime) -> Document:
    b: list[Block] = _head(shop_name, "END OF DAY", False)
    b += [Pair("Day", d.date.isoformat()), Pair("Printed", _when(at))]
    if printed_by:
        b.append(Pair("By", printed_by))
    b += [Rule(), Pair("Sales", str(d.sales)), Pair("Gross", money(d.gross)), Pair("Discounts", money(-d.discounts)),
          Pair("Total sold", money(d.total), bold=True)]
    if d.points_value:
        b.append(Pair("Paid with points", money(-d.points_value)))
    if d.rounding:
        b.append(Pair("Rounding", money(d.rounding)))
    b += [Rule(), Text("Takings by tender", bold=True)]
    for name, amount in d.tenders:
        b.append(Pair(TENDER_NAMES.get(name, name), money(amount), indent=2))
    b += [Rule(), Pair("Refunds", str(d.refunds)), Pair("cash paid out", money(-d.refunded_cash), indent=2),
          Pair("as store credit", money(d.refunded_store_credit), indent=2),
          Pair("off khatas", money(d.refunded_khata), indent=2),
          Rule(), Pair("Credit given on sales", money(d.credit_given)), Text("Khata payments", bold=True)]
    for method, count, amount in d.payments:
        b.append(Pair(f"{method} ({count})", money(amount), indent=2))
    if not d.payments:
        b.append(Pair("none", money(0), indent=2))
    b += [Rule(), Pair("CASH IN DRAWER (net)", money(d.cash_in), bold=True)]
    return Document("day", f"end of day {d.date.isoformat()}", tuple(b))


def printer_test_document(shop_name: str, *, printer: str, profile: str, columns: int, at: dt.datetime,
                  sample: str = "") -> Document:
    """A test page: the address, the profile, a ruler of the columns, a QR and a line of Urdu."""
    ruler = "".join(str(i % 10) for i in range(1, columns + 1))
    b: list[Block] = _head(shop_name, "PRINTER TEST", False)
    b += [Pair("Printer", printer), Pair("Profile", profile), Pair("Columns", str(columns)),
          Pair("Printed", _when(at)), Rule(), Text(ruler), Rule("="), Text("bold", bold=True),
          Text("BIG", Align.CENTER, big=True), Pair("left", "right")]
    if sample:
        b.append(Text(sample, Align.RIGHT))
    b += [QR("kiosk printer test")]
    return Document("test", "printer test page", tuple(b))


def drawer_document() -> Document:
    """A job that only opens the cash drawer (nothing printed)."""
    return Document("drawer", "open the cash drawer", ())
