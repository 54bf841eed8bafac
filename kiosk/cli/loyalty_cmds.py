"""`kiosk loyalty …`: expire points, read a customer's points history, adjust by hand, run campaigns,
pin a tier."""

from __future__ import annotations

import datetime as dt
import re

from kiosk.cli.common import new_key, opened_shop, table
from kiosk.domain.dates import parse_date
from kiosk.domain.errors import ValidationError

_POINTS = re.compile(r"^[+-]?[0-9]{1,15}$", re.ASCII)


def register(commands) -> None:
    loyalty = commands.add_parser("loyalty", help="points: expire, history, adjust, campaigns, tiers")
    sub = loyalty.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("expire", help="write off points past their date (run at the start of each day)")
    p.add_argument("--as-of", metavar="DATE", help="the day to expire as of (default: today)")
    p.set_defaults(func=cmd_expire)

    p = sub.add_parser("history", help="a customer's points ledger, running balance and what expires when")
    p.add_argument("customer", type=int, metavar="CUSTOMER_ID")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("adjust", help="add points by hand, or take them back with a negative number "
                       "(owners and managers; needs a reason)")
    p.add_argument("customer", type=int, metavar="CUSTOMER_ID")
    p.add_argument("points", metavar="POINTS", help="e.g. 500, or -200 to take back")
    p.add_argument("--reason", default="", help="why: kept on the entry and in the audit log")
    p.add_argument("--date", metavar="DATE", help="the entry's date (default: today)")
    p.add_argument("--key", help="idempotency key: the same key books once (default: a new one)")
    p.set_defaults(func=cmd_adjust)

    campaign = sub.add_parser("campaign", help="points campaigns: add, list, end")
    csub = campaign.add_subparsers(dest="campaign_action", metavar="ACTION", required=True)
    p = csub.add_parser("add", help="points times a multiplier between two dates, optionally for some "
                        "groups or tiers only; when several apply the best one wins")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--from", dest="start", metavar="DATE", required=True, help="first day")
    p.add_argument("--to", dest="end", metavar="DATE", required=True, help="last day (inclusive)")
    p.add_argument("--multiplier", required=True, help="an exact decimal of at least 1, e.g. 2 or 1.5")
    p.add_argument("--groups", default="", help="comma separated customer groups (default: every group)")
    p.add_argument("--tiers", default="", help="comma separated tiers: New, Regular, VIP (default: every tier)")
    p.set_defaults(func=cmd_campaign_add)
    p = csub.add_parser("list", help="every campaign, ended ones included")
    p.set_defaults(func=cmd_campaign_list)
    p = csub.add_parser("end", help="stop a campaign now, whatever its dates")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(func=cmd_campaign_end)

    p = sub.add_parser("tier", help="pin a customer's tier by hand, or `auto` to let sales decide it again")
    p.add_argument("customer", type=int, metavar="CUSTOMER_ID")
    p.add_argument("tier", metavar="TIER", help="New, Regular, VIP or auto")
    p.set_defaults(func=cmd_tier)


def _date(text: str | None, field: str) -> dt.date | None:
    return parse_date(text, field=field) if text else None


def _points(text: str) -> int:
    raw = (text or "").strip()
    if not _POINTS.match(raw):
        raise ValidationError("points", f"{raw or '(empty)'!r} is not a whole number of points like 500 or -200")
    return int(raw)


def cmd_expire(args) -> int:
    from kiosk.services import loyalty

    with opened_shop(args) as ctx:
        result = loyalty.expire(ctx, _date(args.as_of, "as-of"))
    if result.expired:
        print(f"Expired {result.points} points of {result.customers} customer(s) as of {result.as_of}")
    else:
        print(f"Nothing to expire as of {result.as_of}")
    return 0


def cmd_history(args) -> int:
    from kiosk.services import customers, loyalty

    with opened_shop(args) as ctx:
        customer = customers.get(ctx, args.customer)
        h = loyalty.history(ctx, args.customer)
    print(f"Points of {customer.name} (customer {customer.id}), tier {customer.tier}")
    rows = [[str(ln.entry.id), ln.entry.date.isoformat(), ln.entry.kind.value, f"{ln.signed:+d}", str(ln.balance),
             "" if ln.left is None else (ln.entry.expires_on.isoformat() if ln.entry.expires_on else "never"),
             str(ln.left) if ln.left is not None else "", ln.entry.sale_id or "", ln.note]
            for ln in h.lines]
    print(table(["id", "date", "kind", "points", "balance", "expires", "left", "sale", "note"], rows,
                right={0, 3, 4, 6}))
    lots = ", ".join(f"{lot.left} {'expire ' + lot.expires_on.isoformat() if lot.expires_on else 'never expire'}"
                     for lot in h.open_lots)
    print(f"\nBalance {h.balance} points" + (f": {lots}" if lots else ""))
    return 0


def cmd_adjust(args) -> int:
    from kiosk.services import loyalty

    points = _points(args.points)
    with opened_shop(args) as ctx:
        entry = loyalty.adjust(ctx, args.customer, points, args.reason, date=_date(args.date, "date"),
                               idempotency_key=args.key or new_key())
        now = loyalty.balance(ctx, args.customer)
    verb = "added" if points > 0 else "took back"
    print(f"Entry {entry.id}: {verb} {abs(points)} points; balance {now} points")
    return 0


def cmd_campaign_add(args) -> int:
    from kiosk.services import loyalty

    start, end = _date(args.start, "from"), _date(args.end, "to")
    with opened_shop(args) as ctx:
        c = loyalty.add_campaign(ctx, args.name, start=start, end=end, multiplier=args.multiplier,
                                 groups=args.groups, tiers=args.tiers)
    print(f"Campaign {c.name!r}: points x{args.multiplier.strip()} from {c.start} to {c.end} for "
          f"{_who(c)}")
    return 0


def _who(c) -> str:
    groups = ", ".join(c.groups) if c.groups else "every group"
    tiers = ", ".join(t.value for t in c.tiers) if c.tiers else "every tier"
    return f"{groups}; {tiers}"


def cmd_campaign_list(args) -> int:
    from kiosk.domain.settings import fraction_text
    from kiosk.services import loyalty

    today = dt.date.today()
    with opened_shop(args) as ctx:
        records = loyalty.list_campaigns(ctx)
    if not records:
        print("No campaigns yet: `kiosk loyalty campaign add` makes one")
        return 0

    def state(r) -> str:
        if not r.active:
            return "ended"
        if today < r.campaign.start:
            return "upcoming"
        return "running" if today <= r.campaign.end else "over"

    rows = [[r.campaign.name, r.campaign.start.isoformat(), r.campaign.end.isoformat(),
             "x" + fraction_text(r.campaign.multiplier), ",".join(r.campaign.groups) or "all",
             ",".join(t.value for t in r.campaign.tiers) or "all", state(r)] for r in records]
    print(table(["name", "from", "to", "multiplier", "groups", "tiers", "state"], rows))
    return 0


def cmd_campaign_end(args) -> int:
    from kiosk.services import loyalty

    with opened_shop(args) as ctx:
        record = loyalty.end_campaign(ctx, args.name)
    print(f"Campaign {record.campaign.name!r} ended")
    return 0


def cmd_tier(args) -> int:
    from kiosk.services import loyalty

    text = args.tier.strip()
    with opened_shop(args) as ctx:
        if text.casefold() == "auto":
            tier = loyalty.set_tier(ctx, args.customer, None)
            print(f"Customer {args.customer}: tier {tier} (unpinned: sales decide it again)")
        else:
            try:
                tier = loyalty.set_tier(ctx, args.customer, text)
            except ValidationError as exc:
                raise ValidationError(exc.field, f"{exc.reason}, or auto to unpin") from None
            print(f"Customer {args.customer}: tier {tier} (pinned until `kiosk loyalty tier {args.customer} auto`)")
    return 0
