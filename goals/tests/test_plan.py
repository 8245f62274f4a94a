"""Plans: drafted, approved, published; a published plan changes only by a recorded adjustment."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from goals import actions
from goals.models import PlanAdjustment, PlanStatus

from .conftest import D


def test_a_plan_is_drafted_approved_and_published(bureau):
    office = bureau["office"]
    plan = actions.create_plan(office, unit=bureau["agency"], year=2026, title="年度目标计划")
    with pytest.raises(ValidationError, match="至少需要一个目标"):
        actions.approve_plan(office, plan)
    with pytest.raises(ValidationError, match="已审定的计划才能发布"):
        actions.publish_plan(office, plan)
    actions.add_goal(office, plan, title="组织过硬", owner_unit=bureau["party"])
    actions.approve_plan(office, plan)
    actions.publish_plan(office, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and plan.published_at is not None
    assert AuditEntry.objects.filter(object_type="goals.plan", object_id=str(plan.pk)).count() >= 3


def test_one_plan_per_unit_and_year_and_only_in_scope(bureau):
    actions.create_plan(bureau["office"], unit=bureau["agency"], year=2026, title="计划")
    with pytest.raises(ValidationError):
        actions.create_plan(bureau["office"], unit=bureau["agency"], year=2026, title="又一个")
    with pytest.raises(PermissionDenied):
        actions.create_plan(bureau["county_office"], unit=bureau["agency"], year=2027, title="越权")
    for person in ("leader", "party_staff", "sysadmin"):
        with pytest.raises(PermissionDenied):
            actions.create_plan(bureau[person], unit=bureau["party"], year=2027, title="无权")


def test_a_goal_serves_a_dimension_or_indicator_and_an_owner_inside_the_plan(bureau):
    from assessment.tests.conftest import build_standard

    _, nodes = build_standard(bureau["agency"])
    office = bureau["office"]
    plan = actions.create_plan(office, unit=bureau["county"], year=2026, title="县局计划")
    goal = actions.add_goal(office, plan, title="政治过硬", owner_unit=bureau["section"], node=nodes["i11"])
    assert goal.node == nodes["i11"]
    with pytest.raises(ValidationError):
        actions.add_goal(office, plan, title="评分项", owner_unit=bureau["section"], node=nodes["a"])
    with pytest.raises(ValidationError):
        actions.add_goal(office, plan, title="外单位", owner_unit=bureau["party"])


def test_a_published_plan_changes_only_by_a_recorded_adjustment(plan):
    office, goal = plan["office"], plan["goal"]
    with pytest.raises(ValidationError, match="调整理由"):
        actions.add_goal(office, plan["plan"], title="新增目标", owner_unit=plan["party"])
    assert plan["plan"].goals.count() == 1
    actions.add_goal(office, plan["plan"], title="新增目标", owner_unit=plan["party"], reason="市局党组新要求")
    with pytest.raises(ValidationError, match="没有任何变更"):
        actions.adjust_plan(office, plan["plan"], reason="无变化", goals={goal: {"weight": "2.0"}})
    with pytest.raises(ValidationError, match="调整理由"):
        actions.adjust_plan(office, plan["plan"], reason=" ", goals={goal: {"weight": "3"}})
    adjustment = actions.adjust_plan(office, plan["plan"], reason="年中调整", goals={goal: {"weight": "3", "target_value": "15次"}})
    assert adjustment.before == {f"goal {goal.pk}": {"target_value": "12次", "weight": "2"}}
    assert adjustment.after == {f"goal {goal.pk}": {"target_value": "15次", "weight": "3"}}
    assert adjustment.by == office and PlanAdjustment.objects.filter(plan=plan["plan"]).count() == 2
    goal.refresh_from_db()
    assert goal.weight == D("3") and goal.target_value == "15次"
    with pytest.raises(PermissionDenied):
        actions.adjust_plan(plan["county_office"], plan["plan"], reason="越权", title="改名")


def test_a_draft_is_not_adjusted(bureau):
    plan = actions.create_plan(bureau["office"], unit=bureau["agency"], year=2026, title="计划")
    with pytest.raises(ValidationError, match="已发布的计划需要调整"):
        actions.adjust_plan(bureau["office"], plan, reason="调整", title="新名")


def test_one_title_is_one_goal_of_a_plan(plan):
    with pytest.raises(ValidationError, match="已有目标"):
        actions.add_goal(plan["office"], plan["plan"], title="理论学习走深走实", owner_unit=plan["party"], reason="重复")
    assert plan["plan"].goals.filter(title="理论学习走深走实").count() == 1
