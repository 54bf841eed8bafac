"""The credit report's single SQL query agrees with the domain's FIFO ageing, on both backends."""

import datetime as dt
import random

from kiosk.domain.khata import ageing, balance
from kiosk.services import customers, khata
from kiosk.services.reports import credit_report, credit_report_json
from kiosk.store import khata as khata_store


def _random_books(shop, rng, n_customers=6, n_entries=60):
    today = dt.date(2026, 11, 22)
    ids = [customers.add(shop, name=f"Customer {i}").id for i in range(n_customers)]
    posted = []
    for _ in range(n_entries):
        cid = rng.choice(ids)
        date = today - dt.timedelta(days=rng.randint(0, 200))
        roll = rng.random()
        if roll < 0.55:
            posted.append(khata.give(shop, cid, rng.randint(1, 50_000), date=date, source="sale"))
        elif roll < 0.9:
            posted.append(khata.receive(shop, cid, rng.randint(1, 40_000), date=date))
        else:
            candidates = [e for e in posted if e.customer_id == cid and e.reverses_id is None
                          and not khata_store.is_reversed(e.id) and e.kind.value != "reversal"]
            if candidates:
                target = rng.choice(candidates)
                posted.append(khata.reverse(shop, target.id, reason="test",
                                            date=target.date + dt.timedelta(days=rng.randint(0, 20))))
    return ids


def test_sql_ageing_matches_the_domain_for_random_books_and_dates(shop):
    rng = random.Random(20261122)
    ids = _random_books(shop, rng)
    for as_of in (dt.date(2026, 11, 22), dt.date(2026, 9, 1), dt.date(2026, 6, 15), dt.date(2026, 1, 1)):
        rows = {r.customer_id: r for r in credit_report(shop, as_of).rows}
        for cid in ids:
            entries = khata_store.entries_for(cid)
            known = [e for e in entries if e.date <= as_of]
            if not known:
                assert cid not in rows
                continue
            expected = ageing(entries, as_of)
            assert rows[cid].ageing == expected.buckets, (cid, as_of)
            assert rows[cid].balance == balance(known), (cid, as_of)


def test_report_json_contract(shop):
    a = customers.add(shop, name="Owes", phone="0300 1234567", credit_limit=500_000)
    b = customers.add(shop, name="Advance")
    customers.add(shop, name="No History")
    today = dt.date(2026, 11, 22)
    khata.give(shop, a.id, 125_050, date=today - dt.timedelta(days=100), source="sale")
    khata.give(shop, a.id, 1_000, date=today - dt.timedelta(days=5))
    pay = khata.receive(shop, a.id, 25_000, date=today - dt.timedelta(days=2), method="jazzcash")
    khata.receive(shop, b.id, 9_999, date=today)
    report = credit_report_json(shop, credit_report(shop, today))
    assert report["as_of"] == "2026-11-22" and report["currency"] == "PKR"
    assert report["total_outstanding"] == "1010.50"  # advances are not netted
    by_name = {c["name"]: c for c in report["customers"]}
    assert set(by_name) == {"Owes", "Advance"}
    assert by_name["Owes"] == {
        "id": a.id, "name": "Owes", "phone": "+923001234567", "balance": "1010.50", "credit_limit": "5000.00",
        "ageing": {"0-30": "10.00", "31-60": "0.00", "61-90": "0.00", "90+": "1000.50"},
        "last_payment": pay.date.isoformat(),
    }
    assert by_name["Advance"]["balance"] == "-99.99" and by_name["Advance"]["credit_limit"] is None
