"""The daily plan snapshot: one row per published plan and day, figures from rollup and lights."""

from decimal import Decimal

from core.schedule import daily_jobs
from goals import actions, lights, rollup, snapshots
from goals.models import PlanSnapshot, Task, TaskStatus
from goals.tests.test_board_pages import DAY, accepted, add, make_plan, today


def test_snapshot_counts_colours_and_percent_once_per_day(bureau):
    plan, goal = make_plan(bureau)
    t = today()
    green = add(bureau, goal, "按期推进", bureau["county"], t - 10 * DAY, t + 60 * DAY)
    accepted(green, 40, bureau["county_office"], bureau["office"])
    add(bureau, goal, "逾期任务", bureau["county"], t - 30 * DAY, t - DAY)
    done = add(bureau, goal, "已完成任务", bureau["other_county"], t - 30 * DAY, t + 5 * DAY)
    accepted(done, 100, bureau["other_office"], bureau["office"])
    withdrawn = add(bureau, goal, "撤销任务", bureau["other_county"], t - 30 * DAY, t - DAY)
    actions.withdraw_task(bureau["office"], withdrawn, reason="机构调整")
    draft = actions.create_plan(bureau["county_office"], unit=bureau["county"], year=t.year, title="县局草稿计划")

    assert snapshots.take_snapshots(t) == 1
    snapshot = PlanSnapshot.objects.get(plan=plan, date=t)
    assert snapshot.percent == rollup.plan_progress(plan).percent == Decimal("46.67")
    live = Task.objects.filter(goal__plan=plan).exclude(status=TaskStatus.WITHDRAWN)
    colours = [lights.light(task, t) for task in live]
    assert (snapshot.total, snapshot.green, snapshot.yellow, snapshot.red, snapshot.done) == (
        3, colours.count("green"), colours.count("yellow"), colours.count("red"), 1
    ) == (3, 2, 0, 1, 1)
    assert not PlanSnapshot.objects.filter(plan=draft).exists()

    # Run again the same day after a report is accepted: the row is updated, not duplicated.
    late = Task.objects.get(title="逾期任务")
    accepted(late, 100, bureau["county_office"], bureau["office"])
    snapshots.take_snapshots(t)
    assert PlanSnapshot.objects.filter(plan=plan).count() == 1
    snapshot.refresh_from_db()
    assert (snapshot.red, snapshot.done, snapshot.green) == (0, 2, 3)
    assert snapshot.percent == Decimal("80.00")

    snapshots.take_snapshots(t + DAY)
    assert list(PlanSnapshot.objects.filter(plan=plan).values_list("date", flat=True)) == [t, t + DAY]


def test_snapshot_is_a_registered_daily_job():
    assert daily_jobs()["goals.snapshots"] is snapshots.take_snapshots
