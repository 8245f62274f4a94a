"""After a decline the issuer hands the task on or withdraws it; supporting units see what they support."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals import actions, lights, rollup, scoping
from goals.models import Light, PlanAdjustment, TaskStatus
from mofan.testing.factories import make_person, make_unit
from organization.models import UnitKind

from .conftest import DEC31, JAN1, D

JUN30 = datetime.date(2026, 6, 30)


def _declined(plan):
    task = plan["county_task"]
    actions.decline_task(plan["county_office"], task, reason="本县局无党建专职人员")
    return task


def test_the_issuer_hands_a_declined_task_to_another_unit_and_the_plan_records_it(plan):
    task = _declined(plan)
    with pytest.raises(PermissionDenied):
        actions.reassign_task(plan["county_office"], task, lead_unit=plan["other_county"], reason="改由他县")
    with pytest.raises(ValidationError, match="理由"):
        actions.reassign_task(plan["office"], task, lead_unit=plan["other_county"], reason=" ")
    actions.reassign_task(plan["office"], task, lead_unit=plan["other_county"], reason="改由另一县局牵头")
    task.refresh_from_db()
    assert (task.status, task.lead_unit, task.decline_reason) == (TaskStatus.ISSUED, plan["other_county"], "")
    adjustment = PlanAdjustment.objects.get(plan=plan["plan"])
    assert adjustment.before["decline_reason"] == "本县局无党建专职人员"
    assert adjustment.after["lead_unit"] == "另一县局"
    actions.sign_task(plan["other_office"], task)  # the new lead unit takes it on
    with pytest.raises(ValidationError, match="已拒收的任务"):
        actions.reassign_task(plan["office"], task, lead_unit=plan["county"], reason="再换")


def test_a_reassigned_task_stays_inside_the_issuers_subtree(plan):
    task = _declined(plan)
    sub_parent = plan["county_task"]
    # A sub-task declined by the section can only go to a unit under the county (its issuer).
    actions.reassign_task(plan["office"], task, lead_unit=plan["county"], reason="已协调人员，仍由县局牵头")
    actions.sign_task(plan["county_office"], sub_parent)
    sub = actions.add_task(
        plan["county_office"], plan["goal"], parent=sub_parent, title="股室学习", lead_unit=plan["section"],
        start_date=JAN1, due_date=JUN30,
    )
    actions.decline_task(plan["section_clerk"], sub, reason="人手不足")
    with pytest.raises(ValidationError, match="牵头单位"):
        actions.reassign_task(plan["county_office"], sub, lead_unit=plan["party"], reason="交党建科")


def test_a_withdrawn_task_and_its_subtasks_count_nowhere(plan):
    office, goal = plan["office"], plan["goal"]
    kept = actions.add_task(office, goal, title="保留任务", lead_unit=plan["party"], start_date=JAN1, due_date=DEC31)
    county = plan["county_task"]
    actions.sign_task(plan["county_office"], county)
    sub = actions.add_task(plan["county_office"], goal, parent=county, title="股室学习", lead_unit=plan["section"], start_date=JAN1, due_date=JUN30)
    actions.sign_task(plan["party_staff"], kept)
    report = actions.submit_report(plan["party_staff"], kept, period=JUN30, percent="60", done_text="完成一半")
    actions.accept_report(office, report)
    assert rollup.plan_progress(plan["plan"]).percent == D("30.00")
    with pytest.raises(PermissionDenied):
        actions.withdraw_task(plan["county_office"], county, reason="撤销")
    actions.withdraw_task(office, county, reason="上级通知取消该项工作")
    county.refresh_from_db()
    sub.refresh_from_db()
    assert county.status == sub.status == TaskStatus.WITHDRAWN and sub.withdraw_reason == "上级通知取消该项工作"
    assert rollup.plan_progress(plan["plan"]).percent == D("60.00")
    assert lights.light(county, datetime.date(2027, 1, 5)) == ""
    assert lights.light(kept, datetime.date(2027, 1, 5)) == Light.RED
    with pytest.raises(ValidationError, match="已撤销"):
        actions.withdraw_task(office, county, reason="再撤")
    with pytest.raises(ValidationError):
        actions.add_task(office, goal, parent=county, title="挂在撤销任务下", lead_unit=plan["county"], start_date=JAN1, due_date=JUN30)


def test_supporting_units_see_the_tasks_they_support_and_no_other(plan):
    county = plan["county_task"]  # led by the county, supported by the party-building department
    party_staff, other = plan["party_staff"], plan["other_office"]
    assert county in scoping.visible_tasks(party_staff)
    assert scoping.is_supporting_only(party_staff, county)
    assert not scoping.is_supporting_only(plan["county_office"], county)
    assert county not in scoping.visible_tasks(other)
    assert list(scoping.visible_tasks(plan["office"])) .count(county) == 1  # no duplicate through the join
    assert plan["plan"] in scoping.visible_plans(plan["section_clerk"])
    stranger = make_person(make_unit(name="市气象局", code="QX", kind=UnitKind.AGENCY), real_name="外单位")
    assert plan["plan"] not in scoping.visible_plans(stranger) and county not in scoping.visible_tasks(stranger)
