import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.errors import ValidationError
from kiosk.domain.tenders import Method, TenderRequest, TendersShort, settle

T = TenderRequest


def test_cash_with_change():
    s = settle(1_250_50, [T(Method.CASH, 1_500_00)])
    assert (s.paid, s.change, s.cash_given) == (1_250_50, 249_50, 1_500_00)
    assert [(t.method, t.amount) for t in s.tenders] == [(Method.CASH, 1_250_50)]


def test_split_card_mobile_and_khata_taking_the_rest():
    s = settle(10_000_00, [T(Method.CARD, 3_000_00), T(Method.MOBILE, 2_000_00, "JazzCash"), T(Method.KHATA)])
    assert [(t.method, t.amount, t.name) for t in s.tenders] == [
        (Method.CARD, 3_000_00, None), (Method.MOBILE, 2_000_00, "JazzCash"), (Method.KHATA, 5_000_00, None)]
    assert s.change == 0


def test_cash_first_then_khata_for_what_is_left():
    s = settle(1_000_00, [T(Method.CASH, 300_00), T(Method.KHATA)])
    assert {t.method: t.amount for t in s.tenders} == {Method.CASH: 300_00, Method.KHATA: 700_00}


def test_an_open_ended_tender_with_nothing_left_books_nothing():
    s = settle(1_000_00, [T(Method.CASH, 1_200_00), T(Method.KHATA)])
    assert [(t.method, t.amount) for t in s.tenders] == [(Method.CASH, 1_000_00)] and s.change == 200_00
    assert settle(0, [T(Method.KHATA)]).tenders == ()


def test_cash_is_rounded_to_the_smallest_coin_only_when_it_pays_the_last_part():
    # Rp 12,345 with Rp 5,000 by card: the Rp 7,345 in cash becomes Rp 7,300 (no coins under Rp 100).
    s = settle(12_345_00, [T(Method.CARD, 5_000_00), T(Method.CASH)], cash_step=100_00)
    assert (s.rounding, s.paid, s.cash_given) == (-45_00, 12_300_00, 7_300_00)
    up = settle(12_355_00, [T(Method.CASH, 20_000_00)], cash_step=100_00)
    assert (up.rounding, up.change) == (45_00, 7_600_00)
    exact = settle(12_345, [T(Method.CARD, 12_345)], cash_step=100)
    assert exact.rounding == 0


@pytest.mark.parametrize(("requests", "message"), [
    ([T(Method.CARD, 500_00)], "500.00 short"),
    ([T(Method.CASH, 900_00)], "100.00 short"),
    ([T(Method.CARD, 1_200_00)], "more than the"),
    ([T(Method.CARD), T(Method.KHATA)], "only one tender"),
    ([T(Method.CARD, 0)], "more than zero"),
    ([], "0.00 of 1000.00"),
])
def test_tenders_that_do_not_cover_the_total_are_refused(requests, message):
    with pytest.raises((TendersShort, ValidationError), match=message):
        settle(1_000_00, requests, money=lambda m: f"{m // 100}.{m % 100:02d}")


NON_CASH = [Method.CARD, Method.MOBILE, Method.KHATA, Method.STORE_CREDIT]


@st.composite
def payments(draw):
    """A bill and tenders a cashier might type: some fixed non-cash parts, then cash (exact, with
    extra, or "the rest") or an open-ended non-cash tender, in any order."""
    due = draw(st.integers(min_value=1, max_value=10**9))
    left, requests = due, []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        if left <= 1:
            break
        part = draw(st.integers(min_value=1, max_value=left - 1))
        requests.append(T(draw(st.sampled_from(NON_CASH)), part))
        left -= part
    ending = draw(st.sampled_from(["cash-rest", "cash-extra", "open-non-cash", "cash-then-open"]))
    if ending == "cash-rest":
        requests.append(T(Method.CASH))
    elif ending == "cash-extra":
        requests.append(T(Method.CASH, left + draw(st.integers(min_value=0, max_value=10**6))))
    elif ending == "open-non-cash":
        requests.append(T(draw(st.sampled_from(NON_CASH))))
    elif left > 1:
        requests += [T(Method.CASH, draw(st.integers(min_value=1, max_value=left - 1))), T(Method.KHATA)]
    else:
        requests.append(T(Method.CASH))
    return due, draw(st.permutations(requests))


@given(payments(), st.sampled_from([0, 100, 5_00]))
def test_any_accepted_tenders_cover_the_total_exactly_with_change_only_from_cash(payment, step):
    due, requests = payment
    try:
        s = settle(due, requests, cash_step=step)
    except TendersShort:
        # Only cash rounding up can leave a fixed cash amount short, or a round-down leave nothing over.
        assert step and any(r.method is Method.CASH for r in requests)
        return
    assert sum(t.amount for t in s.tenders) == s.paid == due + s.rounding
    assert all(t.amount > 0 for t in s.tenders)
    assert s.change >= 0
    if s.change:
        assert s.change == s.cash_given - sum(t.amount for t in s.tenders if t.method is Method.CASH)
    cash_settles_last = any(r.method is Method.CASH for r in requests) and not any(
        r.amount is None and r.method is not Method.CASH for r in requests)
    if step and cash_settles_last:
        assert abs(s.rounding) * 2 <= step
    else:
        assert s.rounding == 0
