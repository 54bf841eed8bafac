"""The receipt printer (python-escpos): lay a document out for the printer's profile, render it to
ESC/POS bytes, and send the bytes over one connection.

`send` returns only once the printer has taken the bytes, and raises `PrinterError` (one line, naming
the printer) when it has not, so the queue marks a job printed only after a clean hand-over:

- tcp (python-escpos's Network): connect, `sendall`, then a clean close: our side is shut for writing
  and the printer's end-of-stream awaited, so a connection reset before the printer read everything is
  a failure, not a print. A printer that keeps the connection open after the end of the job (some do)
  is given `DRAIN_SECONDS` and counted as printed: every byte was already sent.
- file (a device such as /dev/usb/lp0): write, flush, close.
- serial (pyserial): write, wait until the port has sent everything, close.
- usb (pyusb + libusb): write to the printer's endpoint, close.
- cups: python-escpos's CupsPrinter where pycups is installed, else the `lp` command, as a raw job;
  printed means CUPS accepted the job.

Heavy libraries (escpos, PIL, serial, usb) are imported inside the functions.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence

from kiosk.domain.errors import KioskError
from kiosk.domain.print_layout import Document, PrinterAddress, Printed, layout

#: Seconds to connect and to write to a network printer unless its address says `?timeout=`.
TIMEOUT_SECONDS = 10
#: Seconds to wait for a network printer to close its end after the job.
DRAIN_SECONDS = 3


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


def send(address: PrinterAddress, data: bytes, *, title: str = "kiosk") -> None:
    """Hand `data` to the printer at `address` over one connection; raise PrinterError if it was not
    all taken."""
    sender = {"tcp": _send_tcp, "file": _send_file, "serial": _send_serial, "usb": _send_usb,
              "cups": _send_cups}[address.kind]
    sender(address, data, title)


def _fail(address: PrinterAddress, what: str, exc: BaseException | str) -> PrinterError:
    reason = exc if isinstance(exc, str) else (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
    return PrinterError(f"printer {address.url}: {what} ({reason})")


def _send_tcp(address: PrinterAddress, data: bytes, _title: str) -> None:
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    timeout = address.timeout or TIMEOUT_SECONDS
    printer = Network(address.host, address.port, timeout=timeout)
    try:
        printer.open()
    except DeviceNotFoundError as exc:
        raise _fail(address, "cannot connect", exc) from None
    sock = printer.device
    try:
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


def _send_file(address: PrinterAddress, data: bytes, _title: str) -> None:
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


def _send_serial(address: PrinterAddress, data: bytes, _title: str) -> None:
    try:
        import serial
    except ImportError:
        raise _fail(address, "serial printers need pyserial", "pip install pyserial") from None
    try:
        port = serial.Serial(address.path, baudrate=address.baud or 9600, timeout=address.timeout or TIMEOUT_SECONDS,
                             write_timeout=address.timeout or TIMEOUT_SECONDS)
    except (serial.SerialException, OSError) as exc:
        raise _fail(address, "cannot open", exc) from None
    try:
        written = port.write(data)
        port.flush()  # waits until the port has sent everything
        if written != len(data):
            raise _fail(address, "the write was cut short", f"{written} of {len(data)} bytes")
    except (serial.SerialException, OSError) as exc:
        raise _fail(address, "the write failed", exc) from None
    finally:
        port.close()


def _send_usb(address: PrinterAddress, data: bytes, _title: str) -> None:
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
        printer._raw(data)
    except Exception as exc:  # usb.core.USBError and friends
        raise _fail(address, "the write failed", exc) from None
    finally:
        printer.close()


def _send_cups(address: PrinterAddress, data: bytes, title: str) -> None:
    import shutil
    import subprocess

    try:
        import cups  # noqa: F401 - pycups: python-escpos's CupsPrinter
    except ImportError:
        cups = None
    if cups is not None:
        from escpos.printer import CupsPrinter

        printer = CupsPrinter(address.queue)
        try:
            printer.open(job_name=title)
            printer._raw(data)
            printer.close()  # submits the job
        except Exception as exc:  # pycups raises its own IPPError
            raise _fail(address, "CUPS refused the job", exc) from None
        return
    if not shutil.which("lp"):
        raise _fail(address, "cups printing needs pycups or the lp command", "Debian: cups-client")
    try:
        done = subprocess.run(["lp", "-d", address.queue, "-o", "raw", "-t", title], input=data,
                              capture_output=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _fail(address, "lp failed", exc) from None
    if done.returncode != 0:
        raise _fail(address, "CUPS refused the job", done.stderr.decode(errors="replace").strip() or "lp failed")


def paper_widths() -> Sequence[tuple[str, int]]:
    """(profile, columns) of the common profiles, for a settings screen."""
    return [(name, columns(name)) for name in ("POS-5890", "ZJ-5870", "TM-T88V", "TM-T20II")]
