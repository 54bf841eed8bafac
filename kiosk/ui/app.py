"""The till's App: the login, one mode per area of the shop, the global keys, errors and the session.

Startup paints the login screen first and opens the shop afterwards: peewee (and psycopg, which peewee
imports) load in a thread once the PIN box is on screen, so launch-to-login costs what a bare Textual
app costs. See kiosk/ui/__init__.py for how a screen plugs in.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen

from kiosk.domain.errors import KioskError
from kiosk.domain.roles import Permission
from kiosk.ui.guard import guarded
from kiosk.ui.messages import ShowCustomer, ShowKhata
from kiosk.ui.print_worker import PrintWorker
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.session import Session

if TYPE_CHECKING:
    from kiosk.services.context import Context
    from kiosk.services.users import UserRef

#: Mode -> the screen class in kiosk/ui/screens/<mode>.py, imported when the mode is first opened.
SCREEN_CLASSES: dict[str, str] = {
    "sale": "SaleScreen",
    "customers": "CustomersScreen",
    "khata": "KhataScreen",
    "reports": "ReportsScreen",
    "loyalty": "LoyaltyScreen",
    "settings": "SettingsScreen",
}

#: What a role must be allowed to open each mode (the services check again inside).
MODE_PERMISSIONS: dict[str, Permission] = {
    "sale": Permission.SELL,
    "customers": Permission.READ_CUSTOMERS,
    "khata": Permission.READ_CUSTOMERS,
    "reports": Permission.READ_REPORTS,
    "loyalty": Permission.READ_CUSTOMERS,
    "settings": Permission.EDIT_SHOP,
}

MODE_TITLES = {"sale": "Sale", "customers": "Customers", "khata": "Khata", "reports": "Reports",
               "loyalty": "Loyalty", "settings": "Settings"}


def mode_screen(mode: str) -> Screen:
    """The base screen of `mode`: its class from kiosk/ui/screens/<mode>.py, or an "unbuilt" screen
    while that module does not exist. An import error *inside* an existing module is a bug and raised."""
    name = f"kiosk.ui.screens.{mode}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        from kiosk.ui.screens.unbuilt import UnbuiltScreen

        return UnbuiltScreen(mode)
    return getattr(module, SCREEN_CLASSES[mode])()


#: SQLite's page cache on the till's connections (the store's default is 32 MiB, for commands that read a
#: big shop through). A till reads a page of customers or a basket's products at a time; a miss is a read
#: from the OS's file cache, a few µs, and at 100k customers a 2 MiB cache searches as fast as a 32 MiB
#: one (bench/ui_customers.py --sqlite-cache-kib) for 12 MiB less of the till's memory (bench/ui_memory.py).
TILL_CACHE_MIB = 2

#: Parsed before the first paint; every other styles/*.tcss right after it (see KioskApp.on_ready).
FIRST_STYLES = ("app.tcss", "login.tcss")


def _styles(first: bool) -> list[str]:
    """styles/*.tcss: the ones the login screen needs (`first`), or all the others. Each screen's rules
    are nested under its type, so loading them all is safe."""
    from kiosk.paths import repo_root

    folder = repo_root() / "styles"
    if first:
        return [str(folder / name) for name in FIRST_STYLES]
    return [str(p) for p in sorted(folder.glob("*.tcss")) if p.name not in FIRST_STYLES]


class KioskApp(App[None]):
    """The till. `KioskApp(url)` for a shop's database; `demo=True` shows the demo PINs at login."""

    TITLE = "Kiosk"
    MODES: ClassVar[dict[str, Any]] = {
        "login": LoginScreen,
        **{mode: functools.partial(mode_screen, mode) for mode in SCREEN_CLASSES},
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: help and lock work over modal screens too (Payment, a manager's PIN); the area keys
        # do not, on purpose: a modal is finished or cancelled (Esc) first
        Binding("f1", "help", "Help", id="kiosk.help", priority=True),
        Binding("f2", "mode('sale')", "Sale", id="kiosk.sale"),
        Binding("f3", "mode('customers')", "Customers", id="kiosk.customers"),
        Binding("f4", "khata", "Khata", id="kiosk.khata"),
        Binding("f5", "mode('reports')", "Reports", id="kiosk.reports"),
        Binding("f6", "mode('loyalty')", "Loyalty", id="kiosk.loyalty"),
        Binding("f9", "mode('settings')", "Settings", id="kiosk.settings"),
        Binding("ctrl+l", "lock", "Lock", id="kiosk.lock", priority=True),
    ]

    selected_customer_id: var[int | None] = var(None)
    """The customer attached to the sale or highlighted in a list: what F4 opens. Screens set it."""

    def __init__(self, url: str, *, demo: bool = False, keymap: dict[str, str] | None = None,
                 review: bool = False) -> None:
        super().__init__(css_path=_styles(first=True))
        self.url = url
        """The shop's database: a SQLite path or a postgresql:// URL."""
        self.demo = demo
        """Show the demo PINs on the login screen."""
        self.review = review
        """`kiosk review`: managers, owners and viewers only, on a read-only connection."""
        if review:
            self.sub_title = "review (read-only)"
        self.animation_level = "none"  # an old till's CPU is for the cashier, not for slides
        self.session: Session | None = None
        """The logged-in user; None while the login screen is up."""
        self.ready = asyncio.Event()
        """Set once the shop has been opened after the first paint (or failed to open)."""
        self._ctx: Context | None = None
        self._keymap_given = keymap
        self._rescuers: list[Screen] = []  # screens seen this session that hold unsaved work
        self.rescued: list[str] = []
        """What the screens kept when an unguarded error ended the app ("basket parked as …")."""
        self.print_worker = PrintWorker(self)
        """Sends the print queue in a thread while someone is logged in (not in a review): kiosk/ui/print_worker.py."""

    # --- The shop and the session ----------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        # The first login screen is the default mode's screen, not the "login" mode's: starting in a
        # MODES entry costs a second parse of all the CSS (~20 ms) before the first paint. Ctrl+L later
        # switches to the "login" mode; this first one is never shown again.
        return LoginScreen()

    def on_mount(self) -> None:
        from kiosk.ui.keymap import load_keymap

        keymap, problems = (self._keymap_given, []) if self._keymap_given is not None else load_keymap()
        if keymap:
            self.set_keymap(keymap)
        for problem in problems:
            self.notify(problem, severity="warning", timeout=10)
        self.screen_change_signal.subscribe(self, self._seen, immediate=True)

    def on_ready(self) -> None:
        """The first frame is on screen: the other screens' styles, then the services (in a thread), then
        the shop (on this thread). Nobody can leave the login screen before they are all in."""
        self.stylesheet.read_all(_styles(first=False))
        self.refresh_css(animate=False)

        def load() -> None:
            from kiosk.drivers import sqlite_only

            try:
                with sqlite_only(self.url):  # a SQLite shop's till never loads psycopg (16 MiB)
                    import kiosk.services.context  # noqa: F401  (peewee: the slow part)
                    import kiosk.services.users  # noqa: F401
                    import playhouse.migrations  # noqa: F401  (opening the shop checks its migrations)
                from kiosk.services import till_prefetch

                till_prefetch.collect()  # `kiosk till` read in a child: the pepper, db key and money format
            finally:  # a failed import fails again, visibly, on the app's thread
                self.call_from_thread(self._open_after_warm_up)

        self.run_worker(load, thread=True, exit_on_error=False, name="warm-up")

    @guarded  # runs inside call_from_thread, which would hand an error to the thread, not show it
    def _open_after_warm_up(self) -> None:
        try:
            ctx = self.shop_context()
        except KioskError as exc:
            self.notify_error(exc)
            return
        finally:
            self.ready.set()
        if isinstance(self.screen, LoginScreen):
            self.screen.shop_opened(ctx.shop.name)

    def shop_context(self) -> Context:
        """The till's one services Context, opened on first use. Nobody acts in it until a PIN login."""
        if self._ctx is None:
            from kiosk.services.context import open_shop

            ctx = open_shop(self.url, read_only=self.review, cache_mib=TILL_CACHE_MIB)
            ctx.user = None  # open_shop acts as the first owner by default; the till acts as nobody
            self._ctx = ctx
        return self._ctx

    @property
    def shop_name(self) -> str | None:
        """The shop's name once it is open (None before: the login screen paints first)."""
        return self._ctx.shop.name if self._ctx is not None else None

    def close_shop(self) -> None:
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None

    def log_in(self, pin: str) -> UserRef:
        """Check the PIN (services.users.login: audited, counted toward the till's lockout) and start a
        session in the first area the role may use. Raises LoginRefused / TillLocked / ValidationError."""
        from kiosk.services import users

        ctx = self.shop_context()
        ctx.user = None
        if self.review:
            user = self._review_login(pin)
        else:
            user = users.login(ctx, pin)
        self.session = Session(ctx, user, read_only=self.review)
        self.switch_mode("sale" if self.session.may(Permission.SELL) else "reports")
        self.print_worker.start(self.session)  # does nothing in a review (read-only)
        return user

    def _review_login(self, pin: str) -> UserRef:
        """A review's login is audited and counted toward the lockout like any other, so it runs on a
        writable connection of its own, closed at once; the session itself only ever reads."""
        from kiosk.services import users
        from kiosk.services.context import open_shop
        from kiosk.ui.session import REVIEW_ROLES

        writable = open_shop(self.url)
        try:
            writable.user = None
            user = users.login(writable, pin, purpose="review")
        finally:
            writable.close()
        if user.role not in REVIEW_ROLES:
            raise KioskError(f"{user.name} is a {user.role}: review is for managers, owners and viewers")
        return user

    @guarded
    async def action_lock(self) -> None:
        """Back to the login screen; every area is thrown away, so the next user sees nothing of this one."""
        if self.session is None:
            return
        self.rescue_all()  # e.g. the Sale screen parks a basket in progress
        self.print_worker.stop()  # a job being sent finishes; the next login sends the rest
        await self.switch_mode("login")
        self.session.end()
        self.session = None
        self.selected_customer_id = None
        self.clear_notifications()  # a refusal or a balance in a toast is the last user's too
        self._rescuers.clear()
        for mode in SCREEN_CLASSES:
            await self.remove_mode(mode)
            self.add_mode(mode, functools.partial(mode_screen, mode))

    # --- Moving between areas --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("mode", "khata", "lock") and self.session is None:
            return False  # hidden on the login screen
        if action == "mode" and self.session.read_only and not self.session.may(MODE_PERMISSIONS[parameters[0]]):
            return False  # a review shows no key that leads to a change (Sale, Settings)
        return True

    def may_open(self, mode: str) -> bool:
        """Whether the session may open `mode`; if not, say why in a notification."""
        if self.session is None:
            return False
        permission = MODE_PERMISSIONS[mode]
        if self.session.may(permission):
            return True
        self.notify_error(self.session.refusal(permission))
        return False

    @guarded
    async def action_mode(self, mode: str) -> None:
        if self.may_open(mode):
            await self.switch_mode(mode)

    @guarded
    def action_khata(self) -> None:
        if self.selected_customer_id is None:
            self.notify("Khata: attach a customer to the sale (F7) or pick one in Customers (F3) first",
                        severity="warning")
            return
        self.open_khata(self.selected_customer_id)

    def _show_in(self, mode: str, message: ShowCustomer | ShowKhata) -> bool:
        if not self.may_open(mode):
            return False
        self.switch_mode(mode)
        self.get_screen_stack(mode)[0].post_message(message)
        return True

    def open_customer(self, customer_id: int) -> bool:
        """Switch to Customers and show this customer's profile (posts ShowCustomer to its screen)."""
        self.selected_customer_id = customer_id
        return self._show_in("customers", ShowCustomer(customer_id))

    def open_khata(self, customer_id: int) -> bool:
        """Switch to Khata and show this customer's ledger (posts ShowKhata to its screen)."""
        self.selected_customer_id = customer_id
        return self._show_in("khata", ShowKhata(customer_id))

    @guarded
    def action_help(self) -> None:
        from kiosk.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.session is None:
            return
        for mode, title in MODE_TITLES.items():
            if self.session.may(MODE_PERMISSIONS[mode]):
                yield SystemCommand(title, f"Go to {title}", functools.partial(self.run_action, f"mode({mode!r})"))
        yield SystemCommand("Lock", "Lock the till (back to the PIN)", functools.partial(self.run_action, "lock"))
        yield SystemCommand("Printer queue", "Receipts waiting for the printer: retry, drop, another printer",
                            self.open_print_queue)

    def open_print_queue(self) -> None:
        """The jobs waiting for the printer (Ctrl+R on the Sale screen, Q in Settings' Printer tab)."""
        from kiosk.ui.screens.print_queue import PrintQueueScreen

        if self.session is not None and not isinstance(self.screen, PrintQueueScreen):
            self.push_screen(PrintQueueScreen())

    # --- The manager's PIN -----------------------------------------------------------------------

    async def ask_manager(self, reason: str) -> UserRef | None:
        """Ask for a manager's or owner's PIN for `reason` ("credit above the limit") in a modal; the
        manager, or None on Esc. Wrong PINs count toward the till's lock (services.users.login,
        purpose "override"). Await it from a worker (`@work`) or a screen's async handler."""
        from kiosk.ui.screens.manager_pin import ManagerPinScreen

        screen = ManagerPinScreen(reason)
        await self.push_screen(screen)
        return await screen.answer

    # --- Errors ----------------------------------------------------------------------------------

    def notify_error(self, error: BaseException | str) -> None:
        """A refusal or a bad input: one line in a notification, never a traceback."""
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        self.bell()
        self.notify(text, severity="error", timeout=8)

    def _seen(self, screen: Screen) -> None:
        if callable(getattr(screen, "rescue", None)) and screen not in self._rescuers:
            self._rescuers.append(screen)

    def rescue_all(self) -> list[str]:
        """Call rescue() on every screen of this session that has one; their notes ("basket parked …").
        A rescue that fails is logged and the others still run."""
        notes = []
        for screen in list(self._rescuers):
            try:
                note = screen.rescue()
            except Exception as exc:  # noqa: BLE001 - one broken rescue must not stop the others
                self._write_log(exc)
                continue
            if note:
                notes.append(str(note))
        return notes

    def _write_log(self, exc: BaseException):
        from kiosk.ui.crash import write_crash_log

        user = self.session.user if self.session else None
        about = {"user": f"{user.name} ({user.role})" if user else "-", "mode": self.current_mode,
                 "screen": type(self.screen).__name__, "till": self._ctx.till if self._ctx else "-"}
        try:
            return write_crash_log(exc, about)
        except OSError:
            return None

    def show_crash(self, exc: BaseException) -> None:
        """An unexpected error: log it, rescue every screen's unsaved work, show the ErrorScreen."""
        from kiosk.ui.screens.error import ErrorScreen

        log = self._write_log(exc)
        notes = self.rescue_all()
        if isinstance(self.screen, ErrorScreen):
            self.screen.add(exc, log, notes)
        else:
            self.push_screen(ErrorScreen(exc, log, notes))

    def on_unmount(self) -> None:
        self.print_worker.stop()
        # An unguarded error ends the app (Textual's way): the screens are gone from the DOM by now but
        # still in our list, so their work is rescued here; `kiosk till` writes the traceback log.
        if self.return_code not in (None, 0):
            self.rescued = self.rescue_all()
