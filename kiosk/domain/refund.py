"""A refund as a plan: which part of which sale lines comes back, and what that undoes.

A sale stored each line's exact share of the discounts, the points spent and earned, the khata and the
store credit (`kiosk.domain.sale.LineShare`). A refund takes back a part of some lines. Each later
refund of the same line takes what is left, computed from the running total refunded so far, so the
parts of any sequence of refunds add up exactly to the sale, to the minor unit and to the point.

What goes back, by the line's shares:
- what the sale put on the khata comes off it (`khata_off`);
- the store credit the sale spent comes back as store credit (`store_credit_back`);
- the points the sale spent come back (`points_back`), and the points it earned are taken back
  (`points_take`, with points a later khata payment earned on it, which the service works out);
- the money paid for the goods (cash, card, mobile) goes out as cash or as store credit (`payout`).

Points never go negative: if the customer has already spent points that must be taken back, the
shortfall is valued at the redeem rate (rounded up: the shop is never short for it) and deducted from
the payout, then from the store credit returned, then from what comes off the khata.

Pure: the service reads the sale and the customer's points under lock and writes the plan.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.domain.basket import round_cash
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.loyalty import Rates


class Destination(enum.StrEnum):
    CASH = "cash"
    STORE_CREDIT = "store-credit"


def parse_destination(text: str) -> Destination:
    raw = (text or "").strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return Destination(raw)
    except ValueError:
        raise ValidationError("to", f"{text!r} is not cash or store-credit") from None


@dataclass(frozen=True, slots=True)
class Part:
    """A quantity of a line and its share of everything: a sold line, or what refunds took of it."""

    quantity_milli: int = 0
    net: int = 0
    points_discount: int = 0
    points_redeemed: int = 0
    points_earned: int = 0
    khata: int = 0
    store_credit: int = 0

    def __sub__(self, other: Part) -> Part:
        return Part(*(a - b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))

    def __add__(self, other: Part) -> Part:
        return Part(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))

    @property
    def money(self) -> int:
        """What was paid for it in cash, card or mobile money."""
        return self.net - self.points_discount - self.khata - self.store_credit


@dataclass(frozen=True, slots=True)
class SoldLine:
    n: int
    description: str
    unit: str
    sold: Part
    refunded: Part = Part()

    @property
    def left(self) -> Part:
        return self.sold - self.refunded


@dataclass(frozen=True, slots=True)
class RefundAsk:
    """Line `n`; `quantity_milli` None means all of it that is left."""

    n: int
    quantity_milli: int | None = None


@dataclass(frozen=True, slots=True)
class RefundPart:
    n: int
    description: str
    part: Part


@dataclass(frozen=True, slots=True)
class RefundPlan:
    parts: tuple[RefundPart, ...]
    destination: Destination
    goods: int  # Σ net of the parts: the value of the goods coming back
    points_value: int  # of which the sale's points had paid
    khata_off: int
    store_credit_back: int
    payout: int  # money out for the goods, as cash or store credit (after the shortfall, rounded for cash)
    rounding: int  # the cash rounding of the payout, and the sale's own on the refund that completes it
    points_back: int
    points_take: int  # what should be taken back
    points_taken: int  # what the customer has to take back from
    shortfall_points: int
    shortfall_value: int
    completes_sale: bool

    @property
    def store_credit_out(self) -> int:
        """Store credit the customer gets: the store credit the sale spent, and the payout if so chosen."""
        return self.store_credit_back + (self.payout if self.destination is Destination.STORE_CREDIT else 0)

    @property
    def cash_out(self) -> int:
        return self.payout if self.destination is Destination.CASH else 0


def take(line: SoldLine, quantity_milli: int) -> Part:
    """`quantity_milli` more of `line`: each share in proportion to the quantity refunded so far, rounded
    down, and the rest of every share on the refund that empties the line."""
    done = line.refunded.quantity_milli + quantity_milli
    if done == line.sold.quantity_milli:
        return line.left
    sold, before = dataclasses.astuple(line.sold), dataclasses.astuple(line.refunded)
    after = [quantity_milli + before[0]] + [v * done // line.sold.quantity_milli for v in sold[1:]]
    return Part(*after) - line.refunded


def value_of_points(points: int, rates: Rates) -> int:
    """Points valued at the redeem rate, rounded up."""
    return -(-points * rates.redeem_value // rates.redeem_points)


def _choose(lines: Sequence[SoldLine], asks: Sequence[RefundAsk], sale_id: str) -> list[tuple[SoldLine, int]]:
    by_n = {line.n: line for line in lines}
    if not asks:
        chosen = [(line, line.left.quantity_milli) for line in lines if line.left.quantity_milli > 0]
        if not chosen:
            raise KioskError(f"sale {sale_id} has been refunded in full already")
        return chosen
    wanted: dict[int, int] = {}
    for ask in asks:
        line = by_n.get(ask.n)
        if line is None:
            raise ValidationError("line", f"sale {sale_id} has no line {ask.n} (it has lines 1 to {len(lines)})")
        left = line.left.quantity_milli - wanted.get(ask.n, 0)
        quantity = left if ask.quantity_milli is None else ask.quantity_milli
        if left <= 0:
            raise ValidationError("line", f"line {ask.n} ({line.description}) has been refunded in full already")
        if line.unit == "each" and quantity % 1000:
            raise ValidationError("line", f"line {ask.n} ({line.description}) is sold by the piece: "
                                          f"refund a whole number, not {quantity_text(quantity)}")
        if quantity <= 0 or quantity > left:
            raise ValidationError("line", f"line {ask.n} ({line.description}): {quantity_text(quantity)} asked, "
                                          f"{quantity_text(left)} {line.unit} left to refund")
        wanted[ask.n] = wanted.get(ask.n, 0) + quantity
    return [(by_n[n], q) for n, q in sorted(wanted.items())]


def quantity_text(milli: int) -> str:
    """Thousandths as people write them: 1500 -> "1.5", 2000 -> "2"."""
    whole, frac = divmod(milli, 1000)
    return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)


def plan_refund(
    sale_id: str,
    lines: Sequence[SoldLine],
    asks: Sequence[RefundAsk],
    destination: Destination,
    *,
    has_customer: bool,
    points_now: int,
    rates: Rates,
    sale_rounding: int = 0,
    paid_points_take: int = 0,
    cash_step: int = 0,
) -> RefundPlan:
    """Plan a refund or refuse it with one line saying why. `points_now` is the customer's points
    balance; `paid_points_take` the points a khata payment earned on the part refunded."""
    if destination is Destination.STORE_CREDIT and not has_customer:
        raise KioskError(f"sale {sale_id} has no customer: its refund can only be cash")
    parts = tuple(RefundPart(line.n, line.description, take(line, q)) for line, q in _choose(lines, asks, sale_id))
    total = sum((p.part for p in parts), Part())
    taken_n = {p.n: p.part.quantity_milli for p in parts}
    completes = all(line.left.quantity_milli == taken_n.get(line.n, 0) for line in lines)
    money = total.money + (sale_rounding if completes else 0)
    rounding = sale_rounding if completes else 0

    points_take = total.points_earned + paid_points_take
    points_taken = min(points_take, points_now + total.points_redeemed)
    shortfall_points = points_take - points_taken
    shortfall_value = value_of_points(shortfall_points, rates) if shortfall_points else 0

    # The shortfall comes off the money first, then the store credit returned, then the khata credit.
    owed = shortfall_value
    payout_before = min(money, owed)
    owed -= payout_before
    sc_cut = min(total.store_credit, owed)
    owed -= sc_cut
    khata_cut = min(total.khata, owed)  # anything still owed beyond that, the shop forgoes
    payout = money - payout_before
    if destination is Destination.CASH and cash_step:
        rounded = round_cash(payout, cash_step)
        rounding += rounded - payout
        payout = rounded
    return RefundPlan(
        parts=parts, destination=destination, goods=total.net, points_value=total.points_discount,
        khata_off=total.khata - khata_cut, store_credit_back=total.store_credit - sc_cut, payout=payout,
        rounding=rounding, points_back=total.points_redeemed, points_take=points_take, points_taken=points_taken,
        shortfall_points=shortfall_points, shortfall_value=payout_before + sc_cut + khata_cut,
        completes_sale=completes,
    )
