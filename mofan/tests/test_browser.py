"""The main organization flow, walked in a real browser: log in, open the unit tree, expand a
unit whose children load on demand, open a department and see its people."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from mofan.testing.factories import PASSWORD, make_person, make_unit
from organization.models import UnitKind

pytestmark = pytest.mark.browser


def unit_link(page, name):
    return page.get_by_test_id("unit-link").filter(has_text=re.compile(f"^{re.escape(name)}$"))


def test_office_opens_the_tree_and_sees_the_people_of_a_department(page, live_server):
    agency = make_unit(name="浏览市局", code="BR", kind=UnitKind.AGENCY)
    office_dept = make_unit(agency, name="浏览办公室", code="BR-OFFICE")
    county = make_unit(agency, name="浏览县局", code="BR-CT", kind=UnitKind.SUBORDINATE_UNIT)
    county_dept = make_unit(county, name="浏览综合股", code="BR-CT-GEN")
    make_person(office_dept, username="office", real_name="周主任", roles=[(Role.OFFICE, agency)])
    make_person(office_dept, real_name="吴同事")
    make_person(county_dept, real_name="郑晓明")
    make_person(county_dept, real_name="冯丽华")

    page.goto("/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("current-user")).to_contain_text("周主任")

    page.locator(".main-menu a[href='/units/']").click()
    expect(page).to_have_url(f"{live_server.url}/units/")
    # The top of the scope comes with its children; the county's department is not loaded yet.
    expect(unit_link(page, "浏览市局")).to_be_visible()
    expect(unit_link(page, "浏览县局")).to_be_visible()
    expect(unit_link(page, "浏览综合股")).to_have_count(0)

    toggle = page.locator(f"[data-unit-id='{county.pk}']").get_by_test_id("unit-toggle").first
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    unit_link(page, "浏览综合股").click()

    expect(page).to_have_url(f"{live_server.url}/units/{county_dept.pk}/")
    people = page.get_by_test_id("unit-people")
    expect(people).to_contain_text("郑晓明")
    expect(people).to_contain_text("冯丽华")
    expect(people).not_to_contain_text("吴同事")
