"""The printer's queue: the receipts and slips waiting for the printer, and what to do with them.

Opened with Ctrl+R on the Sale screen, Q on the Printer tab of Settings, or "Printer queue" in the
command palette (Ctrl+P). It lists `printing.waiting` (oldest first: what, when, tries, why it has not
printed) and follows the print worker's rounds as they happen. Keys (ids "print_queue.*"):

    R      retry the highlighted job now, whatever its backoff          printing.retry
    S      send every waiting job to another printer (type its address)  printing.send_to
    D      drop the highlighted job (press twice; audited)               printing.drop
    Esc    close (or leave the printer address)

Each of them talks to a printer, so each runs in a thread (`app.print_worker.call`); the services check
the permissions (selling staff) and write the audit rows.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from kiosk.ui.guard import guarded
from kiosk.ui.print_worker import short_error
from kiosk.ui.widgets import TillFooter

DROP_WINDOW = 3.0
KINDS = {"receipt": "receipt", "refund": "refund slip", "payment": "payment slip", "statement": "statement slip",
         "day": "day summary", "test": "test page", "drawer": "drawer"}


def job_text(job) -> str:
    """"receipt 1a2b3c4d", "receipt 1a2b3c4d (reprint)", "statement slip", "test page"."""
    what = KINDS.get(job.kind, job.kind)
    if job.kind in ("receipt", "refund"):
        what += f" {job.ref[:8]}"
    elif job.kind == "day":
        what += f" {job.ref}"
    if job.reprint:
        what += " (reprint)"
    return what


class PrintQueueScreen(ModalScreen[None]):
    AUTO_FOCUS = "#queue-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry now", id="print_queue.retry"),
        Binding("s", "send_to", "Other printer", id="print_queue.send_to"),
        Binding("d", "drop", "Drop", id="print_queue.drop"),
        Binding("escape", "close", "Close", id="print_queue.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list = []
        """The waiting jobs shown (`kiosk.store.print_jobs.QueuedJob`), in the table's order."""
        self.printer = "none"
        self._drop_armed: tuple[int, float] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="queue-box"):
            yield Static("[b]Printer queue[/b]", id="queue-title")
            yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder="another printer: tcp://HOST:9100 · Enter sends every waiting job there",
                        id="send-to", compact=True)
            yield Static("", id="queue-message")
        yield TillFooter()

    def on_mount(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        why = max(20, min(self.app.size.width, 100) - 48)  # the rest of the box's width
        for label, width in (("Job", 4), ("What", 20), ("At", 5), ("Tries", 5), ("Why it waits", why)):
            table.add_column(label, width=width, key=label)
        self.query_one("#send-to", Input).display = False
        self.load()
        self.app.print_worker.reported.subscribe(self, self.reported)
        self.app.print_worker.kick()

    @property
    def session(self):
        return self.app.session

    @guarded
    def load(self) -> None:
        """The queue as it stands (a quick read on this thread; sending is the worker's)."""
        from kiosk.services import printing, settings

        ctx = self.session.ctx
        self.printer = settings.printer_settings(ctx).url
        self.show(printing.waiting(ctx))

    def reported(self, report) -> None:
        self.printer = report.printer
        self.show(list(report.waiting))

    def show(self, jobs: list) -> None:
        table = self.query_one("#queue-table", DataTable)
        keep = table.cursor_row
        self.jobs = list(jobs)
        table.clear()
        for job in self.jobs:
            why = short_error(job.last_error) or ("being sent" if job.status == "printing" else "not tried yet")
            if job.printer:
                why = f"to {job.printer}: {why}"
            table.add_row(Text(str(job.id), justify="right"), job_text(job), f"{job.created_at:%H:%M}",
                          Text(str(job.attempts), justify="right"), why, key=str(job.id))
        if self.jobs:
            table.move_cursor(row=min(max(keep, 0), len(self.jobs) - 1))
        printer = "no printer set" if self.printer == "none" else self.printer
        count = f"{len(self.jobs)} waiting" if self.jobs else "nothing waiting"
        self.query_one("#queue-title", Static).update(Text.assemble(("Printer queue", "bold"),
                                                                    f" · {printer} · {count}"))
        if not self.jobs:
            self.say("Every receipt has printed. Esc: back.")
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        job = self.highlighted()
        if job is not None:
            self.say(f"Job {job.id}, {job_text(job)}, queued {job.created_at:%Y-%m-%d %H:%M} by "
                     f"{job.user or 'the till'} on {job.till}: {short_error(job.last_error) or 'not tried yet'}")

    def say(self, text: str) -> None:
        self.query_one("#queue-message", Static).update(text)

    def highlighted(self):
        table = self.query_one("#queue-table", DataTable)
        if not self.jobs or not table.row_count:
            return None
        return self.jobs[min(max(table.cursor_row, 0), len(self.jobs) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("retry", "drop", "send_to"):
            if self.session is None or self.session.read_only:
                return False
            if self.query_one("#send-to", Input).display:
                return None  # typing an address: the keys are letters
            return bool(self.jobs) or None
        return True

    # --- Keys ------------------------------------------------------------------------------------

    @guarded
    def action_retry(self) -> None:
        from kiosk.services import printing

        job = self.highlighted()
        if job is None:
            return
        self.say(f"Sending job {job.id} ({job_text(job)})…")
        self.app.print_worker.call(lambda ctx: printing.retry(ctx, job.id), self.retried, name="retry")

    def retried(self, result) -> None:
        if result.printed:
            self.app.notify(f"job {result.job_id} printed", timeout=4)
            self.say(f"Job {result.job_id} printed.")
        else:
            self.app.notify_error(f"job {result.job_id} still waits: {short_error(result.error)}")
            self.say(f"Job {result.job_id} still waits: {short_error(result.error) or result.status}.")

    @guarded
    def action_drop(self) -> None:
        from kiosk.services import printing

        job = self.highlighted()
        if job is None:
            return
        now = time.monotonic()
        armed = self._drop_armed
        if armed is None or armed[0] != job.id or now - armed[1] > DROP_WINDOW:
            self._drop_armed = (job.id, now)
            self.say(f"Press D again to drop job {job.id} ({job_text(job)}): it will not print.")
            return
        self._drop_armed = None
        printing.drop(self.session.ctx, job.id, reason="dropped at the till")  # no printer involved: quick
        self.say(f"Job {job.id} dropped.")
        self.load()
        self.app.print_worker.kick()

    def action_send_to(self) -> None:
        box = self.query_one("#send-to", Input)
        box.display = True
        box.focus()
        self.say("Type the other printer's address, Enter sends every waiting job there (they stay on it); "
                 "Esc: back.")
        self.refresh_bindings()

    @on(Input.Submitted, "#send-to")
    @guarded
    def send_to(self, event: Input.Submitted) -> None:
        from kiosk.domain.errors import ValidationError
        from kiosk.domain.print_layout import parse_printer_url
        from kiosk.services import printing

        event.stop()
        address = event.value.strip()
        if not address or parse_printer_url(address, field="printer") is None:  # a bad one: its own line
            raise ValidationError("printer", "type the other printer's address, e.g. tcp://HOST:9100")
        self.leave_send_to()
        self.say(f"Sending the waiting jobs to {address}…")
        self.app.print_worker.call(lambda ctx: printing.send_to(ctx, address), self.sent_to, name="send to")

    def sent_to(self, results: list) -> None:
        printed = sum(1 for r in results if r.printed)
        text = f"{printed} of {len(results)} job(s) printed on the other printer"
        failed = [r for r in results if not r.printed and r.error]
        if failed:
            self.app.notify_error(f"{text}; {short_error(failed[0].error)}")
        else:
            self.app.notify(text, timeout=5)
        self.say(text + ".")

    def leave_send_to(self) -> None:
        box = self.query_one("#send-to", Input)
        box.display = False
        self.query_one("#queue-table", DataTable).focus()
        self.refresh_bindings()

    def action_close(self) -> None:
        if self.query_one("#send-to", Input).display:
            self.leave_send_to()
            self.say("")
            return
        self.dismiss(None)
