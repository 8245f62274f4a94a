"""Sessions: idle timeout, absolute lifetime, logout and disabling end all sessions, and the
administrators' page of a person's sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts import actions as account_actions
from accounts.roles import Role
from audit.models import AuditEntry
from mofan.testing.factories import PASSWORD, make_person
from security.models import UserSession
from security.sessions import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db

WORKBENCH = "core:workbench"


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    settings.MOFAN_2FA_REQUIRED = "none"


def logged_in(person):
    client = Client()
    client.force_login(person)
    return client


def shift(client, **seconds):
    """Moves the session's clocks back, as if that much time had passed."""
    session = client.session
    for key, name in ((LOGIN_AT, "login"), (SEEN_AT, "seen")):
        session[key] -= seconds.get(name, 0)
    session.save()


def is_logged_out(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_login_is_kept_with_its_address_and_browser(client, agency_tree):
    client.post(
        reverse("accounts:login"),
        {"username": "staff_a", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.7",
        HTTP_USER_AGENT="TestBrowser/1.0",
    )
    row = UserSession.objects.get(user=agency_tree["staff_a"])
    assert row.session_key == client.session.session_key
    assert row.ip == "10.0.0.7" and row.user_agent == "TestBrowser/1.0"


def test_fourteen_idle_minutes_are_fine(agency_tree):
    client = logged_in(agency_tree["staff_a"])
    shift(client, seen=14 * 60, login=14 * 60)
    assert client.get(reverse(WORKBENCH)).status_code == 200
    # The activity was noted: another fourteen minutes are fine too.
    shift(client, seen=14 * 60, login=14 * 60)
    assert client.get(reverse(WORKBENCH)).status_code == 200


def test_sixteen_idle_minutes_end_the_session(agency_tree):
    person = agency_tree["staff_a"]
    client = logged_in(person)
    key = client.session.session_key
    shift(client, seen=16 * 60, login=16 * 60)
    response = client.get(reverse(WORKBENCH))
    assert is_logged_out(response)
    assert "next=" in response["Location"]
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()
    assert AuditEntry.objects.filter(action="session_expired", object_id=str(person.pk)).exists()
    assert is_logged_out(client.get(reverse(WORKBENCH)))


def test_an_idle_timeout_ends_only_that_session(agency_tree):
    person = agency_tree["staff_a"]
    idle, busy = logged_in(person), logged_in(person)
    shift(idle, seen=16 * 60)
    assert is_logged_out(idle.get(reverse(WORKBENCH)))
    assert busy.get(reverse(WORKBENCH)).status_code == 200


def test_the_idle_timeout_is_a_setting(agency_tree, settings):
    settings.MOFAN_SESSION_IDLE_SECONDS = 5 * 60
    client = logged_in(agency_tree["staff_a"])
    shift(client, seen=6 * 60)
    assert is_logged_out(client.get(reverse(WORKBENCH)))


def test_a_busy_session_still_ends_eight_hours_after_login(agency_tree):
    client = logged_in(agency_tree["staff_a"])
    shift(client, login=8 * 3600 - 60)
    assert client.get(reverse(WORKBENCH)).status_code == 200
    shift(client, login=120)
    assert is_logged_out(client.get(reverse(WORKBENCH)))


def test_an_htmx_request_of_an_ended_session_is_sent_to_the_login_page(agency_tree):
    client = logged_in(agency_tree["staff_a"])
    shift(client, seen=16 * 60)
    response = client.get(reverse(WORKBENCH), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_logout_ends_every_session_of_the_person(agency_tree):
    person = agency_tree["staff_a"]
    laptop, phone, colleague = logged_in(person), logged_in(person), logged_in(agency_tree["staff_b"])
    laptop.post(reverse("accounts:logout"))
    assert is_logged_out(phone.get(reverse(WORKBENCH)))
    assert not UserSession.objects.filter(user=person).exists()
    assert colleague.get(reverse(WORKBENCH)).status_code == 200


def test_disabling_an_account_ends_its_sessions(agency_tree):
    person = agency_tree["staff_a"]
    phone = logged_in(person)
    account_actions.set_person_active(agency_tree["sysadmin"], person, False)
    assert is_logged_out(phone.get(reverse(WORKBENCH)))
    assert not UserSession.objects.filter(user=person).exists()


# --- The administrators' page ------------------------------------------------------------------------


def test_the_security_administrator_lists_and_ends_a_persons_sessions(agency_tree):
    person = agency_tree["staff_a"]
    phone, laptop = logged_in(person), logged_in(person)
    admin = logged_in(agency_tree["secadmin"])
    listing = admin.get(reverse("security:session_list"))
    assert listing.status_code == 200
    row = next(p for p in listing.context["page_obj"] if p.pk == person.pk)
    assert row.session_count == 2
    detail = admin.get(reverse("security:session_person", args=[person.pk]))
    assert detail.status_code == 200 and len(detail.context["sessions"]) == 2

    response = admin.post(reverse("security:session_end", args=[person.pk]))
    assert response.status_code == 302
    assert is_logged_out(phone.get(reverse(WORKBENCH)))
    assert is_logged_out(laptop.get(reverse(WORKBENCH)))
    entry = AuditEntry.objects.get(action="sessions_ended")
    assert entry.actor == agency_tree["secadmin"] and entry.object_id == str(person.pk) and "2" in entry.summary
    assert admin.get(reverse(WORKBENCH)).status_code == 200


def test_the_system_administrator_may_end_sessions_too(agency_tree):
    person = agency_tree["staff_b"]
    phone = logged_in(person)
    admin = logged_in(agency_tree["sysadmin"])
    assert admin.post(reverse("security:session_end", args=[person.pk])).status_code == 302
    assert is_logged_out(phone.get(reverse(WORKBENCH)))


def test_the_list_shows_only_people_with_sessions_unless_searched(agency_tree):
    logged_in(agency_tree["staff_a"])
    admin = logged_in(agency_tree["secadmin"])
    shown = {p.username for p in admin.get(reverse("security:session_list")).context["page_obj"]}
    assert "staff_a" in shown and "staff_b" not in shown
    searched = admin.get(reverse("security:session_list"), {"q": "李乙"}).context["page_obj"]
    assert [p.username for p in searched] == ["staff_b"] and searched[0].session_count == 0


def test_idle_sessions_are_not_listed_as_open(agency_tree):
    person = agency_tree["staff_a"]
    phone = logged_in(person)
    shift(phone, seen=16 * 60)
    UserSession.objects.filter(user=person).update(last_seen=UserSession.objects.get(user=person).last_seen.replace(year=2000))
    admin = logged_in(agency_tree["secadmin"])
    assert admin.get(reverse("security:session_person", args=[person.pk])).context["sessions"].count() == 0


@pytest.mark.parametrize("name", ["staff_b", "office", "auditor"])
def test_business_users_and_the_auditor_cannot_open_the_sessions_pages(agency_tree, name):
    person = agency_tree["staff_a"]
    phone = logged_in(person)
    other = logged_in(agency_tree[name])
    assert other.get(reverse("security:session_list")).status_code == 403
    assert other.get(reverse("security:session_person", args=[person.pk])).status_code == 403
    assert other.post(reverse("security:session_end", args=[person.pk])).status_code == 403
    assert phone.get(reverse(WORKBENCH)).status_code == 200


def test_an_administrator_of_another_unit_cannot_end_sessions_outside_it(agency_tree):
    county_admin = make_person(agency_tree["county_dept"], username="county_sec", roles=[(Role.SECURITY_ADMIN, agency_tree["county"])])
    person = agency_tree["staff_a"]
    phone = logged_in(person)
    admin = logged_in(county_admin)
    assert admin.get(reverse("security:session_list")).status_code == 200
    assert person.pk not in {p.pk for p in admin.get(reverse("security:session_list")).context["page_obj"]}
    assert admin.get(reverse("security:session_person", args=[person.pk])).status_code == 404
    assert admin.post(reverse("security:session_end", args=[person.pk])).status_code == 404
    assert phone.get(reverse(WORKBENCH)).status_code == 200


def test_an_administrator_cannot_end_their_own_sessions_from_the_page(agency_tree):
    admin_person = agency_tree["secadmin"]
    admin = logged_in(admin_person)
    response = admin.post(reverse("security:session_end", args=[admin_person.pk]))
    assert response.status_code == 302
    assert admin.get(reverse(WORKBENCH)).status_code == 200
    assert not AuditEntry.objects.filter(action="sessions_ended").exists()


def test_a_normal_page_costs_no_extra_query_for_the_session_clocks(agency_tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(agency_tree["staff_a"])
    client.get(reverse(WORKBENCH))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(WORKBENCH))
    assert not any("security_usersession" in query["sql"] for query in queries.captured_queries)
    assert not any(query["sql"].startswith("UPDATE \"django_session\"") for query in queries.captured_queries)
