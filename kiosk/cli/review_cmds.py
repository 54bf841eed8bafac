"""`kiosk review`: the shop, read-only, for an owner or manager reviewing from home over SSH.

It asks for the PIN of a manager, owner or viewer (the login is audited and counts towards the till's
lockout like any other), then opens the database read-only: SQLite's query_only or PostgreSQL's
read-only transactions refuse every write underneath, and `write_transaction` refuses before trying.
Inside, any `kiosk` command can be typed (`report credit`, `customer show 0300…`, `khata show 12`,
`audit`…); each runs in the review's session, so one that would change something is refused with one
line.

On a terminal it is the till itself in review mode (kiosk.ui: the PIN screen, then Reports, Customers,
Khata, Loyalty; every change hidden and refused, the connection read-only underneath); `--line`, or
no terminal, gives the line-mode prompt above.
"""

from __future__ import annotations

import shlex
import sys

from kiosk.cli.common import log_in, review_session, url_of
from kiosk.domain.errors import KioskError

REVIEW_ROLES = ("manager", "owner", "viewer")
#: Commands that do not run in a shop session (they make, replace or open a database themselves).
NOT_IN_REVIEW = ("init", "migrate", "restore", "demo", "review", "backup", "seed")


def register(commands) -> None:
    p = commands.add_parser(
        "review", help="the shop, read-only, for remote review (manager, owner or viewer PIN)",
        description="Log in with a manager's, owner's or viewer's PIN and review the shop read-only: type any "
        "kiosk command (report credit, report customers, customer search NAME, khata show ID, audit …); "
        "anything that would change the books is refused. `quit` or Ctrl+D leaves. On a terminal this is "
        "the full-screen till in read-only mode; --line gives the command prompt instead.")
    p.add_argument("--line", action="store_true", help="the line-mode prompt even on a terminal")
    p.set_defaults(func=cmd_review)


def cmd_review(args) -> int:
    from kiosk.services.context import open_shop

    url = url_of(args)
    if not args.line and sys.stdin.isatty() and sys.stdout.isatty():
        from kiosk.cli.till_cmds import run_till

        return run_till(url, review=True)
    ctx = open_shop(url)  # a writable connection for the login's audit row and the lockout count
    try:
        user = log_in(ctx, "Review PIN")
    finally:
        ctx.close()
    if user.role not in REVIEW_ROLES:
        raise KioskError(f"{user.name} is a {user.role}: review is for managers, owners and viewers")
    session = open_shop(url, user, read_only=True)
    try:
        print(f"Kiosk review of {session.shop.name}: {user.name} ({user.role}). Read-only: nothing can be "
              f"changed here.")
        print("Type a command such as `report credit`, `report customers`, `customer search NAME`, "
              "`khata show ID`; `help` lists them, `quit` leaves.")
        with review_session(session):
            _loop(args)
    finally:
        session.close()
    return 0


def _loop(outer) -> None:
    from kiosk.cli import build_parser

    while True:
        try:
            line = input("review> ")
        except EOFError:
            print()
            return
        try:
            words = shlex.split(line)
        except ValueError as exc:
            print(f"kiosk: {exc}", file=sys.stderr)
            continue
        if not words:
            continue
        if words[0] in ("quit", "exit", "q"):
            return
        if words[0] == "help":
            words = ["--help"]
        if words[0] in NOT_IN_REVIEW:
            print(f"kiosk: `{words[0]}` is not available in review", file=sys.stderr)
            continue
        _run(build_parser(), words, outer)


def _run(parser, words: list[str], outer) -> None:
    try:
        args = parser.parse_args(words)
    except SystemExit:  # --help or a usage error: argparse has printed it
        return
    args.db = outer.db
    try:
        args.func(args)
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
    except Exception as exc:  # e.g. the read-only database refusing a write: one line, the review goes on
        print(f"kiosk: refused: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
              file=sys.stderr)
    sys.stdout.flush()
