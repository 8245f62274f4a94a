"""The compliance page: every checklist item with its setting and whether it holds, for the
security administrator only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import actions as account_actions
from accounts.models import RoleGrant
from accounts.roles import Role
from security import compliance

PAGE = reverse("security:compliance")


@pytest.fixture(autouse=True)
def policy(settings):
    settings.MOFAN_2FA_REQUIRED = "admins"
    return settings


def results():
    """The checks by their label (read in English: the page shows them translated)."""
    from django.utils import translation

    with translation.override("en"):
        return {str(check.label): check for _item, checks in compliance.run() for check in checks}


def secadmin_client(client, agency_tree):
    """The security administrator, past both factors."""
    from django_otp import DEVICE_ID_SESSION_KEY

    secadmin = agency_tree["secadmin"]
    device = TOTPDevice.objects.create(user=secadmin, name="app", confirmed=True)
    client.force_login(secadmin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_page_shows_every_item_with_its_setting(client, agency_tree):
    response = secadmin_client(client, agency_tree).get(PAGE)
    assert response.status_code == 200
    numbers = [item.number for item, _checks in response.context["items"]]
    assert numbers == list(range(1, 10))
    html = response.content.decode()
    for number in range(1, 10):
        assert f'data-testid="check-{number}"' in html
    assert "script-src &#x27;self&#x27;" in html or "script-src 'self'" in html


@pytest.mark.parametrize("who", ["staff_a", "office", "auditor", "sysadmin"])
def test_only_the_security_administrator_sees_it(client, agency_tree, policy, who):
    policy.MOFAN_2FA_REQUIRED = "none"
    client.force_login(agency_tree[who])
    assert client.get(PAGE).status_code == 403


def test_administrators_without_a_second_factor_are_named(agency_tree):
    check = results()["Second factor (TOTP)"]
    assert check.ok is False
    assert "系统管理员" in check.detail and "审计管理员" in check.detail
    for who in ("sysadmin", "secadmin", "auditor"):
        TOTPDevice.objects.create(user=agency_tree[who], name="app", confirmed=True)
    assert results()["Second factor (TOTP)"].ok is True


def test_switching_the_second_factor_off_does_not_hold(agency_tree, policy):
    for who in ("sysadmin", "secadmin", "auditor"):
        TOTPDevice.objects.create(user=agency_tree[who], name="app", confirmed=True)
    policy.MOFAN_2FA_REQUIRED = "none"
    assert results()["Second factor (TOTP)"].ok is False


def test_one_person_with_two_administrator_roles_does_not_hold(agency_tree):
    assert results()["One person, one administrator role"].ok is True
    with pytest.raises(ValidationError):
        account_actions.grant_role(None, person=agency_tree["sysadmin"], role=Role.AUDIT_ADMIN, unit=agency_tree["agency"])
    # The actions refuse it; the page must still tell when the database was changed by hand.
    RoleGrant.objects.create(person=agency_tree["sysadmin"], role=Role.AUDIT_ADMIN, unit=agency_tree["agency"])
    check = results()["One person, one administrator role"]
    assert check.ok is False and "系统管理员" in check.detail


def test_transport_holds_only_in_production_settings(db, settings):
    assert results()["HTTPS and cookies"].ok is False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    assert results()["HTTPS and cookies"].ok is True


def test_a_policy_allowing_inline_scripts_does_not_hold(db, settings):
    assert results()["Security headers"].ok is True
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}}
    assert results()["Security headers"].ok is False


def test_a_broken_check_is_shown_as_failed_and_the_others_still_run(db, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(compliance, "_checks", [*compliance._checks, (9, broken)])
    items = dict((item.number, checks) for item, checks in compliance.run())
    assert any(check.ok is False and "boom" in check.detail for check in items[9])
    assert items[1]


def test_the_last_backup_is_read_from_the_backup_folder(db, settings, tmp_path):
    settings.MOFAN_BACKUP_DIR = str(tmp_path)
    assert results()["Last backup"].ok is False
    (tmp_path / "mofan-backup.tar.gz").write_bytes(b"x")
    assert results()["Last backup"].ok is True


def _raw_update(table, column, value, where_id):
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", [value, where_id])


def test_an_audit_row_changed_by_hand_does_not_hold(agency_tree):
    pytest.importorskip("audit.chain")
    from audit.models import AuditEntry

    assert results()["Audit chain verifies"].ok is True
    entry = AuditEntry.objects.order_by("id").first()
    _raw_update(AuditEntry._meta.db_table, "summary", "changed by hand", entry.pk)
    check = results()["Audit chain verifies"]
    assert check.ok is False and str(entry.pk) in check.detail


def test_a_phone_number_stored_in_clear_does_not_hold(agency_tree, settings):
    from accounts.models import User

    settings.MOFAN_DATA_KEY = "a-production-data-key-of-at-least-32-characters"
    staff = agency_tree["staff_a"]
    check = results()["Encryption of personal data"]
    if check.ok is None:
        pytest.skip("core.crypto is not installed")
    assert check.ok is True, check.detail
    field = User._meta.get_field("phone")
    _raw_update(User._meta.db_table, field.column, "13912345678", staff.pk)
    assert results()["Encryption of personal data"].ok is False


def test_administrators_take_no_business_roles_and_the_page_tells_when_one_does(agency_tree):
    t = agency_tree
    with pytest.raises(ValidationError) as error:
        account_actions.grant_role(None, person=t["auditor"], role=Role.LEADER, unit=t["agency"])
    assert set(error.value.message_dict) == {"role"}
    with pytest.raises(ValidationError):
        account_actions.grant_role(None, person=t["office"], role=Role.SECURITY_ADMIN, unit=t["agency"])
    assert not RoleGrant.objects.filter(person__in=[t["auditor"], t["office"]], role__in=[Role.LEADER, Role.SECURITY_ADMIN]).exists()
    RoleGrant.objects.create(person=t["auditor"], role=Role.LEADER, unit=t["agency"])  # by hand, in the database
    check = results()["One person, one administrator role"]
    assert check.ok is False and "审计管理员" in check.detail


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_administrators_do_no_business_work_on_their_own_unit(client, agency_tree, settings, who):
    """Not even the reading and writing every staff member has on their own unit (三员分立)."""
    settings.MOFAN_2FA_REQUIRED = "none"
    from problems import actions as problem_actions

    admin = agency_tree[who]
    with pytest.raises(PermissionDenied):
        problem_actions.register_problem(admin, unit=admin.unit, title="管理员登记的问题")
    client.force_login(admin)
    for name in ("evidence:ledger", "problems:problems", "goals:notices"):
        assert client.get(reverse(name)).status_code in (403, 404), name


def test_the_security_administrator_reads_the_names_of_their_own_units_only(agency_tree):
    from accounts.roles import Role
    from core.context import Actor, acting_as
    from mofan.testing.factories import make_person, make_unit
    from organization.models import UnitKind

    other = make_unit(name="另一局", code="OTHER", kind=UnitKind.AGENCY)
    make_person(other, real_name="外局系统管理员", roles=[(Role.SYSTEM_ADMIN, other)])
    with acting_as(Actor(user=agency_tree["secadmin"])):
        check = results()["Second factor (TOTP)"]
    assert check.ok is False  # the installation as a whole does not hold
    assert "系统管理员" in check.detail and "外局系统管理员" not in check.detail and "1 in other units" in check.detail
