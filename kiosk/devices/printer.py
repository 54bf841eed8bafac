"""The receipt printer (python-escpos): lay a document out for the printer's profile, render it to
ESC/POS bytes, and send the bytes over one connection.

`send` returns only once the printer has taken the bytes, and raises `PrinterError` (one line, naming
the printer) when it has not, so the queue marks a job printed only after a clean hand-over:

- tcp (python-escpos's Network, on a socket of ours: IPv6 too): connect, ask the paper sensor (below),
  `sendall`, then a clean close: our side is shut for writing and the printer's end-of-stream awaited,
  so a connection reset before the printer read everything is a failure, not a print. A printer that
  keeps the connection open after the end of the job (some do) is given `DRAIN_SECONDS` and counted as
  printed: every byte was already sent.
- file (a device such as /dev/usb/lp0): write, flush, close.
- serial (pyserial): ask the paper sensor, write, wait until the port has sent everything, close.
- usb (pyusb + libusb): write to the printer's endpoint, close.
- cups: python-escpos's CupsPrinter where pycups is installed, else the `lp` command, as a raw job;
  printed means CUPS accepted the job.

**Paper.** A printer that is out of paper still takes the bytes into its buffer (and loses them when it
is switched off), so before a job that puts anything on paper a tcp or serial printer is asked for its
paper sensor (DLE EOT 4, python-escpos's `RT_STATUS_PAPER`), waiting `STATUS_SECONDS` for the answer:
no paper is a `PrinterError` ("out of paper": the job waits, or goes to another printer); near the end
the job is sent and `send` returns "paper near end" for the cashier. Many cheap printers never answer:
the job is sent as before, and that printer is not asked again for `SILENT_SECONDS` (so it costs
`STATUS_SECONDS` once, not on every receipt). usb, file and cups printers are not asked.

Heavy libraries (escpos, PIL, serial, usb) are imported inside the functions.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Sequence

from kiosk.domain.errors import KioskError
from kiosk.domain.print_layout import Document, PrinterAddress, Printed, layout

#: Seconds to connect and to write to a network printer unless its address says `?timeout=`.
TIMEOUT_SECONDS = 10
#: Seconds to wait for a network printer to close its end after the job.
DRAIN_SECONDS = 3
#: Seconds to wait for the answer to the paper query (DLE EOT 4) before sending anyway.
STATUS_SECONDS = 0.5
#: Seconds a printer that did not answer the paper query is not asked again.
SILENT_SECONDS = 300
#: What `paper_state` reads (python-escpos's `paper_status()` values).
NO_PAPER, PAPER_NEAR_END, PAPER_OK = 0, 1, 2
NEAR_END_NOTICE = "paper near end"

_silent_until: dict[str, float] = {}  # printer url -> monotonic time until which it is not asked


class PrinterError(KioskError):
    """The printer did not take the job: off, unplugged, refused, reset, out of reach."""


def columns(profile: str) -> int:
    """The characters in a line of font A for a python-escpos profile: 32 (58 mm), 42 or 48 (80 mm)."""
    from kiosk.devices.escpos_render import columns_of

    return columns_of(profile)


def lay_out(document: Document, profile: str) -> list[Printed]:
    return layout(document, columns(profile))


def render(document: Document, *, profile: str, kick: bool = False) -> bytes:
    """The document as ESC/POS bytes for `profile`: a drawer kick first when `kick`, cut at the end
    (a drawer-only document is just the kick)."""
    from kiosk.devices.escpos_render import render as render_lines

    if not document.blocks:
        return render_lines([], profile=profile, kick=kick, cut=False)
    return render_lines(lay_out(document, profile), profile=profile, kick=kick)


def send(address: PrinterAddress, data: bytes, *, title: str = "kiosk", needs_paper: bool = True) -> str:
    """Hand `data` to the printer at `address` over one connection; raise PrinterError if it was not
    all taken (or the printer says it has no paper). Returns a notice for the cashier ("paper near
    end") or "". `needs_paper` False (a drawer kick alone): the paper sensor is not asked."""
    sender = {"tcp": _send_tcp, "file": _send_file, "serial": _send_serial, "usb": _send_usb,
              "cups": _send_cups}[address.kind]
    return sender(address, data, title, needs_paper) or ""


def _fail(address: PrinterAddress, what: str, exc: BaseException | str) -> PrinterError:
    if isinstance(exc, str):
        reason = exc
    else:  # python-escpos's errors wrap their reason in "Device not found (…)": take the reason itself
        text = exc.msg if isinstance(getattr(exc, "msg", None), str) and exc.msg.strip() else str(exc)
        reason = (text.strip().splitlines() or [type(exc).__name__])[-1].strip()
    return PrinterError(f"printer {address.url}: {what} ({reason})")


# --- Paper ------------------------------------------------------------------------------------------------------


def paper_state(answer: bytes) -> int | None:
    """The paper sensor in a DLE EOT 4 answer, read as python-escpos's `paper_status()` does (2 paper,
    1 near end, 0 none), or None when no byte of `answer` is one (its fixed bits are 0xx1xx10):
    python-escpos reads any other byte as "no paper", which would stop a printer that answers
    something else for ever."""
    from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER

    for byte in answer:
        if byte & 0x93 == 0x12:
            if byte & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
                return NO_PAPER
            if byte & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
                return PAPER_NEAR_END
            return PAPER_OK
    return None


def forget_status(url: str | None = None) -> None:
    """Ask again printers that did not answer the paper query (`url`: that one only)."""
    if url is None:
        _silent_until.clear()
    else:
        _silent_until.pop(url, None)


def _ask_paper(address: PrinterAddress, write: Callable[[bytes], None],
               read: Callable[[float], bytes | None]) -> int | None:
    """Ask the paper sensor: `write` the query, `read(seconds)` what came back (b"": nothing in that
    time; None: the connection ended). None when the printer cannot tell: no answer in
    `STATUS_SECONDS` (remembered for `SILENT_SECONDS`), the connection failed (sending will say so)."""
    from escpos.constants import RT_STATUS_PAPER

    if _silent_until.get(address.url, 0.0) > time.monotonic():
        return None
    deadline = time.monotonic() + STATUS_SECONDS
    try:
        write(RT_STATUS_PAPER)
        while (left := deadline - time.monotonic()) > 0:
            answer = read(left)
            if answer is None:
                return None
            if (state := paper_state(answer)) is not None:
                return state
    except OSError:
        return None
    _silent_until[address.url] = time.monotonic() + SILENT_SECONDS
    return None


def _paper_notice(address: PrinterAddress, state: int | None) -> str:
    if state == NO_PAPER:
        raise PrinterError(f"printer {address.url}: out of paper")
    return NEAR_END_NOTICE if state == PAPER_NEAR_END else ""


# --- Connections ------------------------------------------------------------------------------------------------


def _send_tcp(address: PrinterAddress, data: bytes, _title: str, needs_paper: bool) -> str:
    from escpos.printer import Network

    timeout = address.timeout or TIMEOUT_SECONDS
    printer = Network(address.host, address.port, timeout=timeout)
    try:  # not Network.open(): its socket is AF_INET only, and tcp://[::1] is a printer address too
        sock = socket.create_connection((address.host, address.port), timeout=timeout)
    except OSError as exc:
        raise _fail(address, "cannot connect", exc) from None
    printer.device = sock

    def read(seconds: float) -> bytes | None:
        sock.settimeout(seconds)
        try:
            return sock.recv(16) or None
        except TimeoutError:
            return b""

    try:
        notice = ""
        if needs_paper:
            notice = _paper_notice(address, _ask_paper(address, sock.sendall, read))
            sock.settimeout(timeout)
        printer._raw(data)  # sendall: returns once the kernel took every byte
        sock.shutdown(socket.SHUT_WR)  # end of job: the printer sees end-of-stream
        sock.settimeout(DRAIN_SECONDS)
        try:
            while sock.recv(4096):  # status bytes a printer may send back are not ours to read
                pass
        except TimeoutError:
            pass  # the printer keeps its end open: everything was sent, and nothing was refused
    except OSError as exc:  # reset or timed out before the printer took the bytes
        raise _fail(address, "the job was not taken", exc) from None
    finally:
        printer.close()
    return notice


def _send_file(address: PrinterAddress, data: bytes, _title: str, _needs_paper: bool) -> str:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import File

    printer = File(address.path, auto_flush=False)
    try:
        printer.open()
    except DeviceNotFoundError as exc:
        raise _fail(address, "cannot open", exc) from None
    try:
        printer._raw(data)
        printer.flush()
    except OSError as exc:
        raise _fail(address, "the write failed", exc) from None
    finally:
        try:
            printer.close()
        except OSError as exc:
            raise _fail(address, "the write failed", exc) from None
    return ""


def _send_serial(address: PrinterAddress, data: bytes, _title: str, needs_paper: bool) -> str:
    try:
        import serial
    except ImportError:
        raise _fail(address, "serial printers need pyserial", "pip install pyserial") from None
    try:
        port = serial.Serial(address.path, baudrate=address.baud or 9600, timeout=address.timeout or TIMEOUT_SECONDS,
                             write_timeout=address.timeout or TIMEOUT_SECONDS)
    except (serial.SerialException, OSError) as exc:
        raise _fail(address, "cannot open", exc) from None

    def write(query: bytes) -> None:
        port.reset_input_buffer()  # an old answer is not this one
        port.write(query)
        port.flush()

    def read(seconds: float) -> bytes:
        port.timeout = seconds
        return port.read(1)  # b"" once `seconds` passed

    try:
        notice = ""
        if needs_paper:
            notice = _paper_notice(address, _ask_paper(address, write, read))
            port.timeout = address.timeout or TIMEOUT_SECONDS
        written = port.write(data)
        port.flush()  # waits until the port has sent everything
        if written != len(data):
            raise _fail(address, "the write was cut short", f"{written} of {len(data)} bytes")
    except (serial.SerialException, OSError) as exc:
        raise _fail(address, "the write failed", exc) from None
    finally:
        port.close()
    return notice


def _send_usb(address: PrinterAddress, data: bytes, _title: str, _needs_paper: bool) -> str:
    from escpos.printer import Usb

    if not Usb.is_usable():
        raise _fail(address, "USB printers need pyusb and libusb", "pip install pyusb; Debian: libusb-1.0-0")
    options = {k: v for k, v in (("in_ep", address.in_ep), ("out_ep", address.out_ep)) if v is not None}
    printer = Usb(address.vendor, address.product, timeout=(address.timeout or TIMEOUT_SECONDS) * 1000, **options)
    try:
        printer.open()
    except Exception as exc:  # pyusb and python-escpos raise several unrelated types for a missing device
        raise _fail(address, "cannot open", exc) from None
    try:
        printer._raw(data)  # pyusb's write: the whole buffer, or an error
    except Exception as exc:  # usb.core.USBError and friends
        _close_quietly(printer)
        raise _fail(address, "the write failed", exc) from None
    _close_quietly(printer)  # the printer has the bytes: releasing the interface cannot undo that
    return ""


def _close_quietly(printer) -> None:
    try:
        printer.close()
    except Exception:  # noqa: BLE001 - pyusb's dispose_resources: nothing left to tell the cashier
        pass


def _forget_cups_job(printer) -> None:
    """A CupsPrinter whose job was not submitted keeps it pending, and python-escpos's `__del__` closes
    the printer, which submits it: the receipt would print at some garbage collection, while the job
    waits in our queue to be printed again. Drop it."""
    printer.pending_job = False
    printer.device = False  # close() and __del__ do nothing now
    try:
        printer.tmpfile.close()
    except OSError:
        pass


def _send_cups(address: PrinterAddress, data: bytes, title: str, _needs_paper: bool) -> str:
    import shutil
    import subprocess

    try:
        import cups  # noqa: F401 - pycups: python-escpos's CupsPrinter
    except ImportError:
        cups = None
    if cups is not None:
        from escpos.printer import CupsPrinter

        printer = None
        try:
            printer = CupsPrinter(address.queue)
            printer.open(job_name=title)
            printer._raw(data)
            printer.close()  # submits the job
        except Exception as exc:  # pycups raises its own IPPError
            raise _fail(address, "CUPS refused the job", exc) from None
        finally:
            if printer is not None:
                _forget_cups_job(printer)
        return ""
    if not shutil.which("lp"):
        raise _fail(address, "cups printing needs pycups or the lp command", "Debian: cups-client")
    try:
        done = subprocess.run(["lp", "-d", address.queue, "-o", "raw", "-t", title], input=data,
                              capture_output=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _fail(address, "lp failed", exc) from None
    if done.returncode != 0:
        said = [ln.strip() for ln in done.stderr.decode(errors="replace").splitlines() if ln.strip()]
        raise _fail(address, "CUPS refused the job", "; ".join(said) or f"lp exited with {done.returncode}")
    return ""


def paper_widths() -> Sequence[tuple[str, int]]:
    """(profile, columns) of the common profiles, for a settings screen."""
    return [(name, columns(name)) for name in ("POS-5890", "ZJ-5870", "TM-T88V", "TM-T20II")]
