"""The usb and cups connections taking the bytes, not only failing: python-escpos's Usb replaced by a fake
that records what reaches it, CUPS through a stand-in `lp` first on PATH and through python-escpos's own
CupsPrinter on a fake pycups module. The bytes are a rendered receipt, decoded back."""

from __future__ import annotations

import gc
import sys
import types

import pytest

from kiosk.devices import printer as device
from kiosk.domain.print_layout import Document, Pair, Text, parse_printer_url
from tests.support.escpos_decode import decode

PROFILE = "TM-T20II"


@pytest.fixture(scope="module")
def receipt() -> bytes:
    document = Document("receipt", "Receipt s-1", (Text("Test Kiryana"), Pair("Atta 20kg", "Rs2,400.00")))
    return device.render(document, profile=PROFILE, kick=True)


def _is_the_receipt(data: bytes, receipt: bytes) -> bool:
    d = decode(data, PROFILE)
    return data == receipt and "Test Kiryana" in [t.strip() for t in d.texts()] and d.cuts == 1 and len(d.kicks) == 1


# --- usb ------------------------------------------------------------------------------------------------------


class FakeUsb:
    """python-escpos's Usb as `_send_usb` uses it: the arguments it was made with, the writes, the closes."""

    made: list[FakeUsb] = []
    usable = True
    open_error: Exception | None = None
    write_error: Exception | None = None
    close_error: Exception | None = None

    @staticmethod
    def is_usable() -> bool:
        return FakeUsb.usable

    def __init__(self, idVendor=None, idProduct=None, usb_args=None, timeout=0, **endpoints):  # noqa: N803
        self.vendor, self.product, self.timeout, self.endpoints = idVendor, idProduct, timeout, endpoints
        self.writes: list[bytes] = []
        self.opened = self.closed = 0
        FakeUsb.made.append(self)

    def open(self) -> None:
        if self.open_error is not None:
            raise self.open_error
        self.opened += 1

    def _raw(self, msg: bytes) -> None:
        if self.write_error is not None:
            raise self.write_error
        self.writes.append(bytes(msg))

    def close(self) -> None:
        self.closed += 1
        if self.close_error is not None:
            raise self.close_error


class UsbTimeout(Exception):
    """Like usb.core.USBTimeoutError: errno and strerror in its text."""


@pytest.fixture
def fake_usb(monkeypatch):
    import escpos.printer

    monkeypatch.setattr(FakeUsb, "made", [])
    for name in ("usable", "open_error", "write_error", "close_error"):
        monkeypatch.setattr(FakeUsb, name, getattr(FakeUsb, name))
    monkeypatch.setattr(escpos.printer, "Usb", FakeUsb)
    return FakeUsb


def test_usb_reaches_the_printer_named_by_the_url_with_its_endpoints_and_timeout(fake_usb, receipt):
    assert device.send(parse_printer_url("usb://0416:5011?out_ep=0x03&in_ep=81&timeout=5"), receipt) == ""
    (usb,) = fake_usb.made
    assert (usb.vendor, usb.product, usb.timeout) == (0x0416, 0x5011, 5000)  # pyusb counts milliseconds
    assert usb.endpoints == {"in_ep": 0x81, "out_ep": 0x03}
    assert usb.opened == 1 and usb.closed == 1 and len(usb.writes) == 1  # whole, in one write
    assert _is_the_receipt(usb.writes[0], receipt)


def test_usb_without_endpoints_keeps_python_escpos_defaults_and_the_default_timeout(fake_usb):
    import inspect

    from escpos.printer.usb import Usb

    device.send(parse_printer_url("usb://04b8:0202"), b"\x1b@x\n")
    (usb,) = fake_usb.made
    assert usb.endpoints == {} and usb.timeout == device.TIMEOUT_SECONDS * 1000
    defaults = inspect.signature(Usb.__init__).parameters
    assert (defaults["in_ep"].default, defaults["out_ep"].default) == (0x82, 0x01)  # what the printer then gets


def test_a_usb_write_that_fails_is_one_line_and_the_device_is_closed(fake_usb):
    fake_usb.write_error = UsbTimeout("[Errno 110] Operation timed out")
    fake_usb.close_error = UsbTimeout("[Errno 19] No such device (it may have been disconnected)")
    with pytest.raises(device.PrinterError) as err:
        device.send(parse_printer_url("usb://04b8:0202"), b"\x1b@x\n")
    assert str(err.value) == "printer usb://04b8:0202: the write failed ([Errno 110] Operation timed out)"
    (usb,) = fake_usb.made
    assert usb.writes == [] and usb.closed == 1  # closed, and the close's own error does not hide the write's


def test_a_usb_close_that_fails_after_the_write_still_printed(fake_usb):
    fake_usb.close_error = UsbTimeout("[Errno 19] No such device")
    assert device.send(parse_printer_url("usb://04b8:0202"), b"\x1b@x\n") == ""
    assert fake_usb.made[0].writes == [b"\x1b@x\n"] and fake_usb.made[0].closed == 1


@pytest.mark.parametrize(("error", "reason"), [
    ("escpos", "Device not found or cable not plugged in."),
    (ValueError("No backend available"), "No backend available"),
])
def test_a_usb_printer_that_cannot_be_opened_is_one_line(fake_usb, error, reason):
    from escpos.exceptions import DeviceNotFoundError

    if error == "escpos":  # python-escpos's own: two lines, wrapped in "Device not found (…)"
        error = DeviceNotFoundError(f"Unable to open USB printer on (1046, 20497):\n{reason}")
    fake_usb.open_error = error
    with pytest.raises(device.PrinterError) as err:
        device.send(parse_printer_url("usb://0416:5011"), b"x")
    assert str(err.value) == f"printer usb://0416:5011: cannot open ({reason})"
    assert fake_usb.made[0].writes == []


def test_usb_without_pyusb_says_what_to_install(fake_usb):
    fake_usb.usable = False
    with pytest.raises(device.PrinterError, match=r"^printer usb://04b8:0202: USB printers need pyusb and libusb"):
        device.send(parse_printer_url("usb://04b8:0202"), b"x")
    assert fake_usb.made == []


# --- cups through lp ------------------------------------------------------------------------------------------


@pytest.fixture
def lp(tmp_path, monkeypatch):
    """A stand-in `lp` first on PATH (pycups made unimportable): it records its arguments and standard input,
    and exits 1 with `lp.refuse`'s lines on stderr when that file exists."""
    bin_dir, record = tmp_path / "bin", tmp_path / "lp-record"
    bin_dir.mkdir()
    record.mkdir()
    script = bin_dir / "lp"
    script.write_text(f"""#!/bin/sh
printf '%s\\n' "$@" > "{record}/argv"
cat > "{record}/stdin"
if [ -f "{record}/refuse" ]; then cat "{record}/refuse" >&2; exit 1; fi
echo "request id is $2-7 (0 file(s))"
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setitem(sys.modules, "cups", None)  # import cups: ImportError, as without pycups
    return record


def test_cups_without_pycups_submits_the_receipt_as_a_raw_lp_job(lp, receipt):
    assert device.send(parse_printer_url("cups://EPSON_TM_T20?profile=TM-T20II"), receipt,
                       title="Receipt s-1") == ""
    assert (lp / "argv").read_text().splitlines() == ["-d", "EPSON_TM_T20", "-o", "raw", "-t", "Receipt s-1"]
    assert _is_the_receipt((lp / "stdin").read_bytes(), receipt)


def test_a_queue_lp_refuses_is_one_line_with_lp_s_message(lp):
    (lp / "refuse").write_text("lp: The printer or class does not exist.\n")
    with pytest.raises(device.PrinterError) as err:
        device.send(parse_printer_url("cups://NO_SUCH_QUEUE"), b"\x1b@x\n")
    assert str(err.value) == ("printer cups://NO_SUCH_QUEUE: CUPS refused the job "
                              "(lp: The printer or class does not exist.)")
    (lp / "refuse").write_text("lp: Error - unable to queue from stdin\n\nlp: Forbidden\n")
    with pytest.raises(device.PrinterError) as err:
        device.send(parse_printer_url("cups://SHOP"), b"\x1b@x\n")
    assert str(err.value).endswith("(lp: Error - unable to queue from stdin; lp: Forbidden)")


def test_cups_without_pycups_or_lp_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "cups", None)
    with pytest.raises(device.PrinterError, match=r"^printer cups://SHOP: cups printing needs pycups or the lp c"):
        device.send(parse_printer_url("cups://SHOP"), b"x")


# --- cups through pycups --------------------------------------------------------------------------------------


@pytest.fixture
def pycups(monkeypatch):
    """A fake pycups module, for python-escpos's own CupsPrinter too (it reads `cups` when first imported):
    `queues` the CUPS queues, `jobs` what printFile was given (the file's bytes read at once), `refuse` an
    error printFile raises."""
    import escpos.printer.cups as escpos_cups

    cups = types.ModuleType("cups")
    cups.CUPS_FORMAT_RAW = "application/vnd.cups-raw"
    cups.queues, cups.jobs, cups.refuse = {"EPSON_TM_T20": {"printer-state": 3}}, [], None

    class IPPError(Exception):
        pass

    class Connection:
        def getPrinters(self):  # noqa: N802 - pycups's names
            return dict(cups.queues)

        def getDefault(self):  # noqa: N802
            return next(iter(cups.queues), None)

        def printFile(self, printer, filename, title, options):  # noqa: N802
            if cups.refuse is not None:
                raise cups.refuse
            with open(filename, "rb") as f:
                cups.jobs.append((printer, title, options, f.read()))
            return len(cups.jobs)

    cups.IPPError, cups.Connection = IPPError, Connection
    cups.getServer, cups.getPort = (lambda: "localhost"), (lambda: 631)
    cups.setServer = cups.setPort = lambda _value: None
    monkeypatch.setitem(sys.modules, "cups", cups)
    monkeypatch.setattr(escpos_cups, "cups", cups, raising=False)
    monkeypatch.setattr(escpos_cups, "_DEP_PYCUPS", True)
    monkeypatch.setattr(escpos_cups, "DEFAULT_HOST", "localhost", raising=False)
    monkeypatch.setattr(escpos_cups, "DEFAULT_PORT", 631, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # lp, if installed, is not what is tested here
    return cups


def test_cups_with_pycups_prints_the_receipt_raw_through_python_escpos(pycups, receipt):
    assert device.send(parse_printer_url("cups://EPSON_TM_T20"), receipt, title="Receipt s-1") == ""
    ((queue, title, options, data),) = pycups.jobs
    assert (queue, title, options) == ("EPSON_TM_T20", "Receipt s-1", {"document-format": pycups.CUPS_FORMAT_RAW})
    assert _is_the_receipt(data, receipt)


def test_cups_with_pycups_refusing_is_one_line(pycups):
    with pytest.raises(device.PrinterError) as err:
        device.send(parse_printer_url("cups://NO_SUCH_QUEUE"), b"\x1b@x\n")
    assert str(err.value) == "printer cups://NO_SUCH_QUEUE: CUPS refused the job (Incorrect printer name)"
    pycups.refuse = pycups.IPPError(1280, "client-error-not-possible")
    with pytest.raises(device.PrinterError) as err:
        device.send(parse_printer_url("cups://EPSON_TM_T20"), b"\x1b@x\n")
    assert str(err.value) == ("printer cups://EPSON_TM_T20: CUPS refused the job "
                              "((1280, 'client-error-not-possible'))")
    pycups.refuse = None
    del err  # its traceback holds the CupsPrinter
    gc.collect()  # python-escpos's __del__ submits a job still pending: the refused one must not be
    assert pycups.jobs == []
