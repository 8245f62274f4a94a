import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditAction, AuditEntry
from mofan.testing.factories import make_person

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LIST = reverse("audit:list")


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def listed_ids(response):
    return {int(pk) for pk in re.findall(r'data-entry="(\d+)"', response.content.decode())}


def _page_text(response, username):
    """The page without what legitimately differs: CSRF tokens and the echoed username."""
    text = response.content.decode().replace(username, "USERNAME")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", text)


def test_login_is_recorded_with_the_address(client, agency_tree, password):
    t = agency_tree
    assert client.post(LOGIN, {"username": "staff_b", "password": password}).status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor_id == t["staff_b"].pk and entry.actor_name == t["staff_b"].real_name
    assert entry.ip == "127.0.0.1" and entry.source == "web" and entry.unit_id == t["dept_b"].pk
    auditor = client_for(t["auditor"])
    assert entry.pk in listed_ids(auditor.get(LIST, {"action": "login"}))
    page = auditor.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert "127.0.0.1" in page and entry.request_id in page


def test_logout_is_recorded(client, agency_tree, password):
    t = agency_tree
    client.post(LOGIN, {"username": "staff_a", "password": password})
    assert client.post(reverse("accounts:logout")).status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.LOGOUT)
    assert entry.actor_id == t["staff_a"].pk and entry.ip == "127.0.0.1"
    assert entry.pk in listed_ids(client_for(t["auditor"]).get(LIST, {"action": "logout"}))


def test_failed_logins_keep_the_attempted_name_but_tell_the_visitor_nothing(agency_tree):
    wrong = Client().post(LOGIN, {"username": "staff_a", "password": "wrong-password"})
    unknown = Client().post(LOGIN, {"username": "nobody-here", "password": "wrong-password"})
    assert wrong.status_code == unknown.status_code == 200
    assert _page_text(wrong, "staff_a") == _page_text(unknown, "nobody-here")

    entries = list(AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id"))
    assert [e.actor_name for e in entries] == ["staff_a", "nobody-here"]
    assert all(e.actor_id is None and e.ip == "127.0.0.1" and e.unit_id is None for e in entries)
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()

    response = client_for(agency_tree["auditor"]).get(LIST, {"action": "login_failed"})
    assert listed_ids(response) == {e.pk for e in entries}
    assert response.content.decode().count("badge text-bg-danger") == 2
    assert listed_ids(client_for(agency_tree["auditor"]).get(LIST, {"actor": "nobody"})) == {entries[1].pk}


def test_failed_logins_belong_to_no_unit_so_only_a_top_level_auditor_sees_them(agency_tree):
    t = agency_tree
    county_auditor = make_person(t["county_dept"], roles=[(Role.AUDIT_ADMIN, t["county"])])
    Client().post(LOGIN, {"username": "county_staff", "password": "wrong-password"})
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    county = client_for(county_auditor)
    assert entry.pk not in listed_ids(county.get(LIST))
    assert county.get(reverse("audit:detail", args=[entry.pk])).status_code == 404
    assert client_for(t["auditor"]).get(reverse("audit:detail", args=[entry.pk])).status_code == 200
