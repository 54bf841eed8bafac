"""The receipt printer device: addresses, layout in 32/42/48 columns, rendering, and each connection
kind taking (or refusing) the bytes. No database here: tests/services/test_printing.py has the queue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

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
from tests.support.tcp_printer import TcpPrinter


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


def test_file_writes_and_flushes_the_bytes(tmp_path):
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    device.send(parse_printer_url(f"file://{target}"), b"\x1b@receipt\n")
    assert target.read_bytes() == b"\x1b@receipt\n"
    with pytest.raises(device.PrinterError, match=r"^printer file:///nowhere/lp0: cannot open \("):
        device.send(parse_printer_url("file:///nowhere/lp0"), b"x")


def test_serial_writes_to_the_port():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    got = bytearray()
    data = device.render(_doc(Text("serial receipt")), profile="POS-5890")

    def read():
        while len(got) < len(data):
            got.extend(os.read(master, 4096))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        import tty

        tty.setraw(slave)
        device.send(parse_printer_url(f"serial://{name}?baud=115200"), data)
        reader.join(timeout=5)
    finally:
        os.close(slave)
        os.close(master)
    assert bytes(got) == data and "serial receipt" in decode(bytes(got), "POS-5890").texts()
    with pytest.raises(device.PrinterError, match=r"^printer serial:///dev/ttyNOPE\?baud=9600: cannot open"):
        device.send(parse_printer_url("serial:///dev/ttyNOPE?baud=9600"), b"x")


def test_usb_and_cups_without_the_device_fail_with_one_line():
    for url in ("usb://04b8:0202", "cups://NO_SUCH_QUEUE"):
        with pytest.raises(device.PrinterError) as err:
            device.send(parse_printer_url(url), b"x")
        assert str(err.value).startswith(f"printer {url}: ") and "\n" not in str(err.value)
