"""Helpers every command shares: opening the shop, reading PINs and amounts, printing tables."""

from __future__ import annotations

import getpass
import os
import sys
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from kiosk.domain.errors import KioskError
from kiosk.domain.pins import check_pin_format
from kiosk.paths import database_url


def url_of(args) -> str:
    return database_url(getattr(args, "db", None))


#: The session a command runs in when it is typed inside `kiosk review`: already logged in, read-only.
_session: ContextVar = ContextVar("kiosk_session", default=None)

PIN_ENV = "KIOSK_PIN"


@contextmanager
def opened_shop(args, *, login: bool = True):
    """The shop named by --db / $KIOSK_DB, open for one command and closed after it, acting as the user
    whose PIN is in $KIOSK_PIN or typed on the terminal (`login=False`: as the shop's first owner, for
    the few commands that run before anyone can log in). Inside `kiosk review`, its read-only session."""
    from kiosk.services.context import open_shop

    if (session := _session.get()) is not None:
        yield session
        return
    ctx = open_shop(url_of(args))
    try:
        if login:
            ctx.user = log_in(ctx)
        yield ctx
    finally:
        ctx.close()


def read_pin(prompt: str = "PIN") -> str:
    """$KIOSK_PIN, else asked on the terminal without echo; a script with neither is told how."""
    pin = os.environ.get(PIN_ENV)
    if pin is not None:
        return pin.strip()
    if not sys.stdin.isatty():
        raise KioskError(f"pin: set {PIN_ENV} or run the command on a terminal to be asked for a PIN")
    return getpass.getpass(f"{prompt}: ").strip()


def log_in(ctx, prompt: str = "PIN"):
    """The user whose PIN this is (audited; wrong PINs count towards the till's lockout)."""
    from kiosk.services import users

    return users.login(ctx, read_pin(prompt))


@contextmanager
def review_session(ctx):
    """Run commands inside `kiosk review` against `ctx` (read-only) instead of opening the shop."""
    token = _session.set(ctx)
    try:
        yield
    finally:
        _session.reset(token)


def send_print_jobs(ctx) -> None:
    """After a sale, refund or payment: send what it queued for the receipt printer. The action is
    booked already, so a printer that is off is one line on stderr and the job waits in the queue."""
    from kiosk.services import printing

    for result in printing.send_pending(ctx):
        if not result.printed:
            print(f"kiosk: printer: job {result.job_id} is waiting ({result.error}); see `kiosk printer queue`",
                  file=sys.stderr)


def read_new_pin(prompt: str = "Owner PIN") -> str:
    """Asked twice on a terminal; read as two lines from standard input when it is not one."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt} (4 to 8 digits): ")
        second = getpass.getpass(f"{prompt} again: ")
    else:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2:
            raise KioskError("pin: give the PIN twice, on two lines of standard input")
        first, second = lines[0].strip(), lines[1].strip()
    check_pin_format(first)
    if first != second:
        raise KioskError("pin: the two PINs do not match")
    return first


def new_key() -> str:
    """An idempotency key made by the client before it submits."""
    return uuid.uuid4().hex


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    """A plain aligned table; `right` holds the indexes of money columns."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join(s.rstrip() for s in out)


def progress(total: int, label: str):
    """A progress bar on a terminal (stderr), nothing when piped. Returns advance(n)."""
    if not sys.stderr.isatty() or total <= 0:
        return lambda n=1: None
    done = 0
    last_pct = -1

    def advance(n: int = 1) -> None:
        nonlocal done, last_pct
        done += n
        pct = min(100, done * 100 // total)
        if pct != last_pct:
            last_pct = pct
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r{label} [{bar:<25}] {pct:3d}%")
            if pct == 100:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return advance
