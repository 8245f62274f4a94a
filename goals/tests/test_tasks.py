"""Decomposition to any depth, signing for tasks, progress reports and their review, roll-ups."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import permissions
from evidence import links
from goals import actions, rollup
from goals.models import ProgressReport, ReportStatus, Task, TaskStatus

from .conftest import DEC31, JAN1, D

JUN30 = datetime.date(2026, 6, 30)


def _report(actor, task, percent, period=JUN30):
    return actions.submit_report(actor, task, period=period, percent=percent, done_text="完成学习")


def test_a_unit_given_a_task_signs_for_it_and_decomposes_it_inside_its_subtree(plan):
    task, county_office, goal = plan["county_task"], plan["county_office"], plan["goal"]
    with pytest.raises(ValidationError, match="请先签收任务"):
        actions.add_task(county_office, goal, parent=task, title="股室学习", lead_unit=plan["section"], start_date=JAN1, due_date=JUN30)
    actions.sign_task(county_office, task)
    sub = actions.add_task(
        county_office, goal, parent=task, title="股室学习", lead_unit=plan["section"], start_date=JAN1, due_date=JUN30,
        cadence="weekly", expected_output="学习记录",
    )
    actions.sign_task(plan["section_clerk"], sub)
    third = actions.add_task(county_office, goal, parent=sub, title="第一议题", lead_unit=plan["section"], start_date=JAN1, due_date=JUN30)
    assert [third.parent, sub.parent] == [sub, task] and sub.issuer_unit == plan["county"]
    with pytest.raises(ValidationError, match="牵头单位"):
        actions.add_task(county_office, goal, parent=task, title="越界", lead_unit=plan["party"], start_date=JAN1, due_date=JUN30)
    with pytest.raises(ValidationError, match="上级任务的起止日期"):
        actions.add_task(county_office, goal, parent=sub, title="超期", lead_unit=plan["section"], start_date=JAN1, due_date=DEC31)
    with pytest.raises(PermissionDenied):
        actions.add_task(county_office, goal, title="直接挂目标", lead_unit=plan["county"], start_date=JAN1, due_date=JUN30)
    with pytest.raises(PermissionDenied):
        actions.add_task(plan["other_office"], goal, parent=task, title="他县", lead_unit=plan["other_county"], start_date=JAN1, due_date=JUN30)


def test_the_issuing_office_decomposes_before_anyone_signs(plan):
    sub = actions.add_task(
        plan["office"], plan["goal"], parent=plan["county_task"], title="综合股落实", lead_unit=plan["section"],
        start_date=JAN1, due_date=JUN30,
    )
    assert sub.status == TaskStatus.ISSUED


def test_tasks_are_signed_for_only_once_the_plan_is_published_and_declined_with_a_reason(bureau):
    office = bureau["office"]
    plan = actions.create_plan(office, unit=bureau["agency"], year=2026, title="计划")
    goal = actions.add_goal(office, plan, title="目标", owner_unit=bureau["party"])
    task = actions.add_task(office, goal, title="任务", lead_unit=bureau["county"], start_date=JAN1, due_date=DEC31)
    with pytest.raises(ValidationError, match="计划发布后"):
        actions.sign_task(bureau["county_office"], task)
    actions.approve_plan(office, plan)
    actions.publish_plan(office, plan)
    with pytest.raises(PermissionDenied):
        actions.sign_task(bureau["other_office"], task)
    with pytest.raises(ValidationError, match="拒收任务的理由"):
        actions.decline_task(bureau["county_office"], task, reason="")
    actions.decline_task(bureau["county_office"], task, reason="不属于县局职责")
    task.refresh_from_db()
    assert task.status == TaskStatus.DECLINED and task.decline_reason == "不属于县局职责"
    with pytest.raises(ValidationError):
        actions.sign_task(bureau["county_office"], task)


def test_reports_are_accepted_or_returned_by_the_issuer(plan):
    task, county_office = plan["county_task"], plan["county_office"]
    with pytest.raises(ValidationError, match="已签收且未完成"):
        _report(county_office, task, "10")
    actions.sign_task(county_office, task)
    with pytest.raises(PermissionDenied):
        _report(plan["party_staff"], task, "10")
    report = _report(county_office, task, "40")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS
    with pytest.raises(ValidationError, match="等待审核"):
        _report(county_office, task, "50")
    with pytest.raises(PermissionDenied):
        actions.accept_report(county_office, report)  # the county does not review its own work
    with pytest.raises(ValidationError, match="退回进展报告的理由"):
        actions.return_report(plan["office"], report, reason="")
    actions.return_report(plan["office"], report, reason="缺少佐证")
    task.refresh_from_db()
    assert task.percent_done == 0 and report.status == ReportStatus.RETURNED
    with pytest.raises(ValidationError):
        _report(county_office, task, "120")
    second = _report(county_office, task, "60")
    actions.accept_report(plan["office"], second)
    task.refresh_from_db()
    assert task.percent_done == D("60") and task.last_accepted_report_at is not None and task.status == TaskStatus.IN_PROGRESS
    actions.accept_report(plan["office"], _report(county_office, task, "100", period=DEC31))
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    with pytest.raises(ValidationError):
        _report(county_office, task, "100")


def test_progress_rolls_up_weighted_from_sub_tasks_to_the_plan(plan):
    office, county_office, goal, task = plan["office"], plan["county_office"], plan["goal"], plan["county_task"]
    actions.sign_task(county_office, task)
    subs = [
        actions.add_task(county_office, goal, parent=task, title=f"子任务{w}", lead_unit=plan["section"], start_date=JAN1,
                         due_date=JUN30, weight=w)
        for w in ("1", "3")
    ]
    for sub, percent in zip(subs, ("100", "20"), strict=True):
        actions.sign_task(plan["section_clerk"], sub)
        actions.accept_report(county_office, _report(plan["section_clerk"], sub, percent))
    other = actions.add_task(office, goal, title="市局党建科任务", lead_unit=plan["party"], start_date=JAN1, due_date=DEC31)
    actions.add_goal(office, plan["plan"], title="未分解目标", owner_unit=plan["party"], weight="1", reason="补充")
    progress = rollup.plan_progress(plan["plan"])
    # county task: (100×1 + 20×3) / 4 = 40; goal: (40 + 0) / 2 = 20; plan: (20×2 + 0×1) / 3 = 13.33
    assert progress.tasks[task.pk] == D("40.00") and progress.tasks[other.pk] == D("0.00")
    assert progress.goals[goal.pk] == D("20.00") and progress.percent == D("13.33")


def test_tasks_and_reports_are_evidence_targets_seen_in_scope(plan):
    actions.sign_task(plan["county_office"], plan["county_task"])
    report = _report(plan["county_office"], plan["county_task"], "10")
    task_link, report_link = links.get("goals.task"), links.get("goals.progressreport")
    assert task_link.unit_of(plan["county_task"]) == plan["county"] and report_link.unit_of(report) == plan["county"]
    assert task_link.can_see(plan["county_office"], plan["county_task"])
    assert not task_link.can_see(plan["other_office"], plan["county_task"])
    assert report_link.can_see(plan["leader"], report) and not report_link.can_see(plan["sysadmin"], report)
    visible = permissions.restrict(ProgressReport.objects.all(), plan["other_office"], perm="goals.plan.view")
    assert not visible.exists()


def test_milestones_fall_within_their_task_and_are_set_by_who_decomposes_it(plan):
    task = plan["county_task"]
    milestone = actions.add_milestone(plan["office"], task, title="上半年完成专题学习", due=JUN30)
    assert list(task.milestones.all()) == [milestone]
    with pytest.raises(ValidationError, match="起止日期之内"):
        actions.add_milestone(plan["office"], task, title="明年", due=datetime.date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        actions.add_milestone(plan["other_office"], task, title="他县", due=JUN30)


def test_every_change_of_a_task_and_a_report_is_in_the_audit_trail(plan):
    from audit.models import AuditEntry

    task, county_office = plan["county_task"], plan["county_office"]
    actions.sign_task(county_office, task)
    report = _report(county_office, task, "30")
    actions.accept_report(plan["office"], report)
    entries = AuditEntry.objects.filter(object_type="goals.task", object_id=str(task.pk)).order_by("id")
    statuses = [entry.after.get("status") for entry in entries if entry.after and "status" in entry.after]
    assert statuses == ["issued", "signed", "in_progress"]
    accepted = AuditEntry.objects.filter(object_type="goals.progressreport", object_id=str(report.pk)).order_by("id").last()
    assert accepted.before["status"] == "submitted" and accepted.after["status"] == "accepted"
    assert accepted.actor == plan["office"] and accepted.unit_id == plan["county"].pk


def test_roll_ups_cost_the_same_queries_for_few_or_many_tasks(plan, django_assert_num_queries):
    office, goal = plan["office"], plan["goal"]
    round_ = type("Round", (), {"period_start": JAN1, "period_end": DEC31})
    with django_assert_num_queries(2):
        rollup.plan_progress(plan["plan"])
    with django_assert_num_queries(1):
        rollup.unit_scores(round_, [plan["county"].pk])
    parent = plan["county_task"]
    for number in range(20):
        parent = actions.add_task(office, goal, parent=parent, title=f"第{number}层", lead_unit=plan["county"], start_date=JAN1, due_date=DEC31)
    with django_assert_num_queries(2):
        assert rollup.plan_progress(plan["plan"]).tasks[parent.pk] == D("0.00")
    with django_assert_num_queries(1):
        rollup.unit_scores(round_, [plan["county"].pk])


def test_a_parent_is_not_finished_while_a_sub_task_is_open_nor_due_before_it(plan):
    task, county_office, office = plan["county_task"], plan["county_office"], plan["office"]
    actions.sign_task(county_office, task)
    sub = actions.add_task(county_office, plan["goal"], parent=task, title="股室学习", lead_unit=plan["section"], start_date=JAN1, due_date=datetime.date(2026, 11, 30))
    with pytest.raises(ValidationError, match="子任务尚未全部完成"):
        _report(county_office, task, "100")
    with pytest.raises(ValidationError, match="子任务"):
        actions.reschedule_task(office, task, due_date=datetime.date(2026, 11, 1), reason="提前")
    report = _report(county_office, task, "60")
    actions.withdraw_task(county_office, sub, reason="并入上级任务")
    actions.accept_report(office, report)
    actions.reschedule_task(office, task, due_date=datetime.date(2026, 11, 1), reason="提前")  # the withdrawn sub-task no longer holds it
    assert Task.objects.get(pk=task.pk).due_date == datetime.date(2026, 11, 1)


def test_a_report_period_lies_within_the_task(plan):
    task = plan["county_task"]
    actions.sign_task(plan["county_office"], task)
    for period in (datetime.date(2025, 12, 31), datetime.date(2030, 1, 31)):
        with pytest.raises(ValidationError, match="报告期"):
            _report(plan["county_office"], task, "10", period=period)
    assert not ProgressReport.objects.filter(task=task).exists()


def test_the_issuing_office_does_not_sign_for_the_lead_unit(plan):
    with pytest.raises(PermissionDenied):
        actions.sign_task(plan["office"], plan["county_task"])
    with pytest.raises(PermissionDenied):
        actions.decline_task(plan["office"], plan["county_task"], reason="代为拒收")
    assert Task.objects.get(pk=plan["county_task"].pk).status == TaskStatus.ISSUED
