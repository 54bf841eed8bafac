"""`kiosk audit`: read the audit log (managers and owners)."""

from __future__ import annotations

import json
import sys

from kiosk.cli.common import opened_shop, table
from kiosk.domain.errors import ValidationError


def register(commands) -> None:
    p = commands.add_parser(
        "audit", help="the audit log: who did what, in which role, to which record, when, on which till",
        description="The audit log, newest first (the order rows were written and hash-chained). Managers and "
        "owners only. `kiosk check` verifies the log's hash chain.")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (inclusive)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (inclusive)")
    p.add_argument("--user", metavar="NAME", help="only what this user did")
    p.add_argument("--action", metavar="PREFIX", help="only actions starting with PREFIX, e.g. khata or sale.park")
    p.add_argument("--limit", type=int, default=100, metavar="N", help="at most N rows (default 100; 0: all)")
    p.add_argument("--json", action="store_true", help="a JSON array, for scripts")
    p.set_defaults(func=cmd_audit)


def cmd_audit(args) -> int:
    from kiosk.domain.dates import parse_date
    from kiosk.services import audit

    if args.limit < 0:
        raise ValidationError("limit", f"{args.limit} is below zero")
    date_from = parse_date(args.date_from, field="from") if args.date_from is not None else None
    date_to = parse_date(args.date_to, field="to") if args.date_to is not None else None
    with opened_shop(args) as ctx:
        rows = audit.read(ctx, date_from=date_from, date_to=date_to, user=args.user, action=args.action,
                          limit=args.limit or None)
        if args.json:
            _print_json(rows)
        else:
            _print_table(list(rows))
    return 0


def _as_dict(r) -> dict:
    return {"id": r.id, "at": r.at.isoformat(" ") if hasattr(r.at, "isoformat") else str(r.at), "user": r.user,
            "user_id": r.user_id, "role": r.role, "till": r.till, "action": r.action, "record": r.record,
            "detail": r.detail, "hash": r.hash}


def _print_json(rows) -> None:
    """A JSON array written row by row, so `--limit 0` streams a whole log without holding it."""
    out = sys.stdout
    out.write("[")
    for n, r in enumerate(rows):
        out.write(("," if n else "") + "\n  " + json.dumps(_as_dict(r), ensure_ascii=False, default=str))
    out.write("\n]\n")


def _detail_text(detail: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in detail.items())


def _print_table(rows) -> None:
    if not rows:
        print("No audit rows match.")
        return
    print(table(["id", "when", "till", "user", "role", "action", "record", "detail"],
                [[str(r.id), r.at.strftime("%Y-%m-%d %H:%M:%S") if hasattr(r.at, "strftime") else str(r.at),
                  r.till or "-", r.user or "-", r.role or "-", r.action, r.record or "-", _detail_text(r.detail)]
                 for r in rows], right={0}))
