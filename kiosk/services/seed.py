"""`kiosk seed`: a deterministic synthetic shop of any size, for demos and benchmarks.

What it adds to the shop:
- a catalogue of about sixty products, if the shop has none yet (`seed_catalogue`);
- customers with names, phones, CNICs, emails, groups and credit limits (`seed_people`);
- a year of trade ending on `today` (`seed_year`): `sales` real sales, most of them of a few products,
  about half to customers attached by phone, paid in cash with change, by card, by the shop's own
  mobile-money services, on the khata or with store credit, or a mix; points earned (a credit sale's
  khata part once it is paid, when `loyalty.credit_earns` is "paid") and redeemed; refunds of sales of
  the last month, some partial and some whole, to cash or store credit; and among the sales, payments
  by customers who owe, a few "gave" entries and a few reversals of recent payments and gave entries.

Every sale and refund is planned by the domain (`plan_sale`, `plan_refund`) from the customer's
standing as the books have it at that moment, and written as the sale and refund services write
them, so `kiosk check` passes and every cached figure (a customer's balance, points and tier; a
sale's refunded total, whether it is refunded in full, and the points its khata part has earned so
far) is what the ledgers say. The tests replay seeded customers' histories through the real services
on a second database and compare every row. Audit rows are one for the whole run; outbox messages
(notifications of credit sales and payments) are not written: a seeded year should not queue a
year of SMS.

Everything comes from one `random.Random(seed)` (the catalogue from its own, made from the same
seed, and sale and refund ids from one made from the seed and the ids the shop's rows have reached,
so seeding a shop twice with one seed never makes an id twice), and the dates and times from
`today`, never from the clock: the same seed, shop and day give byte-identical rows, in one chunk or
many. Ids follow creation time, as they would in a real shop, and continue after the rows the shop
already has; the shop's existing customers and books are left as they are. The tills should be idle
while it runs: a chunk whose ids a till took meanwhile is refused whole (what was seeded before stays).

Speed: the catalogue and the customers go in one transaction, the year in transactions of `CHUNK`
sales, each written with the bulk writers of `store.bulk` together with the figures it moved, so
every commit leaves books that `kiosk check` passes. A year of more than one chunk is made by a forked
child process while this one writes the chunk before: planning and writing use a core each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kiosk.domain.customers import Tier
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.money import minor_digits
from kiosk.domain.products import Unit
from kiosk.services import seed_catalogue
from kiosk.services.context import Context
from kiosk.services.seed_people import NewCustomer, People
from kiosk.services.seed_year import DAYS, Chunk, Ids, Item, Person, Terms, Year, money_terms
from kiosk.store import bulk
from kiosk.store.db import write_transaction
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import KhataEntry, PointsEntry, Product, ProductGroupPrice, RefundLine, SaleLine, SaleTender
from kiosk.store.shop import audit

#: Sales per transaction; each commit leaves whole books.
CHUNK = 50_000
#: Customers per INSERT batch (and per progress step); sales per progress step.
BATCH = 10_000


@dataclass(frozen=True, slots=True)
class SeedResult:
    customers: int
    products: int  # made for the catalogue (0: the shop had products)
    sales: int
    walk_in: int  # of the sales, rung up without a customer
    on_khata: int  # of the sales, with a part on the khata
    redemptions: int  # of the sales, paid partly with points
    refunds: int
    full_refunds: int  # of the refunds, those that completed a sale's refund
    payments: int
    gave: int
    reversals: int
    entries: int  # khata entries written (sales, store credit, refunds, payments, gave, reversals)
    points_entries: int
    first_customer_id: int | None
    last_customer_id: int | None
    #: Σ of the new customers' balances after their year (minor units; advances count negative).
    net_balance: int


def check_sizes(customers: int, sales: int) -> None:
    """Refuse sizes that make no shop, naming the field."""
    for field, value in (("customers", customers), ("sales", sales)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(field, f"{value!r} is not a whole number")
        if value < 0:
            raise ValidationError(field, f"must be 0 or more, not {value}")
    if sales and not customers:
        raise ValidationError("sales", "need at least one new customer to sell to (--customers)")


def seed_shop(
    ctx: Context,
    *,
    customers: int,
    sales: int,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> SeedResult:
    """Add `customers` synthetic customers and a year of `sales` sales, with the refunds, payments,
    gave entries and reversals among them, up to `today`.

    `progress(n)` is called after each batch with the number of customers or sales just made
    (customers + sales in all).
    """
    check_sizes(customers, sales)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError("seed", f"{seed!r} is not a whole number")
    if ctx.user is None or ctx.user.role != "owner":
        raise KioskError("only the shop's owner can seed it with synthetic customers and sales")
    advance = progress or (lambda n: None)
    today = today or dt.date.today()
    start = today - dt.timedelta(days=DAYS - 1)
    rng = random.Random(seed)
    terms = _terms(ctx)
    user_id = ctx.user.id
    with bulk.roomy_cache(), contextlib.ExitStack() as stack:
        with write_transaction(ctx.db):
            products = _write_catalogue(ctx, seed, start - dt.timedelta(days=30))
            first_customer, rows, made = _make_customers(ctx, rng, start, customers, terms.round_sum)
            ids = _free_ids()
            year = Year(rng, terms, start=start, sales=sales, people=[_person(c) for c in made],
                        weights=[c.weight for c in made], joined=[c.joined for c in made], items=_items(),
                        user_id=user_id, till=ctx.till,
                        keys=random.Random(f"keys:{seed}:{first_customer}:{':'.join(map(str, ids))}"))
            # The year starts being made (by a child, for more than a chunk) while the customers go in.
            make = _YearElsewhere if sales > CHUNK and _can_fork() else _chunks_here
            chunks = stack.enter_context(contextlib.closing(make(year, sales, ids, advance)))
            _insert_customers(rows, advance)
            if not sales:
                _audit(ctx, customers, 0, seed, products)
        made_sales = 0
        for size, chunk, first, end in chunks:
            # One transaction per CHUNK sales with the figures they moved: each commit leaves whole
            # books, and the write lock is let go now and then for the tills.
            made_sales += size
            _commit(ctx, chunk, first, end, (customers, sales, seed, products) if made_sales == sales else None)

    c, net_balance = year.counts, year.net_balance
    return SeedResult(
        customers=customers, products=products, sales=c.sales, walk_in=c.walk_in, on_khata=c.on_khata,
        redemptions=c.redemptions, refunds=c.refunds, full_refunds=c.full_refunds, payments=c.payments,
        gave=c.gave, reversals=c.reversals, entries=c.khata_entries, points_entries=c.points_entries,
        first_customer_id=first_customer if customers else None,
        last_customer_id=first_customer + customers - 1 if customers else None,
        net_balance=net_balance,
    )


def _terms(ctx: Context) -> Terms:
    """The shop's rules as the sale and refund services read them."""
    from kiosk.services import loyalty, settings
    from kiosk.store import points as points_store

    rules = settings.loyalty_settings(ctx)
    sale_rules = settings.sale_settings(ctx)
    notes, round_sum = money_terms(ctx.shop.currency, minor_digits(ctx.shop.currency))
    return Terms(
        rates=loyalty.rates_of(rules),
        tier_rules=loyalty.tier_rules_of(rules),
        multipliers={tier: rules.multiplier(tier) for tier in Tier},
        campaigns=tuple(r.campaign for r in points_store.campaigns() if r.active),
        credit_earns_at_sale=rules.credit_earns == "sale",
        cash_step=sale_rules.cash_rounding,
        discount_approval_bp=sale_rules.discount_approval_percent * 100,
        payment_methods=ctx.shop.payment_methods,
        mobile_money=ctx.shop.mobile_money,
        notes=notes,
        round_sum=round_sum,
    )


def _write_catalogue(ctx: Context, seed: int, created: dt.date) -> int:
    """The catalogue, if the shop has no products yet; returns how many were made."""
    if bulk.product_count():
        return 0
    shop = ctx.shop
    items = seed_catalogue.make(random.Random(f"catalogue:{seed}"), shop.country, shop.currency, shop.groups)
    first = bulk.reserve_ids(Product, len(items))
    first_price = bulk.reserve_ids(ProductGroupPrice, sum(len(i.data.group_prices) for i in items))
    products, prices = seed_catalogue.rows(items, first, bulk.group_ids(), first_price, created)
    bulk.insert_products(products)
    bulk.insert_group_prices(prices)
    return len(products)


def _items() -> list[Item]:
    return [Item(pid, sku, name, price, Unit(unit), prices, seed_catalogue.weight_of(sku))
            for pid, sku, name, price, unit, prices in bulk.products_on_sale()]


def _make_customers(ctx: Context, rng: random.Random, start: dt.date, n: int, round_sum: int
                    ) -> tuple[int, list[tuple], list[NewCustomer]]:
    """The new customers' ids (reserved in the caller's transaction), rows and shopping habits."""
    if n == 0:
        return 0, [], []
    first = bulk.reserve_ids(CustomerRow, n)
    people = People(rng, ctx.shop.country, start, DAYS, round_sum)
    rows, made = people.make(n, first, bulk.group_ids(), bulk.existing_phones())
    return first, rows, made


def _insert_customers(rows: list[tuple], advance) -> None:
    for at in range(0, len(rows), BATCH):
        part = rows[at:at + BATCH]
        bulk.insert_customers(part, bulk.SEED_CUSTOMER_COLUMNS)
        advance(len(part))


def _person(c: NewCustomer) -> Person:
    return Person(c.id, c.group, c.credit_limit, c.tier, c.pinned)


_ID_TABLES = (KhataEntry, PointsEntry, SaleLine, SaleTender, RefundLine)  # in `Ids` order


def _free_ids() -> tuple[int, ...]:
    return tuple(bulk.next_free_id(model) for model in _ID_TABLES)


def _ids_of(ids: Ids) -> tuple[int, ...]:
    return ids.khata, ids.points, ids.line, ids.tender, ids.refund_line


def _commit(ctx: Context, chunk: Chunk, first: tuple[int, ...], end: tuple[int, ...], audit_of: tuple | None
            ) -> None:
    """One chunk and the figures it moved, in one transaction. Its ids were chosen when the year was
    made, after the rows the shop had then; if a till has written since, nothing of the chunk is."""
    with write_transaction(ctx.db):
        if _free_ids() != first:
            raise KioskError("seed: another till wrote to the shop while it was being seeded; what was seeded "
                             "before stays (its books are whole): seed again when the tills are idle")
        bulk.insert_sales(chunk.sales, chunk.lines, chunk.tenders)
        bulk.insert_entries(chunk.khata, bulk.SALE_ENTRY_COLUMNS)
        bulk.insert_points(chunk.points)
        bulk.insert_refunds(chunk.refunds, chunk.refund_lines)
        bulk.set_sale_figures(chunk.sale_figures)
        bulk.set_customer_figures(chunk.people)
        for model, begin, stop in zip(_ID_TABLES, first, end, strict=True):
            bulk.claim_ids(model, begin, stop)
        if audit_of is not None:
            _audit(ctx, *audit_of)


def _chunks_here(year: Year, sales: int, first: tuple[int, ...], advance) -> Iterator[tuple]:
    """The year's chunks, made in this process: (sales, chunk, first ids, end ids) each."""
    ids = Ids(*first)
    made = 0
    while made < sales:
        size = min(CHUNK, sales - made)
        start = _ids_of(ids)
        chunk = year.run(size, ids, advance, step=BATCH).freeze()
        made += size
        yield size, chunk, start, _ids_of(ids)
    year.net_balance = sum(p.balance for p in year.people)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class _YearElsewhere:
    """The year's chunks as `_chunks_here` makes them, but made by a child process while this one
    writes the last: planning (the interpreter) and writing (the database, and the driver's work for
    each row) then use a core each. The child is forked, so it starts at once with the year as it
    is; it touches no database, only the pipe it sends the chunks down (one ahead at most). At the
    end it sends the year's counts and net balance back. `close` stops it if it is still going."""

    def __init__(self, year: Year, sales: int, first: tuple[int, ...], advance):
        import multiprocessing
        import sys

        self.year, self.advance = year, advance
        fork = multiprocessing.get_context("fork")
        self.receive, send = fork.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice, by the child too
            stream.flush()
        self.child = fork.Process(target=_make_chunks, args=(year, sales, first, send), name="kiosk-seed-year",
                                  daemon=True)
        self.child.start()
        send.close()

    def __iter__(self) -> Iterator[tuple]:
        while True:
            try:
                message = self.receive.recv()
            except EOFError:
                raise KioskError(f"seed: the process making the year stopped (exit code {self.child.exitcode})"
                                 ) from None
            what = message[0]
            if what == "progress":
                self.advance(message[1])
            elif what == "chunk":
                yield message[1:]
            elif what == "done":
                self.year.counts, self.year.net_balance = message[1], message[2]
                return
            else:
                raise KioskError(f"seed: making the year failed: {message[1]}")

    def close(self) -> None:
        self.receive.close()
        if self.child.is_alive():
            self.child.terminate()
        self.child.join()


def _make_chunks(year: Year, sales: int, first: tuple[int, ...], send) -> None:
    """In the child: the chunks down the pipe, then ("done", counts, net balance)."""
    try:
        for size, chunk, start, end in _chunks_here(year, sales, first, lambda n: send.send(("progress", n))):
            send.send(("chunk", size, chunk, start, end))
        send.send(("done", year.counts, year.net_balance))
    except BaseException as exc:  # told to the parent, which raises it as a KioskError
        import traceback

        send.send(("error", "".join(traceback.format_exception_only(type(exc), exc)).strip()))
    finally:
        send.close()


def _audit(ctx: Context, customers: int, sales: int, seed: int, products: int) -> None:
    audit("shop.seed", "", user=ctx.user, till=ctx.till, customers=customers, sales=sales, products=products,
          seed=seed)
