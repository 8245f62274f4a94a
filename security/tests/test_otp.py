"""The second factor: enrolment with a real TOTP code, the code step after the password, recovery
codes, who is forced to enrol, and the security administrator's reset."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from security import otp

ENROL = reverse("security:otp_enrol")
VERIFY = reverse("security:otp_verify")
PEOPLE = reverse("people:list")


@pytest.fixture(autouse=True)
def policy(settings):
    """The shipped default, whatever the rest of the suite runs with."""
    settings.MOFAN_2FA_REQUIRED = "admins"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return settings


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def enrolled_device(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    recovery.token_set.create(token="abcd2345ef")
    return device


def password_login(client, user, password):
    return client.post(reverse("accounts:login"), {"username": user.username, "password": password})


def verified_login(client, user):
    """A session that has passed both factors (as after the code step)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrolled_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def actions_of(user):
    return list(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).values_list("action", flat=True))


def test_an_administrator_without_a_device_is_sent_to_enrolment_and_can_do_nothing_else(client, agency_tree, password):
    sysadmin = agency_tree["sysadmin"]
    response = password_login(client, sysadmin, password)
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith(ENROL)

    people = client.get(PEOPLE)
    assert people.status_code == 302 and people.url.startswith(ENROL)
    assert client.get("/api/v1/units/").status_code == 403
    hx = client.get(PEOPLE, headers={"HX-Request": "true"})
    assert hx.headers["HX-Redirect"] == ENROL

    page = client.get(ENROL)
    assert page.status_code == 200
    assert b"<svg" in page.content and otp.secret_text(TOTPDevice.objects.get(user=sysadmin)).encode() in page.content


def test_enrolment_with_a_real_code_shows_ten_recovery_codes_once(client, agency_tree, password):
    sysadmin = agency_tree["sysadmin"]
    password_login(client, sysadmin, password)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=sysadmin, confirmed=False)

    response = client.post(ENROL, {"code": code_for(device), "next": PEOPLE})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response.url)
    codes = [token.token for token in StaticToken.objects.filter(device__user=sysadmin)]
    assert len(codes) == 10
    assert all(code.encode() in codes_page.content for code in codes)
    assert client.get(response.url).status_code == 302  # shown once
    assert client.get(PEOPLE).status_code == 200
    assert "otp_enrolled" in actions_of(sysadmin)


def test_a_wrong_code_is_refused_at_enrolment(client, agency_tree, password):
    sysadmin = agency_tree["sysadmin"]
    password_login(client, sysadmin, password)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=sysadmin)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"

    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.filter(user=sysadmin).exists()
    assert client.get(PEOPLE).status_code == 302
    assert "otp_failed" in actions_of(sysadmin)


def test_a_user_with_a_device_must_pass_the_code_step_after_the_password(client, agency_tree, password):
    staff = agency_tree["staff_a"]
    device = enrolled_device(staff)
    password_login(client, staff, password)
    response = client.get(PEOPLE)
    assert response.status_code == 302 and response.url.startswith(VERIFY)

    refused = client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111", "next": PEOPLE})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert client.get(PEOPLE).status_code == 302
    assert "otp_failed" in actions_of(staff)

    response = client.post(VERIFY, {"code": code_for(device), "next": PEOPLE})
    assert response.status_code == 302 and response.url == PEOPLE
    assert client.get(PEOPLE).status_code == 200


def test_the_next_address_of_the_code_step_stays_on_this_site(client, agency_tree, password):
    staff = agency_tree["staff_a"]
    device = enrolled_device(staff)
    password_login(client, staff, password)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response.url == reverse("core:workbench")


def test_a_recovery_code_works_once(client, agency_tree, password):
    staff = agency_tree["staff_a"]
    enrolled_device(staff)
    password_login(client, staff, password)
    response = client.post(VERIFY, {"code": "ABCD 2345 EF", "next": PEOPLE})
    assert response.status_code == 302 and response.url == PEOPLE
    assert client.get(PEOPLE).status_code == 200
    assert "otp_recovery_used" in actions_of(staff)

    client.post(reverse("accounts:logout"))
    password_login(client, staff, password)
    again = client.post(VERIFY, {"code": "abcd2345ef"})
    assert again.status_code == 200 and again.context["form"].errors
    assert client.get(PEOPLE).status_code == 302


def test_business_users_are_not_forced_by_default(client, agency_tree, password):
    password_login(client, agency_tree["staff_a"], password)
    assert client.get(PEOPLE).status_code == 200


def test_everyone_is_forced_when_the_setting_says_all(client, agency_tree, password, policy):
    policy.MOFAN_2FA_REQUIRED = "all"
    password_login(client, agency_tree["staff_a"], password)
    response = client.get(PEOPLE)
    assert response.status_code == 302 and response.url.startswith(ENROL)


def test_nobody_is_forced_when_the_setting_says_none_but_a_device_still_counts(client, agency_tree, password, policy):
    policy.MOFAN_2FA_REQUIRED = "none"
    password_login(client, agency_tree["sysadmin"], password)
    assert client.get(PEOPLE).status_code == 200
    client.post(reverse("accounts:logout"))
    enrolled_device(agency_tree["staff_a"])
    password_login(client, agency_tree["staff_a"], password)
    assert client.get(PEOPLE).url.startswith(VERIFY)


def test_a_session_without_the_login_state_is_worked_out_on_its_first_request(client, agency_tree):
    client.force_login(agency_tree["auditor"])
    session = client.session
    session.pop(otp.STATE_SESSION_KEY, None)
    session.save()
    assert client.get(reverse("audit:list")).url.startswith(ENROL)


def test_an_enrolled_user_cannot_enrol_a_second_app(client, agency_tree, password):
    staff = agency_tree["staff_a"]
    enrolled_device(staff)
    password_login(client, staff, password)
    response = client.get(ENROL)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_a_verified_user_renews_recovery_codes(client, agency_tree):
    staff = agency_tree["staff_a"]
    verified_login(client, staff)
    assert client.get(reverse("security:otp_status")).status_code == 200
    response = client.post(reverse("security:otp_codes"))
    page = client.get(response.url)
    codes = list(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(codes) == 10 and "abcd2345ef" not in codes
    assert all(code.encode() in page.content for code in codes)


def test_the_security_administrator_resets_a_second_factor(client, agency_tree, policy):
    staff, secadmin = agency_tree["staff_a"], agency_tree["secadmin"]
    enrolled_device(staff)
    staff_client = client.__class__()
    verified_login(staff_client, staff)
    assert staff_client.get(PEOPLE).status_code == 200

    verified_login(client, secadmin)
    listing = client.get(reverse("security:otp_people"), {"enrolled": "1"})
    assert {person.username for person in listing.context["page_obj"]} == {"staff_a", "secadmin"}
    response = client.post(reverse("security:otp_reset", args=[staff.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists() and not StaticDevice.objects.filter(user=staff).exists()
    assert "otp_reset" in actions_of(staff)

    # The reset session is no longer verified: under "all" the user must enrol again at once.
    policy.MOFAN_2FA_REQUIRED = "all"
    assert staff_client.get(PEOPLE).url.startswith(VERIFY)
    assert staff_client.get(VERIFY).url == ENROL
    assert staff_client.get(PEOPLE).url.startswith(ENROL)


@pytest.mark.parametrize("who", ["sysadmin", "auditor", "office", "staff_b"])
def test_only_the_security_administrator_may_reset(client, agency_tree, policy, who):
    policy.MOFAN_2FA_REQUIRED = "none"
    staff = agency_tree["staff_a"]
    enrolled_device(staff)
    client.force_login(agency_tree[who])
    assert client.post(reverse("security:otp_reset", args=[staff.pk])).status_code == 403
    assert client.get(reverse("security:otp_people")).status_code == 403
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_a_county_security_administrator_cannot_reach_the_agency(client, agency_tree, policy):
    from accounts.roles import Role
    from mofan.testing.factories import make_person

    policy.MOFAN_2FA_REQUIRED = "none"
    county_secadmin = make_person(agency_tree["county_dept"], roles=[(Role.SECURITY_ADMIN, agency_tree["county"])])
    staff = agency_tree["staff_a"]
    enrolled_device(staff)
    client.force_login(county_secadmin)
    assert client.post(reverse("security:otp_reset", args=[staff.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_the_security_administrator_cannot_reset_their_own(client, agency_tree):
    secadmin = agency_tree["secadmin"]
    verified_login(client, secadmin)
    client.post(reverse("security:otp_reset", args=[secadmin.pk]))
    assert TOTPDevice.objects.filter(user=secadmin).exists()
