"""The shop's settings: a registry of documented, typed keys, their defaults, ranges and text forms.

Every key has a kind that says how a person types it (`kiosk config set loyalty.earn_per 100.00`),
how it is shown (in the shop's terms: money as ``100.00``), how it is stored (text; money as integer
minor units of the shop's currency, multipliers as the exact decimal a person typed) and what values
it may take. No float ever touches a value: money is an int, a multiplier a `Fraction`.

Three keys (`shop.name`, `shop.locale`, `shop.mobile_money`) live on the shop row itself and two
(`shop.country`, `shop.currency`) are fixed when the shop is made; the rest are overrides of the
defaults below, one row each, kept only while they differ from the default.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.khata import BASE_METHODS
from kiosk.domain.money import minor_digits, parse_amount, to_decimal_string
from kiosk.domain.print_layout import PROFILES as _PRINTER_PROFILES
from kiosk.domain.print_layout import describe_address, parse_printer_url

#: Tier names as `kiosk.domain.customers.Tier` spells them (a StrEnum, so either works as a key).
TIERS = ("New", "Regular", "VIP")


class Kind(enum.StrEnum):
    INT = "int"
    PERCENT = "percent"
    MONEY = "money"
    BOOL = "bool"
    MONTHS = "months"
    MULTIPLIER = "multiplier"
    NAMES = "names"
    DATE = "date"
    CHOICE = "choice"
    TEXT = "text"
    LOCALE = "locale"
    PRINTER = "printer"


#: How each kind is typed, for `kiosk config list`.
KIND_HELP = {
    Kind.INT: "a whole number",
    Kind.PERCENT: "a whole percentage, 0 to 100",
    Kind.MONEY: "an amount in major units of the shop's currency, like 100.00",
    Kind.BOOL: "yes or no",
    Kind.MONTHS: "a whole number of months (0 = never)",
    Kind.MULTIPLIER: "a decimal like 1.5, up to 4 decimal places",
    Kind.NAMES: "names separated by commas",
    Kind.DATE: "a date, YYYY-MM-DD or DD/MM/YYYY",
    Kind.CHOICE: "one of the listed words",
    Kind.TEXT: "text",
    Kind.LOCALE: "a locale like en_PK or id_ID",
    Kind.PRINTER: "a printer address: tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyS0?baud=9600, "
                  "file:///dev/usb/lp0, cups://QUEUE or none",
}

_WHOLE = re.compile(r"^[0-9]{1,12}$", re.ASCII)
_NEGATIVE = re.compile(r"^-[0-9]+(\.[0-9]+)?$", re.ASCII)
_MULTIPLIER = re.compile(r"^(?P<int>[0-9]{1,4})(?:\.(?P<frac>[0-9]{1,4}))?$", re.ASCII)
_TRUE = ("yes", "y", "true", "on", "1")
_FALSE = ("no", "n", "false", "off", "0")
MULTIPLIER_DECIMALS = 4


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented key. `default` is typed, except for money, whose default is in whole major units
    (scaled to the shop's currency by `default_for`); None means the value comes from the shop row."""

    key: str
    kind: Kind
    default: Any
    doc: str
    minimum: int | Fraction | None = None
    maximum: int | Fraction | None = None
    #: For money and multipliers: whether zero is allowed (it is the "none" or "off" value of some keys).
    allow_zero: bool = True
    choices: tuple[str, ...] = ()
    #: Names a NAMES value may not use (case-insensitively), e.g. the built-in payment methods.
    reserved: tuple[str, ...] = ()
    #: When set, `kiosk config set` refuses the key and says why.
    read_only: str = ""
    #: The `shop` table column this key is stored in, instead of the setting table.
    shop_column: str = ""
    #: What the default is, in words, where it is not a fixed value (the shop.* keys).
    default_note: str = ""

    # --- From and to text --------------------------------------------------------------------

    def parse(self, text: str, currency: str) -> Any:
        """What a person typed, checked: the typed value, or a ValidationError naming the key."""
        raw = " ".join((text if text is not None else "").split())
        parse = _PARSERS[self.kind]
        return parse(self, raw, currency)

    def format(self, value: Any, currency: str) -> str:
        """For people and `kiosk config get`, in the shop's terms; `parse` reads it back."""
        if self.kind is Kind.MONEY:
            return to_decimal_string(value, currency)
        if self.kind is Kind.MULTIPLIER:
            return fraction_text(value)
        if self.kind is Kind.BOOL:
            return "yes" if value else "no"
        if self.kind is Kind.NAMES:
            return ",".join(value)
        if self.kind is Kind.DATE:
            return value.isoformat()
        return str(value)

    def dump(self, value: Any, currency: str) -> str:
        """The stored text: money as integer minor units, everything else as `format` gives it."""
        return str(value) if self.kind is Kind.MONEY else self.format(value, currency)

    def load(self, stored: str, currency: str) -> Any:
        """The stored text back to a value, checked again: a row edited by hand cannot slip through."""
        if self.kind is not Kind.MONEY:
            return self.parse(stored, currency)
        if not _WHOLE.match(stored or ""):
            raise ValidationError(self.key, f"the stored value {stored!r} is not an amount in minor units")
        value = int(stored)
        self._check_money(value, currency)
        return value

    def to_json(self, value: Any, currency: str) -> Any:
        """Numbers stay numbers, money and multipliers are exact decimal strings, names a list."""
        if self.kind in (Kind.MONEY, Kind.MULTIPLIER, Kind.DATE):
            return self.format(value, currency)
        if self.kind is Kind.NAMES:
            return list(value)
        return value

    def default_for(self, currency: str) -> Any:
        if self.kind is Kind.MONEY and self.default is not None:
            return self.default * 10 ** minor_digits(currency)
        return self.default

    def default_text(self, currency: str) -> str:
        if self.default is None:
            return self.default_note
        return self.format(self.default_for(currency), currency)

    @property
    def range_text(self) -> str:
        """The allowed values in words, for `kiosk config list`."""
        if self.choices:
            return " or ".join(self.choices)
        low, high = self.minimum, self.maximum
        show = fraction_text if self.kind is Kind.MULTIPLIER else str
        if self.kind in (Kind.MONEY, Kind.MULTIPLIER) and low is None:
            low_text = "0 or more" if self.allow_zero else "more than 0"
            return low_text + (f", at most {show(high)}" if high is not None else "")
        if low is not None and high is not None:
            return f"{show(low)} to {show(high)}"
        if low is not None:
            return f"{show(low)} or more"
        return ""

    # --- Checks ------------------------------------------------------------------------------

    def _check_range(self, value: int | Fraction, shown: str) -> None:
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(self.key, f"{shown} is below the minimum {self._show(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(self.key, f"{shown} is above the maximum {self._show(self.maximum)}")

    def _show(self, bound: int | Fraction) -> str:
        return fraction_text(bound) if isinstance(bound, Fraction) else str(bound)

    def _check_money(self, value: int, currency: str) -> None:
        if value == 0 and not self.allow_zero:
            raise ValidationError(self.key, "must be more than zero")
        self._check_range(value, to_decimal_string(value, currency))


# --- Parsers, one per kind ---------------------------------------------------------------------


def _refuse_negative(setting: Setting, raw: str) -> None:
    if _NEGATIVE.match(raw):
        allowed = setting.range_text
        raise ValidationError(setting.key, f"{raw!r} is negative" + (f" (allowed: {allowed})" if allowed else ""))


def _parse_whole(setting: Setting, raw: str, _currency: str, *, example: str = "50") -> int:
    if not raw:
        raise ValidationError(setting.key, "is empty")
    _refuse_negative(setting, raw)
    if not _WHOLE.match(raw):
        raise ValidationError(setting.key, f"{raw!r} is not a whole number like {example}")
    value = int(raw)
    setting._check_range(value, raw)
    return value


def _parse_percent(setting: Setting, raw: str, currency: str) -> int:
    return _parse_whole(setting, raw.removesuffix("%").rstrip(), currency, example="10")


def _parse_months(setting: Setting, raw: str, currency: str) -> int:
    if raw.casefold() == "never":
        raw = "0"
    return _parse_whole(setting, raw, currency, example="12 (or 0 for never)")


def _parse_money(setting: Setting, raw: str, currency: str) -> int:
    _refuse_negative(setting, raw)
    value = parse_amount(raw, currency, field=setting.key, allow_zero=True)
    setting._check_money(value, currency)
    return value


def _parse_multiplier(setting: Setting, raw: str, _currency: str) -> Fraction:
    if not raw:
        raise ValidationError(setting.key, "is empty")
    _refuse_negative(setting, raw)
    match = _MULTIPLIER.match(raw)
    if match is None:
        raise ValidationError(
            setting.key, f"{raw!r} is not a multiplier like 1.5 (up to {MULTIPLIER_DECIMALS} decimal places)"
        )
    frac = match.group("frac") or ""
    value = Fraction(int(match.group("int") + frac), 10 ** len(frac))  # exact: no float on the way
    if value == 0 and not setting.allow_zero:
        raise ValidationError(setting.key, f"{raw!r}: a multiplier must be more than 0")
    setting._check_range(value, raw)
    return value


def _parse_bool(setting: Setting, raw: str, _currency: str) -> bool:
    word = raw.casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValidationError(setting.key, f"{raw or '(empty)'!r} is not yes or no")


def _parse_names(setting: Setting, raw: str, _currency: str) -> tuple[str, ...]:
    names = tuple(name for name in (" ".join(part.split()) for part in raw.split(",")) if name)
    seen: dict[str, str] = {}
    reserved = {r.casefold(): r for r in setting.reserved}
    for name in names:
        folded = name.casefold()
        if folded in seen:
            raise ValidationError(setting.key, f"{name!r} is listed twice")
        if folded in reserved:
            raise ValidationError(setting.key, f"{name!r} is a built-in method; list only the others")
        if len(name) > 40:
            raise ValidationError(setting.key, f"{name[:20]!r}… is longer than 40 characters")
        seen[folded] = name
    if setting.maximum is not None and len(names) > setting.maximum:
        raise ValidationError(setting.key, f"{len(names)} names is more than the maximum {setting.maximum}")
    return names


def _parse_date(setting: Setting, raw: str, _currency: str) -> dt.date:
    from kiosk.domain.dates import parse_date

    return parse_date(raw, field=setting.key)


def _parse_choice(setting: Setting, raw: str, _currency: str) -> str:
    for choice in setting.choices:
        if choice.casefold() == raw.casefold():
            return choice
    raise ValidationError(setting.key, f"{raw or '(empty)'!r} is not one of {', '.join(setting.choices)}")


def _parse_text(setting: Setting, raw: str, _currency: str) -> str:
    if not raw:
        raise ValidationError(setting.key, "is empty")
    if setting.maximum is not None and len(raw) > setting.maximum:
        raise ValidationError(setting.key, f"is longer than {setting.maximum} characters")
    return raw


def _parse_locale(setting: Setting, raw: str, _currency: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(raw))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationError(setting.key, f"{raw or '(empty)'!r} is not a known locale like en_PK or id_ID") from None


def _parse_printer(setting: Setting, raw: str, _currency: str) -> str:
    return describe_address(parse_printer_url(raw, field=setting.key))


_PARSERS = {
    Kind.INT: _parse_whole,
    Kind.PERCENT: _parse_percent,
    Kind.MONEY: _parse_money,
    Kind.BOOL: _parse_bool,
    Kind.MONTHS: _parse_months,
    Kind.MULTIPLIER: _parse_multiplier,
    Kind.NAMES: _parse_names,
    Kind.DATE: _parse_date,
    Kind.CHOICE: _parse_choice,
    Kind.TEXT: _parse_text,
    Kind.LOCALE: _parse_locale,
    Kind.PRINTER: _parse_printer,
}


def fraction_text(value: Fraction | int) -> str:
    """A multiplier as the shortest exact decimal: Fraction(3, 2) -> ``1.5``, 2 -> ``2``."""
    value = Fraction(value)
    for places in range(MULTIPLIER_DECIMALS + 1):
        scaled = value * 10**places
        if scaled.denominator == 1:
            whole, frac = divmod(scaled.numerator, 10**places)
            return f"{whole}.{frac:0{places}d}" if places else str(whole)
    return f"{value.numerator}/{value.denominator}"  # never made by `parse`; shown honestly if it were


# --- The registry ------------------------------------------------------------------------------

_MAX_COUNT = 1_000_000
_MAX_MULTIPLIER = Fraction(100)

SETTINGS: tuple[Setting, ...] = (
    Setting("loyalty.earn_points", Kind.INT, 50, "points earned for every loyalty.earn_per paid (0 = no points)",
            minimum=0, maximum=_MAX_COUNT),
    Setting("loyalty.earn_per", Kind.MONEY, 100, "the amount paid that earns loyalty.earn_points",
            allow_zero=False),
    Setting("loyalty.redeem_points", Kind.INT, 100, "points that are worth loyalty.redeem_value at checkout",
            minimum=1, maximum=_MAX_COUNT),
    Setting("loyalty.redeem_value", Kind.MONEY, 1, "what loyalty.redeem_points points are worth at checkout",
            allow_zero=False),
    Setting("loyalty.min_redeem", Kind.INT, 500, "the fewest points a customer may redeem at once",
            minimum=0, maximum=_MAX_COUNT),
    Setting("loyalty.expiry_months", Kind.MONTHS, 0, "months after earning that points expire (0 = never)",
            minimum=0, maximum=600),
    Setting("loyalty.credit_earns", Kind.CHOICE, "paid",
            "when a credit (khata) sale earns points: at the sale, or only once it is paid",
            choices=("sale", "paid")),
    Setting("loyalty.multiplier.new", Kind.MULTIPLIER, Fraction(1), "points multiplier for New customers",
            allow_zero=False, maximum=_MAX_MULTIPLIER),
    Setting("loyalty.multiplier.regular", Kind.MULTIPLIER, Fraction(3, 2), "points multiplier for Regular customers",
            allow_zero=False, maximum=_MAX_MULTIPLIER),
    Setting("loyalty.multiplier.vip", Kind.MULTIPLIER, Fraction(2), "points multiplier for VIP customers",
            allow_zero=False, maximum=_MAX_MULTIPLIER),
    Setting("loyalty.tier.regular_from", Kind.INT, 4, "lifetime purchases that make a customer Regular",
            minimum=1, maximum=_MAX_COUNT),
    Setting("loyalty.tier.vip_from", Kind.INT, 21, "lifetime purchases that make a customer VIP",
            minimum=2, maximum=_MAX_COUNT),
    Setting("loyalty.tier.vip_spend", Kind.MONEY, 50_000,
            "lifetime spend above which a customer is VIP whatever the purchase count", allow_zero=False),
    Setting("sale.discount_approval_percent", Kind.PERCENT, 10,
            "a line or basket discount above this percentage needs a manager's approval",
            minimum=0, maximum=100),
    Setting("sale.cash_rounding", Kind.MONEY, 0,
            "cash totals are rounded to a multiple of this (0 = no rounding; e.g. 100.00 for IDR 100)"),
    Setting("notify.channel", Kind.CHOICE, "sms",
            "how customers get messages about their khata: sms, whatsapp, or none",
            choices=("sms", "whatsapp", "none")),
    Setting("notify.credit_sale", Kind.BOOL, True,
            "send the customer a message when a sale goes on their khata, with the balance after it"),
    Setting("notify.payment", Kind.BOOL, True,
            "send the customer a message when a khata payment is received, with the balance after it"),
    Setting("printer.url", Kind.PRINTER, "none",
            "the receipt printer: tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyS0?baud=9600, "
            "file:///dev/usb/lp0, cups://QUEUE, or none (add ?profile=NAME for a printer of another width)"),
    Setting("printer.profile", Kind.CHOICE, "POS-5890",
            "the printer's python-escpos capability profile, which sets the columns: POS-5890 (58 mm, 32), "
            "TM-T88V (80 mm, 42), TM-T20II (80 mm, 48)", choices=_PRINTER_PROFILES),
    Setting("printer.footer", Kind.TEXT, "Thank you for shopping with us",
            "the last line of every receipt (Urdu and other scripts print as an image)", maximum=200),
    Setting("printer.auto_print", Kind.BOOL, True,
            "print a receipt for every sale, refund and khata payment (the cash drawer opens on cash either way)"),
    Setting("shop.name", Kind.TEXT, None, "the shop's name as printed on receipts", maximum=200,
            shop_column="name", default_note="set by kiosk init"),
    Setting("shop.locale", Kind.LOCALE, None, "how money and dates are shown, e.g. en_PK, id_ID",
            shop_column="locale", default_note="from the country, e.g. en_PK"),
    Setting("shop.mobile_money", Kind.NAMES, None,
            "the mobile-money services the shop takes, comma separated (e.g. JazzCash,EasyPaisa)",
            maximum=20, reserved=BASE_METHODS, shop_column="mobile_money",
            default_note="from the country, e.g. JazzCash,EasyPaisa in PK"),
    Setting("shop.country", Kind.TEXT, None, "the shop's country (two letters); phone numbers are read in it",
            read_only="the country is fixed when the shop is made (kiosk init): phones and CNICs were "
            "checked against it", default_note="set by kiosk init"),
    Setting("shop.currency", Kind.TEXT, None, "the shop's currency (ISO 4217)",
            read_only="the currency is fixed when the shop is made (kiosk init): every amount in the "
            "books is in its minor units", default_note="set by kiosk init"),
)

BY_KEY: Mapping[str, Setting] = MappingProxyType({s.key: s for s in SETTINGS})
KEYS = tuple(BY_KEY)
#: Keys kept in the setting table (the rest live on the shop row).
STORED_KEYS = tuple(s.key for s in SETTINGS if not s.shop_column and not s.read_only)


class UnknownSetting(KioskError):
    """A key that is not in the registry; the message suggests the closest one."""


def suggest(key: str) -> str | None:
    """The registered key a typo most likely meant: difflib first, then a key ending in what was typed."""
    typed = (key or "").strip().casefold()
    close = difflib.get_close_matches(typed, KEYS, n=1, cutoff=0.6)
    if close:
        return close[0]
    tails = [k for k in KEYS if typed and k.endswith("." + typed)]
    if len(tails) == 1:
        return tails[0]
    close = difflib.get_close_matches(typed, [k.rsplit(".", 1)[-1] for k in KEYS], n=1, cutoff=0.75)
    if close:
        matches = [k for k in KEYS if k.rsplit(".", 1)[-1] == close[0]]
        return matches[0] if len(matches) == 1 else None
    return None


def lookup(key: str) -> Setting:
    setting = BY_KEY.get((key or "").strip().lower())
    if setting is not None:
        return setting
    hint = suggest(key)
    did_you_mean = f": did you mean {hint}?" if hint else ""
    raise UnknownSetting(f"unknown setting {key!r}{did_you_mean} (`kiosk config list` shows every key)")


def check_together(values: Mapping[str, Any], changed: str = "loyalty.tier.regular_from") -> None:
    """Rules that span keys, checked after `changed` took its new value; the message names both keys
    so the fix is clear."""
    regular, vip = values["loyalty.tier.regular_from"], values["loyalty.tier.vip_from"]
    if regular >= vip:
        if changed == "loyalty.tier.vip_from":
            raise ValidationError(changed, f"{vip} must be above loyalty.tier.regular_from ({regular}): lower that first")
        raise ValidationError(changed, f"{regular} must be below loyalty.tier.vip_from ({vip}): raise that first")


# --- What the engine reads ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoyaltySettings:
    """The loyalty rules as the engine uses them. Money in minor units; multipliers exact."""

    earn_points: int
    earn_per: int
    redeem_points: int
    redeem_value: int
    min_redeem: int
    expiry_months: int  # 0 = points never expire
    credit_earns: str  # "sale" or "paid"
    multipliers: Mapping[str, Fraction]  # "New", "Regular", "VIP" (a Tier works as the key too)
    regular_from: int  # lifetime purchases that make a customer Regular
    vip_from: int  # lifetime purchases that make a customer VIP
    vip_spend: int  # lifetime spend (minor units) above which a customer is VIP

    def multiplier(self, tier: str) -> Fraction:
        return self.multipliers[str(tier)]

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> LoyaltySettings:
        return cls(
            earn_points=values["loyalty.earn_points"],
            earn_per=values["loyalty.earn_per"],
            redeem_points=values["loyalty.redeem_points"],
            redeem_value=values["loyalty.redeem_value"],
            min_redeem=values["loyalty.min_redeem"],
            expiry_months=values["loyalty.expiry_months"],
            credit_earns=values["loyalty.credit_earns"],
            multipliers=MappingProxyType({tier: values[f"loyalty.multiplier.{tier.lower()}"] for tier in TIERS}),
            regular_from=values["loyalty.tier.regular_from"],
            vip_from=values["loyalty.tier.vip_from"],
            vip_spend=values["loyalty.tier.vip_spend"],
        )


@dataclass(frozen=True, slots=True)
class SaleSettings:
    """Checkout rules: when a discount needs a manager, and the cash rounding step (0 = none)."""

    discount_approval_percent: int
    cash_rounding: int

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> SaleSettings:
        return cls(
            discount_approval_percent=values["sale.discount_approval_percent"],
            cash_rounding=values["sale.cash_rounding"],
        )


@dataclass(frozen=True, slots=True)
class NotifySettings:
    """Which khata events write a message to the outbox, and on which channel."""

    channel: str  # sms, whatsapp, none
    credit_sale: bool
    payment: bool

    def wants(self, event: str) -> bool:
        return self.channel != "none" and {"credit-sale": self.credit_sale, "payment": self.payment}[event]

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> NotifySettings:
        return cls(channel=values["notify.channel"], credit_sale=values["notify.credit_sale"],
                   payment=values["notify.payment"])


@dataclass(frozen=True, slots=True)
class PrinterSettings:
    """The receipt printer: its address (None: no printer), profile, receipt footer, and whether every
    sale, refund and khata payment prints on its own."""

    url: str  # as stored: "none" or a printer address
    profile: str
    footer: str
    auto_print: bool

    @property
    def address(self):
        """The parsed `url` (a `kiosk.domain.print_layout.PrinterAddress`), or None for none."""
        return parse_printer_url(self.url, field="printer.url")

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> PrinterSettings:
        return cls(url=values["printer.url"], profile=values["printer.profile"], footer=values["printer.footer"],
                   auto_print=values["printer.auto_print"])


def defaults(currency: str) -> dict[str, Any]:
    """Every stored key's default in the given currency (shop.* keys come from the shop row)."""
    return {key: BY_KEY[key].default_for(currency) for key in STORED_KEYS}
