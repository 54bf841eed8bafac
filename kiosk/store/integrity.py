"""Queries that look for broken books: every one returns the rows that break a rule."""

from __future__ import annotations

from peewee import JOIN, Case, fn

from kiosk.domain.loyalty import NotEnoughPoints, open_lots
from kiosk.store import points
from kiosk.store.khata import sum_by_customer
from kiosk.store.models import AuditLog, Customer, CustomerGroup, KhataEntry
from kiosk.store.shop import AUDIT_GENESIS, audit_row_hash


def balance_mismatches() -> list[tuple[int, str, int, int]]:
    """(id, name, cached, from entries) where the cached balance drifted from its ledger."""
    sums = sum_by_customer()
    rows = Customer.select(Customer.id, Customer.name, Customer.balance).tuples()
    return [(cid, name, cached, sums.get(cid, 0)) for cid, name, cached in rows if cached != sums.get(cid, 0)]


def bad_reversals() -> list[tuple[int, str]]:
    """Reversals with no target, of another reversal, of another customer's entry, or of another amount."""
    target = KhataEntry.alias("target")
    rows = (
        KhataEntry.select(KhataEntry.id, KhataEntry.customer_id, KhataEntry.amount, KhataEntry.reverses_id,
                          target.id, target.kind, target.customer_id, target.amount)
        .join(target, join_type=JOIN.LEFT_OUTER, on=(KhataEntry.reverses == target.id))
        .where((KhataEntry.kind == "reversal") | KhataEntry.reverses.is_null(False))
        .tuples()
    )
    problems = []
    for eid, cust, amount, reverses_id, tid, tkind, tcust, tamount in rows:
        if reverses_id is None:
            problems.append((eid, "is a reversal that points at no entry"))
        elif tid is None:
            problems.append((eid, f"reverses entry {reverses_id}, which does not exist"))
        elif tkind == "reversal":
            problems.append((eid, f"reverses entry {tid}, which is itself a reversal"))
        elif tcust != cust:
            problems.append((eid, f"reverses entry {tid} of customer {tcust}, not its own customer {cust}"))
        elif tamount != amount:
            problems.append((eid, f"reverses {tamount} with {amount}"))
    return problems


def bad_entries() -> list[tuple[int, str]]:
    problems = []
    for eid, kind, amount, method, source, reverses_id in KhataEntry.select(
        KhataEntry.id, KhataEntry.kind, KhataEntry.amount, KhataEntry.method, KhataEntry.source,
        KhataEntry.reverses_id,
    ).where(
        (KhataEntry.amount <= 0)
        | KhataEntry.kind.not_in(["debit", "credit", "reversal"])
        | ((KhataEntry.kind == "credit") & KhataEntry.method.is_null() & KhataEntry.source.is_null())
        | ((KhataEntry.kind == "debit") & KhataEntry.source.is_null())
        | ((KhataEntry.kind != "reversal") & KhataEntry.reverses.is_null(False))
    ).tuples():
        if amount <= 0:
            problems.append((eid, f"has amount {amount}, not above zero"))
        if kind not in ("debit", "credit", "reversal"):
            problems.append((eid, f"has unknown kind {kind!r}"))
        if kind == "credit" and method is None and source is None:
            problems.append((eid, "is a credit with neither a payment method nor a source (refund, store-credit)"))
        if kind == "debit" and source is None:
            problems.append((eid, "is a debit with no source (sale or gave)"))
        if kind != "reversal" and reverses_id is not None:
            problems.append((eid, f"is a {kind} but points at entry {reverses_id} as if it reversed it"))
    return problems


def orphans() -> list[str]:
    """Rows pointing at rows that are gone (possible when foreign keys were off during a repair)."""
    problems = []
    lost_entries = (KhataEntry.select(KhataEntry.id, KhataEntry.customer_id)
                    .where(KhataEntry.customer_id.not_in(Customer.select(Customer.id))).tuples())
    problems += [f"khata entry {eid} belongs to customer {cid}, which does not exist" for eid, cid in lost_entries]
    lost_groups = (Customer.select(Customer.id, Customer.group_id)
                   .where(Customer.group_id.not_in(CustomerGroup.select(CustomerGroup.id))).tuples())
    problems += [f"customer {cid} is in group {gid}, which does not exist" for cid, gid in lost_groups]
    lost_merges = (Customer.select(Customer.id, Customer.merged_into_id)
                   .where(Customer.merged_into_id.is_null(False)
                          & Customer.merged_into_id.not_in(Customer.select(Customer.id))).tuples())
    problems += [f"customer {cid} was merged into {mid}, which does not exist" for cid, mid in lost_merges]
    return problems


def points_problems() -> list[str]:
    """The points ledger: cached points = Σ entries per customer; replaying each ledger nearest-expiry
    first never spends points that are not there; entries have a known kind and points above zero and
    a customer that exists."""
    sums = points.sum_by_customer()
    rows = Customer.select(Customer.id, Customer.name, Customer.points).tuples()
    problems = [f"customer {cid} ({name}): cached points {cached} but points entries sum to {sums.get(cid, 0)}"
                for cid, name, cached in rows if cached != sums.get(cid, 0)]
    for customer_id, entries in points.all_entries():
        try:
            open_lots(entries)
        except NotEnoughPoints as exc:
            problems.append(f"customer {customer_id}: the points ledger goes below zero when replayed ({exc})")
    problems += [f"points entry {eid} {why}" for eid, why in points.bad_entries()]
    problems += [f"points entry {eid} belongs to customer {cid}, which does not exist" for eid, cid in points.orphans()]
    return problems


def sale_problems() -> list[str]:
    """Sales: tenders add up to what was paid; change only from cash; refunds never take back more than
    a line sold; the sale's `refunded` and `fully_refunded` agree with its refund lines."""
    from kiosk.store.models import RefundLine, Sale, SaleLine, SaleTender

    problems = []
    tendered = (SaleTender.select(SaleTender.sale, fn.SUM(SaleTender.amount).alias("total"),
                                  fn.SUM(Case(None, [(SaleTender.method == "cash", 1)], 0)).alias("cash"))
                .group_by(SaleTender.sale).alias("t"))
    rows = (Sale.select(Sale.id, Sale.paid, Sale.change, tendered.c.total, tendered.c.cash)
            .join(tendered, JOIN.LEFT_OUTER, on=(Sale.id == tendered.c.sale_id)).tuples())
    for sale_id, paid, change, total, cash in rows:
        if int(total or 0) != paid:
            problems.append(f"sale {sale_id}: tenders add up to {int(total or 0)}, not the {paid} paid")
        if change and not cash:
            problems.append(f"sale {sale_id}: gives change {change} without a cash tender")
    taken = (RefundLine.select(RefundLine.sale_line, fn.SUM(RefundLine.quantity_milli).alias("qty"),
                               fn.SUM(RefundLine.net).alias("net")).group_by(RefundLine.sale_line).alias("r"))
    lines = (SaleLine.select(SaleLine.sale, SaleLine.n, SaleLine.quantity_milli, SaleLine.net, taken.c.qty, taken.c.net)
             .join(taken, JOIN.LEFT_OUTER, on=(SaleLine.id == taken.c.sale_line_id)).tuples())
    by_sale: dict[str, list[tuple[int, int, int, int]]] = {}
    for sale_id, n, qty, net, back_qty, back_net in lines:
        back_qty, back_net = int(back_qty or 0), int(back_net or 0)
        if back_qty > qty or back_net > net:
            problems.append(f"sale {sale_id} line {n}: refunds took back more than it sold")
        by_sale.setdefault(sale_id, []).append((qty, back_qty, back_net, n))
    for sale_id, refunded, fully in Sale.select(Sale.id, Sale.refunded, Sale.fully_refunded).tuples():
        parts = by_sale.get(sale_id, [])
        if refunded != sum(p[2] for p in parts):
            problems.append(f"sale {sale_id}: refunded {refunded} but its refund lines add up to "
                            f"{sum(p[2] for p in parts)}")
        if bool(fully) != (bool(parts) and all(p[0] == p[1] for p in parts)):
            problems.append(f"sale {sale_id}: marked {'fully' if fully else 'not fully'} refunded, "
                            f"its refund lines say otherwise")
    return problems


def audit_chain_breaks(*, chunk: int = 5_000) -> tuple[list[tuple[int, str]], int]:
    """Walk the audit log's hash chain in id order -> (the first few breaks as (row id, why), how many).

    A row breaks the chain when its `hash` is not the hash of its content (the row was changed, or
    written without the chain), or when its `prev_hash` is not the stored `hash` of the row before it
    (a row was deleted or inserted before it). Each row is compared with its neighbour as stored, so
    one changed row is one break, not every row after it. Streams: rows are read by id in chunks
    (keyset pagination, the primary-key index), never all at once."""
    db = AuditLog._meta.database
    select = ("SELECT id, at, user_id, role, till, action, record, detail, prev_hash, hash FROM audit_log "
              f"WHERE id > {db.param} ORDER BY id LIMIT {int(chunk)}")
    shown: list[tuple[int, str]] = []
    count = 0
    after, before_id, before_hash = 0, None, AUDIT_GENESIS
    while True:
        rows = db.execute_sql(select, (after,)).fetchall()
        if not rows:
            break
        for row_id, at, user_id, role, till, action, record, detail, prev_hash, stored in rows:
            whys = []
            if stored is None:
                whys.append("has no hash: it was written outside the chain")
            elif audit_row_hash(row_id, at, user_id, role, till, action, record, detail, prev_hash) != stored:
                whys.append("does not match its hash: its content was changed")
            if prev_hash != before_hash:
                whys.append(f"does not follow row {before_id}: a row was deleted or inserted between them, "
                            f"or row {before_id} was rewritten" if before_id is not None
                            else "is not the start of the chain: rows before it were deleted")
            if whys:
                count += 1
                if len(shown) < 5:
                    shown.append((row_id, "; ".join(whys)))
            before_id, before_hash = row_id, stored
        after = rows[-1][0]
    return shown, count


def audit_chain_problems() -> list[str]:
    """`kiosk check`'s lines for the audit log's hash chain: the first broken row by id, and more."""
    shown, count = audit_chain_breaks()
    lines = [f"audit log row {row_id} {why}" for row_id, why in shown]
    if count > len(shown):
        lines.append(f"audit log: {count - len(shown)} more broken row(s) after row {shown[-1][0]}")
    return lines
