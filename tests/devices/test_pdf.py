"""PDFs made by WeasyPrint from the templates, read back with poppler (pdftotext, pdffonts): the footer's
page numbers and print date, Urdu and currency signs in the text layer and set in our own fonts, files
written whole or not at all, progress, the subprocess renderer, and WeasyPrint imported only when needed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest

from kiosk.devices import pdf
from kiosk.paths import repo_root

BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
URDU_NAME = "محمد علی"


def pdf_text(path, *pages: int) -> str:
    """The text layer, laid out; pages (1-based) separated by form feeds. Bidi marks pdftotext adds
    around right-to-left runs are dropped, no-break spaces made plain."""
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    out = subprocess.run(["pdftotext", "-layout", *first_last, str(path), "-"], capture_output=True, text=True,
                         check=True)
    return out.stdout.translate(BIDI_MARKS).replace("\u00a0", " ")


def pdf_fonts(path) -> list[str]:
    """The embedded fonts' names without the subset tag: ["Kiosk-Sans", "Kiosk-Naskh", …]."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return sorted({line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()})


def page(body: str, **extra) -> str:
    context = {"lang": "en", "shop": "Test Kiryana", "title": "Test document", "subtitle": "",
               "running": "Test document", "printed": "14-Mar-2026, 10:22 am", "page_class": "", **extra}
    html = pdf.render_html("base.html", context)
    return html.replace("</body>", body + "</body>")


def test_text_direction_follows_the_first_strong_letter():
    assert pdf.text_direction(URDU_NAME) == "rtl"
    assert pdf.text_direction("12 " + URDU_NAME) == "rtl"  # digits are weak
    assert pdf.text_direction("Ali محمد") == "ltr"
    assert pdf.text_direction("") == pdf.text_direction(None) == "ltr"


def test_templates_escape_what_people_typed():
    html = pdf.render_html("base.html", {"lang": "en", "shop": '<script>alert("x")</script> & Sons',
                                         "title": "T", "subtitle": "", "running": "R", "printed": "now",
                                         "page_class": ""})
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Sons" in html
    assert "@page" in html  # the stylesheet goes inline, unescaped


def test_a_missing_template_value_fails_loudly():
    import jinja2

    with pytest.raises(jinja2.UndefinedError, match="is undefined"):
        pdf.render_html("base.html", {"lang": "en"})


def test_a_missing_template_is_one_line():
    with pytest.raises(pdf.PdfError, match="no document template 'nope.html'"):
        pdf.render_html("nope.html", {})


def test_every_page_carries_its_number_the_total_and_the_print_date(tmp_path):
    rows = "".join(f"<p>Line {i}</p>" for i in range(150))
    result = pdf.write_pdf(page(rows), tmp_path / "long.pdf")
    assert result.pages >= 3
    pages = pdf_text(result.path).split("\f")[:result.pages]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {result.pages}" in text
        assert "Printed 14-Mar-2026, 10:22 am" in text
        assert "Test Kiryana · Test document" in text  # the running title, bottom left
    assert result.size == os.path.getsize(result.path) > 1000


def test_urdu_and_every_currency_sign_are_in_the_text_layer_set_in_our_fonts(tmp_path):
    signs = "Rs1,250.50 Ksh1,250.50 GH₵1,250.50 Rp1.250,50 ₦1,250.50 ₹1,250.50"
    body = f'<p>Customer <span class="name" dir="rtl">{URDU_NAME}</span></p><p>{signs}</p><p><b>Bold {signs}</b></p>'
    result = pdf.write_pdf(page(body), tmp_path / "scripts.pdf")
    text = pdf_text(result.path)
    assert URDU_NAME in text
    assert signs in text
    # Every glyph came from the faces documents.css names (Noto via local()), none from a fallback.
    assert set(pdf_fonts(result.path)) <= {"Kiosk-Sans", "Kiosk-Sans-Bold", "Kiosk-Sans-Italic", "Kiosk-Naskh",
                                           "Kiosk-Naskh-Bold"}
    assert "Kiosk-Naskh" in pdf_fonts(result.path)


def test_the_file_is_private_and_nothing_is_left_beside_it(tmp_path):
    result = pdf.write_pdf(page("<p>Hello</p>"), tmp_path / "one.pdf")
    assert stat.S_IMODE(os.stat(result.path).st_mode) == 0o600
    assert result.path.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.pdf"]


def test_a_failed_render_keeps_the_old_file_and_leaves_no_part_file(tmp_path, monkeypatch):
    import weasyprint

    target = tmp_path / "kept.pdf"
    target.write_bytes(b"old")

    def broken(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    with pytest.raises(pdf.PdfError, match=r"kept.pdf: cannot write the PDF \(No space left on device\)"):
        pdf.write_pdf(page("<p>x</p>"), target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.pdf"]


@pytest.mark.parametrize("where", ["missing/dir/x.pdf", "."])
def test_an_impossible_path_is_one_line(tmp_path, where):
    with pytest.raises(pdf.PdfError, match="no such directory|is a directory"):
        pdf.write_pdf(page("<p>x</p>"), tmp_path / where)


def test_progress_reports_each_stage_once_in_order(tmp_path):
    heard = []
    pdf.write_pdf(page("<p>x</p>"), tmp_path / "p.pdf", progress=lambda stage, done: heard.append((stage, done)))
    assert [s for s, _ in heard] == [pdf.LAYING_OUT, pdf.WRITING, pdf.DONE]
    assert [d for _, d in heard] == sorted(d for _, d in heard) and heard[-1][1] == 1.0


def test_a_thread_worker_can_make_the_pdf(tmp_path):
    done = {}
    worker = threading.Thread(target=lambda: done.setdefault("r", pdf.write_pdf(page("<p>x</p>"), tmp_path / "t.pdf")))
    worker.start()
    worker.join(60)
    assert done["r"].pages == 1 and "Page 1 of 1" in pdf_text(done["r"].path)


def test_the_subprocess_renderer_makes_the_same_document_with_progress(tmp_path):
    html = page("".join(f"<p>Line {i} {URDU_NAME}</p>" for i in range(90)))
    heard = []
    result = pdf.render_in_subprocess(html, tmp_path / "child.pdf", progress=lambda s, d: heard.append(s))
    here = pdf.write_pdf(html, tmp_path / "here.pdf")
    assert heard == [pdf.LAYING_OUT, pdf.WRITING, pdf.DONE]
    assert result.pages == here.pages >= 2
    assert pdf_text(result.path) == pdf_text(here.path)
    assert stat.S_IMODE(os.stat(result.path).st_mode) == 0o600


def test_the_subprocess_renderer_stops_when_asked_and_writes_nothing(tmp_path):
    target = tmp_path / "stopped.pdf"
    with pytest.raises(pdf.Cancelled, match="stopped; nothing was written"):
        pdf.render_in_subprocess(page("<p>x</p>"), target, should_stop=lambda: True)
    with pytest.raises(pdf.Cancelled, match="not made within"):
        pdf.render_in_subprocess(page("<p>x</p>"), target, timeout=0.05)
    assert list(tmp_path.iterdir()) == []


def test_the_child_reports_a_failure_as_one_line(tmp_path):
    """The child cannot write its output (here: a directory): the parent gets one line naming the target."""
    out = subprocess.run([sys.executable, "-m", "kiosk.devices.pdf", str(tmp_path)], input=page("<p>x</p>"),
                         capture_output=True, text=True, cwd=repo_root(), timeout=60)
    assert out.returncode == 1
    assert out.stdout.startswith("error\tIsADirectoryError")


def test_making_documents_imports_weasyprint_only_when_a_pdf_is_made():
    probe = """
import json, sys
import kiosk.cli, kiosk.cli.statement_cmds, kiosk.cli.report_cmds, kiosk.cli.io_cmds
import kiosk.devices.pdf, kiosk.services.documents
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pydyf', 'tinycss2', 'cffi'))))
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo_root(), check=True,
                         timeout=60)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
