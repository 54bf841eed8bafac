"""Which customer an area about one customer shows (Khata, Loyalty): the app's selected one, else the
customer picker asks once; c picks another. One copy, so both areas follow the selection the same way."""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Static

from kiosk.domain.roles import Permission


class CustomerArea:
    """Mixed in before Screen (`class KhataScreen(CustomerArea, Screen)`); the screen gives
    `show_customer(customer_id)`, binds c to `customer` and sets the class attributes below. It must not
    define on_screen_suspend/on_screen_resume too: Textual calls the handler of every class in the MRO."""

    PICKER_PROMPT: ClassVar[str] = "Which customer?"
    #: What the Static `NONE_CHOSEN_AT` (a selector) says when the picker is left with nobody chosen.
    NONE_CHOSEN: ClassVar[str] = "No customer chosen: press c to pick one"
    NONE_CHOSEN_AT: ClassVar[str] = ""
    #: Actions shown greyed until a customer is chosen.
    NEEDS_CUSTOMER: ClassVar[tuple[str, ...]] = ()
    #: Follow the selection only after the messages already queued (Khata: app.open_khata posts a
    #: ShowKhata right after switching here), so a customer is read once.
    FOLLOW_AFTER_QUEUED: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.customer = None
        """The customer shown (kiosk.domain.customers.Customer), as last read; None before one is chosen."""
        self._picking = False
        self._asked = False
        self._stale = False

    @property
    def customer_id(self) -> int | None:
        return self.customer.id if self.customer is not None else None

    def on_screen_suspend(self) -> None:
        # another area took the screen (not a form over this one): the books may move meanwhile
        self._stale = self not in self.app.screen_stack

    def on_screen_resume(self) -> None:
        if self.FOLLOW_AFTER_QUEUED:
            self.call_later(self._follow_selection)
        else:
            self._follow_selection()

    def _follow_selection(self) -> None:
        wanted = self.app.selected_customer_id
        stale, self._stale = self._stale, False
        if wanted is not None and (wanted != self.customer_id or stale):
            self.show_customer(wanted)
        elif wanted is None and self.customer is None and not self._asked:
            self._asked = True  # once: after an Esc the screen says how to pick one
            self.call_after_refresh(self.action_customer)

    def action_customer(self) -> None:
        """Pick another customer by name or phone."""
        from kiosk.ui.screens.customer_picker import CustomerPicker

        if self._picking or self.app.screen is not self:
            return
        self._picking = True
        self.app.push_screen(CustomerPicker(self.PICKER_PROMPT), self._picked)

    def _picked(self, customer_id: int | None) -> None:
        self._picking = False
        if customer_id is not None:
            self.app.selected_customer_id = customer_id
            self.show_customer(customer_id)
        elif self.customer is None:
            self.query_one(self.NONE_CHOSEN_AT, Static).update(self.NONE_CHOSEN)

    def refresh_view(self) -> None:
        if self.customer is not None:
            self.show_customer(self.customer.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.NEEDS_CUSTOMER and self.customer is None:
            return None  # shown, greyed, until a customer is chosen
        return True

    def _refused(self, permission: Permission) -> bool:
        """Whether the session may not use `permission`; if so, say why in one line."""
        session = self.app.session
        if session.may(permission):
            return False
        self.app.notify_error(session.refusal(permission))
        return True
