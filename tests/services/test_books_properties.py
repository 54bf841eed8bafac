"""Properties of the whole engine over random histories, on SQLite and PostgreSQL.

For any sequence of sales, refunds, khata payments, payment reversals and points expiries:
- the khata and points caches equal their ledgers, and points never go negative (`kiosk check`);
- every sale's tenders cover what was paid exactly, with change only from cash (`kiosk check`);
- refunds never take back more than a line sold, and a sale's refunded figures agree with them;
- once every debt is paid, every credit sale has earned all the points its khata part was due;
and a full refund to cash right after a sale leaves the customer as before it (apart from the record
of both).

Each example is a new customer in one shop per test (a database per example would be too slow);
dates only move forward, from a year ago, so expiry runs see real lots.
"""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain.errors import KioskError
from kiosk.domain.refund import RefundAsk
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, loyalty, products, refunds, sales
from kiosk.services import settings as shop_settings
from kiosk.services.check import check
from kiosk.services.sales import ItemRequest, OpenItemRequest
from kiosk.store.models import Sale

SKUS = ("ATTA", "GHEE", "RICE", "EGGS")
START = dt.date.today() - dt.timedelta(days=360)
_numbers = itertools.count(1_000_000)

EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def stocked(shop):
    products.add(shop, sku="ATTA", name="Atta 20kg", price=2_400_00)
    products.add(shop, sku="GHEE", name="Ghee 1kg", price=655_50)
    products.add(shop, sku="RICE", name="Rice", price=333_33, unit="kg")
    products.add(shop, sku="EGGS", name="انڈے درجن", price=360_00)
    shop_settings.set(shop, "loyalty.expiry_months", "2")
    shop_settings.set(shop, "loyalty.min_redeem", "100")
    return shop


items = st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=4)
tender_mix = st.lists(st.sampled_from(["cash", "card", "mobile", "khata", "store-credit"]), min_size=1, max_size=3,
                      unique=True)
sale_op = st.tuples(st.just("sale"), items, tender_mix, st.integers(0, 100), st.integers(0, 100), st.integers(0, 300),
                    st.integers(0, 20))
refund_op = st.tuples(st.just("refund"), st.integers(0, 50), st.booleans(), st.sampled_from(["cash", "store-credit"]),
                      st.integers(0, 20))
pay_op = st.tuples(st.just("pay"), st.integers(1, 5_000_00), st.integers(0, 20))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 20))
expire_op = st.tuples(st.just("expire"), st.integers(0, 70))
history = st.lists(st.one_of(sale_op, sale_op, refund_op, pay_op, reverse_op, expire_op), min_size=1, max_size=12)


def _tenders(mix: list[str], split: int) -> list[TenderRequest]:
    """All but the last tender take a share in thousandths of a nominal 1,000; the last takes the rest."""
    out = []
    for i, name in enumerate(mix):
        amount = None if i == len(mix) - 1 else 10_00 * (split + 1)
        method = Method.MOBILE if name == "mobile" else Method(name)
        out.append(TenderRequest(method, amount, "JazzCash" if name == "mobile" else None))
    return out


class Shopper:
    """Runs one history against a new customer; refused actions must book nothing, and are skipped."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.customer = customers.add(ctx, name="Prop", phone=f"0300 {next(_numbers):07d}").id
        self.day = START
        self.sales: list[str] = []
        self.payments: list[int] = []

    def _advance(self, days: int) -> dt.date:
        self.day = min(dt.date.today(), self.day + dt.timedelta(days=days))
        return self.day

    def run(self, op) -> None:
        kind, *args = op
        try:
            getattr(self, kind)(*args)
        except KioskError:
            pass  # refused whole: the checks after every step prove nothing was half-written

    def sale(self, basket, mix, split, redeem_pct, open_price, days):
        date = self._advance(days)
        points = customers.get(self.ctx, self.customer).points
        redeem = points * redeem_pct // 100 if points >= 100 and redeem_pct > 50 else 0
        sale_id = f"s{next(_numbers)}"
        extra = [OpenItemRequest("loose sugar", open_price * 100)] if open_price else []
        sales.sell(self.ctx, sale_id=sale_id, customer_id=self.customer, date=date, redeem=redeem,
                   items=[ItemRequest(sku, str(q) if sku != "RICE" else f"{q}.25") for sku, q in basket],
                   open_items=extra, tenders=_tenders(mix, split), override_by=self.ctx.user)
        self.sales.append(sale_id)

    def refund(self, pick, some, to, days):
        if not self.sales:
            return
        sale_id = self.sales[pick % len(self.sales)]
        asks = [RefundAsk(1, 1000 if Sale.get_by_id(sale_id).lines[0].unit == "each" else 250)] if some else []
        refunds.refund(self.ctx, refund_id=f"r{next(_numbers)}", sale_id=sale_id, asks=asks, to=to,
                       date=max(self._advance(days), Sale.get_by_id(sale_id).date))

    def pay(self, amount, days):
        entry = khata.receive(self.ctx, self.customer, amount, date=self._advance(days))
        self.payments.append(entry.id)

    def reverse(self, pick, days):
        if self.payments:
            khata.reverse(self.ctx, self.payments.pop(pick % len(self.payments)), reason="bounced",
                          date=self._advance(days))

    def expire(self, days):
        loyalty.expire(self.ctx, as_of=self._advance(days))


@EXAMPLES
@given(steps=history)
def test_any_history_keeps_every_cache_equal_to_its_ledger(stocked, steps):
    shopper = Shopper(stocked)
    for op in steps:
        shopper.run(op)
        assert check(stocked) == [], op
    assert customers.get(stocked, shopper.customer).points >= 0
    owed = khata.balance(stocked, shopper.customer)
    if owed > 0:
        shopper.pay(owed, 0)
    # Every debt paid: every credit sale not refunded has earned all the points its khata part was due.
    for sale in Sale.select().where((Sale.customer == shopper.customer) & (Sale.refunded == 0)):
        assert sale.khata_points_earned == sale.khata_points_due, sale.id
    assert check(stocked) == []


@EXAMPLES
@given(steps=history, basket=items, mix=tender_mix, split=st.integers(0, 100), redeem_pct=st.integers(0, 100))
def test_a_full_refund_to_cash_leaves_the_customer_as_before_the_sale(stocked, steps, basket, mix, split, redeem_pct):
    shopper = Shopper(stocked)
    for op in steps:
        shopper.run(op)

    def state():
        c, f = customers.get(stocked, shopper.customer), customers.figures(stocked, shopper.customer)
        return c.balance, c.points, c.tier, f.purchases, f.total_spent

    before = state()
    try:
        shopper.sale(basket, mix, split, redeem_pct, 0, 0)
    except KioskError:
        return  # e.g. no store credit to spend: nothing booked, nothing to undo
    refunds.refund(stocked, refund_id=f"r{next(_numbers)}", sale_id=shopper.sales[-1], to="cash", date=shopper.day)
    assert state() == before
    assert check(stocked) == []
