"""Users, roles and PIN logins, with the till's wrong-PIN lockout.

Roles: cashier (sells), manager (also refunds, overrides, reports, …), owner (also users, settings,
backups), viewer (reads reports, customers and khata; changes nothing). Only an owner manages users,
and a shop always keeps at least one active owner.

A PIN is 4 to 8 digits and unique in the shop: a cashier types a PIN, not a name. PINs are hashed
with the machine's pepper from the keyring (kiosk.domain.pins, kiosk.devices.secrets); the pepper is
fetched here, never in the domain.

Lockout: logins are by PIN alone, so a wrong PIN can't be pinned on a user; the *till* counts wrong
PINs in a row (table login_lock, so a restart does not reset it). After 5 the till's login is locked
for 30 s, and each further wrong PIN (once the lock has run out) doubles the wait, up to 15 minutes.
While locked, no PIN is even checked. A right PIN resets the count; so does a manager or owner
(`unlock`). Manager PINs typed for an override count too: the override prompt is no way around the
lock. Every attempt writes an audit row: login.ok, login.failed or login.locked, with the till.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.pins import check_pin_format, hash_pepper_id, hash_pin, needs_rehash, pepper_id, pin_tag, verify_pin
from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import users as users_store
from kiosk.store.db import write_transaction
from kiosk.store.shop import UserRef, audit

ROLES = ("owner", "manager", "cashier", "viewer")
#: Who may add, disable, enable users, reset their PINs and change their roles.
MANAGE_ROLES = ("owner",)
#: Who may see the list of users (names, roles, last logins; never PINs).
LIST_ROLES = ("owner", "manager")
#: Who may clear a till's wrong-PIN lock.
UNLOCK_ROLES = ("owner", "manager")

MAX_WRONG = 5
FIRST_LOCK_SECONDS = 30
MAX_LOCK_SECONDS = 15 * 60
MAX_NAME = 60


class LoginRefused(KioskError):
    """A wrong PIN, or a disabled user's PIN."""


class TillLocked(LoginRefused):
    """Too many wrong PINs in a row: this till's login is locked for `seconds` more."""

    def __init__(self, seconds: int, failures: int):
        super().__init__(f"login: locked for {format_seconds(seconds)} after {failures} wrong PINs in a row; "
                         "wait, or ask a manager or owner to unlock this till (`kiosk user unlock`)")
        self.seconds = seconds
        self.failures = failures


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as `kiosk user list` shows them: never the PIN or its hash."""

    name: str
    role: str
    active: bool
    pin: str  # "peppered" or "old hash (re-hashed at the next login)"
    created_at: dt.datetime | None
    created_by: str | None
    disabled_at: dt.datetime | None
    last_login_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LockInfo:
    till: str
    failures: int
    locked_for: int  # seconds from now; 0 when not locked
    last_failure_at: dt.datetime | None


# --- Helpers --------------------------------------------------------------------------------------


def lock_seconds(failures: int) -> int:
    """How long the till locks after `failures` wrong PINs in a row: 0 below 5, then 30 s doubling to 15 min."""
    if failures < MAX_WRONG:
        return 0
    return min(FIRST_LOCK_SECONDS * 2 ** min(failures - MAX_WRONG, 20), MAX_LOCK_SECONDS)


def format_seconds(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now()).replace(microsecond=0)


def _require(ctx: Context, roles: tuple[str, ...], what: str) -> UserRef:
    if roles == MANAGE_ROLES:
        return require(ctx, Permission.MANAGE_USERS)
    return require(ctx, Permission.LIST_USERS if what.startswith(("list", "see")) else Permission.UNLOCK)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError("role", f"{role!r} is not one of {', '.join(ROLES)}")
    return role


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("name", "is required")
    if len(name) > MAX_NAME:
        raise ValidationError("name", f"is {len(name)} characters; at most {MAX_NAME}")
    if not name.isprintable():
        raise ValidationError("name", "has control characters")
    return name


def shop_pepper(ctx: Context) -> bytes:
    """The pepper this shop's PINs are hashed with, from this machine's keyring.

    A shop made before peppers existed gets one on first need (nothing depends on it yet). A shop
    whose PINs already carry a pepper never gets a new one silently: that would lock everyone out."""
    from kiosk.devices import secrets

    pepper = secrets.get_pepper(demo=ctx.shop.demo)
    if pepper is None:
        if users_store.a_peppered_hash() is not None:
            raise KioskError(
                "keyring: this shop's PINs were made with a pepper that is not in this machine's keyring "
                f"({secrets.describe(demo=ctx.shop.demo)}): restore the keyring or secrets file of the till "
                "that ran `kiosk init`, or copy its pepper here")
        pepper = secrets.make_pepper(demo=ctx.shop.demo)
    return pepper


def _check_same_pepper(pepper: bytes) -> None:
    """No user matched: if the shop's PINs were made with another pepper, say so (every PIN would be
    "wrong" and the till would lock) instead of counting a failure."""
    stored = users_store.a_peppered_hash()
    if stored is not None and hash_pepper_id(stored) != pepper_id(pepper):
        raise KioskError(
            f"keyring: this machine's pepper ({pepper_id(pepper)}) is not the one this shop's PINs were made "
            f"with ({hash_pepper_id(stored)}): copy the keyring or secrets file of the till that ran `kiosk init`")


def _unique_pin(pin: str, pepper: bytes, tag: str, *, except_id: int | None = None) -> None:
    """Refuse a PIN another user has: the tag's unique index, and the users made before peppers."""
    taken = users_store.by_tag(tag)
    if taken is not None and taken.id != except_id:
        raise KioskError("pin: another user already has this PIN; choose another")
    for user in users_store.untagged():
        if user.id != except_id and verify_pin(pin, user.pin_hash):
            raise KioskError("pin: another user already has this PIN; choose another")


# --- Managing users -------------------------------------------------------------------------------


def check_can_manage(ctx: Context, what: str = "manage users", *, name: str | None = None) -> None:
    """Refuse early (before a PIN is asked) when the acting user may not manage users, or `name` is no user."""
    _require(ctx, MANAGE_ROLES, what)
    if name is not None:
        users_store.by_name(name)


def add_user(ctx: Context, name: str, role: str, pin: str) -> UserRef:
    """A new user with a unique PIN (owner only)."""
    actor = _require(ctx, MANAGE_ROLES, "add users")
    name = _check_name(name)
    _check_role(role)
    check_pin_format(pin)
    pepper = shop_pepper(ctx)
    tag = pin_tag(pin, pepper)
    _unique_pin(pin, pepper, tag)
    pin_hash = hash_pin(pin, pepper)  # the slow part, before the write lock is taken
    with write_transaction(ctx.db):
        user = users_store.insert(name, role, pin_hash, tag, created_by=actor.id)
        audit("user.add", name, user=actor, till=ctx.till, role=role)
    return user


def list_users(ctx: Context) -> list[UserInfo]:
    _require(ctx, LIST_ROLES, "list users")
    return [UserInfo(u.name, u.role, u.active, "peppered" if u.pin_tag else "old hash (re-hashed at next login)",
                     u.created_at, u.created_by, u.disabled_at, u.last_login_at)
            for u in sorted(users_store.all_users(), key=_list_order)]


def _list_order(u) -> tuple:
    """Active first; owners, managers, cashiers, viewers; then by name, whatever its case."""
    return (not u.active, ROLES.index(u.role) if u.role in ROLES else len(ROLES), u.name.casefold())


def reset_pin(ctx: Context, name: str, pin: str) -> UserRef:
    """Give a user a new PIN (owner only); the old one stops working at once."""
    actor = _require(ctx, MANAGE_ROLES, "reset PINs")
    user = users_store.by_name(name)
    check_pin_format(pin)
    pepper = shop_pepper(ctx)
    tag = pin_tag(pin, pepper)
    _unique_pin(pin, pepper, tag, except_id=user.id)
    pin_hash = hash_pin(pin, pepper)
    with write_transaction(ctx.db):
        users_store.set_pin(user.id, pin_hash, tag)
        audit("user.reset_pin", user.name, user=actor, till=ctx.till)
    return user.ref


def disable_user(ctx: Context, name: str, *, now: dt.datetime | None = None) -> UserRef:
    """A disabled user can't log in; their history stays. Never the last active owner."""
    actor = _require(ctx, MANAGE_ROLES, "disable users")
    with write_transaction(ctx.db):
        owners = users_store.lock_active_owners()
        user = users_store.by_name(name, lock=True)
        if not user.active:
            raise KioskError(f"user: {user.name} is already disabled")
        if user.id in owners and len(owners) == 1:
            raise KioskError(f"user: {user.name} is the shop's only active owner: add or enable another owner "
                             "before disabling them")
        users_store.set_active(user.id, False, _now(now))
        audit("user.disable", user.name, user=actor, till=ctx.till, role=user.role)
    return user.ref


def enable_user(ctx: Context, name: str) -> UserRef:
    actor = _require(ctx, MANAGE_ROLES, "enable users")
    with write_transaction(ctx.db):
        user = users_store.by_name(name, lock=True)
        if user.active:
            raise KioskError(f"user: {user.name} is already enabled")
        users_store.set_active(user.id, True, None)
        audit("user.enable", user.name, user=actor, till=ctx.till, role=user.role)
    return user.ref


def set_role(ctx: Context, name: str, role: str) -> UserRef:
    """Change a user's role (owner only); the last active owner can't be demoted."""
    actor = _require(ctx, MANAGE_ROLES, "change roles")
    _check_role(role)
    with write_transaction(ctx.db):
        owners = users_store.lock_active_owners()
        user = users_store.by_name(name, lock=True)
        if user.role == role:
            raise KioskError(f"user: {user.name} is already a {role}")
        if user.id in owners and len(owners) == 1:
            raise KioskError(f"user: {user.name} is the shop's only active owner: make another user an owner "
                             "before changing their role")
        users_store.set_role(user.id, role)
        audit("user.role", user.name, user=actor, till=ctx.till, old=user.role, new=role)
    return UserRef(user.id, user.name, role)


# --- Logging in -----------------------------------------------------------------------------------


def login(ctx: Context, pin: str, *, now: dt.datetime | None = None, purpose: str = "login") -> UserRef:
    """The active user whose PIN this is, or `LoginRefused` / `TillLocked` (see the module doc).

    `purpose` ("login", "override", "review") goes into the audit row. A PIN that is not 4 to 8
    digits can't be anyone's: it is refused as malformed and not counted. `now` is for tests."""
    check_pin_format(pin)
    now = _now(now)
    pepper = shop_pepper(ctx)
    state = users_store.till_lock(ctx.till)
    if state.locked_until is not None and state.locked_until > now:
        seconds = max(1, int((state.locked_until - now).total_seconds()))
        with write_transaction(ctx.db):
            audit("login.locked", "", user=None, till=ctx.till, purpose=purpose, failures=state.failures,
                  seconds=seconds)
        raise TillLocked(seconds, state.failures)

    # The slow part (scrypt) outside the write transaction, so other tills are not kept waiting.
    tag = pin_tag(pin, pepper)
    user = users_store.by_tag(tag)
    if user is not None and not verify_pin(pin, user.pin_hash, pepper):
        user = None  # a tag collision without the hash: can't happen short of tampering
    if user is None:
        user = next((u for u in users_store.untagged() if verify_pin(pin, u.pin_hash)), None)
        if user is None:
            _check_same_pepper(pepper)
    fresh_hash = hash_pin(pin, pepper) if user is not None and user.active and needs_rehash(user.pin_hash) else None

    with write_transaction(ctx.db):
        state = users_store.till_lock(ctx.till, lock=True)
        if user is not None and user.active:
            if fresh_hash:  # a user made before peppers: peppered and tagged now
                users_store.set_pin(user.id, fresh_hash, tag)
            if state.failures:
                users_store.clear_till_lock(ctx.till)
            users_store.touch_login(user.id, now)
            audit("login.ok", user.name, user=user.ref, till=ctx.till, purpose=purpose)
            return user.ref
        failures = state.failures + 1
        wait = lock_seconds(failures)
        users_store.save_till_lock(ctx.till, failures, now + dt.timedelta(seconds=wait) if wait else None, now)
        reason = "disabled" if user is not None else "wrong PIN"
        audit("login.failed", user.name if user else "", user=None, till=ctx.till, purpose=purpose, reason=reason,
              failures=failures)
    if user is not None:
        message = f"login: {user.name} is disabled; ask the owner"
    else:
        message = "login: wrong PIN"
    if wait:
        message += f"; this till is now locked for {format_seconds(wait)} after {failures} wrong PINs in a row"
    elif failures >= MAX_WRONG - 2:
        left = MAX_WRONG - failures
        message += f" ({left} more and this till locks)"
    raise LoginRefused(message)


def user_by_pin(ctx: Context, pin: str, *, now: dt.datetime | None = None) -> UserRef | None:
    """The active user whose PIN this is, or None: for a manager's PIN typed for an override.

    It goes through `login` (purpose "override"), so wrong PINs count toward the till's lock and are
    audited; a locked till raises `TillLocked` rather than answering None."""
    try:
        return login(ctx, pin, now=now, purpose="override")
    except TillLocked:
        raise
    except LoginRefused:
        return None
    except ValidationError:
        return None


def till_locks(ctx: Context, *, now: dt.datetime | None = None) -> list[LockInfo]:
    _require(ctx, UNLOCK_ROLES, "see the tills' login locks")
    now = _now(now)
    return [LockInfo(s.till, s.failures,
                     max(0, int((s.locked_until - now).total_seconds())) if s.locked_until else 0,
                     s.last_failure_at)
            for s in users_store.till_locks()]


def unlock(ctx: Context, till: str | None = None, *, all_tills: bool = False, person: str | None = None) -> int:
    """Clear the wrong-PIN lock of `till` (default: this till), or of every till; manager or owner.

    `person`, when given, is the user being let back in, for the audit row. Returns how many tills
    had a lock or a count to clear."""
    actor = _require(ctx, UNLOCK_ROLES, "unlock a till's login")
    if person is not None:
        person = users_store.by_name(person).name
    with write_transaction(ctx.db):
        if all_tills:
            cleared = users_store.clear_all_till_locks()
            target = "*"
        else:
            target = till or ctx.till
            cleared = int(users_store.clear_till_lock(target))
        audit("login.unlock", target, user=actor, till=ctx.till, cleared=cleared, **({"person": person} if person else {}))
    return cleared
