"""Who may do what: the one table the services check (never only the screens).

Cashiers sell, attach and add customers, take khata payments and redeem points; managers also refund,
approve big discounts and credit above the limit, reverse entries, read reports, export, edit and merge
customers and run the loyalty programme; owners also manage users and the shop's own settings, export
unmasked and back up; viewers read reports, customers and khata (remote review) and change nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class Role(enum.StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"
    OWNER = "owner"
    VIEWER = "viewer"


ROLES = tuple(r.value for r in Role)


class Permission(enum.StrEnum):
    """What a service does, in words that finish "only … can …"."""

    READ_CUSTOMERS = "look up customers and their khata"
    ADD_CUSTOMER = "add a customer"
    EDIT_CUSTOMER = "edit a customer"
    ARCHIVE_CUSTOMER = "archive, delete or merge customers"
    MANAGE_GROUPS = "add customer groups"
    SELL = "sell"
    PARK = "park and recall sales"
    TAKE_PAYMENT = "take a khata payment"
    GIVE_CREDIT = "record a manual khata entry"
    REVERSE = "reverse a khata entry"
    REFUND = "refund a sale"
    APPROVE = "approve a big discount or credit above the limit"
    EXPIRE_POINTS = "run the points expiry"
    RUN_LOYALTY = "adjust points, pin tiers or run campaigns"
    EDIT_CATALOGUE = "change the catalogue"
    IMPORT = "import customers, khata or products"
    READ_REPORTS = "read reports"
    EXPORT = "export the shop's data"
    EXPORT_UNMASKED = "export phones and CNICs unmasked"
    EDIT_SETTINGS = "change the loyalty and checkout settings"
    EDIT_SHOP = "change the shop's own settings"
    MANAGE_USERS = "manage users"
    LIST_USERS = "list users"
    UNLOCK = "unlock a till"
    READ_AUDIT = "read the audit log"
    CHECK = "check the books"
    BACKUP = "back up, restore or seed the shop"


_ALL = frozenset(Role)
_STAFF = frozenset({Role.CASHIER, Role.MANAGER, Role.OWNER})
_MANAGERS = frozenset({Role.MANAGER, Role.OWNER})
_READERS = frozenset({Role.MANAGER, Role.OWNER, Role.VIEWER})
_OWNER = frozenset({Role.OWNER})

RULES: Mapping[Permission, frozenset[Role]] = MappingProxyType({
    Permission.READ_CUSTOMERS: _ALL,
    Permission.ADD_CUSTOMER: _STAFF,
    Permission.EDIT_CUSTOMER: _MANAGERS,
    Permission.ARCHIVE_CUSTOMER: _MANAGERS,
    Permission.MANAGE_GROUPS: _MANAGERS,
    Permission.SELL: _STAFF,
    Permission.PARK: _STAFF,
    Permission.TAKE_PAYMENT: _STAFF,
    Permission.GIVE_CREDIT: _MANAGERS,
    Permission.REVERSE: _MANAGERS,
    Permission.REFUND: _MANAGERS,
    Permission.APPROVE: _MANAGERS,
    Permission.EXPIRE_POINTS: _STAFF,  # the start-of-day run, by whoever opens the till
    Permission.RUN_LOYALTY: _MANAGERS,
    Permission.EDIT_CATALOGUE: _MANAGERS,
    Permission.IMPORT: _MANAGERS,
    Permission.READ_REPORTS: _READERS,
    Permission.EXPORT: _MANAGERS,
    Permission.EXPORT_UNMASKED: _OWNER,
    Permission.EDIT_SETTINGS: _MANAGERS,
    Permission.EDIT_SHOP: _OWNER,
    Permission.MANAGE_USERS: _OWNER,
    Permission.LIST_USERS: _MANAGERS,
    Permission.UNLOCK: _MANAGERS,
    Permission.READ_AUDIT: _MANAGERS,
    Permission.CHECK: _READERS,
    Permission.BACKUP: _OWNER,
})


def allowed(role: str | None, permission: Permission) -> bool:
    return role is not None and role in RULES[permission]


def who_may(permission: Permission) -> str:
    """"managers and owners", "owners", …, in the table's role order."""
    names = [f"{r.value}s" for r in Role if r in RULES[permission]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def refusal(name: str | None, role: str | None, permission: Permission) -> str:
    """One line: "Sana is a cashier: only managers and owners can refund a sale"."""
    who = f"{name} is a {role}" if name else "nobody is logged in"
    return f"{who}: only {who_may(permission)} can {permission.value}"
