"""Users, PIN logins and the till's lockout, on SQLite and PostgreSQL.

The clock is injected (`now=`): nothing here sleeps.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.pins import verify_pin
from kiosk.services import users
from kiosk.services.context import Context, open_shop
from kiosk.services.users import LoginRefused, TillLocked
from tests.conftest import OWNER_PIN
from tests.domain.test_pins import legacy_hash

T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


def acting(shop: Context, user, till: str | None = None) -> Context:
    return Context(db=shop.db, shop=shop.shop, user=user, till=till or shop.till)


def audit_rows(action: str):
    from kiosk.store.models import AuditLog

    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def user_row(name: str):
    from kiosk.store.models import User

    return User.get(User.name == name)


@pytest.fixture
def staff(shop):
    """The shop with a manager, a cashier and a viewer: (owner, manager, cashier, viewer) refs."""
    return (shop.user, users.add_user(shop, "Bilal", "manager", "5555"),
            users.add_user(shop, "Sana", "cashier", "6666"), users.add_user(shop, "Zara", "viewer", "7777"))


# --- Adding users ---------------------------------------------------------------------------------


def test_an_owner_adds_a_user_with_a_peppered_hash_and_tag_and_an_audit_row(shop, memory_keyring):
    sana = users.add_user(shop, "  Sana   Bibi ", "cashier", "6666")
    assert (sana.name, sana.role) == ("Sana Bibi", "cashier")
    row = user_row("Sana Bibi")
    pepper = bytes.fromhex(memory_keyring.entries[("kiosk", "pepper")])
    assert row.pin_hash.startswith("scrypt-pepper$") and verify_pin("6666", row.pin_hash, pepper)
    assert not verify_pin("6666", row.pin_hash, bytes(32))  # the keyring's pepper, not any
    assert len(row.pin_tag) == 64 and row.created_by_id == shop.user.id
    [added] = audit_rows("user.add")
    assert added.record == "Sana Bibi" and added.user_id == shop.user.id and json.loads(added.detail)["role"] == "cashier"


@pytest.mark.parametrize(
    ("name", "role", "pin", "message"),
    [("Sana", "cashier", "666", "pin: must be 4 to 8 digits"),
     ("Sana", "cashier", "123456789", "pin: must be 4 to 8 digits"),
     ("Sana", "cashier", "66a6", "pin: must be 4 to 8 digits"),
     ("Sana", "cashier", "٦٦٦٦", "pin: must be 4 to 8 digits"),
     ("Sana", "cashier", OWNER_PIN, "pin: another user already has this PIN"),
     ("owner", "cashier", "6666", "user: a user named 'owner' already exists"),
     ("Sana", "boss", "6666", "role: 'boss' is not one of owner, manager, cashier, viewer"),
     ("   ", "cashier", "6666", "name: is required")],
)
def test_bad_users_are_refused_with_the_field_named_and_nothing_changes(shop, name, role, pin, message):
    from kiosk.store.models import User

    with pytest.raises(KioskError, match=message):
        users.add_user(shop, name, role, pin)
    assert User.select().count() == 1 and audit_rows("user.add") == []


@pytest.mark.parametrize("role", ["manager", "cashier", "viewer"])
def test_only_an_owner_manages_users(staff, shop, role):
    who = {"manager": staff[1], "cashier": staff[2], "viewer": staff[3]}[role]
    ctx = acting(shop, who)
    refused = f"{who.name} is a {role}: only owners can manage users"
    with pytest.raises(KioskError, match=refused):
        users.add_user(ctx, "Kashif", "cashier", "8888")
    with pytest.raises(KioskError, match=refused):
        users.reset_pin(ctx, "Sana", "8888")
    with pytest.raises(KioskError, match=refused):
        users.disable_user(ctx, "Sana")
    with pytest.raises(KioskError, match=refused):
        users.set_role(ctx, "Sana", "manager")
    with pytest.raises(KioskError, match="nobody is logged in: only owners can manage users"):
        users.add_user(acting(shop, None), "Kashif", "cashier", "8888")


def test_a_manager_may_list_users_and_unlock_a_viewer_or_cashier_may_not(staff, shop):
    _owner, manager, cashier, viewer = staff
    assert [u.name for u in users.list_users(acting(shop, manager))] == ["owner", "Bilal", "Sana", "Zara"]
    for who in (cashier, viewer):
        with pytest.raises(KioskError, match="only managers and owners can list users"):
            users.list_users(acting(shop, who))
        with pytest.raises(KioskError, match="only managers and owners can unlock a till"):
            users.unlock(acting(shop, who))


# --- Logging in -----------------------------------------------------------------------------------


def test_the_right_pin_logs_in_its_user_and_is_audited_with_the_till(staff, shop):
    got = users.login(shop, "6666", now=T0)
    assert got == staff[2]
    [ok] = audit_rows("login.ok")
    assert (ok.record, ok.user_id, ok.till) == ("Sana", staff[2].id, shop.till)
    assert user_row("Sana").last_login_at == T0


def test_a_malformed_pin_is_refused_and_not_counted(shop):
    for pin in ("12", "abcd", "123456789", ""):
        with pytest.raises(ValidationError, match="pin: must be 4 to 8 digits"):
            users.login(shop, pin, now=T0)
    assert audit_rows("login.failed") == []
    assert users.till_locks(shop) == []


def test_five_wrong_pins_lock_the_till_for_30_s_then_each_further_one_doubles_the_wait(shop):
    now = T0
    for attempt in range(1, 5):
        with pytest.raises(LoginRefused, match="login: wrong PIN") as exc:
            users.login(shop, "0000", now=now)
        assert not isinstance(exc.value, TillLocked)
    assert "(1 more and this till locks)" in str(exc.value)
    with pytest.raises(LoginRefused, match="wrong PIN; this till is now locked for 30 s after 5 wrong PINs in a row"):
        users.login(shop, "0000", now=now)

    # While locked, even the right PIN is not checked; the refusal says for how long.
    with pytest.raises(TillLocked, match="login: locked for 20 s after 5 wrong PINs") as exc:
        users.login(shop, OWNER_PIN, now=now + dt.timedelta(seconds=10))
    assert exc.value.seconds == 20
    locked = audit_rows("login.locked")
    assert len(locked) == 1 and json.loads(locked[0].detail)["seconds"] == 20

    waits = []
    for _ in range(6):  # after each lock runs out, one more wrong PIN: 60, 120, 240, 480, 900 (cap), 900
        now += dt.timedelta(seconds=users.MAX_LOCK_SECONDS + 1)
        with pytest.raises(LoginRefused) as exc:
            users.login(shop, "0000", now=now)
        waits.append(users.till_locks(shop, now=now)[0].locked_for)
    assert waits == [60, 120, 240, 480, 900, 900]
    assert "locked for 15 min after 11 wrong PINs" in str(exc.value)
    assert len(audit_rows("login.failed")) == 11

    # Once the lock runs out, the right PIN logs in and the count starts again.
    now += dt.timedelta(seconds=900)
    assert users.login(shop, OWNER_PIN, now=now) == shop.user
    assert users.till_locks(shop) == []


def test_the_lock_survives_a_restart_and_belongs_to_the_till(shop, db_url):
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users.login(shop, "0000", now=T0)
    shop.close()
    again = open_shop(db_url)
    try:
        with pytest.raises(TillLocked, match="locked for 30 s"):
            users.login(again, OWNER_PIN, now=T0)
        other_till = Context(db=again.db, shop=again.shop, user=None, till="till-2")
        assert users.login(other_till, OWNER_PIN, now=T0).role == "owner"
    finally:
        again.close()


def test_a_manager_or_owner_unlocks_the_till_and_the_audit_names_them(staff, shop):
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users.login(shop, "0000", now=T0)
    assert users.unlock(acting(shop, staff[1]), person="Sana") == 1
    assert users.login(shop, "6666", now=T0) == staff[2]
    [row] = audit_rows("login.unlock")
    assert row.user_id == staff[1].id and row.record == shop.till
    assert json.loads(row.detail) == {"cleared": 1, "person": "Sana"}
    assert users.unlock(shop) == 0  # nothing left to clear
    with pytest.raises(NotFound, match="no user is called 'Nobody'"):
        users.unlock(shop, person="Nobody")


def test_unlock_all_tills_or_a_named_one(shop):
    for till in ("till-2", "till-3"):
        ctx = Context(db=shop.db, shop=shop.shop, user=None, till=till)
        with pytest.raises(LoginRefused):
            users.login(ctx, "0000", now=T0)
    assert users.unlock(shop, "till-2") == 1
    assert [s.till for s in users.till_locks(shop)] == ["till-3"]
    assert users.unlock(shop, all_tills=True) == 1
    assert users.till_locks(shop) == []


def test_a_disabled_user_cannot_log_in_and_the_try_counts(staff, shop):
    users.disable_user(shop, "Sana", now=T0)
    assert user_row("Sana").disabled_at == T0 and not user_row("Sana").active
    with pytest.raises(LoginRefused, match="login: Sana is disabled; ask the owner"):
        users.login(shop, "6666", now=T0)
    [failed] = audit_rows("login.failed")
    assert json.loads(failed.detail)["reason"] == "disabled"
    assert users.till_locks(shop)[0].failures == 1
    with pytest.raises(KioskError, match="pin: another user already has this PIN"):  # still hers
        users.add_user(shop, "Kashif", "cashier", "6666")
    users.enable_user(shop, "Sana")
    assert users.login(shop, "6666", now=T0) == staff[2]
    with pytest.raises(KioskError, match="Sana is already enabled"):
        users.enable_user(shop, "Sana")


def test_the_shop_always_keeps_an_active_owner(shop):
    with pytest.raises(KioskError, match="owner is the shop's only active owner: add or enable another owner"):
        users.disable_user(shop, "owner")
    with pytest.raises(KioskError, match="owner is the shop's only active owner: make another user an owner"):
        users.set_role(shop, "owner", "manager")
    second = users.add_user(shop, "Amina", "owner", "9999")
    users.set_role(shop, "owner", "manager")  # now allowed: Amina is an owner
    as_amina = acting(shop, second)
    with pytest.raises(KioskError, match="Amina is the shop's only active owner"):
        users.disable_user(as_amina, "Amina")
    users.set_role(as_amina, "owner", "owner")
    users.disable_user(as_amina, "Amina")  # an owner may disable herself while another owner remains
    assert [(u.name, u.role, u.active) for u in users.list_users(shop)] == [("owner", "owner", True),
                                                                           ("Amina", "owner", False)]
    [changed, back] = audit_rows("user.role")
    assert json.loads(changed.detail) == {"new": "manager", "old": "owner"}


def test_reset_pin_replaces_the_old_one_at_once(staff, shop):
    users.reset_pin(shop, "Sana", "8080")
    with pytest.raises(LoginRefused):
        users.login(shop, "6666", now=T0)
    assert users.login(shop, "8080", now=T0) == staff[2]
    with pytest.raises(KioskError, match="another user already has this PIN"):
        users.reset_pin(shop, "Sana", "5555")
    users.reset_pin(shop, "Sana", "8080")  # her own PIN again is fine
    with pytest.raises(NotFound, match="no user is called 'Nobody'"):
        users.reset_pin(shop, "Nobody", "1212")
    assert len(audit_rows("user.reset_pin")) == 2


def test_override_pins_count_toward_the_lock(staff, shop):
    assert users.user_by_pin(shop, "5555") == staff[1]
    assert users.user_by_pin(shop, "12") is None  # malformed: None, as before, and not counted
    for _ in range(5):
        assert users.user_by_pin(shop, "0000") is None
    with pytest.raises(TillLocked):
        users.user_by_pin(shop, "5555")
    assert {json.loads(r.detail)["purpose"] for r in audit_rows("login.failed")} == {"override"}


def test_the_old_names_in_services_shop_still_work(shop):
    from kiosk.services.shop import ROLES, add_user, user_by_pin

    assert ROLES == users.ROLES
    manager = add_user(shop, "Bilal", "manager", "5555")
    assert user_by_pin(shop, "5555") == manager and user_by_pin(shop, "5556") is None


# --- Peppers and hashes made before them ----------------------------------------------------------


def test_users_made_before_peppers_still_log_in_and_are_rehashed_with_the_pepper(shop, memory_keyring):
    from kiosk.store.models import User

    User.update(pin_hash=legacy_hash(OWNER_PIN), pin_tag=None).where(User.name == "owner").execute()
    with pytest.raises(KioskError, match="another user already has this PIN"):  # found without a tag too
        users.add_user(shop, "Kashif", "cashier", OWNER_PIN)
    assert users.list_users(shop)[0].pin.startswith("old hash")
    assert users.login(shop, OWNER_PIN, now=T0) == shop.user
    row = user_row("owner")
    pepper = bytes.fromhex(memory_keyring.entries[("kiosk", "pepper")])
    assert row.pin_hash.startswith("scrypt-pepper$") and verify_pin(OWNER_PIN, row.pin_hash, pepper)
    assert row.pin_tag is not None
    assert users.login(shop, OWNER_PIN, now=T0) == shop.user  # now by its tag


def test_a_shop_from_before_peppers_gets_one_on_first_need(shop, memory_keyring):
    from kiosk.devices import secrets
    from kiosk.store.models import User

    User.update(pin_hash=legacy_hash(OWNER_PIN), pin_tag=None).execute()
    memory_keyring.entries.clear()
    secrets.forget()
    assert users.login(shop, OWNER_PIN, now=T0) == shop.user
    assert ("kiosk", "pepper") in memory_keyring.entries


def test_a_lost_pepper_is_named_and_never_replaced_silently(shop, memory_keyring):
    from kiosk.devices import secrets

    memory_keyring.entries.clear()
    secrets.forget()
    with pytest.raises(KioskError, match="this shop's PINs were made with a pepper that is not in this machine's"):
        users.login(shop, OWNER_PIN, now=T0)
    assert memory_keyring.entries == {}


def test_another_pepper_is_named_not_counted_as_wrong_pins(shop, memory_keyring):
    from kiosk.devices import secrets

    memory_keyring.entries[("kiosk", "pepper")] = bytes(range(32)).hex()
    secrets.forget()
    for _ in range(6):
        with pytest.raises(KioskError, match="this machine's pepper .* is not the one this shop's PINs were made with"):
            users.login(shop, OWNER_PIN, now=T0)
    assert users.till_locks(shop) == []
