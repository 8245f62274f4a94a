import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEntry
from mofan.testing.factories import make_person, make_unit
from organization.models import Unit, UnitKind

pytestmark = pytest.mark.django_db


def login(client, person):
    client.force_login(person)
    return client


def test_tree_shows_only_the_users_subtree(client, agency_tree):
    t = agency_tree
    page = login(client, t["staff_b"]).get(reverse("organization:tree")).content.decode()
    assert "财务科" in page
    assert "办公室" not in page.replace("领导小组办公室", "")
    assert "测试县局" not in page


def test_tree_search_finds_units_with_their_trail(client, agency_tree):
    t = agency_tree
    response = login(client, t["office"]).get(reverse("organization:tree"), {"q": "综合"})
    page = response.content.decode()
    assert "综合股" in page and "测试市局 / 测试县局 / 综合股" in page


def test_search_does_not_leak_units_outside_scope(client, agency_tree):
    t = agency_tree
    page = login(client, t["county_staff"]).get(reverse("organization:tree"), {"q": "科"}).content.decode()
    assert "财务科" not in page


def test_children_fragment_of_another_subtree_is_404(client, agency_tree):
    t = agency_tree
    response = login(client, t["staff_a"]).get(reverse("organization:children", args=[t["county"].pk]))
    assert response.status_code == 404


def test_unit_page_of_another_department_is_404(client, agency_tree):
    t = agency_tree
    client = login(client, t["staff_a"])
    assert client.get(reverse("organization:detail", args=[t["dept_b"].pk])).status_code == 404
    page = client.get(reverse("organization:detail", args=[t["dept_a"].pk])).content.decode()
    assert "张甲" in page and "李乙" not in page


def test_staff_cannot_edit_their_own_unit(client, agency_tree):
    t = agency_tree
    client = login(client, t["staff_a"])
    assert client.get(reverse("organization:edit", args=[t["dept_a"].pk])).status_code == 403
    response = client.post(reverse("organization:edit", args=[t["dept_a"].pk]), {"name": "x", "code": "X1", "kind": "department"})
    assert response.status_code == 403
    assert Unit.objects.get(pk=t["dept_a"].pk).name == "办公室"


def test_sysadmin_creates_renames_and_moves_a_unit(client, agency_tree):
    t = agency_tree
    client = login(client, t["sysadmin"])
    response = client.post(
        reverse("organization:create") + f"?parent={t['agency'].pk}",
        {"parent": t["agency"].pk, "name": "安全管理科", "short_name": "安管科", "code": "AG-SAFE", "kind": "department"},
    )
    unit = Unit.objects.get(code="AG-SAFE")
    assert response.status_code == 302 and Unit.objects.get_parent(unit) == t["agency"]
    client.post(reverse("organization:edit", args=[unit.pk]), {"name": "安全管理处", "code": "AG-SAFE", "kind": "department"})
    unit.refresh_from_db()
    assert unit.name == "安全管理处"
    client.post(reverse("organization:move", args=[unit.pk]), {"new_parent": t["county"].pk})
    unit.refresh_from_db()
    assert Unit.objects.get_parent(unit) == t["county"]
    actions = list(AuditEntry.objects.filter(object_type="organization.unit", object_id=str(unit.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["create", "move", "update"]


def test_duplicate_code_is_refused_with_a_message(client, agency_tree):
    t = agency_tree
    response = login(client, t["sysadmin"]).post(
        reverse("organization:create") + f"?parent={t['agency'].pk}",
        {"parent": t["agency"].pk, "name": "重复", "code": "ag-fin", "kind": "department"},
    )
    assert response.status_code == 200
    assert "AG-FIN" not in Unit.objects.filter(name="重复").values_list("code", flat=True)
    assert response.context["form"].errors["code"]


def test_kind_rules_refuse_a_party_group_under_a_department(client, agency_tree):
    t = agency_tree
    response = login(client, t["sysadmin"]).post(
        reverse("organization:create") + f"?parent={t['dept_a'].pk}",
        {"parent": t["dept_a"].pk, "name": "第一党小组", "code": "PG1", "kind": "party_group"},
    )
    assert response.status_code == 200 and not Unit.objects.filter(code="PG1").exists()


def test_cannot_move_a_unit_under_itself(client, agency_tree):
    t = agency_tree
    response = login(client, t["sysadmin"]).post(reverse("organization:move", args=[t["county"].pk]), {"new_parent": t["county_dept"].pk})
    assert response.status_code == 200
    assert Unit.objects.get_parent(Unit.objects.get(pk=t["county"].pk)) == t["agency"]


def test_deactivation_refused_while_people_remain_then_allowed(client, agency_tree):
    t = agency_tree
    client = login(client, t["sysadmin"])
    client.post(reverse("organization:deactivate", args=[t["county"].pk]))
    assert Unit.objects.get(pk=t["county"].pk).is_active
    from accounts import actions

    actions.set_person_active(None, t["county_staff"], False)
    client.post(reverse("organization:deactivate", args=[t["county"].pk]))
    assert not Unit.objects.filter(path__startswith=t["county"].path, is_active=True).exists()
    assert Unit.objects.filter(pk=t["county"].pk).exists(), "deactivated, never deleted"


def test_leading_group_managed_by_the_office(client, agency_tree):
    t = agency_tree
    client = login(client, t["office"])
    url = reverse("organization:leading_group", args=[t["agency"].pk])
    client.post(url, {"form": "group", "name": "模范机关创建工作领导小组"})
    client.post(url, {"form": "member", "person": t["office"].pk, "title": "office_director"})
    page = client.get(reverse("organization:detail", args=[t["agency"].pk])).content.decode()
    assert "模范机关创建工作领导小组" in page and "办公室主任" in page
    staff_client = login(type(client)(), t["staff_a"])
    assert staff_client.get(reverse("organization:leading_group", args=[t["dept_a"].pk])).status_code == 403


def _tree_queries(client, user):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("organization:tree"))
    assert response.status_code == 200
    return len(ctx)


def test_tree_page_query_count_does_not_grow_with_units(client):
    agency = make_unit(kind=UnitKind.AGENCY)
    office = make_person(agency, roles=[(Role.OFFICE, agency)])
    for _ in range(5):
        make_unit(agency)
    client.force_login(office)
    few = _tree_queries(client, office)
    for _ in range(5):
        parent = make_unit(agency, kind=UnitKind.SUBORDINATE_UNIT)
        for _ in range(8):
            make_unit(parent)
    assert _tree_queries(client, office) == few


def test_unit_page_query_count_does_not_grow_with_people(client, agency_tree):
    t = agency_tree
    client = login(client, t["office"])
    url = reverse("organization:detail", args=[t["dept_b"].pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(30):
        make_person(t["dept_b"])
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)
