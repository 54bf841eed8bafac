"""The customers list: what a screen asks for (text, filters, a sort) and gets back a page at a time,
and the customer profile's purchases and favourite products.

What the filters mean:

- **has balance**: the customer owes the shop (khata balance above zero). An advance (a negative
  balance, the shop owes them) is not "has balance"; sort by balance ascending to see those.
- **no purchases**: not one purchase on the books (see "total spent" below).
- **high value**: the top `HIGH_VALUE_PERCENT` percent of customers by total spent: a customer is
  high value when they spent at least what the customer at rank ceil(10% of customers who spent
  anything) spent, so everyone tied at that amount is in. Ranked over every customer who spent
  anything, archived ones included (the threshold is read off the spend index, not the list's other
  filters); a shop of 100k customers has about 10k high-value ones, a shop of 30 has 3.
- **recent activity**: something booked to them (a sale, a refund, a khata entry: a payment
  counts) in the last `RECENT_DAYS` days, today included.
- **group**, **tier**: exactly that group or tier.
- **archived**: archived customers are hidden unless asked for; asked for, the list holds only them
  (merged-away duplicates are archived too).

**Total spent** and **purchases** are what `kiosk.store.customers.purchase_stats` counts (the profile
card shows the same figure): sales not refunded in full, at their total less what refunds took back,
plus legacy credit sales from the khata. **Last activity** is the latest day anything was booked to
the customer; None when nothing ever was.

Sorts run both ways; rows that tie on the sort key follow their id, in the same direction, so every
row has one place and paging (a cursor after the last row shown) gives each row exactly once.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from kiosk.domain.customers import Tier

#: "Recent activity": something booked in the last this many days, today included.
RECENT_DAYS = 30
#: "High value": the top this many percent of customers by total spent.
HIGH_VALUE_PERCENT = 10
#: Rows per page unless the screen asks for another number; never more than MAX_PAGE.
PAGE = 50
MAX_PAGE = 500


class Sort(enum.StrEnum):
    NAME = "name"
    SPENT = "total spent"
    ACTIVITY = "recent activity"
    ADDED = "date added"
    BALANCE = "balance"


class Direction(enum.StrEnum):
    ASC = "asc"
    DESC = "desc"

    @property
    def flipped(self) -> Direction:
        return Direction.DESC if self is Direction.ASC else Direction.ASC


#: The direction a sort starts in when picked: names A to Z, everything else biggest or newest first.
NATURAL_DIRECTION = {
    Sort.NAME: Direction.ASC,
    Sort.SPENT: Direction.DESC,
    Sort.ACTIVITY: Direction.DESC,
    Sort.ADDED: Direction.DESC,
    Sort.BALANCE: Direction.DESC,
}


@dataclass(frozen=True, slots=True)
class Filters:
    """Each one narrows the list; together they all apply (AND)."""

    has_balance: bool = False
    no_purchases: bool = False
    high_value: bool = False
    recent: bool = False
    group: str | None = None  # a group name of the shop (`ShopSettings.groups`)
    tier: Tier | None = None
    archived: bool = False  # False: live customers only; True: archived customers only


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the list shows. `text` is searched as the customer search does: a name prefix under three
    characters; from three on, any part of the name, phone (any way it is written), CNIC (with or
    without dashes), email or business."""

    text: str = ""
    filters: Filters = Filters()
    sort: Sort = Sort.NAME
    direction: Direction = Direction.ASC

    @classmethod
    def sorted_by(cls, sort: Sort, *, text: str = "", filters: Filters = Filters()) -> ListQuery:
        """A query in the sort's natural direction (`NATURAL_DIRECTION`)."""
        return cls(text=text, filters=filters, sort=sort, direction=NATURAL_DIRECTION[sort])


@dataclass(frozen=True, slots=True)
class ListRow:
    id: int
    name: str
    tier: Tier
    phone: str | None  # E.164, as stored
    total_spent: int  # minor units
    balance: int  # minor units; > 0 the customer owes the shop
    points: int
    last_activity: dt.date | None
    added_on: dt.date
    archived: bool
    group: str = ""
    purchases: int = 0


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the last row's sort key (as the database keeps it) and id. Pass it back as
    `after` for the next page of the same query; it is refused with another sort or direction."""

    sort: Sort
    direction: Direction
    key: object
    id: int


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: tuple[ListRow, ...]
    next_cursor: Cursor | None  # None: this was the last page


# --- The customer profile ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FavouriteProduct:
    """A product the customer buys, with how much they kept of it (refunds taken off)."""

    product_id: int
    sku: str
    name: str
    unit: str  # each, kg, litre
    quantity_milli: int  # thousandths of the unit
    times: int  # purchases it was in
    spent: int  # minor units: Σ net of its lines, less refunds


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    n: int
    sku: str | None  # None: an open item
    description: str
    unit: str
    quantity_milli: int
    unit_price: int
    net: int  # after its discounts (minor units)
    refunded_milli: int = 0  # how much of it refunds took back


@dataclass(frozen=True, slots=True)
class PurchaseTender:
    method: str  # cash, card, mobile, khata, store-credit
    name: str | None  # the mobile-money service
    amount: int


@dataclass(frozen=True, slots=True)
class Purchase:
    """One sale to the customer, for the profile's purchases tab (reprint and refund take `sale_id`)."""

    sale_id: str
    date: dt.date
    created_at: dt.datetime
    total: int  # after discounts, before points and rounding
    paid: int  # what the tenders covered
    points_redeemed: int
    points_earned: int
    refunded: int  # of `total`, what refunds took back
    fully_refunded: bool
    tenders: tuple[PurchaseTender, ...]
    lines: tuple[PurchaseLine, ...] = field(default=())

    @property
    def refunded_any(self) -> bool:
        return self.refunded > 0 or self.fully_refunded

    @property
    def tenders_summary(self) -> tuple[tuple[str, int], ...]:
        """(label, amount) per tender, mobile money by its service's name: ("cash", 50000), ..."""
        return tuple((t.name or t.method, t.amount) for t in self.tenders)


@dataclass(frozen=True, slots=True)
class PurchaseCursor:
    date: object
    created_at: object
    sale_id: str


@dataclass(frozen=True, slots=True)
class PurchasePage:
    rows: tuple[Purchase, ...]
    next_cursor: PurchaseCursor | None


def check_limit(limit: int) -> int:
    """A page size the list serves: 1 to MAX_PAGE."""
    from kiosk.domain.errors import ValidationError

    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise ValidationError("limit", f"a page holds 1 to {MAX_PAGE} rows, not {limit!r}")
    return limit


def high_value_rank(spenders: int) -> int:
    """The rank (1-based) whose spend is the high-value threshold among `spenders` customers who spent
    anything: ceil(HIGH_VALUE_PERCENT% of them), at least 1."""
    return max(1, -(-spenders * HIGH_VALUE_PERCENT // 100))
