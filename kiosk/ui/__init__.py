"""The Textual till: `kiosk.ui.app.KioskApp` (wiring, modes, global keys), screens/, widgets/, messages.py.

HOW TO ADD A SCREEN
===================

Files
    kiosk/ui/screens/<mode>.py   one screen per module. A mode's base screen has a fixed name:
                                 sale.py SaleScreen, customers.py CustomersScreen, khata.py KhataScreen,
                                 reports.py ReportsScreen, loyalty.py LoyaltyScreen, settings.py
                                 SettingsScreen. The app imports it the first time the mode is opened
                                 (until the module exists the mode shows an "unbuilt" screen). Its
                                 __init__ takes no arguments. Other screens (Payment, Customer attach, …)
                                 live in their own modules and are pushed by the screen that needs them.
    styles/<screen>.tcss         every styles/*.tcss is loaded by the app (app.tcss and login.tcss before
                                 the first paint, the rest right after it); nest all rules
                                 under the screen's type (`SaleScreen { #basket { … } }`) so they cannot
                                 leak. No CSS in screens; widgets (kiosk/ui/widgets/) keep DEFAULT_CSS.
    tests/ui/test_<screen>.py    see Testing below.

Keys
    Every binding has an id "<screen>.<action>" so a till can remap it (kiosk/ui/keymap.py) and Help (F1)
    lists it; give it a description so the footer shows it. Never an on_key if/elif chain.

        BINDINGS = [Binding("f7", "attach", "Customer", id="sale.attach"),
                    Binding("f8", "park", "Park", id="sale.park"),
                    Binding("f12", "pay", "Pay", id="sale.pay")]

    Taken everywhere (app bindings; on a modal screen only F1 and Ctrl+L): f1 kiosk.help, f2 kiosk.sale, f3 kiosk.customers, f4 kiosk.khata,
    f5 kiosk.reports, f6 kiosk.loyalty, f9 kiosk.settings, ctrl+l kiosk.lock, ctrl+p palette,
    ctrl+q quit. Esc is back/cancel and Enter confirm on every screen. Compose `kiosk.ui.widgets.TillFooter()`
    (a compact Footer: your keys first, then the global ones, in 80 columns) and, at the top,
    `kiosk.ui.widgets.SessionBar("Sale")` (where, who, shop, till).

The session
    `self.app.session` (kiosk.ui.session.Session) is set while someone is logged in:
        session.ctx                   the services Context: `customers.search(session.ctx, text)`
        session.user / session.role   UserRef(id, name, role) / kiosk.domain.roles.Role
        session.may(Permission.X)     to hide or refuse early (services check again anyway)
        session.refusal(Permission.X) the one-line refusal to show
        session.money(minor)          "Rs 1,250.50" in the shop's currency and locale
        session.parse_money(text, "amount")  minor units, or ValidationError naming the field
    Screens import services (kiosk.services.*) and domain objects, never kiosk.store or peewee rows.
    Import services inside handlers or at module top of your screen module (it is loaded after login),
    never from kiosk/ui/app.py: the login screen must paint before peewee loads.

The app's API for screens
    app.selected_customer_id       var[int | None]: the attached/highlighted customer; set it when the
                                   cashier attaches or highlights one; F4 opens that customer's khata.
    app.open_customer(id)          switch to Customers and post messages.ShowCustomer(id) to its screen
    app.open_khata(id)             switch to Khata and post messages.ShowKhata(id) to its screen
                                   (handle them with on_show_customer / on_show_khata)
    await app.ask_manager(reason)  a modal manager/owner PIN; the manager's UserRef or None on Esc. Await
                                   it in a worker (`@work`) or a screen's async handler, not in an App action.
    app.notify_error(exc_or_text)  a one-line error notification (with a bell)
    app.may_open(mode)             whether the session may open a mode (notifies the refusal if not)

Errors
    Decorate every handler, action and worker that calls a service with `kiosk.ui.guard.guarded`
    (`@on`/`@work` outermost, `@guarded` next to the def): a KioskError becomes a one-line
    notification, anything else the error screen plus a log file. A screen holding unsaved work
    implements `rescue(self) -> str | None` (the Sale screen parks its basket; return a short note);
    the app calls it on every live screen before the error screen, and when the till is locked.
    Details: kiosk/ui/guard.py.

Long work
    PDFs, big reports, printing: `@work(thread=True)` (or an async worker), never in a handler.
    A thread worker gets its own database connection from peewee; post results back with
    `self.app.call_from_thread`.

Testing (tests/ui/conftest.py)
    `till` is a KioskApp on a small SQLite shop (owner 1111, manager 2222, cashier 3333, viewer 4444;
    SKU 1001 "Atta 10kg"; Ahmed Khan 03001234567 with two credit sales); `login` types a PIN. Plain
    `async def` tests run without a plugin:

        async def test_f3_opens_customers(till, login):
            async with till.run_test(size=(80, 24)) as pilot:
                await login(pilot, CASHIER)
                await pilot.press("f3")
                assert till.current_mode == "customers"

    Snapshots: `await snap(pilot, "sale-80x24")` (the `snap` fixture) compares the screen's SVG with
    tests/ui/snapshots/<name>.svg; KIOSK_UPDATE_SNAPSHOTS=1 rewrites them (look at them before committing).
"""
