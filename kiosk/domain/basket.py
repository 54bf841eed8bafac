"""A basket: lines, quantities (weighed goods to the gram), discounts, totals, in integer minor units.

Quantities are integer thousandths of the unit ("milli"): 2 each is 2000, 250 g of a per-kg product
is 250. Percentages are integer basis points (12.5% is 1250). So nothing here needs a float.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.domain.errors import ValidationError
from kiosk.domain.products import Unit  # the catalogue's units: each, kg, litre

MILLI = 1000
FULL_PERCENT_BP = 10_000  # 100% in basis points


_QTY = re.compile(r"^(?P<int>[0-9]{1,6})(?:\.(?P<frac>[0-9]{1,3}))?$")
_PERCENT = re.compile(r"^(?P<int>[0-9]{1,3})(?:\.(?P<frac>[0-9]{1,2}))?%?$")


def parse_quantity(text: str, unit: Unit, *, field_name: str = "quantity") -> int:
    """``3`` -> 3000 milli; ``0.25`` kg -> 250. Items sold by the piece take whole numbers only."""
    raw = (text or "").strip()
    match = _QTY.match(raw)
    if not match:
        raise ValidationError(field_name, f"{raw!r} is not a quantity like 2 or 0.250")
    frac = match.group("frac") or ""
    if frac.strip("0") and not unit.weighed:
        raise ValidationError(field_name, f"{raw!r}: items sold by the piece take whole numbers")
    milli = int(match.group("int")) * MILLI + int(frac.ljust(3, "0") or "0")
    if milli <= 0:
        raise ValidationError(field_name, "must be more than zero")
    return milli


def parse_percent(text: str, *, field_name: str = "discount") -> int:
    """``12.5`` or ``12.5%`` -> 1250 basis points; 0 to 100."""
    raw = (text or "").strip()
    match = _PERCENT.match(raw)
    if not match:
        raise ValidationError(field_name, f"{raw!r} is not a percentage like 10 or 12.5")
    bp = int(match.group("int")) * 100 + int((match.group("frac") or "").ljust(2, "0") or "0")
    if bp > FULL_PERCENT_BP:
        raise ValidationError(field_name, f"{raw!r} is more than 100%")
    return bp


def round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding halves away from zero (a shop's rounding, not banker's)."""
    q, r = divmod(abs(numerator), denominator)
    q += 2 * r >= denominator
    return q if numerator >= 0 else -q


def line_amount(unit_price: int, quantity_milli: int) -> int:
    """Price of a quantity: 0.250 kg at Rs 480.00/kg is Rs 120.00."""
    return round_half_up(unit_price * quantity_milli, MILLI)


def percent_of(amount: int, bp: int) -> int:
    return round_half_up(amount * bp, FULL_PERCENT_BP)


@dataclass(frozen=True, slots=True)
class Discount:
    """Either a percentage (basis points) or a fixed amount (minor units), never both."""

    percent_bp: int = 0
    amount: int = 0

    def __post_init__(self):
        if self.percent_bp and self.amount:
            raise ValidationError("discount", "give a percentage or an amount, not both")
        if self.percent_bp < 0 or self.amount < 0 or self.percent_bp > FULL_PERCENT_BP:
            raise ValidationError("discount", "must be between 0 and 100% (or a positive amount)")

    def off(self, gross: int) -> int:
        """What this discount takes off `gross`; never more than `gross`."""
        return min(gross, percent_of(gross, self.percent_bp) if self.percent_bp else self.amount)


NO_DISCOUNT = Discount()


@dataclass(frozen=True, slots=True)
class Line:
    """One basket line: a product (sku set) or an open item (sku None, typed description)."""

    description: str
    unit_price: int  # after group pricing, minor units per unit
    quantity_milli: int
    unit: Unit = Unit.EACH
    sku: str | None = None
    discount: Discount = NO_DISCOUNT

    @property
    def gross(self) -> int:
        return line_amount(self.unit_price, self.quantity_milli)

    @property
    def line_discount(self) -> int:
        return self.discount.off(self.gross)

    @property
    def net(self) -> int:
        return self.gross - self.line_discount


def open_item(description: str, price: int, quantity_milli: int = MILLI) -> Line:
    """A line for goods with no code: a typed description and a price."""
    text = " ".join((description or "").split())
    if not text:
        raise ValidationError("open item", "needs a description")
    if price <= 0:
        raise ValidationError("open item", "needs a price above zero")
    return Line(description=text, unit_price=price, quantity_milli=quantity_milli)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` over `weights` in proportion, exactly (largest remainder): the parts always sum
    to `total`. Used to spread a basket discount or redeemed points over lines, so a refund of some
    lines gives back exactly their share."""
    whole = sum(weights)
    if total == 0 or whole == 0:
        return [0] * len(weights)
    shares = [total * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass(frozen=True, slots=True)
class Totals:
    gross: int  # before any discount
    line_discounts: int
    basket_discount: int
    total: int  # what is owed before points and rounding
    line_nets: tuple[int, ...] = field(default=())  # each line after its own and its share of the basket discount


def totals(lines: Sequence[Line], basket_discount: Discount = NO_DISCOUNT) -> Totals:
    nets = [line.net for line in lines]
    subtotal = sum(nets)
    off = basket_discount.off(subtotal)
    shares = allocate(off, nets)
    return Totals(
        gross=sum(line.gross for line in lines),
        line_discounts=sum(line.line_discount for line in lines),
        basket_discount=off,
        total=subtotal - off,
        line_nets=tuple(n - s for n, s in zip(nets, shares, strict=True)),
    )


def discounts_needing_approval(lines: Sequence[Line], basket_discount: Discount, threshold_bp: int) -> list[str]:
    """Every discount above the shop's percentage that a manager must approve, said for a person."""
    reasons = []
    for n, line in enumerate(lines, start=1):
        if line.gross and line.line_discount * FULL_PERCENT_BP > threshold_bp * line.gross:
            reasons.append(f"line {n} ({line.description}): {_pct(line.line_discount, line.gross)} off")
    subtotal = sum(line.net for line in lines)
    off = basket_discount.off(subtotal)
    if subtotal and off * FULL_PERCENT_BP > threshold_bp * subtotal:
        reasons.append(f"basket: {_pct(off, subtotal)} off")
    return reasons


def _pct(part: int, whole: int) -> str:
    bp = round_half_up(part * FULL_PERCENT_BP, whole)
    return f"{bp // 100}.{bp % 100:02d}%"


def round_cash(amount: int, step: int) -> int:
    """Round a cash amount to the smallest coin in use (IDR 100, PKR 1.00): halves go up."""
    if step <= 1:
        return amount
    return round_half_up(amount, step) * step
