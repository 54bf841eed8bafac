"""PDFs from the till: a khata statement from the statement preview (Khata, S, Ctrl+S) and the credit and
customer reports (Reports, Ctrl+S), read back with pdftotext; the till answers keys while WeasyPrint
works in its child process; Esc and Ctrl+L stop it and leave no file; refusals and a bad folder are one
line; a read-only review may save a statement; where files go by default."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from kiosk.domain.errors import ValidationError
from kiosk.ui.screens.help import HelpScreen
from kiosk.ui.screens.khata_forms import StatementScreen
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.screens.pdf_progress import PdfProgressScreen, default_folder, file_name, target_path
from kiosk.ui.screens.reports import ReportsScreen
from tests.ui.conftest import CASHIER, MANAGER, VIEWER
from tests.ui.test_khata import errors, open_ahmed
from tests.ui.test_reports import settle

TODAY = dt.date.today()
FIRST = TODAY.replace(day=1)
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.translate(BIDI_MARKS).replace("\u00a0", " ").split())


@pytest.fixture(autouse=True)
def no_documents_folder(monkeypatch, tmp_path):
    """A home without ~/Documents or user-dirs.dirs: the default folder is documents/ in the (temporary)
    data folder, never the real home's."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


class Gate:
    """Holds the render at "laying out" (the child process has started, nothing is written yet) until
    `release` is set: the render is surely under way while a test presses keys."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()
        self.over = threading.Event()
        self.outcome: object = None

    async def wait_reached(self) -> None:
        import asyncio

        assert await asyncio.to_thread(self.reached.wait, 30), "the render never reached 'laying out'"

    async def wait_over(self) -> None:
        import asyncio

        assert await asyncio.to_thread(self.over.wait, 30), "the render never ended"


@pytest.fixture
def gate(monkeypatch):
    from kiosk.devices import pdf

    held = Gate()
    original = pdf.render_in_subprocess

    def render_in_subprocess(html, path, *, progress=None, should_stop=None, **kwargs):
        def slowed(stage: str, fraction: float) -> None:
            if progress is not None:
                progress(stage, fraction)
            if stage == pdf.LAYING_OUT:
                held.reached.set()
                held.release.wait(30)

        try:
            held.outcome = original(html, path, progress=slowed, should_stop=should_stop, **kwargs)
        except BaseException as exc:
            held.outcome = exc
            raise
        finally:
            held.over.set()
        return held.outcome

    monkeypatch.setattr(pdf, "render_in_subprocess", render_in_subprocess)
    return held


async def wait_until(pilot, condition, what: str, seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def save_as(pilot, path: Path | str) -> PdfProgressScreen:
    """On the PDF screen: type `path` in the file box and press Enter."""
    screen = pilot.app.screen
    assert isinstance(screen, PdfProgressScreen)
    box = screen.query_one("#pdf-path", Input)
    box.value = str(path)
    box.focus()
    await pilot.press("enter")
    await pilot.pause()
    return screen


async def open_statement_pdf(pilot) -> tuple[StatementScreen, PdfProgressScreen]:
    await pilot.press("s")
    await pilot.pause()
    preview = pilot.app.screen
    assert isinstance(preview, StatementScreen)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PdfProgressScreen)
    return preview, pilot.app.screen


# --- The khata statement ---------------------------------------------------------------------------


async def test_a_statement_pdf_from_the_khata_screen_while_the_till_answers_keys(till, login, tmp_path, gate):
    import sys

    weasyprint_before = "weasyprint" in sys.modules  # other tests of the run may have imported it
    async with till.run_test(size=(80, 24)) as pilot:
        _khata, customer_id = await open_ahmed(pilot, login, CASHIER)  # a cashier may: READ_CUSTOMERS
        preview, pdf = await open_statement_pdf(pilot)
        assert pdf.heading == "Statement of Ahmed Khan" and pdf.state == "ask"
        offered = Path(pdf.query_one("#pdf-path", Input).value)
        assert offered == default_folder() / f"statement-ahmed-khan-{customer_id}-{FIRST}-to-{TODAY}.pdf"

        (tmp_path / "out").mkdir()
        target = tmp_path / "out" / "ahmed.pdf"
        await save_as(pilot, tmp_path / "out" / "ahmed")  # ".pdf" is added
        await gate.wait_reached()
        await pilot.pause()
        assert pdf.state == "rendering" and pdf.path == target and pdf.query_one("#pdf-path", Input).disabled
        assert shown(pdf, "#pdf-stage").startswith("Laying out the pages · ")

        # The render is held in its worker; the till goes on: the seconds tick, F1 opens Help, Esc closes it
        before = shown(pdf, "#pdf-stage")
        await wait_until(pilot, lambda: shown(pdf, "#pdf-stage") != before, "the seconds to tick")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(till.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert till.screen is pdf
        assert pdf.state == "rendering" and not gate.over.is_set() and not target.exists()

        gate.release.set()
        await wait_until(pilot, lambda: pdf.state == "done", "the PDF")
        result = pdf.result
        assert result.path == target and result.pages == 1 and target.stat().st_size == result.size
        assert target.stat().st_mode & 0o777 == 0o600
        outcome = shown(pdf, "#pdf-outcome")
        assert outcome.startswith("Saved: 1 page · ") and f"made in {result.seconds:.1f} s\n{target}" in outcome

        text = pdf_text(target)
        assert "Khata statement" in text and "Ahmed Khan" in text
        assert "CLOSING BALANCE: OWED" in text
        # the last row: the period's debits, credits and the closing balance, as the preview showed them
        assert re.search(r"Closing balance Rs1,980\.00 Rs0\.00 Rs1,980\.00 What is owed", text), text
        assert [p.name for p in target.parent.iterdir()] == ["ahmed.pdf"]  # no temporary file left

        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is preview
    if not weasyprint_before:  # laid out in the child process: WeasyPrint never entered the till's
        assert "weasyprint" not in sys.modules


async def test_the_pdf_is_of_the_period_in_the_boxes(till, login, tmp_path, monkeypatch):
    """Ctrl+S takes the period typed in the preview (and shows it) without Enter first; nothing else is
    made until Enter on the file."""
    from kiosk.services import documents

    built = []
    original = documents.statement_document
    monkeypatch.setattr(documents, "statement_document",
                        lambda ctx, cid, start, end: built.append((start, end)) or original(ctx, cid, start, end))
    async with till.run_test(size=(80, 24)) as pilot:
        await open_ahmed(pilot, login, MANAGER)
        await pilot.press("s")
        await pilot.pause()
        preview = till.screen
        tomorrow = TODAY + dt.timedelta(days=1)
        preview.query_one("#statement-from", Input).value = tomorrow.isoformat()
        preview.query_one("#statement-to", Input).value = tomorrow.isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert built == [(tomorrow, tomorrow)]
        assert "Opening balance Rs1,980.00" in shown(preview, "#statement-opening")
        assert till.screen.query_one("#pdf-path", Input).value.endswith(f"-{tomorrow}-to-{tomorrow}.pdf")
        await pilot.press("escape")  # before Enter: nothing made
        await pilot.pause()
        assert till.screen is preview

        preview.query_one("#statement-to", Input).value = "31/02/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert till.screen is preview and len(built) == 1


async def test_esc_stops_the_render_and_leaves_no_file(till, login, tmp_path, gate, notes):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_ahmed(pilot, login, CASHIER)
        preview, pdf = await open_statement_pdf(pilot)
        target = tmp_path / "stopped.pdf"
        await save_as(pilot, target)
        await gate.wait_reached()
        await pilot.press("escape")
        await pilot.pause()
        assert pdf.state == "stopping" and "Stopping" in shown(pdf, "#pdf-hint")
        gate.release.set()
        await gate.wait_over()
        await wait_until(pilot, lambda: till.screen is preview, "the PDF screen to close")
        assert type(gate.outcome).__name__ == "Cancelled"
        assert notes[-1] == (f"PDF not saved: stopped; nothing was written to {target}", "warning")
        assert list(tmp_path.glob("*.pdf*")) == [] and list(tmp_path.glob(".stopped*")) == []


async def test_locking_the_till_mid_render_stops_it(till, login, tmp_path, gate):
    async with till.run_test(size=(80, 24)) as pilot:
        await open_ahmed(pilot, login, CASHIER)
        await open_statement_pdf(pilot)
        await save_as(pilot, tmp_path / "locked.pdf")
        await gate.wait_reached()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(till.screen, LoginScreen)
        gate.release.set()
        await gate.wait_over()
        assert type(gate.outcome).__name__ == "Cancelled"
        assert not list(tmp_path.glob("*locked*")) and not list(tmp_path.glob(".locked*"))


async def test_a_read_only_review_saves_a_statement_and_a_bad_folder_is_one_line(shop_url, login, tmp_path):
    """A review writes a file, not the books: it may. The default folder (documents/ in the data folder,
    as this home has no ~/Documents) is made when first used. A folder that does not exist is one line
    and the box again."""
    from kiosk.services import customers
    from kiosk.ui.app import KioskApp
    from tests.ui.conftest import AHMED_PHONE

    review = KioskApp(shop_url, keymap={}, review=True)
    shown_notes = []
    original = review.notify
    review.notify = lambda message, *a, **k: shown_notes.append((str(message), k.get("severity"))) or original(
        message, *a, **k)
    try:
        async with review.run_test(size=(80, 24)) as pilot:
            await login(pilot, VIEWER)
            assert review.session.read_only
            review.selected_customer_id = customers.find_by_phone(review.session.ctx, AHMED_PHONE).id
            await pilot.press("f4")
            await pilot.pause()
            _preview, pdf = await open_statement_pdf(pilot)

            missing = tmp_path / "no-such-folder" / "s.pdf"
            await save_as(pilot, missing)
            await wait_until(pilot, lambda: pdf.state == "ask" and shown_notes, "the refusal")
            assert shown_notes[-1] == (f"{missing.parent}: no such directory", "error")
            assert "Not saved" in shown(pdf, "#pdf-outcome") and not pdf.query_one("#pdf-path", Input).disabled

            default = default_folder()
            assert default == tmp_path / "data" / "kiosk" / "documents" and not default.exists()
            await save_as(pilot, pdf.offered)
            await wait_until(pilot, lambda: pdf.state == "done", "the PDF")
            assert pdf.result.path.parent == default and pdf.result.path.exists()
            assert "Ahmed Khan" in pdf_text(pdf.result.path)
    finally:
        review.close_shop()


# --- Reports ---------------------------------------------------------------------------------------


async def test_the_credit_and_customer_reports_as_pdfs(till, login, tmp_path):
    from kiosk.ui.screens.help import key_rows

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        screen = await settle(pilot)
        await pilot.press("ctrl+s")  # the dashboard has no PDF: the key is not offered
        await pilot.pause()
        assert till.screen is screen
        assert "reports.pdf" not in [row[2] for row in key_rows(screen)[0]]

        await pilot.press("2")
        await settle(pilot)
        assert "reports.pdf" in [row[2] for row in key_rows(screen)[0]]
        await pilot.press("ctrl+s")
        await pilot.pause()
        pdf = till.screen
        assert isinstance(pdf, PdfProgressScreen) and pdf.heading == "Credit report"
        assert Path(pdf.query_one("#pdf-path", Input).value) == default_folder() / f"credit-report-{TODAY}.pdf"
        await save_as(pilot, tmp_path / "credit.pdf")
        await wait_until(pilot, lambda: pdf.state == "done", "the credit report")
        text = pdf_text(tmp_path / "credit.pdf")
        assert "Credit report" in text and "Ahmed Khan" in text and "Rs1,980.00" in text
        assert "+92300****567" in text and "03001234567" not in text  # paper is left on counters
        await pilot.press("enter")
        await pilot.pause()
        assert till.screen is screen

        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        pdf = till.screen
        start = TODAY - dt.timedelta(days=89)
        assert pdf.heading == "Customer report, last 90 days"
        assert Path(pdf.query_one("#pdf-path", Input).value).name == f"customer-report-{start}-to-{TODAY}.pdf"
        await save_as(pilot, tmp_path / "customers.pdf")
        await wait_until(pilot, lambda: pdf.state == "done", "the customer report")
        text = pdf_text(tmp_path / "customers.pdf")
        assert "Customer report" in text and "Ahmed Khan" in text


async def test_a_report_pdf_refused_by_the_services_is_one_line_and_writes_nothing(till, login, notes, tmp_path):
    from kiosk.services.users import UserRef

    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, MANAGER)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        till.session.ctx.user = UserRef(99, "Sana", "cashier")  # the services refuse now
        await pilot.press("ctrl+s")
        await pilot.pause()
        pdf = await save_as(pilot, tmp_path / "credit.pdf")
        await wait_until(pilot, lambda: pdf.state == "ask" and errors(notes), "the refusal")
        assert errors(notes) == ["Sana is a cashier: only managers, owners and viewers can read reports"]
        assert list(tmp_path.glob("credit*")) == [] and isinstance(till.screen, PdfProgressScreen)


async def test_a_cashier_gets_the_one_line_refusal_and_no_pdf_screen(till, login, notes):
    """Were the app's check ever bypassed, Ctrl+S on Reports offers nothing; the action itself refuses."""
    async with till.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        await till.switch_mode("reports")
        await pilot.pause()
        screen = till.screen
        assert isinstance(screen, ReportsScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert till.screen is screen and not errors(notes)
        screen.action_pdf()
        await pilot.pause()
        assert errors(notes) == ["Sana is a cashier: only managers, owners and viewers can read reports"]
        assert till.screen is screen


# --- Where files go --------------------------------------------------------------------------------


def test_files_go_to_the_documents_folder_or_the_data_folder(tmp_path, monkeypatch):
    assert default_folder() == tmp_path / "data" / "kiosk" / "documents"  # no ~/Documents here
    (tmp_path / "home" / "Documents").mkdir(parents=True)
    assert default_folder() == tmp_path / "home" / "Documents"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "user-dirs.dirs").write_text(f'XDG_DOCUMENTS_DIR="{tmp_path}/Papers"\n')
    (tmp_path / "Papers").mkdir()
    assert default_folder() == tmp_path / "Papers"

    assert target_path("ahmed") == tmp_path / "Papers" / "ahmed.pdf"
    assert target_path(" ~/x/y.PDF ") == tmp_path / "home" / "x" / "y.PDF"
    assert target_path("/srv/a.b") == Path("/srv/a.b.pdf")
    with pytest.raises(ValidationError, match="^file: is empty"):
        target_path("  ")
    assert file_name("statement", "Ahmed  Khan", 3, FIRST, "to", TODAY) == f"statement-ahmed-khan-3-{FIRST}-to-{TODAY}.pdf"
    assert file_name("statement", "محمد علی", 7) == "statement-محمد-علی-7.pdf"
    assert file_name("credit-report", None, "") == "credit-report.pdf"
