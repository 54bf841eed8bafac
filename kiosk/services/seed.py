"""`kiosk seed`: a deterministic synthetic shop of any size, for demos and benchmarks.

Customers with realistic Pakistani, Kenyan, Ghanaian and Indonesian names (a tenth of the Pakistani
ones written in Urdu, as many shopkeepers keep their khata), valid unique mobile numbers for the
shop's country, CNICs for Pakistani customers of a Pakistani shop, some emails, addresses, tiers,
groups and credit limits; and a year of khata: credit sales, payments by the shop's methods, a few
"gave" entries and a few reversals with reasons. Until checkout exists, the "sales" asked for are all
khata entries: about 60% credit sales, 35% payments, 3% gave, 2% reversals.

Everything comes from one `random.Random(seed)`, and the dates and times from `today`, never from the
clock: the same seed, shop and day give byte-identical rows. Ids follow creation time, as they would
in a real shop, and continue after the customers and entries a shop already has.

Speed: customers go in one transaction, entries in transactions of `CHUNK` entries, each written with
the bulk writers of `store.bulk` and moving the cached balances of the customers it touched, so every
commit leaves books that `kiosk check` passes. 100k customers and 1M entries take well under a minute
on a 2-core machine (bench/run.py prints the figure).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.domain.customers import CustomerData, Tier, search_text
from kiosk.domain.errors import KioskError, ValidationError
from kiosk.domain.khata import BASE_METHODS
from kiosk.domain.money import minor_digits
from kiosk.services.context import Context
from kiosk.store import bulk
from kiosk.store.db import write_transaction
from kiosk.store.models import Customer as CustomerRow
from kiosk.store.models import KhataEntry
from kiosk.store.shop import audit

#: Entries per transaction; each commit leaves whole books.
CHUNK = 100_000
#: Rows per INSERT batch (and per progress step).
BATCH = 10_000
#: The khata covers this many days, ending on `today`.
DAYS = 365

#: Kinds of entry and how often each comes up.
KIND_WEIGHTS = (("sale", 60), ("payment", 35), ("gave", 3), ("reversal", 2))


@dataclass(frozen=True, slots=True)
class SeedResult:
    customers: int
    entries: int
    sales: int
    payments: int
    gave: int
    reversals: int
    first_customer_id: int | None
    last_customer_id: int | None
    #: Σ of the new customers' balances after their year (minor units; advances count negative).
    net_balance: int


# --- Names and places ---------------------------------------------------------------------------

# (Latin, Urdu) pairs: an Urdu-written customer uses the second of both names.
_PK_MEN = (
    ("Muhammad", "محمد"), ("Ali", "علی"), ("Ahmed", "احمد"), ("Usman", "عثمان"), ("Bilal", "بلال"),
    ("Hamza", "حمزہ"), ("Imran", "عمران"), ("Asif", "آصف"), ("Tariq", "طارق"), ("Zahid", "زاہد"),
    ("Kashif", "کاشف"), ("Faisal", "فیصل"), ("Naveed", "نوید"), ("Shahid", "شاہد"), ("Waqas", "وقاص"),
    ("Adnan", "عدنان"), ("Irfan", "عرفان"), ("Khalid", "خالد"), ("Saleem", "سلیم"), ("Junaid", "جنید"),
    ("Rizwan", "رضوان"), ("Nadeem", "ندیم"), ("Arshad", "ارشد"), ("Javed", "جاوید"), ("Yasir", "یاسر"),
    ("Umar", "عمر"), ("Hassan", "حسن"), ("Hussain", "حسین"), ("Abdullah", "عبداللہ"), ("Zubair", "زبیر"),
    ("Sohail", "سہیل"), ("Aamir", "عامر"), ("Shoaib", "شعیب"), ("Fahad", "فہد"), ("Noman", "نعمان"),
)
_PK_WOMEN = (
    ("Ayesha", "عائشہ"), ("Fatima", "فاطمہ"), ("Zainab", "زینب"), ("Maryam", "مریم"), ("Sana", "ثناء"),
    ("Nadia", "نادیہ"), ("Saima", "صائمہ"), ("Rabia", "رابعہ"), ("Amina", "آمنہ"), ("Bushra", "بشریٰ"),
    ("Shazia", "شازیہ"), ("Farzana", "فرزانہ"), ("Hina", "حنا"), ("Samina", "ثمینہ"), ("Kiran", "کرن"),
    ("Uzma", "عظمیٰ"), ("Noreen", "نورین"), ("Asma", "اسماء"), ("Sadia", "سعدیہ"), ("Iqra", "اقراء"),
)
_PK_FAMILY = (
    ("Khan", "خان"), ("Ahmed", "احمد"), ("Ali", "علی"), ("Malik", "ملک"), ("Butt", "بٹ"),
    ("Chaudhry", "چوہدری"), ("Qureshi", "قریشی"), ("Sheikh", "شیخ"), ("Hussain", "حسین"), ("Raza", "رضا"),
    ("Iqbal", "اقبال"), ("Shah", "شاہ"), ("Siddiqui", "صدیقی"), ("Awan", "اعوان"), ("Rana", "رانا"),
    ("Mirza", "مرزا"), ("Javed", "جاوید"), ("Aslam", "اسلم"), ("Akhtar", "اختر"), ("Bhatti", "بھٹی"),
    ("Abbasi", "عباسی"), ("Gill", "گل"), ("Rehman", "رحمان"), ("Anwar", "انور"), ("Baig", "بیگ"),
    ("Mughal", "مغل"), ("Niazi", "نیازی"), ("Cheema", "چیمہ"), ("Javaid", "جاوید"), ("Hashmi", "ہاشمی"),
)
_PK_WOMEN_FAMILY = (("Bibi", "بی بی"), ("Begum", "بیگم"), ("Parveen", "پروین"))

_KE_MEN = ("John", "Peter", "James", "Joseph", "David", "Daniel", "Brian", "Kevin", "Samuel", "Dennis",
           "Moses", "Collins", "Stephen", "Wycliffe", "Evans", "Kipchoge", "Otieno", "Mwangi", "Felix", "Victor")
_KE_WOMEN = ("Mary", "Grace", "Faith", "Mercy", "Esther", "Wanjiru", "Njeri", "Akinyi", "Wambui", "Achieng",
             "Nyambura", "Atieno", "Chebet", "Kerubo", "Jeruto", "Caroline", "Purity", "Winnie", "Lucy", "Ann")
_KE_FAMILY = ("Kamau", "Otieno", "Wanjiku", "Mwangi", "Ochieng", "Kiprop", "Njoroge", "Kariuki", "Odhiambo",
              "Mutua", "Kimani", "Wafula", "Onyango", "Cheruiyot", "Mutiso", "Nyaga", "Omondi", "Kiptoo",
              "Maina", "Gitau", "Wekesa", "Barasa", "Korir", "Muthoni", "Ndungu", "Wambua", "Macharia")

_GH_MEN = ("Kwame", "Kofi", "Kwaku", "Yaw", "Kojo", "Kwabena", "Kwesi", "Emmanuel", "Samuel", "Isaac",
           "Richard", "Ebenezer", "Nana", "Kwadwo", "Prince", "Daniel", "Francis", "Michael")
_GH_WOMEN = ("Akosua", "Ama", "Abena", "Adwoa", "Efua", "Akua", "Yaa", "Afua", "Esi", "Comfort", "Patience",
             "Gifty", "Mavis", "Priscilla", "Felicia", "Adjoa", "Grace", "Vida")
_GH_FAMILY = ("Mensah", "Owusu", "Boateng", "Asante", "Osei", "Agyeman", "Appiah", "Ofori", "Addo", "Amoah",
              "Danso", "Acheampong", "Darko", "Badu", "Antwi", "Quaye", "Tetteh", "Nkrumah", "Sarpong",
              "Frimpong", "Adjei", "Bonsu", "Annan", "Quartey", "Opoku", "Asamoah")

_ID_MEN = ("Budi", "Agus", "Andi", "Wahyu", "Eko", "Joko", "Hendra", "Rudi", "Bambang", "Dedi", "Ahmad",
           "Rizky", "Adi", "Yusuf", "Fajar", "Slamet", "Teguh", "Dimas", "Arif", "Bayu")
_ID_WOMEN = ("Siti", "Dewi", "Rina", "Sri", "Putri", "Dian", "Indah", "Ratna", "Yuni", "Fitri", "Lestari",
             "Nurul", "Ayu", "Wulan", "Sari", "Kartika", "Endang", "Rahayu", "Mega", "Novi")
_ID_FAMILY = ("Santoso", "Wijaya", "Susanto", "Hidayat", "Saputra", "Pratama", "Setiawan", "Kurniawan",
              "Nugroho", "Gunawan", "Hartono", "Siregar", "Lubis", "Nasution", "Simanjuntak", "Wibowo",
              "Purnomo", "Rahmawati", "Handayani", "Utami", "Permana", "Hasibuan", "Sihombing", "Suryadi")

_ORIGINS = ("PK", "KE", "GH", "ID")

_AREAS = {
    "PK": ("Gulberg III, Lahore", "Model Town, Lahore", "Johar Town, Lahore", "Samanabad, Lahore",
           "Ichhra, Lahore", "Shadman, Lahore", "Garden Town, Lahore", "Iqbal Town, Lahore",
           "Township, Lahore", "Wapda Town, Lahore", "Bilal Ganj, Lahore", "Mozang, Lahore"),
    "KE": ("Kawangware, Nairobi", "Eastleigh, Nairobi", "Githurai 45, Nairobi", "Kayole, Nairobi",
           "Umoja II, Nairobi", "Kangemi, Nairobi", "Pipeline, Nairobi", "Kasarani, Nairobi"),
    "GH": ("Madina, Accra", "Nima, Accra", "Kaneshie, Accra", "Dansoman, Accra", "Adabraka, Accra",
           "Kasoa", "Asafo, Kumasi", "Bantama, Kumasi", "Suame, Kumasi"),
    "ID": ("Jl. Cihampelas, Bandung", "Jl. Dago, Bandung", "Jl. Soekarno-Hatta, Bandung",
           "Jl. Buah Batu, Bandung", "Gg. Mawar, Antapani, Bandung", "Jl. Kopo, Bandung",
           "Jl. Setiabudi, Bandung", "Jl. Pasirkaliki, Bandung"),
}

_ITEMS = {
    "PK": ("atta 20kg", "ghee 5kg", "cheeni 5kg", "chai patti", "doodh", "daal masoor", "chawal 10kg",
           "sabun, surf", "cooking oil 5L", "biscuits, namak", "anday 2 darjan", "mirch masala", "Dalda 2.5kg"),
    "KE": ("unga 2kg", "sukari 1kg", "maziwa", "mkate", "Kimbo 1kg", "airtime", "majani chai", "mchele 5kg",
           "sabuni, Omo", "mafuta ya kupika", "mayai tray", "Royco"),
    "GH": ("rice 5kg", "gari", "sardines", "Milo tin", "sugar", "cooking oil", "Ideal milk", "tomato paste",
           "Indomie carton", "gas refill", "soap, Omo", "Maggi cubes"),
    "ID": ("beras 5kg", "minyak goreng 2L", "gula 1kg", "Indomie 1 dus", "telur 1kg", "gas 3kg",
           "kopi sachet", "sabun cuci", "susu kental", "rokok", "teh celup", "kecap"),
}
_ITEMS_OTHER = ("groceries", "household goods", "rice and oil", "sugar and tea", "soap and detergent")

_GAVE_NOTES = ("cash loan", "paid electricity bill for customer", "school fees advance", "medicine money",
               "cash for transport", "paid gas bill for customer")
_REVERSE_DEBIT = ("entered twice", "goods returned", "wrong customer", "wrong amount, re-entered")
_REVERSE_CREDIT = ("payment entered twice", "wrong customer", "wrong amount, re-entered")
_REVERSE_CARD = "card payment declined by the bank"
_REVERSE_MOBILE = "mobile money transfer failed"
_CUSTOMER_NOTES = ("pays on the 1st", "son collects the groceries", "call before 8 pm", "wholesale rates agreed",
                   "prefers mobile money", "pays after harvest", "ask for the CNIC copy", "neighbour of the shop")

_CNIC_DISTRICTS = ("35202", "35201", "35401", "42101", "42201", "37405", "61101", "17301", "33100",
                   "36302", "34101", "54400", "41303", "38403")

_EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com")

#: Mobile number prefixes (after the country code) and national number lengths per country.
_MOBILE = {
    "PK": ([f"3{n:02d}" for n in (*range(0, 10), *range(10, 19), *range(20, 26), *range(30, 37),
                                      *range(40, 50))], (10,)),
    "KE": ([f"7{n:02d}" for n in (*range(0, 30), *range(40, 47), 48, *range(57, 60), *range(68, 70),
                                      *range(90, 100))] + ["110", "111", "112", "113", "114", "115"], (9,)),
    "GH": (["20", "23", "24", "25", "26", "27", "28", "50", "53", "54", "55", "56", "57", "59"], (9,)),
    "ID": (["811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856",
            "857", "858", "817", "818", "819", "859", "877", "878", "895", "896", "897", "898", "899",
            "881", "882", "883", "887", "888", "889"], (10, 11, 11, 11, 12)),
}

#: Credit-sale amounts per currency, in hundredths of the major unit: (smallest sale, largest sale,
#: price step, a round sum for payments and "gave" entries). PKR 50 to 20,000 in steps of Rs 10, etc.
_SCALES = {
    "PKR": (50_00, 20_000_00, 10_00, 500_00),
    "INR": (20_00, 8_000_00, 5_00, 200_00),
    "KES": (20_00, 8_000_00, 5_00, 100_00),
    "GHS": (2_00, 1_000_00, 50, 10_00),
    "NGN": (200_00, 80_000_00, 50_00, 1_000_00),
    "IDR": (3_000_00, 1_000_000_00, 500_00, 10_000_00),
    "JPY": (100_00, 30_000_00, 10_00, 1_000_00),
}
_SCALE_DEFAULT = (1_00, 300_00, 25, 5_00)  # dollar-sized currencies


# --- The generator --------------------------------------------------------------------------------


def _pick(rng: random.Random, items):
    return items[int(rng.random() * len(items))]


class _Shop:
    """All the randomness of one seed, in one place. Customers first, then the khata day by day."""

    def __init__(self, ctx: Context, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.start = today - dt.timedelta(days=DAYS - 1)
        self.country = ctx.shop.country
        self.user_id = ctx.user.id if ctx.user else None
        self.till = ctx.till
        digits = minor_digits(ctx.shop.currency)
        scale = _SCALES.get(ctx.shop.currency, _SCALE_DEFAULT)
        lo, hi, step, round_sum = (max(1, v * 10**digits // 100) for v in scale)
        self.step = step
        self.lo = max(step, lo // step * step)
        self.hi = max(self.lo, hi // step * step)
        self.round = max(step, round_sum)
        # Cash most of the time, then the shop's mobile-money services, bank transfers and cards.
        methods = ctx.shop.payment_methods
        mobile = [m for m in methods if m not in BASE_METHODS]
        weights = {"cash": 60, "bank transfer": 8, "card": 5}
        for m in mobile:
            weights[m] = 27 // len(mobile) or 1
        self.methods = [m for m in methods if m in weights]
        self.method_cum = _cumulative([weights[m] for m in self.methods])
        self.items = _ITEMS.get(self.country, _ITEMS_OTHER)
        self.origin_cum = _cumulative([70 if o == self.country else 10 for o in _ORIGINS]
                                      if self.country in _ORIGINS else [25] * 4)
        # Where the khata has got to: the day, its entry times, the next slot, who is on the books.
        self._day = 0
        self._times: list[int] | None = None
        self._slot = 0
        self._iso = ""
        self._eligible = 0
        self.counts = {"sale": 0, "payment": 0, "gave": 0, "reversal": 0}
        self.balances: list[int] = []

    # --- customers ---

    def customers(self, n: int, first_id: int, groups: dict[str, int], taken_phones: set[str]) -> list[tuple]:
        """`n` customers in creation order with ids from `first_id`; also sets up the khata state."""
        rng = self.rng
        # 60% were on the books before the year began; the rest joined during it.
        days = sorted(
            -rng.randint(1, 4 * 365) if rng.random() < 0.6 else rng.randint(0, DAYS - 1) for _ in range(n)
        )
        if days and days[0] >= 0:
            days[0] = -1  # someone must be there on the first day of the khata
        phones = _PhoneMaker(rng, self.country, taken_phones)
        group_cum = _cumulative([65, 15, 12, 8])
        group_names = ("Retail", "Walk-in", "Wholesale", "Corporate")
        rows, self.weights, self.limits, self.joined = [], [], [], []
        for i, day in enumerate(days):
            cid = first_id + i
            origin = _ORIGINS[_choose(rng, self.origin_cum)]
            woman = rng.random() < 0.4
            name, latin = self._name(origin, woman)
            group = group_names[_choose(rng, group_cum)]
            # How often they use the khata: a few regulars do most of it, walk-ins rarely.
            weight = min(rng.paretovariate(1.5), 40.0) * (0.3 if group == "Walk-in" else 1.0)
            tier = Tier.VIP if weight > 4 else Tier.REGULAR if weight > 1.6 else Tier.NEW
            limit = None
            if rng.random() < (0.4 if tier is Tier.VIP else 0.15):
                limit = self.round * _pick(rng, (10, 20, 40, 50, 100))
            data = CustomerData(
                name=name,
                phone=phones.make() if rng.random() < 0.95 else None,
                cnic=self._cnic(woman) if origin == "PK" and self.country == "PK" and rng.random() < 0.35 else None,
                email=self._email(latin) if rng.random() < 0.12 else None,
                address=self._address() if rng.random() < 0.35 else "",
                business=self._business(origin, latin) if group in ("Wholesale", "Corporate") else "",
                birth_date=self._birth_date() if rng.random() < 0.1 else None,
                notes=_pick(rng, _CUSTOMER_NOTES) if rng.random() < 0.05 else "",
                credit_limit=limit,
                tier=tier,
                group=group,
            )
            created = self.start + dt.timedelta(days=day)
            # Customers are written down before their first purchase: 07:00 to 08:59.
            created_at = f"{created.isoformat()} {rng.randint(7, 8):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
            archived = rng.random() < 0.01
            rows.append((
                cid, data.name, data.name.casefold(), data.phone, data.cnic, data.email, data.address,
                data.business, data.birth_date.isoformat() if data.birth_date else None, data.notes,
                data.credit_limit, data.tier.value, groups[group], created_at, int(archived), 0, 0,
                search_text(data),
            ))
            self.weights.append(weight * (0.2 if archived else 1.0))
            self.limits.append(limit)
            self.joined.append(max(day, 0))
        self.first_id = first_id
        self.cum = _cumulative(self.weights)
        self.balances = [0] * n
        self.recent: list[list | None] = [None] * n
        return rows

    def _name(self, origin: str, woman: bool) -> tuple[str, tuple[str, str]]:
        """The name as written, and a Latin (first, last) for the email."""
        rng = self.rng
        if origin == "PK":
            first = _pick(rng, _PK_WOMEN if woman else _PK_MEN)
            last = _pick(rng, _PK_WOMEN_FAMILY) if woman and rng.random() < 0.2 else _pick(rng, _PK_FAMILY)
            urdu = rng.random() < 0.1
            if not woman and rng.random() < 0.3 and first[0] not in ("Muhammad", "Abdullah"):
                # Muhammad Imran Khan: the most common way a Pakistani man's name begins.
                return f"{_PK_MEN[0][urdu]} {first[urdu]} {last[urdu]}", (first[0], last[0])
            return f"{first[urdu]} {last[urdu]}", (first[0], last[0])
        if origin == "KE":
            first, last = _pick(rng, _KE_WOMEN if woman else _KE_MEN), _pick(rng, _KE_FAMILY)
            if rng.random() < 0.2:  # Mary Wanjiku Njoroge
                return f"{first} {_pick(rng, _KE_FAMILY)} {last}", (first, last)
            return f"{first} {last}", (first, last)
        if origin == "GH":
            first, last = _pick(rng, _GH_WOMEN if woman else _GH_MEN), _pick(rng, _GH_FAMILY)
            return f"{first} {last}", (first, last)
        first = _pick(rng, _ID_WOMEN if woman else _ID_MEN)
        roll = rng.random()
        if roll < 0.25:  # many Indonesians go by one name
            return first, (first, "")
        if roll < 0.32:  # as a warung's khata often has it
            return f"{'Bu' if woman else 'Pak'} {first}", (first, "")
        last = _pick(rng, _ID_FAMILY)
        return f"{first} {last}", (first, last)

    def _email(self, latin: tuple[str, str]) -> str:
        first, last = (p.lower().replace(" ", "") for p in latin)
        sep = _pick(self.rng, (".", "", "_"))
        local = f"{first}{sep}{last}" if last else first
        return f"{local}{self.rng.randint(1, 99)}@{_pick(self.rng, _EMAIL_DOMAINS)}"

    def _cnic(self, woman: bool) -> str:
        """District (first digit 1-7, the province), a serial, and the last digit: even for women."""
        rng = self.rng
        return f"{_pick(rng, _CNIC_DISTRICTS)}{rng.randint(0, 9_999_999):07d}{rng.randrange(0 if woman else 1, 10, 2)}"

    def _address(self) -> str:
        rng = self.rng
        area = _pick(rng, _AREAS.get(self.country, _AREAS["PK"]))
        if self.country == "ID":
            return f"{area.split(',')[0]} No. {rng.randint(1, 200)}, {area.split(', ', 1)[-1]}"
        return f"House {rng.randint(1, 400)}, Street {rng.randint(1, 30)}, {area}"

    def _business(self, origin: str, latin: tuple[str, str]) -> str:
        first, last = latin
        last = last or first
        styles = {
            "PK": (f"{last} General Store", f"{first} Traders", f"{first} Karyana Store", "Al-Madina Bakers",
                   f"{last} Brothers"),
            "KE": (f"{first}'s Duka", f"{last} Enterprises", f"Mama {first} Groceries", f"{last} Wholesalers"),
            "GH": (f"{first} & Sons Enterprise", "God's Grace Provisions", f"{last} Ventures",
                   "Abundant Blessings Store"),
            "ID": (f"Toko {first}", f"Warung {first}", f"CV {first} Jaya", f"UD {last} Makmur"),
        }
        return _pick(self.rng, styles[origin])

    def _birth_date(self) -> dt.date:
        rng = self.rng
        return dt.date(self.today.year - rng.randint(18, 75), rng.randint(1, 12), rng.randint(1, 28))

    # --- the khata ---

    def day_counts(self, total: int) -> list[int]:
        """How many entries each of the year's days gets: busier on Fridays, Saturdays and the first
        days of the month (pay day), with some day-to-day noise; exactly `total` in all."""
        rng = self.rng
        weights = []
        for d in range(DAYS):
            day = self.start + dt.timedelta(days=d)
            w = (120 if day.weekday() in (4, 5) else 80 if day.weekday() == 6 else 100)
            w = w * (130 if day.day <= 5 else 100) * rng.randint(70, 130)
            weights.append(w)
        whole = sum(weights)
        counts = [total * w // whole for w in weights]
        for d in sorted(range(DAYS), key=lambda d: (-(total * weights[d] % whole), d))[: total - sum(counts)]:
            counts[d] += 1
        return counts

    def entries(self, day_counts: list[int], first_id: int, limit: int) -> tuple[list[tuple], dict[int, int]]:
        """The next `limit` entries of the year, with ids from `first_id`; and the balance moves."""
        rng = self.rng
        rows: list[tuple] = []
        moves: dict[int, int] = {}
        next_id = first_id
        while len(rows) < limit and self._day < DAYS:
            if self._times is None:
                n = day_counts[self._day]
                self._times = sorted(rng.randint(9 * 3600, 22 * 3600 - 1) for _ in range(n))
                self._iso = (self.start + dt.timedelta(days=self._day)).isoformat()
                while self._eligible < len(self.joined) and self.joined[self._eligible] <= self._day:
                    self._eligible += 1
                self._slot = 0
            if self._slot == len(self._times):
                self._day += 1
                self._times = None
                continue
            t = self._times[self._slot]
            self._slot += 1
            created = f"{self._iso} {t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
            row, cust, signed = self._entry(next_id, created)
            rows.append(row)
            moves[cust] = moves.get(cust, 0) + signed
            next_id += 1
        return rows, moves

    def _customer(self) -> int:
        """A customer index, regulars more often; only those already on the books on this day."""
        top = self.cum[self._eligible - 1]
        return bisect.bisect_right(self.cum, self.rng.random() * top, 0, self._eligible - 1)

    def _entry(self, entry_id: int, created: str) -> tuple[tuple, int, int]:
        rng = self.rng
        roll = rng.random() * 100
        kind = "sale" if roll < 60 else "payment" if roll < 95 else "gave" if roll < 98 else "reversal"
        if kind == "reversal":
            found = self._reversal(entry_id, created)
            if found is not None:
                return found
            kind = "sale"
        if kind == "payment":
            # Someone who owes comes to pay: a few tries among the regulars, else it is a sale after all.
            for _ in range(6):
                i = self._customer()
                if self.balances[i] > 0:
                    return self._payment(i, entry_id, created)
            kind = "sale"
        else:
            i = self._customer()
        if kind == "sale":
            amount = self._sale_amount()
            limit = self.limits[i]
            if limit is not None and self.balances[i] + amount > limit:
                room = (limit - self.balances[i]) // self.step * self.step
                if room >= self.lo:
                    amount = room
                elif self.balances[i] > 0:  # at the limit: they come to pay instead
                    return self._payment(i, entry_id, created)
            note = _pick(rng, self.items) if rng.random() < 0.4 else ""
            promised = None
            if rng.random() < 0.15:
                promised = (self.start + dt.timedelta(days=self._day + _pick(rng, (7, 10, 14, 15, 30)))).isoformat()
            return self._write(i, entry_id, created, "debit", amount, amount, note, None, "sale", None, promised)
        amount = self.round * rng.randint(1, 10)
        return self._write(i, entry_id, created, "debit", amount, amount, _pick(rng, _GAVE_NOTES), None, "gave",
                           None, None)

    def _sale_amount(self) -> int:
        rng = self.rng
        lo, hi = self.lo, self.hi
        roll = rng.random()
        # Mostly a day's groceries; now and then a month's stock.
        top = lo + (hi - lo) // 40 if roll < 0.55 else lo + (hi - lo) // 10 if roll < 0.85 else \
            lo + (hi - lo) * 2 // 5 if roll < 0.97 else hi
        return rng.randrange(lo, top + 1, self.step)

    def _payment(self, i: int, entry_id: int, created: str) -> tuple[tuple, int, int]:
        rng = self.rng
        owed = self.balances[i]
        roll = rng.random()
        if roll < 0.4 or owed <= self.round:
            amount = owed  # clears the khata
        elif roll < 0.8:
            amount = self.round * rng.randint(1, owed // self.round)  # a round sum on account
        elif roll < 0.97:
            amount = max(self.step, owed * rng.randint(10, 90) // 100 // self.step * self.step)
        else:
            amount = (owed // self.round + rng.randint(1, 3)) * self.round  # pays ahead
        method = self.methods[_choose(rng, self.method_cum)]
        note = ""
        if method not in BASE_METHODS and rng.random() < 0.5:
            note = "ref " + "".join(_pick(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        return self._write(i, entry_id, created, "credit", amount, -amount, note, method, None, None, None)

    def _reversal(self, entry_id: int, created: str) -> tuple[tuple, int, int] | None:
        """Undo one of a customer's entries of the last fortnight that is not yet undone."""
        rng = self.rng
        for _ in range(6):
            i = self._customer()
            recent = [r for r in (self.recent[i] or ()) if r[3] >= self._day - 14]
            if recent:
                target = _pick(rng, recent)
                self.recent[i].remove(target)
                target_id, kind, amount, _day, signed, method = target
                reason = _pick(rng, _REVERSE_DEBIT if kind == "debit" else _REVERSE_CREDIT)
                if method and rng.random() < 0.5 and method != "cash":
                    reason = _REVERSE_CARD if method == "card" else _REVERSE_MOBILE if method not in BASE_METHODS \
                        else "bank transfer returned"

                return self._write(i, entry_id, created, "reversal", amount, -signed, reason, None, None,
                                   target_id, None)
        return None

    def _write(self, i, entry_id, created, kind, amount, signed, note, method, source, reverses, promised):
        self.balances[i] += signed
        self.counts["reversal" if kind == "reversal" else "payment" if kind == "credit" else
                    "sale" if source == "sale" else "gave"] += 1
        if kind != "reversal":
            recent = self.recent[i]
            if recent is None:
                recent = self.recent[i] = []
            recent.append((entry_id, kind, amount, self._day, signed, method))
            if len(recent) > 4:
                del recent[0]
        cid = self.first_id + i
        row = (entry_id, cid, kind, amount, self._iso, note, method, source, reverses, promised,
               self.user_id, self.till, created)
        return row, cid, signed


class _PhoneMaker:
    """Unique, valid mobile numbers for the shop's country, as E.164."""

    def __init__(self, rng: random.Random, country: str, taken: set[str]):
        import phonenumbers

        self.rng, self.country, self.taken = rng, country, taken
        self.pn = phonenumbers
        self.code = phonenumbers.country_code_for_region(country)
        known = _MOBILE.get(country)
        if known:
            self.prefixes, self.lengths = known
        else:
            example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
            nsn = str(example.national_number) if example else ""
            self.prefixes, self.lengths = ([nsn[:2]], (len(nsn),)) if nsn else ([], ())

    def make(self) -> str | None:
        rng, pn = self.rng, self.pn
        for _ in range(30):
            if not self.prefixes:
                return None
            prefix = _pick(rng, self.prefixes)
            length = _pick(rng, self.lengths)
            rest = length - len(prefix)
            nsn = prefix + f"{rng.randrange(10**rest):0{rest}d}"
            e164 = f"+{self.code}{nsn}"
            if e164 in self.taken:
                continue
            number = pn.PhoneNumber(country_code=self.code, national_number=int(nsn))
            if pn.is_valid_number_for_region(number, self.country):
                self.taken.add(e164)
                return e164
        return None


def _cumulative(weights) -> list:
    out, total = [], 0
    for w in weights:
        total += w
        out.append(total)
    return out


def _choose(rng: random.Random, cum: list) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1], 0, len(cum) - 1)


# --- The use case ---------------------------------------------------------------------------------


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
    """Add `customers` synthetic customers and `sales` khata entries over the year up to `today`.

    `progress(n)` is called after each batch with the number of customers or entries just written
    (customers + sales in all). The shop's existing customers and books are left as they are.
    """
    check_sizes(customers, sales)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError("seed", f"{seed!r} is not a whole number")
    if ctx.user is None or ctx.user.role != "owner":
        raise KioskError("only the shop's owner can seed it with synthetic customers and khata")
    advance = progress or (lambda n: None)
    shop = _Shop(ctx, random.Random(seed), today or dt.date.today())
    with bulk.roomy_cache():
        first_customer = _write_customers(ctx, shop, customers, advance)
        if not sales:
            with write_transaction(ctx.db):
                _audit(ctx, customers, 0, seed)
        written = 0
        day_counts = shop.day_counts(sales) if sales else []
        while written < sales:
            # One transaction per CHUNK entries, with the balance moves of its customers: each commit
            # leaves whole books, and the write lock is let go now and then for the tills.
            size = min(CHUNK, sales - written)
            with write_transaction(ctx.db):
                _write_entries(shop, day_counts, size, advance)
                written += size
                if written == sales:
                    _audit(ctx, customers, sales, seed)

    counts = shop.counts
    return SeedResult(
        customers=customers,
        entries=sales,
        sales=counts["sale"],
        payments=counts["payment"],
        gave=counts["gave"],
        reversals=counts["reversal"],
        first_customer_id=first_customer if customers else None,
        last_customer_id=first_customer + customers - 1 if customers else None,
        net_balance=sum(shop.balances),
    )


def _write_customers(ctx: Context, shop: _Shop, n: int, advance) -> int:
    """All the new customers in one transaction; returns the first one's id."""
    if n == 0:
        shop.customers(0, 0, {}, set())
        return 0
    with write_transaction(ctx.db):
        first = bulk.reserve_ids(CustomerRow, n)
        rows = shop.customers(n, first, bulk.group_ids(), bulk.existing_phones())
        for start in range(0, n, BATCH):
            part = rows[start:start + BATCH]
            bulk.insert_customers(part)
            advance(len(part))
    return first


def _write_entries(shop: _Shop, day_counts: list[int], size: int, advance) -> None:
    """The next `size` entries of the year and the cached balances they move, in the caller's transaction."""
    first = bulk.reserve_ids(KhataEntry, size)
    moves: dict[int, int] = {}
    done = 0
    while done < size:
        batch, batch_moves = shop.entries(day_counts, first + done, min(BATCH, size - done))
        if not batch:  # cannot happen: the day counts add up to the entries asked for
            raise KioskError(f"seed: the year ran out {size - done} entries early")
        bulk.insert_entries(batch)
        for cid, delta in batch_moves.items():
            moves[cid] = moves.get(cid, 0) + delta
        done += len(batch)
        advance(len(batch))
    bulk.add_to_balances(moves.items())


def _audit(ctx: Context, customers: int, entries: int, seed: int) -> None:
    audit("shop.seed", "", user=ctx.user, till=ctx.till, customers=customers, entries=entries, seed=seed)
