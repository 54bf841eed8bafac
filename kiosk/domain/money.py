"""Money as integer minor units (paisa, cents), parsed strictly and formatted as babel formats it.

No float ever touches an amount: text is parsed digit by digit into an int, and Decimal is used only
at the edge to hand babel a value to format.

The till formats through `formatter(currency, locale)` / `format_of(...)`: a `MoneyFormat`, the few
facts babel's formatting needs (digits, symbols, the currency pattern's parts) computed by babel once,
in the till's case in a short-lived child process (kiosk.services.till_prefetch) and registered here
with `use_format`, so the till's own process never loads babel's data (see MoneyFormat).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from kiosk.domain.errors import ValidationError

_AMOUNT = re.compile(r"^(?P<int>[0-9]{1,15})(?:\.(?P<frac>[0-9]+))?$")  # ASCII digits only


def minor_digits(currency: str) -> int:
    """Digits after the point for an ISO 4217 currency (PKR 2, JPY 0, KWD 3), from CLDR via babel, or
    from a registered MoneyFormat (`use_format`) without loading babel."""
    digits = _digits.get(currency)  # before the cache below, which would keep a babel answer
    return digits if digits is not None else _cldr_digits(currency)


@lru_cache(maxsize=64)
def _cldr_digits(currency: str) -> int:
    from babel.numbers import get_currency_precision

    return get_currency_precision(currency)


def is_known_currency(code: str) -> bool:
    from babel.numbers import list_currencies

    return code in list_currencies()


def parse_amount(text: str, currency: str, *, field: str = "amount", allow_zero: bool = False) -> int:
    """Parse a plain major-unit amount such as ``1250.50`` into minor units.

    Refuses everything a person might mistype: signs, exponents, currency symbols, thousands
    separators, several points, and more decimals than the currency has.
    """
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(field, "is empty")
    match = _AMOUNT.match(raw)
    if match is None:
        raise ValidationError(field, f"{raw!r} is not an amount like 1250.50")
    digits = minor_digits(currency)
    frac = match.group("frac") or ""
    if len(frac) > digits:
        raise ValidationError(field, f"{raw!r} has more than {digits} decimal digits for {currency}")
    minor = int(match.group("int")) * 10**digits + int(frac.ljust(digits, "0") or "0")
    if minor == 0 and not allow_zero:
        raise ValidationError(field, "must be more than zero")
    return minor


def to_decimal_string(minor: int, currency: str) -> str:
    """Exact major-unit string with the currency's minor digits: 125050 PKR -> ``1250.50``."""
    digits = minor_digits(currency)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}" if digits else f"{sign}{whole}"


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """For people: ``Rs1,250.50`` in en_PK, ``Rp1.250,00`` in id_ID."""
    from babel.numbers import format_currency

    return format_currency(to_decimal(minor, currency), currency, locale=locale)


# --- A small formatter of our own ---------------------------------------------------------------------------
#
# Why by hand: babel's data costs a process ~5 MiB that it never gives back (its global data, loaded for
# a currency's digits, ~2 MiB; each locale's data and its parents', ~1-2 MiB), and freeing babel's
# caches does not lower the resident set. The till's memory goal has no room for that, to format one
# currency in one locale all day. So the facts babel would look up are computed by babel (in a child
# process for the till) and replayed here with integer and string work that mirrors
# babel.numbers.NumberPattern.apply step by step. babel remains the source of truth: `money_format`
# checks its answer against babel's before trusting it, tests/domain/test_money_format.py proves
# equality over locales x currencies x amounts, and anything outside what this reproduces (a locale
# whose default numbering system is not latn, a pattern with padding, significant digits, an exponent,
# a percent or the currency's long name) is marked `exact=False` and formatted by babel itself.
#
# The negative sign is not the locale's minusSign: babel writes the pattern's own (a literal "-" put
# before the positive prefix when the pattern has no negative part), so that is what is kept.


def plain_pattern(digits: int) -> str:
    """The table cells' pattern: grouping, the currency's digits, no sign: "#,##0.00" for PKR."""
    return "#,##0" + ("." + "0" * digits if digits else "")


_PLAIN_GROUPING = (3, 3)  # parse_pattern(plain_pattern(d)).grouping, whatever d
_QUOTED = re.compile(r"'([^']*)'")


@dataclass(frozen=True, slots=True)
class MoneyFormat:
    """How one currency is written in one locale, as babel writes it (`format_currency` with the locale's
    standard currency pattern and the currency's digits; `format_decimal` with `plain_pattern`).
    Make one with `money_format` (babel); hand it across processes with `to_json`/`from_json`."""

    currency: str
    locale: str
    digits: int
    """The currency's minor digits (CLDR): PKR 2, JPY 0, KWD 3."""
    decimal: str
    """The locale's decimal symbol (latn numbering system)."""
    group: str
    """The locale's group symbol (latn numbering system)."""
    symbol: str
    """The currency's symbol in the locale ("Rs" in en_PK), which replaces a single '¤'."""
    prefix: tuple[str, str]
    """The currency pattern's (positive, negative) prefixes as parse_pattern gives them ('¤' unreplaced)."""
    suffix: tuple[str, str]
    """The currency pattern's (positive, negative) suffixes."""
    grouping: tuple[int, int]
    """The currency pattern's (primary, secondary) group sizes: (3, 3); (3, 2) in en_IN."""
    int_min: int = 1
    """The currency pattern's minimum integer digits."""
    exact: bool = True
    """False: outside what this formatter reproduces; `money` and `plain` ask babel instead."""

    def money(self, minor: int) -> str:
        """For people: 125050 -> "Rs1,250.50" (en_PK, PKR), exactly babel's format_currency."""
        if not self.exact:
            return _babel_money(minor, self.currency, self.locale)
        negative = minor < 0
        text = self.prefix[negative] + self._number(minor, self.grouping, self.int_min) + self.suffix[negative]
        if "¤" in text:
            text = text.replace("¤¤", self.currency.upper()).replace("¤", self.symbol)
        return _unquote(text)

    def plain(self, minor: int) -> str:
        """For table cells, without the currency: 145000 -> "1,450.00" (en_PK), exactly babel's
        format_decimal with `plain_pattern(digits)`."""
        if not self.exact:
            return _babel_plain(minor, self.currency, self.locale)
        return _unquote(("-" if minor < 0 else "") + self._number(minor, _PLAIN_GROUPING, 1))

    def _number(self, minor: int, grouping: tuple[int, int], int_min: int) -> str:
        whole, frac = divmod(abs(minor), 10 ** self.digits)
        head = str(whole).zfill(int_min)
        size, tail = grouping[0], ""
        while len(head) > size:  # babel's NumberPattern._format_int
            head, tail = head[:-size], self.group + head[-size:] + tail
            size = grouping[1]
        return head + tail + (self.decimal + str(frac).zfill(self.digits) if self.digits else "")

    def to_json(self) -> dict[str, Any]:
        """Plain values (str, int, bool, lists) for json.dumps."""
        return {"currency": self.currency, "locale": self.locale, "digits": self.digits, "decimal": self.decimal,
                "group": self.group, "symbol": self.symbol, "prefix": list(self.prefix),
                "suffix": list(self.suffix), "grouping": list(self.grouping), "int_min": self.int_min,
                "exact": self.exact}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MoneyFormat:
        """The inverse of `to_json`; ValueError for anything else."""
        try:
            fmt = cls(currency=_str(data["currency"]), locale=_str(data["locale"]), digits=_int(data["digits"]),
                      decimal=_str(data["decimal"]), group=_str(data["group"]), symbol=_str(data["symbol"]),
                      prefix=_pair(data["prefix"], _str), suffix=_pair(data["suffix"], _str),
                      grouping=_pair(data["grouping"], _int), int_min=_int(data["int_min"]),
                      exact=data["exact"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a money format: {exc}") from None
        if not isinstance(fmt.exact, bool) or min(fmt.grouping) < 1 or fmt.digits < 0 or fmt.int_min < 0:
            raise ValueError("not a money format")
        return fmt


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not an integer")
    return value


def _pair(value: Any, kind: Callable[[Any], Any]) -> tuple[Any, Any]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TypeError(f"{value!r} is not a pair")
    return kind(value[0]), kind(value[1])


def _unquote(text: str) -> str:
    """babel's last step: quoted literals lose their quotes ('' is one quote)."""
    return _QUOTED.sub(lambda m: m.group(1) or "'", text) if "'" in text else text


#: Amounts `money_format` checks against babel before trusting its own answer.
_SAMPLES = (0, 1, -1, 7, 99, 100, 101, 999, 1000, 12345, -12345, 99999, 100000, 1234567, -1234567, 10**9 + 7,
            -(10**10), 10**13 + 5, 10**15, -(10**15) - 3)


def money_format(currency: str, locale: str) -> MoneyFormat:
    """What babel needs to format `currency` in `locale`, computed by babel (this loads babel's data).
    `exact=False` when the small formatter does not reproduce babel there."""
    from babel import Locale
    from babel.numbers import get_currency_symbol, get_decimal_symbol, get_group_symbol

    parsed = Locale.parse(locale)
    pattern = parsed.currency_formats["standard"]
    fmt = MoneyFormat(currency=currency, locale=locale, digits=_cldr_digits(currency),
                      decimal=get_decimal_symbol(parsed, numbering_system="latn"),
                      group=get_group_symbol(parsed, numbering_system="latn"),
                      symbol=get_currency_symbol(currency, parsed), prefix=tuple(pattern.prefix),
                      suffix=tuple(pattern.suffix), grouping=tuple(pattern.grouping), int_min=pattern.int_prec[0])
    affixes = "".join(fmt.prefix + fmt.suffix)
    if (parsed.default_numbering_system != "latn" or "*" in pattern.pattern or "@" in pattern.pattern
            or pattern.exp_prec or pattern.scale or not pattern.number_pattern or "¤¤¤" in affixes
            or min(fmt.grouping) < 1):
        return replace(fmt, exact=False)
    babel_money, babel_plain = _babel_formatters(currency, locale, parsed)
    if any(fmt.money(n) != babel_money(n) or fmt.plain(n) != babel_plain(n) for n in _SAMPLES):
        return replace(fmt, exact=False)
    return fmt


def _babel_formatters(currency: str, locale: str, parsed: Any) -> tuple[Callable[[int], str], Callable[[int], str]]:
    from babel.numbers import format_currency, format_decimal

    pattern = plain_pattern(_cldr_digits(currency))

    def money(minor: int) -> str:
        return format_currency(Decimal(minor).scaleb(-_cldr_digits(currency)), currency, locale=parsed)

    def plain(minor: int) -> str:
        return format_decimal(Decimal(minor).scaleb(-_cldr_digits(currency)), format=pattern, locale=parsed,
                              decimal_quantization=True)

    return money, plain


@lru_cache(maxsize=16)
def _babel_locale(locale: str) -> Any:
    from babel import Locale

    return Locale.parse(locale)  # babel parses a locale name on every call otherwise


def _babel_money(minor: int, currency: str, locale: str) -> str:
    return _babel_formatters(currency, locale, _babel_locale(locale))[0](minor)


def _babel_plain(minor: int, currency: str, locale: str) -> str:
    return _babel_formatters(currency, locale, _babel_locale(locale))[1](minor)


# --- The registry: one format per (currency, locale) for the whole process --------------------------------

_formats: dict[tuple[str, str], MoneyFormat] = {}
_digits: dict[str, int] = {}


def use_format(fmt: MoneyFormat) -> None:
    """Use `fmt` (computed elsewhere, e.g. by the till's child process) for its currency and locale, and
    its digits for its currency, instead of asking babel."""
    _formats[(fmt.currency, fmt.locale)] = fmt
    _digits[fmt.currency] = fmt.digits
    format_of.cache_clear()
    formatter.cache_clear()


def forget_formats() -> None:
    """Back to babel for everything (tests)."""
    _formats.clear()
    _digits.clear()
    format_of.cache_clear()
    formatter.cache_clear()


@lru_cache(maxsize=16)
def format_of(currency: str, locale: str) -> MoneyFormat:
    """The MoneyFormat for a currency in a locale: the registered one, or built with babel here. Keyed by
    both, so a shop whose settings change gets the new pair's format."""
    return _formats.get((currency, locale)) or money_format(currency, locale)


@lru_cache(maxsize=16)
def formatter(currency: str, locale: str) -> Callable[[int], str]:
    """Minor units for people in `currency` and `locale` (as `format_money`, without babel when the format
    was registered): formatter("PKR", "en_PK")(125050) -> "Rs1,250.50"."""
    return format_of(currency, locale).money
