import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from accounts.roles import Role
from audit.models import AuditEntry
from core.api import Pagination
from mofan.testing.factories import make_person, make_unit
from organization.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"


def api(person=None):
    client = APIClient()
    if person is not None:
        client.force_login(person)
    return client


def names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def county_admin(agency_tree):
    """A system administrator of the county only."""
    t = agency_tree
    return make_person(t["county_dept"], username="county_admin", roles=[(Role.SYSTEM_ADMIN, t["county"])])


def test_unit_list_is_the_users_scope(agency_tree):
    t = agency_tree
    assert names(api(t["staff_b"]).get(UNITS)) == {"财务科"}
    assert names(api(t["office"]).get(UNITS)) == {"测试市局", "办公室", "财务科", "测试县局", "综合股"}


def test_county_office_does_not_see_agency_units(agency_tree):
    t = agency_tree
    county_office = make_person(t["county_dept"], roles=[(Role.OFFICE, t["county"])])
    client = api(county_office)
    assert names(client.get(UNITS)) == {"测试县局", "综合股"}
    assert client.get(f"{UNITS}{t['agency'].pk}/").status_code == 404
    assert client.get(f"{UNITS}{t['dept_b'].pk}/").status_code == 404


def test_retrieve_other_department_is_404(agency_tree):
    t = agency_tree
    client = api(t["staff_a"])
    assert client.get(f"{UNITS}{t['dept_a'].pk}/").status_code == 200
    assert client.get(f"{UNITS}{t['dept_b'].pk}/").status_code == 404


def test_unauthenticated_is_refused(agency_tree):
    assert api().get(UNITS).status_code in (401, 403)


def test_unit_fields(agency_tree):
    t = agency_tree
    data = api(t["office"]).get(f"{UNITS}{t['county'].pk}/").json()
    assert data["code"] == "CT"
    assert data["kind"] == UnitKind.SUBORDINATE_UNIT
    assert data["kind_display"]
    assert data["parent"] == t["agency"].pk
    assert data["depth"] == 2
    assert data["children_count"] == 1
    assert data["is_active"] is True
    assert "path" not in data
    root = api(t["office"]).get(f"{UNITS}{t['agency'].pk}/").json()
    assert root["parent"] is None and root["children_count"] == 3


def test_filters(agency_tree):
    t = agency_tree
    client = api(t["office"])
    assert names(client.get(UNITS, {"kind": UnitKind.DEPARTMENT})) == {"办公室", "财务科", "综合股"}
    assert names(client.get(UNITS, {"parent": t["agency"].pk})) == {"办公室", "财务科", "测试县局"}
    assert names(client.get(UNITS, {"within": t["county"].pk})) == {"测试县局", "综合股"}
    assert names(client.get(UNITS, {"code": "ag-fin"})) == {"财务科"}
    assert names(client.get(UNITS, {"q": "CT-"})) == {"综合股"}
    assert names(client.get(UNITS, {"q": "县"})) == {"测试县局"}
    assert names(client.get(UNITS, {"within": 999999})) == set()
    assert client.get(UNITS, {"kind": "nonsense"}).status_code == 400
    assert client.get(UNITS, {"within": "1.5"}).status_code == 400


def test_filters_never_widen_the_scope(agency_tree):
    t = agency_tree
    client = api(t["staff_a"])
    assert names(client.get(UNITS, {"within": t["agency"].pk})) == {"办公室"}
    assert names(client.get(UNITS, {"parent": t["agency"].pk})) == {"办公室"}
    assert names(client.get(UNITS, {"within": t["county"].pk})) == set()


def test_is_active_filter(agency_tree):
    t = agency_tree
    empty = make_unit(t["agency"], name="撤销科")
    Unit.objects.filter(pk=empty.pk).update(is_active=False)
    client = api(t["office"])
    assert names(client.get(UNITS, {"is_active": "false"})) == {"撤销科"}
    assert "撤销科" not in names(client.get(UNITS, {"is_active": "true"}))


def test_pagination(agency_tree, monkeypatch):
    t = agency_tree
    client = api(t["office"])
    page = client.get(UNITS, {"page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    second = client.get(UNITS, {"page_size": 2, "page": 3}).json()
    assert len(second["results"]) == 1 and second["next"] is None
    monkeypatch.setattr(Pagination, "max_page_size", 3)
    assert len(client.get(UNITS, {"page_size": 100}).json()["results"]) == 3


def test_list_query_count_does_not_grow_with_units(agency_tree):
    t = agency_tree
    client = api(t["office"])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(UNITS, {"page_size": 100})
        assert response.status_code == 200
        return [q["sql"] for q in queries.captured_queries], response.json()["count"]

    for _ in range(10):
        make_unit(t["dept_a"])
    few, total = count_queries()
    assert total == 15
    for _ in range(50):
        make_unit(t["county"])
    many, total = count_queries()
    assert total == 65
    assert len(few) == len(many)
    # Session, user, role grants, count, page.
    assert len(many) <= 5, many


def test_create_unit(agency_tree):
    t = agency_tree
    response = api(t["sysadmin"]).post(
        UNITS, {"parent": t["agency"].pk, "name": "人事科", "code": "AG-HR", "kind": UnitKind.DEPARTMENT}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["parent"] == t["agency"].pk and data["depth"] == 2
    unit = Unit.objects.get(code="AG-HR")
    entry = AuditEntry.objects.get(object_type="organization.unit", object_id=str(unit.pk), action="create")
    assert entry.actor == t["sysadmin"] and entry.source == "api"


def test_create_unit_validation_errors_are_field_errors(agency_tree):
    t = agency_tree
    client = api(t["sysadmin"])
    before = Unit.objects.count()
    response = client.post(UNITS, {"parent": t["agency"].pk, "name": "", "code": "AG-FIN", "kind": "department"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "code"}
    response = client.post(UNITS, {"parent": t["dept_a"].pk, "name": "组", "code": "G1", "kind": "party_group"}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = client.post(UNITS, {"parent": t["agency"].pk, "name": "x", "code": "X1", "kind": "nonsense"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    assert Unit.objects.count() == before


def test_create_unit_under_unit_outside_scope_is_refused_as_unknown(agency_tree, county_admin):
    t = agency_tree
    client = api(county_admin)
    payload = {"name": "新科", "code": "NEW", "kind": "department"}
    outside = client.post(UNITS, {**payload, "parent": t["dept_b"].pk}, format="json")
    missing = client.post(UNITS, {**payload, "parent": 999999}, format="json")
    assert outside.status_code == missing.status_code == 400
    # The same answer as for an id that does not exist, so ids do not reveal other scopes' units.
    assert outside.json()["parent"][0].replace(str(t["dept_b"].pk), "N") == missing.json()["parent"][0].replace("999999", "N")
    assert client.post(UNITS, {**payload, "parent": t["county"].pk}, format="json").status_code == 201


def test_create_without_change_permission_is_403(agency_tree):
    t = agency_tree
    response = api(t["office"]).post(
        UNITS, {"parent": t["agency"].pk, "name": "人事科", "code": "AG-HR", "kind": "department"}, format="json"
    )
    assert response.status_code == 403
    assert not Unit.objects.filter(code="AG-HR").exists()


def test_rename_unit(agency_tree):
    t = agency_tree
    response = api(t["sysadmin"]).patch(f"{UNITS}{t['dept_b'].pk}/", {"name": "财务审计科"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "财务审计科" and response.json()["code"] == "AG-FIN"
    t["dept_b"].refresh_from_db()
    assert t["dept_b"].name == "财务审计科"


def test_update_refused_from_the_wrong_scope(agency_tree, county_admin):
    t = agency_tree
    # Visible but not changeable: 403. Outside the scope: 404.
    assert api(t["office"]).patch(f"{UNITS}{t['dept_b'].pk}/", {"name": "x"}, format="json").status_code == 403
    assert api(t["staff_a"]).patch(f"{UNITS}{t['dept_b'].pk}/", {"name": "x"}, format="json").status_code == 404
    assert api(county_admin).patch(f"{UNITS}{t['dept_b'].pk}/", {"name": "x"}, format="json").status_code == 404
    t["dept_b"].refresh_from_db()
    assert t["dept_b"].name == "财务科"


def test_put_and_delete_are_not_offered(agency_tree):
    t = agency_tree
    client = api(t["sysadmin"])
    assert client.delete(f"{UNITS}{t['dept_b'].pk}/").status_code == 405
    assert client.put(f"{UNITS}{t['dept_b'].pk}/", {"name": "x"}, format="json").status_code == 405


def test_move_unit(agency_tree):
    t = agency_tree
    client = api(t["sysadmin"])
    response = client.post(f"{UNITS}{t['county_dept'].pk}/move/", {"parent": t["agency"].pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["parent"] == t["agency"].pk and response.json()["depth"] == 2
    response = client.post(f"{UNITS}{t['county'].pk}/move/", {"parent": t["county"].pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()


def test_move_refused_from_the_wrong_scope(agency_tree, county_admin):
    t = agency_tree
    client = api(county_admin)
    response = client.post(f"{UNITS}{t['county_dept'].pk}/move/", {"parent": t["dept_a"].pk}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert client.post(f"{UNITS}{t['dept_b'].pk}/move/", {"parent": t["county"].pk}, format="json").status_code == 404
    assert api(t["office"]).post(f"{UNITS}{t['dept_b'].pk}/move/", {"parent": t["county"].pk}, format="json").status_code == 403


def test_deactivate_and_reactivate(agency_tree):
    t = agency_tree
    client = api(t["sysadmin"])
    busy = client.post(f"{UNITS}{t['dept_b'].pk}/deactivate/")
    assert busy.status_code == 400 and "non_field_errors" in busy.json()
    empty = make_unit(t["agency"], name="空科")
    response = client.post(f"{UNITS}{empty.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = client.post(f"{UNITS}{empty.pk}/reactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is True


def test_deactivate_refused_from_the_wrong_scope(agency_tree, county_admin):
    t = agency_tree
    empty = make_unit(t["agency"], name="空科")
    assert api(t["office"]).post(f"{UNITS}{empty.pk}/deactivate/").status_code == 403
    assert api(county_admin).post(f"{UNITS}{empty.pk}/deactivate/").status_code == 404
    assert api(t["staff_a"]).post(f"{UNITS}{empty.pk}/reactivate/").status_code == 404
    empty.refresh_from_db()
    assert empty.is_active


def test_openapi_document_is_valid_and_lists_units_and_people(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    for path in ("/api/v1/units/", "/api/v1/units/{id}/", "/api/v1/units/{id}/move/", "/api/v1/people/", "/api/v1/people/{id}/"):
        assert path in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert {"kind", "is_active", "parent", "code", "q", "within", "page", "page_size"} <= params
