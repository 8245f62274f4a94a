"""The password policy: strength, history, the forced change of an issued or expired password."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import actions as account_actions
from audit.models import AuditEntry
from core.context import Actor, acting_as
from mofan.testing.factories import PASSWORD
from security.models import PasswordHistory, PasswordState
from security.passwords import CHANGE_SESSION_KEY

pytestmark = pytest.mark.django_db

NEW = "Neu-Kennwort-77"


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.MOFAN_2FA_REQUIRED = "none"


def codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def change(client, old, new, **extra):
    return client.post(reverse("security:password_change"), {"old_password": old, "new_password1": new, "new_password2": new, **extra})


# --- Strength -------------------------------------------------------------------------------------


def test_short_passwords_are_refused():
    assert "password_too_short" in codes("Ab1!xyz")
    assert codes("Ab1!xyzw") == set()


def test_three_of_four_character_classes_are_needed():
    assert "password_too_simple" in codes("onlylowercase1")  # two classes
    assert "password_too_simple" in codes("UPPERlowercase")
    assert codes("lowerUPPER9") == set()  # three classes
    assert codes("lower-digits-9") == set()  # lower, symbol, digit


def test_the_number_of_classes_is_a_setting(settings):
    settings.MOFAN_PASSWORD_MIN_CLASSES = 4
    assert "password_too_simple" in codes("lowerUPPER9")
    assert codes("lowerUPPER9!") == set()


def test_common_passwords_are_refused_from_both_lists():
    assert "password_too_common" in codes("Qwerty123")  # Django's 20,000 common passwords
    assert "password_too_common" in codes("Admin@123")  # the local list
    assert "password_too_common" in codes("1qaz@WSX")
    assert "password_too_common" in codes("Mofan@2026demo")  # the published demo password


def test_the_current_and_the_five_previous_passwords_cannot_be_chosen_again(agency_tree):
    person = agency_tree["staff_a"]
    used = [f"Kennwort-{n}x" for n in range(7)]
    with acting_as(Actor(user=person)):
        for password in used:
            person.set_password(password)
            person.save()
    assert PasswordHistory.objects.filter(user=person).count() == 6
    for recent in used[1:]:  # the current one (used[6]) and the five before it
        assert "password_reused" in codes(recent, person)
    assert codes(used[0], person) == set()  # six passwords before the current one


def test_the_history_length_is_a_setting(agency_tree, settings):
    settings.MOFAN_PASSWORD_HISTORY = 2
    person = agency_tree["staff_a"]
    with acting_as(Actor(user=person)):
        for password in ("Kennwort-1x", "Kennwort-2x", "Kennwort-3x", "Kennwort-4x"):
            person.set_password(password)
            person.save()
    assert "password_reused" in codes("Kennwort-2x", person)
    assert codes("Kennwort-1x", person) == set()


# --- Issued passwords -------------------------------------------------------------------------------


def test_the_system_administrator_issues_a_password_that_must_be_changed_at_login(client, agency_tree):
    t = agency_tree
    client.force_login(t["sysadmin"])
    page = client.post(reverse("people:issue_password", args=[t["staff_a"].pk]))
    assert page.status_code == 200
    issued = page.context["password"]
    assert codes(issued) == set() and issued in page.content.decode()
    entry = AuditEntry.objects.get(action="password_issued")
    assert entry.actor == t["sysadmin"] and issued not in str(entry.before) + str(entry.after) + entry.summary
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "staff_a", "password": issued})
    assert response.status_code == 302
    assert client.get(reverse("core:workbench")).url.startswith(reverse("security:password_change"))


def test_an_administrator_account_is_not_taken_over_by_another_administrator(client, agency_tree):
    t = agency_tree
    client.force_login(t["sysadmin"])
    for admin in ("secadmin", "auditor"):
        assert client.post(reverse("people:issue_password", args=[t[admin].pk])).status_code == 403
        assert client.post(reverse("people:disable", args=[t[admin].pk])).status_code == 403
    t["auditor"].refresh_from_db()
    assert t["auditor"].is_active and t["auditor"].check_password(PASSWORD)
    client.force_login(t["county_staff"])  # no right to change people at all
    assert client.post(reverse("people:issue_password", args=[t["staff_a"].pk])).status_code == 404


def test_a_password_set_by_someone_else_is_issued(agency_tree):
    person = account_actions.create_person(None, username="newbie", password="Issued-Pass-1", real_name="新人", unit=agency_tree["dept_a"])
    assert PasswordState.objects.get(user=person).must_change
    staff = agency_tree["staff_b"]
    with acting_as(Actor(user=agency_tree["sysadmin"])):
        account_actions.set_password(agency_tree["sysadmin"], staff, "Reset-Pass-22")
    assert PasswordState.objects.get(user=staff).must_change


def test_make_person_passwords_count_as_chosen(agency_tree):
    assert not PasswordState.objects.get(user=agency_tree["staff_a"]).must_change


def test_first_login_with_an_issued_password_forces_a_change(client, agency_tree):
    account_actions.create_person(None, username="newbie", password="Issued-Pass-1", real_name="新人", unit=agency_tree["dept_a"])
    response = login(client, "newbie", "Issued-Pass-1")
    assert response.status_code == 302
    workbench = client.get(reverse("core:workbench"))
    assert workbench.status_code == 302 and workbench["Location"].startswith(reverse("security:password_change"))
    assert client.get(reverse("organization:tree")).status_code == 302
    page = client.get(reverse("security:password_change"))
    assert page.status_code == 200 and page.context["reason"] == "issued"
    assert client.get("/static/core/mofan.js").status_code in (200, 404)  # never sent to the change page
    assert client.get("/api/v1/units/", HTTP_ACCEPT="application/json").status_code == 403

    response = change(client, "Issued-Pass-1", NEW)
    assert response.status_code == 302
    assert client.get(reverse("core:workbench")).status_code == 200
    state = PasswordState.objects.get(user__username="newbie")
    assert not state.must_change
    assert AuditEntry.objects.filter(action="password_changed", object_id=str(state.user_id)).exists()


def test_logout_stays_open_during_a_forced_change(client, agency_tree):
    account_actions.create_person(None, username="newbie", password="Issued-Pass-1", real_name="新人", unit=agency_tree["dept_a"])
    login(client, "newbie", "Issued-Pass-1")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and reverse("security:password_change") not in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_weak_or_reused_new_password_changes_nothing(client, agency_tree):
    person = agency_tree["staff_a"]
    client.force_login(person)
    for bad in ("short1A", "alllowercaseletters", PASSWORD):
        response = change(client, PASSWORD, bad)
        assert response.status_code == 200 and response.context["form"].errors
    assert change(client, "wrong-old-pass-1A", NEW).context["form"].errors["old_password"]
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_validators_speak_chinese(client, agency_tree):
    client.force_login(agency_tree["staff_a"])
    page = change(client, PASSWORD, "Qwerty123").content.decode()
    assert "这个密码太常见了" in page


# --- Expiry ---------------------------------------------------------------------------------------------


def _age(person, days):
    PasswordState.objects.filter(user=person).update(changed_at=timezone.now() - timedelta(days=days))


def test_a_password_older_than_90_days_must_be_changed_at_login(client, agency_tree):
    person = agency_tree["staff_a"]
    _age(person, 91)
    login(client, "staff_a")
    assert client.session[CHANGE_SESSION_KEY] == "expired"
    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:password_change"))
    change(client, PASSWORD, NEW)
    assert client.get(reverse("core:workbench")).status_code == 200
    assert PasswordState.objects.get(user=person).changed_at > timezone.now() - timedelta(minutes=1)


def test_a_password_younger_than_the_limit_is_fine(client, agency_tree):
    _age(agency_tree["staff_a"], 89)
    login(client, "staff_a")
    assert client.get(reverse("core:workbench")).status_code == 200


def test_the_expiry_is_a_setting(client, agency_tree, settings):
    settings.MOFAN_PASSWORD_MAX_AGE_DAYS = 0  # never
    _age(agency_tree["staff_a"], 400)
    login(client, "staff_a")
    assert client.get(reverse("core:workbench")).status_code == 200


def test_an_account_without_a_recorded_password_age_starts_counting_at_login(client, agency_tree):
    person = agency_tree["staff_a"]
    PasswordState.objects.filter(user=person).delete()  # e.g. the demo's shared hash
    login(client, "staff_a")
    assert client.get(reverse("core:workbench")).status_code == 200
    assert not PasswordState.objects.get(user=person).must_change


def test_changing_the_password_ends_the_other_sessions(client, agency_tree):
    from django.test import Client

    person = agency_tree["staff_a"]
    other = Client()
    other.force_login(person)
    client.force_login(person)
    change(client, PASSWORD, NEW)
    assert client.get(reverse("core:workbench")).status_code == 200
    assert other.get(reverse("core:workbench")).status_code == 302


def test_the_change_page_needs_login(client):
    response = client.get(reverse("security:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_second_factor_comes_before_the_forced_change(client, agency_tree, settings):
    """A stolen issued password alone must not let the thief set a password of their own."""
    settings.MOFAN_2FA_REQUIRED = "admins"
    admin = agency_tree["secadmin"]
    # Set on the server (an administrator's password is not issued through another administrator).
    account_actions.set_password(None, admin, "Issued-Pass-1")
    login(client, "secadmin", "Issued-Pass-1")
    response = client.get(reverse("security:password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security:otp_enrol"))
    assert change(client, "Issued-Pass-1", NEW).status_code == 302
    admin.refresh_from_db()
    assert admin.check_password("Issued-Pass-1")
