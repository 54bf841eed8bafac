"""The till's background sender: the print queue (`kiosk.services.printing`) sent from a thread, never
from the screen.

A sale, refund or khata payment writes its print job in its own transaction; this sends it. The app
starts the worker after a PIN login (`app.print_worker.start(session)`) and stops it on Ctrl+L; it never
runs in a review session (read-only: nothing to send, and the connection refuses every write).

- **Rounds.** `kick()` runs one round in a Textual thread worker: the due jobs, oldest first, one at a
  time (`printing.send_pending(ctx, limit=1)`), until none is due, the printer does not take one (the
  rest would only wait for the same dead printer: they go in a later round), `JOBS_PER_ROUND` were sent,
  or the worker was stopped. Then the waiting jobs are read for the indicator. A timer kicks every
  `POLL_SECONDS` (a job that failed is due again after its backoff, 5 s doubling to 5 minutes); the Sale
  screen kicks after each sale so the receipt prints at once. One round at a time: a kick during a round
  asks for another one after it, so a job committed while a round was reading the queue is not missed.
- **Its own connection.** A round runs on a thread of the event loop's executor with its own database
  connection (peewee's are per thread), opened for the round and closed at its end
  (`db.connection_context()`), so no connection is left open by a thread that ends. It acts on a copy of
  the session's Context (`dataclasses.replace(ctx, user=…)`): the app's Context is shared and its user
  changes at the next login, mid-round.
- **Results.** Each round ends on the app's thread (`call_from_thread`) with a `PrintReport` (the
  waiting jobs, what was sent, the printer) kept in `state` and published on the `reported` signal: the
  session bar shows "printer: 2 waiting", the receipt after a sale shows whether it printed, the queue
  screen redraws. A printer problem is never an error here (the job waits and says why); an error of
  the round itself is shown like any other (a KioskError one line, else the error screen), and after an
  unexpected one the worker stops until the next login rather than failing every few seconds.
- **On demand.** `call(fn, done)` runs `fn(ctx)` (a reprint, a test page, a no-sale drawer opening, a
  retry: each talks to the printer) on a thread the same way, and `done(result)` on the app's thread.

The services are imported inside the threads, never here: the app imports this module before peewee.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.signal import Signal

from kiosk.domain.errors import KioskError

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from kiosk.ui.session import Session

#: Seconds between two looks at the queue while nothing kicks it.
POLL_SECONDS = 5.0
#: Jobs sent in one round at most (send_pending's own default); more wait for the next round, at once.
JOBS_PER_ROUND = 20


@dataclass(frozen=True, slots=True)
class PrintReport:
    """What one round saw: `waiting` (the jobs not printed yet, oldest first: `kiosk.store.print_jobs.
    QueuedJob`), `results` (this round's `printing.SendResult`s), the shop's printer and auto-print."""

    round: int
    waiting: tuple = ()
    results: tuple = ()
    printer: str = "none"
    auto_print: bool = True
    warning: str = ""
    """What the printer said with the latest job it took ("paper near end"); kept through rounds that sent
    nothing, cleared when a job prints without one."""

    @property
    def count(self) -> int:
        return len(self.waiting)

    def job_of(self, kind: str, ref: str):
        """The waiting job that prints `kind` `ref` (a sale's own receipt, not a reprint), or None."""
        for job in self.waiting:
            if job.kind == kind and job.ref == ref and not job.reprint:
                return job
        return None

    @property
    def last_error(self) -> str:
        """Why the printer did not take the latest job it was offered ("" when nothing failed)."""
        failed = [job for job in self.waiting if job.last_error]
        return failed[-1].last_error if failed else ""


def short_error(text: str) -> str:
    """A printer's one line without its address and errno ("cannot connect (Connection refused)")."""
    text = " ".join((text or "").split())
    if text.startswith("printer ") and ": " in text:
        text = text.split(": ", 1)[1]
    text = re.sub(r"\[Errno \d+\] ", "", text)
    if text.endswith("))") and text.count(")") > text.count("("):
        text = text[:-1]  # the last line of python-escpos's two-line reason ends in its own bracket
    return text


def notify_reprint(app: App, sale_id: str, result) -> None:
    """The one line a reprint ends with (`result`: a `printing.SendResult`), wherever it was asked for: the
    customer's purchases or the sales list."""
    short = sale_id[:8]
    if result.printed:
        app.notify(f"Reprint of sale {short} printed", timeout=4)
    elif result.status == "busy":
        app.notify(f"Reprint of sale {short} is being sent", timeout=4)
    else:
        app.notify(f"Reprint waiting for the printer: {short_error(result.error)}; it is retried "
                   "(Ctrl+R on the Sale screen: the queue)", severity="warning", timeout=8)


class PrintWorker:
    """The app's one sender (`app.print_worker`). Call `start`, `stop`, `kick` and `call` on the app's
    thread only."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.reported: Signal[PrintReport] = Signal(app, "print-reported")
        """Published on the app's thread after every round."""
        self.state: PrintReport | None = None
        """The latest round's report (None before the first)."""
        self.poll_seconds = POLL_SECONDS
        self._session: Session | None = None
        self._timer: Timer | None = None
        self._generation = 0  # a new one at every start and stop: a round of an older one reports only
        self._round = 0
        self._busy = False
        self._again = False

    @property
    def running(self) -> bool:
        return self._session is not None

    def start(self, session: Session) -> bool:
        """Send the queue while `session` lasts (not for a review session: False). Kicks a first round."""
        self.stop()
        if session.read_only:
            return False
        self._session = session
        self._generation += 1
        self._timer = self.app.set_interval(self.poll_seconds, self.kick, name="print-worker")
        self.kick()
        return True

    def stop(self) -> None:
        """No more rounds; one under way ends after the job it is sending (which is marked as it went)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._session = None
        self._generation += 1
        self._again = False

    def _context(self):
        session = self._session or self.app.session
        return dataclasses.replace(session.ctx, user=session.user)

    # --- Rounds ----------------------------------------------------------------------------------

    def kick(self) -> int:
        """Send what is due now, in a thread; the number of the round that will see every job committed
        before this call (the receipt view waits for its report). 0 while the worker is stopped."""
        if not self.running:
            return 0
        if self._busy:
            self._again = True
            return self._round + 1
        self._busy = True
        self._round += 1
        number, generation, ctx = self._round, self._generation, self._context()
        self.app.run_worker(lambda: self._send_round(number, generation, ctx), thread=True, exit_on_error=False,
                            name=f"print round {number}", group="print-worker", description="sending print jobs")
        return number

    def _send_round(self, number: int, generation: int, ctx) -> None:
        """On a thread: send, read the queue, report back."""
        from textual.worker import get_current_worker

        from kiosk.services import printing, settings

        worker = get_current_worker()
        results: list = []
        more = False
        try:
            with ctx.db.connection_context():  # this thread's own connection, closed when the round ends
                for _ in range(JOBS_PER_ROUND):
                    if generation != self._generation or worker.is_cancelled:
                        break
                    sent = printing.send_pending(ctx, limit=1)
                    if not sent:
                        break
                    results.extend(sent)
                    if sent[-1].status == printing.WAITING:
                        break  # the printer did not take it: the others would wait for it too
                else:
                    more = True
                cfg = settings.printer_settings(ctx)
                report = PrintReport(number, tuple(printing.waiting(ctx)), tuple(results), cfg.url, cfg.auto_print)
        except Exception as exc:  # noqa: BLE001 - shown on the app's thread
            self._post(self._round_failed, generation, exc)
            return
        self._post(self._round_done, generation, report, more)

    def _post(self, callback: Callable, *args: Any) -> None:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app has ended meanwhile: nobody to tell
            pass

    def _round_done(self, generation: int, report: PrintReport, more: bool) -> None:
        self._busy = False
        printed = [result for result in report.results if result.printed]
        warning = printed[-1].warning if printed else (self.state.warning if self.state is not None else "")
        report = dataclasses.replace(report, warning=warning)
        self.state = report
        self.reported.publish(report)
        if self.running and (self._again or more):
            self._again = False
            self.kick()

    def _round_failed(self, generation: int, exc: Exception) -> None:
        self._busy = False
        if generation != self._generation:
            return  # the session it was sending for has ended
        if isinstance(exc, KioskError):
            self.app.notify_error(f"printer queue: {exc}")
            if self.running and self._again:
                self._again = False
                self.kick()
            return
        self.stop()  # a bug: once on the error screen, not every few seconds; the next login starts again
        self.app.show_crash(exc)

    # --- On demand ---------------------------------------------------------------------------------

    def call(self, fn: Callable[[Any], Any], done: Callable[[Any], None] | None = None, *,
             name: str = "print") -> None:
        """`fn(ctx)` on a thread with its own connection (a call that talks to the printer), then
        `done(result)` on the app's thread and a round to bring the waiting count up to date. A
        KioskError is a one-line notification; anything else the error screen."""
        if self.app.session is None:
            return
        ctx = self._context()

        def work() -> None:
            try:
                with ctx.db.connection_context():
                    result = fn(ctx)
            except Exception as exc:  # noqa: BLE001 - shown on the app's thread
                self._post(self._call_failed, exc)
                return
            self._post(self._call_done, done, result)

        self.app.run_worker(work, thread=True, exit_on_error=False, name=name, group="print-call")

    def _call_done(self, done: Callable[[Any], None] | None, result: Any) -> None:
        try:
            if done is not None:
                done(result)
        except Exception as exc:  # noqa: BLE001 - as @guarded would
            self._call_failed(exc)
        self.kick()

    def _call_failed(self, exc: Exception) -> None:
        if isinstance(exc, KioskError):
            self.app.notify_error(exc)
        else:
            self.app.show_crash(exc)
        self.kick()
