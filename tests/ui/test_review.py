"""`kiosk review` on a terminal: the till, read-only. Managers, owners and viewers only; no key leads to
a change, a change tried anyway is refused in one line, and the connection refuses writes underneath."""

from __future__ import annotations

import pytest

from kiosk.services import khata
from kiosk.services.access import NotAllowed
from kiosk.store.db import ReadOnly
from kiosk.ui.screens.login import LoginScreen
from kiosk.ui.session import REVIEW_REFUSAL
from tests.ui.conftest import CASHIER, MANAGER, VIEWER


@pytest.fixture
def review(shop_url):
    from kiosk.ui.app import KioskApp

    app = KioskApp(shop_url, keymap={}, review=True)
    yield app
    app.close_shop()


@pytest.fixture
def review_notes(review, monkeypatch):
    """Every notification the review shows, as (message, severity)."""
    shown: list[tuple[str, str]] = []
    original = review.notify

    def record(message, *args, **kwargs):
        shown.append((str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    monkeypatch.setattr(review, "notify", record)
    return shown


def footer_keys(app) -> set[str]:
    """The ids of the bindings the footer offers now."""
    return {active.binding.id for active in app.screen.active_bindings.values() if active.enabled}


@pytest.mark.parametrize("pin", [MANAGER, VIEWER])
async def test_a_review_opens_on_reports_with_no_key_to_a_change(review, login, pin):
    async with review.run_test(size=(120, 40)) as pilot:
        await login(pilot, pin)
        assert review.current_mode == "reports" and review.session.read_only
        assert review.session.ctx.db.kiosk_read_only  # the connection itself refuses writes
        keys = footer_keys(review)
        assert "kiosk.reports" in keys and "kiosk.customers" in keys
        assert not keys & {"kiosk.sale", "kiosk.settings"}
        refused = ReadOnly if pin == MANAGER else NotAllowed  # the viewer's role refuses first
        with pytest.raises(refused):  # a service call that slipped past the screens
            khata.receive(review.session.ctx, 1, 100_00)


async def test_a_cashier_cannot_review(review, login):
    async with review.run_test(size=(80, 24)) as pilot:
        await login(pilot, CASHIER)
        assert review.session is None and isinstance(review.screen, LoginScreen)
        assert "review is for managers, owners and viewers" in str(review.screen.query_one("#login-message").render())


async def test_even_a_manager_is_refused_a_payment_in_review(review, login, review_notes):
    async with review.run_test(size=(120, 40)) as pilot:
        await login(pilot, MANAGER)
        review.selected_customer_id = 1
        await pilot.press("f4")
        for _ in range(20):  # the ledger loads after the screen shows
            await pilot.pause(0.05)
            if review.current_mode == "khata" and getattr(review.screen, "customer", None) is not None:
                break
        assert review.current_mode == "khata" and review.screen.customer is not None, type(review.screen).__name__
        await pilot.press("p")
        await pilot.pause()
        assert (REVIEW_REFUSAL, "error") in review_notes
        assert khata.balance(review.session.ctx, 1) == sum(e.amount for e in khata.entries(review.session.ctx, 1))
        assert len(khata.entries(review.session.ctx, 1)) == 2  # the two credit sales, nothing added
