"""Lockout after failed logins, its audit, and the security administrator's unlock page."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditAction, AuditEntry
from mofan.testing.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.MOFAN_2FA_REQUIRED = "none"


def login(client, username, password=PASSWORD, ip="10.0.0.1", **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def fail(client, username, times, ip="10.0.0.1", **extra):
    return [login(client, username, "wrong-Pass-1", ip=ip, **extra) for _ in range(times)]


def message(response):
    return re.search(r'data-testid="lockout-message">(.*?)</div>', response.content.decode()).group(1)


def test_four_failures_do_not_lock(client, agency_tree):
    responses = fail(client, "staff_a", 4)
    assert all(response.status_code == 200 for response in responses)
    assert login(client, "staff_a").status_code == 302


def test_the_fifth_failure_locks_the_username_even_with_the_right_password(client, agency_tree):
    responses = fail(client, "staff_a", 5)
    assert responses[-1].status_code == 429
    assert 'data-testid="lockout-message"' in responses[-1].content.decode() and responses[-1].context["minutes"] == 15
    refused = login(client, "staff_a", ip="10.0.0.2")  # another address does not help
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_unknown_username_gets_exactly_the_same_refusal(client, agency_tree):
    known = fail(client, "staff_a", 5, ip="10.0.0.1")[-1]
    unknown = fail(client, "nobody-here", 5, ip="10.0.0.2")[-1]
    assert known.status_code == unknown.status_code == 429
    assert message(known) == message(unknown)
    assert "staff_a" not in known.content.decode()


def test_the_lockout_ends_after_fifteen_minutes(client, agency_tree):
    fail(client, "staff_a", 5)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14))
    assert login(client, "staff_a").status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=2))
    assert login(client, "staff_a").status_code == 302


def test_the_limit_and_duration_are_settings(client, agency_tree, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert fail(client, "staff_a", 3)[-1].status_code == 429


def test_five_failures_from_one_address_lock_the_address(client, agency_tree):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        fail(client, name, 1, ip="10.0.0.9")
    assert login(client, "staff_a", ip="10.0.0.9").status_code == 429
    assert login(client, "staff_a", ip="10.0.0.10").status_code == 302


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(client, agency_tree, settings):
    settings.MOFAN_TRUST_X_FORWARDED_FOR = True
    for number, name in enumerate(("a1", "a2", "a3", "a4", "a5")):
        fail(client, name, 1, ip="192.168.0.1", HTTP_X_FORWARDED_FOR=f"10.1.0.{number}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {f"10.1.0.{n}" for n in range(5)}
    # The proxy's own address is not locked: five clients behind it failed once each.
    assert login(client, "staff_a", ip="192.168.0.1", HTTP_X_FORWARDED_FOR="10.1.0.99").status_code == 302


def test_an_untrusted_forwarded_header_is_ignored(client, agency_tree):
    for number, name in enumerate(("a1", "a2", "a3", "a4", "a5")):
        fail(client, name, 1, ip="192.168.0.1", HTTP_X_FORWARDED_FOR=f"10.1.0.{number}")
    assert login(client, "staff_a", ip="192.168.0.1", HTTP_X_FORWARDED_FOR="10.1.0.99").status_code == 429


def test_usernames_are_counted_whatever_their_case(client, agency_tree):
    for number, name in enumerate(("staff_a", "STAFF_A", "Staff_A", " staff_a", "sTaff_a")):
        fail(client, name, 1, ip=f"10.0.1.{number}")
    assert login(client, "staff_a", ip="10.0.2.1").status_code == 429


def test_every_failure_success_and_lockout_is_audited(client, agency_tree):
    fail(client, "staff_a", 5)
    login(client, "staff_a")  # refused while locked
    login(client, "office", ip="10.0.0.3")
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, summary="staff_a").count() == 6
    locks = AuditEntry.objects.filter(action="login_locked").order_by("id")
    assert locks.count() == 2
    assert "5" in locks[0].summary and "staff_a" in locks[0].summary
    assert locks[0].ip == "10.0.0.1"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor__username="office").exists()


# --- The security administrator's page ---------------------------------------------------------------


def test_the_security_administrator_sees_and_unlocks_a_lockout(client, agency_tree):
    fail(client, "staff_a", 5, ip="10.0.0.1")
    fail(client, "nobody-here", 5, ip="10.0.0.2")
    admin = agency_tree["secadmin"]
    client.force_login(admin)
    page = client.get(reverse("security:lockout_list"))
    assert page.status_code == 200
    locked = {(lock.kind, lock.value) for lock in page.context["lockouts"]}
    assert locked == {("username", "staff_a"), ("username", "nobody-here"), ("ip_address", "10.0.0.1"), ("ip_address", "10.0.0.2")}
    assert "张甲" in page.content.decode()

    response = client.post(reverse("security:lockout_unlock"), {"kind": "username", "value": "staff_a"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="login_unlocked")
    assert entry.actor == admin and "staff_a" in entry.summary
    client.post(reverse("security:lockout_unlock"), {"kind": "ip_address", "value": "10.0.0.1"})
    client.logout()
    assert login(client, "staff_a", ip="10.0.0.1").status_code == 302


def test_unlocking_an_address_leaves_the_username_locked_and_the_other_way_round(client, agency_tree):
    fail(client, "staff_a", 5, ip="10.0.0.1")
    client.force_login(agency_tree["secadmin"])
    client.post(reverse("security:lockout_unlock"), {"kind": "ip_address", "value": "10.0.0.1"})
    client.logout()
    assert login(client, "staff_b", ip="10.0.0.1").status_code == 302  # the address is free again
    client.logout()
    assert login(client, "staff_a", ip="10.0.0.1").status_code == 429  # the name is still locked
    fail(client, "staff_b", 5, ip="10.0.0.3")
    client.force_login(agency_tree["secadmin"])
    client.post(reverse("security:lockout_unlock"), {"kind": "username", "value": "staff_b"})
    client.logout()
    assert login(client, "staff_b", ip="10.0.0.4").status_code == 302
    client.logout()
    assert login(client, "office", ip="10.0.0.3").status_code == 429  # the address is still locked


def test_a_business_user_cannot_open_or_use_the_lockout_page(client, agency_tree):
    fail(client, "staff_a", 5)
    for name in ("office", "staff_b"):
        client.force_login(agency_tree[name])
        assert client.get(reverse("security:lockout_list")).status_code == 403
        assert client.post(reverse("security:lockout_unlock"), {"kind": "username", "value": "staff_a"}).status_code == 403
    client.logout()
    assert login(client, "staff_a", ip="10.0.0.5").status_code == 429


def test_the_audit_and_system_administrators_cannot_unlock(client, agency_tree):
    fail(client, "staff_a", 5)
    for name in ("auditor", "sysadmin"):
        client.force_login(agency_tree[name])
        assert client.get(reverse("security:lockout_list")).status_code == 403
        assert client.post(reverse("security:lockout_unlock"), {"kind": "username", "value": "staff_a"}).status_code == 403
    assert not AuditEntry.objects.filter(action="login_unlocked").exists()


def test_a_security_administrator_of_another_unit_does_not_see_the_lockout(client, agency_tree):
    county_admin = make_person(agency_tree["county_dept"], username="county_sec", roles=[(Role.SECURITY_ADMIN, agency_tree["county"])])
    fail(client, "staff_a", 5, ip="10.0.0.1")
    client.force_login(county_admin)
    page = client.get(reverse("security:lockout_list"))
    assert ("username", "staff_a") not in {(lock.kind, lock.value) for lock in page.context["lockouts"]}
    assert client.post(reverse("security:lockout_unlock"), {"kind": "username", "value": "staff_a"}).status_code == 404
    assert AccessAttempt.objects.filter(username="staff_a").exists()


def test_unlocking_what_is_not_locked_is_not_found(client, agency_tree):
    client.force_login(agency_tree["secadmin"])
    assert client.post(reverse("security:lockout_unlock"), {"kind": "username", "value": "staff_b"}).status_code == 404
    assert client.get(reverse("security:lockout_unlock")).status_code == 405
