"""A sale as a plan: from a basket, a customer's standing and the tenders, everything the books will
record — totals, points redeemed and earned, what goes on the khata, what store credit is spent, each
line's share of them (so a refund can take back exactly its part), and the customer's tier after.

Pure: the service locks the customer, builds the plan with fresh figures, and writes it in one
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from kiosk.domain.basket import NO_DISCOUNT, Discount, Line, Totals, allocate, totals
from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.loyalty import Rates, TierRules, check_redemption, points_earned, tier_for
from kiosk.domain.tenders import NEEDS_CUSTOMER, Method, Settlement, TenderRequest, settle


@dataclass(frozen=True, slots=True)
class Standing:
    """The attached customer's figures, read under lock just before the sale is planned."""

    customer_id: int
    balance: int  # khata: > 0 owes the shop, < 0 store credit
    credit_limit: int | None
    points: int
    tier: Tier
    tier_pinned: bool
    group: str
    purchases: int
    spend: int


@dataclass(frozen=True, slots=True)
class LoyaltyTerms:
    rates: Rates
    tier_rules: TierRules
    tier_multiplier: Fraction
    campaign_multiplier: Fraction
    credit_earns_at_sale: bool  # False: the khata part earns when it is paid


@dataclass(frozen=True, slots=True)
class LineShare:
    """What one line carries of the sale's totals: for refunds."""

    net: int  # after its own and its share of the basket discount
    points_discount: int  # its share of the value of redeemed points
    points_redeemed: int
    points_earned: int
    khata: int
    store_credit: int


@dataclass(frozen=True, slots=True)
class SalePlan:
    lines: tuple[Line, ...]
    totals: Totals
    points_redeemed: int
    points_value: int
    settlement: Settlement
    khata: int
    store_credit: int
    points_earned: int
    shares: tuple[LineShare, ...]
    tier_after: Tier | None
    over_limit_by: int  # > 0: the khata part takes the balance past the limit; needs a manager
    #: When credit earns only once paid: the points the khata part earns when it is paid in full.
    khata_points_due: int = 0
    balance_after: int | None = None  # the customer's khata balance after the sale
    points_after: int | None = None

    @property
    def due(self) -> int:
        return self.totals.total - self.points_value


def plan_sale(
    lines: Sequence[Line],
    tenders: Sequence[TenderRequest],
    *,
    standing: Standing | None,
    loyalty: LoyaltyTerms,
    basket_discount: Discount = NO_DISCOUNT,
    redeem: int = 0,
    cash_step: int = 0,
    money=str,
) -> SalePlan:
    """Plan the sale or refuse it with one line saying why; nothing here touches the books."""
    if not lines:
        raise ValidationError("basket", "is empty")
    t = totals(lines, basket_discount)
    methods = {r.method for r in tenders}
    if standing is None:
        if methods & set(NEEDS_CUSTOMER):
            raise KioskError("a sale on khata or store credit needs a customer: attach one by phone")
        if redeem:
            raise KioskError("redeeming points needs a customer: attach one by phone")
    value = check_redemption(redeem, standing.points, t.total, loyalty.rates) if redeem else 0
    settlement = settle(t.total - value, tenders, cash_step=cash_step, money=money)
    khata = sum(x.amount for x in settlement.tenders if x.method is Method.KHATA)
    store_credit = sum(x.amount for x in settlement.tenders if x.method is Method.STORE_CREDIT)
    over = 0
    if standing is not None:
        available = max(0, -standing.balance)
        if store_credit > available:
            raise KioskError(f"store credit: the customer has {money(available)}, not {money(store_credit)}")
        if khata and standing.credit_limit is not None:
            over = max(0, standing.balance + khata - standing.credit_limit)

    earned = due_later = 0
    if standing is not None:
        def earn(amount: int) -> int:
            return points_earned(amount, loyalty.rates, tier_multiplier=loyalty.tier_multiplier,
                                 campaign_multiplier=loyalty.campaign_multiplier)

        earning = settlement.paid - store_credit
        if loyalty.credit_earns_at_sale:
            earned = earn(earning)
        else:  # the khata part's points wait for its payment; together they round as one earning would
            earned = earn(earning - khata)
            due_later = earn(earning) - earned
    # Points value, then khata, then store credit, each over what the line has left to pay: no line
    # carries more than its own net, so refunding any part of any line never pays out a negative sum.
    nets = list(t.line_nets)
    by_points = allocate(value, nets)
    after_points = [n - p for n, p in zip(nets, by_points, strict=True)]
    by_khata = allocate(khata, after_points)
    by_store_credit = allocate(store_credit, [a - k for a, k in zip(after_points, by_khata, strict=True)])
    shares = tuple(
        LineShare(net, pv, pr, pe, k, sc)
        for net, pv, pr, pe, k, sc in zip(
            nets, by_points, allocate(redeem, nets), allocate(earned, nets), by_khata, by_store_credit, strict=True)
    )
    tier_after = None
    if standing is not None:
        tier_after = standing.tier if standing.tier_pinned else tier_for(
            standing.purchases + 1, standing.spend + t.total, loyalty.tier_rules)
    return SalePlan(
        lines=tuple(lines), totals=t, points_redeemed=redeem, points_value=value, settlement=settlement,
        khata=khata, store_credit=store_credit, points_earned=earned, shares=shares, tier_after=tier_after,
        over_limit_by=over, khata_points_due=due_later,
        balance_after=standing.balance + khata + store_credit if standing is not None else None,
        points_after=standing.points - redeem + earned if standing is not None else None,
    )
