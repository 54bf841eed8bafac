"""Charts in the terminal, from block characters: no plotting library, nothing to install.

- `BarChart`: labelled horizontal bars (the ageing buckets, the segments): one line per bar, the label
  on the left, the figure on the right, the bar between them scaled to the largest value with eighth
  blocks (▏▎▍▌▋▊▉█), so a bar is as exact as 1/8 of a cell.
- `ColumnChart`: vertical bars over a row of labels (sales per day): zero-based, so a day with half the
  sales has half the bar. Textual's own `Sparkline` scales from the smallest value to the largest,
  which makes an ordinary dip look like a day with no sales; for money that misleads, hence this.

Both take plain ints (minor units or counts) and the text to show for them; they draw to their own
size, so they fit 80x24 and use a bigger terminal when there is one. Neither takes focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

#: Eighths of a cell, left to right: index n is n/8 of a cell filled.
H_EIGHTHS = " ▏▎▍▌▋▊▉█"
#: Eighths of a cell, bottom to top.
V_EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: `value` sets its length (≥ 0; a negative value draws as 0), `text` is shown beside it."""

    label: str
    value: int
    text: str = ""


def h_bar(value: int, biggest: int, width: int) -> str:
    """A bar of `value` out of `biggest` in `width` cells, to the eighth of a cell. Any value above zero
    shows at least an eighth, so "a little" never looks like "nothing"."""
    if width <= 0 or biggest <= 0 or value <= 0:
        return ""
    eighths = max(1, (min(value, biggest) * width * 8) // biggest)
    full, part = divmod(eighths, 8)
    return "█" * full + (H_EIGHTHS[part] if part else "")


def column_heights(values: Sequence[int], rows: int) -> list[int]:
    """Each value's height in eighths of a cell out of `rows` cells, zero-based, scaled to the largest;
    any value above zero is at least one eighth."""
    biggest = max((v for v in values), default=0)
    if biggest <= 0 or rows <= 0:
        return [0 for _ in values]
    return [0 if v <= 0 else max(1, (v * rows * 8) // biggest) for v in values]


class BarChart(Widget, can_focus=False):
    """Horizontal bars with their labels and figures: `BarChart([Bar("0-30", 1250_00, "Rs 1,250")])`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"barchart--bar", "barchart--label", "barchart--value"}

    DEFAULT_CSS = """
    BarChart {
        height: auto;
        min-height: 1;
        width: 1fr;
    }
    BarChart > .barchart--bar { color: $primary; }
    BarChart > .barchart--label { color: $text; }
    BarChart > .barchart--value { color: $text; text-style: bold; }
    """

    bars: reactive[tuple[Bar, ...]] = reactive((), layout=True)
    """The bars, top to bottom."""

    def __init__(self, bars: Sequence[Bar] = (), *, empty: str = "nothing to show", **kwargs) -> None:
        super().__init__(**kwargs)
        self.empty = empty
        """Shown instead of bars when there are none."""
        self.set_reactive(BarChart.bars, tuple(bars))

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.bars))

    def render(self) -> Text:
        if not self.bars:
            return Text(self.empty, style="dim")
        width = self.content_size.width
        label_w = max(len(b.label) for b in self.bars)
        value_w = max(len(b.text) for b in self.bars)
        bar_w = max(0, width - label_w - value_w - 2)
        biggest = max(b.value for b in self.bars)
        bar_style = self.get_component_rich_style("barchart--bar")
        label_style = self.get_component_rich_style("barchart--label")
        value_style = self.get_component_rich_style("barchart--value")
        out = Text(no_wrap=True, overflow="crop")
        for n, b in enumerate(self.bars):
            if n:
                out.append("\n")
            out.append(b.label.ljust(label_w), label_style)
            out.append(" ")
            out.append(h_bar(b.value, biggest, bar_w).ljust(bar_w), bar_style)
            out.append(" ")
            out.append(b.text.rjust(value_w), value_style)
        return out


class ColumnChart(Widget, can_focus=False):
    """Vertical bars over a line of labels: `ColumnChart(values, first="16 May", last="14 Jun")`.

    The widget's height is the chart's: the bars take every row but the last, which holds `first`
    under the first column, `middle` (if any) in the middle and `last` under the last column. When
    there are more values than columns, the newest are shown."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"columnchart--bar", "columnchart--axis"}

    DEFAULT_CSS = """
    ColumnChart {
        height: 6;
        width: 1fr;
    }
    ColumnChart > .columnchart--bar { color: $primary; }
    ColumnChart > .columnchart--axis { color: $text-muted; }
    """

    values: reactive[tuple[int, ...]] = reactive(())
    """The columns, oldest first."""

    def __init__(self, values: Sequence[int] = (), *, first: str = "", middle: str = "", last: str = "",
                 empty: str = "nothing to show", max_slot: int = 8, **kwargs) -> None:
        super().__init__(**kwargs)
        self.first, self.middle, self.last, self.empty = first, middle, last, empty
        self.max_slot = max_slot
        """The most cells a column (and its gap) takes: a few values make a few slim bars, not slabs."""
        self.set_reactive(ColumnChart.values, tuple(values))

    def show(self, values: Sequence[int], *, first: str = "", middle: str = "", last: str = "") -> None:
        """New values and labels."""
        self.first, self.middle, self.last = first, middle, last
        self.values = tuple(values)
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size.width, self.content_size.height
        rows = max(1, height - 1)
        values = list(self.values)[-width:] if width > 0 else []
        if not values or max(values) <= 0:
            return Text(self.empty, style="dim")
        n = len(values)
        slot = max(1, min(width // n, self.max_slot))
        bar_w = slot - 1 if slot >= 3 else slot  # a gap between bars when there is room for one
        heights = column_heights(values, rows)
        bar_style = self.get_component_rich_style("columnchart--bar")
        axis_style = self.get_component_rich_style("columnchart--axis")
        out = Text(no_wrap=True, overflow="crop")
        for row in range(rows - 1, -1, -1):  # top row first
            line = []
            for h in heights:
                filled = h - row * 8
                cell = "█" if filled >= 8 else (V_EIGHTHS[filled] if filled > 0 else " ")
                line.append(cell * bar_w + " " * (slot - bar_w))
            out.append("".join(line).rstrip().ljust(width), bar_style)
            out.append("\n")
        axis = [" "] * width
        self._place(axis, self.first, 0)
        if self.middle:
            self._place(axis, self.middle, (slot * n - len(self.middle)) // 2)
        if self.last:
            self._place(axis, self.last, slot * n - len(self.last) - (slot - bar_w))
        out.append("".join(axis), axis_style)
        return out

    @staticmethod
    def _place(axis: list[str], text: str, at: int) -> None:
        at = max(0, min(at, len(axis) - len(text)))
        for i, ch in enumerate(text[: len(axis)]):
            axis[at + i] = ch
