"""A customer at a glance, at the top of their profile: who they are, and what the books say (total
spent, purchases, average purchase, balance, first and last purchase, points, tier, favourite products).

`SummaryCard.show(customer, figures, favourites, money)` takes domain objects only
(`kiosk.domain.customers.Customer`, `CustomerFigures`, `kiosk.domain.customer_list.FavouriteProduct`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.widgets import Static


def quantity_text(milli: int) -> str:
    """Thousandths as people write them: 1500 -> "1.5", 2000 -> "2"."""
    whole, frac = divmod(milli, 1000)
    return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)


class SummaryCard(Static):
    DEFAULT_CSS = """
    SummaryCard {
        height: auto;
        border: round $primary;
        padding: 0 1;
        & > .summary-card--label {
            color: $text-muted;
        }
        & > .summary-card--owes {
            color: #f59e0b;  /* amber, as the Sale screen's customer card */
            text-style: bold;
        }
        & > .summary-card--points {
            background: #4f46e5;  /* indigo, as the Sale screen's customer card */
            color: #ffffff;
            text-style: bold;
        }
        & > .summary-card--archived {
            color: $error;
            text-style: bold;
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "summary-card--label", "summary-card--owes", "summary-card--points", "summary-card--archived",
    }

    def show(self, customer, figures, favourites: Sequence, money: Callable[[int], str]) -> None:
        style = self.get_component_rich_style
        label = style("summary-card--label")
        title = Text.assemble((customer.name, "bold"), f"  #{customer.id}")
        if customer.phone:
            from kiosk.ui.widgets.customer_table import phone_text

            title.append(f" · {phone_text(customer.phone)}")
        title.append(f" · {customer.group}")
        if customer.business:
            title.append(f" · {customer.business}")
        if customer.archived:
            title.append("  ARCHIVED", style=style("summary-card--archived"))
        self.border_title = None

        balance = Text(money(figures.balance), style=style("summary-card--owes") if figures.balance > 0 else "")
        limit = money(customer.credit_limit) if customer.credit_limit is not None else "none"
        points = Text(f" {figures.points:,} ", style=style("summary-card--points"))

        grid = Table.grid(padding=(0, 1), expand=True)
        for _ in range(3):
            grid.add_column(style=label, no_wrap=True)
            grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)

        def day(value) -> str:
            return value.isoformat() if value else "-"

        grid.add_row("Spent", money(figures.total_spent), "Purchases", f"{figures.purchases:,}",
                     "Average", money(figures.average_purchase))
        grid.add_row("Balance", balance, "Limit", limit, "Points", points)
        grid.add_row("First", day(figures.first_purchase), "Last", day(figures.last_purchase),
                     "Tier", Text(customer.tier.value, style="bold"))
        favourite = ", ".join(f"{f.name} ×{quantity_text(f.quantity_milli)}" for f in favourites) or "-"

        body = Table.grid(expand=True)
        body.add_column(overflow="ellipsis", no_wrap=True)
        body.add_row(title)
        body.add_row(grid)
        body.add_row(Text.assemble(("Favourites ", label), favourite))
        self.update(body)
