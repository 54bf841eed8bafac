"""The khata ledger as a table: entry number, date, what it was, Dr, Cr and the running balance.

Used by the Khata screen and the statement preview. Each row's key is the entry id, so the screen can
act on the highlighted entry (reverse it). The "Entry" column takes whatever width the others leave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.text import Text
from textual.widgets import DataTable

from kiosk.domain.khata import DebitSource, Entry, EntryKind, LedgerLine

_SOURCES = {DebitSource.SALE.value: "Sale", DebitSource.GAVE.value: "Gave",
            DebitSource.STORE_CREDIT.value: "Store credit spent", "refund": "Refund"}
_FIXED = ("#", "Date", "Dr", "Cr", "Balance")


def plain_amounts(currency: str, locale: str) -> Callable[[int], str]:
    """Minor units as the shop writes numbers, without the currency sign: 145000 -> "1,450.00" (en_PK).
    The table's columns say Dr, Cr and Balance; the sign repeated on every line only costs width."""
    from kiosk.domain.money import format_of

    return format_of(currency, locale).plain


def describe(entry: Entry) -> str:
    """One short line for an entry: "Sale 3f2a9c1d", "Payment · JazzCash · half now", "Reversal of #12 · …"."""
    note = " ".join((entry.note or "").split())
    if entry.sale_id and note == f"sale {entry.sale_id}":
        note = ""
    if entry.kind is EntryKind.REVERSAL:
        head = f"Reversal of #{entry.reverses_id}"
    elif entry.kind is EntryKind.CREDIT:
        head = f"Payment · {entry.method}" if entry.method else _SOURCES.get(entry.source or "", "Credit")
    else:
        head = _SOURCES.get(entry.source or "", "Debit")
    if entry.sale_id:
        head += f" {entry.sale_id[:8]}"
    return f"{head} · {note}" if note else head


class CursorTable(DataTable):
    """A row-cursor table that keeps its cursor row in view when its height changes (a table above it
    grew), so the newest entry a screen highlighted stays on screen."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(**kwargs)

    def on_resize(self) -> None:
        if self.row_count:
            self.call_after_refresh(self.move_cursor, row=self.cursor_row, animate=False)


class LedgerTable(CursorTable):
    """`table.show(lines, money)`: the ledger lines (services.khata.ledger or a statement's lines)."""

    DEFAULT_CSS = """
    LedgerTable {
        height: 1fr;
    }
    LedgerTable > .datatable--header {
        text-style: bold;
    }
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self._lines: list[LedgerLine] = []
        self._money: Callable[[int], str] = str
        self._reversed: dict[int, int] = {}
        self._drawn_width = 0

    @property
    def lines(self) -> list[LedgerLine]:
        return self._lines

    def show(self, lines: Sequence[LedgerLine], money: Callable[[int], str], *,
             all_entries: Iterable[Entry] | None = None) -> None:
        """Show `lines`; `all_entries` (default: the lines' own) tell which entries have been reversed."""
        self._lines = list(lines)
        self._money = money
        entries = list(all_entries) if all_entries is not None else [ln.entry for ln in self._lines]
        self._reversed = {e.reverses_id: e.id for e in entries if e.kind is EntryKind.REVERSAL and e.reverses_id}
        self._draw(len(self._lines) - 1)  # the newest entry highlighted

    def entry_at_cursor(self) -> Entry | None:
        if not self._lines or self.cursor_row < 0 or self.cursor_row >= len(self._lines):
            return None
        return self._lines[self.cursor_row].entry

    def reversed_by(self, entry_id: int) -> int | None:
        """The entry that reversed `entry_id`, if any."""
        return self._reversed.get(entry_id)

    def on_resize(self) -> None:  # CursorTable's handler runs too (Textual dispatches along the MRO)
        if self.size.width != self._drawn_width and self._lines:
            self._draw(self.cursor_row)

    def _draw(self, row: int) -> None:
        money = self._money
        cells = []
        for line in self._lines:
            e = line.entry
            cells.append((str(e.id), e.date.isoformat(), describe(e),
                          money(line.signed) if line.signed > 0 else "",
                          money(-line.signed) if line.signed < 0 else "", money(line.running_balance)))
        widths = [max([len(_FIXED[0])] + [len(c[0]) for c in cells]), 10,
                  max([2] + [len(c[3]) for c in cells]), max([2] + [len(c[4]) for c in cells]),
                  max([7] + [len(c[5]) for c in cells])]
        padding = 2 * self.cell_padding * 6
        free = (self.size.width or 80) - 2 - padding - sum(widths)  # 2: the vertical scrollbar
        note_width = max(12, free)
        self._drawn_width = self.size.width
        self.clear(columns=True)
        self.add_column("#", width=widths[0], key="id")
        self.add_column("Date", width=10, key="date")
        self.add_column("Entry", width=note_width, key="entry")
        self.add_column(Text("Dr", justify="right"), width=widths[2], key="dr")
        self.add_column(Text("Cr", justify="right"), width=widths[3], key="cr")
        self.add_column(Text("Balance", justify="right"), width=widths[4], key="balance")
        for line, (num, date, text, dr, cr, bal) in zip(self._lines, cells, strict=True):
            e = line.entry
            undone = self._reversed.get(e.id)
            if undone:
                text = f"reversed by #{undone} · {text}"
            style = "dim" if undone or e.kind is EntryKind.REVERSAL else ""
            if len(text) > note_width:
                text = text[: note_width - 1] + "…"
            self.add_row(Text(num, justify="right", style=style), Text(date, style=style), Text(text, style=style),
                         Text(dr, justify="right", style=style), Text(cr, justify="right", style=style),
                         Text(bal, justify="right", style="bold" if line.running_balance > 0 else ""),
                         key=str(e.id))
        if self._lines:
            self.move_cursor(row=min(max(row, 0), len(self._lines) - 1), animate=False)
