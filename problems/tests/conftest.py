"""The coal affairs centre's problem-finding round (seeds/004): the centre, its sections, its office."""

import datetime

import pytest

from accounts.roles import Role
from assessment.tests.conftest import coal_center  # noqa: F401  (the assessment round, for weaknesses)
from mofan.testing.factories import make_person, make_unit
from organization.models import UnitKind

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def centre(db):
    """市煤炭事务中心 with two sections; 刘华 runs the office, 文成 leads, 周城 keeps the records."""
    agency = make_unit(name="市煤炭事务中心", code="MT", kind=UnitKind.AGENCY)
    office_unit = make_unit(agency, name="办公室", code="MT-BG")
    planning = make_unit(agency, name="规划发展股", code="MT-GH")
    safety = make_unit(agency, name="安全监管股", code="MT-AQ")
    return {
        "agency": agency, "office_unit": office_unit, "planning": planning, "safety": safety,
        "liuhua": make_person(office_unit, real_name="刘华", roles=[(Role.OFFICE, agency)]),
        "wencheng": make_person(office_unit, real_name="文成", roles=[(Role.LEADER, agency)]),
        "guihua": make_person(planning, real_name="规划股长", roles=[(Role.DEPARTMENT_HEAD, planning)]),
        "planner": make_person(planning, real_name="规划股干部"),
        "anquan": make_person(safety, real_name="安全股长", roles=[(Role.DEPARTMENT_HEAD, safety)]),
        "stranger": _stranger(),
    }


def _stranger():
    other = make_unit(name="市气象局", code="QX", kind=UnitKind.AGENCY)
    return make_person(other, real_name="气象局办公室", roles=[(Role.OFFICE, other)])
