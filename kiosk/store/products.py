"""Product rows in and out of the database, always as domain objects; lookup by code, and search."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import peewee
from peewee import chunked

from kiosk.domain.errors import NotFound
from kiosk.domain.products import (
    Product,
    ProductData,
    Unit,
    barcode_forms,
    search_query,
    search_text,
    sku_key,
)
from kiosk.store import bulk, textsearch
from kiosk.store.models import CustomerGroup, ProductGroupPrice
from kiosk.store.models import Product as ProductRow

#: Below this many characters a trigram index cannot help; search is by name and SKU search.
MIN_TRIGRAM = 3
#: Values per `IN (…)` (SQLite before 3.32 takes 999 parameters).
LOOKUP_CHUNK = 900
#: Rows per multi-row INSERT.
INSERT_CHUNK = 500

_COLUMNS = "id, sku, barcode, name, price, unit, active, created_at"


def _db():
    return ProductRow._meta.database


def _columns(data: ProductData) -> dict:
    return {
        "sku": data.sku,
        "sku_key": sku_key(data.sku),
        "barcode": data.barcode,
        "name": data.name,
        "name_key": data.name.casefold(),
        "price": data.price,
        "unit": data.unit.value,
        "active": data.active,
        "search_text": search_text(data),
    }


def group_ids() -> dict[str, int]:
    return {name: gid for gid, name in CustomerGroup.select(CustomerGroup.id, CustomerGroup.name).tuples()}


# --- Reading -------------------------------------------------------------------------------------
# Plain SQL, as for customer search: lookups run on every scan and search on every keystroke, and
# building peewee models costs more than the queries.


def _load(ids: Sequence[int]) -> list[Product]:
    """Products by id with their group prices, in the order given (ids that do not exist are left out)."""
    if not ids:
        return []
    db = _db()
    rows: dict[int, tuple] = {}
    prices: dict[int, list[tuple[str, int]]] = {}
    for batch in chunked(list(ids), LOOKUP_CHUNK):
        marks = ", ".join([db.param] * len(batch))
        for r in db.execute_sql(f"SELECT {_COLUMNS} FROM product WHERE id IN ({marks})", batch):
            rows[r[0]] = r
        sql = (f"SELECT gp.product_id, g.name, gp.price FROM product_group_price gp "
               f"JOIN customer_group g ON g.id = gp.group_id WHERE gp.product_id IN ({marks}) "
               f"ORDER BY g.builtin DESC, g.id")
        for pid, group, price in db.execute_sql(sql, batch):
            prices.setdefault(pid, []).append((group, price))
    created = ProductRow.created_at
    return [
        Product(id=r[0], sku=r[1], barcode=r[2], name=r[3], price=r[4], unit=Unit(r[5]), active=bool(r[6]),
                created_at=created.python_value(r[7]), group_prices=tuple(prices.get(r[0], ())))
        for r in (rows[pid] for pid in ids if pid in rows)
    ]


def _one(sql: str, params: Sequence) -> Product | None:
    row = _db().execute_sql(sql, params).fetchone()
    return _load([row[0]])[0] if row else None


def get(product_id: int) -> Product:
    found = _load([product_id])
    if not found:
        raise NotFound(f"product {product_id} does not exist")
    return found[0]


def by_sku(sku: str) -> Product | None:
    """The product with this SKU in any case."""
    return _one(f"SELECT id FROM product WHERE sku_key = {_db().param}", (sku_key(sku.strip()),))


def by_barcode(code: str) -> Product | None:
    """The product with this barcode, a UPC-A found by its EAN-13 form and the other way round."""
    code = "".join(code.split())
    if not code.isdigit():
        return None
    forms = barcode_forms(code)
    db = _db()
    return _one(f"SELECT id FROM product WHERE barcode IN ({', '.join([db.param] * len(forms))})", forms)


def lookup(code: str) -> Product | None:
    """What a scanner or a cashier typed: a barcode first (that is what scanners send), else a SKU.
    Inactive products are found too; selling them is for the caller to refuse."""
    code = (code or "").strip()
    if not code:
        return None
    return by_barcode(code) or by_sku(code)


def price_for(product_id: int, group: str | None) -> int:
    """What a customer of `group` (the shop's spelling) pays per unit in minor units: the group's
    price, else the unit price."""
    db = _db()
    p = db.param
    sql = (f"SELECT COALESCE((SELECT gp.price FROM product_group_price gp JOIN customer_group g ON g.id = gp.group_id "
           f"WHERE gp.product_id = pr.id AND g.name = {p}), pr.price) FROM product pr WHERE pr.id = {p}")
    row = db.execute_sql(sql, (group or "", product_id)).fetchone()
    if row is None:
        raise NotFound(f"product {product_id} does not exist")
    return int(row[0])


@dataclass(frozen=True, slots=True)
class PricedProduct:
    """What a sale needs of a product: the price is what the customer's group pays per unit."""

    id: int
    sku: str
    name: str
    unit: Unit
    active: bool
    price: int


def lookup_priced(codes: Sequence[str], group: str | None) -> list[PricedProduct | None]:
    """For each code, the product `lookup` finds for it (a barcode first, else a SKU; active or not)
    with the price `price_for` gives for `group`, or None where no product has it: one query for a
    whole basket (per LOOKUP_CHUNK codes), not three per line."""
    wanted: list[tuple[tuple[str, ...], str | None]] = []  # per code: barcode forms, sku key
    for code in codes:
        code = (code or "").strip()
        digits = "".join(code.split())
        wanted.append((barcode_forms(digits) if digits.isdigit() else (), sku_key(code) if code else None))
    by_barcode: dict[str, PricedProduct] = {}
    by_key: dict[str, PricedProduct] = {}
    db = _db()
    step = LOOKUP_CHUNK // 4  # at most 3 values a code
    for start in range(0, len(wanted), step):  # slices, not peewee's chunked: it pads every chunk
        batch = wanted[start:start + step]
        barcodes = list(dict.fromkeys(form for forms, _key in batch for form in forms))
        keys = list(dict.fromkeys(key for _forms, key in batch if key is not None))
        if not barcodes and not keys:
            continue
        sql = _priced_sql(db.param, len(barcodes), len(keys))
        for pid, sku, name, unit, active, each, barcode, key in db.execute_sql(sql, [group or "", *barcodes, *keys]):
            found = PricedProduct(pid, sku, name, Unit(unit), bool(active), int(each))
            if barcode is not None:
                by_barcode[barcode] = found
            by_key[key] = found
    out: list[PricedProduct | None] = []
    for forms, key in wanted:
        hit = next((by_barcode[form] for form in forms if form in by_barcode), None)
        out.append(hit or (by_key.get(key) if key is not None else None))
    return out


@functools.lru_cache(maxsize=64)
def _priced_sql(p: str, barcodes: int, keys: int) -> str:
    """`lookup_priced`'s query for so many barcodes and SKU keys (the group's name is the first value)."""
    where = []
    if barcodes:
        where.append(f"pr.barcode IN ({', '.join([p] * barcodes)})")
    if keys:
        where.append(f"pr.sku_key IN ({', '.join([p] * keys)})")
    return (f"SELECT pr.id, pr.sku, pr.name, pr.unit, pr.active, "
            f"COALESCE((SELECT gp.price FROM product_group_price gp JOIN customer_group g ON g.id = gp.group_id "
            f"WHERE gp.product_id = pr.id AND g.name = {p}), pr.price), pr.barcode, pr.sku_key "
            f"FROM product pr WHERE {' OR '.join(where)}")


def search(text: str, *, limit: int = 20, include_inactive: bool = False) -> list[Product]:
    """Find products by any part of name, SKU or barcode, in any script, case-insensitively.

    Names that start with the query come first in name order, then SKUs that start with it in SKU
    order (both straight off their indexes); then, for 3 characters or more, other matches from the
    trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL) in the order products were added. Each part
    stops at `limit` rows, as customer search does.
    """
    db = _db()
    p = db.param
    query = search_query(text)
    live = "" if include_inactive else " AND active"
    by_name = f"ORDER BY {textsearch.sort_key(db, 'name_key')}, id LIMIT {p}"
    if not query:
        sql = f"SELECT id FROM product WHERE 1 = 1{live} {by_name}"
        return _load([r[0] for r in db.execute_sql(sql, (limit,))])
    sql = f"SELECT id FROM product WHERE {textsearch.starts_with(db, 'name_key')}{live} {by_name}"
    ids = [r[0] for r in db.execute_sql(sql, (*textsearch.bounds(query), limit))]
    if len(ids) < limit and query.isascii():
        sql = (f"SELECT id FROM product WHERE {textsearch.starts_with(db, 'sku_key')}{live} "
               f"ORDER BY {textsearch.sort_key(db, 'sku_key')} LIMIT {p}")
        skus = [r[0] for r in db.execute_sql(sql, (*textsearch.bounds(query), limit))]
        ids = textsearch.fill(ids, skus, limit)
    if len(query) >= MIN_TRIGRAM and len(ids) < limit:
        # Every prefix match is also a substring match, and there are fewer than `limit` of them: the
        # first `limit` substring matches less those already found leave enough to fill the page.
        ids = textsearch.fill(ids, textsearch.substring_matches(db, "product", query, limit, live), limit)
    return _load(ids)


# --- Writing one product -------------------------------------------------------------------------


def insert(data: ProductData) -> int:
    product_id = ProductRow.insert(**_columns(data)).execute()
    _insert_group_prices([(product_id, group, price) for group, price in data.group_prices])
    return product_id


def update(product_id: int, data: ProductData) -> None:
    """Write every field, group prices included (those not in `data` are removed)."""
    ProductRow.update(**_columns(data)).where(ProductRow.id == product_id).execute()
    ProductGroupPrice.delete().where(ProductGroupPrice.product == product_id).execute()
    _insert_group_prices([(product_id, group, price) for group, price in data.group_prices])


def set_active(product_id: int, active: bool) -> None:
    ProductRow.update(active=active).where(ProductRow.id == product_id).execute()


def _insert_group_prices(rows: Iterable[tuple[int, str, int]]) -> None:
    ids: dict[str, int] = {}
    values = []
    for product_id, group, price in rows:
        ids = ids or group_ids()
        values.append((product_id, ids[group], price))
    _insert_rows("product_group_price", ("product_id", "group_id", "price"), values)


def _insert_rows(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Multi-row INSERTs in plain SQL through peewee's execute_sql (so its error types). Not peewee's
    insert_many, which builds the SQL value by value (a third of a 5,000-line import), nor executemany,
    which on SQLite makes the FTS5 trigger write an index segment per row."""
    db = _db()
    one = "(" + ", ".join([db.param] * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for batch in chunked(rows, INSERT_CHUNK):
        db.execute_sql(head + ", ".join([one] * len(batch)), [value for row in batch for value in row])


# --- Many at once (the price-list import) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BarcodeOwner:
    id: int
    sku: str
    name: str
    barcode: str


def by_sku_keys(keys: Iterable[str]) -> dict[str, Product]:
    """sku_key -> product, for those of `keys` already in the shop."""
    db = _db()
    ids: list[int] = []
    for batch in chunked(sorted(set(keys)), LOOKUP_CHUNK):
        marks = ", ".join([db.param] * len(batch))
        ids += [r[0] for r in db.execute_sql(f"SELECT id FROM product WHERE sku_key IN ({marks})", batch)]
    return {sku_key(p.sku): p for p in _load(sorted(ids))}


def barcode_owners(codes: Iterable[str]) -> dict[str, BarcodeOwner]:
    """barcode -> the product that has it, for those of `codes` already in the shop."""
    db = _db()
    found: dict[str, BarcodeOwner] = {}
    for batch in chunked(sorted(set(codes)), LOOKUP_CHUNK):
        marks = ", ".join([db.param] * len(batch))
        sql = f"SELECT id, sku, name, barcode FROM product WHERE barcode IN ({marks})"
        for pid, sku, name, barcode in db.execute_sql(sql, batch):
            found[barcode] = BarcodeOwner(pid, sku, name, barcode)
    return found


def insert_many(products: Sequence[ProductData]) -> list[int]:
    """Insert checked products in the caller's transaction, many rows per statement; their ids in order."""
    if not products:
        return []
    first = bulk.reserve_ids(ProductRow, len(products))
    ids = list(range(first, first + len(products)))
    now = ProductRow.created_at.db_value(ProductRow.created_at.default())
    rows = [(pid, *_columns(data).values(), now) for pid, data in zip(ids, products, strict=True)]
    _insert_rows("product", ("id", *_columns(products[0]), "created_at"), rows)
    _insert_group_prices([(pid, g, price) for pid, data in zip(ids, products, strict=True)
                          for g, price in data.group_prices])
    return ids


def update_many(changes: Sequence[tuple[int, ProductData]]) -> None:
    """Rewrite checked products (id, new data) in the caller's transaction, group prices included.

    Barcodes may move between the products being written (a price list that swaps two): they are
    first cleared on every product written, so no intermediate state holds one code twice.
    """
    if not changes:
        return
    db = _db()
    p = db.param
    ids = [pid for pid, _data in changes]
    with peewee.__exception_wrapper__:  # driver errors as peewee's, as its execute_sql reports them
        cursor = db.cursor()
        for batch in chunked(ids, LOOKUP_CHUNK):
            marks = ", ".join([p] * len(batch))
            cursor.execute(f"UPDATE product SET barcode = NULL WHERE id IN ({marks}) AND barcode IS NOT NULL", batch)
            cursor.execute(f"DELETE FROM product_group_price WHERE product_id IN ({marks})", batch)
        sql = f"UPDATE product SET {', '.join(f'{n} = {p}' for n in _columns(changes[0][1]))} WHERE id = {p}"
        # executemany: one prepared statement; psycopg pipelines it, so PostgreSQL needs no round
        # trip per row.
        cursor.executemany(sql, [(*_columns(data).values(), pid) for pid, data in changes])
    _insert_group_prices([(pid, g, price) for pid, data in changes for g, price in data.group_prices])
