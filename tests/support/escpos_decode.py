"""An ESC/POS decoder written from the command reference, independent of python-escpos's encoder: it
turns the bytes a printer receives back into lines of text with their style, and notes what is not
text (raster images, QR codes, the cut, the drawer kick).

Only the code page table comes from python-escpos's capability data (capabilities.json, read as
JSON): which code page `ESC t n` selects is a fact of the printer model, not of the encoder.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C

#: Code page names in capabilities.json -> Python codecs.
_CODECS = {"CP437": "cp437", "CP850": "cp850", "CP852": "cp852", "CP858": "cp858", "CP860": "cp860",
           "CP863": "cp863", "CP865": "cp865", "CP866": "cp866", "CP1252": "cp1252", "CP1250": "cp1250",
           "CP1251": "cp1251", "CP1253": "cp1253", "CP1254": "cp1254", "CP1255": "cp1255", "CP1256": "cp1256",
           "CP1257": "cp1257", "CP1258": "cp1258", "CP857": "cp857", "CP737": "cp737", "CP775": "cp775",
           "CP855": "cp855", "CP861": "cp861", "CP862": "cp862", "CP864": "cp864", "CP869": "cp869",
           "CP720": "cp720", "ISO_8859-2": "iso8859_2", "ISO_8859-7": "iso8859_7", "ISO_8859-15": "iso8859_15",
           "CP932": "cp932"}


@functools.lru_cache(maxsize=8)
def code_pages(profile: str) -> dict[int, str]:
    import escpos

    data = json.loads((Path(escpos.__file__).parent / "capabilities.json").read_text())
    pages = data["profiles"][profile]["codePages"]
    return {int(n): _CODECS[name] for n, name in pages.items() if name in _CODECS}


@dataclass
class TextLine:
    text: str
    bold: bool = False
    width: int = 1  # 2: double width
    height: int = 1
    align: str = "left"


@dataclass
class Image:
    width: int  # dots
    height: int
    bits: list[list[int]]  # rows of 0/1, 1 = black

    def ink(self) -> int:
        return sum(map(sum, self.bits))


@dataclass
class Event:
    kind: str  # text, image, qr, cut, kick
    value: object


@dataclass
class Decoded:
    events: list[Event] = field(default_factory=list)
    code_pages_used: set[int] = field(default_factory=set)

    @property
    def lines(self) -> list[TextLine]:
        return [e.value for e in self.events if e.kind == "text"]

    @property
    def images(self) -> list[Image]:
        return [e.value for e in self.events if e.kind == "image"]

    @property
    def qr_codes(self) -> list[str]:
        return [e.value for e in self.events if e.kind == "qr"]

    @property
    def cuts(self) -> int:
        return sum(1 for e in self.events if e.kind == "cut")

    @property
    def kicks(self) -> list[tuple[int, int, int]]:
        return [e.value for e in self.events if e.kind == "kick"]

    def texts(self) -> list[str]:
        return [ln.text.rstrip() for ln in self.lines]

    def render(self) -> str:
        """The receipt as text: lines as printed (big lines marked), the rest as [markers]."""
        out = []
        for e in self.events:
            if e.kind == "text":
                ln = e.value
                text = ln.text.rstrip()
                if ln.width > 1 or ln.height > 1:
                    text = f"{text}  [x{ln.width}]" if text else text
                out.append(text)
            elif e.kind == "image":
                out.append(f"[image {e.value.width}x{e.value.height}]")
            elif e.kind == "qr":
                out.append(f"[QR {e.value}]")
            elif e.kind == "cut":
                out.append("[cut]")
            elif e.kind == "kick":
                out.append(f"[drawer kick pin {2 if e.value[0] in (0, 48) else 5}]")
        return "\n".join(out)


class DecodeError(ValueError):
    pass


def decode(data: bytes, profile: str = "TM-T88V") -> Decoded:
    pages = code_pages(profile)
    out = Decoded()
    state = {"bold": False, "width": 1, "height": 1, "align": "left", "page": 0}
    buf = bytearray()
    qr_store: list[bytes] = []
    i, n = 0, len(data)

    def need(count: int) -> bytes:
        if i + count > n:
            raise DecodeError(f"truncated command at byte {i}")
        return data[i:i + count]

    done: list[str] = []  # the current line's text decoded so far (a code page change does not end a line)

    def decode_buffer() -> None:
        if buf:
            codec = pages.get(state["page"])
            if codec is None:
                raise DecodeError(f"code page {state['page']} is not known for {profile}")
            done.append(bytes(buf).decode(codec))
            buf.clear()

    def flush(force: bool) -> None:
        decode_buffer()
        if done or force:
            out.events.append(Event("text", TextLine("".join(done), state["bold"], state["width"], state["height"],
                                                     state["align"])))
            done.clear()

    while i < n:
        b = data[i]
        if b == 0x0A:
            flush(True)
            i += 1
        elif b == 0x0D:
            i += 1
        elif b == ESC:
            cmd = need(2)[1]
            i += 2
            if cmd == ord("@"):
                state.update(bold=False, width=1, height=1, align="left")
            elif cmd == ord("!"):
                m = need(1)[0]
                i += 1
                state.update(bold=bool(m & 0x08), height=2 if m & 0x10 else 1, width=2 if m & 0x20 else 1)
            elif cmd == ord("E") or cmd == ord("G"):
                state["bold"] = bool(need(1)[0] & 1)
                i += 1
            elif cmd == ord("a"):
                state["align"] = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}[need(1)[0]]
                i += 1
            elif cmd == ord("t"):
                decode_buffer()
                state["page"] = need(1)[0]
                out.code_pages_used.add(state["page"])
                i += 1
            elif cmd == ord("d"):
                flush(False)
                for _ in range(need(1)[0]):
                    out.events.append(Event("text", TextLine("")))
                i += 1
            elif cmd == ord("p"):
                m, t1, t2 = need(3)
                out.events.append(Event("kick", (m, t1, t2)))
                i += 3
            elif cmd in (ord("-"), ord("M"), ord("{"), ord("V"), ord(" "), ord("3"), ord("J"), ord("="), ord("c"),
                         ord("r"), ord("R")):
                if cmd == ord("c"):  # ESC c 3 n / ESC c 4 n / ESC c 5 n
                    i += 2
                else:
                    i += 1
            elif cmd == ord("2"):
                pass
            elif cmd == ord("*"):
                m, nl, nh = need(3)
                i += 3
                columns = nl + nh * 256
                i += columns * (3 if m in (32, 33) else 1)
                out.events.append(Event("image", Image(columns, 24 if m in (32, 33) else 8, [])))
            else:
                raise DecodeError(f"unknown command ESC {cmd:#04x} at byte {i - 2}")
        elif b == GS:
            cmd = need(2)[1]
            i += 2
            if cmd == ord("!"):
                m = need(1)[0]
                i += 1
                state.update(width=(m >> 4) + 1, height=(m & 0x0F) + 1)
            elif cmd == ord("V"):
                flush(False)
                m = need(1)[0]
                i += 1
                if m in (65, 66, 97, 98, 103, 104):
                    i += 1
                out.events.append(Event("cut", m))
            elif cmd == ord("v"):
                flush(False)
                zero, _m, xl, xh, yl, yh = need(6)
                if zero != ord("0"):
                    raise DecodeError(f"GS v {zero:#04x} at byte {i - 2}")
                i += 6
                width_bytes, height = xl + xh * 256, yl + yh * 256
                raw = need(width_bytes * height)
                i += width_bytes * height
                bits = [[(raw[y * width_bytes + x // 8] >> (7 - x % 8)) & 1 for x in range(width_bytes * 8)]
                        for y in range(height)]
                out.events.append(Event("image", Image(width_bytes * 8, height, bits)))
            elif cmd == ord("("):
                fn_group = need(1)[0]
                pl, ph = need(3)[1:3]
                size = pl + ph * 256
                body = need(3 + size)[3:]
                i += 3 + size
                if fn_group == ord("k"):
                    cn, fn = body[0], body[1]
                    if cn == ord("1") and fn == 80:  # store the QR data (m = '0')
                        qr_store.append(bytes(body[3:]))
                    elif cn == ord("1") and fn == 81:  # print the stored QR
                        flush(False)
                        out.events.append(Event("qr", qr_store.pop().decode("utf-8")))
                elif fn_group == ord("L"):
                    if body[1:2] == b"2":
                        out.events.append(Event("image", Image(0, 0, [])))
                else:
                    raise DecodeError(f"unknown command GS ( {fn_group:#04x}")
            elif cmd in (ord("B"), ord("b"), ord("|"), ord("H"), ord("f"), ord("h"), ord("w"), ord("a")):
                i += 1
            else:
                raise DecodeError(f"unknown command GS {cmd:#04x} at byte {i - 2}")
        elif b == DLE:
            i += 3  # DLE EOT n: a status query
        elif b == FS:
            raise DecodeError(f"FS command at byte {i} (Kanji mode) not expected")
        elif b < 0x20 and b not in (0x09,):
            raise DecodeError(f"unexpected control byte {b:#04x} at byte {i}")
        else:
            buf.append(b)
            i += 1
    flush(False)
    return out
