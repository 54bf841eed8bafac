"""The key bar every screen ends with: compact, the screen's keys first, then the global F-keys (Ctrl+P is
listed on the Help screen instead of taking room here).

Every key of a screen must be on it (issue 5), and at 80 columns the Sale screen's do not fit one line:
Textual's Footer is one horizontal line that scrolls what does not fit out of sight. So the keys wrap
onto a second line (or a third) when, and only when, the width needs it: a screen whose keys fit keeps
one line. The area's own F-key (F2 on the Sale screen) leads nowhere, so it gives its room to the area's
keys; Help (F1) still lists it. Textual has no wrapping layout of its own, so `WrapLayout` places the keys as its horizontal
layout does and moves each that would cross the right edge to the start of the next line.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.layouts.horizontal import HorizontalLayout
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Lines the bar may take at most; a screen with more keys than this holds is a screen to split.
MAX_LINES = 3


class WrapLayout(HorizontalLayout):
    """Left to right, and on to the next line at the right edge (children one line high, as keys are)."""

    name = "wrap"

    def arrange(self, parent, children, size, greedy: bool = True):
        placements = super().arrange(parent, children, size, greedy)
        wrapped, shift, line = [], 0, 0
        for placement in placements:
            region = placement.region
            x = region.x - shift
            if x > 0 and x + region.width > size.width:  # this key would cross the edge: next line
                shift, line, x = region.x, line + 1, 0
            wrapped.append(placement._replace(region=Region(x, line, region.width, region.height)))
        return wrapped


class TillFooter(Footer):
    DEFAULT_CSS = f"""
    TillFooter {{
        height: auto;
        max-height: {MAX_LINES};
    }}
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
        # Set as a rule, not through `styles.layout`, which accepts only Textual's own layout names.
        self.styles.set_rule("layout", WrapLayout())

    def compose(self):
        own = f"mode({self.app.current_mode!r})"
        for widget in super().compose():
            if not (isinstance(widget, FooterKey) and widget.action == own):
                yield widget

    @property
    def lines(self) -> int:
        """How many lines the keys take now."""
        return 1 + max((key.region.y - self.region.y for key in self.children), default=0)
