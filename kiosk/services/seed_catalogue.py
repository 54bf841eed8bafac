"""The seeded catalogue: about sixty things a kiryana, duka, provision store or warung sells.

Flour, rice and daal, sugar, ghee and cooking oil, tea, milk and eggs, bread and biscuits, soft drinks,
soap and washing powder, spices, and loose goods weighed by the kg or measured by the litre. Names are
English, and in a Pakistani shop every tenth one is written in Urdu, as for customers. Packed goods
carry EAN-13 barcodes under the country's GS1 prefix with valid check digits (`gs1_check_digit`);
loose goods have a short in-store code or none. Bulk staples have a Wholesale group price.

Prices are set in Pakistani rupees and turned into the shop's currency by a rough rate, then rounded
to a price a shopkeeper would write on the shelf (a "nice" step: Rs 5 or 10, KSh 5, GH₵ 0.50, Rp 500).
Every product goes through `make_product_data`, the checks a typed product meets.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kiosk.domain.money import minor_digits
from kiosk.domain.products import ProductData, gs1_check_digit, make_product_data, search_text, sku_key
from kiosk.services.seed_draw import pick

# (SKU, English name, Urdu name, unit, price in PKR per unit, how often it is bought, Wholesale share)
# A Wholesale share of 0 means no group price; 95 means Wholesale pays 95% of the shelf price.
_CATALOGUE = (
    ("ATTA-10", "Chakki Atta 10kg", "چکی آٹا 10 کلو", "each", 1450, 30, 95),
    ("ATTA-20", "Chakki Atta 20kg", "چکی آٹا 20 کلو", "each", 2800, 12, 95),
    ("ATTA-LOOSE", "Atta (loose)", "کھلا آٹا", "kg", 140, 18, 0),
    ("MAIDA", "Maida (fine flour)", "میدہ", "kg", 130, 6, 0),
    ("BESAN", "Besan (gram flour)", "بیسن", "kg", 300, 6, 0),
    ("RICE-BAS-5", "Basmati Rice 5kg", "باسمتی چاول 5 کلو", "each", 1950, 10, 95),
    ("RICE-SELLA", "Sella Rice (loose)", "سیلا چاول", "kg", 320, 16, 0),
    ("RICE-BROKEN", "Broken Rice (loose)", "ٹوٹا چاول", "kg", 180, 8, 0),
    ("DAAL-MASOOR", "Daal Masoor", "دال مسور", "kg", 320, 14, 0),
    ("DAAL-CHANA", "Daal Chana", "دال چنا", "kg", 280, 12, 0),
    ("DAAL-MOONG", "Daal Moong", "دال مونگ", "kg", 360, 9, 0),
    ("DAAL-MASH", "Daal Mash", "دال ماش", "kg", 520, 7, 0),
    ("CHANA-WHITE", "White Chickpeas", "سفید چنے", "kg", 420, 6, 0),
    ("SUGAR", "Sugar (loose)", "چینی", "kg", 150, 28, 0),
    ("SUGAR-5", "Sugar 5kg", "چینی 5 کلو", "each", 740, 9, 96),
    ("GHEE-1", "Banaspati Ghee 1kg", "بناسپتی گھی 1 کلو", "each", 560, 16, 0),
    ("GHEE-5", "Banaspati Ghee 5kg", "بناسپتی گھی 5 کلو", "each", 2700, 6, 95),
    ("OIL-1", "Cooking Oil 1L", "کوکنگ آئل 1 لیٹر", "each", 580, 14, 0),
    ("OIL-5", "Cooking Oil 5L", "کوکنگ آئل 5 لیٹر", "each", 2850, 6, 95),
    ("TEA-950", "Black Tea 950g", "چائے کی پتی 950 گرام", "each", 1650, 8, 95),
    ("TEA-190", "Black Tea 190g", "چائے کی پتی 190 گرام", "each", 350, 18, 0),
    ("TEA-BAGS", "Tea Bags (100)", "ٹی بیگ", "each", 450, 4, 0),
    ("MILK-1", "UHT Milk 1L", "دودھ 1 لیٹر", "each", 290, 26, 0),
    ("MILK-250", "UHT Milk 250ml", "دودھ 250 ملی لیٹر", "each", 80, 16, 0),
    ("MILK-LOOSE", "Fresh Milk (loose)", "کھلا دودھ", "litre", 220, 22, 0),
    ("MILK-POWDER", "Milk Powder 390g", "خشک دودھ 390 گرام", "each", 980, 4, 0),
    ("YOGHURT", "Yoghurt (loose)", "دہی", "kg", 220, 12, 0),
    ("EGGS-12", "Eggs (dozen)", "انڈے (درجن)", "each", 360, 22, 0),
    ("EGG", "Egg (single)", "انڈا", "each", 30, 10, 0),
    ("BREAD-L", "Bread (large)", "ڈبل روٹی", "each", 200, 20, 0),
    ("RUSK", "Rusk 200g", "رس", "each", 180, 8, 0),
    ("BISCUIT-S", "Biscuits (small pack)", "بسکٹ چھوٹا پیکٹ", "each", 30, 30, 0),
    ("BISCUIT-F", "Biscuits (family pack)", "بسکٹ فیملی پیک", "each", 180, 10, 0),
    ("CHIPS", "Potato Chips", "چپس", "each", 50, 18, 0),
    ("NOODLES", "Instant Noodles", "نوڈلز", "each", 70, 14, 0),
    ("COLA-1500", "Cola 1.5L", "کولا 1.5 لیٹر", "each", 230, 16, 0),
    ("COLA-345", "Cola 345ml", "کولا 345 ملی لیٹر", "each", 100, 18, 0),
    ("LEMON-1500", "Lemon-Lime Drink 1.5L", "لیمن ڈرنک 1.5 لیٹر", "each", 230, 8, 0),
    ("WATER-1500", "Mineral Water 1.5L", "منرل واٹر 1.5 لیٹر", "each", 110, 14, 0),
    ("JUICE-200", "Mango Juice 200ml", "آم کا جوس", "each", 60, 12, 0),
    ("SOAP-BATH", "Bath Soap", "نہانے کا صابن", "each", 120, 14, 0),
    ("SOAP-LAUNDRY", "Laundry Soap Bar", "کپڑے دھونے کا صابن", "each", 90, 10, 0),
    ("SURF-1", "Washing Powder 1kg", "سرف 1 کلو", "each", 520, 9, 96),
    ("DISH-BAR", "Dishwash Bar", "برتن دھونے کی ٹکی", "each", 80, 10, 0),
    ("SHAMPOO-S", "Shampoo Sachet", "شیمپو ساشے", "each", 10, 12, 0),
    ("SHAMPOO-180", "Shampoo 180ml", "شیمپو 180 ملی لیٹر", "each", 430, 4, 0),
    ("TOOTHPASTE", "Toothpaste 100g", "ٹوتھ پیسٹ", "each", 210, 6, 0),
    ("PHENYL-1", "Phenyl 1L", "فینائل", "each", 180, 3, 0),
    ("SALT-800", "Iodised Salt 800g", "نمک", "each", 60, 12, 0),
    ("CHILLI-200", "Red Chilli Powder 200g", "لال مرچ پاؤڈر", "each", 280, 8, 0),
    ("HALDI-200", "Turmeric Powder 200g", "ہلدی پاؤڈر", "each", 220, 6, 0),
    ("MASALA-BIR", "Biryani Masala", "بریانی مصالحہ", "each", 110, 9, 0),
    ("KETCHUP", "Tomato Ketchup 800g", "کیچپ", "each", 420, 4, 0),
    ("JAM", "Mixed Fruit Jam 440g", "جام", "each", 380, 3, 0),
    ("VERMICELLI", "Vermicelli 150g", "سویاں", "each", 80, 4, 0),
    ("MATCHES", "Matchbox", "ماچس", "each", 10, 10, 0),
    ("ONION", "Onions", "پیاز", "kg", 120, 18, 0),
    ("POTATO", "Potatoes", "آلو", "kg", 90, 18, 0),
    ("TOMATO", "Tomatoes", "ٹماٹر", "kg", 160, 14, 0),
    ("GARLIC", "Garlic", "لہسن", "kg", 600, 6, 0),
    ("GINGER", "Ginger", "ادرک", "kg", 800, 4, 0),
    ("DATES", "Dates (loose)", "کھجور", "kg", 900, 3, 0),
)

#: Rough value of one unit of the currency in Pakistani rupees; unknown ones are taken as dollar-sized.
_PKR_PER = {"PKR": 1.0, "INR": 3.3, "KES": 2.15, "GHS": 19.0, "NGN": 0.18, "IDR": 0.0175, "JPY": 1.85,
            "BDT": 2.3, "LKR": 0.93, "NPR": 2.1, "TZS": 0.11, "UGX": 0.075, "EGP": 5.7}
_PKR_PER_DOLLAR_SIZED = 280.0

#: GS1 prefixes of barcodes printed for the country's market.
_GS1 = {"PK": "896", "KE": "616", "GH": "603", "ID": "899", "IN": "890", "NG": "615"}


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    data: ProductData
    weight: int  # how often it is bought, relative to the others


def nice(amount: float, minor: int) -> int:
    """`amount` (major units) as minor units on a shelf-price step: 1, 2 or 5 times a power of ten,
    about a twentieth of the price, never below one minor unit."""
    value = amount * 10**minor
    step = 1
    while step * 10 <= value / 20:
        step *= 10
    for m in (5, 2):
        if step * m <= value / 20:
            step *= m
            break
    return max(step, round(value / step) * step)


def pkr_rate(currency: str) -> float:
    """How many of the currency's units a rupee buys, roughly."""
    return 1.0 / _PKR_PER.get(currency, _PKR_PER_DOLLAR_SIZED)


def make(rng: random.Random, country: str, currency: str, groups: tuple[str, ...]) -> list[CatalogueItem]:
    """The catalogue for a shop of `country` selling in `currency`, every product checked."""
    minor = minor_digits(currency)
    rate = pkr_rate(currency)
    prefix = _GS1.get(country, "890")
    brands = [f"{rng.randint(0, 9999):04d}" for _ in range(8)]  # a few suppliers' GS1 company numbers
    wholesale = next((g for g in groups if g.lower() == "wholesale"), None)
    items, barcodes = [], set()
    for i, (sku, english, urdu, unit, pkr, weight, share) in enumerate(_CATALOGUE):
        price = nice(pkr * rate, minor)
        group_prices = {}
        if share and wholesale:
            group_prices[wholesale] = min(price, nice(pkr * rate * share / 100, minor))
        if unit == "each":
            while True:
                body = f"{prefix}{pick(rng, brands)}{rng.randint(0, 99999):05d}"
                code = body + str(gs1_check_digit(body))
                if code not in barcodes:
                    break
        else:  # loose goods: a short in-store code for half of them, typed or on a scale label
            code = f"2{i:03d}" if rng.random() < 0.5 else None
        barcodes.add(code)
        name = urdu if country == "PK" and i % 10 == 7 else english
        data = make_product_data(groups=groups, sku=sku, name=name, price=price, barcode=code, unit=unit,
                                 group_prices=group_prices)
        items.append(CatalogueItem(data, weight))
    return items


def rows(items: list[CatalogueItem], first_id: int, group_ids: dict[str, int], first_price_id: int,
         created: dt.date) -> tuple[list[tuple], list[tuple]]:
    """Product rows (`bulk.PRODUCT_COLUMNS`) and group-price rows (`bulk.GROUP_PRICE_COLUMNS`)."""
    products, prices = [], []
    stamp = f"{created.isoformat()} 08:00:00"
    for i, item in enumerate(items):
        d, pid = item.data, first_id + i
        products.append((pid, d.sku, sku_key(d.sku), d.barcode, d.name, d.name.casefold(), d.price, d.unit.value,
                         True, stamp, search_text(d)))
        for group, price in d.group_prices:
            prices.append((first_price_id + len(prices), pid, group_ids[group], price))
    return products, prices


def weight_of(sku: str) -> int:
    """How often a product of the shop's own catalogue is bought: ours by SKU, others all alike."""
    return _WEIGHTS.get(sku.lower(), 8)


_WEIGHTS = {row[0].lower(): row[5] for row in _CATALOGUE}
