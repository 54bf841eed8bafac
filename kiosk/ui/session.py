"""Who is at the till: the logged-in user, what their role may do, and money in the shop's terms.

A `Session` exists from a PIN login until Ctrl+L. Screens reach it as `self.app.session` and hand
`session.ctx` to the services (`customers.search(session.ctx, text)`); the services check permissions
again, so `may()` is only for hiding or refusing early, never the only check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.domain.money import formatter, parse_amount
from kiosk.domain.roles import Permission, Role, allowed, refusal

if TYPE_CHECKING:  # the services (and peewee behind them) load after the login screen is painted
    from kiosk.services.context import Context
    from kiosk.services.users import UserRef


#: What a remote review (`kiosk review`) may do whatever the role: read. Its database connection is
#: read-only as well, so a write that slipped past a screen is refused underneath.
REVIEW_PERMISSIONS = frozenset({Permission.READ_CUSTOMERS, Permission.READ_REPORTS, Permission.READ_AUDIT,
                                Permission.LIST_USERS, Permission.CHECK})
REVIEW_REFUSAL = "this is a read-only review: nothing can be changed here"
REVIEW_ROLES = ("manager", "owner", "viewer")


class Session:
    """The logged-in user over the till's one services `Context` (`ctx.user` is set to them).
    `read_only`: a remote review, in which only reading is allowed (REVIEW_PERMISSIONS)."""

    def __init__(self, ctx: Context, user: UserRef, *, read_only: bool = False) -> None:
        ctx.user = user
        self.ctx = ctx
        """The services Context: pass it to every service call."""
        self.user = user
        """The logged-in user (id, name, role)."""
        self.read_only = read_only
        """A remote review: screens hide every change, and the database refuses one anyway."""

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def shop(self):
        """The shop's settings (`kiosk.domain.shop.ShopSettings`): name, currency, locale, groups, …"""
        return self.ctx.shop

    def may(self, permission: Permission) -> bool:
        """Whether this user's role allows `permission` (the services check again)."""
        if self.read_only and permission not in REVIEW_PERMISSIONS:
            return False
        return allowed(self.user.role, permission)

    def refusal(self, permission: Permission) -> str:
        """One line for a refused action: "Sana is a cashier: only managers, owners and viewers can read reports"."""
        if self.read_only and permission not in REVIEW_PERMISSIONS:
            return REVIEW_REFUSAL
        return refusal(self.user.name, self.user.role, permission)

    def money(self, minor: int) -> str:
        """Minor units for people, in the shop's currency and locale: 125050 -> "Rs1,250.50". The till's
        one MoneyFormat (kiosk.domain.money.formatter): babel's answer, without babel's data here."""
        shop = self.ctx.shop
        return formatter(shop.currency, shop.locale)(minor)

    def parse_money(self, text: str, field: str = "amount", *, allow_zero: bool = False) -> int:
        """A typed amount ("1250.50") in minor units; a bad one raises ValidationError naming `field`."""
        return parse_amount(text, self.ctx.shop.currency, field=field, allow_zero=allow_zero)

    def end(self) -> None:
        """Logged out: the shared Context acts as nobody again, so a stale screen can change nothing."""
        if self.ctx.user == self.user:
            self.ctx.user = None
