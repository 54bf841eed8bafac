"""The customer report's rules: buckets, ratios, masking, the liability's value."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain import customer_report as cr
from kiosk.domain.customer_report import Bucket, PointsFlow, PurchaseTotals, TopCustomer
from kiosk.domain.errors import ValidationError
from kiosk.domain.loyalty import Rates

D = dt.date


def report(totals=PurchaseTotals(), top=(), liability=0, rates=Rates(), start=D(2026, 3, 1), end=D(2026, 3, 31),
           per_day=None):
    return cr.make_report(start=start, end=end, currency="PKR", new_per_day=per_day or {}, totals=totals,
                          top=list(top), points=PointsFlow(), liability_points=liability, rates=rates)


def test_months_are_cut_to_the_period_and_empty_ones_are_listed():
    per_day = {D(2025, 12, 31): 9, D(2026, 1, 20): 2, D(2026, 1, 31): 1, D(2026, 3, 1): 4, D(2026, 4, 10): 1,
               D(2026, 4, 11): 7}
    got = cr.buckets(D(2026, 1, 20), D(2026, 4, 10), per_day, cr.MONTH)
    assert got == (Bucket("2026-01", D(2026, 1, 20), D(2026, 1, 31), 3),
                   Bucket("2026-02", D(2026, 2, 1), D(2026, 2, 28), 0),
                   Bucket("2026-03", D(2026, 3, 1), D(2026, 3, 31), 4),
                   Bucket("2026-04", D(2026, 4, 1), D(2026, 4, 10), 1))


def test_weeks_are_iso_weeks_monday_to_sunday_across_a_new_year():
    got = cr.buckets(D(2025, 12, 27), D(2026, 1, 6), {D(2025, 12, 28): 1, D(2025, 12, 29): 2, D(2026, 1, 5): 5},
                     cr.WEEK)
    assert got == (Bucket("2025-W52", D(2025, 12, 27), D(2025, 12, 28), 1),
                   Bucket("2026-W01", D(2025, 12, 29), D(2026, 1, 4), 2),  # ISO week 1 of 2026 starts in 2025
                   Bucket("2026-W02", D(2026, 1, 5), D(2026, 1, 6), 5))


def test_all_time_starts_at_the_first_new_customer_and_nobody_gives_no_buckets():
    got = cr.buckets(None, D(2026, 3, 2), {D(2026, 1, 15): 1, D(2026, 3, 2): 2}, cr.MONTH)
    assert [(b.label, b.start, b.customers) for b in got] == [
        ("2026-01", D(2026, 1, 15), 1), ("2026-02", D(2026, 2, 1), 0), ("2026-03", D(2026, 3, 1), 2)]
    assert cr.buckets(None, D(2026, 3, 2), {}, cr.MONTH) == ()


def test_weeks_up_to_92_days_months_beyond_and_for_all_time():
    assert cr.bucket_kind(D(2026, 1, 1), D(2026, 4, 2)) == cr.WEEK  # 92 days
    assert cr.bucket_kind(D(2026, 1, 1), D(2026, 4, 3)) == cr.MONTH
    assert cr.bucket_kind(None, D(2026, 1, 1)) == cr.MONTH


@given(start=st.dates(D(2020, 1, 1), D(2027, 12, 31)), days=st.integers(0, 800),
       per_day=st.dictionaries(st.dates(D(2019, 12, 1), D(2030, 6, 1)), st.integers(1, 50), max_size=40))
def test_buckets_tile_the_period_and_count_everyone_in_it_once(start, days, per_day):
    end = start + dt.timedelta(days=days)
    kind = cr.bucket_kind(start, end)
    got = cr.buckets(start, end, per_day, kind)
    assert got[0].start == start and got[-1].end == end
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in zip(got, got[1:]))
    assert all(b.start <= b.end for b in got)
    assert sum(b.customers for b in got) == sum(n for day, n in per_day.items() if start <= day <= end)


def test_ratios_and_averages():
    r = report(PurchaseTotals(buyers=3, repeaters=2, purchases=7, value=1_000_00))
    assert r.average_frequency == Fraction(7, 3) and cr.decimal_text(r.average_frequency, 2) == "2.33"
    assert r.repeat_rate == Fraction(2, 3) and cr.percent_text(r.repeat_rate) == "66.7"
    assert r.average_value == 33_333  # 1,000.00 / 3, rounded down to the paisa


def test_nothing_to_average_gives_none_not_zero():
    r = report()
    assert (r.average_frequency, r.repeat_rate, r.average_value) == (None, None, None)
    assert cr.decimal_text(None, 2) is None and cr.percent_text(None) is None
    one_time = report(PurchaseTotals(buyers=2, repeaters=0, purchases=2, value=10))
    assert cr.percent_text(one_time.repeat_rate) == "0.0"


@pytest.mark.parametrize(("value", "places", "text"), [
    (Fraction(1, 8), 2, "0.13"), (Fraction(1, 200), 2, "0.01"), (Fraction(0), 1, "0.0"), (Fraction(5), 0, "5"),
    (Fraction(2, 1), 2, "2.00"), (Fraction(99995, 1000), 2, "100.00"),
])
def test_decimal_text_rounds_half_up_exactly(value, places, text):
    assert cr.decimal_text(value, places) == text


def test_phones_are_masked_and_only_the_top_ten_are_kept():
    top = [TopCustomer(i, f"C{i}", "+923001234567" if i % 2 else None, 1, 100 - i) for i in range(12)]
    r = report(top=top)
    assert len(r.top) == cr.TOP == 10
    assert r.top[1].phone == "+92300****567" and r.top[0].phone is None
    assert all("1234" not in (t.phone or "") for t in r.top)


def test_the_liability_is_valued_at_the_redeem_rate_rounded_down_on_the_total():
    assert report(liability=2_822).liability_value == 28_22  # 100 points = Rs 1
    assert report(liability=1_000, rates=Rates(redeem_points=300, redeem_value=2_00)).liability_value == 666
    assert report(liability=-5).liability_value == 0  # never a negative liability


def test_points_net_figures():
    flow = PointsFlow(earned=4_072, redeemed=500, expired=325, taken_back=100, given_back=50)
    assert (flow.net_issued, flow.net_redeemed) == (3_972, 450)


def test_a_period_ending_before_it_starts_is_refused_naming_from():
    with pytest.raises(ValidationError, match="^from: 2026-03-02 is after --to 2026-03-01$"):
        cr.check_period(D(2026, 3, 2), D(2026, 3, 1))
    cr.check_period(D(2026, 3, 1), D(2026, 3, 1))
    cr.check_period(None, D(2026, 3, 1))
