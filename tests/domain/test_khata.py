"""Properties of the khata rules, checked with hypothesis against simple reference models."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kiosk.domain.errors import CreditLimitExceeded, ValidationError
from kiosk.domain.khata import (
    AGEING_BUCKETS,
    Entry,
    EntryKind,
    ageing,
    balance,
    bucket_for,
    check_credit_limit,
    check_reversal,
    running_balances,
    statement,
)

START = dt.date(2025, 1, 1)


@st.composite
def ledgers(draw, max_size=30):
    """A customer's ledger: debits and credits on random dates, some of them reversed."""
    n = draw(st.integers(min_value=0, max_value=max_size))
    entries = []
    for i in range(1, n + 1):
        kind = draw(st.sampled_from([EntryKind.DEBIT, EntryKind.DEBIT, EntryKind.CREDIT]))
        entries.append(Entry(
            id=i, customer_id=1, kind=kind, amount=draw(st.integers(min_value=1, max_value=10**9)),
            date=START + dt.timedelta(days=draw(st.integers(min_value=0, max_value=500))),
            method="cash" if kind is EntryKind.CREDIT else None,
            source="sale" if kind is EntryKind.DEBIT else None,
        ))
    reversible = draw(st.lists(st.sampled_from(entries), unique_by=lambda e: e.id, max_size=5)) if entries else []
    for offset, target in enumerate(reversible, start=n + 1):
        later = target.date + dt.timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        entries.append(Entry(id=offset, customer_id=1, kind=EntryKind.REVERSAL, amount=target.amount,
                             date=later, reverses_id=target.id, note="mistake"))
    return entries


def naive_balance(entries):
    kinds = {e.id: e.kind for e in entries}
    total = 0
    for e in entries:
        if e.kind is EntryKind.DEBIT:
            total += e.amount
        elif e.kind is EntryKind.CREDIT:
            total -= e.amount
        else:
            total += -e.amount if kinds[e.reverses_id] is EntryKind.DEBIT else e.amount
    return total


def naive_fifo_buckets(entries, as_of):
    """Reference FIFO: apply each payment in turn to the oldest debt still open."""
    reversed_ids = {e.reverses_id for e in entries if e.kind is EntryKind.REVERSAL and e.date <= as_of}
    live = [e for e in entries if e.date <= as_of and e.kind is not EntryKind.REVERSAL and e.id not in reversed_ids]
    queue = [[e.date, e.id, e.amount] for e in sorted(live, key=lambda e: (e.date, e.id)) if e.kind is EntryKind.DEBIT]
    for payment in (e for e in live if e.kind is EntryKind.CREDIT):
        left = payment.amount
        for debt in queue:
            take = min(debt[2], left)
            debt[2] -= take
            left -= take
            if not left:
                break
    buckets = dict.fromkeys(AGEING_BUCKETS, 0)
    for date, _id, unpaid in queue:
        age = (as_of - date).days
        buckets["0-30" if age <= 30 else "31-60" if age <= 60 else "61-90" if age <= 90 else "90+"] += unpaid
    return buckets


@given(ledgers())
def test_balance_is_the_sum_of_entries(entries):
    assert balance(entries) == naive_balance(entries)
    lines = running_balances(entries)
    assert (lines[-1].running_balance if lines else 0) == balance(entries)


@given(ledgers(), st.integers(min_value=0, max_value=600))
def test_fifo_ageing_matches_the_naive_reference(entries, days):
    as_of = START + dt.timedelta(days=days)
    assert ageing(entries, as_of).buckets == naive_fifo_buckets(entries, as_of)


@given(ledgers(), st.integers(min_value=0, max_value=600))
def test_ageing_buckets_add_up_to_a_positive_balance(entries, days):
    as_of = START + dt.timedelta(days=days)
    aged = ageing(entries, as_of)
    # Reversals are never dated before their targets, so the entries known by then form a whole ledger.
    owed = balance([e for e in entries if e.date <= as_of])
    assert sum(aged.buckets.values()) == max(owed, 0)
    assert all(v >= 0 for v in aged.buckets.values())


@given(ledgers(), st.data())
def test_reversing_an_entry_restores_the_balance(entries, data):
    candidates = [e for e in entries if e.kind is not EntryKind.REVERSAL
                  and e.id not in {r.reverses_id for r in entries}]
    assume(candidates)
    target = data.draw(st.sampled_from(candidates))
    without = [e for e in entries if e.id != target.id]
    reversal = Entry(id=10_000, customer_id=1, kind=EntryKind.REVERSAL, amount=target.amount,
                     date=target.date, reverses_id=target.id, note="undo")
    assert balance(entries + [reversal]) == balance(without)


@given(ledgers(), st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=120))
def test_statement_opening_plus_lines_is_closing(entries, start_day, length):
    start = START + dt.timedelta(days=start_day)
    end = start + dt.timedelta(days=length)
    st_ = statement(entries, start, end)
    assert st_.opening + st_.total_debits - st_.total_credits == st_.closing
    assert st_.closing == balance(entries) - sum(
        signed for e, signed in _signed(entries) if e.date > end)


def _signed(entries):
    from kiosk.domain.khata import signed_amounts

    signed = signed_amounts(entries)
    return [(e, signed[e.id]) for e in entries]


def test_payments_settle_the_oldest_debts_whatever_their_dates():
    d = dt.date
    entries = [
        Entry(1, 1, EntryKind.CREDIT, 500, d(2026, 1, 1), method="cash"),  # paid in advance
        Entry(2, 1, EntryKind.DEBIT, 300, d(2026, 2, 1), source="sale"),
        Entry(3, 1, EntryKind.DEBIT, 400, d(2026, 5, 1), source="sale"),
    ]
    aged = ageing(entries, d(2026, 5, 15))
    assert aged.buckets == {"0-30": 200, "31-60": 0, "61-90": 0, "90+": 0}
    assert aged.oldest_unpaid == d(2026, 5, 1)
    assert aged.balance == 200


@pytest.mark.parametrize(("age", "bucket"), [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"),
                                            (61, "61-90"), (90, "61-90"), (91, "90+"), (400, "90+")])
def test_bucket_edges(age, bucket):
    assert bucket_for(age) == bucket


def test_credit_limit_message_gives_limit_balance_and_amount():
    with pytest.raises(CreditLimitExceeded) as exc:
        check_credit_limit(4000, 2000, 5000, fmt=lambda m: f"Rs{m}")
    assert "Rs5000" in str(exc.value) and "Rs4000" in str(exc.value) and "Rs2000" in str(exc.value)
    check_credit_limit(4000, 1000, 5000)  # exactly at the limit is allowed
    check_credit_limit(10**9, 1, None)  # no limit


def test_a_reversal_cannot_be_reversed_nor_an_entry_twice():
    target = Entry(1, 1, EntryKind.DEBIT, 100, START, source="sale")
    rev = Entry(2, 1, EntryKind.REVERSAL, 100, START, reverses_id=1)
    with pytest.raises(ValidationError, match="itself a reversal"):
        check_reversal(rev, False, 1)
    with pytest.raises(ValidationError, match="already been reversed"):
        check_reversal(target, True, 1)
    with pytest.raises(ValidationError, match="no such entry"):
        check_reversal(target, False, 2)
