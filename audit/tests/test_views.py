import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import actions as account_actions
from accounts.roles import Role
from audit import log
from audit.models import AuditAction, AuditEntry
from core.context import Actor, acting_as
from mofan.testing.factories import make_person

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def listed_ids(response):
    return [int(pk) for pk in re.findall(r'data-entry="(\d+)"', response.content.decode())]


def entry_for(obj, action=AuditAction.CREATE):
    return AuditEntry.objects.get(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


@pytest.fixture
def county_auditor(agency_tree):
    return make_person(agency_tree["county_dept"], username="county_auditor", roles=[(Role.AUDIT_ADMIN, agency_tree["county"])])


def test_auditor_reads_the_trail_newest_first(agency_tree):
    response = client_for(agency_tree["auditor"]).get(LIST)
    assert response.status_code == 200
    ids = listed_ids(response)
    visible = AuditEntry.objects.count()
    assert len(ids) == min(visible, 50) and ids == sorted(ids, reverse=True)
    assert response.context["page_obj"].paginator.count == visible


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "office", "staff_a", "county_staff"])
def test_everyone_but_the_audit_admin_is_refused(agency_tree, who):
    client = client_for(agency_tree[who])
    entry = entry_for(agency_tree["staff_a"])
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("audit:detail", args=[entry.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, agency_tree):
    entry = entry_for(agency_tree["staff_a"])
    for url in (LIST, reverse("audit:detail", args=[entry.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_menu_shows_the_trail_to_the_auditor_only(agency_tree):
    link = f'href="{LIST}"'
    assert link in client_for(agency_tree["auditor"]).get(reverse("core:workbench")).content.decode()
    for who in ("sysadmin", "secadmin", "office", "staff_a"):
        assert link not in client_for(agency_tree[who]).get(reverse("core:workbench")).content.decode()


def test_county_auditor_sees_only_the_county(agency_tree, county_auditor):
    t = agency_tree
    client = client_for(county_auditor)
    ids = set(listed_ids(client.get(LIST)))
    county_entry, agency_entry = entry_for(t["county_staff"]), entry_for(t["staff_a"])
    assert county_entry.pk in ids and agency_entry.pk not in ids
    assert AuditEntry.objects.get(pk__in=ids, object_id=str(t["county"].pk), object_type="organization.unit")
    assert all(entry.unit.path.startswith(t["county"].path) for entry in AuditEntry.objects.filter(pk__in=ids))
    assert client.get(reverse("audit:detail", args=[county_entry.pk])).status_code == 200
    assert client.get(reverse("audit:detail", args=[agency_entry.pk])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_pages_change_nothing(agency_tree, method):
    client = client_for(agency_tree["auditor"])
    entry = entry_for(agency_tree["staff_a"])
    count = AuditEntry.objects.count()
    for url in (LIST, reverse("audit:detail", args=[entry.pk])):
        response = getattr(client, method)(url, {"summary": "tampered"}, content_type="application/json")
        assert response.status_code == 405
    assert AuditEntry.objects.count() == count
    assert AuditEntry.objects.get(pk=entry.pk).summary == entry.summary


def test_filter_by_action(agency_tree):
    t = agency_tree
    account_actions.update_person(t["sysadmin"], t["staff_b"], position="科员")
    response = client_for(t["auditor"]).get(LIST, {"action": "update"})
    expected = list(AuditEntry.objects.filter(action="update").values_list("pk", flat=True))
    assert expected and listed_ids(response) == expected


def _entry_at(moment, unit, summary):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return log.write(AuditAction.EXPORT, object_type="accounts.user", unit_id=unit.pk, summary=summary)


def test_filter_by_date_uses_local_days_inclusively(agency_tree):
    t = agency_tree
    utc = datetime.timezone.utc
    late_first = _entry_at(datetime.datetime(2026, 3, 1, 15, 30, tzinfo=utc), t["agency"], "a")  # 23:30 on 1 March in Beijing
    early_second = _entry_at(datetime.datetime(2026, 3, 1, 16, 30, tzinfo=utc), t["agency"], "b")  # 00:30 on 2 March
    late_second = _entry_at(datetime.datetime(2026, 3, 2, 15, 59, tzinfo=utc), t["agency"], "c")  # 23:59 on 2 March
    client = client_for(t["auditor"])
    assert listed_ids(client.get(LIST, {"date_from": "2026-03-02", "date_to": "2026-03-02"})) == [late_second.pk, early_second.pk]
    assert listed_ids(client.get(LIST, {"date_to": "2026-03-01"})) == [late_first.pk]
    assert late_first.pk not in listed_ids(client.get(LIST, {"date_from": "2026-03-02"}))


def test_other_filters(agency_tree):
    t = agency_tree
    with acting_as(Actor(user=t["sysadmin"], ip="10.2.3.4", request_id="req-12345678", source="web")):
        account_actions.update_person(t["sysadmin"], t["staff_b"], position="科长")
    entry = AuditEntry.objects.get(request_id="req-12345678")
    client = client_for(t["auditor"])
    for params in (
        {"ip": "10.2.3.4"},
        {"ip": "10.2."},
        {"request_id": "req-12345678"},
        {"actor": "sysad"},
        {"actor": "系统管理", "action": "update", "object_type": "accounts.user"},
        {"q": "李乙", "action": "update"},
        {"object_type": "accounts.user", "object_id": str(t["staff_b"].pk), "action": "update"},
    ):
        assert listed_ids(client.get(LIST, params)) == [entry.pk], params
    assert listed_ids(client.get(LIST, {"ip": "10.2.3.5"})) == []


def test_a_refused_filter_shows_nothing_rather_than_everything(agency_tree):
    client = client_for(agency_tree["auditor"])
    for params in ({"date_from": "not a date"}, {"ip": "<script>"}, {"date_from": "2026-03-02", "date_to": "2026-03-01"}):
        response = client.get(LIST, params)
        assert response.status_code == 200 and listed_ids(response) == [] and response.context["form"].errors


def test_list_costs_the_same_queries_for_ten_or_two_hundred_entries(agency_tree):
    t = agency_tree
    client = client_for(t["auditor"])
    client.get(LIST)  # warm up: session, caches

    def queries_with(total):
        existing = AuditEntry.objects.count()
        for number in range(existing, total):
            unit, actor = (t["dept_a"], t["office"]) if number % 2 else (t["county_dept"], t["sysadmin"])
            log.write(AuditAction.EXPORT, object_type="accounts.user", unit_id=unit.pk, actor_user=actor, summary=str(number))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"action": "export"})
        assert response.status_code == 200
        return len(captured)

    few = queries_with(AuditEntry.objects.count() + 10)
    many = queries_with(AuditEntry.objects.count() + 190)
    assert few == many <= 8


def test_person_update_shows_before_and_after(agency_tree):
    t = agency_tree
    with acting_as(Actor(user=t["sysadmin"], source="web")):
        account_actions.update_person(t["sysadmin"], t["staff_b"], real_name="李乙丙", position="科员")
    entry = entry_for(t["staff_b"], AuditAction.UPDATE)
    page = client_for(t["auditor"]).get(reverse("audit:detail", args=[entry.pk])).content.decode()
    rows = dict(re.findall(r'<tr[^>]*data-field="(\w+)" data-changed="1">(.*?)</tr>', page, re.S))
    assert set(rows) == {"real_name", "position"}
    assert re.search(r"diff-before\">李乙</td>.*diff-after\">李乙丙</td>", rows["real_name"], re.S)
    assert "diff-after\">科员</td>" in rows["position"]
    assert t["sysadmin"].real_name in page and t["dept_b"].name in page


def test_create_entry_shows_choice_labels(agency_tree):
    t = agency_tree
    entry = entry_for(t["staff_b"])
    response = client_for(t["auditor"]).get(reverse("audit:detail", args=[entry.pk]))
    party = dict(re.findall(r'data-field="(\w+)".*?diff-after">(.*?)</td>', response.content.decode(), re.S))["party_status"]
    assert str(t["staff_b"].get_party_status_display()) in party and "(member)" in party
