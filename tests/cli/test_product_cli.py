"""`kiosk product …` and `kiosk import products`: the contract scripts rely on, on SQLite and PostgreSQL."""

import json

ATTA = "آٹا 10 کلو"


def ok(result):
    assert (result.code, result.err) == (0, ""), result.err
    return result.out


def refused(result) -> str:
    """A refusal: exit 1, nothing on stdout, one line on stderr and no traceback."""
    assert result.code == 1 and result.out == "", result
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err, result.err
    return result.err


def show(cli, code: str) -> dict:
    return json.loads(ok(cli("product", "show", code, "--json")))


def write(tmp_path, text: str, name: str = "products.csv", *, bom: bool = False):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def test_add_show_search_edit_deactivate_activate(cli_shop):
    out = ok(cli_shop("product", "add", "--sku", "ATTA-10", "--name", ATTA, "--price", "1250",
                      "--barcode", "4006381333931", "--group-price", "wholesale=1100.50"))
    assert out == f"Added product ATTA-10: {ATTA}, Rs1,250.00\n"
    out = ok(cli_shop("product", "add", "--sku", "sugar", "--name", "Sugar loose", "--price", "160", "--unit", "kg"))
    assert out == "Added product sugar: Sugar loose, Rs160.00 per kg\n"

    atta = show(cli_shop, "4006381333931")
    assert atta == {"id": atta["id"], "sku": "ATTA-10", "barcode": "4006381333931", "name": ATTA, "price": "1250.00",
                    "unit": "each", "active": True, "group_prices": {"Wholesale": "1100.50"},
                    "created_at": atta["created_at"]}
    assert show(cli_shop, "atta-10") == atta  # by SKU, any case
    text = ok(cli_shop("product", "show", "SUGAR"))
    assert "Sugar loose" in text and "Rs160.00 per kg" in text and "sold by weight" in text

    out = ok(cli_shop("product", "search", "کلو"))
    assert "ATTA-10" in out and ATTA in out and "sugar" not in out
    assert "4006381333931" in ok(cli_shop("product", "search", "63813"))

    out = ok(cli_shop("product", "edit", "atta-10", "--price", "1300", "--group-price", "Wholesale=none",
                      "--group-price", "Corporate=1280", "--barcode", "none"))
    assert out == f"Saved product ATTA-10: {ATTA}, Rs1,300.00\n"
    atta = show(cli_shop, "ATTA-10")
    assert (atta["price"], atta["barcode"], atta["group_prices"]) == ("1300.00", None, {"Corporate": "1280.00"})
    assert ok(cli_shop("product", "edit", "ATTA-10", "--price", "1300")).endswith("(nothing changed)\n")

    assert ok(cli_shop("product", "deactivate", "sugar")) == "Product sugar (Sugar loose) deactivated\n"
    assert "sugar" not in ok(cli_shop("product", "search", "sug"))
    assert "inactive" in ok(cli_shop("product", "search", "sug", "--inactive"))
    assert show(cli_shop, "sugar")["active"] is False
    ok(cli_shop("product", "activate", "SUGAR"))
    assert show(cli_shop, "sugar")["active"] is True
    assert cli_shop("check").code == 0


BAD_ADDS = [
    (("--sku", "ATTA 10", "--name", "x", "--price", "1"), "kiosk: sku: 'ATTA 10' has ' '"),
    (("--sku", "A", "--name", "x", "--price", "12.5.0"), "kiosk: price: '12.5.0' is not an amount like 1250.50"),
    (("--sku", "A", "--name", "x", "--price", "-5"), "kiosk: price: '-5' is not an amount like 1250.50"),
    (("--sku", "A", "--name", "x", "--price", "0"), "kiosk: price: must be more than zero"),
    (("--sku", "A", "--name", "x", "--price", "1", "--barcode", "4006381333932"),
     "kiosk: barcode: 4006381333932 is not a valid EAN-13: the check digit should be 1, not 2"),
    (("--sku", "A", "--name", "x", "--price", "1", "--unit", "dozen"),
     "kiosk: unit: 'dozen' is not one of each, kg, litre"),
    (("--sku", "A", "--name", "x", "--price", "1", "--group-price", "VIP=5"),
     "kiosk: group_price: 'VIP' is not a customer group of this shop"),
    (("--sku", "A", "--name", "x", "--price", "1", "--group-price", "Wholesale"),
     "kiosk: group-price: 'Wholesale' is not GROUP=PRICE"),
    (("--sku", "A", "--name", "x", "--price", "1", "--group-price", "Wholesale=1.001"),
     "kiosk: group-price Wholesale: '1.001' has more than 2 decimal digits"),
    (("--sku", "A", "--name", "x", "--price", "1", "--group-price", "Wholesale=none"),
     "kiosk: group-price: Wholesale has no price"),
]


def test_bad_input_is_one_line_and_adds_nothing(cli_shop):
    for args, message in BAD_ADDS:
        assert refused(cli_shop("product", "add", *args)).startswith(message), (args, message)
    assert ok(cli_shop("product", "search", "")).count("\n") == 2  # the header alone


def test_duplicates_and_unknown_codes(cli_shop):
    ok(cli_shop("product", "add", "--sku", "TEA", "--name", "Tea", "--price", "500", "--barcode", "96385074"))
    again = cli_shop("product", "add", "--sku", "tea", "--name", "x", "--price", "1")
    assert "already the SKU of Tea" in refused(again)
    assert "96385074 already belongs to TEA (Tea)" in refused(
        cli_shop("product", "add", "--sku", "T2", "--name", "x", "--price", "1", "--barcode", "96385074"))
    assert refused(cli_shop("product", "show", "NOPE")) == "kiosk: no product has the barcode or SKU 'NOPE'\n"
    assert refused(cli_shop("product", "edit", "NOPE", "--price", "1")) == "kiosk: no product has SKU 'NOPE'\n"
    assert refused(cli_shop("product", "deactivate", "NOPE")) == "kiosk: no product has SKU 'NOPE'\n"
    assert cli_shop("product", "add", "--sku", "X").code == 2  # argparse: --name and --price are required


def test_import_products_then_reimport_new_prices(cli_shop, tmp_path):
    first = write(tmp_path, "SKU,Barcode,Name,Price,Unit,Price Wholesale\r\n"
                            f"ATTA-10,4006381333931,{ATTA},1250,,1100\r\n"
                            "RICE,036000291452,Basmati rice,320,kg,300\r\n", bom=True)
    assert ok(cli_shop("import", "products", first, "--dry-run")) == (
        f"Dry run: {first} is good; it would import 2 new products, 0 updated, 0 unchanged. Nothing was written.\n")
    assert "no product" in refused(cli_shop("product", "show", "RICE"))
    imported = ok(cli_shop("import", "products", first))
    assert imported == f"Imported from {first}: 2 new products, 0 updated, 0 unchanged\n"
    assert show(cli_shop, "0036000291452")["sku"] == "RICE"  # the UPC-A by its EAN-13 form

    prices = write(tmp_path, "sku,price,price_wholesale\natta-10,1300,1150\nRICE,320,300\nOIL,550,\n", name="p.csv")
    errors = cli_shop("import", "products", prices)
    assert errors.code == 1 and errors.err.splitlines() == [
        "line 4: name: is required for a new product (OIL is not in the shop)",
        f"kiosk: {prices}: 1 problem on 1 line; nothing was imported",
    ]
    assert show(cli_shop, "ATTA-10")["price"] == "1250.00"
    prices.write_text("sku,price,price_wholesale\natta-10,1300,1150\nRICE,320,300\n")
    imported = ok(cli_shop("import", "products", prices))
    assert imported == f"Imported from {prices}: 0 new products, 1 updated, 1 unchanged\n"
    atta = show(cli_shop, "ATTA-10")
    assert (atta["price"], atta["group_prices"], atta["name"]) == ("1300.00", {"Wholesale": "1150.00"}, ATTA)
    assert ok(cli_shop("check")).startswith("OK")


def test_import_products_every_bad_line_listed_and_help(cli_shop, tmp_path):
    bad = write(tmp_path, "sku,name,price,unit,price_vip\nA,x,1,,\n")
    result = cli_shop("import", "products", bad)
    assert result.code == 1 and result.err.splitlines()[0].startswith(
        "line 1: header: column 'price_vip' is a price for customer group 'vip', which this shop does not have")
    bad = write(tmp_path, "sku,name,price,unit\nA,x,12.5.0,\nB,y,1,gram\nC,z,-5,\n", name="bad.csv")
    result = cli_shop("import", "products", bad)
    assert result.code == 1 and result.err.splitlines() == [
        "line 2: price: '12.5.0' is not an amount like 1250.50",
        "line 3: unit: 'gram' is not one of each, kg, litre",
        "line 4: price: '-5' is not an amount like 1250.50",
        f"kiosk: {bad}: 3 problems on 3 lines; nothing was imported",
    ]
    help_text = ok(cli_shop("import", "products", "--help"))
    assert "price_<group>" in help_text and "--dry-run" in help_text and "--again" not in help_text
    assert "SKU-OR-BARCODE" in ok(cli_shop("product", "show", "--help"))
