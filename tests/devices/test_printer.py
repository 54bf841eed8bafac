"""The receipt printer device: addresses, layout in 32/42/48 columns, rendering, and each connection
kind taking (or refusing) the bytes. No database here: tests/services/test_printing.py has the queue."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices import printer as device
from kiosk.domain.errors import ValidationError
from kiosk.domain.print_layout import (
    PROFILES,
    QR,
    Align,
    Blank,
    Document,
    Line,
    Pair,
    Rule,
    Text,
    layout,
    parse_printer_url,
    wrap,
)
from kiosk.paths import repo_root
from tests.support.escpos_decode import decode
from tests.support.tcp_printer import PAPER_ANSWERS, PAPER_QUERY, TcpPrinter


def test_the_profile_list_is_python_escpos_own():
    from escpos.capabilities import CAPABILITIES

    assert sorted(PROFILES) == sorted(CAPABILITIES["profiles"])


@pytest.mark.parametrize(("profile", "columns", "dots", "qr"), [
    ("POS-5890", 32, 384, False), ("TM-T88V", 42, 512, True), ("TM-T20II", 48, 576, True)])
def test_profiles_give_32_42_and_48_columns(profile, columns, dots, qr):
    from kiosk.devices.escpos_render import profile_facts

    assert profile_facts(profile) == (columns, dots, qr) and device.columns(profile) == columns


# --- Addresses ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fields"), [
    ("tcp://192.168.1.50", {"kind": "tcp", "host": "192.168.1.50", "port": 9100, "url": "tcp://192.168.1.50"}),
    ("TCP://printer.local:9101?timeout=5", {"host": "printer.local", "port": 9101, "timeout": 5}),
    ("tcp://[::1]:9100", {"host": "::1", "port": 9100}),
    ("usb://04b8:0202", {"kind": "usb", "vendor": 0x04B8, "product": 0x0202}),
    ("usb://0x0416:0x5011?out_ep=0x03&in_ep=81", {"vendor": 0x0416, "product": 0x5011, "out_ep": 3, "in_ep": 0x81}),
    ("serial:///dev/ttyS0?baud=9600", {"kind": "serial", "path": "/dev/ttyS0", "baud": 9600}),
    ("serial:///dev/ttyUSB0", {"path": "/dev/ttyUSB0", "baud": 9600}),
    ("file:///dev/usb/lp0", {"kind": "file", "path": "/dev/usb/lp0"}),
    ("cups://EPSON_TM_T20?profile=tm-t20ii", {"kind": "cups", "queue": "EPSON_TM_T20", "profile": "TM-T20II",
                                              "url": "cups://EPSON_TM_T20?profile=TM-T20II"}),
])
def test_printer_addresses_are_read(text, fields):
    address = parse_printer_url(text)
    assert {k: getattr(address, k) for k in fields} == fields


@pytest.mark.parametrize(("text", "message"), [
    ("lpt://x", "the kind 'lpt' is not one of tcp, usb, serial, file, cups"),
    ("192.168.1.50:9100", "is not a printer address: use tcp://HOST:9100"),
    ("tcp://:9100", "the host is missing"),
    ("tcp://shop printer:9100", "the host 'shop printer' is not a host name"),
    ("tcp://10.0.0.5:99999", "the port '99999' is not a number from 1 to 65535"),
    ("tcp://10.0.0.5:", "the port '' is not a number"),
    ("tcp://10.0.0.5:9100/print", "the path '/print' does not belong in a tcp address"),
    ("tcp://10.0.0.5?timeout=0", "the timeout '0' is not a whole number of seconds"),
    ("tcp://10.0.0.5?colour=red", "the option 'colour' is not one of profile, timeout for a tcp printer"),
    ("tcp://10.0.0.5?profile=TM-X", "the profile 'TM-X' is not a known printer profile"),
    ("usb://04b8", "give the vendor and product ids as usb://VID:PID"),
    ("usb://04b8:20g2", "the product id '20g2' is not 4 hex digits"),
    ("usb://04b8:0202?out_ep=zz", "the endpoint out_ep='zz' is not a hex byte"),
    ("serial:///dev/ttyS0?baud=12", "the baud '12' is not one of 1200, 2400"),
    ("serial://dev/ttyS0", "'dev' is read as a host; a device path needs three slashes"),
    ("file://", "the path '(none)' is not an absolute device path"),
    ("file:///dev/usb/", "the path '/dev/usb/' is not an absolute device path"),
    ("cups://", "the queue name is missing"),
    ("cups://my queue", "the queue 'my queue' is not a CUPS queue name"),
    ("", "is empty"),
])
def test_a_bad_address_is_one_line_naming_the_part(text, message):
    with pytest.raises(ValidationError) as err:
        parse_printer_url(text)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("printer: ")


def test_none_is_no_printer_and_the_setting_refuses_a_bad_address():
    from kiosk.domain.settings import lookup

    assert parse_printer_url("none") is None and parse_printer_url(" NONE ") is None
    setting = lookup("printer.url")
    assert setting.parse("tcp://10.0.0.5", "PKR") == "tcp://10.0.0.5" and setting.default == "none"
    with pytest.raises(ValidationError, match=r"^printer.url: tcp://x:0: the port '0'"):
        setting.parse("tcp://x:0", "PKR")
    assert lookup("printer.profile").parse("pos-5890", "PKR") == "POS-5890"


# --- Layout ------------------------------------------------------------------------------------------------------


def test_wrap_breaks_at_words_and_cuts_what_cannot_fit():
    assert wrap("a very long open item description", 12) == ["a very long", "open item", "description"]
    assert wrap("abcdefghijklmnop", 6) == ["abcdef", "ghijkl", "mnop"]
    assert wrap("", 10) == [""]


def test_a_pair_keeps_its_figure_at_the_right_edge():
    doc = Document("x", "x", (Pair("Subtotal", "Rs1,250.00"), Pair("a label long enough to wrap twice here", "Rs5.00"),
                              Pair("Sale", "x" * 40), Pair("TOTAL", "Rs12,345.00", big=True),
                              Pair("discount", "-Rs1.00", indent=2)))
    lines = [ln.text for ln in layout(doc, 32)]
    assert lines[0] == "Subtotal" + " " * 14 + "Rs1,250.00"
    assert lines[1:3] == ["a label long enough to", "wrap twice here" + " " * 11 + "Rs5.00"]  # beside the figure
    assert lines[3:6] == ["Sale", "x" * 32, " " * 24 + "x" * 8]
    assert lines[6:8] == ["TOTAL", "     Rs12,345.00"]  # 16 double-width columns
    assert lines[8] == "  discount" + " " * 15 + "-Rs1.00"


_words = st.text(alphabet=st.sampled_from("abcdefghij ٹماٹر-.,:"), min_size=0, max_size=90)
_blocks = st.one_of(
    st.builds(Text, _words, st.sampled_from(list(Align)), st.booleans(), st.booleans()),
    st.builds(Pair, _words, st.text(alphabet="0123456789,.Rs-", max_size=40), st.booleans(), st.booleans(),
              st.integers(0, 4)),
    st.just(Rule()), st.just(Blank()), st.builds(QR, st.text(min_size=1, max_size=20)))


@settings(max_examples=200, deadline=None)
@given(st.lists(_blocks, max_size=12), st.sampled_from([32, 42, 48]))
def test_every_laid_out_line_fits_its_columns(blocks, columns):
    for line in layout(Document("x", "x", tuple(blocks)), columns):
        if isinstance(line, Line):
            width = columns // 2 if line.big else columns
            assert len(line.text) <= width
            assert all(s.col + s.width <= width and len(s.text) <= s.width for s in line.segments)


# --- Rendering ---------------------------------------------------------------------------------------------------


def _doc(*blocks) -> Document:
    return Document("test", "test", tuple(blocks))


def test_a_document_renders_to_text_styles_a_qr_a_kick_and_a_cut():
    data = device.render(_doc(Text("Shop", Align.CENTER, bold=True, big=True), Pair("Tea", "Rs50.00"),
                              Text("bold", bold=True), QR("sale-1")), profile="TM-T88V", kick=True)
    d = decode(data, "TM-T88V")
    assert d.events[0].kind == "kick" and d.kicks == [(0, 50, 50)]
    assert (d.lines[0].text.strip(), d.lines[0].width, d.lines[0].height, d.lines[0].bold) == ("Shop", 2, 2, True)
    assert d.texts()[1] == "Tea" + " " * 32 + "Rs50.00" and (d.lines[1].bold, d.lines[1].width) == (False, 1)
    assert d.lines[2].bold and d.qr_codes == ["sale-1"] and d.cuts == 1


def test_a_drawer_only_job_is_the_kick_and_nothing_else():
    d = decode(device.render(Document("drawer", "drawer", ()), profile="POS-5890", kick=True), "POS-5890")
    assert d.kicks == [(0, 50, 50)] and d.images == [] and d.cuts == 0 and set(d.texts()) <= {""}


def test_a_58mm_printer_without_native_qr_gets_a_qr_image_of_the_same_data():
    import qrcode

    d = decode(device.render(_doc(QR("0f3c9a7e-sale")), profile="POS-5890"), "POS-5890")
    (image,) = d.images
    assert d.qr_codes == [] and image.width == 384
    code = qrcode.QRCode(box_size=1, border=0, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data("0f3c9a7e-sale")
    code.make(fit=True)
    expected = [[int(v) for v in row] for row in code.get_matrix()]
    rows = [y for y, row in enumerate(image.bits) if any(row)]
    cols = [x for x in range(image.width) if any(row[x] for row in image.bits)]
    box = (rows[-1] - rows[0] + 1) // len(expected)  # python-escpos draws 4 dots a module
    got = [[image.bits[rows[0] + y * box + box // 2][cols[0] + x * box + box // 2] for x in range(len(expected))]
           for y in range(len(expected))]
    assert box == 4 and got == expected


def test_an_urdu_line_is_an_image_and_a_latin_accent_is_text_in_a_code_page():
    d = decode(device.render(_doc(Text("شکریہ"), Text("Café crème"), Text("Ksh 1,000")), profile="TM-T88V"))
    assert len(d.images) == 1 and d.images[0].ink() > 50
    assert "Café crème" in d.texts() and "Ksh 1,000" in d.texts()


def test_importing_the_printer_loads_neither_escpos_nor_pillow():
    code = ("import sys, json; import kiosk.devices.printer, kiosk.services.printing; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('escpos', 'PIL', 'serial', 'usb'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_root(), check=True)
    assert json.loads(out.stdout) == []


# --- Connections -------------------------------------------------------------------------------------------------


def test_tcp_sends_through_python_escpos_network_and_waits_for_the_printer_to_take_it():
    data = device.render(_doc(Text("hello")), profile="TM-T88V")
    with TcpPrinter().accept() as printer:
        device.send(parse_printer_url(printer.url), data)
        assert printer.wait_for(1) == [data] and printer.connections == 1


def test_tcp_refused_and_reset_are_one_line_errors():
    with TcpPrinter() as printer:
        printer.refuse()
        with pytest.raises(device.PrinterError, match=rf"^printer {printer.url}: cannot connect \(.*refused"):
            device.send(parse_printer_url(printer.url), b"\x1b@hello\n")
        printer.accept()
        printer.reset_next()
        with pytest.raises(device.PrinterError, match=rf"^printer {printer.url}: the job was not taken"):
            device.send(parse_printer_url(printer.url), b"\x1b@" + b"x" * 200_000)
        assert printer.jobs == []


# --- The paper sensor ----------------------------------------------------------------------------------------


def test_the_paper_answer_is_read_as_python_escpos_reads_it_and_anything_else_is_no_answer():
    from escpos.constants import RT_STATUS_PAPER
    from escpos.printer import Dummy

    class Answering(Dummy):
        answer = b""

        def _read(self) -> bytes:
            return self.answer

    answering = Answering()
    for byte in range(256):
        state = device.paper_state(bytes([byte]))
        if byte & 0x93 == 0x12:  # a DLE EOT 4 answer: python-escpos's reading
            answering.answer = bytes([byte])
            assert state == answering.paper_status(), hex(byte)
        else:  # python-escpos calls these "no paper": not an answer to us
            assert state is None, hex(byte)
    assert answering.output.startswith(RT_STATUS_PAPER)
    assert (device.paper_state(PAPER_ANSWERS["paper"]), device.paper_state(PAPER_ANSWERS["near end"]),
            device.paper_state(PAPER_ANSWERS["out"]), device.paper_state(b"")) == (2, 1, 0, None)
    assert device.paper_state(b"\x10\x00\x00\x0f\x72") == 0  # an automatic status block first, then the answer


@pytest.fixture
def tcp_printer():
    with TcpPrinter().accept() as printer:
        device.forget_status(printer.url)
        yield printer


@pytest.mark.parametrize(("paper", "notice"), [("paper", ""), ("near end", "paper near end")])
def test_tcp_asks_for_paper_and_sends_when_there_is_some(tcp_printer, paper, notice):
    data = device.render(_doc(Text("hello")), profile="TM-T88V")
    tcp_printer.paper(paper)
    assert device.send(parse_printer_url(tcp_printer.url), data) == notice
    assert tcp_printer.wait_for(1) == [data] and tcp_printer.status_queries == 1


def test_a_tcp_printer_out_of_paper_is_sent_nothing_and_says_so_in_one_line(tcp_printer):
    tcp_printer.paper("out")
    address = parse_printer_url(tcp_printer.url)
    for _ in range(2):  # asked every time: paper may be loaded any moment
        with pytest.raises(device.PrinterError, match=rf"^printer {tcp_printer.url}: out of paper$"):
            device.send(address, b"\x1b@receipt\n")
    assert tcp_printer.status_queries == 2 and tcp_printer.wait_for(1, timeout=0.3) == []
    tcp_printer.paper("paper")
    device.send(address, b"\x1b@receipt\n")
    assert tcp_printer.wait_for(1) == [b"\x1b@receipt\n"]


def test_a_drawer_kick_alone_does_not_ask_for_paper(tcp_printer):
    tcp_printer.paper("out")
    kick = device.render(Document("drawer", "drawer", ()), profile="TM-T88V", kick=True)
    assert device.send(parse_printer_url(tcp_printer.url), kick, needs_paper=False) == ""
    assert tcp_printer.wait_for(1) == [kick] and tcp_printer.status_queries == 0


def test_a_tcp_printer_that_never_answers_prints_as_before_and_is_not_asked_again_for_a_while(tcp_printer):
    tcp_printer.paper("silent")
    address = parse_printer_url(tcp_printer.url)
    started = time.monotonic()
    assert device.send(address, b"\x1b@one\n") == ""
    assert device.STATUS_SECONDS <= time.monotonic() - started < device.STATUS_SECONDS + 3
    started = time.monotonic()
    assert device.send(address, b"\x1b@two\n") == ""
    assert time.monotonic() - started < device.STATUS_SECONDS
    assert tcp_printer.wait_for(2) == [b"\x1b@one\n", b"\x1b@two\n"] and tcp_printer.status_queries == 1
    device.forget_status(tcp_printer.url)  # (or SILENT_SECONDS later): asked again
    tcp_printer.paper("out")
    with pytest.raises(device.PrinterError, match="out of paper"):
        device.send(address, b"\x1b@three\n")


def test_an_ipv6_printer_address_connects():
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        printer = TcpPrinter(host="::1").accept()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with printer:
        assert printer.url.startswith("tcp://[::1]:")
        device.send(parse_printer_url(printer.url), b"\x1b@v6\n")
        assert printer.wait_for(1) == [b"\x1b@v6\n"]


def test_file_writes_and_flushes_the_bytes(tmp_path):
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    device.send(parse_printer_url(f"file://{target}"), b"\x1b@receipt\n")
    assert target.read_bytes() == b"\x1b@receipt\n"
    with pytest.raises(device.PrinterError, match=r"^printer file:///nowhere/lp0: cannot open \("):
        device.send(parse_printer_url("file:///nowhere/lp0"), b"x")


class PtyPrinter:
    """A stand-in serial printer on a pseudo-terminal: it keeps what it reads and answers the paper
    query (DLE EOT 4) as `paper` says ("paper", "near end", "out", "silent"); queries are not kept."""

    def __init__(self, paper: str = "paper"):
        import tty

        self.paper, self.status_queries, self.got = paper, 0, bytearray()
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.name = os.ttyname(self.slave)
        self._stop = threading.Event()
        self._pending = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        import select

        while not self._stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            data = self._pending + os.read(self.master, 4096)
            while (at := data.find(PAPER_QUERY)) >= 0:
                self.got += data[:at]
                data = data[at + len(PAPER_QUERY):]
                self.status_queries += 1
                os.write(self.master, PAPER_ANSWERS[self.paper])
            keep = next((n for n in (2, 1) if data.endswith(PAPER_QUERY[:n])), 0)  # a query's start
            self.got += data[:len(data) - keep]
            self._pending = data[len(data) - keep:]

    def wait_for(self, count: int) -> bytes:
        deadline = time.monotonic() + 5
        while len(self.got) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.got)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def pty_printer():
    printer = PtyPrinter()
    device.forget_status(f"serial://{printer.name}?baud=115200")
    yield printer
    printer.close()


def test_serial_asks_for_paper_then_writes_to_the_port(pty_printer):
    data = device.render(_doc(Text("serial receipt")), profile="POS-5890")
    address = parse_printer_url(f"serial://{pty_printer.name}?baud=115200")
    assert device.send(address, data) == ""
    got = pty_printer.wait_for(len(data))
    assert got == data and pty_printer.status_queries == 1
    assert "serial receipt" in decode(got, "POS-5890").texts()
    with pytest.raises(device.PrinterError, match=r"^printer serial:///dev/ttyNOPE\?baud=9600: cannot open"):
        device.send(parse_printer_url("serial:///dev/ttyNOPE?baud=9600"), b"x")


def test_a_serial_printer_out_of_paper_gets_nothing_and_near_the_end_says_so(pty_printer):
    address = parse_printer_url(f"serial://{pty_printer.name}?baud=115200")
    pty_printer.paper = "out"
    with pytest.raises(device.PrinterError, match=rf"^printer {re.escape(address.url)}: out of paper$"):
        device.send(address, b"\x1b@receipt\n")
    pty_printer.paper = "near end"
    assert device.send(address, b"\x1b@receipt\n") == "paper near end"
    assert pty_printer.wait_for(10) == b"\x1b@receipt\n" and pty_printer.status_queries == 2


def test_a_serial_printer_that_never_answers_prints_after_the_short_wait(pty_printer):
    address = parse_printer_url(f"serial://{pty_printer.name}?baud=115200")
    pty_printer.paper = "silent"
    started = time.monotonic()
    assert device.send(address, b"\x1b@one\n") == ""
    assert device.STATUS_SECONDS <= time.monotonic() - started < device.STATUS_SECONDS + 3
    assert device.send(address, b"\x1b@two\n") == ""  # not asked again: it never answers
    assert pty_printer.wait_for(12) == b"\x1b@one\n\x1b@two\n" and pty_printer.status_queries == 1


def test_usb_and_cups_without_the_device_fail_with_one_line():
    for url in ("usb://04b8:0202", "cups://NO_SUCH_QUEUE"):
        with pytest.raises(device.PrinterError) as err:
            device.send(parse_printer_url(url), b"x")
        assert str(err.value).startswith(f"printer {url}: ") and "\n" not in str(err.value)
