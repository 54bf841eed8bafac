"""Loyalty's use cases: the points ledger (earn, redeem, take back, give back, adjust, expire), its
history, campaigns, a customer's loyalty terms at checkout, and pinning a tier by hand.

The ledger is append-only with the balance cached on the customer row, moved in the same transaction
as each entry. Spending is nearest-expiry first: which points are left is always what replaying the
entries in (date, id) order with `kiosk.domain.loyalty.open_lots` says, so every write keeps that
replay whole. An entry dated on or after the customer's latest entry (every sale, refund and run of
today) is checked against the cached balance, one indexed read; a back-dated one replays the ledger
with it included, and is refused (or trimmed, for take-backs and expiries) if an entry after it would
then spend points that are no longer there.

The `*_in_txn` helpers are for the sale and refund services: they run inside the caller's transaction
on a customer the caller has already locked, and write no audit row of their own (the sale's covers
them; each entry carries its sale id, user and till). The public services are one transaction each,
with an audit row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from kiosk.domain import loyalty as rules
from kiosk.domain.customers import Customer, Tier
from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.khata import Entry as KhataEntry
from kiosk.domain.loyalty import ADDS, Campaign, Lot, NotEnoughPoints, PointsEntry, PointsKind, Rates, TierRules
from kiosk.domain.sale import LoyaltyTerms, Standing
from kiosk.domain.settings import MULTIPLIER_DECIMALS, Kind, LoyaltySettings, Setting, fraction_text
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.services.settings import loyalty_settings
from kiosk.store import customers as customer_store
from kiosk.store import points as store
from kiosk.store.db import write_transaction
from kiosk.store.khata import lock_customer
from kiosk.store.points import CampaignRecord
from kiosk.store.shop import audit


#: How a campaign's multiplier is typed: like the tier multipliers, but a campaign never lowers points.
_CAMPAIGN_MULTIPLIER = Setting("multiplier", Kind.MULTIPLIER, Fraction(1), "a campaign's points multiplier",
                               minimum=Fraction(1), maximum=Fraction(100), allow_zero=False)
_MAX_NAME = 100


# --- Terms -------------------------------------------------------------------------------------


def rates_of(settings: LoyaltySettings) -> Rates:
    return Rates(earn_points=settings.earn_points, earn_per=settings.earn_per, redeem_points=settings.redeem_points,
                 redeem_value=settings.redeem_value, min_redeem=settings.min_redeem,
                 expiry_months=settings.expiry_months)


def tier_rules_of(settings: LoyaltySettings) -> TierRules:
    return TierRules(regular_from=settings.regular_from, vip_from=settings.vip_from, vip_spend=settings.vip_spend)


def terms_for(ctx: Context, customer: Customer | Standing | None, on: dt.date,
              settings: LoyaltySettings | None = None) -> LoyaltyTerms:
    """The loyalty rules a sale on `on` is planned with: the shop's rates and tier rules, the
    customer's tier multiplier, the best campaign for their group and tier that day (campaigns do not
    compound), and whether the khata part of a sale earns at the sale or once paid. Without a customer
    the multipliers are 1 (nobody earns anyway). `settings`: the loyalty settings the caller has
    already read (a sale reads the settings once), else they are read here."""
    settings = settings or loyalty_settings(ctx)
    tier = Tier(customer.tier) if customer is not None else None
    group = customer.group if customer is not None else None
    return LoyaltyTerms(
        rates=rates_of(settings),
        tier_rules=tier_rules_of(settings),
        tier_multiplier=settings.multiplier(tier) if tier is not None else Fraction(1),
        campaign_multiplier=rules.campaign_multiplier(store.campaigns_on(on), on, group, tier)
        if customer is not None else Fraction(1),
        credit_earns_at_sale=settings.credit_earns == "sale",
    )


# --- Checks ------------------------------------------------------------------------------------


def _whole(points, field: str = "points", *, allow_zero: bool = False, allow_negative: bool = False) -> int:
    if not isinstance(points, int) or isinstance(points, bool):
        raise ValidationError(field, f"{points!r} is not a whole number of points")
    if points == 0 and not allow_zero:
        raise ValidationError(field, "must not be zero")
    if points < 0 and not allow_negative:
        raise ValidationError(field, f"{points} is below zero")
    return points


def _require_manager(ctx: Context, what: str) -> None:
    require(ctx, Permission.RUN_LOYALTY)


def _reason(text: str | None) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise ValidationError("reason", "a points adjustment needs a reason")
    return reason


def _replays(entries: Sequence[PointsEntry], extra: PointsEntry) -> bool:
    try:
        rules.open_lots([*entries, extra])
    except NotEnoughPoints:
        return False
    return True


def _candidate(entries: Sequence[PointsEntry], customer_id: int, kind: PointsKind, points: int, date: dt.date,
               expires_on: dt.date | None = None) -> PointsEntry:
    """The entry about to be written, with an id above every existing one (ids only grow, and the
    customer is locked, so that is where it will sort among same-day entries)."""
    next_id = max((e.id for e in entries), default=0) + 1
    return PointsEntry(next_id, customer_id, kind, points, date, expires_on)


def _is_latest(customer_id: int, date: dt.date) -> bool:
    last = store.last_date(customer_id)
    return last is None or date >= last


def _most_that_fits(customer_id: int, kind: PointsKind, wanted: int, date: dt.date) -> int:
    """The most points, up to `wanted`, that an entry of `kind` dated `date` can spend and leave the
    ledger's replay whole. Today's entries: the cached balance. Back-dated ones: a binary search over
    replays (spending more never fits where spending less does not)."""
    if _is_latest(customer_id, date):
        return min(wanted, store.cached_points(customer_id))
    entries = store.entries_for(customer_id)
    low, high = 0, min(wanted, rules.balance(entries))
    while low < high:
        mid = (low + high + 1) // 2
        if _replays(entries, _candidate(entries, customer_id, kind, mid, date)):
            low = mid
        else:
            high = mid - 1
    return low


def _check_fits(customer_id: int, kind: PointsKind, points: int, date: dt.date,
                expires_on: dt.date | None = None, label: str = "") -> None:
    """Refuse an entry the ledger cannot take: a spend above what is there, or a back-dated entry that
    would leave a later entry spending points that are gone."""
    label = label or kind.value
    if _is_latest(customer_id, date):
        if kind not in ADDS:
            have = store.cached_points(customer_id)
            if points > have:
                raise NotEnoughPoints(f"{label}: {points} points asked, the customer has {have}")
        return
    entries = store.entries_for(customer_id)
    if not _replays(entries, _candidate(entries, customer_id, kind, points, date, expires_on)):
        have = rules.balance(entries)
        if kind not in ADDS and points > have:
            raise NotEnoughPoints(f"{label}: {points} points asked, the customer has {have}")
        raise NotEnoughPoints(
            f"{label}: {points} points dated {date} would leave a later entry of the ledger spending "
            f"points that are no longer there; date it on or after {store.last_date(customer_id)}")


def _write(ctx: Context, customer_id: int, kind: PointsKind, points: int, *, date: dt.date,
           expires_on: dt.date | None = None, sale_id: str | None = None, note: str = "",
           idempotency_key: str | None = None, checked: bool = False, label: str = "") -> PointsEntry:
    if not checked:
        _check_fits(customer_id, kind, points, date, expires_on, label)
    return store.append(customer_id, kind, points, date, expires_on=expires_on, sale_id=sale_id, note=note,
                        user=ctx.user.id if ctx.user else None, till=ctx.till, idempotency_key=idempotency_key)


def _expires_on(ctx: Context, earned_on: dt.date) -> dt.date | None:
    return rules.expiry_date(earned_on, loyalty_settings(ctx).expiry_months)


# --- Inside a sale's or refund's transaction --------------------------------------------------


def earn_in_txn(ctx: Context, customer_id: int, points: int, *, date: dt.date, sale_id: str | None = None,
                note: str = "", settings: LoyaltySettings | None = None) -> PointsEntry | None:
    """Points a sale earned: a new lot expiring `loyalty.expiry_months` after `date`. 0 points: nothing.
    `settings`: the loyalty settings the caller has already read, else they are read here."""
    if not _whole(points, allow_zero=True):
        return None
    expires_on = rules.expiry_date(date, (settings or loyalty_settings(ctx)).expiry_months)
    return _write(ctx, customer_id, PointsKind.EARN, points, date=date, expires_on=expires_on, sale_id=sale_id,
                  note=note)


def redeem_in_txn(ctx: Context, customer_id: int, points: int, *, date: dt.date,
                  sale_id: str | None = None) -> PointsEntry:
    """Points spent at checkout, nearest expiry first. Refuses (NotEnoughPoints) above the balance;
    the minimum and the bill's cap are the sale plan's (`kiosk.domain.loyalty.check_redemption`)."""
    _whole(points)
    return _write(ctx, customer_id, PointsKind.REDEEM, points, date=date, sale_id=sale_id)


def take_back_in_txn(ctx: Context, customer_id: int, points: int, *, date: dt.date, sale_id: str) -> int:
    """A refund takes back points its lines earned, but never below zero: returns how many it took back
    (the caller values the shortfall at the redeem rate and deducts it from the refund)."""
    if not _whole(points, allow_zero=True):
        return 0
    taken = _most_that_fits(customer_id, PointsKind.TAKE_BACK, points, date)
    if taken:
        _write(ctx, customer_id, PointsKind.TAKE_BACK, taken, date=date, sale_id=sale_id, checked=True)
    return taken


def give_back_in_txn(ctx: Context, customer_id: int, points: int, *, date: dt.date, sale_id: str,
                     expires_on: dt.date | None) -> PointsEntry | None:
    """A refund returns points the sale spent, as a new lot keeping the expiry of the lot they came from
    (`redeemed_lots` says which); points already past it go at the next expiry run."""
    if not _whole(points, allow_zero=True):
        return None
    return _write(ctx, customer_id, PointsKind.GIVE_BACK, points, date=date, expires_on=expires_on,
                  sale_id=sale_id)


def paid_points_targets(customer_id: int, extra: Sequence[KhataEntry] = ()) -> dict[str, tuple[int, int]]:
    """For credit sales that earn once paid: sale id -> (points the part paid so far has earned, points
    written so far). What is paid is the khata's FIFO (`kiosk.domain.khata.paid_of_sales`), with
    `extra` entries as if written (a refund asks what it would leave)."""
    from kiosk.domain.khata import paid_of_sales
    from kiosk.store import khata as khata_store
    from kiosk.store import sales as sales_store

    due = sales_store.points_due(customer_id)
    if not due:
        return {}
    paid = paid_of_sales([*khata_store.entries_for(customer_id), *extra])
    return {sale_id: (points * paid.get(sale_id, (0, 0))[0] // khata, earned)
            for sale_id, points, earned, khata in due if khata > 0}


def settle_paid_points_in_txn(ctx: Context, customer_id: int, *, date: dt.date) -> int:
    """After the khata moved (a payment, a reversal, a refund): credit sales earn the points of what is
    now paid of them, or give back what a reversed payment had earned (never below zero). Returns the
    net points written."""
    from kiosk.store import sales as sales_store

    moved = 0
    for sale_id, (target, earned) in paid_points_targets(customer_id).items():
        if target > earned:
            earn_in_txn(ctx, customer_id, target - earned, date=date, sale_id=sale_id, note="khata paid")
            moved += target - earned
        elif target < earned:
            moved -= take_back_in_txn(ctx, customer_id, earned - target, date=date, sale_id=sale_id)
        if target != earned:
            sales_store.set_paid_points(sale_id, target)
    return moved


def redeemed_lots(ctx: Context, customer_id: int, sale_id: str) -> list[Lot]:
    """Which lots a sale's redemption spent, nearest expiry first: Lot(entry_id of the lot, its expiry,
    points taken from it). For a refund to give points back with the expiry they had."""
    entries = store.entries_for(customer_id)
    taken: dict[int, Lot] = {}
    for i, e in enumerate(entries):
        if e.kind is not PointsKind.REDEEM or e.sale_id != sale_id:
            continue
        before = {lot.entry_id: lot for lot in rules.open_lots(entries[:i])}
        after = {lot.entry_id: lot.left for lot in rules.open_lots(entries[:i + 1])}
        for lot_id, lot in before.items():
            spent = lot.left - after.get(lot_id, 0)
            if spent:
                prior = taken.get(lot_id)
                taken[lot_id] = Lot(lot_id, lot.expires_on, spent + (prior.left if prior else 0))
    return sorted(taken.values(), key=lambda lot: (lot.expires_on is None, lot.expires_on or dt.date.max, lot.entry_id))


# --- One transaction each ----------------------------------------------------------------------


def adjust(ctx: Context, customer_id: int, points: int, reason: str, *, date: dt.date | None = None,
           idempotency_key: str | None = None) -> PointsEntry:
    """A manual earn (points > 0, a new lot with the usual expiry) or take-back (points < 0, refused
    above the balance), with a reason. Owners and managers only; an audit row names who and why."""
    _require_manager(ctx, "adjust a customer's points")
    _whole(points, allow_negative=True)
    reason = _reason(reason)
    date = date or dt.date.today()
    with write_transaction(ctx.db):
        if idempotency_key and (done := store.by_idempotency_key(idempotency_key)) is not None:
            return done
        lock_customer(customer_id)
        if points > 0:
            entry = _write(ctx, customer_id, PointsKind.EARN, points, date=date, expires_on=_expires_on(ctx, date),
                           note=reason, idempotency_key=idempotency_key)
        else:
            entry = _write(ctx, customer_id, PointsKind.TAKE_BACK, -points, date=date, note=reason,
                           idempotency_key=idempotency_key, label="adjust: take back")
        audit("points.adjust", f"points:{entry.id}", user=ctx.user, till=ctx.till, customer=customer_id,
              points=points, reason=reason)
    return entry


@dataclass(frozen=True, slots=True)
class ExpiryResult:
    as_of: dt.date
    #: (customer id, points expired), by customer id.
    expired: tuple[tuple[int, int], ...]

    @property
    def customers(self) -> int:
        return len(self.expired)

    @property
    def points(self) -> int:
        return sum(p for _c, p in self.expired)


def expire(ctx: Context, as_of: dt.date | None = None) -> ExpiryResult:
    """Write off every customer's points whose date has passed on `as_of` (default today; never a day
    to come): one expire entry per customer, all in one transaction with one audit row. Running it
    again the same day writes nothing. Reads only the ledgers of customers with lots that expired since
    the last run (`kiosk.store.points.expiry_candidates`), so a daily run stays quick at 100k customers.

    What expires is what is left of those lots now (points a customer spent after their date, before
    the run, stay spent). The entry is dated `as_of`, or the customer's latest entry if that is later,
    so it always sorts last in the ledger and takes exactly those lots.
    """
    require(ctx, Permission.EXPIRE_POINTS)
    today = dt.date.today()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError("as-of", f"{as_of} is in the future: points expire on the day, not before")
    due: list[tuple[int, int, dt.date]] = []
    with write_transaction(ctx.db):
        candidates = store.expiry_candidates(as_of)
        store.lock_customers(candidates)
        for customer_id, entries in store.entries_of(candidates):
            points = rules.due_to_expire(entries, as_of)
            if points:
                due.append((customer_id, points, max(as_of, entries[-1].date)))
        if due:
            store.append_expiries(due, as_of, note=f"expired as of {as_of}", user=ctx.user.id if ctx.user else None,
                                  till=ctx.till)
            audit("points.expire", as_of.isoformat(), user=ctx.user, till=ctx.till, customers=len(due),
                  points=sum(p for _c, p, _d in due))
    return ExpiryResult(as_of, tuple((c, p) for c, p, _d in due))


# --- Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryLine:
    entry: PointsEntry
    signed: int
    balance: int  # running, after this entry
    #: For entries that add points: what is left of the lot now (spent nearest expiry first).
    left: int | None
    note: str
    user: str | None
    till: str


@dataclass(frozen=True, slots=True)
class PointsHistory:
    customer_id: int
    lines: tuple[HistoryLine, ...]
    #: What the customer holds now, nearest expiry first; expires_on None: never.
    open_lots: tuple[Lot, ...]
    balance: int


def history(ctx: Context, customer_id: int) -> PointsHistory:
    require(ctx, Permission.READ_CUSTOMERS)
    customer_store.get(customer_id)  # NotFound names the id
    entries = store.entries_for(customer_id)
    details = store.details_for(customer_id)
    lots = rules.open_lots(entries)
    left = {lot.entry_id: lot.left for lot in lots}
    running, lines = 0, []
    for e in entries:
        s = store.signed(e.kind, e.points)
        running += s
        d = details.get(e.id)
        lines.append(HistoryLine(e, s, running, left.get(e.id, 0) if e.kind in ADDS else None,
                                 d.note if d else "", d.user if d else None, d.till if d else ""))
    ordered = sorted(lots, key=lambda lot: (lot.expires_on is None, lot.expires_on or dt.date.max, lot.entry_id))
    return PointsHistory(customer_id, tuple(lines), tuple(ordered), running)


def balance(ctx: Context, customer_id: int) -> int:
    """The cached points: one indexed row read."""
    require(ctx, Permission.READ_CUSTOMERS)
    return store.cached_points(customer_id)


# --- Campaigns ---------------------------------------------------------------------------------


def _names(values: str | Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    items = values.split(",") if isinstance(values, str) else list(values)
    return [" ".join(str(v).split()) for v in items if str(v).strip()]


def parse_tier(text: str | Tier) -> Tier:
    """A tier as a person types it, any case: new, regular, vip."""
    raw = " ".join(str(text or "").split())
    for tier in Tier:
        if raw.casefold() == tier.value.casefold():
            return tier
    raise ValidationError("tier", f"{raw or '(empty)'!r} is not a tier: {', '.join(t.value for t in Tier)}")


def _groups(ctx: Context, values) -> tuple[str, ...]:
    known = {g.casefold(): g for g in ctx.shop.groups}
    out: list[str] = []
    for name in _names(values):
        group = known.get(name.casefold())
        if group is None:
            raise ValidationError("groups", f"{name!r} is not a customer group ({', '.join(ctx.shop.groups)})")
        if group not in out:
            out.append(group)
    return tuple(out)


def _multiplier(value: str | Fraction | int) -> Fraction:
    if isinstance(value, bool):
        raise ValidationError("multiplier", f"{value!r} is not a multiplier like 1.5")
    if isinstance(value, (Fraction, int)):
        exact = Fraction(value)
        if (exact * 10**MULTIPLIER_DECIMALS).denominator != 1:
            raise ValidationError("multiplier", f"{value} has more than {MULTIPLIER_DECIMALS} decimal places")
        value = fraction_text(exact) if exact >= 0 else str(exact)
    return _CAMPAIGN_MULTIPLIER.parse(str(value), "XXX")


def add_campaign(ctx: Context, name: str, *, start: dt.date, end: dt.date, multiplier: str | Fraction,
                 groups: str | Iterable[str] | None = None, tiers: str | Iterable[str] | None = None) -> Campaign:
    """A campaign: points times `multiplier` (at least 1, up to 4 decimal places) on sales from `start`
    to `end` inclusive, for the listed groups and tiers only (none listed: everyone). When several
    apply, the best one wins. Owners and managers only."""
    _require_manager(ctx, "run points campaigns")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("name", "a campaign needs a name")
    if len(name) > _MAX_NAME:
        raise ValidationError("name", f"is longer than {_MAX_NAME} characters")
    if end < start:
        raise ValidationError("to", f"the campaign ends ({end}) before it starts ({start})")
    campaign = Campaign(name=name, start=start, end=end, multiplier=_multiplier(multiplier),
                        groups=_groups(ctx, groups), tiers=tuple(dict.fromkeys(parse_tier(t) for t in _names(tiers))))
    with write_transaction(ctx.db):
        if store.campaign_exists(name):
            raise ValidationError("name", f"a campaign named {name!r} already exists (names stay unique, "
                                  "ended campaigns included)")
        store.add_campaign(campaign)
        audit("campaign.add", name, user=ctx.user, till=ctx.till, start=start, end=end,
              multiplier=_CAMPAIGN_MULTIPLIER.format(campaign.multiplier, "XXX"), groups=",".join(campaign.groups),
              tiers=",".join(t.value for t in campaign.tiers))
    return campaign


def list_campaigns(ctx: Context) -> list[CampaignRecord]:
    """Every campaign, ended ones included, by start date."""
    require(ctx, Permission.READ_CUSTOMERS)
    return store.campaigns()


def end_campaign(ctx: Context, name: str) -> CampaignRecord:
    """Stop a campaign now, whatever its dates; it stays listed, ended. Owners and managers only."""
    _require_manager(ctx, "run points campaigns")
    name = " ".join((name or "").split())
    with write_transaction(ctx.db):
        record = store.get_campaign(name)
        if record is None:
            raise NotFound(f"no campaign named {name!r} (`kiosk loyalty campaign list` shows them)")
        if not record.active:
            raise KioskError(f"campaign {record.campaign.name!r} has already been ended")
        store.end_campaign(record.campaign.name)
        audit("campaign.end", record.campaign.name, user=ctx.user, till=ctx.till)
    return dataclasses.replace(record, active=False)


# --- Tiers -------------------------------------------------------------------------------------


def set_tier(ctx: Context, customer_id: int, tier: Tier | str | None) -> Tier:
    """Pin a tier by hand (it stays until unpinned), or with None unpin it: the tier goes back to what
    the rules say for the customer's purchases and spend. Owners and managers only. Returns the tier."""
    _require_manager(ctx, "set a customer's tier")
    pinned = parse_tier(tier) if tier is not None else None
    with write_transaction(ctx.db):
        lock_customer(customer_id)
        old, was_pinned = store.tier_of(customer_id)
        if pinned is None:
            figures = customer_store.figures(customer_id)
            new = rules.tier_for(figures.purchases, figures.total_spent, tier_rules_of(loyalty_settings(ctx)))
        else:
            new = pinned
        if new is not old or was_pinned != (pinned is not None):
            store.set_tier(customer_id, new, pinned is not None)
            audit("customer.tier", f"customer:{customer_id}", user=ctx.user, till=ctx.till, old=old.value,
                  new=new.value, pinned=pinned is not None)
    return new
