import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import RoleGrant, User
from accounts.roles import Role
from mofan.testing.factories import make_person

pytestmark = pytest.mark.django_db


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def test_staff_list_shows_own_department_only(agency_tree):
    t = agency_tree
    page = client_for(t["staff_a"]).get(reverse("people:list")).content.decode()
    assert "张甲" in page and "李乙" not in page and "王丙" not in page


def test_person_of_another_department_is_404(agency_tree):
    t = agency_tree
    client = client_for(t["staff_a"])
    assert client.get(reverse("people:detail", args=[t["staff_b"].pk])).status_code == 404
    assert client.get(reverse("people:edit", args=[t["staff_b"].pk])).status_code == 404
    assert client.post(reverse("people:disable", args=[t["staff_b"].pk])).status_code == 404
    assert User.objects.get(pk=t["staff_b"].pk).is_active


def test_phone_is_masked_for_staff_and_full_for_the_office(agency_tree):
    t = agency_tree
    phone = t["staff_a"].phone
    staff_page = client_for(t["staff_a"]).get(reverse("people:list")).content.decode()
    assert phone not in staff_page and f"{phone[:3]}****{phone[-4:]}" in staff_page
    assert phone in client_for(t["office"]).get(reverse("people:list")).content.decode()


def test_staff_cannot_create_or_export(agency_tree):
    t = agency_tree
    client = client_for(t["staff_a"])
    assert client.get(reverse("people:create")).status_code == 403
    assert client.get(reverse("people:export")).status_code == 403
    assert client.get(reverse("people:import")).status_code == 403


def test_sysadmin_adds_and_edits_a_person(agency_tree):
    t = agency_tree
    client = client_for(t["sysadmin"])
    response = client.post(
        reverse("people:create"),
        {"real_name": "赵六", "unit": t["dept_b"].pk, "position": "科员", "party_status": "member", "phone": "13912345678", "sort_order": 0},
    )
    person = User.objects.get(real_name="赵六")
    assert response.status_code == 302 and person.username == "zhaoliu" and not person.has_usable_password()
    client.post(
        reverse("people:edit", args=[person.pk]),
        {"real_name": "赵六", "unit": t["county_dept"].pk, "position": "股长", "party_status": "member", "phone": "13912345678"},
    )
    person.refresh_from_db()
    assert person.unit == t["county_dept"] and person.position == "股长"


def test_duplicate_phone_is_refused_in_the_form(agency_tree):
    t = agency_tree
    response = client_for(t["sysadmin"]).post(
        reverse("people:create"),
        {"real_name": "重号", "unit": t["dept_b"].pk, "party_status": "masses", "phone": t["staff_a"].phone},
    )
    assert response.status_code == 200 and response.context["form"].errors["phone"]
    assert not User.objects.filter(real_name="重号").exists()


def test_disabling_ends_the_persons_sessions(agency_tree):
    t = agency_tree
    victim = client_for(t["staff_b"])
    assert victim.get(reverse("core:workbench")).status_code == 200
    client_for(t["sysadmin"]).post(reverse("people:disable", args=[t["staff_b"].pk]))
    assert victim.get(reverse("core:workbench")).status_code == 302
    assert not any(s.get_decoded().get("_auth_user_id") == str(t["staff_b"].pk) for s in Session.objects.all())


def test_only_the_security_admin_grants_roles(agency_tree):
    t = agency_tree
    url = reverse("people:grant", args=[t["staff_b"].pk])
    data = {"role": Role.RECORDS_CLERK, "unit": t["dept_b"].pk}
    assert client_for(t["sysadmin"]).post(url, data).status_code == 403
    assert client_for(t["secadmin"]).post(url, data).status_code == 302
    assert RoleGrant.objects.filter(person=t["staff_b"], role=Role.RECORDS_CLERK).exists()


def test_second_admin_role_is_refused(agency_tree):
    t = agency_tree
    response = client_for(t["secadmin"]).post(
        reverse("people:grant", args=[t["sysadmin"].pk]), {"role": Role.AUDIT_ADMIN, "unit": t["agency"].pk}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not RoleGrant.objects.filter(person=t["sysadmin"], role=Role.AUDIT_ADMIN).exists()


def test_county_security_admin_cannot_grant_on_the_agency(agency_tree):
    t = agency_tree
    county_sec = make_person(t["county_dept"], roles=[(Role.SECURITY_ADMIN, t["county"])])
    response = client_for(county_sec).post(
        reverse("people:grant", args=[t["county_staff"].pk]), {"role": Role.OFFICE, "unit": t["agency"].pk}
    )
    assert response.status_code == 200  # the agency is not offered: the form rejects the choice
    assert not RoleGrant.objects.filter(person=t["county_staff"], role=Role.OFFICE).exists()


def test_people_list_query_count_does_not_grow(agency_tree):
    t = agency_tree
    client = client_for(t["office"])
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("people:list"))
    for _ in range(40):
        make_person(t["county_dept"])
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("people:list"))
    assert len(second) == len(first)


def test_workbench_lists_real_roles(agency_tree):
    t = agency_tree
    page = client_for(t["office"]).get(reverse("core:workbench")).content.decode()
    assert "测试市局" in page
