"""Traffic lights on dates chosen around each threshold, and red → yellow → green through the actions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from goals import actions
from goals.lights import expected_percent, light
from goals.models import Light, PlanAdjustment, Task, TaskStatus

from .conftest import D

START = datetime.date(2026, 1, 1)
DUE = datetime.date(2026, 4, 11)  # 100 days: the expected progress is one point a day


def at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def task(percent="0", last_report=None, **fields):
    values = {"start_date": START, "due_date": DUE, "cadence": "monthly", "status": TaskStatus.IN_PROGRESS}
    values.update(fields)
    return Task(percent_done=D(percent), last_accepted_report_at=last_report, **values)


def test_red_the_day_after_the_due_date_unless_done():
    fresh = at(DUE - datetime.timedelta(days=1))
    assert light(task("99", fresh), DUE) == Light.GREEN
    assert light(task("99", fresh), DUE + datetime.timedelta(days=1)) == Light.RED
    assert light(task("100", fresh, status=TaskStatus.DONE), DUE + datetime.timedelta(days=30)) == Light.GREEN


@pytest.mark.parametrize(
    ("today", "percent", "colour"),
    [
        (datetime.date(2026, 4, 4), "73", Light.GREEN),  # 7 days left, expected 93, exactly 20 behind
        (datetime.date(2026, 4, 4), "72.99", Light.YELLOW),  # 7 days left, more than 20 behind
        (datetime.date(2026, 4, 3), "0", Light.GREEN),  # 8 days left: far behind, not yet due soon
        (datetime.date(2026, 4, 11), "79.99", Light.YELLOW),  # due today, expected 100
    ],
)
def test_yellow_when_due_soon_and_behind_the_expected_progress(today, percent, colour):
    assert expected_percent(task(), datetime.date(2026, 4, 4)) == D("93")
    assert light(task(percent, at(today)), today) == colour


def test_the_thresholds_come_from_the_settings(settings):
    today = datetime.date(2026, 4, 4)
    settings.MOFAN_GOALS_YELLOW_DAYS = 6
    assert light(task("50", at(today)), today) == Light.GREEN
    settings.MOFAN_GOALS_YELLOW_DAYS, settings.MOFAN_GOALS_BEHIND_POINTS = 7, 50
    assert light(task("50", at(today)), today) == Light.GREEN
    assert light(task("42", at(today)), today) == Light.YELLOW


@pytest.mark.parametrize(
    ("cadence", "last_report", "colour"),
    [
        ("monthly", datetime.date(2026, 2, 1), Light.GREEN),  # 31 days before 4 March
        ("monthly", datetime.date(2026, 1, 31), Light.YELLOW),  # 32 days
        ("weekly", datetime.date(2026, 2, 25), Light.GREEN),  # 7 days
        ("weekly", datetime.date(2026, 2, 24), Light.YELLOW),  # 8 days
        ("quarterly", None, Light.GREEN),  # 62 days since the start, within a quarter
    ],
)
def test_yellow_when_a_report_is_missing_for_the_cadence(cadence, last_report, colour):
    today = datetime.date(2026, 3, 4)
    on_track = task("70", at(last_report) if last_report else None, cadence=cadence)
    assert light(on_track, today) == colour


def test_a_task_without_any_report_turns_yellow_one_cadence_after_its_start():
    assert light(task(), datetime.date(2026, 2, 1)) == Light.GREEN  # 31 days
    assert light(task(), datetime.date(2026, 2, 2)) == Light.YELLOW


def test_a_red_task_given_time_turns_yellow_then_green_after_the_next_accepted_report(plan):
    today = timezone.localdate()
    office, county_office = plan["office"], plan["county_office"]
    late = actions.add_task(
        office, plan["goal"], title="逾期任务", lead_unit=plan["county"],
        start_date=today - datetime.timedelta(days=60), due_date=today - datetime.timedelta(days=1),
    )
    actions.sign_task(county_office, late)
    actions.accept_report(office, actions.submit_report(county_office, late, period=today, percent="50", done_text="推进中"))
    late.refresh_from_db()
    assert light(late, today) == Light.RED
    with pytest.raises(ValidationError, match="调整理由"):
        actions.reschedule_task(office, late, due_date=today + datetime.timedelta(days=30), reason="")
    actions.reschedule_task(office, late, due_date=today + datetime.timedelta(days=30), reason="延期一个月", today=today)
    late.refresh_from_db()
    # 60 of 90 days gone, 50% done: not due soon and a fresh report, so only the floor keeps it yellow.
    assert late.light_floor == Light.YELLOW and light(late, today) == Light.YELLOW
    assert PlanAdjustment.objects.filter(plan=plan["plan"], reason="延期一个月").exists()
    report = actions.submit_report(county_office, late, period=today, percent="70", done_text="赶上进度")
    assert light(Task.objects.get(pk=late.pk), today) == Light.YELLOW  # submitted is not accepted
    actions.accept_report(office, report)
    late.refresh_from_db()
    assert late.light_floor == "" and light(late, today) == Light.GREEN


def test_a_task_rescheduled_before_it_went_red_keeps_no_floor(plan):
    task_ = plan["county_task"]
    actions.reschedule_task(plan["office"], task_, due_date=task_.due_date, reason="确认时限", today=task_.start_date)
    task_.refresh_from_db()
    assert task_.light_floor == ""


def test_a_declined_task_has_no_colour_until_the_issuer_hands_it_on():
    assert light(task("0", status=TaskStatus.DECLINED), DUE + datetime.timedelta(days=5)) == ""


def test_a_parent_is_reported_on_through_its_sub_tasks(plan):
    """A sub-task's accepted report keeps its parent from turning yellow for a missing report."""
    county_task, county_office = plan["county_task"], plan["county_office"]
    actions.sign_task(county_office, county_task)
    sub = actions.add_task(
        county_office, plan["goal"], parent=county_task, title="股室学习", lead_unit=plan["section"],
        start_date=START, due_date=datetime.date(2026, 12, 31),
    )
    actions.sign_task(plan["section_clerk"], sub)
    report = actions.submit_report(plan["section_clerk"], sub, period=datetime.date(2026, 1, 31), percent="20", done_text="学习两次")
    actions.accept_report(county_office, report)
    parent = Task.objects.get(pk=county_task.pk)
    accepted = timezone.localdate(parent.last_accepted_report_at)
    on_track = D("100")  # progress is not what this checks
    assert light(parent, accepted + datetime.timedelta(days=31), percent=on_track) == Light.GREEN
    assert light(parent, accepted + datetime.timedelta(days=32), percent=on_track) == Light.YELLOW  # nothing below either
