"""Loyalty points: earning, redeeming, nearest-expiry-first spending, expiry, tiers and campaigns.

Rates are exact fractions (Fraction), points are whole numbers rounded down, money is minor units.
The points ledger is append-only like the khata: earn, redeem, expire and reversal entries, with the
balance cached beside it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError, ValidationError


class PointsKind(enum.StrEnum):
    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    TAKE_BACK = "take-back"  # a refund takes back points the sale earned
    GIVE_BACK = "give-back"  # a refund returns points the sale spent (a new lot, same expiry)


#: Kinds that add points; the others spend them.
ADDS = (PointsKind.EARN, PointsKind.GIVE_BACK)


class NotEnoughPoints(KioskError):
    """A redemption below the minimum or above the balance."""


@dataclass(frozen=True, slots=True)
class PointsEntry:
    id: int
    customer_id: int
    kind: PointsKind
    points: int  # > 0; the kind gives the sign
    date: dt.date
    expires_on: dt.date | None = None  # lots that add points; None: never
    sale_id: str | None = None


@dataclass(frozen=True, slots=True)
class Rates:
    """The shop's loyalty settings, in the terms the rules need."""

    earn_points: int = 50  # points ...
    earn_per: int = 100_00  # ... per this much paid (minor units)
    redeem_points: int = 100  # this many points ...
    redeem_value: int = 1_00  # ... are worth this much (minor units)
    min_redeem: int = 500
    expiry_months: int = 0  # 0: points never expire


DEFAULT_MULTIPLIERS = {Tier.NEW: Fraction(1), Tier.REGULAR: Fraction(3, 2), Tier.VIP: Fraction(2)}


def points_earned(paid: int, rates: Rates, *, tier_multiplier: Fraction = Fraction(1),
                  campaign_multiplier: Fraction = Fraction(1)) -> int:
    """Whole points for `paid` minor units (after discounts, without the part paid by points or store
    credit), times the tier's and any campaign's multiplier, rounded down once at the end."""
    if paid <= 0:
        return 0
    exact = Fraction(paid * rates.earn_points, rates.earn_per) * tier_multiplier * campaign_multiplier
    return exact.numerator // exact.denominator


def redemption_value(points: int, rates: Rates) -> int:
    """What `points` are worth off the bill, in minor units, rounded down."""
    return points * rates.redeem_value // rates.redeem_points


def points_for_value(value: int, rates: Rates) -> int:
    """The fewest points worth at least `value` (to value a shortfall or cap a redemption)."""
    return -(-value * rates.redeem_points // rates.redeem_value)


def check_redemption(points: int, balance: int, due: int, rates: Rates) -> int:
    """Refuse a redemption below the minimum, above the balance, or worth more than the bill.
    Returns its value in minor units."""
    if points <= 0:
        raise ValidationError("redeem", "must be a whole number of points above zero")
    if balance < rates.min_redeem:
        raise NotEnoughPoints(f"redeem: the customer has {balance} points; at least {rates.min_redeem} are needed to redeem")
    if points < rates.min_redeem:
        raise NotEnoughPoints(f"redeem: at least {rates.min_redeem} points at a time, not {points}")
    if points > balance:
        raise NotEnoughPoints(f"redeem: {points} points asked, the customer has {balance}")
    if points > max_points_for(due, rates):
        raise NotEnoughPoints(f"redeem: {points} points are worth more than the bill; "
                              f"at most {max_points_for(due, rates)} points")
    return redemption_value(points, rates)


def max_points_for(due: int, rates: Rates) -> int:
    """The most points whose value does not exceed `due`."""
    return -(-(due + 1) * rates.redeem_points // rates.redeem_value) - 1


def expiry_date(earned_on: dt.date, months: int) -> dt.date | None:
    """N calendar months after earning (the 31st becomes the month's last day); None if never."""
    if months <= 0:
        return None
    month_index = earned_on.month - 1 + months
    year, month = earned_on.year + month_index // 12, month_index % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(earned_on.day, last))


# --- Lots: which points are left, and which expire first ----------------------------------------


@dataclass(frozen=True, slots=True)
class Lot:
    entry_id: int
    expires_on: dt.date | None
    left: int


def _spend_order(lot: Lot) -> tuple:
    # Nearest expiry first; points that never expire last; ties by age.
    return (lot.expires_on is None, lot.expires_on or dt.date.max, lot.entry_id)


def open_lots(entries: Sequence[PointsEntry]) -> list[Lot]:
    """Replay the ledger: each spend takes from the lots nearest expiry first; what is left of each."""
    lots: list[Lot] = []
    for e in sorted(entries, key=lambda e: (e.date, e.id)):
        if e.kind in ADDS:
            lots.append(Lot(e.id, e.expires_on, e.points))
            continue
        if e.kind is PointsKind.EXPIRE:
            # An expiry consumes lots that have expired by its date, nearest first.
            candidates = [lot for lot in lots if lot.expires_on is not None and lot.expires_on <= e.date]
        else:
            candidates = lots
        lots = _take(lots, sorted(candidates, key=_spend_order), e.points)
    return [lot for lot in lots if lot.left]


def _take(lots: list[Lot], order: list[Lot], points: int) -> list[Lot]:
    need = points
    taken: dict[int, int] = {}
    for lot in order:
        if not need:
            break
        t = min(lot.left, need)
        taken[lot.entry_id] = t
        need -= t
    if need:
        raise NotEnoughPoints(f"{points} points asked, only {points - need} available")
    return [Lot(lot.entry_id, lot.expires_on, lot.left - taken.get(lot.entry_id, 0)) for lot in lots]


def balance(entries: Sequence[PointsEntry]) -> int:
    return sum(e.points if e.kind in ADDS else -e.points for e in entries)


def due_to_expire(entries: Sequence[PointsEntry], as_of: dt.date) -> int:
    """Points whose date has passed on `as_of` and are still unspent: what an expiry run writes off."""
    return sum(lot.left for lot in open_lots(entries) if lot.expires_on is not None and lot.expires_on < as_of)


# --- Tiers and campaigns -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TierRules:
    regular_from: int = 4  # purchases
    vip_from: int = 21  # purchases
    vip_spend: int = 50_000_00  # or more than this lifetime spend (minor units)


def tier_for(purchases: int, spend: int, rules: TierRules) -> Tier:
    if purchases >= rules.vip_from or spend > rules.vip_spend:
        return Tier.VIP
    if purchases >= rules.regular_from:
        return Tier.REGULAR
    return Tier.NEW


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    start: dt.date
    end: dt.date  # inclusive
    multiplier: Fraction
    groups: tuple[str, ...] = ()  # empty: every group
    tiers: tuple[Tier, ...] = ()  # empty: every tier

    def applies(self, on: dt.date, group: str | None, tier: Tier | None) -> bool:
        return (self.start <= on <= self.end
                and (not self.groups or group in self.groups)
                and (not self.tiers or tier in self.tiers))


def campaign_multiplier(campaigns: Sequence[Campaign], on: dt.date, group: str | None, tier: Tier | None) -> Fraction:
    """The best active campaign's multiplier: two campaigns at once do not compound ("double points
    in Ramadan" and "double points for Eid" on the same day is still double)."""
    return max((c.multiplier for c in campaigns if c.applies(on, group, tier)), default=Fraction(1))
