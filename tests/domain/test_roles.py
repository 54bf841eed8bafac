"""The permission table: what the issue says each role may do."""

import pytest

from kiosk.domain.roles import RULES, Permission, Role, allowed, refusal, who_may


def test_every_permission_has_a_rule_and_owners_may_do_everything():
    assert set(RULES) == set(Permission)
    assert all(allowed("owner", p) for p in Permission)


def test_a_viewer_reads_and_changes_nothing():
    reads = {Permission.READ_CUSTOMERS, Permission.READ_REPORTS, Permission.CHECK}
    assert {p for p in Permission if allowed("viewer", p)} == reads


@pytest.mark.parametrize("permission", [Permission.SELL, Permission.ADD_CUSTOMER, Permission.TAKE_PAYMENT,
                                        Permission.PARK, Permission.READ_CUSTOMERS])
def test_a_cashier_sells_adds_customers_and_takes_payments(permission):
    assert allowed("cashier", permission)


@pytest.mark.parametrize("permission", [Permission.REFUND, Permission.APPROVE, Permission.REVERSE,
                                        Permission.READ_REPORTS, Permission.EXPORT, Permission.EDIT_CUSTOMER,
                                        Permission.ARCHIVE_CUSTOMER, Permission.EDIT_SETTINGS,
                                        Permission.RUN_LOYALTY])
def test_manager_work_is_refused_to_cashiers(permission):
    assert not allowed("cashier", permission) and allowed("manager", permission)


@pytest.mark.parametrize("permission", [Permission.MANAGE_USERS, Permission.EDIT_SHOP, Permission.EXPORT_UNMASKED,
                                        Permission.BACKUP])
def test_owner_only_work(permission):
    assert [r for r in Role if allowed(r.value, permission)] == [Role.OWNER]


def test_refusals_read_as_one_line():
    assert refusal("Sana", "cashier", Permission.REFUND) == \
        "Sana is a cashier: only managers and owners can refund a sale"
    assert refusal(None, None, Permission.SELL) == "nobody is logged in: only cashiers, managers and owners can sell"
    assert who_may(Permission.MANAGE_USERS) == "owners" and not allowed(None, Permission.READ_CUSTOMERS)
