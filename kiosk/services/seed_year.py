"""A year of a shop's trade, simulated in memory and handed back as rows for the bulk writers.

Each sale is planned by `kiosk.domain.sale.plan_sale` and each refund by `kiosk.domain.refund.
plan_refund` with the customer's standing as the books have it at that moment, and then booked the
way `services.sales.sell`, `services.refunds.refund` and `services.khata` book them: the same rows,
entries and figures in the same order, only written many at a time. What those services read under
lock, this keeps per customer (`Person`): the khata balance and entries, the points and their lots
(nearest expiry first, `open_lots`), purchases and spend after refunds, the tier, and the credit
sales whose points wait for payment (`paid_of_sales` says how much of each is paid, FIFO).

Not written, as the services would: audit rows (the seed writes one for the whole run) and outbox
messages for credit sales and payments (notifications, not books; a seeded year should not queue a
year of SMS).

A day: `day_counts` sales, and about `OTHER_RATE` other events per sale — payments by customers who
owe, refunds of sales of the last month, "gave" entries and reversals of recent payments and gave
entries — shuffled among them at distinct times between 09:00 and 22:00.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from fractions import Fraction

from kiosk.domain.basket import Discount, Line, discounts_needing_approval, open_item, round_cash, totals
from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError
from kiosk.domain.khata import BASE_METHODS, CreditSource, DebitSource, Entry, EntryKind, paid_of_sales
from kiosk.domain.loyalty import (
    Campaign,
    Lot,
    PointsEntry,
    PointsKind,
    Rates,
    TierRules,
    campaign_multiplier,
    expiry_date,
    max_points_for,
    open_lots,
    redemption_value,
    tier_for,
)
from kiosk.domain.products import Unit
from kiosk.domain.refund import Destination, Part, RefundAsk, SoldLine, plan_refund
from kiosk.domain.sale import LoyaltyTerms, SalePlan, Standing, plan_sale
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services.seed_draw import choose, cumulative, key, pick

#: The year covers this many days, ending on `today`.
DAYS = 365
#: Events other than sales, per sale: payments, refunds, gave entries, reversals (weights below).
OTHER_RATE = 0.17
OTHER_WEIGHTS = (("payment", 140), ("refund", 15), ("gave", 10), ("reversal", 5))
#: A sale is rung up without a customer this often.
WALK_IN = 0.45
#: A customer with enough points redeems at a sale this often.
REDEEM_SHARE = 0.15
#: Refunds take back sales of the last this many days; reversals undo entries of the last fortnight.
REFUND_DAYS = 30
REVERSAL_DAYS = 14

_GAVE_NOTES = ("cash loan", "paid electricity bill for customer", "school fees advance", "medicine money",
               "cash for transport", "paid gas bill for customer")
_REVERSE = ("payment entered twice", "wrong customer", "wrong amount, re-entered")
_REVERSE_GAVE = ("entered twice", "wrong customer", "wrong amount, re-entered", "money returned the same day")
_REVERSE_CARD = "card payment declined by the bank"
_REVERSE_MOBILE = "mobile money transfer failed"
_REVERSE_BANK = "bank transfer returned"
_OPEN_ITEMS = ("Loose sweets", "Paan", "Photocopy", "Plastic bags", "Ice", "Mobile top-up card", "Candles")
_REF_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_NO_DISCOUNT = Discount()
#: How many of a thing sold by the piece a basket has; grams or millilitres of a weighed one.
_EACH = (1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 4, 6)
_WEIGHED = (250, 500, 500, 750, 1000, 1000, 1000, 1500, 2000, 2500, 5000)
_WEIGHED_DEAR = (250, 500, 1000)

#: Banknotes and coins a customer pays with, in major units: change is given from cash only.
_NOTES = {
    "PKR": (10, 20, 50, 100, 500, 1000, 5000),
    "INR": (10, 20, 50, 100, 200, 500),
    "KES": (50, 100, 200, 500, 1000),
    "GHS": (1, 2, 5, 10, 20, 50, 100, 200),
    "NGN": (100, 200, 500, 1000),
    "IDR": (1000, 2000, 5000, 10000, 20000, 50000, 100000),
    "JPY": (100, 500, 1000, 5000, 10000),
}
_NOTES_DEFAULT = (1, 5, 10, 20, 50, 100)
#: A round sum for payments and "gave" entries, in major units.
_ROUND = {"PKR": 500, "INR": 200, "KES": 100, "GHS": 10, "NGN": 1000, "IDR": 10000, "JPY": 1000}
_ROUND_DEFAULT = 5


@dataclass(frozen=True, slots=True)
class Terms:
    """The shop's rules, read once: loyalty, checkout, payment methods, money."""

    rates: Rates
    tier_rules: TierRules
    multipliers: dict[Tier, Fraction]
    campaigns: tuple[Campaign, ...]
    credit_earns_at_sale: bool
    cash_step: int
    discount_approval_bp: int
    payment_methods: tuple[str, ...]
    mobile_money: tuple[str, ...]
    notes: tuple[int, ...]  # minor units
    round_sum: int  # minor units


def money_terms(currency: str, digits: int) -> tuple[tuple[int, ...], int]:
    """(banknotes, round sum) for the currency, in minor units."""
    scale = 10**digits
    return (tuple(n * scale for n in _NOTES.get(currency, _NOTES_DEFAULT)),
            _ROUND.get(currency, _ROUND_DEFAULT) * scale)


class _Line(Line):
    """A basket line whose gross and discount are worked out once, by `Line`'s own rules (the sale's
    plan reads each several times), with the product behind it and the start of its `sale_line` row.
    Immutable like any `Line`, so the year shares one between every basket with the same product,
    price, quantity and discount (`Year._line`)."""

    __slots__ = ("_gross", "_off", "head")

    def __init__(self, description: str, unit_price: int, quantity_milli: int, unit: Unit = Unit.EACH,
                 sku: str | None = None, discount: Discount = Discount(), product_id: int | None = None):
        super().__init__(description, unit_price, quantity_milli, unit, sku, discount)
        object.__setattr__(self, "_gross", Line.gross.fget(self))
        object.__setattr__(self, "_off", Line.line_discount.fget(self))
        #: `bulk.SALE_LINE_COLUMNS` from product_id to gross.
        object.__setattr__(self, "head", (product_id, sku, description, unit.value, unit_price, quantity_milli,
                                          discount.percent_bp, discount.amount, self._gross))

    @property
    def gross(self) -> int:
        return self._gross

    @property
    def line_discount(self) -> int:
        return self._off

    @property
    def net(self) -> int:
        return self._gross - self._off


@dataclass(frozen=True, slots=True)
class Item:
    """A product on the shelf: what a basket line needs."""

    id: int
    sku: str
    name: str
    price: int
    unit: Unit
    group_prices: dict[str, int]
    weight: int

    def price_for(self, group: str | None) -> int:
        if group:
            for name, price in self.group_prices.items():
                if name.lower() == group.lower():
                    return price
        return self.price


@dataclass(slots=True, eq=False)
class Person:
    """A customer's standing as the books have it now: what the services read under lock."""

    id: int
    group: str
    limit: int | None
    tier: Tier
    pinned: bool
    balance: int = 0
    points: int = 0
    purchases: int = 0  # sales not refunded in full
    spend: int = 0  # their totals less what refunds took back
    lots: list[Lot] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # the khata, for FIFO
    due: list[Sold] = field(default_factory=list)  # credit sales earning once paid, (date, id) order
    recent: list[tuple] = field(default_factory=list)  # payments and gave entries that may be reversed

    def standing(self) -> Standing:
        return Standing(self.id, self.balance, self.limit, self.points, self.tier, self.pinned, self.group,
                        self.purchases, self.spend)


@dataclass(slots=True, eq=False)
class Sold:
    """A sale as refunds and payments need it after it was booked."""

    id: str
    person: Person | None
    date: dt.date
    total: int
    rounding: int
    khata: int
    points_due: int  # khata_points_due
    first_line: int  # the id of its line 1; the others follow
    planned: tuple | None  # (lines, shares) of its plan, until a refund needs `sold_lines`
    lines: list[SoldLine] | None = None
    redeemed: list[Lot] = field(default_factory=list)  # the lots its redemption spent, nearest expiry first
    given_back: int = 0
    points_paid: int = 0  # khata_points_earned
    refunded: int = 0
    fully_refunded: bool = False
    row: tuple | None = None  # until written
    written: bool = False

    def figures(self) -> tuple[int, bool, int]:
        return self.refunded, self.fully_refunded, self.points_paid

    def sold_lines(self) -> list[SoldLine]:
        """Its lines as `store.refunds.sale_for_refund` reads them, made when first refunded."""
        if self.lines is None:
            lines, shares = self.planned
            self.lines = [SoldLine(n, line.description, line.unit.value,
                                   Part(line.quantity_milli, share.net, share.points_discount, share.points_redeemed,
                                        share.points_earned, share.khata, share.store_credit))
                          for n, (line, share) in enumerate(zip(lines, shares, strict=True), start=1)]
            self.planned = None
        return self.lines

    def forget_lines(self) -> None:
        """Too old to refund: its lines go."""
        self.planned = self.lines = None


@dataclass(slots=True)
class Ids:
    """The next free id of each table the year writes to."""

    khata: int
    points: int
    line: int
    tender: int
    refund_line: int


@dataclass(slots=True)
class Rows:
    """One chunk's rows, in the bulk writers' column orders, and the figures it moved."""

    sales: list[Sold] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    tenders: list[tuple] = field(default_factory=list)
    khata: list[tuple] = field(default_factory=list)
    points: list[tuple] = field(default_factory=list)
    refunds: list[tuple] = field(default_factory=list)
    refund_lines: list[tuple] = field(default_factory=list)
    people: dict[int, Person] = field(default_factory=dict)  # whose figures moved
    earlier_sales: dict[str, Sold] = field(default_factory=dict)  # written before, moved now

    def freeze(self) -> Chunk:
        """The rows as they stand now, every figure copied: the year goes on moving the sales and
        customers while this chunk is written. Its sales count as written from here on."""
        sales = []
        for sold in self.sales:
            sales.append((*sold.row, *sold.figures()))
            sold.written, sold.row = True, None
        return Chunk(
            sales=sales, lines=self.lines, tenders=self.tenders, khata=self.khata, points=self.points,
            refunds=self.refunds, refund_lines=self.refund_lines,
            sale_figures=[(s.id, *s.figures()) for s in self.earlier_sales.values()],
            people=[(p.id, p.balance, p.points, p.tier.value) for p in self.people.values()],
        )


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk's rows, in the bulk writers' column orders, with nothing the year still moves."""

    sales: list[tuple]
    lines: list[tuple]
    tenders: list[tuple]
    khata: list[tuple]
    points: list[tuple]
    refunds: list[tuple]
    refund_lines: list[tuple]
    sale_figures: list[tuple]  # (sale id, refunded, fully_refunded, khata_points_earned) of earlier sales
    people: list[tuple]  # (customer id, balance, points, tier)


@dataclass(slots=True)
class Counts:
    sales: int = 0
    walk_in: int = 0
    on_khata: int = 0
    redemptions: int = 0
    refunds: int = 0
    full_refunds: int = 0
    payments: int = 0
    gave: int = 0
    reversals: int = 0
    khata_entries: int = 0
    points_entries: int = 0


class Year:
    """The year day by day from one `rng`: `run(n)` plays the next `n` sales and the events among them."""

    def __init__(self, rng: random.Random, terms: Terms, *, start: dt.date, sales: int, people: list[Person],
                 weights: list[float], joined: list[int], items: list[Item], user_id: int | None, till: str,
                 keys: random.Random):
        self.rng = rng
        self.keys = keys  # sale and refund ids: their own stream, so seeding a shop twice never repeats one
        self.t = terms
        self.start = start
        self.people = people
        self.cum = cumulative(weights)
        self.joined = joined
        self.items = items
        self.item_cum = cumulative([i.weight for i in items]) if items else []
        self.user_id = user_id
        self.till = till
        self.counts = Counts()
        self.net_balance = 0  # Σ of the customers' balances, once the year is over
        self.day_counts = day_counts(rng, start, sales)
        self.other_cum = cumulative([w for _k, w in OTHER_WEIGHTS])
        methods = terms.payment_methods
        mobile = [m for m in methods if m not in BASE_METHODS]
        weights_by_method = {"cash": 60, "bank transfer": 8, "card": 5}
        for m in mobile:
            weights_by_method[m] = 27 // len(mobile) or 1
        self.methods = [m for m in methods if m in weights_by_method]
        self.method_cum = cumulative([weights_by_method[m] for m in self.methods])
        self._terms: dict[tuple, LoyaltyTerms] = {}
        self._lines: dict[tuple, _Line] = {}
        self._walk_in_terms = LoyaltyTerms(terms.rates, terms.tier_rules, Fraction(1), Fraction(1),
                                           terms.credit_earns_at_sale)
        # Where the year has got to.
        self.day = 0
        self.date = start
        self.iso = start.isoformat()
        self.created = ""
        self._kinds: list[bool] | None = None  # True: a sale
        self._times: list[int] = []
        self._slot = 0
        self._eligible = 0
        self._recent_sales: list[list[Sold]] = [[] for _ in range(REFUND_DAYS)]
        self._expiry_months = terms.rates.expiry_months
        self.ids: Ids | None = None
        self.rows = Rows()

    # --- the calendar ---

    def run(self, n: int, ids: Ids, advance=lambda n: None, step: int = 10_000) -> Rows:
        """The next `n` sales and the other events among them, with ids from `ids` (moved on)."""
        self.ids, self.rows = ids, Rows()
        rng = self.rng
        others = [getattr(self, f"_{kind}") for kind, _weight in OTHER_WEIGHTS]
        done = since = 0
        while done < n and self.day < DAYS:
            if self._kinds is None:
                self._open_day()
            if self._slot == len(self._kinds):
                self._close_day()
                continue
            is_sale, t = self._kinds[self._slot], self._times[self._slot]
            self._slot += 1
            self.created = f"{self.iso} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
            if is_sale:
                self._sale()
                done += 1
                since += 1
                if since == step:
                    advance(since)
                    since = 0
            else:
                others[choose(rng, self.other_cum)]()
        if since:
            advance(since)
        if done < n:  # cannot happen: the day counts add up to the sales asked for
            raise KioskError(f"seed: the year ran out {n - done} sales early")
        return self.rows

    def _open_day(self) -> None:
        rng = self.rng
        sales = self.day_counts[self.day]
        others = sum(1 for _ in range(sales) if rng.random() < OTHER_RATE)
        kinds = [True] * sales + [False] * others
        rng.shuffle(kinds)
        span = range(9 * 3600, 22 * 3600)
        n = len(kinds)
        # Distinct seconds while a day has room for them, so every action has its own moment.
        self._times = sorted(rng.sample(span, n) if n <= len(span) else (rng.choice(span) for _ in range(n)))
        self._kinds = kinds
        self._slot = 0
        self.date = self.start + dt.timedelta(days=self.day)
        self.iso = self.date.isoformat()
        while self._eligible < len(self.joined) and self.joined[self._eligible] <= self.day:
            self._eligible += 1
        # Sales older than the refund window are not refunded any more: let their lines go.
        for sold in self._recent_sales[self.day % REFUND_DAYS]:
            sold.forget_lines()
        self._recent_sales[self.day % REFUND_DAYS] = []

    def _close_day(self) -> None:
        self.day += 1
        self._kinds = None

    def _customer(self) -> Person | None:
        """A customer on the books by today, regulars more often; None if nobody can come yet."""
        if not self._eligible:
            return None
        top = self.cum[self._eligible - 1]
        if top <= 0:
            return None
        return self.people[bisect.bisect_right(self.cum, self.rng.random() * top, 0, self._eligible - 1)]

    # --- a sale ---

    def _sale(self) -> None:
        rng, t = self.rng, self.t
        person = self._customer() if rng.random() >= WALK_IN else None
        lines, discounted = self._basket(person)
        lines, basket_discount = self._discounts(lines, discounted)
        # The bill, to pay it: with nothing off the basket it is the lines' nets (`totals` says so too).
        total = (totals(lines, basket_discount).total if basket_discount.amount or basket_discount.percent_bp
                 else sum(x.net for x in lines))
        redeem = self._redeem(person, total)
        due = total - (redemption_value(redeem, t.rates) if redeem else 0)
        tenders = self._tenders(person, due)
        standing = person.standing() if person else None
        plan = plan_sale(lines, tenders, standing=standing, loyalty=self._loyalty(person),
                         basket_discount=basket_discount, redeem=redeem, cash_step=t.cash_step)
        if plan.over_limit_by:  # the tenders were chosen within the limit: a bug here, not a shop to seed
            raise KioskError(f"seed: a sale would take customer {person.id} over their limit")
        self._book_sale(plan, person, standing)

    def _book_sale(self, plan: SalePlan, person: Person | None, standing: Standing | None) -> None:
        """As `services.sales.sell` writes a plan, in its order."""
        rows, ids, c = self.rows, self.ids, self.counts
        sale_id = key(self.keys)
        first_line = ids.line
        for n, (line, share) in enumerate(zip(plan.lines, plan.shares, strict=True), start=1):
            rows.lines.append((ids.line, sale_id, n, *line.head, share.net, share.points_discount,
                               share.points_redeemed, share.points_earned, share.khata, share.store_credit))
            ids.line += 1
        s = plan.settlement
        for x in s.tenders:
            rows.tenders.append((ids.tender, sale_id, x.method.value, x.name, x.amount))
            ids.tender += 1
        sold = Sold(sale_id, person, self.date, plan.totals.total, s.rounding, plan.khata, plan.khata_points_due,
                    first_line, (plan.lines, plan.shares))
        moved = 0
        if person is not None:
            for amount, source in ((plan.khata, DebitSource.SALE), (plan.store_credit, DebitSource.STORE_CREDIT)):
                if amount:
                    self._khata(person, EntryKind.DEBIT, amount, amount, note=f"sale {sale_id}", source=source.value,
                                sale_id=sale_id)
            if plan.points_redeemed:
                sold.redeemed = self._spend_redeemed(person, plan.points_redeemed, sale_id)
                c.redemptions += 1
            if plan.points_earned:
                self._add_points(person, PointsKind.EARN, plan.points_earned, sale_id=sale_id,
                                 expires_on=expiry_date(self.date, self._expiry_months))
            if plan.khata_points_due:  # the sale is on the books before the payments are read
                bisect.insort(person.due, sold, key=lambda x: (x.date, x.id))
            if plan.khata_points_due and standing.balance < 0:  # an advance already pays part of the khata
                moved = self._settle(person)
            person.purchases += 1
            person.spend += plan.totals.total
            if plan.tier_after is not person.tier:
                person.tier = plan.tier_after
            rows.people[person.id] = person
        t = plan.totals
        sold.row = (sale_id, person.id if person else None, self.iso, self.created, self.user_id, self.till,
                    t.gross, t.line_discounts, t.basket_discount, t.total, plan.points_redeemed, plan.points_value,
                    s.rounding, s.paid, s.cash_given, s.change, plan.points_earned, plan.khata, plan.store_credit,
                    plan.tier_after.value if plan.tier_after else None, None, None, plan.balance_after,
                    plan.points_after + moved if person else None, plan.khata_points_due)
        rows.sales.append(sold)
        self._recent_sales[self.day % REFUND_DAYS].append(sold)
        c.sales += 1
        c.walk_in += person is None
        c.on_khata += plan.khata > 0

    def _loyalty(self, person: Person | None) -> LoyaltyTerms:
        """`services.loyalty.terms_for`: the tier's multiplier and the day's best campaign."""
        if person is None:
            return self._walk_in_terms
        t = self.t
        campaign = (campaign_multiplier(t.campaigns, self.date, person.group, person.tier)
                    if t.campaigns else Fraction(1))
        found = self._terms.get((person.tier, campaign))
        if found is None:
            found = self._terms[(person.tier, campaign)] = LoyaltyTerms(
                t.rates, t.tier_rules, t.multipliers[person.tier], campaign, t.credit_earns_at_sale)
        return found

    def _basket(self, person: Person | None) -> tuple[list[_Line], bool]:
        """A few products at the customer's group price, now and then an open item (which the till
        puts after the products); and whether any line has a discount."""
        rng = self.rng
        random_ = rng.random
        wholesale = person is not None and person.group in ("Wholesale", "Corporate")
        count = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 7)[int(random_() * 12)]
        if wholesale:
            count += rng.randint(0, 4)
        chosen: dict[int, Item] = {}
        items, cum = self.items, self.item_cum
        if items:
            top, last = cum[-1], len(cum) - 1
            for _ in range(count):
                item = items[bisect.bisect_right(cum, random_() * top, 0, last)]
                chosen.setdefault(item.id, item)
        lines = []
        group = person.group if person else None
        dear = self.t.notes[0] * 40  # PKR 400: bought one at a time
        discounted = False
        for item in chosen.values():
            price = item.price_for(group) if group else item.price
            if item.unit is Unit.EACH:
                qty = 1 if price > dear else _EACH[int(random_() * 12)]
                if wholesale:
                    qty *= rng.randint(1, 5)
                milli = qty * 1000
            else:
                choices = _WEIGHED_DEAR if price > dear else _WEIGHED
                milli = choices[int(random_() * len(choices))]
                if wholesale:
                    milli *= rng.randint(1, 5)
            bp = 0
            if random_() < 0.03:  # a few rupees off a line for a regular, within what a cashier may give
                bp = pick(rng, (200, 500, 500, 1000))
                discounted = True
            line = self._lines.get((item.id, price, milli, bp))
            lines.append(line if line is not None else self._line(item, price, milli, bp))
        if not lines or random_() < 0.03:
            extra = open_item(pick(rng, _OPEN_ITEMS), self.t.notes[0] * rng.randint(1, 8))
            lines.append(_Line(extra.description, extra.unit_price, extra.quantity_milli))
        return lines, discounted

    def _line(self, item: Item, price: int, milli: int, bp: int) -> _Line:
        line = self._lines[(item.id, price, milli, bp)] = _Line(
            item.name, price, milli, item.unit, item.sku, Discount(percent_bp=bp), item.id)
        return line

    def _discounts(self, lines: list[_Line], discounted: bool) -> tuple[list[_Line], Discount]:
        """Sometimes the odd rupees come off the bill. Nothing that needs a manager's approval (a line's
        percentage can round past the shop's limit on a cheap line): such discounts are dropped."""
        rng, t = self.rng, self.t
        discount = _NO_DISCOUNT
        if rng.random() < 0.06:
            odd = sum(line.net for line in lines) % t.notes[0]
            if odd:
                discount = Discount(amount=odd)
        if not (discount.amount or discounted):
            return lines, discount
        if discounts_needing_approval(lines, discount, t.discount_approval_bp):
            discount = Discount()
            if discounts_needing_approval(lines, discount, t.discount_approval_bp):
                lines = [_Line(x.description, x.unit_price, x.quantity_milli, x.unit, x.sku, product_id=x.head[0])
                         for x in lines]
        return lines, discount

    def _redeem(self, person: Person | None, total: int) -> int:
        """Points spent at the till: most of what the customer has, as much as the bill takes."""
        rates = self.t.rates
        least = max(rates.min_redeem, 1)
        if person is None or person.points < least or self.rng.random() >= REDEEM_SHARE:
            return 0
        want = min(person.points, max_points_for(total, rates))
        if want >= 100 and want // 100 * 100 >= least:
            want = want // 100 * 100
        return want if want >= least else 0

    def _tenders(self, person: Person | None, due: int) -> list[TenderRequest]:
        """How the bill is paid: store credit first when the shop owes the customer, then cash (with
        change), card, mobile money by the shop's own services, the khata, or a mix."""
        rng, t = self.rng, self.t
        tenders: list[TenderRequest] = []
        left = due
        available = max(0, -person.balance) if person else 0
        if available and left and rng.random() < 0.85:
            spent = min(available, left)
            tenders.append(TenderRequest(Method.STORE_CREDIT, spent))
            left -= spent
        if not left:
            return tenders
        roll = rng.random()
        mobile = t.mobile_money
        if person is not None:
            share = {"Wholesale": 0.5, "Corporate": 0.55, "Walk-in": 0.1}.get(person.group, 0.32)
            if roll < share:
                cash = 0
                if rng.random() < 0.25 and left > 2 * t.round_sum:  # something down, the rest on the khata
                    cash = left // 2 // t.round_sum * t.round_sum
                khata = left - cash
                if person.limit is None or person.balance + khata <= person.limit:
                    if cash:
                        tenders.append(TenderRequest(Method.CASH, cash))
                    tenders.append(TenderRequest(Method.KHATA))
                    return tenders
                return [*tenders, self._cash(left)]  # at the limit: pays cash today
            roll = (roll - share) / (1 - share)
        if roll < 0.07:
            tenders.append(TenderRequest(Method.CARD, left))
        elif mobile and roll < 0.25:
            tenders.append(TenderRequest(Method.MOBILE, left, pick(rng, mobile)))
        elif mobile and roll < 0.29 and left > t.notes[0] * 2:
            part = max(1, left // 2)
            tenders.append(TenderRequest(Method.MOBILE, part, pick(rng, mobile)))
            tenders.append(self._cash(left - part))
        else:
            tenders.append(self._cash(left))
        return tenders

    def _cash(self, left: int) -> TenderRequest:
        """Cash for `left`: the exact sum, or the next note or two up (change comes back)."""
        rng, notes = self.rng, self.t.notes
        due = round_cash(left, self.t.cash_step)
        if rng.random() < 0.4:
            return TenderRequest(Method.CASH, due)
        ups = sorted({-(-due // n) * n for n in notes if -(-due // n) * n > due} | {due})
        return TenderRequest(Method.CASH, ups[min(len(ups) - 1, int(rng.random() * 3))])

    # --- the khata ---

    def _payment(self) -> None:
        """`services.khata.receive`: someone who owes comes to pay, by the shop's methods."""
        rng = self.rng
        person = None
        for _ in range(8):
            candidate = self._customer()
            if candidate is not None and candidate.balance > 0:
                person = candidate
                break
        if person is None:
            return
        owed, rs = person.balance, self.t.round_sum
        roll = rng.random()
        if roll < 0.4 or owed <= rs:
            amount = owed  # clears the khata
        elif roll < 0.8:
            amount = rs * rng.randint(1, owed // rs)  # a round sum on account
        elif roll < 0.97:
            amount = max(1, owed * rng.randint(10, 90) // 100)
        else:
            amount = (owed // rs + rng.randint(1, 3)) * rs  # pays ahead
        method = self.methods[choose(rng, self.method_cum)]
        note = ""
        if method not in BASE_METHODS and rng.random() < 0.5:
            note = "ref " + "".join(pick(rng, _REF_CHARS) for _ in range(10))
        entry_id = self._khata(person, EntryKind.CREDIT, amount, -amount, note=note, method=method)
        self._remember(person, entry_id, EntryKind.CREDIT, amount, -amount, method)
        self._settle(person)
        self.counts.payments += 1

    def _gave(self) -> None:
        """`services.khata.give`: money or goods handed over outside a sale, within the limit."""
        rng = self.rng
        person = self._customer()
        if person is None:
            return
        amount = self.t.round_sum * rng.randint(1, 10)
        if person.limit is not None and person.balance + amount > person.limit:
            return
        entry_id = self._khata(person, EntryKind.DEBIT, amount, amount, note=pick(rng, _GAVE_NOTES),
                               source=DebitSource.GAVE.value)
        self._remember(person, entry_id, EntryKind.DEBIT, amount, amount, None)
        self.counts.gave += 1

    def _reversal(self) -> None:
        """`services.khata.reverse`: a payment or gave entry of the last fortnight undone, with why."""
        rng = self.rng
        for _ in range(6):
            person = self._customer()
            if person is None:
                return
            recent = [r for r in person.recent if r[3] >= self.day - REVERSAL_DAYS]
            if not recent:
                continue
            target = pick(rng, recent)
            person.recent.remove(target)
            target_id, kind, amount, _day, signed, method = target
            if kind is EntryKind.DEBIT:
                reason = pick(rng, _REVERSE_GAVE)
            elif method == "card" and rng.random() < 0.6:
                reason = _REVERSE_CARD
            elif method == "bank transfer" and rng.random() < 0.6:
                reason = _REVERSE_BANK
            elif method not in BASE_METHODS and rng.random() < 0.6:
                reason = _REVERSE_MOBILE
            else:
                reason = pick(rng, _REVERSE)
            self._khata(person, EntryKind.REVERSAL, amount, -signed, note=reason, reverses=target_id)
            self._settle(person)
            self.counts.reversals += 1
            return

    def _remember(self, person: Person, entry_id: int, kind: EntryKind, amount: int, signed: int,
                  method: str | None) -> None:
        person.recent.append((entry_id, kind, amount, self.day, signed, method))
        if len(person.recent) > 4:
            del person.recent[0]

    def _khata(self, person: Person, kind: EntryKind, amount: int, signed: int, *, note: str = "",
               method: str | None = None, source: str | None = None, reverses: int | None = None,
               sale_id: str | None = None, idempotency_key: str | None = None) -> int:
        """One khata entry (`store.khata.append`), the cached balance moved with it."""
        ids = self.ids
        entry_id = ids.khata
        ids.khata += 1
        self.rows.khata.append((entry_id, person.id, kind.value, amount, self.iso, note, method, source, reverses,
                                None, self.user_id, self.till, self.created, sale_id, idempotency_key))
        person.balance += signed
        person.entries.append(Entry(entry_id, person.id, kind, amount, self.date, source=source,
                                    reverses_id=reverses, sale_id=sale_id))
        self.rows.people[person.id] = person
        self.counts.khata_entries += 1
        return entry_id

    # --- points ---

    def _points_row(self, person: Person, kind: PointsKind, points: int, *, sale_id: str | None, note: str,
                    expires_on: dt.date | None) -> int:
        ids = self.ids
        entry_id = ids.points
        ids.points += 1
        self.rows.points.append((entry_id, person.id, kind.value, points, self.iso,
                                 expires_on.isoformat() if expires_on else None, sale_id, note, self.user_id,
                                 self.till, self.created))
        self.rows.people[person.id] = person
        self.counts.points_entries += 1
        return entry_id

    def _add_points(self, person: Person, kind: PointsKind, points: int, *, sale_id: str | None = None,
                    note: str = "", expires_on: dt.date | None = None) -> None:
        """An earn or give-back: a new lot."""
        entry_id = self._points_row(person, kind, points, sale_id=sale_id, note=note, expires_on=expires_on)
        person.points += points
        person.lots.append(Lot(entry_id, expires_on, points))

    def _spend_points(self, person: Person, kind: PointsKind, points: int, *, sale_id: str | None = None
                      ) -> list[Lot]:
        """A redemption or take-back: spent from the lots nearest expiry first, as the ledger's replay
        (`open_lots`) spends them. Returns the lots as they were before.

        Only the lots the spend reaches are replayed: those first in spending order (the order of
        `services.loyalty.redeemed_lots`) until they hold the points; the others are left as they are,
        which is what the replay of all of them would leave them."""
        self._points_row(person, kind, points, sale_id=sale_id, note="", expires_on=None)
        before = person.lots
        order = sorted(before, key=_spend_order)
        reach = held = 0
        while reach < len(order) and held < points:
            held += order[reach].left
            reach += 1
        replay = [PointsEntry(lot.entry_id, person.id, PointsKind.EARN, lot.left, dt.date.min, lot.expires_on)
                  for lot in order[:reach]]
        replay.append(PointsEntry(2**62, person.id, kind, points, self.date))
        person.lots = sorted([*open_lots(replay), *order[reach:]], key=lambda lot: lot.entry_id)
        person.points -= points
        return before

    def _spend_redeemed(self, person: Person, points: int, sale_id: str) -> list[Lot]:
        """A sale's redemption, and which lots it spent (`services.loyalty.redeemed_lots`)."""
        before = self._spend_points(person, PointsKind.REDEEM, points, sale_id=sale_id)
        after = {lot.entry_id: lot.left for lot in person.lots}
        spent = [Lot(lot.entry_id, lot.expires_on, lot.left - after.get(lot.entry_id, 0)) for lot in before]
        return sorted((lot for lot in spent if lot.left), key=_spend_order)

    def _targets(self, person: Person, extra: list[Entry] = ()) -> dict[str, tuple[int, int]]:
        """`services.loyalty.paid_points_targets`."""
        if not person.due:
            return {}
        paid = paid_of_sales([*person.entries, *extra]) if extra else paid_of_sales(person.entries)
        return {s.id: (s.points_due * paid.get(s.id, (0, 0))[0] // s.khata, s.points_paid)
                for s in person.due if s.khata > 0}

    def _settle(self, person: Person) -> int:
        """`services.loyalty.settle_paid_points_in_txn`: credit sales earn the points of what is now
        paid of them, or give back what a reversed payment had earned. Returns the net points moved."""
        targets = self._targets(person)
        if not targets:
            return 0
        by_id = {s.id: s for s in person.due}
        moved = 0
        for sale_id, (target, earned) in targets.items():
            if target > earned:
                self._add_points(person, PointsKind.EARN, target - earned, sale_id=sale_id, note="khata paid",
                                 expires_on=expiry_date(self.date, self._expiry_months))
                moved += target - earned
            elif target < earned:
                taken = min(earned - target, person.points)
                if taken:
                    self._spend_points(person, PointsKind.TAKE_BACK, taken, sale_id=sale_id)
                moved -= taken
            if target != earned:
                self._moved_sale(by_id[sale_id]).points_paid = target
        return moved

    def _moved_sale(self, sold: Sold) -> Sold:
        if sold.written:
            self.rows.earlier_sales[sold.id] = sold
        return sold

    # --- refunds ---

    def _refund(self) -> None:
        """`services.refunds.refund`: part or all of a sale of the last month comes back."""
        rng, t = self.rng, self.t
        sold = None
        for _ in range(5):
            back = min(int(rng.expovariate(0.25)), REFUND_DAYS - 1, self.day)
            pool = self._recent_sales[(self.day - back) % REFUND_DAYS]
            if pool:
                candidate = pool[int(rng.random() * len(pool))]
                if not candidate.fully_refunded:
                    sold = candidate
                    break
        if sold is None:
            return
        person = sold.person
        asks = () if rng.random() < 0.5 else self._asks(sold.sold_lines())
        to = Destination.STORE_CREDIT if person is not None and rng.random() < 0.35 else Destination.CASH
        points_now = person.points if person else 0
        lines = sold.sold_lines()
        plan = plan_refund(sold.id, lines, asks, to, has_customer=person is not None, points_now=points_now,
                           rates=t.rates, sale_rounding=sold.rounding, cash_step=t.cash_step)
        paid_after = 0
        if sold.points_due and plan.goods:
            khata_off = sum(p.part.khata for p in plan.parts)
            pending = [Entry(2**62, person.id, EntryKind.CREDIT, khata_off, self.date,
                             source=CreditSource.REFUND.value, sale_id=sold.id)] if khata_off else []
            paid_after, earned = self._targets(person, pending).get(sold.id, (0, 0))
            if take := max(0, earned - paid_after):
                plan = plan_refund(sold.id, lines, asks, to, has_customer=True, points_now=points_now,
                                   rates=t.rates, sale_rounding=sold.rounding, paid_points_take=take,
                                   cash_step=t.cash_step)
        self._book_refund(plan, sold, paid_after)

    def _asks(self, lines: list[SoldLine]) -> tuple[RefundAsk, ...]:
        """Some of a sale's lines, some of what is left of each: a packet or two back, part of a weight."""
        rng = self.rng
        open_lines = [line for line in lines if line.sold.quantity_milli > line.refunded.quantity_milli]
        chosen = [pick(rng, open_lines)]
        if len(open_lines) > 2 and rng.random() < 0.3:
            other = pick(rng, open_lines)
            if other is not chosen[0]:
                chosen.append(other)
        asks = []
        for line in chosen:
            left = line.sold.quantity_milli - line.refunded.quantity_milli
            if line.unit == Unit.EACH.value:
                quantity = 1000 * rng.randint(1, max(1, left // 1000))
            elif left > 100 and rng.random() < 0.6:
                quantity = max(50, left // 2 // 50 * 50)
            else:
                quantity = left
            asks.append(RefundAsk(line.n, quantity))
        return tuple(asks)

    def _book_refund(self, plan, sold: Sold, paid_after: int) -> None:
        """As `services.refunds.refund` writes a plan, in its order."""
        rows, ids, c = self.rows, self.ids, self.counts
        person = sold.person
        refund_id = key(self.keys)
        rows.refunds.append((refund_id, sold.id, person.id if person else None, self.iso, self.created,
                             self.user_id, self.till, None, plan.destination.value, plan.goods, plan.points_value,
                             plan.khata_off, plan.store_credit_back, plan.payout, plan.rounding, plan.points_back,
                             plan.points_taken, plan.shortfall_points, plan.shortfall_value))
        for part in plan.parts:
            p = part.part
            rows.refund_lines.append((ids.refund_line, refund_id, sold.first_line + part.n - 1, p.quantity_milli,
                                      p.net, p.points_discount, p.points_redeemed, p.points_earned, p.khata,
                                      p.store_credit))
            ids.refund_line += 1
            line = sold.lines[part.n - 1]
            sold.lines[part.n - 1] = SoldLine(line.n, line.description, line.unit, line.sold, _plus(line.refunded, p))
        self._moved_sale(sold)
        sold.refunded += plan.goods
        sold.fully_refunded = plan.completes_sale
        c.refunds += 1
        c.full_refunds += plan.completes_sale
        if person is None:
            return
        note = f"refund {refund_id} of sale {sold.id}"
        if plan.khata_off:
            self._khata(person, EntryKind.CREDIT, plan.khata_off, -plan.khata_off, note=note,
                        source=CreditSource.REFUND.value, sale_id=sold.id, idempotency_key=f"refund:{refund_id}:khata")
        if plan.store_credit_out:
            self._khata(person, EntryKind.CREDIT, plan.store_credit_out, -plan.store_credit_out, note=note,
                        source=CreditSource.STORE_CREDIT.value, sale_id=sold.id,
                        idempotency_key=f"refund:{refund_id}:store-credit")
        if plan.points_back:
            self._give_back(person, sold, plan.points_back)
        if plan.points_taken:
            if plan.points_taken > person.points:  # the plan read these very points: cannot happen
                raise KioskError(f"seed: refund of {sold.id} takes back {plan.points_taken} of {person.points} points")
            self._spend_points(person, PointsKind.TAKE_BACK, plan.points_taken, sale_id=sold.id)
        if sold.points_due:
            sold.points_paid = paid_after
            self._settle(person)
        if plan.completes_sale:
            person.purchases -= 1
        person.spend -= plan.goods
        if not person.pinned:
            person.tier = tier_for(person.purchases, person.spend, self.t.tier_rules)
        rows.people[person.id] = person

    def _give_back(self, person: Person, sold: Sold, points: int) -> None:
        """`services.refunds._give_back`: points come back with the expiry of the lots they were spent
        from, nearest expiry first, after what earlier refunds of the sale gave back."""
        already = sold.given_back
        sold.given_back += points
        for lot in sold.redeemed:
            skip = min(already, lot.left)
            already -= skip
            give = min(points, lot.left - skip)
            if give:
                self._add_points(person, PointsKind.GIVE_BACK, give, sale_id=sold.id, expires_on=lot.expires_on)
                points -= give
        if points:
            self._add_points(person, PointsKind.GIVE_BACK, points, sale_id=sold.id, expires_on=None)


def _spend_order(lot: Lot) -> tuple:
    """Nearest expiry first, points that never expire last, ties by age (`services.loyalty.redeemed_lots`)."""
    return lot.expires_on is None, lot.expires_on or dt.date.max, lot.entry_id


def _plus(a: Part, b: Part) -> Part:
    """`a + b` (`Part.__add__`) field by field without `dataclasses.astuple`, which deep-copies."""
    return Part(a.quantity_milli + b.quantity_milli, a.net + b.net, a.points_discount + b.points_discount,
                a.points_redeemed + b.points_redeemed, a.points_earned + b.points_earned, a.khata + b.khata,
                a.store_credit + b.store_credit)


def day_counts(rng: random.Random, start: dt.date, total: int) -> list[int]:
    """How many sales each of the year's days gets: busier on Fridays, Saturdays and the first days of
    the month (pay day), with some day-to-day noise; exactly `total` in all."""
    weights = []
    for d in range(DAYS):
        day = start + dt.timedelta(days=d)
        w = (120 if day.weekday() in (4, 5) else 80 if day.weekday() == 6 else 100)
        w = w * (130 if day.day <= 5 else 100) * rng.randint(70, 130)
        weights.append(w)
    whole = sum(weights)
    counts = [total * w // whole for w in weights]
    for d in sorted(range(DAYS), key=lambda d: (-(total * weights[d] % whole), d))[: total - sum(counts)]:
        counts[d] += 1
    return counts

