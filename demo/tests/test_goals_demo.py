"""The tobacco bureau's goal plan in the demo (seeds/000), as the office and the units find it on 2026-11-23.

The demo is seeded once for the module inside a transaction rolled back at the end; each test runs
in its own savepoint on top of it.
"""

import datetime

import pytest

from accounts.models import User
from audit.models import AuditEntry
from demo import data, seed
from demo import goals as demo_goals
from goals import rollup, scoping, supervision
from goals.lights import light
from goals.models import (
    Goal,
    Light,
    Milestone,
    Plan,
    PlanAdjustment,
    PlanStatus,
    ProgressReport,
    ReportStatus,
    SupervisionLevel,
    SupervisionNotice,
    SupervisionStatus,
    Task,
    TaskStatus,
)
from standard.models import Level

DAY = datetime.date(2026, 11, 23)
GOAL_MODELS = (Plan, Goal, Task, Milestone, ProgressReport, PlanAdjustment, SupervisionNotice)


@pytest.fixture(scope="module")
def seeded(seeded_demo):
    return seeded_demo


@pytest.fixture
def plan(seeded, db):
    return Plan.objects.get(unit__code=data.TOBACCO, year=2026)


def depth(task):
    level = 1
    while task.parent_id:
        task, level = task.parent, level + 1
    return level


def belongs(person, unit):
    """Works in the unit, or (for a party organization) is one of its members."""
    places = (person.unit, person.party_unit)
    return any(place is not None and place.path.startswith(unit.path) for place in places)


def test_the_plan_is_published_with_the_speech_goals_tied_to_the_standard(plan):
    assert plan.status == PlanStatus.PUBLISHED and plan.published_at is not None
    goals = list(plan.goals.select_related("node__standard", "owner_unit"))
    assert len(goals) == len(demo_goals.GOALS) >= 6
    assert sum(goal.weight for goal in goals) == 100
    for goal in goals:
        assert goal.node is not None and goal.node.level in (Level.DIMENSION, Level.INDICATOR)
        assert goal.node.standard.unit_id == plan.unit_id
        assert goal.measure and goal.target_value and goal.key_actions
        assert goal.owner_unit.code.startswith(f"{data.TOBACCO}-")
    dimensions = {(goal.node.parent or goal.node).title for goal in goals}
    assert dimensions == {"政治过硬", "组织过硬", "作风过硬", "纪律过硬", "能力过硬"}
    assert any("1+2+X+5" in goal.title for goal in goals)
    draft = Plan.objects.get(unit=plan.unit, year=2027)
    assert draft.status == PlanStatus.DRAFT and draft.goals.exists()


def test_goals_are_decomposed_three_levels_down_each_inside_its_parent(plan):
    related = ("lead_unit", "owner__unit", "owner__party_unit", "parent__lead_unit")
    tasks = list(Task.objects.filter(goal__plan=plan).select_related(*related))
    deepest = [task for task in tasks if depth(task) == 3]
    assert deepest
    assert {task.parent.parent.lead_unit.code for task in deepest} == {f"{data.TOBACCO}-LJ"}
    for task in tasks:
        assert task.start_date.year == task.due_date.year == 2026
        if task.parent_id:
            assert task.lead_unit.path.startswith(task.parent.lead_unit.path)
            assert task.parent.start_date <= task.start_date and task.due_date <= task.parent.due_date
    owned = [task for task in tasks if task.owner_id]
    assert len(owned) == len(tasks) - 1  # the reassigned task was issued without naming its owner
    assert all(belongs(task.owner, task.lead_unit) for task in owned)
    assert Milestone.objects.filter(task__goal__plan=plan).count() >= 8
    assert Task.objects.filter(goal__plan=plan, supporting_units__isnull=False).distinct().count() >= 10
    assert {task.cadence for task in tasks} == {"weekly", "monthly", "quarterly"}


def test_every_colour_shows_on_2026_11_23(plan):
    tasks = list(Task.objects.filter(goal__plan=plan).exclude(status__in=[TaskStatus.WITHDRAWN, TaskStatus.DECLINED]))
    colours = {task.title: light(task, DAY) for task in tasks}
    assert set(colours.values()) == {Light.GREEN, Light.YELLOW, Light.RED}
    assert colours["直属单位“一把手”政治监督谈话"] == Light.YELLOW  # due in 7 days, far behind
    assert colours["县局廉洁文化阵地建设"] == Light.YELLOW  # signed in September, never reported
    assert colours["白石县局党支部标准化规范化提质"] == Light.RED
    rescheduled = Task.objects.get(goal__plan=plan, title="烟站党支部“两级六岗”责任清单落实")
    assert rescheduled.light_floor == Light.YELLOW and rescheduled.due_date > DAY
    assert light(rescheduled, DAY) == Light.YELLOW
    progress = rollup.plan_progress(plan)
    assert 0 < progress.percent < 100
    rolled = {light(task, DAY, percent=progress.tasks[task.pk]) for task in tasks}
    assert rolled == {Light.GREEN, Light.YELLOW, Light.RED}


def test_tasks_at_every_step_of_their_life(plan):
    tasks = Task.objects.filter(goal__plan=plan)
    statuses = set(tasks.values_list("status", flat=True))
    assert statuses == set(TaskStatus.values)
    declined = tasks.get(status=TaskStatus.DECLINED)
    assert "烟站" in declined.decline_reason and declined.lead_unit.code == f"{data.TOBACCO}-AP"
    withdrawn = tasks.get(status=TaskStatus.WITHDRAWN)
    assert withdrawn.withdraw_reason
    assert tasks.filter(status=TaskStatus.ISSUED, signed_at__isnull=True).count() >= 2
    assert tasks.filter(status=TaskStatus.DONE, percent_done=100).count() >= 5


def test_a_returned_report_is_resubmitted_and_waits_for_review(plan):
    returned = ProgressReport.objects.get(task__goal__plan=plan, status=ReportStatus.RETURNED)
    assert "交流记录" in returned.return_reason and returned.reviewed_by is not None
    task = returned.task
    resubmitted = task.reports.get(status=ReportStatus.SUBMITTED)
    assert resubmitted.period > returned.period
    assert task.percent_done == task.reports.get(status=ReportStatus.ACCEPTED).percent  # the last accepted one
    county = User.objects.get(username="county")
    assert returned.submitted_by == resubmitted.submitted_by == county == task.owner
    waiting = ProgressReport.objects.filter(task__goal__plan=plan, status=ReportStatus.SUBMITTED)
    assert {report.submitted_by.username for report in waiting} >= {"county", "staff"}


def test_the_county_login_sees_its_own_section_tasks_only(plan):
    county = User.objects.get(username="county")
    visible = scoping.visible_tasks(county).filter(goal__plan=plan)
    assert visible.exists()
    assert {task.lead_unit.code for task in visible} == {f"{data.TOBACCO}-LJ-YX"}


def test_supervision_notices_replied_closed_escalated_and_overdue(plan):
    notices = SupervisionNotice.objects.filter(issuing_unit__path__startswith=plan.unit.path)
    closed = notices.get(status=SupervisionStatus.CLOSED)
    assert closed.reply and closed.closed_by.username == "office"
    escalated = notices.get(status=SupervisionStatus.ESCALATED)
    follow_up = escalated.escalated_to
    assert escalated.level == SupervisionLevel.REMINDER and escalated.reply
    assert follow_up.level == SupervisionLevel.SUPERVISION and follow_up.status == SupervisionStatus.OPEN
    assert follow_up.task == escalated.task and follow_up.reply_due > DAY
    overdue = list(supervision.overdue(notices, today=DAY))
    assert [notice.unit.code for notice in overdue] == [f"{data.TOBACCO}-QS"]


def test_published_plan_changed_only_by_recorded_adjustments(plan):
    adjustments = list(plan.adjustments.all())
    assert all(adjustment.reason and adjustment.by_id for adjustment in adjustments)
    moved = [a for a in adjustments if "due_date" in a.after]
    assert len(moved) == 2 and all(a.before["due_date"] < a.after["due_date"] for a in moved)
    assert any("lead_unit" in a.after for a in adjustments)
    assert any(a.after.get("status") == TaskStatus.WITHDRAWN for a in adjustments)
    assert plan.goals.get(position=4).target_value == "培育库12个、示范库6个"


def test_a_second_run_writes_nothing(plan):
    before = {model.__name__: model.objects.count() for model in (*GOAL_MODELS, AuditEntry)}
    assert demo_goals.ensure_goals() == 0
    seed.run()
    assert {model.__name__: model.objects.count() for model in (*GOAL_MODELS, AuditEntry)} == before
