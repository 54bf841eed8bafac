"""`kiosk customer …`: add, edit, find, show, archive, delete and merge customers."""

from __future__ import annotations

import json

from kiosk.cli.common import opened_shop, table
from kiosk.domain.cnic import format_cnic
from kiosk.domain.dates import parse_date
from kiosk.domain.money import parse_amount

_TEXT_FIELDS = ("name", "phone", "cnic", "email", "address", "business", "notes", "tier", "group")


def register(commands) -> None:
    customer = commands.add_parser("customer", help="add, edit, find, show, archive, delete, merge customers")
    sub = customer.add_subparsers(dest="action", metavar="ACTION", required=True)

    for action, required in (("add", True), ("edit", False)):
        p = sub.add_parser(action, help=f"{action} a customer")
        if action == "edit":
            p.add_argument("id", type=int)
        p.add_argument("--name", required=required, help="any script, e.g. محمد علی")
        p.add_argument("--phone", help="any format: 0300 1234567, +92 300 1234567, …")
        p.add_argument("--cnic", help="13 digits, 35202-1234567-1")
        p.add_argument("--email")
        p.add_argument("--address")
        p.add_argument("--business", help="business name")
        p.add_argument("--birth-date", metavar="DATE")
        p.add_argument("--notes")
        p.add_argument("--credit-limit", metavar="AMOUNT", help="in major units, e.g. 5000.00; 'none' removes it")
        p.add_argument("--tier", help="New, Regular or VIP")
        p.add_argument("--group", help="Retail, Wholesale, Corporate, Walk-in or one the shop added")
        p.set_defaults(func=cmd_add if action == "add" else cmd_edit)

    p = sub.add_parser("search", help="find by any part of name, phone, CNIC or email")
    p.add_argument("query")
    p.add_argument("--archived", action="store_true", help="include archived customers")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", help="a customer's details and figures")
    p.add_argument("who", metavar="PHONE-OR-ID", help="a phone in any format (0300-1234567, +92 300 1234567) or an id")
    p.add_argument("--json", action="store_true", help="every field and figure, machine-readable")
    p.set_defaults(func=cmd_show)

    for action, text in (("archive", "hide from search, keep history"), ("unarchive", "bring back"),
                         ("delete", "delete a customer with no history")):
        p = sub.add_parser(action, help=text)
        p.add_argument("id", type=int)
        p.set_defaults(func=cmd_archive if action != "delete" else cmd_delete)

    p = sub.add_parser("merge", help="fold one record of a person into another; history moves, a trail stays")
    p.add_argument("keep", type=int, help="the record to keep")
    p.add_argument("merge", type=int, help="the record folded into it (archived)")
    p.add_argument("--note", default="")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("add-group", help="add a customer group to the shop")
    p.add_argument("name")
    p.set_defaults(func=cmd_add_group)


def _fields(args, ctx) -> dict:
    fields = {k: getattr(args, k) for k in _TEXT_FIELDS if getattr(args, k) is not None}
    if args.birth_date is not None:
        fields["birth_date"] = parse_date(args.birth_date, field="birth_date") if args.birth_date else None
    if args.credit_limit is not None:
        none = args.credit_limit.strip().lower() in ("", "none")
        fields["credit_limit"] = None if none else parse_amount(
            args.credit_limit, ctx.shop.currency, field="credit_limit", allow_zero=True)
    return fields


def cmd_add(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        c = customers.add(ctx, **_fields(args, ctx))
        print(f"Added customer {c.id}: {c.name}" + (f" {c.phone}" if c.phone else ""))
    return 0


def cmd_edit(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        c = customers.edit(ctx, args.id, **_fields(args, ctx))
        print(f"Saved customer {c.id}: {c.name}")
    return 0


def cmd_search(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        found = customers.search(ctx, args.query, limit=args.limit, include_archived=args.archived)
        rows = [[str(c.id), c.name, c.phone or "", format_cnic(c.cnic) if c.cnic else "", c.tier.value,
                 ctx.shop.money(c.balance), "archived" if c.archived else ""] for c in found]
        print(table(["id", "name", "phone", "cnic", "tier", "balance", ""], rows, right={0, 5}))
    return 0


def find_customer(ctx, who: str):
    """A customer by id or by phone. Up to 9 digits with no leading 0 or + is an id (no phone is that
    short); anything else is read as a phone in the shop's country."""
    from kiosk.domain.errors import NotFound
    from kiosk.services import customers

    text = (who or "").strip()
    if text.isdigit() and len(text) <= 9 and not text.startswith("0"):
        return customers.get(ctx, int(text))
    found = customers.find_by_phone(ctx, text)
    if found is None:
        raise NotFound(f"no customer has phone {text}")
    return found


def customer_json(ctx, c, f, tier_pinned: bool) -> dict:
    """Every field and figure; amounts as exact decimal strings, dates as ISO dates or null."""
    amount = ctx.shop.decimal

    def day(d):
        return d.isoformat() if d else None

    return {
        "id": c.id, "name": c.name, "phone": c.phone, "cnic": c.cnic, "email": c.email, "address": c.address,
        "business": c.business, "birth_date": day(c.birth_date), "notes": c.notes, "group": c.group,
        "tier": c.tier.value, "tier_pinned": tier_pinned,
        "credit_limit": amount(c.credit_limit) if c.credit_limit is not None else None, "archived": c.archived,
        "created_at": c.created_at.isoformat(sep=" ") if c.created_at else None,
        "balance": amount(f.balance), "points": f.points, "total_spent": amount(f.total_spent),
        "purchases": f.purchases, "average_purchase": amount(f.average_purchase),
        "first_purchase": day(f.first_purchase), "last_purchase": day(f.last_purchase),
    }


def cmd_show(args) -> int:
    from kiosk.services import customers
    # No service returns the pin yet, and it is one read-only column; the store reads it.
    from kiosk.store.points import tier_of

    with opened_shop(args) as ctx:
        c = find_customer(ctx, args.who)
        f, (_tier, pinned) = customers.figures(ctx, c.id), tier_of(c.id)
        if args.json:
            print(json.dumps(customer_json(ctx, c, f, pinned), ensure_ascii=False, indent=2))
            return 0
        money = ctx.shop.money
        facts = [
            ("name", c.name), ("phone", c.phone or ""), ("cnic", format_cnic(c.cnic) if c.cnic else ""),
            ("email", c.email or ""), ("address", c.address), ("business", c.business),
            ("birth date", c.birth_date.isoformat() if c.birth_date else ""), ("notes", c.notes),
            ("credit limit", money(c.credit_limit) if c.credit_limit is not None else "none"),
            ("tier", c.tier.value + (" (pinned)" if pinned else "")), ("group", c.group),
            ("created", f"{c.created_at:%Y-%m-%d}"),
            ("archived", "yes" if c.archived else "no"), ("balance", money(f.balance)),
            ("total spent", money(f.total_spent)), ("purchases", str(f.purchases)),
            ("average purchase", money(f.average_purchase)),
            ("first purchase", f.first_purchase.isoformat() if f.first_purchase else "never"),
            ("last purchase", f.last_purchase.isoformat() if f.last_purchase else "never"),
            ("points", str(f.points)),
        ]
        print(f"Customer {c.id}")
        for label, value in facts:
            print(f"  {label:<17} {value}")
    return 0


def cmd_archive(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        c = customers.set_archived(ctx, args.id, args.action == "archive")
        print(f"Customer {c.id} ({c.name}) {'archived' if c.archived else 'unarchived'}")
    return 0


def cmd_delete(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        customers.delete(ctx, args.id)
        print(f"Deleted customer {args.id}")
    return 0


def cmd_merge(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        c = customers.merge(ctx, args.keep, args.merge, note=args.note)
        print(f"Merged customer {args.merge} into {c.id} ({c.name}); balance now {ctx.shop.money(c.balance)}")
    return 0


def cmd_add_group(args) -> int:
    from kiosk.services import customers

    with opened_shop(args) as ctx:
        customers.add_group(ctx, args.name)
        print(f"Groups: {', '.join(ctx.shop.groups)}")
    return 0
