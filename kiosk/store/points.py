"""Points rows: the append-only ledger, the cached balance beside it, and campaigns.

Like the khata: an entry is never updated or deleted; `append` moves `customer.points` by the entry's
signed amount in the caller's transaction (the caller has locked the customer), and `sum_by_customer`
lets `kiosk check` prove the cache. Everything comes back as domain objects.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from peewee import JOIN, Case, fn

from kiosk.domain.customers import Tier
from kiosk.domain.errors import NotFound
from kiosk.domain.loyalty import ADDS, Campaign, PointsEntry, PointsKind
from kiosk.domain.settings import fraction_text
from kiosk.store.db import is_sqlite
from kiosk.store.models import Campaign as CampaignRow
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import PointsEntry as PointsRow
from kiosk.store.models import User

_ADD_KINDS = [k.value for k in ADDS]


def to_domain(row: PointsRow) -> PointsEntry:
    return PointsEntry(
        id=row.id,
        customer_id=row.customer_id,
        kind=PointsKind(row.kind),
        points=row.points,
        date=row.date,
        expires_on=row.expires_on,
        sale_id=row.sale_id,
    )


def signed(kind: PointsKind, points: int) -> int:
    return points if kind in ADDS else -points


def entries_for(customer_id: int) -> list[PointsEntry]:
    """The customer's ledger in replay order (date, then id)."""
    rows = (PointsRow.select().where(PointsRow.customer == customer_id)
            .order_by(PointsRow.date, PointsRow.id))
    return [to_domain(r) for r in rows]


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """What the domain entry leaves out and a history shows: why, who, where, when."""

    note: str
    user: str | None
    till: str
    created_at: dt.datetime | None


def details_for(customer_id: int) -> dict[int, EntryDetail]:
    rows = (
        PointsRow.select(PointsRow.id, PointsRow.note, PointsRow.till, PointsRow.created_at,
                         User.name.alias("user_name"))
        .join(User, on=(PointsRow.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(PointsRow.customer == customer_id)
        .objects()
    )
    return {r.id: EntryDetail(r.note, r.user_name, r.till, r.created_at) for r in rows}


def last_date(customer_id: int) -> dt.date | None:
    """The latest date in the customer's ledger: one probe of the (customer, date, id) index, in plain
    SQL (every sale asks)."""
    db = PointsRow._meta.database
    p = db.param
    row = db.execute_sql(f"SELECT date FROM points_entry WHERE customer_id = {p} ORDER BY date DESC, id DESC LIMIT 1",
                         (customer_id,)).fetchone()
    return _day(row[0]) if row else None


def by_idempotency_key(key: str) -> PointsEntry | None:
    row = PointsRow.get_or_none(PointsRow.idempotency_key == key)
    return to_domain(row) if row else None


def for_sale(sale_id: str) -> list[PointsEntry]:
    """Every entry a sale (and its refunds) wrote, in replay order."""
    rows = PointsRow.select().where(PointsRow.sale_id == sale_id).order_by(PointsRow.date, PointsRow.id)
    return [to_domain(r) for r in rows]


def given_back(customer_id: int, sale_id: str) -> int:
    """Points refunds of a sale have given back so far."""
    total = (PointsRow.select(fn.SUM(PointsRow.points))
             .where((PointsRow.customer == customer_id) & (PointsRow.sale_id == sale_id)
                    & (PointsRow.kind == PointsKind.GIVE_BACK.value)).scalar())
    return int(total or 0)


def cached_points(customer_id: int) -> int:
    db = CustomerRow._meta.database
    row = db.execute_sql(f"SELECT points FROM customer WHERE id = {db.param}", (customer_id,)).fetchone()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return row[0]


def append(
    customer_id: int,
    kind: PointsKind,
    points: int,
    date: dt.date,
    expires_on: dt.date | None = None,
    sale_id: str | None = None,
    note: str = "",
    user: int | None = None,
    till: str = "",
    idempotency_key: str | None = None,
) -> PointsEntry:
    """Write one entry and move the cached points by its signed amount, in the caller's transaction
    (plain SQL: every sale writes one or two)."""
    kind = PointsKind(kind)
    db = PointsRow._meta.database
    p = db.param
    sqlite = is_sqlite(db)
    now = dt.datetime.now().replace(microsecond=0)  # as the model's default makes it
    sql = (f"INSERT INTO points_entry (customer_id, kind, points, date, expires_on, sale_id, note, user_id, till, "
           f"created_at, idempotency_key) VALUES ({', '.join([p] * 11)})")
    values = (customer_id, kind.value, points, date.isoformat() if sqlite else date,
              expires_on.isoformat() if sqlite and expires_on else expires_on, sale_id, note, user, till,
              now.isoformat(" ") if sqlite else now, idempotency_key)
    if sqlite:
        entry_id = db.execute_sql(sql, values).lastrowid
    else:
        entry_id = db.execute_sql(sql + " RETURNING id", values).fetchone()[0]
    db.execute_sql(f"UPDATE customer SET points = points + {p} WHERE id = {p}", (signed(kind, points), customer_id))
    return PointsEntry(entry_id, customer_id, kind, points, date, expires_on, sale_id)


def campaigns_on(on: dt.date) -> list[Campaign]:
    """`active_campaigns` in plain SQL: campaigns not ended by hand whose dates include `on`."""
    db = CampaignRow._meta.database
    p = db.param
    day = on.isoformat() if is_sqlite(db) else on
    rows = db.execute_sql(f'SELECT name, start, "end", multiplier, groups, tiers FROM campaign '
                          f'WHERE active AND start <= {p} AND "end" >= {p}', (day, day)).fetchall()
    return [Campaign(name=name, start=_day(start), end=_day(end), multiplier=Fraction(multiplier),
                     groups=tuple(g for g in groups.split(",") if g),
                     tiers=tuple(Tier(t) for t in tiers.split(",") if t))
            for name, start, end, multiplier, groups, tiers in rows]


def move_entries(from_customer: int, to_customer: int) -> int:
    """Merge: the points history moves to the kept record (the caller moves the cached points too)."""
    return PointsRow.update(customer=to_customer).where(PointsRow.customer == from_customer).execute()


def sum_by_customer() -> dict[int, int]:
    """Σ signed entries per customer, straight from the entries (the check against the cache)."""
    total = fn.SUM(Case(None, [(PointsRow.kind.in_(_ADD_KINDS), PointsRow.points)], PointsRow.points * -1))
    rows = PointsRow.select(PointsRow.customer, total).group_by(PointsRow.customer).tuples()
    return {customer_id: int(s or 0) for customer_id, s in rows}


def all_entries() -> Iterator[tuple[int, list[PointsEntry]]]:
    """Every customer's ledger, one customer at a time, streamed in (customer, date, id) order. Plain
    SQL: building a million peewee rows costs several times the query."""
    db = PointsRow._meta.database
    yield from _grouped(db.execute_sql(f"{_SELECT} ORDER BY customer_id, date, id"))


_SELECT = "SELECT id, customer_id, kind, points, date, expires_on, sale_id FROM points_entry"


@functools.lru_cache(maxsize=4096)  # a ledger holds few distinct days: parse each once
def _iso_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _day(value) -> dt.date | None:
    # Plain SQL: SQLite hands back the ISO text peewee stored, PostgreSQL a date.
    return _iso_day(value) if isinstance(value, str) else value


def _grouped(rows) -> Iterator[tuple[int, list[PointsEntry]]]:
    """Rows of `_SELECT` in (customer, date, id) order, as one list of entries per customer."""
    current, batch = None, []
    known = {k.value: k for k in PointsKind}
    for eid, cid, kind, points, date, expires_on, sale_id in rows:
        if cid != current:
            if batch:
                yield current, batch
            current, batch = cid, []
        if kind not in known:  # a row no rule wrote; `kiosk check` reports it (bad_entries)
            continue
        batch.append(PointsEntry(eid, cid, known[kind], points, _day(date), _day(expires_on), sale_id))
    if batch:
        yield current, batch


def bad_entries() -> list[tuple[int, str]]:
    """Entries no rule could have written: unknown kinds, points not above zero."""
    known = [k.value for k in PointsKind]
    rows = (PointsRow.select(PointsRow.id, PointsRow.kind, PointsRow.points, PointsRow.expires_on)
            .where(PointsRow.kind.not_in(known) | (PointsRow.points <= 0)).tuples())
    problems = []
    for eid, kind, points, _expires in rows:
        if kind not in known:
            problems.append((eid, f"has unknown kind {kind!r}"))
        if points <= 0:
            problems.append((eid, f"has {points} points, not above zero"))
    return problems


def orphans() -> list[tuple[int, int]]:
    """(entry id, customer id) of entries whose customer is gone."""
    return list(PointsRow.select(PointsRow.id, PointsRow.customer_id)
                .where(PointsRow.customer_id.not_in(CustomerRow.select(CustomerRow.id))).tuples())


# --- Expiry ------------------------------------------------------------------------------------


def expiry_candidates(as_of: dt.date) -> list[int]:
    """Customers who may have points past their date on `as_of`, found without reading every ledger.

    Each expiry run, in one transaction, leaves every customer with nothing left of the lots that
    expired before its as-of day W (kept on its entries as `expires_on`), and its entries are the
    newest expire entries (id I). Entries written after it can put points back into such lots only by
    adding a lot that itself expired before W (a back-dated earn, a give-back of old points), so a lot
    can be due on `as_of` only if it expires in [W, as_of) or was written after I. Only customers with
    points left can owe an expiry. Two index range scans (expires_on, the primary key), not a scan of
    history.

    On PostgreSQL a give-back of already-expired points that commits while a run is under way, with an
    id below the run's, is missed by this filter; those points stay spendable until spent (never more
    than the customer had). SQLite runs never overlap a sale (BEGIN IMMEDIATE).
    """
    last = (PointsRow.select(PointsRow.id, PointsRow.date, PointsRow.expires_on)
            .where(PointsRow.kind == PointsKind.EXPIRE.value).order_by(PointsRow.id.desc()).first())
    lots = PointsRow.kind.in_(_ADD_KINDS) & PointsRow.expires_on.is_null(False) & (PointsRow.expires_on < as_of)
    if last is None:
        filters = [lots]
    else:
        watermark = last.expires_on or last.date  # an entry written by hand may lack the run's day
        filters = [lots & (PointsRow.expires_on >= watermark), lots & (PointsRow.id > last.id)]
    found: set[int] = set()
    for where in filters:  # two queries, not an OR, so each one reads its own index
        query = (PointsRow.select(PointsRow.customer_id).distinct()
                 .join(CustomerRow, on=(PointsRow.customer == CustomerRow.id))
                 .where(where & (CustomerRow.points > 0)).tuples())
        found.update(cid for (cid,) in query)
    return sorted(found)


def lock_customers(customer_ids: Sequence[int]) -> None:
    """Row locks on many customers, in id order so two runs cannot deadlock (PostgreSQL; SQLite holds
    the database write lock from BEGIN IMMEDIATE already)."""
    if is_sqlite(CustomerRow._meta.database):
        return
    for chunk in _chunks(sorted(customer_ids)):
        list(CustomerRow.select(CustomerRow.id).where(CustomerRow.id.in_(chunk))
             .order_by(CustomerRow.id).for_update().tuples())


def entries_of(customer_ids: Sequence[int]) -> Iterator[tuple[int, list[PointsEntry]]]:
    """The ledgers of the given customers, one customer at a time (plain SQL, as `all_entries`)."""
    db = PointsRow._meta.database
    for chunk in _chunks(sorted(customer_ids)):
        marks = ", ".join([db.param] * len(chunk))
        yield from _grouped(db.execute_sql(
            f"{_SELECT} WHERE customer_id IN ({marks}) ORDER BY customer_id, date, id", list(chunk)).fetchall())


def append_expiries(due: Sequence[tuple[int, int, dt.date]], as_of: dt.date, *, note: str, user: int | None,
                    till: str) -> int:
    """One expire entry per (customer, points, date) and the cached points moved, in bulk, in the
    caller's transaction; each entry keeps the run's `as_of` as its `expires_on` (the watermark
    `expiry_candidates` reads). Returns the number of entries written.

    Under peewee, straight to the driver (as `kiosk.store.bulk` does): `insert_many` builds its SQL
    value by value, which was most of a 90k-customer catch-up run.
    """
    if not due:
        return 0
    db = PointsRow._meta.database
    now = dt.datetime.now().replace(microsecond=0)
    kind = PointsKind.EXPIRE.value
    if is_sqlite(db):
        conn = db.connection()
        conn.executemany(
            "INSERT INTO points_entry (customer_id, kind, points, date, expires_on, note, user_id, till, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(cid, kind, pts, date.isoformat(), as_of.isoformat(), note, user, till, now.isoformat(" "))
             for cid, pts, date in due])
        conn.executemany("UPDATE customer SET points = points - ? WHERE id = ?", [(pts, cid) for cid, pts, _d in due])
        return len(due)
    ids, pts, dates = [d[0] for d in due], [d[1] for d in due], [d[2] for d in due]
    db.execute_sql(
        "INSERT INTO points_entry (customer_id, kind, points, date, expires_on, note, user_id, till, created_at) "
        "SELECT d.cid, %s, d.pts, d.day, %s, %s, %s, %s, %s "
        "FROM unnest(%s::bigint[], %s::bigint[], %s::date[]) WITH ORDINALITY AS d(cid, pts, day, n) ORDER BY d.n",
        (kind, as_of, note, user, till, now, ids, pts, dates))
    db.execute_sql(
        "UPDATE customer AS c SET points = c.points - d.pts "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS d(cid, pts) WHERE c.id = d.cid", (ids, pts))
    return len(due)


def _chunks(items: Sequence, size: int = 900) -> Iterator[Sequence]:
    # Under SQLite's default limit of host parameters per statement.
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- Campaigns ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    """A campaign as stored: the domain rule plus whether it has been ended and when it was made."""

    campaign: Campaign
    active: bool
    created_at: dt.datetime | None


def campaign_to_domain(row: CampaignRow) -> Campaign:
    return Campaign(
        name=row.name,
        start=row.start,
        end=row.end,
        multiplier=Fraction(row.multiplier),  # exact: the stored text is a decimal like "1.5"
        groups=tuple(g for g in row.groups.split(",") if g),
        tiers=tuple(Tier(t) for t in row.tiers.split(",") if t),
    )


def add_campaign(campaign: Campaign) -> None:
    CampaignRow.create(name=campaign.name, start=campaign.start, end=campaign.end,
                       multiplier=fraction_text(campaign.multiplier), groups=",".join(campaign.groups),
                       tiers=",".join(t.value for t in campaign.tiers))


def campaign_exists(name: str) -> bool:
    return CampaignRow.select().where(fn.LOWER(CampaignRow.name) == name.lower()).exists()


def get_campaign(name: str) -> CampaignRecord | None:
    row = CampaignRow.get_or_none(fn.LOWER(CampaignRow.name) == name.lower())
    return CampaignRecord(campaign_to_domain(row), row.active, row.created_at) if row else None


def campaigns() -> list[CampaignRecord]:
    rows = CampaignRow.select().order_by(CampaignRow.start, CampaignRow.name)
    return [CampaignRecord(campaign_to_domain(r), r.active, r.created_at) for r in rows]


def active_campaigns(on: dt.date) -> list[Campaign]:
    """Campaigns not ended by hand whose dates include `on`."""
    rows = CampaignRow.select().where(CampaignRow.active & (CampaignRow.start <= on) & (CampaignRow.end >= on))
    return [campaign_to_domain(r) for r in rows]


def end_campaign(name: str) -> None:
    CampaignRow.update(active=False).where(fn.LOWER(CampaignRow.name) == name.lower()).execute()


# --- Tiers -------------------------------------------------------------------------------------


def set_tier(customer_id: int, tier: Tier, pinned: bool) -> None:
    CustomerRow.update(tier=tier.value, tier_pinned=pinned).where(CustomerRow.id == customer_id).execute()


def tier_of(customer_id: int) -> tuple[Tier, bool]:
    row = CustomerRow.select(CustomerRow.tier, CustomerRow.tier_pinned).where(CustomerRow.id == customer_id).first()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    return Tier(row.tier), bool(row.tier_pinned)
