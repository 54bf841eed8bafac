"""PDF documents: Jinja2 templates (autoescaped) with one stylesheet, laid out by WeasyPrint.

The services build plain, already formatted figures (`kiosk.services.documents`); this module turns
them into HTML (`render_html`, a few milliseconds) and the HTML into a PDF (`write_pdf`, seconds for a
long statement). WeasyPrint takes about 0.7 s to import, so it is imported inside `write_pdf` only,
when a PDF is actually made; jinja2 is imported lazily too.

Off the UI thread, two ways:

- `write_pdf(html, path, progress=...)` in a thread worker (Textual's ``@work(thread=True)``): the
  first PDF of the process pays the import, later ones do not. Layout is Python holding the GIL,
  so the UI thread gets its share in 5 ms slices while it runs, and the layout's garbage is
  collected before it returns (a stop-the-world pause, but a predictable one).
- `render_in_subprocess(html, path, progress=..., should_stop=...)`: the same in a child process
  (``python -m kiosk.devices.pdf``), which a second core runs truly in parallel and which can be
  stopped half way, and whose garbage never touches the till's process; it pays the interpreter's
  start and WeasyPrint's import every time (about 1 s). Prefer it for long documents.

Either way the file appears whole or not at all (a temporary file in the same directory, renamed
over the target) and readable by its owner only (0600): statements and customer lists are personal
data. `progress(stage, fraction)` is called with the stages below, in order, fraction 0..1.

Fonts come from the system through ``@font-face { src: local(...) }`` in documents.css (never the
network): Noto Sans for Latin text and currency signs (Rs, Ksh, GH₵, Rp, ₦, ₹), Noto Naskh Arabic
for Urdu, shaped right to left by HarfBuzz through Pango. On Debian both are in ``fonts-noto-core``;
DejaVu Sans (``fonts-dejavu-core``) is the fallback.
"""

from __future__ import annotations

import gc
import os
import selectors
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kiosk.domain.errors import KioskError

#: progress(stage, fraction): one of the stages below and how far along the whole job is (0..1).
Progress = Callable[[str, float], None]

LAYING_OUT = "laying out"
WRITING = "writing"
DONE = "done"
#: Where each stage starts, as a fraction of the whole job. Reading the books and building the HTML
#: (in `kiosk.services.documents`) take the first 10 %; WeasyPrint's layout about 85 % of the rest.
STAGE_START = {LAYING_OUT: 0.10, WRITING: 0.85, DONE: 1.0}

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STYLESHEET = "documents.css"


class PdfError(KioskError):
    """A PDF could not be made or written; one line that names the file."""


class Cancelled(PdfError):
    """The caller asked a PDF being made in a subprocess to stop; nothing was written."""


@dataclass(frozen=True, slots=True)
class PdfResult:
    path: Path
    pages: int
    size: int  # bytes
    seconds: float


# --- HTML ------------------------------------------------------------------------------------------


def text_direction(text: str | None) -> str:
    """"rtl" when the first letter with a strong direction is Arabic-script or Hebrew, else "ltr":
    the dir= of a name in Urdu, so it is set right to left (and right-aligned where it stands alone)."""
    for ch in text or "":
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: names and notes are typed by people
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the test, not the customer's statement
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["dir"] = text_direction
    return env


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")


def render_html(template: str, context: Mapping[str, object]) -> str:
    """`template` (a file in kiosk/templates) filled with `context`; the stylesheet goes inline, so the
    HTML stands alone (a subprocess, a browser or WeasyPrint need nothing else)."""
    import jinja2

    try:
        return _environment().get_template(template).render(**context, stylesheet=stylesheet())
    except jinja2.TemplateNotFound:
        raise PdfError(f"no document template {template!r} in {TEMPLATES}") from None


# --- PDF -------------------------------------------------------------------------------------------


def _report(progress: Progress | None, stage: str) -> None:
    if progress is not None:
        progress(stage, STAGE_START[stage])


def _temporary_beside(target: Path) -> Path:
    """A new empty 0600 file next to `target`, to be renamed over it once complete."""
    directory = target.parent
    if target.is_dir():
        raise PdfError(f"{target}: is a directory")
    if not directory.is_dir():
        raise PdfError(f"{directory}: no such directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise PdfError(f"{target}: cannot write here ({exc.strerror or exc})") from None
    os.close(fd)
    return Path(tmp)


def _finish(tmp: Path, target: Path) -> int:
    """fsync `tmp`, rename it over `target`; its size in bytes."""
    with open(tmp, "rb+") as out:
        os.fsync(out.fileno())
    os.replace(tmp, target)
    os.chmod(target, 0o600)
    return target.stat().st_size


def _lay_out_and_write(html: str, out, *, base_url: str | None, progress: Progress | None) -> int:
    """WeasyPrint's two steps, with a progress report before each; the number of pages."""
    _report(progress, LAYING_OUT)
    import weasyprint  # here, and only here: 0.7 s

    document = weasyprint.HTML(string=html, base_url=base_url or str(TEMPLATES)).render()
    _report(progress, WRITING)
    document.write_pdf(out)
    return len(document.pages)


def write_pdf(html: str, path: str | os.PathLike, *, base_url: str | None = None,
              progress: Progress | None = None) -> PdfResult:
    """Lay `html` out and write it to `path` (whole or not at all, 0600). Safe to call from a thread
    worker; `progress` is then called on that thread (use `App.call_from_thread` to show it)."""
    started = time.perf_counter()
    target = Path(path)
    tmp = _temporary_beside(target)
    try:
        with open(tmp, "wb") as out:
            pages = _lay_out_and_write(html, out, base_url=base_url, progress=progress)
        size = _finish(tmp, target)
    except OSError as exc:
        raise PdfError(f"{target}: cannot write the PDF ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    # The laid-out document leaves hundreds of thousands of objects in reference cycles: collect them
    # now, on this (worker) thread while "writing" shows, not in a pause of 0.1 s (200 entries) to 0.6 s
    # (1,000) at some later keystroke on the UI thread.
    gc.collect()
    _report(progress, DONE)
    return PdfResult(target, pages, size, time.perf_counter() - started)


def render_in_subprocess(html: str, path: str | os.PathLike, *, base_url: str | None = None,
                         progress: Progress | None = None, should_stop: Callable[[], bool] | None = None,
                         timeout: float | None = None) -> PdfResult:
    """`write_pdf` in a child process (``python -m kiosk.devices.pdf``). Blocks until the PDF is
    written, so call it from a thread worker too; `progress` is called on the calling thread as the
    child reports each stage. `should_stop()` is asked about ten times a second: when it says True (or
    `timeout` seconds pass) the child is killed, nothing is written and `Cancelled` is raised."""
    started = time.perf_counter()
    target = Path(path)
    tmp = _temporary_beside(target)
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    command = [sys.executable, "-m", "kiosk.devices.pdf", str(tmp)] + ([base_url] if base_url else [])
    try:
        child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=env)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PdfError(f"cannot start the PDF renderer ({exc.strerror or exc})") from None
    pages, error, errors = 0, "", b""
    try:
        try:
            child.stdin.write(html.encode("utf-8"))
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child died before reading it all: what it said on stderr tells why
        with selectors.DefaultSelector() as selector:
            selector.register(child.stdout, selectors.EVENT_READ)
            selector.register(child.stderr, selectors.EVENT_READ)  # read too, or a chatty child blocks
            buffered, open_streams = b"", 2
            while open_streams:
                if should_stop is not None and should_stop():
                    raise Cancelled(f"{target}: stopped; nothing was written")
                if timeout is not None and time.perf_counter() - started > timeout:
                    raise Cancelled(f"{target}: not made within {timeout:g} s; nothing was written")
                for key, _events in selector.select(timeout=0.1):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fileobj)
                        open_streams -= 1
                    elif key.fileobj is child.stderr:
                        errors = (errors + chunk)[-4096:]
                    else:
                        buffered += chunk
                        *lines, buffered = buffered.split(b"\n")
                        for line in lines:
                            kind, _, rest = line.decode("utf-8", "replace").partition("\t")
                            if kind == "stage" and rest in (LAYING_OUT, WRITING):
                                _report(progress, rest)
                            elif kind == "pages":
                                pages = int(rest)
                            elif kind == "error":
                                error = rest
        code = child.wait()
        if code != 0 or not pages:
            last = errors.decode("utf-8", "replace").strip().splitlines()[-1:]
            detail = error or (last[0] if last else f"exit status {code}")
            raise PdfError(f"{target}: the PDF renderer failed: {detail}")
        try:
            size = _finish(tmp, target)
        except OSError as exc:
            raise PdfError(f"{target}: cannot write the PDF ({exc.strerror or exc})") from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdin, child.stdout, child.stderr):
            try:
                stream.close()
            except OSError:
                pass  # stdin's unflushed bytes after a broken pipe
        tmp.unlink(missing_ok=True)
    _report(progress, DONE)
    return PdfResult(target, pages, size, time.perf_counter() - started)


def _child_main(argv: list[str]) -> int:
    """``python -m kiosk.devices.pdf OUT.pdf [BASE_URL]``: HTML on stdin; on stdout one line per stage
    ("stage<TAB>laying out"), then "pages<TAB>N", or "error<TAB>message" and exit status 1."""
    if not argv:
        print("usage: python -m kiosk.devices.pdf OUT.pdf [BASE_URL] < document.html", file=sys.stderr)
        return 2
    html = sys.stdin.buffer.read().decode("utf-8")

    def tell(stage: str, _fraction: float) -> None:
        print(f"stage\t{stage}", flush=True)

    try:
        with open(argv[0], "wb") as out:
            pages = _lay_out_and_write(html, out, base_url=argv[1] if len(argv) > 1 else None, progress=tell)
    except Exception as exc:  # the parent shows it as one line
        print(f"error\t{type(exc).__name__}: {' '.join(str(exc).split())}", flush=True)
        return 1
    print(f"pages\t{pages}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
