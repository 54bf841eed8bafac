"""Products' rules: SKUs, barcodes and their check digits, names in any script, prices, units, group prices."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.errors import ValidationError
from kiosk.domain.products import (
    ProductData,
    Unit,
    barcode_forms,
    barcode_key,
    check_price,
    clean_active,
    clean_barcode,
    clean_group_prices,
    clean_sku,
    clean_unit,
    gs1_check_digit,
    make_product_data,
    merge_group_prices,
    search_query,
    search_text,
    sku_key,
)

GROUPS = ("Retail", "Wholesale", "Corporate", "Walk-in")


def refused(field: str, check, *args) -> str:
    with pytest.raises(ValidationError) as exc:
        check(*args)
    assert exc.value.field == field
    return exc.value.reason


# --- SKU --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sku", ["A", "ATTA-10", "rice_basmati_5kg", "0123456789", "x" * 32])
def test_good_skus_are_kept_as_typed(sku):
    assert clean_sku(f"  {sku} ") == sku


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "is required"),
    ("   ", "is required"),
    ("x" * 33, "longer than 32"),
    ("ATTA 10", "has ' '"),
    ("ATTA/10", "has '/'"),
    ("آٹا", "has 'آ'"),  # a SKU is for typing on any keyboard; the name carries the script
    ("CAFÉ", "has 'É'"),
])
def test_bad_skus_name_the_character(typed, reason):
    assert reason in refused("sku", clean_sku, typed)


def test_skus_compare_without_case():
    assert sku_key("Atta-10") == sku_key("ATTA-10") == "atta-10"


# --- Barcodes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    "4006381333931",  # EAN-13
    "5901234123457",  # EAN-13
    "036000291452",  # UPC-A
    "96385074",  # EAN-8
    "73513537",  # EAN-8
    "1234",  # in-store codes: any other length from 4 to 32
    "12345",
    "12345678901",
    "12345678901234",
    "9" * 32,
])
def test_valid_barcodes(code):
    assert clean_barcode(code) == code


def test_spaces_and_dashes_printed_under_the_bars_are_dropped():
    assert clean_barcode(" 0 36000 29145 2 ") == "036000291452"
    assert clean_barcode("400-6381-33393-1") == "4006381333931"
    assert clean_barcode("") is None and clean_barcode(None) is None and clean_barcode("  ") is None


@pytest.mark.parametrize(("typed", "reason"), [
    ("4006381333932", "not a valid EAN-13: the check digit should be 1, not 2"),
    ("036000291453", "not a valid UPC-A: the check digit should be 2, not 3"),
    ("96385075", "not a valid EAN-8: the check digit should be 4, not 5"),
    ("123", "has 3 digits"),
    ("9" * 33, "has 33 digits"),
    ("40063813339A", "is not digits only"),
    ("٤٠٠٦٣٨١", "is not digits only"),  # Arabic-Indic digits are digits to Python, not to a scanner
])
def test_bad_barcodes(typed, reason):
    assert reason in refused("barcode", clean_barcode, typed)


@given(body=st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
       data=st.data())
def test_the_gs1_check_digit_validates_and_catches_any_single_wrong_digit(body, data):
    code = body + str(gs1_check_digit(body))
    assert clean_barcode(code) == code
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    with pytest.raises(ValidationError, match="check digit"):
        clean_barcode(code[:position] + wrong + code[position + 1:])


def test_a_upc_a_and_its_ean_13_form_are_one_code():
    assert barcode_forms("036000291452") == ("036000291452", "0036000291452")
    assert barcode_forms("0036000291452") == ("0036000291452", "036000291452")
    assert barcode_forms("4006381333931") == ("4006381333931",)
    assert barcode_forms("96385074") == ("96385074",)
    assert barcode_key("036000291452") == barcode_key("0036000291452")
    assert barcode_key("96385074") != barcode_key("096385074")


# --- Prices, units, flags, groups -------------------------------------------------------------------


def test_prices_are_whole_minor_units_above_zero():
    assert check_price(1) == 1
    assert "more than zero" in refused("price", check_price, 0)
    assert "more than zero" in refused("price", check_price, -500)
    assert "minor units" in refused("price", check_price, 12.5)
    assert "minor units" in refused("price", check_price, True)


@pytest.mark.parametrize(("typed", "unit"), [
    ("", Unit.EACH), (None, Unit.EACH), ("each", Unit.EACH), (" KG ", Unit.KG), ("Litre", Unit.LITRE),
    ("liter", Unit.LITRE), (Unit.KG, Unit.KG),
])
def test_units(typed, unit):
    assert clean_unit(typed) is unit


def test_weighed_units_and_unknown_ones():
    assert [u.weighed for u in Unit] == [False, True, True]
    assert refused("unit", clean_unit, "gram") == "'gram' is not one of each, kg, litre"
    assert "'dozen'" in refused("unit", clean_unit, "dozen")


def test_active_flags():
    assert [clean_active(t) for t in ("yes", "Y", "TRUE", "1", "active")] == [True] * 5
    assert [clean_active(t) for t in ("no", "n", "False", "0", "inactive")] == [False] * 5
    assert refused("active", clean_active, "maybe") == "'maybe' is not yes or no"


def test_group_prices_are_the_shops_groups_in_its_order():
    assert clean_group_prices({"walk-in": 90, "WHOLESALE": 80}, GROUPS) == (("Wholesale", 80), ("Walk-in", 90))
    assert clean_group_prices(None, GROUPS) == ()
    assert "'VIP' is not a customer group of this shop (Retail, Wholesale" in refused(
        "group_price", clean_group_prices, {"VIP": 1}, GROUPS)
    assert "more than zero" in refused("group_price", clean_group_prices, {"Wholesale": 0}, GROUPS)
    assert "given twice" in refused("group_price", clean_group_prices, [("Wholesale", 1), ("wholesale", 2)], GROUPS)


def test_merging_group_prices_sets_and_removes_only_the_groups_named():
    current = (("Wholesale", 80), ("Corporate", 85))
    assert merge_group_prices(current, {"corporate": None, "Walk-in": 95}, GROUPS) == (
        ("Wholesale", 80), ("Walk-in", 95))
    assert merge_group_prices(current, {"Retail": None}, GROUPS) == current
    assert refused("group_price", merge_group_prices, current, {"Gold": 1}, GROUPS)


# --- The whole record -------------------------------------------------------------------------------


def test_make_product_data_with_an_urdu_name():
    decomposed = unicodedata.normalize("NFD", "  چینی   1 کلو ")
    data = make_product_data(groups=GROUPS, sku="SUGAR-1", name=decomposed, price=16_000, barcode="96385074",
                             unit="kg", group_prices={"wholesale": 15_000})
    assert data == ProductData(sku="SUGAR-1", name=unicodedata.normalize("NFC", "چینی 1 کلو"), price=16_000,
                               barcode="96385074", unit=Unit.KG, group_prices=(("Wholesale", 15_000),))
    assert data.price_for("Wholesale") == data.price_for("wholesale") == 15_000
    assert data.price_for("Retail") == data.price_for(None) == 16_000


@pytest.mark.parametrize(("fields", "field"), [
    ({"sku": ""}, "sku"), ({"sku": "a b"}, "sku"), ({"name": " "}, "name"), ({"name": "x" * 201}, "name"),
    ({"price": 0}, "price"), ({"barcode": "4006381333932"}, "barcode"), ({"unit": "box"}, "unit"),
    ({"group_prices": {"VIP": 5}}, "group_price"),
])
def test_make_product_data_names_the_bad_field(fields, field):
    good = {"sku": "A-1", "name": "Tea", "price": 100}
    with pytest.raises(ValidationError) as exc:
        make_product_data(groups=GROUPS, **{**good, **fields})
    assert exc.value.field == field


def test_search_text_and_query_meet_in_the_middle():
    data = make_product_data(groups=GROUPS, sku="ATTA-10", name="آٹا Super", price=1, barcode="4006381333931")
    assert search_text(data) == "atta-10 | 4006381333931 | آٹا super"
    assert search_query("  SUPER  ") == "super"
    assert search_query("4006 3813") == "40063813"  # a barcode read off the label with its spaces
    assert search_query(unicodedata.normalize("NFD", "آٹا")) == unicodedata.normalize("NFC", "آٹا")
