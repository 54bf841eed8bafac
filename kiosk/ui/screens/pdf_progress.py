"""Save a document as a PDF: which file (a name made up for it, editable), then the PDF made off the
app's thread with its stage, a progress bar and the seconds so far; what was written at the end.

The statement preview (Khata, S then Ctrl+S) and the Reports screen (Ctrl+S on the credit or customer
tab) push `PdfProgressScreen`. It goes through these states:

- "ask": the file box has focus. Enter starts, Esc closes (nothing made).
- "rendering": a thread worker (`render`) lays the document out with `Document.write(...,
  in_subprocess=True)`: WeasyPrint runs in a child process (``python -m kiosk.devices.pdf``), so it is
  never imported into the till, its layout never holds the till's GIL, and it can be stopped half way.
  A report whose books take a while to read (the credit report of a big shop) is read in the same
  worker, on the worker's own database connection. The worker hands its progress back with
  `post_message` (thread-safe and non-blocking: a report never waits for the app's thread, and one
  for a screen that has gone is dropped instead of blocking a worker while the app shuts down). The
  screen, and the till, answer keys meanwhile (F1, Ctrl+L).
  Esc: "stopping": the child is killed at its next check (a tenth of a second), nothing is written, the
  screen closes with a notification. Locking the till (Ctrl+L) stops it the same way (the worker is
  cancelled with its screen).
- "done": the file, its pages and size, and the seconds it took. Enter or Esc closes; the screen's
  answer is the `PdfResult` (None when nothing was written).

A refusal or a bad file (a folder that does not exist, one that cannot be written) is a one-line
notification and the box again, to fix the name and press Enter once more.

Where files go: `default_folder()`, the user's documents folder (platformdirs' `user_documents_path`:
XDG_DOCUMENTS_DIR, else ~/Documents) when it exists, else ``documents/`` in Kiosk's data folder
(made when first used). A name typed without a folder goes there too; ".pdf" is added when missing.
The file is written whole or not at all and readable by its owner only (`kiosk.devices.pdf`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from kiosk.domain.errors import KioskError, ValidationError
from kiosk.ui.guard import guard, guarded
from kiosk.ui.widgets import TillFooter

if TYPE_CHECKING:
    from kiosk.devices.pdf import PdfResult
    from kiosk.services.documents import Document

#: build(progress) -> Document, called on the worker's thread (give it its own database connection).
Builder = Callable[[Callable[[str, float], None]], "Document"]

#: The stages `kiosk.services.documents` and `kiosk.devices.pdf` report, as the screen names them.
STAGES = {
    "starting": "Starting the PDF maker",
    "reading the books": "Reading the books",
    "building HTML": "Building the document",
    "laying out": "Laying out the pages",
    "writing": "Writing the file",
    "done": "Done",
}
FOLDER_IN_DATA = "documents"


def default_folder() -> Path:
    """Where a PDF goes unless told otherwise: the user's documents folder if there is one, else
    documents/ in Kiosk's data folder (a till's account often has no ~/Documents)."""
    from platformdirs import user_documents_path

    from kiosk.paths import data_dir

    try:
        documents = user_documents_path()
    except OSError:  # pragma: no cover - platformdirs may try to make an XDG folder
        documents = None
    if documents is not None and documents.is_dir():
        return documents
    return data_dir() / FOLDER_IN_DATA


def file_name(*parts: object) -> str:
    """A file name from its parts: "statement", "Ahmed Khan", a date -> "statement-ahmed-khan-2025-03-01.pdf".
    Letters of any script are kept (an Urdu name stays readable); anything else becomes one "-"."""
    words = [re.sub(r"[\W_]+", "-", str(p)).strip("-").lower() for p in parts if p is not None and str(p) != ""]
    return "-".join(w for w in words if w) + ".pdf"


def target_path(text: str) -> Path:
    """The file to write for what is in the box: ~ expanded, a bare name put in `default_folder()`,
    ".pdf" added when it has no such ending. An empty box names the field."""
    text = text.strip()
    if not text:
        raise ValidationError("file", "is empty: type where the PDF should go")
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = default_folder() / path
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    return path


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KiB"


class PdfProgressScreen(ModalScreen["PdfResult | None"]):
    """Save `document` (already built, on the app's thread) or what `build(progress)` makes (on the
    worker's thread) as a PDF; `path` is what the file box offers first."""

    AUTO_FOCUS = "#pdf-path"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pdf.cancel"),
        Binding("enter", "close", "Close", id="pdf.close"),
    ]

    class Progressed(Message):
        """From the worker: a stage began; `fraction` of the whole job done (0..1)."""

        bubble = False

        def __init__(self, stage: str, fraction: float) -> None:
            super().__init__()
            self.stage = stage
            self.fraction = fraction

    class Finished(Message):
        """From the worker: the PDF written (`result`) or not (`error`)."""

        bubble = False

        def __init__(self, result: PdfResult | None, error: BaseException | None) -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, title: str, path: Path, *, document: Document | None = None,
                 build: Builder | None = None) -> None:
        super().__init__()
        if (document is None) == (build is None):
            raise TypeError("PdfProgressScreen needs a document or a way to build one")
        self.heading = title
        """What is saved, in words: "Statement of Ahmed Khan", "Credit report"."""
        self.offered = path
        self.document = document
        self.build = build
        self.state = "ask"
        """"ask", "rendering", "stopping" or "done"."""
        self.stage = ""
        """The stage last reported (a key of STAGES)."""
        self.path: Path | None = None
        """The file being made (once Enter was pressed)."""
        self.result: PdfResult | None = None
        """What was written, once done."""
        self._stop = threading.Event()
        self._started = 0.0
        self._leaving: tuple[PdfResult | None] | None = None

    # --- Layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="pdf-box"):
            yield Static(f"[b]Save as PDF[/b] · {escape(self.heading)}", id="pdf-title")
            with Horizontal(id="pdf-file"):
                yield Label("File", classes="form-label")
                yield Input(str(self.offered), id="pdf-path", compact=True)
            yield Static("", id="pdf-stage")
            yield ProgressBar(total=100, show_eta=False, id="pdf-bar")
            yield Static("", id="pdf-outcome")
            yield Static("", id="pdf-hint")
        yield TillFooter()

    def on_mount(self) -> None:
        self._ticker = self.set_interval(0.2, self._tick, pause=True)
        self._show_hint()

    def _show_hint(self) -> None:
        hint = {"ask": "Enter: save the PDF · Esc: cancel",
                "rendering": "Esc: stop (nothing is written) · the till keeps working meanwhile",
                "stopping": "Stopping…",
                "done": "Enter: close"}[self.state]
        self.query_one("#pdf-hint", Static).update(hint)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return self.state == "done"
        return True

    def _tick(self) -> None:
        self.query_one("#pdf-stage", Static).update(
            f"{STAGES.get(self.stage, self.stage)} · {time.monotonic() - self._started:.1f} s")

    # --- Starting --------------------------------------------------------------------------------

    @on(Input.Submitted, "#pdf-path")
    @guarded
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def start(self) -> None:
        """Make the PDF at the path in the box (Enter)."""
        if self.state != "ask":
            return
        path = target_path(self.query_one("#pdf-path", Input).value)
        if path.parent == default_folder() and not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        self.path = path
        self.query_one("#pdf-path", Input).value = str(path)
        self.query_one("#pdf-path", Input).disabled = True
        self.query_one("#pdf-outcome", Static).update("")
        self.state, self.result = "rendering", None
        self._stop.clear()
        self._started = time.monotonic()
        self._show_stage("starting", 0.0)
        self._ticker.resume()
        self._show_hint()
        self.render_pdf(path)

    # --- In the worker ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="pdf")
    def render_pdf(self, path: Path) -> None:
        """On a worker thread: build the document if need be, then lay it out in a child process."""
        worker = get_current_worker()

        def tell(message: Message) -> None:
            try:
                self.post_message(message)
            except RuntimeError:  # the app's loop has closed (the till quit mid-render)
                pass

        def progress(stage: str, fraction: float) -> None:
            tell(self.Progressed(stage, fraction))

        def should_stop() -> bool:
            return self._stop.is_set() or worker.is_cancelled

        try:
            document = self.document if self.document is not None else self.build(progress)
            if should_stop():
                raise KioskError(f"{path}: stopped; nothing was written")
            result = document.write(path, progress=progress, in_subprocess=True, should_stop=should_stop)
        except Exception as exc:  # noqa: BLE001 - handed to the app's thread, shown there (guard)
            tell(self.Finished(None, exc))
            return
        tell(self.Finished(result, None))

    # --- Back on the app's thread ----------------------------------------------------------------

    def _show_stage(self, stage: str, fraction: float) -> None:
        self.stage = stage
        self._tick()
        self.query_one("#pdf-bar", ProgressBar).update(progress=round(fraction * 100))

    @on(Progressed)
    def progressed(self, event: Progressed) -> None:
        if self.state in ("rendering", "stopping"):
            self._show_stage(event.stage, event.fraction)

    @on(Finished)
    def finished(self, event: Finished) -> None:
        self._ticker.pause()
        if event.error is None:
            self._done(event.result)
        elif self._stop.is_set():  # whatever the child said as it was killed: nothing was written
            self.app.notify(f"PDF not saved: stopped; nothing was written to {self.path}", severity="warning")
            self._leave(None)
        else:
            self.state = "ask"
            self._show_stage("", 0.0)
            self.query_one("#pdf-stage", Static).update("")
            box = self.query_one("#pdf-path", Input)
            box.disabled = False
            box.focus()
            error = event.error
            if isinstance(error, KioskError):
                self.query_one("#pdf-outcome", Static).update(f"[b]Not saved:[/b] {escape(str(error))}")
            self._show_hint()
            with guard(self):  # a refusal or a bad file: one line; anything else: the error screen
                raise error

    def _done(self, result: PdfResult) -> None:
        self.state, self.result = "done", result
        self._show_stage("done", 1.0)
        self.query_one("#pdf-stage", Static).update(f"Done in {result.seconds:.1f} s")
        pages = f"{result.pages} page{'s' if result.pages != 1 else ''}"
        self.query_one("#pdf-outcome", Static).update(
            f"Saved: {pages} · {_size_text(result.size)} · made in {result.seconds:.1f} s\n"
            f"[b]{escape(str(result.path))}[/b]")
        self._show_hint()

    # --- Keys ------------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        """Esc: close before or after; during the render, stop it (nothing is written)."""
        if self.state == "rendering":
            self._stop.set()
            self.state = "stopping"
            self._show_hint()
        elif self.state in ("ask", "done"):
            self._leave(self.result)

    def action_close(self) -> None:
        """Enter once the PDF is written."""
        if self.state == "done":
            self._leave(self.result)

    def _leave(self, result: PdfResult | None) -> None:
        # dismiss() pops whatever is on top: with Help (F1) open over this screen, wait until it closes
        if self.app.screen is self:
            self.dismiss(result)
        else:
            self._leaving = (result,)

    def on_screen_resume(self) -> None:
        if self._leaving is not None:
            (result,), self._leaving = self._leaving, None
            self.dismiss(result)
