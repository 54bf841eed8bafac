"""The customer profile: the summary card, the tabs and their keys, reprint, refund (a manager; a
cashier with a manager's PIN), edit (a cashier is refused), archive, merge; snapshots at rest.

On the small test shop: Ahmed Khan (03001234567) has two credit sales on his khata (Atta 10kg; Sugar
1kg and Tea 200g), Fatima Bibi and Imran Ali none.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ui.conftest import AHMED_PHONE, CASHIER, MANAGER, OWNER


def _act(url: str, fn):
    """Do something to the shop through the services before the till opens, as its owner."""
    from kiosk.services.context import open_shop

    ctx = open_shop(url)
    try:
        return fn(ctx)
    finally:
        ctx.close()


def _ahmed(ctx):
    from kiosk.services import customers

    return customers.find_by_phone(ctx, AHMED_PHONE)


async def open_profile(pilot, login, pin: str, text: str = AHMED_PHONE):
    await login(pilot, pin)
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press(*text, "enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert type(screen).__name__ == "ProfileScreen"
    return screen


def text_of(widget) -> str:
    """What a Static shows, as plain text (its content rendered at its width)."""
    import io

    from rich.console import Console

    console = Console(width=max(widget.size.width, 40), file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def rows_of(table) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_the_summary_card(till, login):
    async with till.run_test(size=(120, 40)) as pilot:
        profile = await open_profile(pilot, login, CASHIER)
        card = text_of(profile.query_one("#summary"))
        assert "Ahmed Khan" in card and "0300 1234567" in card
        for figure in ("Rs1,980.00", "Rs990.00", "Rs20,000.00", "Atta 10kg ×1", "Sugar 1kg ×1"):
            assert figure in card, figure
        today = dt.date.today().isoformat()
        assert card.count(today) == 2  # first and last purchase
        assert till.selected_customer_id == profile.customer_id


async def test_tabs_switch_by_number_and_tab(till, shop_url, login):
    def pay(ctx):
        from kiosk.services import khata

        khata.receive(ctx, _ahmed(ctx).id, 1_000_00, method="cash", note="part payment")

    _act(shop_url, pay)
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, CASHIER)
        tabs = profile.query_one("#profile-tabs")
        assert tabs.active == "purchases"
        purchases = rows_of(profile.query_one("#purchase-table"))
        assert len(purchases) == 2 and "Rs530.00" in purchases[0][3]
        items = text_of(profile.query_one("#purchase-items"))
        assert "Sugar 1kg" in items and "Tea 200g" in items
        await pilot.press("down")
        await pilot.pause()
        assert "Atta 10kg" in text_of(profile.query_one("#purchase-items"))

        await pilot.press("2")
        await pilot.pause()
        assert tabs.active == "khata"
        assert till.focused.id == "khata-table"
        khata = rows_of(profile.query_one("#khata-table"))
        assert len(khata) == 3
        assert khata[-1][1].startswith("payment (cash)") and khata[-1][4].strip() == "Rs980.00"

        await pilot.press("tab")
        await pilot.pause()
        assert tabs.active == "payments"
        payments = rows_of(profile.query_one("#payment-table"))
        assert payments == [[dt.date.today().isoformat(), "cash", "Rs1,000.00", "part payment"]]

        await pilot.press("4")
        await pilot.pause()
        assert tabs.active == "points"
        assert profile.query_one("#points-table").row_count >= 1  # the paid part earned points
        await pilot.press("tab")
        await pilot.pause()
        assert tabs.active == "purchases"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert tabs.active == "points"
        await pilot.press("1")
        await pilot.pause()
        assert tabs.active == "purchases" and till.focused.id == "purchase-table"


async def test_keys_have_ids(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, MANAGER)
        ids = {b.binding.id for b in profile.active_bindings.values() if b.binding.id}
        for action in ("back", "edit", "archive", "merge", "reprint", "refund", "next_tab", "khata", "points"):
            assert f"profile.{action}" in ids, action


async def test_reprint_shows_the_receipt(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_profile(pilot, login, CASHIER)
        await pilot.press("p")
        await pilot.pause()
        receipt = till.screen
        assert type(receipt).__name__ == "ReceiptScreen"
        text = text_of(receipt.query_one("#receipt-body"))
        assert receipt.receipt.sale_id == "ahmed-1"
        assert "Sugar 1kg" in text and "Rs530.00" in text and "Test Kiryana" in text
        await pilot.press("escape")
        await pilot.pause()
        assert type(till.screen).__name__ == "ProfileScreen"


async def test_refund_by_a_manager_with_preview(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, MANAGER)
        await pilot.press("r")  # the newest purchase: Sugar 1kg and Tea 200g, all on the khata
        await pilot.pause()
        refund = till.screen
        assert type(refund).__name__ == "RefundScreen"
        preview = text_of(refund.query_one("#refund-preview"))
        assert "Rs530.00" in preview and "Off the khata" in preview
        await pilot.press("down", "space")  # leave the tea out
        await pilot.pause()
        assert refund.chosen == {1}
        assert "Rs150.00" in text_of(refund.query_one("#refund-preview"))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert till.screen is profile
        assert "Rs1,830.00" in text_of(profile.query_one("#summary"))  # 1,980 less the sugar
        first = rows_of(profile.query_one("#purchase-table"))[0]
        assert first[5].strip() == "Rs150.00"
        assert "refunded 1" in text_of(profile.query_one("#purchase-items"))


async def test_a_cashier_refunds_with_a_managers_pin(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, CASHIER)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert type(till.screen).__name__ == "ManagerPinScreen"
        await pilot.press("escape")  # no manager: nothing booked
        await pilot.pause()
        assert type(till.screen).__name__ == "RefundScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert type(till.screen).__name__ == "ManagerPinScreen"
        await pilot.press(*MANAGER, "enter")
        await pilot.pause()
        await pilot.pause()
        assert till.screen is profile
        assert "Rs1,450.00" in text_of(profile.query_one("#summary"))  # the 530 came off the khata

    def approved(ctx):
        from kiosk.services import audit

        return [(row.user, row.detail.get("approved_by")) for row in audit.read(ctx, action="refund")]

    rows = _act(till.url, approved)
    assert len(rows) == 1 and rows[0][0] == "Sana" and rows[0][1] is not None


async def test_a_cashier_may_not_edit_archive_or_merge(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, CASHIER)
        for key in ("e", "a", "m"):
            await pilot.press(key)
            await pilot.pause()
            assert till.screen is profile
        errors = [text for text, severity in notes if severity == "error"]
        assert errors[0] == "Sana is a cashier: only managers and owners can edit a customer"
        assert "archive, delete or merge customers" in errors[1] and len(errors) == 3


async def test_edit_a_field(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, MANAGER)
        await pilot.press("e")
        await pilot.pause()
        form = till.screen
        assert type(form).__name__ == "CustomerFormScreen"
        assert form.value("name") == "Ahmed Khan"
        business = form.query_one("#field-business")
        business.focus()
        await pilot.press(*"Khan General Store", "enter")
        await pilot.pause()
        assert till.screen is profile
        assert profile.customer.business == "Khan General Store"
        assert "Khan General Store" in text_of(profile.query_one("#summary"))
        assert profile.customer.phone == "+923001234567"  # the rest as it was


async def test_archive_hides_from_the_list_and_unarchive_brings_back(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, MANAGER, text="ahmed")
        await pilot.press("a")
        await pilot.pause()
        assert profile.customer.archived
        assert "ARCHIVED" in text_of(profile.query_one("#summary"))
        await pilot.press("escape")
        await pilot.pause()
        listing = till.screen
        assert listing.text == "ahmed" and listing.table.row_count == 0
        await pilot.press("escape")  # clear: the others are there, Ahmed is not
        await pilot.pause()
        assert [row.name for row in listing.table.loaded] == ["Fatima Bibi", "Imran Ali"]
        while listing.flag != 5:  # archived
            await pilot.press("ctrl+f")
            await pilot.pause()
        assert [row.name for row in listing.table.loaded] == ["Ahmed Khan"]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert not till.screen.customer.archived


async def test_merge_a_duplicate_into_this_customer(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, OWNER)
        await pilot.press("m")
        await pilot.pause()
        merge = till.screen
        assert type(merge).__name__ == "MergeScreen"
        await pilot.press(*"fatima")
        await pilot.pause()
        assert [c.name for c in merge.found] == ["Fatima Bibi"]
        await pilot.press("enter")
        await pilot.pause()
        confirm = text_of(merge.query_one("#merge-confirm"))
        assert "Fatima Bibi" in confirm and "into" in confirm
        await pilot.press("ctrl+w", "ctrl+w")  # swap and back: Ahmed stays the kept one
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is profile and profile.customer.name == "Ahmed Khan"
        await pilot.press("escape", "escape")  # back to the list, and clear its search
        await pilot.pause()
        listing = till.screen
        assert [row.name for row in listing.table.loaded] == ["Ahmed Khan", "Imran Ali"]

    def fatima(ctx):
        from kiosk.services import customers

        return customers.search(ctx, "Fatima", include_archived=True)[0]

    assert _act(till.url, fatima).archived


async def test_esc_in_merge_goes_back_a_step(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        profile = await open_profile(pilot, login, MANAGER)
        await pilot.press("m", *"imran", "enter")
        await pilot.pause()
        merge = till.screen
        assert merge.other is not None
        await pilot.press("escape")
        await pilot.pause()
        assert merge.other is None and till.screen is merge
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is profile


# --- Snapshots ---------------------------------------------------------------------------------------


def _make_regular(url: str) -> None:
    """Rashid, whose purchases have fixed dates, so the picture is the same every day."""
    from kiosk.domain.tenders import Method, TenderRequest
    from kiosk.services import customers, sales
    from kiosk.services.sales import ItemRequest

    def make(ctx):
        rashid = customers.add(ctx, name="Rashid Mehmood", phone="03331112223", credit_limit=5_000_00,
                               business="Mehmood Tea Stall", group="Wholesale")
        for n, (day, items, method) in enumerate([
            (dt.date(2025, 1, 5), ["1001", "1002"], Method.CASH),
            (dt.date(2025, 2, 9), ["1004", "1004"], Method.KHATA),
            (dt.date(2025, 3, 1), ["1003"], Method.CARD),
        ]):
            sales.sell(ctx, sale_id=f"rashid-{n}", items=[ItemRequest(c) for c in items],
                       tenders=[TenderRequest(method)], customer_id=rashid.id, date=day)

    _act(url, make)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_snapshot(till, shop_url, login, snap, size):
    _make_regular(shop_url)
    async with till.run_test(size=size) as pilot:
        await open_profile(pilot, login, MANAGER, text="rashid")
        await snap(pilot, f"profile-{size[0]}x{size[1]}")
