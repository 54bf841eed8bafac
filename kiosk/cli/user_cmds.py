"""`kiosk user …`: add, list, reset-pin, set-role, disable, enable, unlock.

Only an owner manages users; a manager or owner may list them and unlock a till. New PINs are asked
twice on a terminal, or read as two lines of standard input.
"""

from __future__ import annotations

import json

from kiosk.cli.common import opened_shop, read_new_pin, table

ROLE_HELP = "owner (everything), manager (refunds, overrides, reports), cashier (sells), viewer (read-only review)"


def register(commands) -> None:
    user = commands.add_parser("user", help="add, list, disable users; reset PINs; unlock a till's login",
                               description="Users and their PINs. A PIN is 4 to 8 digits and unique in the shop "
                               "(a cashier types a PIN, not a name). Only an owner manages users.")
    sub = user.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = sub.add_parser("add", help="add a user; the PIN is asked twice (or read as two lines of stdin)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=("owner", "manager", "cashier", "viewer"), help=ROLE_HELP)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("list", help="every user: role, active or disabled, last login (never PINs)")
    p.add_argument("--json", action="store_true", help="machine-readable")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("reset-pin", help="give a user a new PIN (asked twice, or two lines of stdin)")
    p.add_argument("name")
    p.set_defaults(func=cmd_reset_pin)

    p = sub.add_parser("set-role", help="change a user's role (the last active owner stays an owner)")
    p.add_argument("name")
    p.add_argument("role", choices=("owner", "manager", "cashier", "viewer"), help=ROLE_HELP)
    p.set_defaults(func=cmd_set_role)

    p = sub.add_parser("disable", help="stop a user logging in; their history stays (never the last owner)")
    p.add_argument("name")
    p.set_defaults(func=cmd_disable)

    p = sub.add_parser("enable", help="let a disabled user log in again with their PIN")
    p.add_argument("name")
    p.set_defaults(func=cmd_enable)

    p = sub.add_parser(
        "unlock", help="clear a till's wrong-PIN lock (manager or owner)",
        description="Five wrong PINs in a row lock a till's login (30 s, doubling with each further wrong "
        "PIN, up to 15 min). Logins are by PIN alone, so the lock belongs to the till, not to a person: this "
        "clears the wrong-PIN count and lock of this till ($KIOSK_TILL, else the host name), of --till TILL, "
        "or of every till with --all. NAME, if given, is the person being let back in, for the audit log.")
    p.add_argument("name", nargs="?", help="the user being let back in (recorded in the audit log)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--till", help="the till to unlock (default: this one)")
    where.add_argument("--all", action="store_true", help="every till")
    where.add_argument("--status", action="store_true", help="show each till's wrong-PIN count and lock; change nothing")
    p.set_defaults(func=cmd_unlock)


def cmd_add(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        users.check_can_manage(ctx, "add users")  # before asking for a PIN
        pin = read_new_pin(f"PIN for {args.name}")
        user = users.add_user(ctx, args.name, args.role, pin)
    print(f"Added {user.name} ({user.role})")
    return 0


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def cmd_list(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        found = users.list_users(ctx)
    if args.json:
        print(json.dumps([{"name": u.name, "role": u.role, "active": u.active, "pin": u.pin,
                           "created_at": _when(u.created_at), "created_by": u.created_by,
                           "disabled_at": _when(u.disabled_at), "last_login_at": _when(u.last_login_at)}
                          for u in found], ensure_ascii=False, indent=2))
        return 0
    rows = [[u.name, u.role, "active" if u.active else "disabled", _when(u.last_login_at) or "never",
             _when(u.created_at), u.created_by or ""] for u in found]
    print(table(["Name", "Role", "Status", "Last login", "Added", "By"], rows))
    return 0


def cmd_reset_pin(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        users.check_can_manage(ctx, "reset PINs", name=args.name)  # before asking for a PIN
        pin = read_new_pin(f"New PIN for {args.name}")
        user = users.reset_pin(ctx, args.name, pin)
    print(f"New PIN set for {user.name}; the old one no longer works")
    return 0


def cmd_set_role(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        user = users.set_role(ctx, args.name, args.role)
    print(f"{user.name} is now a {user.role}")
    return 0


def cmd_disable(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        user = users.disable_user(ctx, args.name)
    print(f"Disabled {user.name}: their PIN no longer logs in (their history stays)")
    return 0


def cmd_enable(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        user = users.enable_user(ctx, args.name)
    print(f"Enabled {user.name}: their PIN logs in again")
    return 0


def cmd_unlock(args) -> int:
    from kiosk.services import users

    with opened_shop(args) as ctx:
        if args.status:
            locks = users.till_locks(ctx)
            if not locks:
                print("No till has wrong PINs counted")
            else:
                print(table(["Till", "Wrong PINs", "Locked for", "Last wrong PIN"],
                            [[s.till, str(s.failures), users.format_seconds(s.locked_for) if s.locked_for else "",
                              _when(s.last_failure_at)] for s in locks], right={1}))
            return 0
        cleared = users.unlock(ctx, args.till, all_tills=args.all, person=args.name)
        which = "every till" if args.all else f"till {args.till or ctx.till}"
    if cleared:
        print(f"Unlocked {which}: its wrong-PIN count is back to 0" if not args.all
              else f"Unlocked {cleared} till(s)")
    else:
        print(f"Nothing to unlock: {which} had no wrong PINs counted")
    return 0
