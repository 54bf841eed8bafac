"""`kiosk till`: the full-screen till (kiosk.ui) on the shop named by --db / $KIOSK_DB.

The last resort for an error no screen guarded: Textual ends the app; its traceback goes to a log file
(not the cashier's terminal, and never silenced; the local variables left out, as they may hold a PIN),
the screens' unsaved work has been rescued by the app on its way out, and one line says where the
details are.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from kiosk.cli.common import url_of
from kiosk.domain.errors import KioskError

EXIT_INTERNAL = 70


def register(commands) -> None:
    p = commands.add_parser("till", help="open the till: the full-screen, keyboard-only app (PIN login)",
                            description="Open the till on the shop's database. Keys: F1 help, F2 sale, "
                            "F3 customers, F4 khata, F5 reports, F6 loyalty, F9 settings, Ctrl+L lock. A till "
                            "can remap them in keymap.toml in Kiosk's config directory (or $KIOSK_KEYMAP).")
    p.set_defaults(func=cmd_till)


def cmd_till(args) -> int:
    return run_till(url_of(args))


def without_locals(text: str) -> str:
    """Textual's traceback shows each frame's local variables, and a key event or a PIN field's value is
    a PIN: drop every "locals" panel before the text goes to a file."""
    out, depth = [], 0
    for line in text.splitlines():
        if depth == 0 and " locals " in line and "╭" in line:
            depth = 1
            continue
        if depth:
            if "╰" in line:
                depth = 0
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def run_till(url: str, *, demo: bool = False, review: bool = False) -> int:
    if not url.startswith(("postgres://", "postgresql://")) and not Path(url).exists():
        raise KioskError(f"{url}: no shop there; make one with `kiosk init` (or try `kiosk demo`)")
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise KioskError("till: needs a terminal (stdin and stdout); for scripts use the other commands")
    from kiosk.services import till_prefetch

    till_prefetch.start(demo=demo, url=url)  # the keyring (and the money format), read in a child process
    from rich.console import Console

    from kiosk.ui.app import KioskApp

    app = KioskApp(url, demo=demo, review=review)
    errors = io.StringIO()
    app.error_console = Console(file=errors, width=120, color_system=None, markup=False, highlight=False)
    try:
        app.run()
    finally:
        app.close_shop()
    if app.return_code not in (None, 0):
        from kiosk.ui.crash import write_crash_log

        text = without_locals(errors.getvalue()) or "the till stopped with no traceback"
        log = write_crash_log(None, {"url": url}, text=text)
        kept = "".join(f"; kept: {note}" for note in app.rescued)
        print(f"kiosk: the till stopped on an unexpected error{kept}. Details for whoever looks after the "
              f"till: {log}", file=sys.stderr)
        return EXIT_INTERNAL
    return 0
