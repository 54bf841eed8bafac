"""Lines a printer's code pages cannot carry (Urdu, Arabic), drawn as a 1-bit image with Pillow.

Pillow's raqm layout shapes the letters (joined forms, right to left, Urdu's own digits and
punctuation) with FriBiDi and HarfBuzz; the font is Noto Naskh Arabic (Debian: fonts-noto-core), and
the Latin parts of the line use DejaVu Sans Mono so the figures stay in the same columns as the text
lines around them. Each segment of the laid-out line is drawn in its own column span, so an Urdu item
name and its amount sit where a Latin one would.

Pillow is imported inside the functions: the till never loads it unless a printer needs it.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from kiosk.domain.errors import KioskError
from kiosk.domain.print_layout import Align, Line, needs_shaping

#: Pixel height of a normal line (ESC/POS font A is 12 x 24 dots).
LINE_HEIGHT = 24

_NASKH = ("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf",
          "/usr/share/fonts/opentype/noto/NotoNaskhArabic-Regular.ttf")
_NASKH_BOLD = ("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf",)
_MONO = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",)
_MONO_BOLD = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",)


class MissingFont(KioskError):
    """No font on this machine can draw the text."""


@functools.lru_cache(maxsize=8)
def font_path(family: str, bold: bool = False) -> str:
    """The file of `family` ("naskh" or "mono"): the Debian paths first, then fontconfig."""
    known = {("naskh", False): _NASKH, ("naskh", True): _NASKH_BOLD + _NASKH,
             ("mono", False): _MONO, ("mono", True): _MONO_BOLD + _MONO}[(family, bold)]
    for path in known:
        if Path(path).exists():
            return path
    name = {"naskh": "Noto Naskh Arabic", "mono": "DejaVu Sans Mono"}[family]
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", f"{name}:{'bold' if bold else 'regular'}"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        if found and Path(found).exists() and name.split()[-1].lower() in Path(found).name.lower():
            return found
    package = "fonts-noto-core" if family == "naskh" else "fonts-dejavu-core"
    raise MissingFont(f"no {name} font to print Urdu and Arabic text: install the Debian package {package}")


@functools.lru_cache(maxsize=32)
def _font(family: str, size: int, bold: bool):
    from PIL import ImageFont, features

    if not features.check("raqm"):
        raise MissingFont("Pillow was built without raqm, so it cannot shape Urdu or Arabic text "
                          "(install libraqm0 / libfribidi0 and reinstall Pillow)")
    return ImageFont.truetype(font_path(family, bold), size, layout_engine=ImageFont.Layout.RAQM)


def line_image(line: Line, *, width_px: int, columns: int):
    """`line` drawn across `width_px` dots, each of its `columns` characters `width_px / columns` wide
    (twice that for a big line): a Pillow image in mode "1", black on white."""
    from PIL import Image, ImageDraw

    scale = 2 if line.big else 1
    cell = width_px / columns * scale
    base = 20 * scale  # DejaVu Sans Mono advances 0.6 em: 20 px makes the 12-dot cell of font A
    shaped = [needs_shaping(s.text) for s in line.segments]
    drawn = []
    ascent = descent = 0
    for segment, rtl in zip(line.segments, shaped, strict=True):
        text = segment.text.strip()
        if not text:
            continue
        family = "naskh" if rtl else "mono"
        size = base + (2 * scale if rtl else 0)
        span = segment.width * cell
        options = {"direction": "rtl", "language": "ur"} if rtl else {}
        font = _font(family, size, line.bold)
        while font.getlength(text, **options) > span and size > 10:  # never spill into the next column
            size -= 1
            font = _font(family, size, line.bold)
        left, top, right, bottom = font.getbbox(text, anchor="ls", **options)
        ascent, descent = max(ascent, -top), max(descent, bottom)
        drawn.append((segment, text, font, options, right - left))
    pad = 3 * scale
    height = max(LINE_HEIGHT * scale, ascent + descent + 2 * pad)
    baseline = (height - ascent - descent) / 2 + ascent  # one baseline for every segment
    image = Image.new("1", (width_px, height), 1)
    draw = ImageDraw.Draw(image)
    for segment, text, font, options, length in drawn:
        span = segment.width * cell
        x = segment.col * cell
        if segment.align is Align.RIGHT:
            x += span - length
        elif segment.align is Align.CENTER:
            x += (span - length) / 2
        draw.text((x, baseline), text, font=font, fill=0, anchor="ls", **options)
    return image
