"""Add and edit a customer: every field, a refused field named and focused with nothing saved, Esc,
and the tier (a manager pins it; a cashier adding a customer cannot set it)."""

from __future__ import annotations

import datetime as dt

from tests.ui.conftest import CASHIER, MANAGER


def _get(url: str, fn):
    from kiosk.services.context import open_shop

    ctx = open_shop(url)
    try:
        return fn(ctx)
    finally:
        ctx.close()


async def open_form(pilot, login, pin: str):
    await login(pilot, pin)
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("ctrl+n")
    await pilot.pause()
    form = pilot.app.screen
    assert type(form).__name__ == "CustomerFormScreen"
    assert pilot.app.focused.id == "field-name"
    return form


async def fill(pilot, form, values: dict[str, str]) -> None:
    for field, text in values.items():
        box = form.query_one(f"#field-{field}")
        box.value = ""
        box.focus()
        await pilot.press(*[" " if ch == " " else ch for ch in text])
    await pilot.pause()


async def test_add_with_every_field(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, login, MANAGER)
        await fill(pilot, form, {
            "name": "Saima  Akhtar", "phone": "0312-7654321", "cnic": "42101-7654321-3",
            "email": "Saima@Example.com", "address": "12 Mall Road, Lahore", "business": "Akhtar Tailors",
            "birth_date": "14/08/1990", "notes": "prefers Urdu receipts", "credit_limit": "7500",
        })
        form.query_one("#field-tier").value = "VIP"
        form.query_one("#field-group").value = "Wholesale"
        await pilot.press("ctrl+s")
        await pilot.pause()
        profile = till.screen
        assert type(profile).__name__ == "ProfileScreen"
        saved = profile.customer
    assert (saved.name, saved.phone, saved.cnic, saved.email) == (
        "Saima Akhtar", "+923127654321", "4210176543213", "saima@example.com")
    assert (saved.address, saved.business, saved.notes) == ("12 Mall Road, Lahore", "Akhtar Tailors",
                                                            "prefers Urdu receipts")
    assert saved.birth_date == dt.date(1990, 8, 14)
    assert saved.credit_limit == 7_500_00
    assert saved.tier.value == "VIP" and saved.group == "Wholesale"


async def test_a_refused_field_is_named_and_nothing_is_saved(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, login, CASHIER)
        await fill(pilot, form, {"name": "Bad Email", "email": "not-an-email"})
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is form
        assert "email" in str(form.query_one("#form-message").render())
        assert till.focused.id == "field-email"
        await fill(pilot, form, {"email": "", "credit_limit": "12abc"})
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is form and till.focused.id == "field-credit_limit"
        await pilot.press("escape")
        await pilot.pause()
        assert type(till.screen).__name__ == "CustomersScreen"

    def named(ctx):
        from kiosk.services import customers

        return customers.search(ctx, "Bad Email", include_archived=True)

    assert _get(till.url, named) == []


async def test_a_cashier_adds_but_cannot_set_the_tier(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, login, CASHIER)
        assert form.query_one("#field-tier").disabled
        await fill(pilot, form, {"name": "Walk In Wali", "phone": "03019876543"})
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen.customer.name == "Walk In Wali"
        assert till.screen.customer.tier.value == "New"


async def test_up_and_down_move_between_fields(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, login, CASHIER)
        await pilot.press("down", "down")
        assert till.focused.id == "field-cnic"
        await pilot.press("up")
        assert till.focused.id == "field-phone"


async def test_edit_clears_the_credit_limit_and_pins_a_tier(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"ahmed", "enter")
        await pilot.pause()
        profile = till.screen
        assert profile.customer.credit_limit == 20_000_00
        await pilot.press("e")
        await pilot.pause()
        form = till.screen
        assert form.value("credit_limit") == "20000.00" and form.value("phone") == "0300 1234567"
        await fill(pilot, form, {"credit_limit": ""})
        form.query_one("#field-tier").value = "Regular"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert till.screen is profile
        assert profile.customer.credit_limit is None and profile.customer.tier.value == "Regular"
        assert profile.customer.phone == "+923001234567"

    def audit_rows(ctx):
        from kiosk.services import audit

        return [(row.action, row.detail) for row in audit.read(ctx, action="customer.")]

    rows = _get(till.url, audit_rows)
    edits = [detail for action, detail in rows if action == "customer.edit"]
    assert edits and edits[0]["fields"] == ["credit_limit"]
    assert any(action == "customer.tier" and detail.get("pinned") for action, detail in rows)


async def test_snapshot(till, login, snap):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, login, MANAGER)
        await snap(pilot, "customer-form-80x24")
