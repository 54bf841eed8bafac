"""Reports (F5): who may open them, the figures against the services' own numbers, the tabs and their
keys, Enter on a customer, the loading in workers, and the dashboard's snapshots."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Static, TabbedContent

from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.screens.reports import ReportsScreen
from kiosk.ui.widgets.charts import BarChart, ColumnChart, column_heights, h_bar
from tests.ui.conftest import AHMED_PHONE, CASHIER, MANAGER, OWNER, VIEWER


async def settle(pilot) -> ReportsScreen:
    """Wait until the reports screen has drawn every read it asked for."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not screen.loading_tabs:
            return screen
    raise AssertionError(f"still loading: {screen.loading_tabs}")


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def ahmed_id(ctx) -> int:
    from kiosk.services import customers

    return customers.find_by_phone(ctx, AHMED_PHONE).id


async def test_a_manager_sees_the_dashboard_with_the_services_figures(till, login):
    from kiosk.services.dashboard import dashboard
    from kiosk.services.reports import credit_report, customer_report

    async with till.run_test(size=(120, 40)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        screen = await settle(pilot)
        assert till.current_mode == "reports"
        assert screen.query_one("#report-tabs", TabbedContent).active == "dashboard"
        ctx, money = till.session.ctx, till.session.money
        expected = dashboard(ctx, days=30)
        shown = screen.shown["dashboard"]
        assert shown == expected
        # the dashboard agrees with the reports to the minor unit
        credit, people = credit_report(ctx), customer_report(ctx)
        assert shown.outstanding == credit.total_outstanding == 1_980_00  # Ahmed's two credit sales
        assert shown.ageing == credit.bucket_totals
        assert (shown.liability_points, shown.liability_value) == (people.liability_points, people.liability_value)

        assert shown.sales_today == 1_980_00 and shown.sales_today_count == 2  # both sold today
        assert "Rs1,980.00" in text(screen, "#card-sales") and "2 sales · avg Rs990.00" in text(screen, "#card-sales")
        assert money(credit.total_outstanding) in text(screen, "#card-owed")
        assert "by 1 customer" in text(screen, "#card-owed")
        assert money(people.liability_value) in text(screen, "#card-points")
        chart = screen.query_one("#sales-chart", ColumnChart)
        assert chart.values == tuple(total for _day, total in expected.sales_per_day)
        assert len(chart.values) == 30 and chart.values[-1] == 1_980_00
        assert (chart.first, chart.last) == ("29 days ago", "today")
        assert text(screen, "#sales-title") == "Sales per day, 30 days: Rs1,980.00 · best Rs1,980.00 (today)"
        bars = screen.query_one("#dashboard-ageing", BarChart).bars
        assert [(b.label, b.value) for b in bars] == [(b, credit.bucket_totals[b]) for b in AGEING_BUCKETS]
        assert bars[0].text == money(1_980_00)


async def test_the_credit_tab_lists_who_owes_with_ageing_and_enter_opens_the_customer(till, login):
    from kiosk.services.reports import credit_report

    async with till.run_test(size=(120, 40)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("2")
        screen = await settle(pilot)
        assert screen.query_one("#report-tabs", TabbedContent).active == "credit"
        report = credit_report(till.session.ctx)
        table = screen.query_one("#credit-table", DataTable)
        owing = [r for r in report.rows if r.balance]
        assert table.row_count == len(owing) == 1
        ahmed = ahmed_id(till.session.ctx)
        row = table.get_row_at(0)
        assert table.coordinate_to_cell_key((0, 0)).row_key.value == str(ahmed)
        assert row[0] == "Ahmed Khan"
        assert str(row[1]) == screen._figure(owing[0].balance) == "1,980.00"  # 1,450 + 150 + 380
        assert str(row[2]) == screen._figure(owing[0].ageing["0-30"])
        assert till.session.money(report.total_outstanding) in text(screen, "#credit-summary")
        assert screen.focused is table
        await pilot.press("enter")
        await pilot.pause()
        assert till.current_mode == "customers"
        assert till.selected_customer_id == ahmed


async def test_the_customer_report_and_its_period(till, login):
    from kiosk.services.reports import customer_report

    async with till.run_test(size=(120, 40)) as pilot:
        await login(pilot, OWNER)
        await pilot.press("f5", "3")
        screen = await settle(pilot)
        today = dt.date.today()
        name, shown = screen.shown["customers"]
        assert name == "last 90 days"
        report = customer_report(till.session.ctx, today - dt.timedelta(days=89))
        assert shown == report
        assert report.totals.buyers == 1 and report.totals.purchases == 2  # Ahmed, twice
        summary = text(screen, "#customers-summary")
        assert "buyers 1, 1 again" in summary and "repeat rate 100.0%" in summary
        assert f"New {report.new_customers_total}" in summary
        assert till.session.money(report.totals.value) in summary
        top = screen.query_one("#top-table", DataTable)
        assert top.row_count == 1 and top.get_row_at(0)[1] == "Ahmed Khan"
        assert top.get_row_at(0)[2] == report.top[0].phone and "*" in report.top[0].phone  # masked
        assert screen.query_one("#new-chart", ColumnChart).values == tuple(b.customers for b in report.new_customers)

        await pilot.press("p")
        screen = await settle(pilot)
        name, shown = screen.shown["customers"]
        assert name == "this month" and shown.start == today.replace(day=1)
        assert "This month" in text(screen, "#customers-summary")
        await pilot.press("enter")  # the top customer's profile
        await pilot.pause()
        assert till.current_mode == "customers" and till.selected_customer_id == ahmed_id(till.session.ctx)


async def test_segments_tab_counts_as_the_service(till, login):
    from kiosk.services.segments import segments

    async with till.run_test(size=(120, 40)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5", "4")
        screen = await settle(pilot)
        expected = segments(till.session.ctx)
        table = screen.query_one("#segments-table", DataTable)
        assert table.row_count == len(expected.segments)
        got = {str(table.coordinate_to_cell_key((n, 0)).row_key.value): str(table.get_row_at(n)[1])
               for n in range(table.row_count)}
        assert got == {s.key: f"{s.customers:,}" for s in expected.segments}
        assert got["has_balance"] == "1" and expected.customers == 3
        assert "Has balance" in text(screen, "#segment-about")
        await pilot.press("down")
        assert "Over the limit" in text(screen, "#segment-about")


async def test_r_reads_again_in_a_worker_with_a_loading_indicator(till, login, monkeypatch):
    """A slow report: the tab shows the loading indicator while the till still answers keys."""
    import threading

    from kiosk.services import khata
    from kiosk.ui.screens import reports

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5", "2")
        screen = await settle(pilot)
        before = screen.shown["credit"].report.total_outstanding
        khata.receive(till.session.ctx, ahmed_id(till.session.ctx), 100_00)
        go_on = threading.Event()

        def slow(ctx, period):
            assert go_on.wait(10)
            return reports.read_credit(ctx, period)

        monkeypatch.setitem(reports.READERS, "credit", slow)
        await pilot.press("r")
        assert screen.query_one("#credit-body").loading and "credit" in screen.loading_tabs
        await pilot.press("1")  # the till is not frozen meanwhile
        assert screen.query_one("#report-tabs", TabbedContent).active == "dashboard"
        await pilot.press("2")
        go_on.set()
        screen = await settle(pilot)
        assert not screen.query_one("#credit-body").loading
        assert screen.shown["credit"].report.total_outstanding == before - 100_00


async def test_locking_while_a_report_is_read_drops_it_quietly(till, login, monkeypatch):
    import threading

    from kiosk.ui.screens import reports
    from kiosk.ui.screens.error import ErrorScreen

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        screen = await settle(pilot)
        go_on = threading.Event()

        def slow(ctx, period):
            assert go_on.wait(10)
            return reports.read_segments(ctx, period)

        monkeypatch.setitem(reports.READERS, "segments", slow)
        await pilot.press("4")
        await pilot.pause()
        assert "segments" in screen.loading_tabs
        await pilot.press("ctrl+l")
        await pilot.pause()
        go_on.set()  # the services now refuse (nobody is logged in); the screen is gone
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(till.screen, LoginScreen) and not isinstance(till.screen, ErrorScreen)
        assert "segments" not in screen.shown


async def test_a_long_credit_list_is_cut_to_the_biggest_balances(till, login, monkeypatch):
    from kiosk.ui.screens import reports

    monkeypatch.setattr(reports, "CREDIT_ROWS", 0)
    async with till.run_test(size=(120, 40)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5", "2")
        screen = await settle(pilot)
        assert screen.query_one("#credit-table", DataTable).row_count == 0
        assert screen.shown["credit"].not_shown == 1
        assert "`kiosk report credit` prints all" in text(screen, "#credit-summary")


async def test_coming_back_to_reports_reads_them_again(till, login):
    from kiosk.services import khata

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        screen = await settle(pilot)
        before = screen.shown["dashboard"].outstanding
        await pilot.press("f3")
        khata.receive(till.session.ctx, ahmed_id(till.session.ctx), 50_00)
        await pilot.press("f5")
        screen = await settle(pilot)
        assert screen.shown["dashboard"].outstanding == before - 50_00


async def test_a_viewer_reads_reports_but_settings_are_refused(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, VIEWER)
        assert till.current_mode == "reports"  # a viewer may not sell: reports is where they land
        screen = await settle(pilot)
        assert screen.shown["dashboard"].outstanding == 1_980_00
        await pilot.press("f9")
        await pilot.pause()
        assert till.current_mode == "reports"
        assert notes[-1] == ("Vera is a viewer: only owners can change the shop's own settings", "error")


async def test_a_cashier_is_refused_by_the_app(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await pilot.press("f5")
        await pilot.pause()
        assert till.current_mode == "sale"
        assert notes[-1] == ("Sana is a cashier: only managers, owners and viewers can read reports", "error")


async def test_the_screen_itself_shows_no_figures_to_a_cashier(till, login):
    """Were the app's check ever bypassed, the screen shows the refusal and reads nothing."""
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await till.switch_mode("reports")
        await pilot.pause()
        screen = till.screen
        assert isinstance(screen, ReportsScreen)
        assert "only managers, owners and viewers can read reports" in text(screen, "#reports-refused")
        assert not screen.query("#report-tabs") and not screen.query(DataTable)
        await pilot.press("r", "2")
        await pilot.pause()
        assert screen.shown == {} and not screen.loading_tabs


async def test_a_refusal_in_the_worker_is_one_line_and_the_tab_tries_again(till, login, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        screen = await settle(pilot)
        from kiosk.services.users import UserRef

        till.session.ctx.user = UserRef(99, "Sana", "cashier")  # the services refuse now
        await pilot.press("r")
        screen = await settle(pilot)
        assert notes[-1] == ("Sana is a cashier: only managers, owners and viewers can read reports", "error")
        assert "dashboard" in screen.stale and not screen.query_one("#dashboard-body").loading


async def test_number_keys_switch_tabs_and_have_ids(till, login):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        screen = await settle(pilot)
        ids = {b.id for b in ReportsScreen.BINDINGS}
        assert {"reports.dashboard", "reports.credit", "reports.customers", "reports.segments",
                "reports.refresh", "reports.period"} <= ids
        for key, tab in (("4", "segments"), ("3", "customers"), ("2", "credit"), ("1", "dashboard")):
            await pilot.press(key)
            await settle(pilot)
            assert screen.query_one("#report-tabs", TabbedContent).active == tab
        assert set(screen.shown) == {"dashboard", "credit", "customers", "segments"}


def test_bars_are_exact_to_an_eighth_and_never_hide_a_small_value():
    assert h_bar(100, 100, 10) == "█" * 10
    assert h_bar(50, 100, 10) == "█" * 5
    assert h_bar(1, 1000, 10) == "▏"  # a little is never nothing
    assert h_bar(0, 100, 10) == "" and h_bar(5, 0, 10) == ""
    assert h_bar(1_3, 1_00, 1) == "▏"  # 13% of one cell: one eighth
    assert column_heights([0, 5, 10], 2) == [0, 8, 16]
    assert column_heights([1, 1000], 1) == [1, 8]


async def test_charts_draw_to_their_size():
    from textual.app import App

    from kiosk.ui.widgets.charts import Bar

    class Charts(App):
        def compose(self):
            yield ColumnChart([1, 0, 2, 4], first="a", last="z", id="columns")
            yield BarChart([Bar("one", 1, "1"), Bar("four", 4, "4.0")], id="bars")

    app = Charts()
    async with app.run_test(size=(12, 10)) as pilot:
        await pilot.pause()
        columns = app.query_one("#columns", ColumnChart)
        columns.styles.height = 5
        await pilot.pause()
        lines = columns.render().plain.split("\n")
        # 4 rows of bars (32 eighths: 4 is the top, 2 half, 1 a quarter), gaps between 3-wide slots
        assert lines == ["         ██ ", "         ██ ", "      ██ ██ ", "██    ██ ██ ", "a         z "]
        # labels left, figures right, 3 cells of bar between: 1 of 4 is 6 eighths of them
        assert app.query_one("#bars", BarChart).render().plain.split("\n") == ["one  ▊     1", "four ███ 4.0"]


async def test_dashboard_snapshot_80x24(till, login, snap):
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        await settle(pilot)
        await snap(pilot, "reports-80x24")


async def test_dashboard_snapshot_120x40(till, login, snap):
    async with till.run_test(size=(120, 40)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        await settle(pilot)
        await snap(pilot, "reports-120x40")
