"""F6 Loyalty: a customer's points by expiry and their history, adjusting points and pinning a tier
(managers), the shop's loyalty settings (read only for a cashier) and campaigns added and ended."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.ui.screens.customer_picker import CustomerPicker
from kiosk.ui.screens.loyalty import LoyaltyScreen
from kiosk.ui.screens.loyalty_forms import AdjustPointsForm, CampaignForm, ConfirmScreen, SettingForm, TierForm
from kiosk.ui.screens.loyalty_settings import LABELS, LoyaltySettingsScreen
from tests.ui.conftest import AHMED_PHONE, CASHIER, MANAGER, OWNER
from tests.ui.test_khata import errors, make_history, type_into

TODAY = dt.date.today()


def ahmed(till) -> int:
    from kiosk.services import customers

    return customers.find_by_phone(till.session.ctx, AHMED_PHONE).id


async def open_loyalty(pilot, login, pin: str, customer_id=None) -> LoyaltyScreen:
    app = pilot.app
    await login(pilot, pin)
    app.selected_customer_id = customer_id or ahmed(app)
    await pilot.press("f6")
    await pilot.pause()
    assert isinstance(app.screen, LoyaltyScreen)
    return app.screen


def cells(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def points(till, customer_id) -> int:
    from kiosk.services import loyalty

    return loyalty.balance(till.session.ctx, customer_id)


async def test_points_by_expiry_and_history(shop_url, till, login):
    from kiosk.services import loyalty

    customer_id = make_history(shop_url)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_loyalty(pilot, login, CASHIER, customer_id)
        history = loyalty.history(till.session.ctx, customer_id)
        assert history.balance == 1_700
        lots = cells(screen.query_one("#points-lots"))
        assert lots == [["2028-01-05", "900", "1"], ["2028-03-01", "800", "1"]]  # spent nearest expiry first
        rows = cells(screen.query_one("#points-history"))
        assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
            ("2025-01-05", "Earned", "+1,200", "1,200", "2028-01-05", "welcome points"),
            ("2025-03-01", "Earned", "+800", "2,000", "2028-03-01", "festival bonus"),
            ("2025-03-02", "Taken back", "-300", "1,700", "", "points given in error"),
        ]
        summary = str(screen.query_one("#points-summary").render())
        assert "Rashid Mehmood" in summary and "tier New" in summary
        assert "1,700 points, worth Rs17.00" in summary and "next expiry 900 on 2028-01-05" in summary


async def test_without_a_customer_the_picker_asks(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await till.run_action("mode('loyalty')")
        await pilot.pause()
        assert isinstance(till.screen, CustomerPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, LoyaltyScreen)
        assert "No customer chosen" in str(till.screen.query_one("#points-summary").render())
        await pilot.press("a")  # greyed out without a customer
        await pilot.pause()
        assert isinstance(till.screen, LoyaltyScreen)


async def test_manager_adjusts_points_and_bad_input_changes_nothing(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_loyalty(pilot, login, MANAGER)
        customer_id = screen.customer.id
        before = points(till, customer_id)
        await pilot.press("a")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, AdjustPointsForm)
        for typed, reason, message in (
                ("abc", "x", "points: 'abc' is not a whole number of points like 500 or -200"),
                ("0", "x", "points: must not be zero"),
                ("1.5", "x", "points: '1.5' is not a whole number of points"),
                ("250", "", "reason: a points adjustment needs a reason"),
                ("-999999", "too many", "adjust: take back: 999999 points asked, the customer has")):
            await type_into(pilot, "#points", typed)
            await type_into(pilot, "#reason", reason)
            await pilot.press("enter")
            await pilot.pause()
            assert till.screen is form and errors(notes)[-1].startswith(message)
            assert points(till, customer_id) == before
        await type_into(pilot, "#points", "250")
        await type_into(pilot, "#reason", "sorry for the wait")
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen and points(till, customer_id) == before + 250
        assert (f"Points added 250: balance {before + 250:,} points", "information") in notes
        last = cells(screen.query_one("#points-history"))[-1]
        assert last[2:5] == ["Earned", "+250", f"{before + 250:,}"] and last[6] == "sorry for the wait"


async def test_a_cashier_sees_points_but_cannot_adjust_or_pin(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_loyalty(pilot, login, CASHIER)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert till.screen is screen
        refusal = "Sana is a cashier: only managers and owners can adjust points, pin tiers or run campaigns"
        assert errors(notes) == [refusal, refusal]


async def test_manager_pins_a_tier_and_unpins_it(till, login, notes):
    from kiosk.services import customers

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_loyalty(pilot, login, MANAGER)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(till.screen, TierForm)
        await pilot.press(*"gold", "enter")
        await pilot.pause()
        assert errors(notes)[-1] == "tier: 'gold' is not a tier: New, Regular, VIP"
        await type_into(pilot, "#tier", "vip")
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen and customers.get(till.session.ctx, screen.customer.id).tier == "VIP"
        assert "tier VIP" in str(screen.query_one("#points-summary").render())
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"auto", "enter")
        await pilot.pause()
        assert customers.get(till.session.ctx, screen.customer.id).tier == "New"
        assert notes[-1] == ("Tier New (sales decide it)", "information")


# --- The shop's loyalty settings -------------------------------------------------------------------


async def open_settings(pilot, login, pin: str) -> LoyaltySettingsScreen:
    await open_loyalty(pilot, login, pin)
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LoyaltySettingsScreen)
    return pilot.app.screen


async def test_the_settings_show_every_loyalty_key(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login, CASHIER)
        rows = cells(screen.query_one("#loyalty-settings"))
        assert [r[0] for r in rows] == list(LABELS.values())
        assert rows[1] == ["Earn: per amount paid", "Rs100.00", "Rs100.00"]
        assert rows[5] == ["Expiry (months)", "never", "never"]
        assert rows[12] == ["Multiplier: VIP", "x2", "x2"]
        rates = str(screen.query_one("#loyalty-rates").render())
        assert rates == "Earn 50 pts per Rs100.00 · 100 pts = Rs1.00 · min 500 · expiry never"
        assert "Loyalty settings (read only)" in str(screen.query_one("SessionBar").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, LoyaltyScreen)


async def test_a_cashier_cannot_change_settings_or_campaigns(till, login, notes):
    from kiosk.services import settings

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login, CASHIER)
        for key in ("enter", "e", "a", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert till.screen is screen
        assert errors(notes) == [
            "Sana is a cashier: only managers and owners can change the loyalty and checkout settings",
            "Sana is a cashier: only managers and owners can change the loyalty and checkout settings",
            "Sana is a cashier: only managers and owners can adjust points, pin tiers or run campaigns",
            "Sana is a cashier: only managers and owners can adjust points, pin tiers or run campaigns",
        ]
        assert settings.get(till.session.ctx, "loyalty.earn_points") == 50


async def test_manager_changes_a_setting_and_it_is_kept(till, login, notes):
    from kiosk.services import settings

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login, MANAGER)
        table = screen.query_one("#loyalty-settings")
        table.move_cursor(row=list(LABELS).index("loyalty.earn_per"))
        await pilot.pause()
        assert str(screen.query_one("#loyalty-setting-doc").render()).startswith("the amount paid that earns")
        await pilot.press("enter")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, SettingForm) and form.query_one("#setting-value").value == "100.00"
        for typed, message in (("-5", "loyalty.earn_per: '-5' is negative"),
                               ("0", "loyalty.earn_per: must be more than zero"),
                               ("lots", "loyalty.earn_per: 'lots' is not an amount")):
            await type_into(pilot, "#setting-value", typed)
            await pilot.press("enter")
            await pilot.pause()
            assert till.screen is form and errors(notes)[-1].startswith(message)
        assert settings.get(till.session.ctx, "loyalty.earn_per") == 100_00
        await type_into(pilot, "#setting-value", "250")
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen
        assert settings.get(till.session.ctx, "loyalty.earn_per") == 250_00
        assert cells(table)[1] == ["Earn: per amount paid", "Rs250.00", "Rs100.00"]
        assert ("Earn: per amount paid: Rs250.00", "information") in notes

        table.move_cursor(row=list(LABELS).index("loyalty.tier.vip_from"))
        await pilot.press("e")
        await pilot.pause()
        await type_into(pilot, "#setting-value", "3")  # below regular_from (4): both keys named
        await pilot.press("enter")
        await pilot.pause()
        assert errors(notes)[-1] == ("loyalty.tier.vip_from: 3 must be above loyalty.tier.regular_from (4): "
                                     "lower that first")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, LoyaltyScreen)
    # kept: a new till on the same shop reads it
    from kiosk.services.context import open_shop

    ctx = open_shop(till.url)
    try:
        assert settings.get(ctx, "loyalty.earn_per") == 250_00
    finally:
        ctx.close()


async def test_campaigns_are_added_and_ended(till, login, notes):
    from kiosk.services import loyalty

    start, end = TODAY, TODAY + dt.timedelta(days=29)
    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, login, OWNER)
        assert "none yet (a adds one)" in str(screen.query_one("#campaigns-heading").render())
        assert screen.query_one("#loyalty-campaigns").row_count == 0
        await pilot.press("x")
        await pilot.pause()
        assert errors(notes)[-1] == "end campaign: there are no campaigns"
        await pilot.press("a")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, CampaignForm)
        await pilot.press(*"Ramadan double")
        await type_into(pilot, "#campaign-to", end.strftime("%d/%m/%Y"))
        for field, typed, message in (("#campaign-multiplier", "0.5", "multiplier: 0.5 is below the minimum 1"),
                                      ("#campaign-multiplier", "", "multiplier: is empty"),
                                      ("#campaign-to", "next month", "to: 'next month' is not a date"),
                                      ("#campaign-tiers", "gold", "tier: 'gold' is not a tier")):
            await type_into(pilot, "#campaign-multiplier", "2")
            await type_into(pilot, "#campaign-to", end.isoformat())
            await type_into(pilot, "#campaign-tiers", "")
            await type_into(pilot, field, typed)
            await pilot.press("enter")
            await pilot.pause()
            assert till.screen is form and errors(notes)[-1].startswith(message)
        assert loyalty.list_campaigns(till.session.ctx) == []
        await type_into(pilot, "#campaign-multiplier", "2")
        await type_into(pilot, "#campaign-tiers", "vip, regular")
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen
        [record] = loyalty.list_campaigns(till.session.ctx)
        c = record.campaign
        assert (c.name, c.start, c.end, str(c.multiplier), [t.value for t in c.tiers], record.active) == (
            "Ramadan double", start, end, "2", ["VIP", "Regular"], True)
        assert cells(screen.query_one("#loyalty-campaigns")) == [
            ["Ramadan double", start.isoformat(), end.isoformat(), "x2", "all", "VIP,Regular", "running"]]
        assert notes[-1][0].startswith("Campaign 'Ramadan double': points x2")

        await pilot.press("x")
        await pilot.pause()
        assert isinstance(till.screen, ConfirmScreen)
        await pilot.press("escape")  # no: nothing ends
        await pilot.pause()
        assert loyalty.list_campaigns(till.session.ctx)[0].active
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen and not loyalty.list_campaigns(till.session.ctx)[0].active
        assert cells(screen.query_one("#loyalty-campaigns"))[0][-1] == "ended"
        assert notes[-1] == ("Campaign 'Ramadan double' ended", "information")
        await pilot.press("x")
        await pilot.pause()
        assert errors(notes)[-1] == "campaign 'Ramadan double' has already been ended"


async def test_the_loyalty_keys_are_in_help_with_their_ids(till, login):
    from kiosk.ui.screens.help import key_rows

    async with till.run_test(size=(80, 24)) as pilot:
        screen = await open_loyalty(pilot, login, CASHIER)
        here, _ = key_rows(screen)
        assert [binding_id for _key, _does, binding_id in here] == [
            "loyalty.adjust", "loyalty.tier", "loyalty.settings", "loyalty.customer"]
        await pilot.press("s")
        await pilot.pause()
        here, _ = key_rows(till.screen)
        assert [binding_id for _key, _does, binding_id in here] == [
            "loyalty_settings.edit", "loyalty_settings.add_campaign", "loyalty_settings.end_campaign",
            "loyalty_settings.back"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_loyalty_snapshot(shop_url, till, login, snap, size):
    customer_id = make_history(shop_url)
    async with till.run_test(size=size) as pilot:
        await open_loyalty(pilot, login, MANAGER, customer_id)
        await pilot.pause()
        await snap(pilot, f"loyalty-{size[0]}x{size[1]}")


async def test_loyalty_settings_snapshot(till, login, snap):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot, login, CASHIER)
        await snap(pilot, "loyalty-settings-80x24")
