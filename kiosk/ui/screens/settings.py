"""Settings (F9, owners): the shop, its users and PINs, the tills' login locks, and the receipt printer.

Four tabs (1 2 3 4, or ← → on the tab bar):

- **Shop**: name, locale and mobile-money names are edited in place (E, or Tab into the boxes) and
  saved together with Ctrl+S through `kiosk.services.settings.set`, one audited change per key. Every
  box is checked first, so a bad one (an unknown locale, a name listed twice) is named and nothing at
  all is saved; Esc puts back what is saved. Country and currency are shown, not edited: the services
  refuse to change them once the shop is made (phones were read in the country, every amount in the
  books is in the currency's minor units), and the screen says so.
- **Users**: the list (never a PIN); A adds one (role, PIN typed twice, masked), P gives the
  highlighted user a new PIN, O changes their role, D disables or enables them. Each goes through
  `kiosk.services.users`, which checks the owner's permission again and audits it.
- **Tills**: this machine's till name (KIOSK_TILL, else the host name) and every till's wrong-PIN
  lock; U unlocks the highlighted till, Ctrl+U every till (`users.unlock`).
- **Printer**: the printer's address (printer.url: tcp://HOST:9100, usb://VID:PID, serial://…, file://…,
  cups://QUEUE or none), its profile (the paper's width), the receipt's footer and whether every sale
  prints, edited and saved like the Shop tab (a bad address is refused in one line naming it, and
  nothing is saved); the jobs waiting for the printer; T prints a test page and Q opens the queue
  (retry, drop, send to another printer: kiosk/ui/screens/print_queue.py). Printing runs in a thread.

The app opens this screen for owners only; the screen checks again and shows only the refusal to
anyone else.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Select, Static, TabbedContent, TabPane, Tabs

from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.screens.tabbed import TabbedArea, tab_bindings
from kiosk.ui.widgets import SessionBar

TABS = ("shop", "users", "tills", "printer")
#: The Shop tab's boxes: setting key -> box id.
SHOP_FIELDS = {"shop.name": "shop-name-box", "shop.locale": "locale-box", "shop.mobile_money": "mobile-money-box"}
#: The Printer tab's boxes (an Input or a Select): setting key -> box id.
PRINTER_FIELDS = {"printer.url": "printer-url-box", "printer.profile": "printer-profile-box",
                  "printer.footer": "printer-footer-box", "printer.auto_print": "printer-auto-box"}
#: The tabs whose boxes are saved with Ctrl+S.
FIELDS = {"shop": SHOP_FIELDS, "printer": PRINTER_FIELDS}

#: Why country and currency are shown, not edited (the services refuse both: `shop.country` and
#: `shop.currency` are read-only keys in `kiosk.domain.settings`).
FIXED_NOTE = ("Country and currency are fixed once the shop is made: phone numbers were read in the "
              "country, and every amount in the books is in the currency's minor units.")


def _row(label: str, widget) -> Horizontal:
    return Horizontal(Label(label, classes="field-label"), widget, classes="field-row")


class SettingsScreen(TabbedArea, Screen):
    """The base screen of mode "settings"."""

    BINDINGS = [
        *tab_bindings("settings", (("shop", "Shop"), ("users", "Users"), ("tills", "Tills"), ("printer", "Printer"))),
        Binding("e", "edit", "Edit", id="settings.edit"),
        Binding("ctrl+s", "save", "Save", id="settings.save"),
        Binding("escape", "undo", "Undo", id="settings.undo"),
        Binding("a", "add_user", "Add user", id="settings.add_user"),
        Binding("p", "reset_pin", "New PIN", id="settings.reset_pin"),
        Binding("o", "role", "Role", id="settings.role"),
        Binding("d", "toggle_user", "Disable/enable", id="settings.toggle_user"),
        Binding("u", "unlock", "Unlock", id="settings.unlock"),
        Binding("ctrl+u", "unlock_all", "Unlock all", id="settings.unlock_all"),
        Binding("t", "test_page", "Test page", id="settings.test_page"),
        Binding("q", "print_queue", "Queue", id="settings.print_queue"),
    ]

    PERMISSION = Permission.EDIT_SHOP
    TABS = TABS
    TABBED_ID = "settings-tabs"
    REFUSED_ID = "settings-refused"

    #: Which tabs each action belongs to.
    ACTION_TABS = {"edit": ("shop", "printer"), "save": ("shop", "printer"), "undo": ("shop", "printer"),
                   "add_user": ("users",), "reset_pin": ("users",), "role": ("users",), "toggle_user": ("users",),
                   "unlock": ("tills",), "unlock_all": ("tills",), "test_page": ("printer",),
                   "print_queue": ("printer",)}

    def __init__(self) -> None:
        super().__init__()
        self.title = "Settings"
        self.users: list = []
        """The users as last listed (`kiosk.services.users.UserInfo`), in the table's order."""
        self.locks: list = []
        """The tills' login locks as last read (`kiosk.services.users.LockInfo`)."""
        self.saved_text: dict[str, str] = {}
        """The Shop and Printer tabs' keys as saved: what Esc puts back and Ctrl+S compares with."""

    # --- Layout ----------------------------------------------------------------------------------

    def compose_tabs(self) -> ComposeResult:
        with TabPane("1 Shop", id="shop"), Vertical(classes="body"):
            yield _row("Name", Input(id="shop-name-box", compact=True, max_length=200))
            yield _row("Locale", Input(id="locale-box", compact=True, placeholder="e.g. en_PK, id_ID"))
            yield _row("Mobile money", Input(id="mobile-money-box", compact=True,
                                             placeholder="names, comma separated"))
            yield Static("", id="money-example", classes="field-note")
            yield _row("Country", Static("", id="country"))
            yield _row("Currency", Static("", id="currency"))
            yield Static("", id="fixed-note", classes="field-note")
            yield Static("E or Tab: edit · Ctrl+S: save every change · Esc: put back what is saved",
                         classes="hint")
        with TabPane("2 Users", id="users"), Vertical(classes="body"):
            yield DataTable(id="users-table", cursor_type="row", zebra_stripes=True)
            yield Static("A: add · P: new PIN · O: role · D: disable or enable the highlighted user",
                         classes="hint")
        with TabPane("3 Tills", id="tills"), Vertical(classes="body"):
            yield Static("", id="this-till")
            yield Static("Login locks (wrong PINs in a row, per till)", classes="section")
            yield DataTable(id="locks-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="locks-note", classes="hint")
        with TabPane("4 Printer", id="printer"), Vertical(classes="body"):
            yield from self.compose_printer()

    def compose_printer(self) -> ComposeResult:
        from kiosk.domain.settings import lookup

        profiles = lookup("printer.profile").choices
        yield _row("Printer", Input(id="printer-url-box", compact=True, max_length=300,
                                    placeholder="tcp://HOST:9100, usb://VID:PID, cups://QUEUE, … or none"))
        yield _row("Profile", Select([(p, p) for p in profiles], id="printer-profile-box", allow_blank=False,
                                     compact=True))
        yield _row("Footer", Input(id="printer-footer-box", compact=True, max_length=200))
        yield _row("Auto print", Select([("yes: every sale, refund and payment", "yes"),
                                         ("no: on request only (the drawer still opens)", "no")],
                                        id="printer-auto-box", allow_blank=False, compact=True))
        yield Static("", id="printer-queue-note", classes="field-note")
        yield Static("E or Tab: edit · Ctrl+S: save · Esc: put back · T: test page · Q: the queue",
                     classes="hint")

    def on_mount(self) -> None:
        if not self.allowed:
            return
        self.load_shop()
        self.load_users()
        self.load_locks()
        self.app.print_worker.reported.subscribe(self, self.show_queue_note)
        self.show_queue_note(self.app.print_worker.state)

    def on_screen_resume(self) -> None:
        if self.allowed and self.is_mounted:
            self.call_after_refresh(self.focus_tab, self.active_tab, edit=False)

    # --- Tabs (switched by TabbedArea) -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.allowed:
            return action not in self.ACTION_TABS and action != "tab"
        tabs = self.ACTION_TABS.get(action)
        if tabs is None:
            return True
        try:
            active = self.active_tab
        except Exception:  # noqa: BLE001 - not composed yet
            return False
        if active not in tabs:
            return False
        if action == "save":
            return self.fields_changed(active) or None  # shown dimmed while nothing has changed
        if action == "edit":
            return not isinstance(self.focused, Input)
        return True

    @on(TabbedContent.TabActivated, "#settings-tabs")
    def tab_shown(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or "shop"
        if tab == "users":
            self.load_users()
        elif tab == "tills":
            self.load_locks()
        elif tab == "printer":
            self.app.print_worker.kick()  # the queue note, up to date
        self.refresh_bindings()

    def focus_tab(self, tab: str, *, edit: bool = False) -> None:
        if tab == "users":
            self.query_one("#users-table").focus()
        elif tab == "tills":
            self.query_one("#locks-table").focus()
        elif edit:
            self.query_one(f"#{next(iter(FIELDS[tab].values()))}").focus()
        else:  # the tab bar: 1 2 3 switch tabs (the boxes would take the digits)
            self.query_one("#settings-tabs Tabs", Tabs).focus()
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    # --- Shop ------------------------------------------------------------------------------------

    @guarded
    def load_shop(self) -> None:
        from kiosk.services import settings

        ctx = self.app.session.ctx
        keys = {key for boxes in FIELDS.values() for key in boxes}
        self.saved_text = {sv.key: sv.text for sv in settings.describe(ctx) if sv.key in keys}
        self._fill_boxes()
        shop = ctx.shop
        self.query_one("#country", Static).update(f"[b]{shop.country}[/b]")
        self.query_one("#currency", Static).update(f"[b]{shop.currency}[/b]")
        self.query_one("#fixed-note", Static).update(FIXED_NOTE)
        self._show_example()
        self.query_one(SessionBar).refresh_text()

    def _show_example(self) -> None:
        session = self.app.session
        self.query_one("#money-example", Static).update(
            f"Money shows as {escape(session.money(1_250_50))}; payment methods: "
            f"{escape(', '.join(session.shop.payment_methods))}")

    def _box_text(self, box: str) -> str:
        widget = self.query_one(f"#{box}")
        return str(widget.value) if isinstance(widget, Select) else widget.value

    def _typed(self, tab: str = "shop") -> dict[str, str]:
        return {key: self._box_text(box) for key, box in FIELDS[tab].items()}

    def _changes(self, tab: str = "shop") -> dict[str, str]:
        """The keys whose typed text means another value than the saved one (checked: a bad box raises
        a ValidationError naming its key, before anything is saved)."""
        from kiosk.domain.settings import lookup

        currency = self.app.session.shop.currency
        changed = {}
        for key, text in self._typed(tab).items():
            setting = lookup(key)
            if setting.format(setting.parse(text, currency), currency) != self.saved_text.get(key):
                changed[key] = text
        return changed

    def fields_changed(self, tab: str = "shop") -> bool:
        """Whether a box differs from what is saved (a quick look for the footer; Ctrl+S checks exactly)."""
        if not self.saved_text or tab not in FIELDS:
            return False

        def plain(key: str, text: str) -> str:
            if key == "shop.mobile_money":
                return ",".join(" ".join(name.split()) for name in text.split(",") if name.strip())
            return " ".join(text.split())

        return any(plain(key, text) != self.saved_text.get(key) for key, text in self._typed(tab).items())

    @on(Input.Changed)
    @on(Select.Changed)
    def typed(self, event) -> None:
        self.refresh_bindings()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_edit(self) -> None:
        self.focus_tab(self.active_tab, edit=True)

    @guarded
    def action_save(self) -> None:
        from kiosk.services import settings

        tab = self.active_tab if self.active_tab in FIELDS else "shop"
        changes = self._changes(tab)  # every box checked first: a bad one is named, nothing is saved
        if not changes:
            self.notify(f"Nothing to save: the {'printer' if tab == 'printer' else 'shop'}'s settings are as typed")
            return
        ctx = self.app.session.ctx
        for key, text in changes.items():
            settings.set(ctx, key, text)
        if "shop.locale" in changes:
            # Session remembers the parsed locale; forget it so money shows in the new one now.
            self.app.session.__dict__.pop("_locale", None)
        self.load_shop()
        self.notify("Saved: " + ", ".join(k.removeprefix("shop.").replace(".", " ").replace("_", " ")
                                          for k in changes))
        if tab == "printer":
            self.app.print_worker.kick()  # waiting jobs go to the printer as it is set now
        self.focus_tab(tab, edit=False)

    def action_undo(self) -> None:
        self._fill_boxes()
        self.focus_tab(self.active_tab, edit=False)

    def _fill_boxes(self) -> None:
        """The boxes as saved (mobile-money names with a space after each comma, for reading)."""
        for key, box in {**SHOP_FIELDS, **PRINTER_FIELDS}.items():
            text = self.saved_text.get(key, "")
            widget = self.query_one(f"#{box}")
            if isinstance(widget, Select):
                widget.value = text
            else:
                widget.value = text.replace(",", ", ") if key == "shop.mobile_money" else text

    # --- Printer ---------------------------------------------------------------------------------

    def show_queue_note(self, report) -> None:
        """What waits for the printer, from the print worker's latest round."""
        from kiosk.ui.print_worker import short_error

        note = self.query_one("#printer-queue-note", Static)
        if report is None:
            note.update("")
        elif not report.count:
            note.update("Nothing is waiting for the printer.")
        else:
            why = short_error(report.last_error)
            note.update(f"[b]{report.count} waiting[/b] for the printer" + (f": {escape(why)}" if why else "")
                        + ". Q: retry, drop or send them to another printer.")

    @guarded
    def action_test_page(self) -> None:
        from kiosk.services import printing

        if self.fields_changed("printer"):
            raise KioskError("printer: save the changes first (Ctrl+S), or Esc to put them back")
        if self.saved_text.get("printer.url", "none") == "none":
            raise KioskError("printer: no printer is set: type its address (tcp://HOST:9100, …), Ctrl+S, then T")
        self.notify("Printing a test page…", timeout=3)
        self.app.print_worker.call(printing.print_test_page, self.test_printed, name="test page")

    def test_printed(self, result) -> None:
        from kiosk.ui.print_worker import short_error

        if result.printed:
            self.notify(f"Test page printed on {result.printer}")
        else:
            self.app.notify_error(f"test page waiting for the printer: {short_error(result.error)}")

    def action_print_queue(self) -> None:
        self.app.open_print_queue()

    # --- Users -----------------------------------------------------------------------------------

    @guarded
    def load_users(self) -> None:
        from kiosk.services import users

        table = self.query_one("#users-table", DataTable)
        keep = table.cursor_row
        self.users = users.list_users(self.app.session.ctx)
        table.clear(columns=True)  # columns again: their widths follow the names now listed
        table.add_columns("Name", "Role", "Status", "Last login", "Added", "By")
        for u in self.users:
            table.add_row(
                u.name, u.role, "active" if u.active else "[dim]disabled[/dim]",
                u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never",
                u.created_at.date().isoformat() if u.created_at else "",
                u.created_by or "", key=u.name)
        if self.users:
            table.move_cursor(row=min(keep, len(self.users) - 1))

    def highlighted_user(self):
        table = self.query_one("#users-table", DataTable)
        if not self.users or table.cursor_row < 0:
            raise KioskError("user: there is no user to change; A adds one")
        return self.users[min(table.cursor_row, len(self.users) - 1)]

    def _select_user(self, name: str) -> None:
        for n, u in enumerate(self.users):
            if u.name == name:
                self.query_one("#users-table", DataTable).move_cursor(row=n)

    @work(exclusive=True, group="settings-form")
    @guarded
    async def action_add_user(self) -> None:
        from kiosk.services import users
        from kiosk.ui.screens.settings_forms import AddUserForm

        users.check_can_manage(self.app.session.ctx, "add users")
        user = await self.app.push_screen_wait(AddUserForm())
        if user is not None:
            self.load_users()
            self._select_user(user.name)
            self.notify(f"{user.name} added as a {user.role}: their PIN works from now")

    @work(exclusive=True, group="settings-form")
    @guarded
    async def action_reset_pin(self) -> None:
        from kiosk.services import users
        from kiosk.ui.screens.settings_forms import ResetPinForm

        name = self.highlighted_user().name
        users.check_can_manage(self.app.session.ctx, "reset PINs", name=name)
        user = await self.app.push_screen_wait(ResetPinForm(name))
        if user is not None:
            self.load_users()
            self.notify(f"{user.name} has a new PIN; the old one no longer works")

    @work(exclusive=True, group="settings-form")
    @guarded
    async def action_role(self) -> None:
        from kiosk.services import users
        from kiosk.ui.screens.settings_forms import RoleForm

        chosen = self.highlighted_user()
        users.check_can_manage(self.app.session.ctx, "change roles", name=chosen.name)
        user = await self.app.push_screen_wait(RoleForm(chosen.name, chosen.role))
        if user is not None:
            self.load_users()
            self._select_user(user.name)
            self.notify(f"{user.name} is now a {user.role}")

    @work(exclusive=True, group="settings-form")
    @guarded
    async def action_toggle_user(self) -> None:
        from kiosk.services import users
        from kiosk.ui.screens.settings_forms import ConfirmForm

        chosen = self.highlighted_user()
        ctx = self.app.session.ctx
        if chosen.active:
            users.check_can_manage(ctx, "disable users", name=chosen.name)
            me = " (that is you: the till locks when you leave)" if chosen.name == self.app.session.user.name else ""
            if not await self.app.push_screen_wait(ConfirmForm(
                    f"Disable [b]{escape(chosen.name)}[/b] ({chosen.role})?",
                    f"Their PIN stops working; their history stays{me}. D enables them again.")):
                return
            users.disable_user(ctx, chosen.name)
            self.notify(f"{chosen.name} is disabled: their PIN no longer logs in")
        else:
            users.enable_user(ctx, chosen.name)
            self.notify(f"{chosen.name} is enabled: their PIN logs in again")
        self.load_users()
        self._select_user(chosen.name)

    # --- Tills -----------------------------------------------------------------------------------

    @guarded
    def load_locks(self) -> None:
        from kiosk.services import users

        ctx = self.app.session.ctx
        self.query_one("#this-till", Static).update(
            f"This till is [b]{escape(ctx.till)}[/b]: its name in the books and the audit log. It comes from "
            "KIOSK_TILL, else the machine's host name; set KIOSK_TILL where the till starts to rename it.")
        self.locks = users.till_locks(ctx)
        table = self.query_one("#locks-table", DataTable)
        table.clear(columns=True)
        table.add_columns("Till", "Wrong PINs", "Locked for", "Last wrong PIN")
        for lock in self.locks:
            table.add_row(
                lock.till + (" (this till)" if lock.till == ctx.till else ""), str(lock.failures),
                _seconds(lock.locked_for) if lock.locked_for else "not locked",
                lock.last_failure_at.strftime("%Y-%m-%d %H:%M") if lock.last_failure_at else "",
                key=lock.till)
        self.query_one("#locks-note", Static).update(
            "U: unlock the highlighted till · Ctrl+U: every till" if self.locks
            else "No till has wrong PINs against it.")

    @guarded
    def action_unlock(self) -> None:
        from kiosk.services import users

        table = self.query_one("#locks-table", DataTable)
        if not self.locks:
            raise KioskError("unlock: no till has wrong PINs against it")
        till = self.locks[min(max(table.cursor_row, 0), len(self.locks) - 1)].till
        users.unlock(self.app.session.ctx, till)
        self.notify(f"{till} unlocked: its wrong-PIN count is cleared")
        self.load_locks()

    @guarded
    def action_unlock_all(self) -> None:
        from kiosk.services import users

        cleared = users.unlock(self.app.session.ctx, all_tills=True)
        self.notify(f"Every till unlocked ({cleared} had wrong PINs against them)")
        self.load_locks()


def _seconds(seconds: int) -> str:
    from kiosk.services.users import format_seconds

    return format_seconds(seconds)

