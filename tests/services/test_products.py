"""The catalogue on SQLite and PostgreSQL: products, codes, group prices, search, and the price-list import."""

import json

import pytest

from kiosk.domain.errors import KioskError, NotFound, ValidationError
from kiosk.domain.products import Unit, gs1_check_digit
from kiosk.services import products
from kiosk.services.check import check
from kiosk.services.context import Context
from kiosk.services.imports import ImportErrors, import_products
from kiosk.store.models import AuditLog, Product, ProductGroupPrice

ATTA = "آٹا 10 کلو"  # flour, 10 kg
SUGAR = "چینی"


def add(ctx, sku="ATTA-10", name=ATTA, price=125_000, **fields):
    return products.add(ctx, sku=sku, name=name, price=price, **fields)


def counts() -> tuple[int, int]:
    return Product.select().count(), ProductGroupPrice.select().count()


def audits(action: str) -> list[dict]:
    return [json.loads(r.detail or "{}") for r in AuditLog.select().where(AuditLog.action == action)]


# --- Adding, editing, finding -----------------------------------------------------------------------


def test_add_with_every_field_and_read_it_back_by_id_sku_and_barcode(shop):
    p = add(shop, barcode="4006381333931", unit="kg", group_prices={"wholesale": 110_000, "Corporate": 118_000})
    assert (p.sku, p.name, p.price, p.barcode, p.unit, p.active) == ("ATTA-10", ATTA, 125_000, "4006381333931",
                                                                    Unit.KG, True)
    assert p.group_prices == (("Wholesale", 110_000), ("Corporate", 118_000)) and p.created_at is not None
    assert products.get(shop, p.id) == p
    assert products.by_sku(shop, "atta-10") == p  # SKUs ignore case
    assert products.lookup(shop, "4006381333931") == products.lookup(shop, "Atta-10") == p
    assert audits("product.add") == [{"sku": "ATTA-10", "name": ATTA, "price": 125_000,
                                      "group_prices": {"Wholesale": 110_000, "Corporate": 118_000}}]


def test_a_upc_a_is_found_by_its_ean_13_form_and_the_other_way_round(shop):
    upc = add(shop, sku="COLA", name="Cola 330ml", price=9_000, barcode="036000291452")
    ean = add(shop, sku="PEN", name="Pen", price=2_000, barcode="0012345678905")
    assert products.lookup(shop, "0036000291452").id == upc.id
    assert products.lookup(shop, "012345678905").id == ean.id
    with pytest.raises(ValidationError, match="036000291452 already belongs to COLA"):
        add(shop, sku="OTHER", name="x", price=1, barcode="0036000291452")


def test_lookup_prefers_a_barcode_and_says_what_was_not_found(shop):
    by_code = add(shop, sku="TEA", name="Tea", price=50_000, barcode="1001")
    add(shop, sku="1001", name="Biscuits", price=3_000)
    assert products.lookup(shop, " 1001 ").id == by_code.id  # what a scanner sends wins
    assert products.by_sku(shop, "1001").name == "Biscuits"
    with pytest.raises(NotFound, match="no product has the barcode or SKU 'nothing'"):
        products.lookup(shop, "nothing")
    with pytest.raises(NotFound, match="no product has SKU 'TEA-2'"):
        products.by_sku(shop, "TEA-2")


BAD_FIELDS = [
    ({"sku": "ATTA 10"}, "sku", "has ' '"),
    ({"sku": "x" * 33}, "sku", "longer than 32"),
    ({"sku": ""}, "sku", "is required"),
    ({"barcode": "4006381333932"}, "barcode", "check digit should be 1"),
    ({"barcode": "96385075"}, "barcode", "EAN-8"),
    ({"barcode": "12"}, "barcode", "has 2 digits"),
    ({"price": 0}, "price", "more than zero"),
    ({"price": -500}, "price", "more than zero"),
    ({"name": "   "}, "name", "is required"),
    ({"unit": "dozen"}, "unit", "'dozen' is not one of each, kg, litre"),
    ({"group_prices": {"VIP": 100}}, "group_price", "'VIP' is not a customer group"),
    ({"group_prices": {"Wholesale": 0}}, "group_price", "more than zero"),
]


def test_bad_fields_are_refused_by_name_and_change_nothing(shop):
    """One shop for every case: a fresh PostgreSQL database per case would cost more than the checks."""
    for fields, field, reason in BAD_FIELDS:
        with pytest.raises(ValidationError) as exc:
            add(shop, **fields)
        assert (exc.value.field, reason in exc.value.reason) == (field, True), (fields, exc.value)
    assert counts() == (0, 0) and audits("product.add") == []


def test_a_sku_or_barcode_already_taken_is_refused_naming_the_product(shop):
    add(shop, barcode="4006381333931")
    with pytest.raises(ValidationError, match=r"atta-10 is already the SKU of .* \(as ATTA-10: SKUs ignore case\)"):
        add(shop, sku="atta-10", name="Other")
    with pytest.raises(ValidationError, match="4006381333931 already belongs to ATTA-10"):
        add(shop, sku="ATTA-20", name="Other", barcode="4006381333931")
    assert counts() == (1, 0)


def test_edit_changes_only_what_is_given_and_audits_price_changes(shop):
    p = add(shop, group_prices={"Wholesale": 110_000, "Corporate": 118_000})
    edited = products.edit(shop, p.id, price=130_000, group_prices={"Corporate": None, "walk-in": 128_000})
    assert (edited.name, edited.price, edited.sku) == (ATTA, 130_000, "ATTA-10")
    assert edited.group_prices == (("Wholesale", 110_000), ("Walk-in", 128_000))
    [trail] = audits("product.edit")
    assert trail["fields"] == ["group_prices", "price"] and trail["price"] == [125_000, 130_000]
    renamed = products.edit(shop, p.id, sku="FLOUR-10", barcode="96385074", unit="kg")
    assert (renamed.sku, renamed.barcode, renamed.unit) == ("FLOUR-10", "96385074", Unit.KG)
    assert products.by_sku(shop, "flour-10").id == p.id
    with pytest.raises(NotFound):
        products.by_sku(shop, "ATTA-10")
    assert products.edit(shop, p.id, barcode=None).barcode is None
    assert products.edit(shop, p.id, price=130_000) == products.get(shop, p.id)  # no change, no audit
    assert len(audits("product.edit")) == 3


def test_edit_refuses_what_belongs_to_another_product_and_unknown_fields(shop):
    add(shop, barcode="4006381333931")
    other = add(shop, sku="SUGAR", name=SUGAR, price=16_000)
    with pytest.raises(ValidationError, match="belongs to ATTA-10"):
        products.edit(shop, other.id, barcode="4006381333931")
    with pytest.raises(ValidationError, match="already the SKU"):
        products.edit(shop, other.id, sku="Atta-10")
    with pytest.raises(ValidationError, match="group_price: 'Gold'"):
        products.edit(shop, other.id, group_prices={"Gold": 5})
    with pytest.raises(KioskError, match="unknown product field"):
        products.edit(shop, other.id, colour="white")
    assert products.get(shop, other.id) == other


def test_deactivated_products_leave_search_but_are_still_found_by_code(shop):
    p = add(shop)
    off = products.set_active(shop, p.id, False)
    assert not off.active
    assert products.search(shop, "atta") == []
    assert [x.id for x in products.search(shop, "atta", include_inactive=True)] == [p.id]
    assert products.lookup(shop, "ATTA-10").active is False
    assert products.set_active(shop, p.id, True).active
    assert [a["sku"] for a in audits("product.deactivate") + audits("product.activate")] == ["ATTA-10", "ATTA-10"]


def test_price_for_a_customer_group(shop):
    p = add(shop, group_prices={"Wholesale": 110_000})
    assert products.price_for_customer_group(shop, p.id, "wholesale") == 110_000
    assert products.price_for_customer_group(shop, p.id, "Retail") == 125_000
    assert products.price_for_customer_group(shop, p.id, None) == 125_000
    assert products.get(shop, p.id).price_for("Wholesale") == 110_000  # the domain agrees with the query
    with pytest.raises(ValidationError, match="group: 'VIP' is not a customer group"):
        products.price_for_customer_group(shop, p.id, "VIP")
    with pytest.raises(NotFound):
        products.price_for_customer_group(shop, 999, None)


def test_a_cashier_may_look_up_but_not_change_the_catalogue(shop):
    from kiosk.services.shop import add_user

    p = add(shop)
    cashier = Context(db=shop.db, shop=shop.shop, user=add_user(shop, "sana", "cashier", "5555"), till="till-2")
    assert products.lookup(cashier, "ATTA-10") == p
    for attempt in (lambda: add(cashier, sku="X"), lambda: products.edit(cashier, p.id, price=1),
                    lambda: products.set_active(cashier, p.id, False)):
        with pytest.raises(KioskError, match="sana is a cashier: only managers and owners can change the catalogue"):
            attempt()
    assert products.get(shop, p.id) == p


# --- Search -----------------------------------------------------------------------------------------


def test_search_by_any_part_of_name_sku_or_barcode_in_any_script(shop):
    atta = add(shop, barcode="4006381333931")
    sugar = add(shop, sku="SUGAR-1KG", name=f"{SUGAR} 1 kg Premium", price=16_000)
    oil = add(shop, sku="OIL-DALDA", name="Dalda Cooking Oil", price=55_000, barcode="036000291452")

    def skus(q, **kw):
        return [p.sku for p in products.search(shop, q, **kw)]

    assert skus("کلو") == ["ATTA-10"]  # Urdu, inside the name
    assert skus("چی") == ["SUGAR-1KG"]  # short Urdu: a name prefix
    assert skus("premium") == ["SUGAR-1KG"]  # any word, any case
    assert skus("cooking o") == ["OIL-DALDA"]
    assert skus("1kg") == ["SUGAR-1KG"]  # part of a SKU
    assert skus("su") == ["SUGAR-1KG"]  # short: SKU prefix too
    assert skus("63813") == ["ATTA-10"]  # part of a barcode
    assert skus("0 36000") == ["OIL-DALDA"]  # with the label's spaces
    assert skus("zzz") == [] and skus('"; DROP') == [] and skus("of") == []
    assert {p.id for p in products.search(shop, "")} == {atta.id, sugar.id, oil.id}


def test_search_puts_name_prefixes_first_and_stops_at_the_limit(shop):
    add(shop, sku="T-1", name="Green tea", price=1)
    add(shop, sku="T-2", name="Tea Lipton", price=1)
    add(shop, sku="TEA-3", name="Black", price=1)
    add(shop, sku="T-4", name="Tea Tapal", price=1)
    assert [p.sku for p in products.search(shop, "tea")] == ["T-2", "T-4", "TEA-3", "T-1"]
    assert [p.sku for p in products.search(shop, "tea", limit=3)] == ["T-2", "T-4", "TEA-3"]
    assert [p.sku for p in products.search(shop, "tea", limit=1)] == ["T-2"]


# --- Import -----------------------------------------------------------------------------------------

HEADER = "sku,barcode,name,price,unit,active,price_wholesale"


def write(tmp_path, text: str, name: str = "products.csv", *, bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def refused(ctx, path, **kw) -> list[str]:
    before = (counts(), [products.get(ctx, p.id) for p in products.search(ctx, "", include_inactive=True)])
    with pytest.raises(ImportErrors) as exc:
        import_products(ctx, path, **kw)
    after = (counts(), [products.get(ctx, p.id) for p in products.search(ctx, "", include_inactive=True)])
    assert after == before and "nothing was imported" in str(exc.value)
    return exc.value.errors


@pytest.mark.parametrize("bom", [False, True])
def test_import_every_column_with_or_without_a_bom(shop, tmp_path, bom):
    path = write(tmp_path, "SKU,Barcode,Name,Price,Unit,Active,Price Wholesale,Price Walk-in\r\n"
                           f"ATTA-10,4006381333931,{ATTA},1250.00,,yes,1100,1240.50\r\n"
                           f"sugar,,{SUGAR},160,KG,,,\r\n"
                           "OIL,036000291452,Cooking oil,550,litre,no,500,\r\n", bom=bom)
    summary = import_products(shop, path)
    assert (summary.kind, summary.rows, summary.new_products, summary.updated_products) == ("products", 3, 3, 0)
    atta = products.lookup(shop, "4006381333931")
    assert (atta.name, atta.price, atta.unit, atta.active) == (ATTA, 125_000, Unit.EACH, True)
    assert atta.group_prices == (("Wholesale", 110_000), ("Walk-in", 124_050))
    sugar = products.by_sku(shop, "SUGAR")
    assert (sugar.sku, sugar.unit, sugar.group_prices) == ("sugar", Unit.KG, ())
    assert products.lookup(shop, "OIL").active is False
    assert [p.sku for p in products.search(shop, "کلو")] == ["ATTA-10"]  # the index followed the bulk insert
    [trail] = audits("import.products")
    assert (trail["new"], trail["updated"], trail["file"]) == (3, 0, "products.csv")
    assert check(shop) == []


def test_reimporting_a_price_list_updates_prices_and_keeps_what_is_left_empty(shop, tmp_path):
    import_products(shop, write(tmp_path, f"{HEADER}\nATTA-10,4006381333931,{ATTA},1250,,,1100\n"
                                          "TEA,,Tea,500,,,\nSALT,,Salt,50,,,\n"))
    same = write(tmp_path, f"{HEADER}\nATTA-10,4006381333931,{ATTA},1250,,,1100\n", name="same.csv")
    assert import_products(shop, same).unchanged_products == 1  # the same file again is not refused
    summary = import_products(shop, write(tmp_path, "sku,price,price_wholesale\natta-10,1300,1150\nTEA,500,\n",
                                          name="new.csv"))
    assert (summary.new_products, summary.updated_products, summary.unchanged_products) == (0, 1, 1)
    atta = products.by_sku(shop, "ATTA-10")
    assert (atta.sku, atta.name, atta.barcode, atta.price, atta.group_prices) == (
        "ATTA-10", ATTA, "4006381333931", 130_000, (("Wholesale", 115_000),))
    # A renamed product is found by its new name only: the search index followed the bulk update.
    import_products(shop, write(tmp_path, "sku,name\nATTA-10,Chakki Atta Premium\n", name="rename.csv"))
    assert [p.sku for p in products.search(shop, "premium")] == ["ATTA-10"]
    assert products.search(shop, "کلو") == [] and [p.sku for p in products.search(shop, "tea")] == ["TEA"]
    if shop.db.__class__.__name__ == "SqliteDatabase":
        shop.db.execute_sql("INSERT INTO product_fts(product_fts, rank) VALUES ('integrity-check', 1)")


def test_a_new_sku_needs_a_name_and_a_price(shop, tmp_path):
    import_products(shop, write(tmp_path, "sku,name,price\nTEA,Tea,500\n"))
    errors = refused(shop, write(tmp_path, "sku,price\ntea,600\nCOFFEE,900\n", name="b.csv"))
    assert errors == ["line 3: name: is required for a new product (COFFEE is not in the shop)"]


def test_reimport_counts_new_updated_and_unchanged(shop, tmp_path):
    import_products(shop, write(tmp_path, "sku,name,price\nTEA,Tea,500\nSALT,Salt,50\n"))
    summary = import_products(shop, write(tmp_path, "sku,name,price\nTEA,Tea,550\nSALT,Salt,50\nRICE,Rice,300\n",
                                          name="b.csv"))
    assert (summary.new_products, summary.updated_products, summary.unchanged_products) == (1, 1, 1)
    assert products.by_sku(shop, "TEA").price == 55_000


IMPORT_BAD = [
    ("sku", "ATTA 10", "sku: 'ATTA 10' has ' '"),
    ("sku", "", "sku: is required"),
    ("barcode", "4006381333932", "barcode: 4006381333932 is not a valid EAN-13"),
    ("barcode", "12", "barcode: 12 has 2 digits"),
    ("price", "12.5.0", "price: '12.5.0' is not an amount like 1250.50"),
    ("price", "-5", "price: '-5' is not an amount"),
    ("price", "0", "price: must be more than zero"),
    ("price", "10.005", "price: '10.005' has more than 2 decimal digits"),
    ("unit", "gram", "unit: 'gram' is not one of each, kg, litre"),
    ("active", "maybe", "active: 'maybe' is not yes or no"),
    ("price_wholesale", "0", "price_wholesale: must be more than zero"),
    ("price_wholesale", "abc", "price_wholesale: 'abc' is not an amount"),
]


def test_each_bad_cell_names_its_line_and_column_and_nothing_is_imported(shop, tmp_path):
    good = {"sku": "OK-1", "barcode": "", "name": "Good", "price": "10", "unit": "", "active": "",
            "price_wholesale": ""}
    lines = [",".join(good), ",".join(good.values())]
    for i, (column, value, _reason) in enumerate(IMPORT_BAD):
        lines.append(",".join({**good, "sku": f"BAD-{i}", column: value}.values()))
    errors = refused(shop, write(tmp_path, "\n".join(lines) + "\n"))
    assert len(errors) == len(IMPORT_BAD), errors
    for line, (error, (_column, _value, reason)) in enumerate(zip(errors, IMPORT_BAD, strict=True), start=3):
        assert error.startswith(f"line {line}: {reason}"), (reason, error)


def test_an_unknown_group_column_is_refused_naming_it(shop, tmp_path):
    errors = refused(shop, write(tmp_path, "sku,name,price,price_vip,colour\nTEA,Tea,5,4,red\n"))
    assert errors == [
        "line 1: header: column 'price_vip' is a price for customer group 'vip', which this shop does not have "
        "(its groups: Retail, Wholesale, Corporate, Walk-in)",
        "line 1: header: unknown column 'colour'; the columns are sku, barcode, name, price, unit, active, "
        "price_retail, price_wholesale, price_corporate, price_walk_in",
    ]


def test_a_group_added_to_the_shop_gets_its_column(shop, tmp_path):
    from kiosk.services.customers import add_group

    add_group(shop, "Hotel Trade")
    import_products(shop, write(tmp_path, "sku,name,price,price_hotel_trade\nTEA,Tea,5,4.50\n"))
    assert products.by_sku(shop, "TEA").group_prices == (("Hotel Trade", 450),)


def test_duplicates_in_the_file_and_in_the_shop_name_the_other(shop, tmp_path):
    add(shop, sku="KEEP", name="Kept", price=1, barcode="4006381333931")
    errors = refused(shop, write(tmp_path, "sku,barcode,name,price\n"
                                           "TEA,96385074,Tea,5\n"
                                           "tea,,Tea again,5\n"
                                           "COFFEE,96385074,Coffee,5\n"
                                           "SOAP,4006381333931,Soap,5\n"
                                           "COLA,036000291452,Cola,5\n"
                                           "COLA-2,0036000291452,Cola,5\n"))
    assert errors == [
        "line 3: sku: tea is also on line 2",
        "line 4: barcode: 96385074 is also on line 2",
        "line 5: barcode: 4006381333931 already belongs to KEEP (Kept)",
        "line 7: barcode: 0036000291452 is also on line 6",
    ]


def test_barcodes_may_move_between_products_the_file_rewrites(shop, tmp_path):
    a = add(shop, sku="A", name="A", price=1, barcode="4006381333931")
    b = add(shop, sku="B", name="B", price=1, barcode="96385074")
    summary = import_products(shop, write(tmp_path, "sku,barcode\nA,96385074\nB,4006381333931\n"))
    assert summary.updated_products == 2
    assert products.lookup(shop, "96385074").id == a.id and products.lookup(shop, "4006381333931").id == b.id
    # A barcode freed by one line can go to a new product on another.
    import_products(shop, write(tmp_path, "sku,barcode,name,price\nA,73513537,,\nC,96385074,C,1\n", name="c.csv"))
    assert products.lookup(shop, "96385074").sku == "C"


def test_dry_run_checks_everything_and_writes_nothing(shop, tmp_path):
    add(shop, sku="TEA", name="Tea", price=50_000)
    path = write(tmp_path, "sku,name,price\nTEA,Tea,550\nRICE,Rice,300\n")
    summary = import_products(shop, path, dry_run=True)
    assert (summary.new_products, summary.updated_products, summary.dry_run) == (1, 1, True)
    assert counts() == (1, 0) and products.by_sku(shop, "TEA").price == 50_000
    assert audits("import.products") == []


def test_a_cashier_may_not_import_products(shop, tmp_path):
    from kiosk.services.shop import add_user

    cashier = Context(db=shop.db, shop=shop.shop, user=add_user(shop, "sana", "cashier", "5555"), till="till-2")
    with pytest.raises(KioskError, match="sana is a cashier"):
        import_products(cashier, write(tmp_path, "sku,name,price\nTEA,Tea,5\n"))


def _ean13(i: int) -> str:
    body = f"20{i:010d}"  # 2…: GS1's prefix for codes a shop makes itself
    return body + str(gs1_check_digit(body))


def _price_list(lines: int, *, price: int = 100, bad_last: bool = False) -> str:
    rows = [HEADER]
    for i in range(lines - 1):
        barcode = _ean13(i)
        rows.append(f"SKU-{i},{barcode},{SUGAR} item {i},{price + i % 50}.{i % 100:02d},{'kg' if i % 7 == 0 else ''},,"
                    f"{price - 10 + i % 50}")
    if bad_last:
        rows[-1] = rows[-1].replace(f"SKU-{lines - 2},", f"SKU {lines - 2},")
    return "\n".join(rows) + "\n"


def test_5000_lines_all_or_nothing_then_a_reimport_updates_every_price(shop, tmp_path):
    """The bulk paths at a real shop's size on both backends: a bad last line refuses the whole file, a
    good one inserts every product, and the same list with new prices updates every one of them."""
    errors = refused(shop, write(tmp_path, _price_list(5000, bad_last=True), name="bad.csv"))
    assert errors == ["line 5000: sku: 'SKU 4998' has ' '; a SKU is letters A-Z, digits, '-' and '_'"]
    assert counts() == (0, 0)

    summary = import_products(shop, write(tmp_path, _price_list(5000)))
    assert (summary.new_products, summary.updated_products) == (4999, 0)
    assert counts() == (4999, 4999)
    p = products.by_sku(shop, "sku-4998")
    assert (p.price, p.group_prices, p.unit) == (14_898, (("Wholesale", 13_800),), Unit.KG)  # 4998 = 7 × 714
    assert [x.sku for x in products.search(shop, "item 4998")] == ["SKU-4998"]

    summary = import_products(shop, write(tmp_path, _price_list(5000, price=200), name="new-prices.csv"))
    assert (summary.new_products, summary.updated_products, summary.unchanged_products) == (0, 4999, 0)
    p = products.by_sku(shop, "sku-4998")
    assert (p.price, p.group_prices, p.barcode) == (24_898, (("Wholesale", 23_800),), _ean13(4998))
    assert counts() == (4999, 4999)
    assert check(shop) == []
