"""Customers: add, edit, archive, delete, merge, search, and the figures the books give."""

from __future__ import annotations

import dataclasses

from peewee import IntegrityError

from kiosk.domain.customers import Customer, CustomerData, CustomerFigures, make_customer_data
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import customers as store
from kiosk.store import khata as khata_store
from kiosk.store import points as points_store
from kiosk.store import sales as sales_store
from kiosk.store.db import write_transaction
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import CustomerMerge
from kiosk.store.shop import audit


def validate(ctx: Context, **fields) -> CustomerData:
    """Check fields as typed (money already in minor units, dates already parsed)."""
    return make_customer_data(country=ctx.shop.country, groups=ctx.shop.groups, **fields)


def _refuse_duplicate_phone(data: CustomerData, own_id: int | None = None) -> None:
    if data.phone:
        other = store.find_by_phone(data.phone)
        if other is not None and other.id != own_id:
            raise ValidationError("phone", f"{data.phone} already belongs to customer {other.id} ({other.name})")


def add(ctx: Context, **fields) -> Customer:
    require(ctx, Permission.ADD_CUSTOMER)
    data = validate(ctx, **fields)
    with write_transaction(ctx.db):
        _refuse_duplicate_phone(data)
        try:
            customer_id = store.insert(data)
        except IntegrityError:  # another till added the same phone a moment ago
            raise ValidationError("phone", f"{data.phone} already belongs to another customer") from None
        audit("customer.add", f"customer:{customer_id}", user=ctx.user, till=ctx.till, name=data.name)
    return store.get(customer_id)


def edit(ctx: Context, customer_id: int, **changes) -> Customer:
    """Change some fields; the others keep their values. Every field is checked again."""
    require(ctx, Permission.EDIT_CUSTOMER)
    current = store.get(customer_id)
    fields = {f.name: getattr(current, f.name) for f in dataclasses.fields(CustomerData)}
    fields["tier"] = current.tier.value
    unknown = set(changes) - set(fields)
    if unknown:
        raise KioskError(f"unknown customer field(s): {', '.join(sorted(unknown))}")
    fields.update(changes)
    data = validate(ctx, **fields)
    with write_transaction(ctx.db):
        _refuse_duplicate_phone(data, own_id=customer_id)
        store.update(customer_id, data)
        changed = sorted(k for k in changes if getattr(data, k) != getattr(current, k))
        audit("customer.edit", f"customer:{customer_id}", user=ctx.user, till=ctx.till, fields=changed)
    return store.get(customer_id)


def get(ctx: Context, customer_id: int) -> Customer:
    require(ctx, Permission.READ_CUSTOMERS)
    return store.get(customer_id)


def find_by_phone(ctx: Context, phone: str) -> Customer | None:
    require(ctx, Permission.READ_CUSTOMERS)
    from kiosk.domain.phone import normalize_phone

    return store.find_by_phone(normalize_phone(phone, ctx.shop.country))


def search(ctx: Context, text: str, *, limit: int = 20, include_archived: bool = False) -> list[Customer]:
    require(ctx, Permission.READ_CUSTOMERS)
    return store.search(text, limit=limit, include_archived=include_archived)


def figures(ctx: Context, customer_id: int) -> CustomerFigures:
    require(ctx, Permission.READ_CUSTOMERS)
    return store.figures(customer_id)


def set_archived(ctx: Context, customer_id: int, archived: bool = True) -> Customer:
    require(ctx, Permission.ARCHIVE_CUSTOMER)
    store.get(customer_id)
    with write_transaction(ctx.db):
        store.set_archived(customer_id, archived)
        audit("customer.archive" if archived else "customer.unarchive", f"customer:{customer_id}",
              user=ctx.user, till=ctx.till)
    return store.get(customer_id)


def delete(ctx: Context, customer_id: int) -> None:
    """Only a customer with no history may be deleted; one with history is archived instead."""
    require(ctx, Permission.ARCHIVE_CUSTOMER)
    customer = store.get(customer_id)
    with write_transaction(ctx.db):
        if store.has_history(customer_id) or CustomerMerge.select().where(
            (CustomerMerge.kept == customer_id) | (CustomerMerge.merged == customer_id)
        ).exists():
            raise KioskError(f"customer {customer_id} ({customer.name}) has history: archive instead of deleting")
        store.delete(customer_id)
        audit("customer.delete", f"customer:{customer_id}", user=ctx.user, till=ctx.till, name=customer.name)


def merge(ctx: Context, keep_id: int, merge_id: int, *, note: str = "") -> Customer:
    """Fold `merge_id` into `keep_id`: all khata history and balance move; the merged record is archived
    with a pointer to the kept one, and a merge row records who did it and what moved."""
    require(ctx, Permission.ARCHIVE_CUSTOMER)
    if keep_id == merge_id:
        raise KioskError("cannot merge a customer with itself")
    with write_transaction(ctx.db):
        _keep, gone = khata_store.lock_customer(keep_id), khata_store.lock_customer(merge_id)
        merged = store.get(merge_id)
        for customer_id in (keep_id, merge_id):
            if CustomerRow.get_by_id(customer_id).merged_into_id is not None:
                raise KioskError(f"customer {customer_id} was already merged into another record")
        moved = khata_store.move_entries(merge_id, keep_id)
        moved += points_store.move_entries(merge_id, keep_id)  # the points history goes with its cache
        sales_store.move_sales(merge_id, keep_id)  # purchases, so the kept record's figures are whole
        (CustomerRow.update(balance=CustomerRow.balance + gone.balance, points=CustomerRow.points + merged.points)
         .where(CustomerRow.id == keep_id).execute())
        # The merged record keeps its name for the trail but gives up its phone so the kept one can take it.
        (CustomerRow.update(balance=0, points=0, archived=True, merged_into=keep_id, phone=None)
         .where(CustomerRow.id == merge_id).execute())
        kept = store.get(keep_id)
        if kept.phone is None and merged.phone:
            store.update(keep_id, dataclasses.replace(kept, phone=merged.phone))
        CustomerMerge.create(kept=keep_id, merged=merge_id, moved_entries=moved, merged_name=merged.name,
                             merged_phone=merged.phone, user=ctx.user.id if ctx.user else None, till=ctx.till)
        audit("customer.merge", f"customer:{keep_id}", user=ctx.user, till=ctx.till,
              merged=merge_id, moved_entries=moved, note=note)
    return store.get(keep_id)


def add_group(ctx: Context, name: str) -> None:
    require(ctx, Permission.MANAGE_GROUPS)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("group", "is empty")
    with write_transaction(ctx.db):
        store.add_group(name)
        audit("group.add", name, user=ctx.user, till=ctx.till)
    ctx.reload_settings()
