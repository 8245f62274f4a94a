import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import PartyStatus, User
from accounts.roles import Role
from mofan.testing.factories import make_person, make_unit
from organization.models import UnitKind

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/people/"


def api(person=None):
    client = APIClient()
    if person is not None:
        client.force_login(person)
    return client


def usernames(response):
    assert response.status_code == 200, response.content
    return {row["username"] for row in response.json()["results"]}


@pytest.fixture
def county_admin(agency_tree):
    t = agency_tree
    return make_person(t["county_dept"], username="county_admin", roles=[(Role.SYSTEM_ADMIN, t["county"])])


def test_staff_lists_only_their_department(agency_tree):
    t = agency_tree
    listed = usernames(api(t["staff_a"]).get(PEOPLE))
    assert "staff_a" in listed and "office" in listed
    assert "staff_b" not in listed and "county_staff" not in listed


def test_staff_cannot_retrieve_or_change_another_departments_person(agency_tree):
    t = agency_tree
    client = api(t["staff_a"])
    url = f"{PEOPLE}{t['staff_b'].pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"position": "科长"}, format="json").status_code == 404
    assert client.post(f"{url}disable/").status_code == 404
    t["staff_b"].refresh_from_db()
    assert t["staff_b"].position == "" and t["staff_b"].is_active


def test_visible_but_not_changeable_is_403(agency_tree):
    t = agency_tree
    # The office sees everyone below the agency but does not manage accounts.
    client = api(t["office"])
    url = f"{PEOPLE}{t['county_staff'].pk}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"position": "科长"}, format="json").status_code == 403
    assert client.post(f"{url}disable/").status_code == 403
    assert api(t["staff_a"]).patch(f"{PEOPLE}{t['staff_a'].pk}/", {"position": "科长"}, format="json").status_code == 403


def test_county_admin_does_not_see_agency_people(agency_tree, county_admin):
    t = agency_tree
    client = api(county_admin)
    assert usernames(client.get(PEOPLE)) == {"county_staff", "county_admin"}
    assert client.get(f"{PEOPLE}{t['staff_a'].pk}/").status_code == 404


def test_unauthenticated_is_refused(agency_tree):
    assert api().get(PEOPLE).status_code in (401, 403)


def test_person_fields(agency_tree):
    t = agency_tree
    data = api(t["office"]).get(f"{PEOPLE}{t['county_staff'].pk}/").json()
    assert data["username"] == "county_staff" and data["real_name"] == "王丙"
    assert data["unit"] == t["county_dept"].pk and data["unit_name"] == "综合股"
    assert data["party_status"] == PartyStatus.MEMBER and data["party_status_display"]
    assert data["party_unit"] is None and data["is_active"] is True
    assert "password" not in data


def test_phone_is_masked_without_contact_permission(agency_tree):
    t = agency_tree
    phone = t["staff_a"].phone
    assert api(t["office"]).get(f"{PEOPLE}{t['staff_a'].pk}/").json()["phone"] == phone
    masked = api(t["secadmin"]).get(f"{PEOPLE}{t['staff_a'].pk}/").json()["phone"]
    assert masked == f"{phone[:3]}****{phone[-4:]}"
    listed = {row["username"]: row["phone"] for row in api(t["staff_a"]).get(PEOPLE).json()["results"]}
    assert listed["office"] == t["office"].masked_phone


def test_filters(agency_tree):
    t = agency_tree
    branch = make_unit(t["agency"], kind=UnitKind.PARTY_BRANCH, name="第一支部")
    make_person(t["county_dept"], username="wangyi", real_name="王一", party_status=PartyStatus.MASSES, party_unit=branch)
    client = api(t["sysadmin"])
    assert usernames(client.get(PEOPLE, {"unit": t["dept_b"].pk})) == {"staff_b"}
    assert usernames(client.get(PEOPLE, {"unit": t["county"].pk})) == set()
    assert usernames(client.get(PEOPLE, {"within": t["county"].pk})) == {"county_staff", "wangyi"}
    assert usernames(client.get(PEOPLE, {"party_status": PartyStatus.MASSES})) == {"wangyi"}
    assert usernames(client.get(PEOPLE, {"q": "王"})) == {"county_staff", "wangyi"}
    assert usernames(client.get(PEOPLE, {"q": "STAFF_"})) == {"staff_a", "staff_b"}
    assert client.get(PEOPLE, {"party_status": "nonsense"}).status_code == 400
    row = client.get(PEOPLE, {"q": "王一"}).json()["results"][0]
    assert row["party_unit"] == branch.pk and row["party_unit_name"] == "第一支部"


def test_within_does_not_widen_the_scope(agency_tree):
    t = agency_tree
    client = api(t["staff_b"])
    assert usernames(client.get(PEOPLE, {"within": t["agency"].pk})) == {"staff_b"}
    assert usernames(client.get(PEOPLE, {"unit": t["dept_a"].pk})) == set()


def test_is_active_filter_and_disable_enable(agency_tree):
    t = agency_tree
    client = api(t["sysadmin"])
    response = client.post(f"{PEOPLE}{t['staff_b'].pk}/disable/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert usernames(client.get(PEOPLE, {"is_active": "false"})) == {"staff_b"}
    assert "staff_b" not in usernames(client.get(PEOPLE, {"is_active": "true"}))
    response = client.post(f"{PEOPLE}{t['staff_b'].pk}/enable/")
    assert response.status_code == 200 and response.json()["is_active"] is True


def test_cannot_disable_yourself(agency_tree):
    t = agency_tree
    response = api(t["sysadmin"]).post(f"{PEOPLE}{t['sysadmin'].pk}/disable/")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    t["sysadmin"].refresh_from_db()
    assert t["sysadmin"].is_active


def test_create_person(agency_tree):
    t = agency_tree
    response = api(t["sysadmin"]).post(
        PEOPLE, {"real_name": "赵丁", "unit": t["dept_b"].pk, "phone": "13912345678", "position": "科员"}, format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["username"] == "zhaoding" and data["unit"] == t["dept_b"].pk and data["phone"] == "13912345678"
    person = User.objects.get(username="zhaoding")
    assert not person.has_usable_password()


def test_create_person_validation_errors_change_nothing(agency_tree):
    t = agency_tree
    client = api(t["sysadmin"])
    before = User.objects.count()
    response = client.post(PEOPLE, {"real_name": "", "unit": t["dept_b"].pk, "phone": "12"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"real_name", "phone"}
    response = client.post(PEOPLE, {"real_name": "重号", "unit": t["dept_b"].pk, "phone": t["staff_a"].phone}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"phone"}
    response = client.post(PEOPLE, {"real_name": "重名", "username": "staff_a", "unit": t["dept_b"].pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"username"}
    assert client.post(PEOPLE, {"real_name": "无单位"}, format="json").status_code == 400
    assert User.objects.count() == before


def test_create_person_in_another_scope_is_refused(agency_tree, county_admin):
    t = agency_tree
    response = api(county_admin).post(PEOPLE, {"real_name": "越权", "unit": t["dept_b"].pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"unit"}
    response = api(t["office"]).post(PEOPLE, {"real_name": "越权", "unit": t["dept_b"].pk}, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(real_name="越权").exists()


def test_update_person(agency_tree):
    t = agency_tree
    response = api(t["sysadmin"]).patch(
        f"{PEOPLE}{t['staff_b'].pk}/", {"position": "科长", "unit": t["county_dept"].pk}, format="json"
    )
    assert response.status_code == 200, response.content
    t["staff_b"].refresh_from_db()
    assert t["staff_b"].position == "科长" and t["staff_b"].unit == t["county_dept"]
    assert t["staff_b"].real_name == "李乙" and t["staff_b"].party_status == PartyStatus.MEMBER


def test_county_admin_cannot_move_a_person_out_of_the_county(agency_tree, county_admin):
    t = agency_tree
    url = f"{PEOPLE}{t['county_staff'].pk}/"
    response = api(county_admin).patch(url, {"unit": t["dept_a"].pk}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"unit"}
    t["county_staff"].refresh_from_db()
    assert t["county_staff"].unit == t["county_dept"]


def test_list_query_count_does_not_grow_with_people(agency_tree):
    t = agency_tree
    client = api(t["office"])
    branch = make_unit(t["agency"], kind=UnitKind.PARTY_BRANCH)

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PEOPLE, {"page_size": 100})
        assert response.status_code == 200
        return [q["sql"] for q in queries.captured_queries], response.json()["count"]

    for number in range(10):
        make_person(t["dept_b"] if number % 2 else t["county_dept"], party_unit=branch)
    few, total = list_queries()
    assert total == 17
    for number in range(50):
        make_person(t["dept_a"] if number % 2 else t["county_dept"], party_unit=branch)
    many, total = list_queries()
    assert total == 67
    assert len(few) == len(many)
    # Session, user, role grants, count, page.
    assert len(many) <= 5, many
