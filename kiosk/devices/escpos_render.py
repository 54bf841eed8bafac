"""Laid-out lines to ESC/POS bytes, through python-escpos's Dummy printer with the job's profile.

The whole job is rendered to bytes before any connection is opened: a rendering problem never leaves
half a receipt on the paper, and the bytes go to the printer in one write.

- Text lines go as text in the printer's code pages (python-escpos's MagicEncode picks the page), with
  bold and double size as ESC/POS modes. A line with text no code page carries, or in a script that
  must be shaped (Urdu, Arabic), is drawn as an image (`escpos_image`) and sent as a raster bit image.
- The QR code is the printer's own (GS ( k) where the profile says it has one, else an image.
- A cash drawer kick (ESC p, pin 2) comes first, so the drawer opens while the receipt prints; the
  paper is fed and cut at the end (a printer without a cutter only feeds).

python-escpos is imported inside the functions (about 0.4 s), never when the till starts.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Sequence

from kiosk.domain.print_layout import Printed, QRLine

#: Characters the code pages lack, and what a receipt prints instead (the Ghana cedi is often written GH¢).
SUBSTITUTES = str.maketrans({"\u20b5": "\u00a2", "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2019": "'",
                             "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u202f": " "})


@functools.lru_cache(maxsize=16)
def profile_facts(profile: str) -> tuple[int, int, bool]:
    """(columns of font A, paper width in dots, has a native QR code) of a python-escpos profile."""
    from escpos.capabilities import get_profile

    p = get_profile(profile)
    columns = int(p.get_columns("a"))
    try:
        width = int(p.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        width = columns * 12  # font A is 12 dots wide
    return columns, width, bool(p.supports("qrCode"))


def render(lines: Sequence[Printed], *, profile: str, kick: bool = False, cut: bool = True) -> bytes:
    """The ESC/POS bytes of `lines` for a printer of `profile`."""
    from escpos.printer import Dummy

    from kiosk.devices.escpos_image import line_image

    columns, width_px, native_qr = profile_facts(profile)
    # ESC @ leaves the printer on its first code page, CP437: MagicEncode switches only for what it lacks.
    p = Dummy(profile=profile, magic_encode_args={"encoding": "CP437"})
    p.hw("INIT")
    if kick:
        p.cashdraw(2)
    style = None
    quiet = contextlib.redirect_stdout(io.StringIO())  # python-escpos prints notes on an unknown width
    for line in lines:
        if isinstance(line, QRLine):
            p.set(align="center")
            with quiet:
                if native_qr:
                    p.qr(line.data, size=6, native=True)
                    p.ln()
                else:
                    p.qr(line.data, size=4, native=False, center=True)
            p.set(align="left")
            continue
        text = line.text.translate(SUBSTITUTES)
        if line.needs_shaping or not _encodable(p, text):
            with quiet:
                p.image(line_image(line, width_px=width_px, columns=columns), impl="bitImageRaster")
            continue
        if style != (line.bold, line.big):
            style = (line.bold, line.big)
            p.set(bold=line.bold, double_width=line.big, double_height=line.big, normal_textsize=not line.big)
        p.textln(text)
    if cut:
        p.cut()
    else:
        p.ln()
    return p.output


def _encodable(p, text: str) -> bool:
    """Every character has a code page in this printer's profile (ASCII always has)."""
    encoder = p.magic.encoder
    return all(ord(ch) < 128 or encoder.find_suitable_encoding(ch) for ch in set(text))


def columns_of(profile: str) -> int:
    return profile_facts(profile)[0]

