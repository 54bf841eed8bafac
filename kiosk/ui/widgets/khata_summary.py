"""The head of the Khata screen: who, what they owe against their limit, their promise, and ageing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from textual.markup import escape
from textual.widgets import Static

from kiosk.domain.khata import AGEING_BUCKETS, Ageing


def phone_text(e164: str | None) -> str:
    """+923001234567 -> "0300 1234567" (the way people say it); the number as stored if it won't parse."""
    if not e164:
        return ""
    try:
        import phonenumbers

        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)
    except Exception:  # noqa: BLE001 - a display nicety; the stored number is still right
        return e164


def promise_text(promise, money: Callable[[int], str], today: dt.date | None = None) -> str:
    """One short phrase for a promise (services.promises.Promise) as it stands today, with markup."""
    if promise is None:
        return "no promise"
    today = today or dt.date.today()
    on = promise.promised_on.isoformat()
    state = promise.state(today)
    if state == "kept":
        return f"promise of {on} kept"
    days = promise.days(today)
    left = f", {money(promise.left)} left" if promise.paid_since > 0 else ""
    if state == "due":
        return f"pays by {on} (in {days}d{left})"
    if state == "due today":
        return f"[b $warning]pays by today[/]{f' ({left[2:]})' if left else ''}"
    return f"[b $error]promise broken: {on}, {-days}d ago[/]{f' ({left[2:]})' if left else ''}"


class KhataSummary(Static):
    """`summary.show(customer, ageing, promise, money)`; when nobody is chosen, the screen's CustomerArea
    writes its line here with `update`."""

    DEFAULT_CSS = """
    KhataSummary {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, customer, ageing: Ageing, promise, money: Callable[[int], str],
             amounts: Callable[[int], str] | None = None, today: dt.date | None = None) -> None:
        """`money` formats with the currency ("Rs1,450.00"), `amounts` without it (the ageing line)."""
        amounts = amounts or money
        who = [f"[b]{escape(customer.name)}[/b]"]
        if customer.phone:
            who.append(phone_text(customer.phone))
        who.append(f"customer {customer.id}")
        if customer.archived:
            who.append("[b $error]archived[/]")
        balance = customer.balance
        if balance > 0:
            owes = f"Owes [b $warning]{money(balance)}[/]"
        elif balance < 0:
            owes = f"Advance [b $success]{money(-balance)}[/] (the shop owes)"
        else:
            owes = "Owes nothing"
        limit = f"limit {money(customer.credit_limit)}" if customer.credit_limit is not None else "no limit"
        if customer.credit_limit is not None and balance > customer.credit_limit:
            limit = f"[b $error]over the {limit}[/]"
        status = [f"{owes} · {limit}"]
        if balance > 0 or (promise is not None and not promise.kept):
            status.append(promise_text(promise, money, today))
        buckets = " · ".join(f"{name} {amounts(ageing.buckets[name]) if ageing.buckets[name] else '–'}"
                             for name in AGEING_BUCKETS)
        oldest = f" · oldest {ageing.oldest_unpaid.isoformat()}" if ageing.oldest_unpaid else ""
        self.update("\n".join([" · ".join(who), " · ".join(status), f"Ageing {buckets}{oldest}"]))
