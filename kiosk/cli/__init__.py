"""The `kiosk` command line. Errors are one line on stderr and a non-zero exit, never a traceback.

Each command group lives in its own module with a `register(subparsers)` function; commands import
their services inside the handler so `kiosk --help` stays fast on an old till. The modules themselves
are imported when the parser is built, not with this package: `kiosk till` builds a parser of the till
command alone, so opening the till does not import every command's domain (about 120 ms and 12 MiB on
a 2-core till: the memory a cashier's screen has to live in).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from kiosk import __version__
from kiosk.domain.errors import KioskError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


#: Every command group's module, in the order `kiosk --help` lists them.
COMMAND_MODULES = ("shop_cmds", "customer_cmds", "khata_cmds", "product_cmds", "sale_cmds", "report_cmds", "io_cmds",
                   "seed_cmds", "config_cmds", "loyalty_cmds", "park_cmds", "refund_cmds", "audit_cmds", "user_cmds",
                   "review_cmds", "till_cmds", "statement_cmds", "print_cmds")
#: Commands that are parsed by their own module alone (see the module doc).
ALONE = {"till": "till_cmds"}


def _command(argv: list[str]) -> str | None:
    """The command word of `argv`: the first word that is not an option or --db's value."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--db":
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
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
    for name in modules:
        importlib.import_module(f"kiosk.cli.{name}").register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    alone = ALONE.get(_command(argv) or "")
    parser = build_parser((alone,) if alone else COMMAND_MODULES)
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
