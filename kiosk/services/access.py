"""The permission check every service makes first (the table is `kiosk.domain.roles.RULES`)."""

from __future__ import annotations

from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission, allowed, refusal
from kiosk.services.context import Context
from kiosk.store.shop import UserRef


class NotAllowed(KioskError):
    """The acting user's role may not do this."""


def require(ctx: Context, permission: Permission) -> UserRef:
    """The acting user, if their role may do `permission`; else one line saying who may."""
    user = ctx.user
    if user is None or not allowed(user.role, permission):
        raise NotAllowed(refusal(user.name if user else None, user.role if user else None, permission))
    return user


def check_person(person: UserRef | None, permission: Permission) -> UserRef | None:
    """A second person asked for on the spot (a manager's PIN for an override): may they?"""
    if person is not None and not allowed(person.role, permission):
        raise NotAllowed(refusal(person.name, person.role, permission))
    return person
