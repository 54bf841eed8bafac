"""The audit log's hash chain, on SQLite and PostgreSQL: what the services write chains, `kiosk check`
finds a changed, deleted or inserted row by id, tills writing at once keep one chain, and migration
0010 chains the rows an old shop already has."""

from __future__ import annotations

import multiprocessing

import pytest

from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import customers, khata, loyalty, parking, products, refunds, sales
from kiosk.services.check import check
from kiosk.services.sales import ItemRequest
from kiosk.services.shop import add_user
from kiosk.store import db as store_db
from kiosk.store import integrity
from kiosk.store.db import write_transaction
from kiosk.store.models import AuditLog
from kiosk.store.shop import AUDIT_GENESIS, audit, audit_row_hash

T = TenderRequest


def _rows():
    return list(AuditLog.select().order_by(AuditLog.id))


def _hash_of(row: AuditLog, prev_hash: str) -> str:
    return audit_row_hash(row.id, row.at, row.user_id, row.role, row.till, row.action, row.record, row.detail,
                          prev_hash)


def _busy_day(ctx) -> None:
    """A bit of everything that writes audit rows: catalogue, customers, khata, sales, a refund,
    points, parking."""
    products.add(ctx, sku="ATTA", name="Atta 20kg", price=2_400_00)
    products.add(ctx, sku="GHEE", name="Ghee 1kg", price=650_00)
    amina = customers.add(ctx, name="Amina", phone="0300 1234567")
    bilal = customers.add(ctx, name="Bilal", phone="0301 7654321")
    khata.give(ctx, amina.id, 1_000_00)
    paid = khata.receive(ctx, amina.id, 400_00, method="cash")
    khata.reverse(ctx, paid.id, reason="typed the wrong amount")
    loyalty.adjust(ctx, bilal.id, 300, "welcome")
    sales.sell(ctx, sale_id="s1", customer_id=amina.id, items=[ItemRequest("ATTA")],
               tenders=[T(Method.CASH, 1_000_00), T(Method.KHATA)])
    sales.sell(ctx, sale_id="s2", items=[ItemRequest("GHEE", "2")], tenders=[T(Method.CASH)])
    refunds.refund(ctx, refund_id="r1", sale_id="s2", to="cash")
    parking.park(ctx, "p1", parking.basket(items=[ItemRequest("GHEE")]))
    parking.recall(ctx, "p1")
    add_user(ctx, "Kashif", "cashier", "5678")


def test_what_the_services_write_is_one_valid_chain_with_roles(shop):
    _busy_day(shop)
    rows = _rows()
    assert len(rows) >= 15
    actions = {r.action for r in rows}
    assert {"shop.init", "product.add", "customer.add", "khata.debit", "sale", "refund", "user.add"} <= actions
    prev = AUDIT_GENESIS
    for row in rows:
        assert row.prev_hash == prev and row.hash == _hash_of(row, prev), row.id
        prev = row.hash
    assert {r.role for r in rows} == {"owner"}  # the first owner acts for the command line
    assert integrity.audit_chain_breaks() == ([], 0)
    assert check(shop) == []


def test_a_changed_row_is_reported_by_id(shop):
    _busy_day(shop)
    victim = _rows()[5]
    AuditLog.update(detail='{"amount": 1}').where(AuditLog.id == victim.id).execute()
    assert check(shop) == [f"audit log row {victim.id} does not match its hash: its content was changed"]


def test_a_changed_role_or_time_is_reported_too(shop):
    _busy_day(shop)
    one, two = _rows()[3:5]
    AuditLog.update(role="cashier").where(AuditLog.id == one.id).execute()
    AuditLog.update(at=two.at.replace(year=two.at.year - 1)).where(AuditLog.id == two.id).execute()
    assert [line.split(" does ")[0] for line in check(shop)] == [f"audit log row {one.id}", f"audit log row {two.id}"]


def test_a_row_rewritten_with_a_fresh_hash_is_caught_by_the_row_after_it(shop):
    _busy_day(shop)
    rows = _rows()
    victim, after = rows[6], rows[7]
    victim.detail = '{"amount": 1}'
    AuditLog.update(detail=victim.detail, hash=_hash_of(victim, victim.prev_hash)).where(
        AuditLog.id == victim.id).execute()
    assert check(shop) == [f"audit log row {after.id} does not follow row {victim.id}: "
                           f"a row was deleted or inserted between them, or row {victim.id} was rewritten"]


def test_a_deleted_row_is_reported_at_the_row_after_it(shop):
    _busy_day(shop)
    rows = _rows()
    AuditLog.delete().where(AuditLog.id == rows[6].id).execute()
    assert check(shop) == [f"audit log row {rows[7].id} does not follow row {rows[5].id}: "
                           f"a row was deleted or inserted between them, or row {rows[5].id} was rewritten"]


def test_deleting_the_first_row_is_reported(shop):
    _busy_day(shop)
    rows = _rows()
    AuditLog.delete().where(AuditLog.id == rows[0].id).execute()
    assert check(shop) == [f"audit log row {rows[1].id} is not the start of the chain: rows before it were deleted"]


def test_a_forged_row_chained_onto_its_predecessor_breaks_the_row_after_it(shop):
    """Someone replaces a row with one of their own and computes its hash properly: the forged row
    itself checks out, but the next row was chained onto the original."""
    _busy_day(shop)
    rows = _rows()
    before, victim, after = rows[6:9]
    AuditLog.delete().where(AuditLog.id == victim.id).execute()
    forged = dict(id=victim.id, at=victim.at, user=None, role="owner", till="till-9", action="khata.credit",
                  record="khata:99", detail='{"amount": 100000}', prev_hash=before.hash)
    forged["hash"] = audit_row_hash(victim.id, victim.at, None, "owner", "till-9", "khata.credit", "khata:99",
                                    '{"amount": 100000}', before.hash)
    AuditLog.insert(**forged).execute()
    assert check(shop) == [f"audit log row {after.id} does not follow row {victim.id}: "
                           f"a row was deleted or inserted between them, or row {victim.id} was rewritten"]


def test_a_row_inserted_outside_the_chain_is_reported(shop):
    _busy_day(shop)
    AuditLog.insert(action="khata.credit", record="khata:99", till="till-9").execute()
    last = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert check(shop) == [f"audit log row {last.id} has no hash: it was written outside the chain; "
                           f"does not follow row {last.id - 1}: a row was deleted or inserted between them, "
                           f"or row {last.id - 1} was rewritten"]
    # the next row written chains on as usual: the break stays where it was
    customers.add(shop, name="After")
    assert len(check(shop)) == 1


def test_many_broken_rows_are_summed_up_after_the_first_few(shop):
    _busy_day(shop)
    AuditLog.update(till="elsewhere").execute()
    rows = _rows()
    problems = check(shop)
    assert problems[0] == f"audit log row {rows[0].id} does not match its hash: its content was changed"
    assert len(problems) == 6 and problems[-1] == (f"audit log: {len(rows) - 5} more broken row(s) "
                                                   f"after row {rows[4].id}")


def test_the_walk_is_chunked_by_id(shop):
    """A small chunk gives the same answer as one read: the chain carries across chunk edges."""
    _busy_day(shop)
    rows = _rows()
    assert integrity.audit_chain_breaks(chunk=2) == ([], 0)
    AuditLog.delete().where(AuditLog.id == rows[4].id).execute()  # at a chunk edge
    assert integrity.audit_chain_breaks(chunk=2) == integrity.audit_chain_breaks() != ([], 0)


def test_audit_outside_a_transaction_opens_its_own(shop):
    audit("test.alone", "x", user=None, till="t")
    row = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (row.action, row.user_id, row.role) == ("test.alone", None, None)
    assert integrity.audit_chain_breaks() == ([], 0)


def test_a_rolled_back_action_leaves_no_row_and_no_break(shop):
    with pytest.raises(RuntimeError), write_transaction(shop.db):
        audit("test.doomed", "x", user=shop.user, till="t")
        raise RuntimeError("the action failed after its audit row")
    audit("test.after", "y", user=shop.user, till="t")
    assert "test.doomed" not in {r.action for r in _rows()}
    assert integrity.audit_chain_breaks() == ([], 0)


# --- Tills writing at once ------------------------------------------------------------------------

WRITERS = 4
ROUNDS = 15
PER_ROUND = 3


def _writer(url: str, till: str, barrier, done) -> None:
    """One till in its own process: rounds of audit rows, each round started with the others; puts
    (till, rows written or the error) on `done`."""
    try:
        from kiosk.services.context import open_shop

        ctx = open_shop(url)
        ctx.till = till
        try:
            for n in range(ROUNDS):
                barrier.wait(60)
                for k in range(PER_ROUND):
                    with write_transaction(ctx.db):
                        audit("test.race", f"{till}:{n}:{k}", user=ctx.user, till=ctx.till, n=n, k=k)
        finally:
            ctx.close()
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        barrier.abort()
        done.put((till, f"{type(exc).__name__}: {exc}"))
    else:
        done.put((till, ROUNDS * PER_ROUND))


def test_tills_writing_at_once_keep_one_chain(shop, db_url):
    """Four processes, each its own connection, racing round by round. Without BEGIN IMMEDIATE (SQLite)
    the losers fail with "database is locked"; without the advisory lock (PostgreSQL) two rows chain
    onto the same predecessor and check reports the fork."""
    before = AuditLog.select().count()
    mp = multiprocessing.get_context("spawn")
    barrier, done = mp.Barrier(WRITERS), mp.Queue()
    tills = [mp.Process(target=_writer, args=(db_url, f"till-{t}", barrier, done)) for t in range(WRITERS)]
    for p in tills:
        p.start()
    try:
        outcomes = dict(done.get(timeout=180) for _ in tills)
    finally:
        for p in tills:
            p.join(10)
            if p.is_alive():
                p.terminate()
    assert outcomes == {f"till-{t}": ROUNDS * PER_ROUND for t in range(WRITERS)}
    rows = _rows()
    assert len(rows) == before + WRITERS * ROUNDS * PER_ROUND
    assert len({r.prev_hash for r in rows}) == len(rows)  # no two rows chained onto the same one
    assert check(shop) == []


# --- Migration 0010 -------------------------------------------------------------------------------


def _columns(db) -> set[str]:
    return {c.name for c in db.get_columns("audit_log")}


def test_migration_0010_chains_the_rows_an_old_shop_has_and_goes_down(shop):
    db = shop.db
    _busy_day(shop)
    count = AuditLog.select().count()
    names = [name for name, _applied in store_db.migration_status(db)]
    assert "0010_audit_chain" in names
    store_db.rollback(db, "0010_audit_chain")  # as the shop was before: no role, no chain
    assert not {"role", "prev_hash", "hash"} & _columns(db)
    at = "2026-01-02 03:04:05"
    for n in range(3):  # rows written by the old code: one by nobody, a detail in Urdu
        db.execute_sql(f"INSERT INTO audit_log (at, user_id, till, action, record, detail) "
                       f"VALUES ({db.param}, {db.param}, {db.param}, {db.param}, {db.param}, {db.param})",
                       (at, None if n == 0 else shop.user.id, "till-1", "old.action", f"old:{n}",
                        '{"name": "\u0627\u0645\u06cc\u0646\u06c1"}'))
    applied, _backup = store_db.migrate(db, backup=False)
    assert "0010_audit_chain" in applied
    assert {"role", "prev_hash", "hash"} <= _columns(db)
    rows = _rows()
    assert len(rows) == count + 3
    assert {r.role for r in rows} == {None}  # the role they acted in is not known
    assert integrity.audit_chain_breaks() == ([], 0) and check(shop) == []
    customers.add(shop, name="After The Migration")  # new rows chain onto the migrated ones
    assert check(shop) == [] and _rows()[-1].role == "owner"
    AuditLog.update(detail="").where(AuditLog.action == "old.action").execute()
    assert check(shop)[0].startswith(f"audit log row {rows[-3].id} does not match its hash")
    assert store_db.rollback(db, "0010_audit_chain")[-1] == "0010_audit_chain"
    assert not {"role", "prev_hash", "hash"} & _columns(db)
    assert db.execute_sql("SELECT count(*) FROM audit_log").fetchone()[0] == count + 4
    store_db.migrate(db, backup=False)


def test_migration_0010_chains_rows_across_its_chunks(shop, monkeypatch):
    """More rows than one chunk of the migration's walk: the chain carries over the chunk edges."""
    import importlib.util

    from kiosk.paths import migrations_dir

    db = shop.db
    store_db.rollback(db, "0010_audit_chain")
    db.execute_sql(f"INSERT INTO audit_log (at, till, action, record, detail) "
                   f"VALUES ({db.param}, '', 'bulk', 'r', '')", ("2026-01-02 03:04:05",))
    for _ in range(4):  # 2, 4, 8, 16 rows
        db.execute_sql("INSERT INTO audit_log (at, till, action, record, detail) "
                       "SELECT at, till, action, record, detail FROM audit_log")
    spec = importlib.util.spec_from_file_location("m0010", migrations_dir() / "0010_audit_chain.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "CHUNK", 3)
    from playhouse.migrate import SchemaMigrator

    with db.atomic():
        module.up(SchemaMigrator.from_database(db), db)
    assert integrity.audit_chain_breaks() == ([], 0)
    with db.atomic():
        module.down(SchemaMigrator.from_database(db), db)
    store_db.migrate(db, backup=False)
    assert integrity.audit_chain_breaks() == ([], 0)
