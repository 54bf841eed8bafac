"""The `kiosk` command line. Errors are one line on stderr and a non-zero exit, never a traceback.

Each command group lives in its own module with a `register(subparsers)` function; commands import
their services inside the handler so `kiosk --help` stays fast on an old till.
"""

from __future__ import annotations

import argparse
import os
import sys

from kiosk import __version__
from kiosk.cli import (
    audit_cmds,
    config_cmds,
    customer_cmds,
    io_cmds,
    khata_cmds,
    loyalty_cmds,
    park_cmds,
    print_cmds,
    product_cmds,
    refund_cmds,
    review_cmds,
    report_cmds,
    sale_cmds,
    seed_cmds,
    shop_cmds,
    statement_cmds,
    till_cmds,
    user_cmds,
)
from kiosk.domain.errors import KioskError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Kiosk: a keyboard-only till with a khata (credit ledger) and loyalty.",
        epilog="The database is --db, else $KIOSK_DB, else kiosk.db in the user data directory. "
        "A SQLite path or a postgresql:// URL.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("--db", metavar="PATH|URL", help="the shop's database (SQLite file or postgresql:// URL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for module in (shop_cmds, customer_cmds, khata_cmds, product_cmds, sale_cmds, report_cmds, io_cmds, seed_cmds,
                   config_cmds, loyalty_cmds, park_cmds, refund_cmds, audit_cmds,
                   user_cmds, review_cmds, till_cmds, statement_cmds, print_cmds):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("kiosk: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line, and the traceback only when asked for
        if os.environ.get("KIOSK_DEBUG"):
            raise
        print(f"kiosk: internal error: {type(exc).__name__}: {exc} (set KIOSK_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
