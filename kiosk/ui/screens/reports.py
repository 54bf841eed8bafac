"""Reports (F5): the dashboard, the credit report with ageing, the customer report and the segments.

For managers, owners and viewers (Permission.READ_REPORTS). The app refuses a cashier before this
screen opens; the screen checks again and, for anyone who may not read reports, shows the refusal
and not one figure (the services refuse as well).

Every report is read in a thread worker (its own database connection) while the tab shows a loading
indicator, so the till never freezes on a big shop; the figures are drawn back on the app's thread.
A tab is read the first time it is shown, again whenever the screen comes back (after a sale, the
dashboard is current), and on R.

Keys (ids "reports.*"): 1 2 3 4 the tabs (dashboard, credit, customers, segments), R refresh, P the
customer report's period (last 90 days, this month, this year, all time), Enter on a customer row
opens their profile (app.open_customer), Ctrl+S the credit report or the customer report (of the
period shown) as a PDF, on those two tabs.

The PDF (`kiosk.services.documents`) is read and built in the same worker that lays it out
(`PdfProgressScreen`: the credit report of a big shop takes a second to read), on that worker's own
database connection; phones are masked as on every document. A read-only review may save one too: it
reads the books and writes a file on this machine, never the books.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from kiosk.domain.khata import AGEING_BUCKETS
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guard, guarded
from kiosk.ui.screens.tabbed import TabbedArea, tab_bindings
from kiosk.ui.widgets.charts import Bar, BarChart, ColumnChart, h_bar

TABS = ("dashboard", "credit", "customers", "segments")
#: Days in the dashboard's sales chart.
SALES_DAYS = 30
#: Customers the credit table lists at most (the biggest balances); `kiosk report credit` prints all.
CREDIT_ROWS = 500


def _periods(today: dt.date) -> tuple[tuple[str, dt.date | None], ...]:
    """The customer report's periods, P cycles through them: (name, first day; None = all time)."""
    return (
        ("last 90 days", today - dt.timedelta(days=89)),
        ("this month", today.replace(day=1)),
        ("this year", today.replace(month=1, day=1)),
        ("all time", None),
    )


def read_dashboard(ctx, _period: Any = None):
    """Today's sales, what is owed and its ageing, the points liability, the sales chart's days."""
    from kiosk.services.dashboard import dashboard

    return dashboard(ctx, days=SALES_DAYS)


@dataclass(frozen=True, slots=True)
class CreditView:
    """The credit report and the rows the table shows: those who owe most first (then advances),
    at most `CREDIT_ROWS` of them, sorted in the worker so a big shop costs the app's thread nothing."""

    report: Any  # kiosk.services.reports.CreditReport
    rows: tuple  # CreditRow, balance != 0, biggest first
    debtors: int  # customers who owe (balance > 0)
    not_shown: int  # rows with a balance left out of the table


def read_credit(ctx, _period: Any = None) -> CreditView:
    from kiosk.services.reports import credit_report

    report = credit_report(ctx)
    owing = sorted((r for r in report.rows if r.balance != 0), key=lambda r: (-r.balance, r.name.casefold()))
    return CreditView(report, tuple(owing[:CREDIT_ROWS]), sum(1 for r in owing if r.balance > 0),
                      max(0, len(owing) - CREDIT_ROWS))


def read_customers(ctx, period: tuple[str, dt.date | None]):
    from kiosk.services.reports import customer_report

    return period[0], customer_report(ctx, period[1])


def read_segments(ctx, _period: Any = None):
    from kiosk.services.segments import segments

    return segments(ctx)


READERS = {"dashboard": read_dashboard, "credit": read_credit, "customers": read_customers,
           "segments": read_segments}


class CustomerRows(DataTable):
    """A table whose rows are customers (keyed by id): Enter opens the profile."""

    BINDINGS = [Binding("enter", "select_cursor", "Profile", id="reports.open")]


class ReportsScreen(TabbedArea, Screen):
    """The base screen of mode "reports"."""

    BINDINGS = [
        *tab_bindings("reports", (("dashboard", "Dashboard"), ("credit", "Credit"), ("customers", "Customers"),
                                  ("segments", "Segments"))),
        Binding("r", "refresh", "Refresh", id="reports.refresh"),
        Binding("p", "period", "Period", id="reports.period"),
        Binding("ctrl+s", "pdf", "PDF", id="reports.pdf"),
    ]

    PERMISSION = Permission.READ_REPORTS
    TABS = TABS
    TABBED_ID = "report-tabs"
    REFUSED_ID = "reports-refused"

    def __init__(self) -> None:
        super().__init__()
        self.title = "Reports"
        self.period = 0
        """Index into `_periods(today)`: the customer report's period."""
        self.asked: dict[str, int] = dict.fromkeys(TABS, 0)
        """Reads asked for per tab; a result is drawn only if it answers the latest."""
        self.loading_tabs: set[str] = set()
        self.stale: set[str] = set(TABS)
        """Tabs to read again when next shown."""
        self.shown: dict[str, Any] = {}
        """What each tab shows (the services' objects): tests compare them with the services."""

    # --- Layout ----------------------------------------------------------------------------------

    def compose_tabs(self) -> ComposeResult:
        with TabPane("1 Dashboard", id="dashboard"), Vertical(id="dashboard-body", classes="body"):
            with Horizontal(id="cards"):
                yield Static("", id="card-sales", classes="card")
                yield Static("", id="card-owed", classes="card")
                yield Static("", id="card-points", classes="card")
            yield Static("", id="sales-title", classes="chart-title")
            yield ColumnChart(id="sales-chart", empty=f"no sales in the last {SALES_DAYS} days")
            yield Static("Ageing of what customers owe (FIFO: payments settle the oldest first)",
                         classes="chart-title")
            yield BarChart(id="dashboard-ageing")
        with TabPane("2 Credit", id="credit"), Vertical(id="credit-body", classes="body"):
            yield Static("", id="credit-summary")
            yield BarChart(id="credit-ageing")
            yield CustomerRows(id="credit-table", cursor_type="row", zebra_stripes=True)
        with TabPane("3 Customers", id="customers"), Vertical(id="customers-body", classes="body"):
            yield Static("", id="customers-summary")
            yield Static("", id="new-title", classes="chart-title")
            yield ColumnChart(id="new-chart", empty="no new customers in the period")
            yield CustomerRows(id="top-table", cursor_type="row", zebra_stripes=True)
        with TabPane("4 Segments", id="segments"), Vertical(id="segments-body", classes="body"):
            yield Static("", id="segments-summary")
            yield DataTable(id="segments-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="segment-about")

    def on_mount(self) -> None:
        if not self.allowed:
            return
        credit = self.query_one("#credit-table", DataTable)
        credit.add_column("Customer", width=18)
        credit.add_columns(_right("Balance"), *(_right(b) for b in AGEING_BUCKETS), "Last paid", _right("Limit"))
        top = self.query_one("#top-table", DataTable)
        top.add_column(_right("#"))
        top.add_column("Top customer", width=20)
        top.add_columns("Phone", _right("Bought"), _right("Lifetime value"))
        self.query_one("#segments-table", DataTable).add_columns(
            "Segment", _right("Customers"), "Share", _right("Behind it"))
        for card, title in (("sales", "Today's sales"), ("owed", "Owed to the shop"),
                            ("points", "Points liability")):
            self.query_one(f"#card-{card}", Static).border_title = title

    # --- Which tab (switched by TabbedArea) ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("tab", "refresh", "period", "pdf") and not self.allowed:
            return False
        if action in ("period", "pdf"):
            try:
                tab = self.active_tab
            except Exception:  # noqa: BLE001 - not composed yet
                return False
            return tab == "customers" or (action == "pdf" and tab == "credit")
        return True

    @on(TabbedContent.TabActivated, "#report-tabs")
    def tab_shown(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or "dashboard"
        self.refresh_bindings()
        if tab in self.stale:
            self.load(tab)

    def focus_tab(self, tab: str) -> None:
        table = {"credit": "#credit-table", "customers": "#top-table", "segments": "#segments-table"}.get(tab)
        if table:
            self.query_one(table).focus()
        else:
            self.query_one("#report-tabs Tabs").focus()

    def on_screen_resume(self) -> None:
        """Back on the screen (or first shown): everything may have changed; read the tab on show."""
        if not self.allowed:
            return
        self.stale = set(TABS)
        self.load(self.active_tab)

    def action_refresh(self) -> None:
        self.stale.add(self.active_tab)
        self.load(self.active_tab, again=True)

    def action_period(self) -> None:
        self.period = (self.period + 1) % len(_periods(dt.date.today()))
        self.load("customers", again=True)

    @guarded
    def action_pdf(self) -> None:
        """Save the credit report, or the customer report of the period shown, as a PDF."""
        from kiosk.ui.screens.pdf_progress import PdfProgressScreen, default_folder, file_name

        session = self.app.session
        if not session.may(Permission.READ_REPORTS):  # the services refuse again in the worker
            self.app.notify_error(session.refusal(Permission.READ_REPORTS))
            return
        ctx, today = session.ctx, dt.date.today()
        if self.active_tab == "credit":
            title, name = "Credit report", file_name("credit-report", today)

            def build(progress):
                from kiosk.services import documents

                with ctx.db.connection_context():
                    return documents.credit_report_document(ctx, progress=progress)
        elif self.active_tab == "customers":
            period, start = _periods(today)[self.period]
            title = f"Customer report, {period}"
            name = file_name("customer-report", start or "all-time", "to", today)

            def build(progress):
                from kiosk.services import documents

                with ctx.db.connection_context():
                    return documents.customer_report_document(ctx, start, progress=progress)
        else:
            return
        self.app.push_screen(PdfProgressScreen(title, default_folder() / name, build=build))

    # --- Reading, in a worker --------------------------------------------------------------------

    def load(self, tab: str, *, again: bool = False) -> None:
        """Read `tab`'s report in a thread worker; the tab shows a loading indicator meanwhile. A read
        already under way is not started twice unless `again` (R, a new period)."""
        if not self.allowed or (tab in self.loading_tabs and not again):
            return
        self.asked[tab] += 1
        self.loading_tabs.add(tab)
        self.stale.discard(tab)
        self.query_one(f"#{tab}-body").loading = True
        period = _periods(dt.date.today())[self.period]
        self.read(tab, self.asked[tab], self.app.session.ctx, period)

    @work(thread=True, exit_on_error=False, group="reports")
    def read(self, tab: str, ask: int, ctx, period) -> None:
        """In a thread: the report from the services on this thread's own connection, handed back."""
        worker = get_current_worker()
        try:
            with ctx.db.connection_context():
                result = READERS[tab](ctx, period)
        except Exception as exc:  # noqa: BLE001 - shown on the app's thread (guarded), never lost
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, tab, ask, exc)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, tab, ask, result)

    def _failed(self, tab: str, ask: int, exc: Exception) -> None:
        if ask != self.asked[tab] or not self.is_attached:
            return
        self.loading_tabs.discard(tab)
        self.stale.add(tab)  # try again when next shown
        self.query_one(f"#{tab}-body").loading = False
        with guard(self):
            raise exc

    @guarded
    def _show(self, tab: str, ask: int, result) -> None:
        if ask != self.asked[tab] or not self.is_attached:
            return  # a newer read is on its way, or the screen is gone (the till was locked)
        self.loading_tabs.discard(tab)
        self.query_one(f"#{tab}-body").loading = False
        self.shown[tab] = result
        getattr(self, f"_show_{tab}")(result)

    # --- Drawing ---------------------------------------------------------------------------------

    def _money(self, minor: int) -> str:
        return self.app.session.money(minor)

    def _figure(self, minor: int) -> str:
        """An amount for a table column: grouped, the currency's digits, no symbol ("64,403.75")."""
        from kiosk.domain.money import format_of

        shop = self.app.session.shop
        return format_of(shop.currency, shop.locale).plain(minor)

    def _show_dashboard(self, d) -> None:
        """`d`: a `kiosk.services.dashboard.Dashboard`."""
        money = self._money
        count = d.sales_today_count
        detail = f"{count} sale{'s' if count != 1 else ''}"
        if d.refunded_today:
            detail += f" · {money(d.refunded_today)} refunded"
        elif d.average_sale_today is not None:
            detail += f" · avg {money(d.average_sale_today)}"
        self.query_one("#card-sales", Static).update(f"[b]{money(d.sales_today)}[/b]\n{detail}")
        owing = d.owing_customers
        self.query_one("#card-owed", Static).update(
            f"[b]{money(d.outstanding)}[/b]\nby {owing} customer{'s' if owing != 1 else ''}")
        self.query_one("#card-points", Static).update(
            f"[b]{money(d.liability_value)}[/b]\n{d.liability_points:,} points")
        per_day = d.sales_per_day
        values = [total for _day, total in per_day]
        chart = self.query_one("#sales-chart", ColumnChart)
        best_day, best = max(per_day, key=lambda p: (p[1], p[0]))
        self.query_one("#sales-title", Static).update(
            f"Sales per day, {len(per_day)} days: {money(sum(values))}"
            + (f" · best {money(best)} ({_ago(best_day, d.today)})" if best else ""))
        chart.show(values, first=_ago(per_day[0][0], d.today), last=_ago(per_day[-1][0], d.today))
        buckets = d.ageing or {}
        self.query_one("#dashboard-ageing", BarChart).bars = tuple(
            Bar(b, buckets.get(b, 0), money(buckets.get(b, 0))) for b in AGEING_BUCKETS)

    def _show_credit(self, view: CreditView) -> None:
        money, figure, report = self._money, self._figure, view.report
        totals = report.bucket_totals
        more = (f" · the {CREDIT_ROWS} biggest balances listed (`kiosk report credit` prints all)"
                if view.not_shown else "")
        self.query_one("#credit-summary", Static).update(
            f"[b]{money(report.total_outstanding)}[/b] owed by [b]{view.debtors}[/b] customers on "
            f"{report.as_of.isoformat()} · amounts in {report.currency}{more}")
        self.query_one("#credit-ageing", BarChart).bars = tuple(
            Bar(b, totals[b], money(totals[b])) for b in AGEING_BUCKETS)
        table = self.query_one("#credit-table", DataTable)
        table.clear()
        for r in view.rows:
            table.add_row(
                r.name,
                _right(figure(r.balance), "bold" if r.balance > 0 else "green"),
                *(_right(figure(r.ageing[b]) if r.ageing[b] else "-") for b in AGEING_BUCKETS),
                r.last_payment.isoformat() if r.last_payment else "never",
                _right(figure(r.credit_limit) if r.credit_limit is not None else "-"),
                key=str(r.customer_id),
            )

    def _show_customers(self, shown) -> None:
        from kiosk.domain.customer_report import decimal_text, percent_text

        name, report = shown
        money = self._money
        t, pts = report.totals, report.points
        since = report.start.isoformat() if report.start else "the first day"
        rate = percent_text(report.repeat_rate, 1)
        freq = decimal_text(report.average_frequency, 2)
        avg = money(report.average_value) if report.average_value is not None else "-"
        self.query_one("#customers-summary", Static).update(
            f"[b]{name.capitalize()}[/b]: {since} to {report.end.isoformat()} (P: another period)\n"
            f"New [b]{report.new_customers_total}[/b] · buyers [b]{t.buyers}[/b], {t.repeaters} again "
            f"(repeat rate [b]{rate + '%' if rate else '-'}[/b]) · {freq or '-'} purchases each\n"
            f"Lifetime value [b]{money(t.value)}[/b] · per buyer {avg}\n"
            f"Points issued {pts.net_issued:,} · redeemed {pts.net_redeemed:,} · expired {pts.expired:,}\n"
            f"Points liability [b]{report.liability_points:,}[/b] points = [b]{money(report.liability_value)}[/b]")
        per = "week" if report.bucket == "week" else "month"
        self.query_one("#new-title", Static).update(f"New customers per {per}")
        buckets = report.new_customers
        self.query_one("#new-chart", ColumnChart).show(
            [b.customers for b in buckets],
            first=buckets[0].label if buckets else "", last=buckets[-1].label if len(buckets) > 1 else "")
        table = self.query_one("#top-table", DataTable)
        table.clear()
        for n, c in enumerate(report.top, 1):
            table.add_row(_right(str(n)), c.name + (" (archived)" if c.archived else ""), c.phone or "",
                          _right(str(c.purchases)), _right(self._figure(c.value)), key=str(c.customer_id))

    def _show_segments(self, s) -> None:
        from kiosk.services.segments import MONEY, POINTS

        self.query_one("#segments-summary", Static).update(
            f"[b]{s.customers}[/b] live customers on {s.as_of.isoformat()}")
        table = self.query_one("#segments-table", DataTable)
        table.clear()
        for seg in s.segments:
            if seg.unit == MONEY:
                behind = self._money(seg.total or 0)
            elif seg.unit == POINTS:
                behind = f"{seg.total or 0:,} pts"
            else:
                behind = ""
            share = Text(h_bar(seg.customers, s.customers, 10).ljust(10), style="bold")
            table.add_row(seg.label, _right(f"{seg.customers:,}"), share, _right(behind), key=seg.key)
        self._about_segment(table.cursor_row)

    @on(DataTable.RowHighlighted, "#segments-table")
    def segment_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._about_segment(event.cursor_row)

    def _about_segment(self, row: int) -> None:
        shown = self.shown.get("segments")
        if shown is not None and 0 <= row < len(shown.segments):
            seg = shown.segments[row]
            self.query_one("#segment-about", Static).update(f"[b]{seg.label}[/b]: {seg.about}")

    # --- Customers -------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "CustomerRows")
    @guarded
    def open_row(self, event: DataTable.RowSelected) -> None:
        """Enter on a customer row: their profile (app.open_customer)."""
        if event.row_key.value is not None:
            self.app.open_customer(int(event.row_key.value))


def _ago(day: dt.date, today: dt.date) -> str:
    """"today", "yesterday", "5 days ago": the dashboard speaks in days back, not dates."""
    days = (today - day).days
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _right(text: str, style: str = "") -> Text:
    return Text(text, style=style, justify="right")
