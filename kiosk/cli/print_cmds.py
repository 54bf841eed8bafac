"""`kiosk print …` and `kiosk printer …`: reprints, slips, the drawer, the test page and the print queue.

Every print is a job in the shop's print queue, sent at once: when the printer does not take it, the
command says why (one line, exit 1) and the job waits in `kiosk printer queue`, retried by the till's
worker or `kiosk printer send`.
"""

from __future__ import annotations

import json
import os
import re

from kiosk.cli.common import opened_shop, table
from kiosk.domain.errors import KioskError

_PRINTER_HELP = "print on this printer instead of the shop's printer.url (tcp://HOST:9100, usb://VID:PID, " \
                "serial:///dev/ttyS0?baud=9600, file:///dev/usb/lp0, cups://QUEUE; add ?profile=NAME)"


def register(commands) -> None:
    pr = commands.add_parser("print", help="reprint a receipt; print a refund, statement or end-of-day slip; "
                                           "open the cash drawer",
                             description="Each print is queued and sent at once; a printer that does not take it "
                             "leaves the job waiting in `kiosk printer queue`.")
    sub = pr.add_subparsers(dest="what", metavar="WHAT", required=True)
    p = sub.add_parser("receipt", help="a past sale's receipt again (marked REPRINT; the drawer stays shut)")
    p.add_argument("sale_id", metavar="SALE_ID")
    _printer(p)
    p.set_defaults(func=cmd_receipt)
    p = sub.add_parser("refund", help="a refund's slip again")
    p.add_argument("refund_id", metavar="REFUND_ID")
    _printer(p)
    p.set_defaults(func=cmd_refund)
    p = sub.add_parser("statement-slip", help="a short khata statement: the last entries with running balance")
    p.add_argument("who", metavar="PHONE-OR-ID")
    p.add_argument("--last", type=int, default=10, metavar="N", help="how many of the latest entries (default 10)")
    _printer(p)
    p.set_defaults(func=cmd_statement)
    p = sub.add_parser("day", help="the end-of-day summary: sales, takings by tender, refunds, payments, cash "
                                   "(managers)")
    p.add_argument("--date", metavar="DATE", help="the day (default: today)")
    _printer(p)
    p.set_defaults(func=cmd_day)
    p = sub.add_parser("drawer", help="open the cash drawer with no sale (a manager, or a manager's PIN); audited")
    p.add_argument("--reason", default="", help="why, for the audit log")
    p.add_argument("--manager-pin", metavar="PIN", help="a manager's or owner's PIN approving it "
                                                        "(or $KIOSK_MANAGER_PIN)")
    _printer(p)
    p.set_defaults(func=cmd_drawer)

    printer = commands.add_parser("printer", help="the receipt printer: test page, print queue, send waiting jobs")
    sub = printer.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("test", help="print a test page: address, profile, a column ruler, a QR code, Urdu")
    _printer(p)
    p.set_defaults(func=cmd_test)
    p = sub.add_parser("queue", help="jobs waiting for the printer; retry, drop or send them elsewhere",
                       description="With no option, list the jobs not printed yet. --retry ID sends one now "
                       "(with --send-to URL, to that printer); --send-to URL alone sends every waiting job there; "
                       "--drop ID gives one up (audited).")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--retry", type=int, metavar="ID", help="send this job now")
    action.add_argument("--drop", type=int, metavar="ID", help="give this job up")
    p.add_argument("--send-to", metavar="URL", help="another printer for the job (with --retry) or every waiting job")
    p.add_argument("--reason", default="", help="with --drop: why, for the audit log")
    p.add_argument("--all", action="store_true", help="list the latest jobs, printed ones too")
    p.add_argument("--json", action="store_true", help="machine-readable list")
    p.set_defaults(func=cmd_queue)
    p = sub.add_parser("send", help="send the jobs that are due now (what the till's worker does)")
    p.set_defaults(func=cmd_send)


def _printer(p) -> None:
    p.add_argument("--printer", metavar="URL", help=_PRINTER_HELP)


def _report(result) -> int:
    """One line for the job; a job the printer did not take is an error (it waits in the queue)."""
    if result.printed:
        print(f"printed (job {result.job_id}, {result.bytes} bytes to {result.printer})")
        return 0
    if result.status == "expired":
        raise KioskError(f"job {result.job_id}: {result.error}")
    if result.status == "busy":
        raise KioskError(f"job {result.job_id} is being printed by another till")
    raise KioskError(f"{result.error}; job {result.job_id} waits in the queue (kiosk printer queue)")


def cmd_receipt(args) -> int:
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        return _report(printing.reprint_receipt(ctx, args.sale_id, printer=args.printer))


def cmd_refund(args) -> int:
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        return _report(printing.print_refund_slip(ctx, args.refund_id, printer=args.printer))


def cmd_statement(args) -> int:
    from kiosk.cli.customer_cmds import find_customer
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        customer = find_customer(ctx, args.who)
        return _report(printing.print_statement_slip(ctx, customer.id, last=args.last, printer=args.printer))


def cmd_day(args) -> int:
    from kiosk.domain.dates import parse_date
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        day = parse_date(args.date, field="date") if args.date else None
        return _report(printing.print_day_summary(ctx, day, printer=args.printer))


def cmd_drawer(args) -> int:
    from kiosk.services import printing
    from kiosk.services.shop import user_by_pin

    with opened_shop(args) as ctx:
        pin = args.manager_pin or os.environ.get("KIOSK_MANAGER_PIN")
        manager = user_by_pin(ctx, pin) if pin else None
        if pin and manager is None:
            raise KioskError("manager-pin: no active user has this PIN")
        result = printing.open_drawer(ctx, approved_by=manager, reason=args.reason, printer=args.printer)
        if result.printed:
            print(f"drawer opened (job {result.job_id})")
            return 0
        raise KioskError(f"{result.error}; the drawer did not open")


def cmd_test(args) -> int:
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        return _report(printing.print_test_page(ctx, printer=args.printer))


def cmd_queue(args) -> int:
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        if args.drop is not None:
            if args.send_to:
                raise KioskError("send-to: use it with --retry ID, or alone for every waiting job")
            job = printing.drop(ctx, args.drop, reason=args.reason)
            print(f"job {job.id} dropped ({job.kind} {job.ref})")
            return 0
        if args.retry is not None:
            return _report(printing.retry(ctx, args.retry, printer=args.send_to))
        if args.send_to:
            results = printing.send_to(ctx, args.send_to)
            return _summary(results)
        jobs = printing.recent(ctx) if args.all else printing.waiting(ctx)
        if args.json:
            print(json.dumps([_job_json(j) for j in jobs], ensure_ascii=False))
            return 0
        if not jobs:
            print("no jobs waiting for the printer" if not args.all else "no print jobs yet")
            return 0
        rows = [[str(j.id), j.kind, j.ref or "-", j.status, str(j.attempts), _when(j.created_at),
                 _when(j.next_attempt_at) if j.status == "pending" else "", j.printer or "(shop's printer)",
                 _short(j.last_error)] for j in jobs]
        print(table(["job", "kind", "of", "status", "tries", "queued", "next try", "printer", "last error"], rows))
    return 0


def _summary(results) -> int:
    printed = sum(1 for r in results if r.printed)
    for r in results:
        if not r.printed and r.error:
            print(f"job {r.job_id}: {r.error}")
    print(f"{printed} of {len(results)} job(s) printed")
    return 0 if printed == len(results) else 1


def cmd_send(args) -> int:
    from kiosk.services import printing

    with opened_shop(args) as ctx:
        results = printing.send_pending(ctx, limit=200)
        if not results:
            print("nothing due to print")
            return 0
        return _summary(results)


def _when(at) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") if at else ""


def _short(text: str, width: int = 70) -> str:
    """The last error without the printer's address (the printer column has it), cut to fit."""
    text = re.sub(r"^printer \S+: ", "", " ".join((text or "").split()))
    return text if len(text) <= width else text[:width - 1] + "…"


def _job_json(j) -> dict:
    return {"id": j.id, "kind": j.kind, "ref": j.ref, "status": j.status, "attempts": j.attempts,
            "printer": j.printer, "reprint": j.reprint, "kick_drawer": j.kick_drawer,
            "created_at": _when(j.created_at) or None, "next_attempt_at": _when(j.next_attempt_at) or None,
            "printed_at": _when(j.printed_at) or None, "last_error": j.last_error, "till": j.till, "user": j.user}
