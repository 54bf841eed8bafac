"""The shop row, its users and groups, and the audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.domain.customers import DEFAULT_GROUPS
from kiosk.domain.errors import KioskError
from kiosk.domain.shop import ShopSettings
from kiosk.store.models import AuditLog, CustomerGroup, Shop, User


@dataclass(frozen=True, slots=True)
class UserRef:
    id: int
    name: str
    role: str


def load_settings() -> ShopSettings:
    row = Shop.select().first()
    if row is None:
        raise KioskError("this database has no shop yet: run `kiosk init`")
    groups = tuple(g.name for g in CustomerGroup.select().order_by(CustomerGroup.builtin.desc(), CustomerGroup.id))
    return ShopSettings(
        name=row.name,
        country=row.country,
        currency=row.currency,
        locale=row.locale,
        mobile_money=tuple(m for m in row.mobile_money.split(",") if m),
        groups=groups,
        demo=row.demo,
    )


def create_shop(settings: ShopSettings) -> None:
    if Shop.select().exists():
        raise KioskError("this database already has a shop")
    Shop.create(
        name=settings.name,
        country=settings.country,
        currency=settings.currency,
        locale=settings.locale,
        mobile_money=",".join(settings.mobile_money),
        demo=settings.demo,
    )
    for name in DEFAULT_GROUPS:
        CustomerGroup.get_or_create(name=name, defaults={"builtin": True})


def add_user(name: str, role: str, pin_hash: str) -> UserRef:
    if User.select().where(User.name == name).exists():
        raise KioskError(f"a user named {name!r} already exists")
    row = User.create(name=name, role=role, pin_hash=pin_hash)
    return UserRef(row.id, row.name, row.role)


def first_owner() -> UserRef | None:
    row = User.select().where((User.role == "owner") & (User.active == True)).order_by(User.id).first()  # noqa: E712
    return UserRef(row.id, row.name, row.role) if row else None


def pin_hashes() -> list[tuple[UserRef, str]]:
    return [(UserRef(u.id, u.name, u.role), u.pin_hash) for u in User.select().where(User.active == True)]  # noqa: E712


def audit(action: str, record: str = "", *, user: UserRef | None, till: str, **detail) -> None:
    AuditLog.create(
        user=user.id if user else None,
        till=till,
        action=action,
        record=record,
        detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True) if detail else "",
    )
