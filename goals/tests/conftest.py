"""The tobacco bureau's drive (seeds/000): the bureau's plan, a county bureau below it with a
department, built through the actions."""

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from goals import actions
from mofan.testing.factories import make_person, make_unit
from organization.models import UnitKind

D = Decimal
JAN1 = datetime.date(2026, 1, 1)
DEC31 = datetime.date(2026, 12, 31)


@pytest.fixture
def bureau(db):
    """市烟草专卖局 with its party-building department and a county bureau with a general section."""
    agency = make_unit(name="市烟草专卖局", code="YC", kind=UnitKind.AGENCY)
    party = make_unit(agency, name="党建科", code="YC-DJ")
    county = make_unit(agency, name="某县烟草专卖局", code="YC-XJ", kind=UnitKind.SUBORDINATE_UNIT)
    section = make_unit(county, name="综合股", code="YC-XJ-ZH")
    other_county = make_unit(agency, name="另一县局", code="YC-LX", kind=UnitKind.SUBORDINATE_UNIT)
    return {
        "agency": agency, "party": party, "county": county, "section": section, "other_county": other_county,
        "office": make_person(party, real_name="办公室主任", roles=[(Role.OFFICE, agency)]),
        "leader": make_person(party, real_name="局长", roles=[(Role.LEADER, agency)]),
        "county_office": make_person(county, real_name="县局办公室", roles=[(Role.OFFICE, county)]),
        "section_clerk": make_person(section, real_name="综合股资料员", roles=[(Role.RECORDS_CLERK, section)]),
        "party_staff": make_person(party, real_name="党建科干事"),
        "other_office": make_person(other_county, real_name="另一县局办公室", roles=[(Role.OFFICE, other_county)]),
        "sysadmin": make_person(party, real_name="系统管理员", roles=[(Role.SYSTEM_ADMIN, agency)]),
    }


@pytest.fixture
def plan(bureau):
    """The bureau's published 2026 plan: one goal on political excellence, one task for the county."""
    office = bureau["office"]
    plan = actions.create_plan(office, unit=bureau["agency"], year=2026, title="2026年模范机关创建目标计划")
    goal = actions.add_goal(
        office, plan, title="理论学习走深走实", owner_unit=bureau["party"], measure="中心组学习不少于12次",
        target_value="12次", key_actions="落实第一议题制度", weight="2",
    )
    actions.approve_plan(office, plan)
    actions.publish_plan(office, plan)
    county_task = actions.add_task(
        office, goal, title="县局理论学习", lead_unit=bureau["county"], start_date=JAN1, due_date=DEC31,
        supporting_units=[bureau["party"]],
    )
    bureau.update(plan=plan, goal=goal, county_task=county_task)
    return bureau
