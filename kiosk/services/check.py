"""`kiosk check`: prove the books are whole. Each problem is one line a person can act on."""

from __future__ import annotations

from kiosk.domain.roles import Permission
from kiosk.services.access import require
from kiosk.services.context import Context
from kiosk.store import integrity


def check(ctx: Context) -> list[str]:
    require(ctx, Permission.CHECK)
    money = ctx.shop.money
    problems = [
        f"customer {cid} ({name}): cached balance {money(cached)} but entries sum to {money(actual)}"
        for cid, name, cached, actual in integrity.balance_mismatches()
    ]
    problems += [f"khata entry {eid} {why}" for eid, why in integrity.bad_reversals()]
    problems += [f"khata entry {eid} {why}" for eid, why in integrity.bad_entries()]
    problems += integrity.orphans()
    problems += integrity.points_problems()
    problems += integrity.sale_problems()
    problems += integrity.audit_chain_problems()
    from kiosk.services.customer_list import mismatches  # the till's list table (migration 0012's triggers)

    problems += [f"{line} (the customers list)" for line in mismatches(ctx)]
    return problems
