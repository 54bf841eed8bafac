"""`kiosk print …` and `kiosk printer …` against a stand-in network printer on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from tests.support.escpos_decode import decode
from tests.support.tcp_printer import TcpPrinter


@pytest.fixture
def printer():
    with TcpPrinter().accept() as p:
        yield p


@pytest.fixture
def till(cli_shop, printer):
    for args in (("product", "add", "--sku", "ATTA", "--name", "Atta 20kg", "--price", "2400"),
                 ("config", "set", "printer.url", printer.url),
                 ("config", "set", "printer.profile", "TM-T20II"),
                 ("sell", "--customer", "0300-1234567", "--name", "Amina", "--item", "ATTAx2", "--pay", "cash=2000",
                  "--pay", "khata", "--id", "s-1", "--no-print")):
        r = cli_shop(*args)
        assert r.code == 0, (args, r.err)
    return cli_shop


def _queue(cli) -> list[dict]:
    r = cli("printer", "queue", "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_a_sale_waits_in_the_queue_until_sent_then_reprints_marked(till, printer):
    (job,) = _queue(till)
    assert (job["kind"], job["ref"], job["status"], job["kick_drawer"]) == ("receipt", "s-1", "pending", True)
    sent = till("printer", "send")
    assert sent.code == 0 and "1 of 1 job(s) printed" in sent.out
    assert _queue(till) == [] and till("printer", "send").out.strip() == "nothing due to print"
    again = till("print", "receipt", "s-1")
    assert again.code == 0 and again.out.startswith("printed (job 2, ")
    first, reprint = (decode(j, "TM-T20II") for j in printer.wait_for(2))
    assert first.qr_codes == reprint.qr_codes == ["s-1"] and len(first.kicks) == 1 and reprint.kicks == []
    assert "*** REPRINT ***" in [t.strip() for t in reprint.texts()]
    assert all(len(ln.text.rstrip()) * ln.width <= 48 for ln in reprint.lines)
    listed = till("printer", "queue", "--all")
    assert listed.code == 0 and "printed" in listed.out and "receipt" in listed.out


def test_an_unreachable_printer_is_one_line_and_the_job_waits_for_retry_drop_or_another_printer(till, printer):
    printer.refuse()
    r = till("print", "receipt", "s-1")
    assert r.code == 1 and len(r.err.strip().splitlines()) == 1
    assert f"kiosk: printer {printer.url}: cannot connect" in r.err and "waits in the queue" in r.err
    listed = till("printer", "queue")
    assert listed.code == 0 and "Connection refused" in listed.out
    jobs = _queue(till)
    assert [j["ref"] for j in jobs] == ["s-1", "s-1"] and [j["attempts"] for j in jobs] == [0, 1]
    drop = till("printer", "queue", "--drop", str(jobs[0]["id"]), "--reason", "customer left")
    assert drop.code == 0 and f"job {jobs[0]['id']} dropped" in drop.out
    with TcpPrinter().accept() as other:
        moved = till("printer", "queue", "--retry", str(jobs[1]["id"]), "--send-to", other.url)
        assert moved.code == 0, moved.err
        assert decode(other.wait_for(1)[0]).qr_codes == ["s-1"]
        till("print", "statement-slip", "0300 1234567")
        everything = till("printer", "queue", "--send-to", other.url)
        assert everything.code == 0 and "1 of 1 job(s) printed" in everything.out
        assert "KHATA STATEMENT" in [t.strip() for t in decode(other.wait_for(2)[1]).texts()]
    assert _queue(till) == [] and printer.jobs == []
    gone = till("printer", "queue", "--retry", str(jobs[0]["id"]))
    assert gone.code == 1 and gone.err.strip() == f"kiosk: print job {jobs[0]['id']} is dropped, not waiting"


@pytest.mark.parametrize(("args", "message"), [
    (("print", "receipt", "nope"), "kiosk: sale nope does not exist"),
    (("print", "receipt", "s-1", "--printer", "tcp://till:99999"),
     "kiosk: printer: tcp://till:99999: the port '99999' is not a number from 1 to 65535"),
    (("print", "receipt", "s-1", "--printer", "none"), "kiosk: printer: none is not a printer to print on"),
    (("config", "set", "printer.url", "lp0"), "kiosk: printer.url: 'lp0' is not a printer address"),
    (("print", "statement-slip", "0300 9999999"), "kiosk: no customer has phone 0300 9999999"),
    (("printer", "queue", "--drop", "99"), "kiosk: print job 99 does not exist"),
])
def test_bad_input_is_one_line_and_prints_nothing(till, printer, args, message):
    r = till(*args)
    assert r.code == 1 and r.err.strip().startswith(message) and len(r.err.strip().splitlines()) == 1
    assert printer.jobs == []


def test_the_test_page_slips_and_the_day_print(till, printer):
    assert till("printer", "test").code == 0
    page = decode(printer.wait_for(1)[0], "TM-T20II")
    assert "PRINTER TEST" in [t.strip() for t in page.texts()] and len(page.texts()[7]) <= 48
    assert till("pay", "0300 1234567", "500", "--method", "cash").code == 0
    assert till("refund", "s-1", "--line", "1x1", "--to", "cash", "--id", "r-1").code == 0
    assert till("printer", "send").code == 0
    assert till("print", "refund", "r-1").code == 0
    day = till("print", "day")
    assert day.code == 0, day.err
    titles = [decode(j).texts()[1].strip() for j in printer.wait_for(6)]
    assert titles == ["PRINTER TEST", "RECEIPT", "KHATA PAYMENT", "REFUND", "REFUND", "END OF DAY"]


def test_a_no_sale_drawer_open_needs_a_manager(till, printer, monkeypatch):
    for name, role, pin in (("Sana", "cashier", "6666"), ("Bilal", "manager", "5555")):
        assert till("user", "add", name, "--role", role, stdin=f"{pin}\n{pin}\n").code == 0
    monkeypatch.setenv("KIOSK_PIN", "6666")
    refused = till("print", "drawer")
    assert refused.code == 1 and refused.err.strip() == \
        "kiosk: Sana is a cashier: only managers and owners can approve a big discount or credit above the limit"
    wrong = till("print", "drawer", "--manager-pin", "6666")
    assert wrong.code == 1 and "Sana is a cashier" in wrong.err
    ok = till("print", "drawer", "--manager-pin", "5555", "--reason", "float")
    assert ok.code == 0 and ok.out.startswith("drawer opened")
    assert decode(printer.wait_for(1)[0]).kicks == [(0, 50, 50)]
    monkeypatch.setenv("KIOSK_PIN", "5555")
    audit = till("audit", "--action", "drawer.no_sale", "--json")
    assert audit.code == 0 and "float" in audit.out


def test_a_sale_from_the_command_line_prints_at_once_and_a_dead_printer_leaves_it_booked(till, printer):
    r = till("sell", "--item", "ATTA", "--pay", "cash", "--id", "s-2")
    assert r.code == 0 and r.err == ""
    printed = [decode(job, "TM-T20II").qr_codes for job in printer.wait_for(2)]
    assert printed == [["s-1"], ["s-2"]]  # what waited goes first
    printer.refuse()
    r = till("sell", "--item", "ATTA", "--pay", "cash", "--id", "s-3")
    assert r.code == 0 and "Sale s-3" in r.out  # booked whatever the printer does
    assert r.err.startswith("kiosk: printer: job ") and "is waiting" in r.err and r.err.count("\n") == 1
    assert [j["ref"] for j in _queue(till)] == ["s-3"]
