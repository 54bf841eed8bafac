"""init, migrate, demo, check, backup, restore: the shop's database as a whole."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.cli.common import opened_shop, read_new_pin, url_of
from kiosk.domain.errors import KioskError


def register(commands) -> None:
    p = commands.add_parser("init", help="create a new shop: database, migrations, settings, first owner",
                            description="Create and migrate the database and the first owner. The owner PIN "
                            "is asked twice on a terminal, or read as two lines from standard input. "
                            "The machine's secrets (the pepper PIN hashes are keyed with) go to the desktop "
                            "keyring when there is one; on a headless till an encrypted file is set up "
                            "(secrets.cfg in Kiosk's data directory, named in keyring.cfg in its config "
                            "directory, or $KIOSK_KEYRING_CONFIG), its password from $KIOSK_KEYRING_PASSWORD "
                            "or asked on the terminal. Back that file up with the database.")
    p.add_argument("--shop-name", required=True, help="the shop's name as printed on receipts")
    p.add_argument("--country", required=True, help="two-letter country code: PK, KE, GH, ID, …")
    p.add_argument("--currency", required=True, help="ISO 4217 code: PKR, KES, GHS, IDR, …")
    p.add_argument("--locale", help="display locale for money and dates (default from the country, e.g. en_PK)")
    p.add_argument("--owner", default="owner", help="the first owner's user name (default: owner)")
    p.add_argument("--encrypt", action="store_true",
                   help="encrypt the SQLite file with SQLCipher; its key is made and kept in the keyring")
    p.set_defaults(func=cmd_init)

    p = commands.add_parser("encrypt", help="encrypt the shop's SQLite file with SQLCipher, in place (owner)",
                            description="Converts the plain SQLite database to SQLCipher under a key kept in "
                            "the machine's keyring. Stop the tills first. A plain backup is kept until the "
                            "encrypted file opens with the keyring's key and holds every row, then deleted. "
                            "From then on the database opens only on a machine with that keyring (or its "
                            "secrets file): back the keyring up with the database.")
    p.set_defaults(func=cmd_encrypt)

    p = commands.add_parser("migrate", help="apply pending migrations (a SQLite file is backed up first)")
    p.add_argument("--status", action="store_true", help="list applied and pending migrations, change nothing")
    p.set_defaults(func=cmd_migrate)

    p = commands.add_parser("demo", help="create the demo shop the first time, then open the till on it",
                            description="On a terminal the till opens (PINs: owner 1111, manager 2222, "
                            "cashier 3333); otherwise (CI, a pipe) a summary and the credit report are printed.")
    p.add_argument("--reset", action="store_true", help="throw the demo shop away and make a new one")
    p.add_argument("--no-till", action="store_true", help="print the summary instead of opening the till")
    p.set_defaults(func=cmd_demo)

    p = commands.add_parser("check", help="verify every invariant of the books; exit 1 listing each problem")
    p.set_defaults(func=cmd_check)

    p = commands.add_parser("backup", help="a consistent online copy of the shop's SQLite database")
    p.add_argument("file", type=Path, help="where to write the copy (must not exist)")
    p.set_defaults(func=cmd_backup)

    p = commands.add_parser("restore", help="replace the shop's SQLite database with a backup")
    p.add_argument("file", type=Path, help="a backup made by `kiosk backup`")
    p.set_defaults(func=cmd_restore)


def cmd_init(args) -> int:
    from kiosk.services.shop import init_shop

    pin = read_new_pin("Owner PIN")
    url = url_of(args)
    if not url.startswith("postgres") and Path(url).exists():
        raise KioskError(f"{url} already exists: it holds a shop (use --db for a new one)")
    ctx = init_shop(url, name=args.shop_name, country=args.country, currency=args.currency,
                    owner_pin=pin, owner_name=args.owner, locale=args.locale, encrypt=args.encrypt)
    print(f"Created {ctx.shop.name} ({ctx.shop.country}, {ctx.shop.currency}) at {url}; owner: {args.owner}"
          + (" (encrypted)" if args.encrypt else ""))
    from kiosk.devices.secrets import describe

    kept = "The PIN pepper and the database key are" if args.encrypt else "The PIN pepper is"
    print(f"{kept} kept in {describe()}")
    ctx.close()
    return 0


def cmd_encrypt(args) -> int:
    from kiosk.devices.secrets import describe
    from kiosk.services.encryption import encrypt_shop

    with opened_shop(args) as ctx:
        path = encrypt_shop(ctx)
    print(f"Encrypted {path}; its key is kept in {describe()}: back that up with the database, "
          "without it the books cannot be opened")
    return 0


def cmd_migrate(args) -> int:
    from kiosk.services.context import database_key
    from kiosk.store.db import migrate, migration_status, open_database

    db = open_database(url_of(args), key=database_key)
    try:
        if args.status:
            for name, applied in migration_status(db):
                print(f"{'applied' if applied else 'pending'}  {name}")
            return 0
        applied, backup = migrate(db)
    finally:
        db.close()
    if backup:
        print(f"Backed up to {backup}")
    print(f"Applied {', '.join(applied)}" if applied else "Up to date: no pending migrations")
    return 0


def cmd_demo(args) -> int:
    from kiosk.services.demo import DEMO_PINS, open_demo

    ctx, created = open_demo(reset=args.reset)
    try:
        where = ctx.db.database
        print(f"{'Created' if created else 'Opened'} the demo shop {ctx.shop.name!r} at {where}")
        print("Demo PINs: " + ", ".join(f"{role} {pin}" for role, pin in DEMO_PINS.items()))
        till = sys.stdin.isatty() and sys.stdout.isatty() and not args.no_till
        if not till:  # CI, a pipe: today's summary
            print()
            from kiosk.cli.report_cmds import print_credit_report
            from kiosk.services.reports import credit_report

            print_credit_report(ctx, credit_report(ctx))
    finally:
        ctx.close()
    if till:
        from kiosk.cli.till_cmds import run_till

        return run_till(str(where), demo=True)
    return 0


def cmd_check(args) -> int:
    from kiosk.services.check import check

    with opened_shop(args) as ctx:
        problems = check(ctx)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("OK: khata balances and points match their entries, reversals point at what they undo, "
          "nothing is orphaned")
    return 0


def cmd_backup(args) -> int:
    from kiosk.store.db import backup_to

    with opened_shop(args) as ctx:
        backup_to(ctx.db, args.file)
    print(f"Backed up to {args.file}")
    return 0


def cmd_restore(args) -> int:
    from kiosk.store.db import is_postgres_url, restore_from

    url = url_of(args)
    if is_postgres_url(url):
        raise KioskError("restore of a PostgreSQL shop is done with pg_restore; `kiosk restore` replaces SQLite files")
    if not args.file.exists():
        raise KioskError(f"{args.file} does not exist")
    from kiosk.services.context import database_key

    old = restore_from(Path(url), args.file, key=database_key)
    print(f"Restored {url} from {args.file}" + (f"; the previous file is kept at {old}" if old else ""))
    return 0
