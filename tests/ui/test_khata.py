"""F4 Khata: the ledger and its running balance, payments, "gave" entries, reversals (and a manager's PIN
for a cashier's), promised dates, the statement preview, refusals by role and bad input; the picker."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.domain.khata import EntryKind
from kiosk.ui.screens.customer_picker import CustomerPicker
from kiosk.ui.screens.khata import KhataScreen
from kiosk.ui.screens.khata_forms import GaveForm, PaymentForm, PromiseForm, ReverseForm, StatementScreen
from kiosk.ui.screens.manager_pin import ManagerPinScreen
from kiosk.ui.widgets.ledger_table import LedgerTable
from tests.ui.conftest import AHMED_PHONE, CASHIER, MANAGER, VIEWER

TODAY = dt.date.today()
AHMED_OWES = 1_450_00 + 150_00 + 380_00  # two credit sales: Atta; Sugar and Tea


def ahmed(till) -> int:
    from kiosk.services import customers

    return customers.find_by_phone(till.session.ctx, AHMED_PHONE).id


def ledger(till, customer_id):
    from kiosk.services import khata

    return khata.ledger(till.session.ctx, customer_id)


async def open_ahmed(pilot, login, pin: str) -> tuple[KhataScreen, int]:
    app = pilot.app
    await login(pilot, pin)
    customer_id = ahmed(app)
    app.selected_customer_id = customer_id
    await pilot.press("f4")
    await pilot.pause()
    assert isinstance(app.screen, KhataScreen)
    return app.screen, customer_id


def errors(notes) -> list[str]:
    return [text for text, severity in notes if severity == "error"]


def table_rows(screen) -> list[list[str]]:
    table = screen.query_one(LedgerTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def type_into(pilot, selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector)
    box.focus()
    box.value = ""
    if text:
        await pilot.press(*text)
    await pilot.pause()


# --- Showing a ledger ------------------------------------------------------------------------------


async def test_f4_shows_the_selected_customers_ledger_with_the_services_running_balance(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        lines = ledger(till, customer_id)
        rows = table_rows(screen)
        assert [row[0] for row in rows] == [str(line.entry.id) for line in lines]
        assert [row[5] for row in rows] == [f"{line.running_balance / 100:,.2f}" for line in lines]
        assert rows[-1][5] == "1,980.00" and lines[-1].running_balance == AHMED_OWES
        summary = str(screen.query_one("#khata-summary").render())
        assert "Ahmed Khan" in summary and "0300 1234567" in summary
        assert "Owes Rs1,980.00" in summary and "limit Rs20,000.00" in summary and "no promise" in summary
        assert "Ageing 0-30 1,980.00 · 31-60 – · 61-90 – · 90+ –" in summary


async def test_open_khata_message_shows_that_customer(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        till.open_khata(ahmed(till))
        await pilot.pause()
        assert isinstance(till.screen, KhataScreen) and till.screen.customer.name == "Ahmed Khan"


async def test_coming_back_shows_what_changed_meanwhile(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        await pilot.press("f2")
        await pilot.pause()
        payment = _pay(till, customer_id)  # e.g. taken at another till
        await till.run_action("mode('khata')")
        await pilot.pause()
        assert till.screen is screen and table_rows(screen)[-1][0] == str(payment.id)


async def test_without_a_customer_the_picker_asks(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await till.run_action("mode('khata')")
        await pilot.pause()
        assert isinstance(till.screen, CustomerPicker)
        await pilot.press(*"zzzq")
        await pilot.pause()
        assert "No customer matches" in str(till.screen.query_one("#picker-status").render())
        await pilot.press("enter")  # nothing to take: stays
        assert isinstance(till.screen, CustomerPicker)
        for _ in "zzzq":
            await pilot.press("backspace")
        await pilot.press(*"0300")
        await pilot.pause()
        assert [c.name for c in till.screen.found] == ["Ahmed Khan"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(till.screen, KhataScreen) and till.screen.customer.name == "Ahmed Khan"
        assert till.selected_customer_id == till.screen.customer.id

        await pilot.press("c")  # another customer, Up/Down to choose among the matches
        await pilot.pause()
        await pilot.press(*"i")  # under 3 letters: names starting with it
        await pilot.pause()
        assert [c.name for c in till.screen.found] == ["Imran Ali"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(till.screen, KhataScreen) and till.screen.customer.name == "Ahmed Khan"


async def test_picker_up_and_down_choose_among_matches(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await till.run_action("mode('khata')")
        await pilot.pause()
        await pilot.press(*"ali")  # Ahmed Khan? no: Fatima Bibi? no: Imran Ali, and any name with "ali"
        await pilot.pause()
        assert [c.name for c in till.screen.found] == ["Imran Ali"]
        for _ in "ali":
            await pilot.press("backspace")
        await pilot.press(*"an")  # under 3 letters: names that start with it: none; "a": Ahmed only
        await pilot.pause()
        assert till.screen.found == []


# --- Payments --------------------------------------------------------------------------------------


async def test_cashier_records_a_payment_by_card(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        await pilot.press("p")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, PaymentForm) and form.query_one("#amount").value == ""  # no default amount
        await pilot.press(*"500.50", "tab", "enter", "down", "enter")  # method: the second, card
        await pilot.pause()
        assert form.query_one("#method").value == "card"
        assert till.focused is form.query_one("#date")  # on to the next field once a method is picked
        await type_into(pilot, "#note", "half now")
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen
        last = ledger(till, customer_id)[-1]
        assert (last.entry.kind, last.entry.amount, last.entry.method, last.entry.note, last.entry.date) == (
            EntryKind.CREDIT, 500_50, "card", "half now", TODAY)
        assert last.running_balance == AHMED_OWES - 500_50
        assert table_rows(screen)[-1][5] == "1,479.50"
        assert ("Payment of Rs500.50 by card recorded: balance Rs1,479.50", "information") in notes


@pytest.mark.parametrize(("field", "text", "message"), [
    ("#amount", "abc", "amount: 'abc' is not an amount like 1250.50"),
    ("#amount", "0", "amount: must be more than zero"),
    ("#amount", "", "amount: is empty"),
    ("#date", "2026-31-12", "date: '2026-31-12' is not a real date"),
    ("#date", "tomorrow", "date: 'tomorrow' is not a date like 2026-03-31 or 31/03/2026"),
])
async def test_bad_payment_input_names_the_field_and_changes_nothing(till, login, notes, field, text, message):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        before = ledger(till, customer_id)
        await pilot.press("p")
        await pilot.pause()
        form = till.screen
        await type_into(pilot, "#amount", "100")
        await type_into(pilot, field, text)
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is form  # still open, to fix the field
        assert errors(notes) and errors(notes)[-1].startswith(message)
        assert ledger(till, customer_id) == before
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is screen and ledger(till, customer_id) == before


async def test_a_double_enter_books_one_payment(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        before = len(ledger(till, customer_id))
        await pilot.press("p")
        await pilot.pause()
        form = till.screen
        await pilot.press(*"100")
        form.submit()
        form.submit()
        await pilot.pause()
        await pilot.pause()
        assert len(ledger(till, customer_id)) == before + 1


async def test_a_viewer_cannot_take_a_payment_or_reverse(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, _ = await open_ahmed(pilot, login, VIEWER)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert till.screen is screen
        assert errors(notes) == [
            "Vera is a viewer: only cashiers, managers and owners can take a khata payment",
            "Vera is a viewer: only managers and owners can reverse a khata entry",
            "Vera is a viewer: only cashiers, managers and owners can take a khata payment",
        ]


# --- "Gave" entries --------------------------------------------------------------------------------


async def test_a_cashier_cannot_record_a_gave_entry(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        before = ledger(till, customer_id)
        await pilot.press("g")
        await pilot.pause()
        assert till.screen is screen
        assert errors(notes) == ["Sana is a cashier: only managers and owners can record a manual khata entry"]
        assert ledger(till, customer_id) == before


async def test_manager_records_a_gave_entry_with_a_promised_date(till, login, notes):
    promised = TODAY + dt.timedelta(days=10)
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, MANAGER)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(till.screen, GaveForm)
        await pilot.press(*"250")
        await type_into(pilot, "#note", "cash for bus fare")
        await type_into(pilot, "#promised", promised.strftime("%d/%m/%Y"))
        await pilot.press("enter")
        await pilot.pause()
        last = ledger(till, customer_id)[-1].entry
        assert (last.kind, last.source, last.amount, last.note, last.promised_date) == (
            EntryKind.DEBIT, "gave", 250_00, "cash for bus fare", promised)
        assert ("Gave Rs250.00 recorded: balance Rs2,230.00", "information") in notes
        summary = str(screen.query_one("#khata-summary").render())
        assert f"pays by {promised.isoformat()} (in 10d)" in summary


async def test_gave_above_the_limit_needs_a_managers_pin(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, MANAGER)
        before = ledger(till, customer_id)
        await pilot.press("g")
        await pilot.pause()
        form = till.screen
        await pilot.press(*"19000", "enter")  # 1,980 + 19,000 > the 20,000 limit
        await pilot.pause()
        assert isinstance(till.screen, ManagerPinScreen)
        assert "credit above the limit" in till.screen.reason
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is form and ledger(till, customer_id) == before
        assert errors(notes)[-1].startswith("not saved: credit limit Rs20,000.00 would be exceeded")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*MANAGER, "enter")
        await pilot.pause()
        await pilot.pause()
        assert till.screen is screen
        last = ledger(till, customer_id)[-1]
        assert last.entry.amount == 19_000_00 and last.running_balance == AHMED_OWES + 19_000_00
        assert "over the limit" in str(screen.query_one("#khata-summary").render())


# --- Reversals -------------------------------------------------------------------------------------


def _pay(till, customer_id, amount=300_00):
    from kiosk.services import khata

    return khata.receive(till.session.ctx, customer_id, amount, method="cash", note="paid at the door")


async def test_manager_reverses_the_highlighted_entry_with_a_reason(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        payment = _pay(till, ahmed(till))
        till.selected_customer_id = ahmed(till)
        await pilot.press("f4")
        await pilot.pause()
        screen, customer_id = till.screen, ahmed(till)
        assert screen.query_one(LedgerTable).entry_at_cursor().id == payment.id  # the newest is highlighted
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(till.screen, ReverseForm) and not till.screen.needs_manager
        await pilot.press("enter")  # no reason yet
        await pilot.pause()
        assert errors(notes)[-1] == "reason: a reversal needs a reason" and isinstance(till.screen, ReverseForm)
        await pilot.press(*"counted twice", "enter")
        await pilot.pause()
        assert till.screen is screen
        last = ledger(till, customer_id)[-1]
        assert (last.entry.kind, last.entry.reverses_id, last.entry.note, last.entry.user) == (
            EntryKind.REVERSAL, payment.id, "counted twice", "Bilal")
        assert last.running_balance == AHMED_OWES
        assert (f"Entry #{payment.id} reversed by #{last.entry.id}: balance Rs1,980.00", "information") in notes
        rows = table_rows(screen)
        assert rows[-2][2].startswith(f"reversed by #{last.entry.id} · Payment · cash")

        await pilot.press("up", "r")  # the reversed payment again
        await pilot.pause()
        assert till.screen is screen
        assert errors(notes)[-1] == f"reverses: entry {payment.id} has already been reversed"


async def test_an_entry_of_a_sale_is_refused_before_any_reason_or_pin(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        screen, _ = await open_ahmed(pilot, login, CASHIER)
        table = screen.query_one(LedgerTable)
        table.move_cursor(row=0)
        await pilot.press("r")
        await pilot.pause()
        assert till.screen is screen
        assert errors(notes)[-1].startswith(f"reverses: entry {table.lines[0].entry.id} belongs to sale ahmed-0: "
                                            "refund the sale instead")


async def test_a_cashiers_reversal_needs_a_managers_pin_and_is_made_by_that_manager(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        payment = _pay(till, ahmed(till))
        till.selected_customer_id = ahmed(till)
        await pilot.press("f4")
        await pilot.pause()
        screen, customer_id = till.screen, ahmed(till)
        before = ledger(till, customer_id)
        await pilot.press("r")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, ReverseForm) and form.needs_manager
        assert "A manager's PIN will be asked for" in str(form.query_one(".form-warning").render())
        await pilot.press(*"wrong customer", "enter")
        await pilot.pause()
        assert isinstance(till.screen, ManagerPinScreen)
        assert till.screen.reason == f"reverse entry #{payment.id}: wrong customer"
        await pilot.press("escape")  # no manager: nothing happens
        await pilot.pause()
        assert till.screen is form and ledger(till, customer_id) == before
        assert errors(notes)[-1] == "not reversed: a manager's PIN is needed"

        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*CASHIER, "enter")  # a cashier's PIN does not approve
        await pilot.pause()
        assert isinstance(till.screen, ManagerPinScreen)
        await pilot.press(*MANAGER, "enter")
        await pilot.pause()
        await pilot.pause()
        assert till.screen is screen
        last = ledger(till, customer_id)[-1].entry
        assert (last.kind, last.reverses_id, last.user, last.note) == (
            EntryKind.REVERSAL, payment.id, "Bilal", "wrong customer (asked by Sana)")
        assert till.session.user.name == "Sana" and till.session.ctx.user.name == "Sana"


# --- Promised dates --------------------------------------------------------------------------------


async def test_a_promised_payment_date(till, login, notes):
    from kiosk.services import promises

    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        await pilot.press("d")
        await pilot.pause()
        form = till.screen
        assert isinstance(form, PromiseForm)
        for text, message in (("soon", "date: 'soon' is not a date like 2026-03-31 or 31/03/2026"),
                              ("", "date: is empty"),
                              ((TODAY - dt.timedelta(days=1)).isoformat(), "date: ")):
            await type_into(pilot, "#promise-date", text)
            await pilot.press("enter")
            await pilot.pause()
            assert till.screen is form and errors(notes)[-1].startswith(message)
        assert errors(notes)[-1].endswith("is in the past: a promise is for today or a day to come")
        assert promises.current(till.session.ctx, customer_id) is None
        on = TODAY + dt.timedelta(days=7)
        await type_into(pilot, "#promise-date", on.isoformat())
        await type_into(pilot, "#note", "after the harvest sale")
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen
        promise = promises.current(till.session.ctx, customer_id)
        assert (promise.promised_on, promise.owed, promise.note, promise.user) == (
            on, AHMED_OWES, "after the harvest sale", "Sana")
        assert f"pays by {on.isoformat()} (in 7d)" in str(screen.query_one("#khata-summary").render())
        assert (f"Promised payment date {on.isoformat()} recorded", "information") in notes

        _pay(till, customer_id, 500_00)  # part paid: what is left shows
        screen.refresh_view()
        await pilot.pause()
        assert f"pays by {on.isoformat()} (in 7d, Rs1,480.00 left)" in str(screen.query_one("#khata-summary").render())


async def test_no_promise_when_nothing_is_owed(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        _pay(till, ahmed(till), AHMED_OWES)
        till.selected_customer_id = ahmed(till)
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(till.screen, KhataScreen)
        assert errors(notes) == ["promise: Ahmed Khan owes nothing"]


# --- Statement -------------------------------------------------------------------------------------


async def test_statement_preview(till, login, notes):
    from kiosk.services import khata

    async with till.run_test(size=(80, 24)) as pilot:
        screen, customer_id = await open_ahmed(pilot, login, CASHIER)
        await pilot.press("s")
        await pilot.pause()
        preview = till.screen
        assert isinstance(preview, StatementScreen)
        st = khata.statement(till.session.ctx, customer_id, TODAY.replace(day=1), TODAY)
        text = lambda selector: str(preview.query_one(selector).render())  # noqa: E731
        assert "Opening balance Rs0.00" in text("#statement-opening")
        assert f"Closing balance Rs1,980.00 · {len(st.lines)} entries" in text("#statement-closing")
        assert text("#statement-pdf") == (f"PDF: kiosk statement {customer_id} --from {TODAY.replace(day=1)} "
                                          f"--to {TODAY} -o statement.pdf")
        assert preview.query_one(LedgerTable).row_count == len(st.lines) == 2

        tomorrow = TODAY + dt.timedelta(days=1)
        await type_into(pilot, "#statement-from", tomorrow.isoformat())
        await type_into(pilot, "#statement-to", tomorrow.isoformat())
        await pilot.press("enter")
        await pilot.pause()
        assert "Opening balance Rs1,980.00" in text("#statement-opening")
        assert preview.query_one(LedgerTable).row_count == 0

        await type_into(pilot, "#statement-from", "31/02/2026")
        await pilot.press("enter")
        await pilot.pause()
        assert errors(notes)[-1].startswith("from: '31/02/2026' is not a real date")
        await type_into(pilot, "#statement-from", (tomorrow + dt.timedelta(days=5)).isoformat())
        await pilot.press("enter")
        await pilot.pause()
        assert errors(notes)[-1].startswith("period: ends")
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is screen


# --- Keys and pictures -----------------------------------------------------------------------------


async def test_the_khata_keys_are_in_help_with_their_ids(till, login):
    from kiosk.ui.screens.help import key_rows

    async with till.run_test(size=(80, 24)) as pilot:
        screen, _ = await open_ahmed(pilot, login, CASHIER)
        here, _everywhere = key_rows(screen)
        assert [(key, binding_id) for key, _does, binding_id in here] == [
            ("p", "khata.payment"), ("g", "khata.gave"), ("r", "khata.reverse"), ("d", "khata.promise"),
            ("s", "khata.statement"), ("c", "khata.customer")]


def make_history(url: str) -> int:
    """A customer whose khata and points are all dated long ago, so the pictures do not change with the
    day they are taken: three debits, a payment, a reversed payment, a kept promise; points in lots."""
    from kiosk.services import customers, khata, loyalty, settings
    from kiosk.services.context import open_shop

    ctx = open_shop(url)
    try:
        c = customers.add(ctx, name="Rashid Mehmood", phone="03451112233", credit_limit=15_000_00)
        khata.give(ctx, c.id, 2_400_00, date=dt.date(2025, 1, 5), note="rice and ghee")
        khata.give(ctx, c.id, 850_00, date=dt.date(2025, 1, 19), note="school fees advance")
        paid = khata.receive(ctx, c.id, 1_000_00, method="JazzCash", date=dt.date(2025, 2, 1))
        khata.reverse(ctx, paid.id, reason="payment bounced", date=dt.date(2025, 2, 2))
        khata.receive(ctx, c.id, 1_500_00, method="cash", date=dt.date(2025, 2, 10), note="half")
        khata.give(ctx, c.id, 3_125_50, date=dt.date(2025, 3, 1), note="wedding order: sugar, oil")
        settings.set(ctx, "loyalty.expiry_months", "36")
        loyalty.adjust(ctx, c.id, 1_200, "welcome points", date=dt.date(2025, 1, 5))
        loyalty.adjust(ctx, c.id, 800, "festival bonus", date=dt.date(2025, 3, 1))
        loyalty.adjust(ctx, c.id, -300, "points given in error", date=dt.date(2025, 3, 2))
        # no promise: "pays by" counts days from today
        return c.id
    finally:
        ctx.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_khata_snapshot(shop_url, till, login, snap, size):
    customer_id = make_history(shop_url)
    async with till.run_test(size=size) as pilot:
        await login(pilot, MANAGER)
        till.open_khata(customer_id)
        await pilot.pause()
        await pilot.pause()
        await snap(pilot, f"khata-{size[0]}x{size[1]}")
