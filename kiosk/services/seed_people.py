"""Seeded customers: realistic Pakistani, Kenyan, Ghanaian and Indonesian names (a tenth of the
Pakistani ones written in Urdu, as many shopkeepers keep their khata), valid unique mobile numbers for
the shop's country, CNICs for Pakistani customers of a Pakistani shop, some emails, addresses,
businesses, birthdays, notes, groups and credit limits; and how often each one comes to the shop.

Tiers are not drawn: every customer starts New and the year's sales and refunds move the tier, as
they do at the till. A few Corporate accounts have VIP pinned by hand (`tier_pinned`), which sales
leave alone. About one customer in a hundred is archived and never comes in.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kiosk.domain.customers import CustomerData, Tier, search_text
from kiosk.services.seed_draw import choose, cumulative, pick

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


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """A seeded customer as the year needs them: where their row is, and how they shop."""

    id: int
    group: str
    credit_limit: int | None
    tier: Tier
    pinned: bool
    joined: int  # the day of the year (0 = its first) from which they shop; earlier joiners: 0
    weight: float  # how often they come, relative to the others; 0: never (archived)


class People:
    """Makes the customers, all from `rng`: rows in `bulk.SEED_CUSTOMER_COLUMNS` order."""

    def __init__(self, rng: random.Random, country: str, start: dt.date, days: int, round_sum: int):
        self.rng = rng
        self.country = country
        self.start = start
        self.days = days
        self.round = round_sum
        self.origin_cum = cumulative([70 if o == country else 10 for o in _ORIGINS]
                                     if country in _ORIGINS else [25] * 4)

    def make(self, n: int, first_id: int, groups: dict[str, int],
             taken_phones: set[str]) -> tuple[list[tuple], list[NewCustomer]]:
        """`n` customers in creation order with ids from `first_id`."""
        rng = self.rng
        # 60% were on the books before the year began; the rest joined during it.
        days = sorted(
            -rng.randint(1, 4 * 365) if rng.random() < 0.6 else rng.randint(0, self.days - 1) for _ in range(n)
        )
        if days and days[0] >= 0:
            days[0] = -1  # someone must be there on the first day of the year
        phones = _PhoneMaker(rng, self.country, taken_phones)
        group_cum = cumulative([65, 15, 12, 8])
        group_names = ("Retail", "Walk-in", "Wholesale", "Corporate")
        rows, made = [], []
        for i, day in enumerate(days):
            cid = first_id + i
            origin = _ORIGINS[choose(rng, self.origin_cum)]
            woman = rng.random() < 0.4
            name, latin = self._name(origin, woman)
            group = group_names[choose(rng, group_cum)]
            # How often they shop here: a few regulars do most of it, walk-ins rarely.
            weight = min(rng.paretovariate(1.5), 40.0) * (0.3 if group == "Walk-in" else 1.0)
            limit = None
            if rng.random() < (0.4 if weight > 4 else 0.15):
                limit = self.round * pick(rng, (10, 20, 40, 50, 100))
            pinned = group == "Corporate" and rng.random() < 0.25  # the owner made them VIP
            tier = Tier.VIP if pinned else Tier.NEW
            data = CustomerData(
                name=name,
                phone=phones.make() if rng.random() < 0.95 else None,
                cnic=self._cnic(woman) if origin == "PK" and self.country == "PK" and rng.random() < 0.35 else None,
                email=self._email(latin) if rng.random() < 0.12 else None,
                address=self._address() if rng.random() < 0.35 else "",
                business=self._business(origin, latin) if group in ("Wholesale", "Corporate") else "",
                birth_date=self._birth_date() if rng.random() < 0.1 else None,
                notes=pick(rng, _CUSTOMER_NOTES) if rng.random() < 0.05 else "",
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
                data.credit_limit, data.tier.value, groups[group], created_at, archived, 0, 0,
                search_text(data), pinned,
            ))
            made.append(NewCustomer(cid, group, limit, tier, pinned, max(day, 0), 0.0 if archived else weight))
        return rows, made

    def _name(self, origin: str, woman: bool) -> tuple[str, tuple[str, str]]:
        """The name as written, and a Latin (first, last) for the email."""
        rng = self.rng
        if origin == "PK":
            first = pick(rng, _PK_WOMEN if woman else _PK_MEN)
            last = pick(rng, _PK_WOMEN_FAMILY) if woman and rng.random() < 0.2 else pick(rng, _PK_FAMILY)
            urdu = rng.random() < 0.1
            if not woman and rng.random() < 0.3 and first[0] not in ("Muhammad", "Abdullah"):
                # Muhammad Imran Khan: the most common way a Pakistani man's name begins.
                return f"{_PK_MEN[0][urdu]} {first[urdu]} {last[urdu]}", (first[0], last[0])
            return f"{first[urdu]} {last[urdu]}", (first[0], last[0])
        if origin == "KE":
            first, last = pick(rng, _KE_WOMEN if woman else _KE_MEN), pick(rng, _KE_FAMILY)
            if rng.random() < 0.2:  # Mary Wanjiku Njoroge
                return f"{first} {pick(rng, _KE_FAMILY)} {last}", (first, last)
            return f"{first} {last}", (first, last)
        if origin == "GH":
            first, last = pick(rng, _GH_WOMEN if woman else _GH_MEN), pick(rng, _GH_FAMILY)
            return f"{first} {last}", (first, last)
        first = pick(rng, _ID_WOMEN if woman else _ID_MEN)
        roll = rng.random()
        if roll < 0.25:  # many Indonesians go by one name
            return first, (first, "")
        if roll < 0.32:  # as a warung's khata often has it
            return f"{'Bu' if woman else 'Pak'} {first}", (first, "")
        last = pick(rng, _ID_FAMILY)
        return f"{first} {last}", (first, last)

    def _email(self, latin: tuple[str, str]) -> str:
        first, last = (p.lower().replace(" ", "") for p in latin)
        sep = pick(self.rng, (".", "", "_"))
        local = f"{first}{sep}{last}" if last else first
        return f"{local}{self.rng.randint(1, 99)}@{pick(self.rng, _EMAIL_DOMAINS)}"

    def _cnic(self, woman: bool) -> str:
        """District (first digit 1-7, the province), a serial, and the last digit: even for women."""
        rng = self.rng
        return f"{pick(rng, _CNIC_DISTRICTS)}{rng.randint(0, 9_999_999):07d}{rng.randrange(0 if woman else 1, 10, 2)}"

    def _address(self) -> str:
        rng = self.rng
        area = pick(rng, _AREAS.get(self.country, _AREAS["PK"]))
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
        return pick(self.rng, styles[origin])

    def _birth_date(self) -> dt.date:
        rng = self.rng
        return dt.date(self.start.year - rng.randint(18, 75), rng.randint(1, 12), rng.randint(1, 28))


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
            prefix = pick(rng, self.prefixes)
            length = pick(rng, self.lengths)
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
