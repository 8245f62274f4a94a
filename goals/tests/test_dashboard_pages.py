"""A plan's Gantt timeline and dashboard: rows, bars, milestones, completion by unit, colour counts,
trend, scope and query counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from goals import actions, lights, rollup
from goals.models import PlanSnapshot, Task
from goals.tests.test_board_pages import DAY, accepted, add, count_queries, make_plan, spread, today


@pytest.fixture
def tree(bureau):
    """County task (weight 2) → section sub-task → section sub-sub-task, and a task of the other county."""
    plan, goal = make_plan(bureau)
    t = today()
    start, due = t - 50 * DAY, t + 50 * DAY
    county = add(bureau, goal, "县局任务", bureau["county"], start, due, weight="2")
    child = add(bureau, goal, "综合股任务", bureau["section"], start, due, parent=county)
    grandchild = add(bureau, goal, "综合股细化任务", bureau["section"], start + DAY, due - DAY, parent=child)
    accepted(grandchild, 60, bureau["section_clerk"], bureau["county_office"])
    other = add(bureau, goal, "另一县局任务", bureau["other_county"], t - 30 * DAY, t - DAY)
    milestone = actions.add_milestone(bureau["office"], county, title="中期检查", due=t)
    return {"plan": plan, "goal": goal, "county": county, "child": child, "grandchild": grandchild, "other": other,
            "milestone": milestone}


def test_gantt_shows_goals_tasks_and_sub_tasks_with_bars_from_lights(client, bureau, tree):
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:gantt", args=[tree["plan"].pk]), {"depth": 0})
    html = response.content.decode()
    kinds = [(kind, item.pk) for kind, item in response.context["page_obj"]]
    assert kinds == [("goal", tree["goal"].pk), ("task", tree["county"].pk), ("task", tree["child"].pk),
                     ("task", tree["grandchild"].pk), ("task", tree["other"].pk)]
    for key in ("county", "child", "grandchild", "other"):
        task = Task.objects.get(pk=tree[key].pk)
        percent = rollup.plan_progress(tree["plan"]).tasks[task.pk]
        row = html.split(f'data-task="{task.pk}"', 1)[1].split('class="gantt-row', 1)[0]
        assert f'data-light="{lights.light(task, today(), percent=percent)}"' in row
        assert f"width: {percent}%" in row  # the bar is filled to the rolled-up percent
    assert 'data-light="red"' in html.split(f'data-task="{tree["other"].pk}"', 1)[1]
    county_row = html.split(f'data-task="{tree["county"].pk}"', 1)[1].split('class="gantt-row', 1)[0]
    assert "data-milestone" in county_row and "中期检查" in county_row
    assert 'class="gantt-today"' in html
    assert reverse("goals:dashboard", args=[tree["plan"].pk]) in html


def test_gantt_bar_positions_follow_the_year_axis(client, bureau, tree):
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:gantt", args=[tree["plan"].pk]), {"depth": 1})
    rows = {item.pk: item for kind, item in response.context["page_obj"] if kind == "task"}
    county = rows[tree["county"].pk]
    year = tree["plan"].year
    days = (datetime.date(year, 12, 31) - datetime.date(year, 1, 1)).days + 1
    start = max((county.start_date - datetime.date(year, 1, 1)).days, 0)
    end = min((county.due_date - datetime.date(year, 1, 1)).days + 1, days)
    assert county.left == round(start * 100 / days, 3)
    assert abs(county.width - (round(end * 100 / days, 3) - county.left)) < 0.01
    goal = next(item for kind, item in response.context["page_obj"] if kind == "goal")
    assert goal.left == county.left  # the goal spans its tasks, from the earliest start
    # Depth 1: sub-tasks are folded into a count on their parent.
    assert set(rows) == {tree["county"].pk, tree["other"].pk}
    assert county.hidden_below == 1
    assert response.context["months"][6]["left"] == round((datetime.date(year, 7, 1) - datetime.date(year, 1, 1)).days * 100 / days, 3)


def test_gantt_of_a_lower_unit_shows_only_its_visible_tasks(client, bureau, tree):
    client.force_login(bureau["section_clerk"])
    response = client.get(reverse("goals:gantt", args=[tree["plan"].pk]), {"depth": 0})
    assert response.status_code == 200
    shown = [item.pk for kind, item in response.context["page_obj"] if kind == "task"]
    assert shown == [tree["child"].pk, tree["grandchild"].pk]
    assert "另一县局任务" not in response.content.decode()
    assert reverse("goals:dashboard", args=[tree["plan"].pk]) not in response.content.decode()


def test_gantt_and_dashboard_of_a_plan_outside_the_scope_are_404(client, bureau, tree):
    county_plan = actions.create_plan(bureau["county_office"], unit=bureau["county"], year=today().year, title="县局计划")
    client.force_login(bureau["other_office"])
    assert client.get(reverse("goals:gantt", args=[county_plan.pk])).status_code == 404
    assert client.get(reverse("goals:dashboard", args=[county_plan.pk])).status_code == 404
    # The bureau's plan is read by the units below it, but its dashboard compares units: theirs is 403.
    assert client.get(reverse("goals:dashboard", args=[tree["plan"].pk])).status_code == 403
    client.force_login(bureau["county_office"])
    assert client.get(reverse("goals:dashboard", args=[county_plan.pk])).status_code == 200


def test_dashboard_figures(client, bureau, tree):
    PlanSnapshot.objects.create(plan=tree["plan"], date=today() - DAY, percent=Decimal("20"), total=4, green=1, yellow=2, red=1)
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:dashboard", args=[tree["plan"].pk]))
    assert response.status_code == 200
    context = response.context
    progress = rollup.plan_progress(tree["plan"])
    assert context["progress"].percent == progress.percent
    expected = {"red": 0, "yellow": 0, "green": 0}
    for task in Task.objects.filter(goal__plan=tree["plan"]):
        expected[lights.light(task, today(), percent=progress.tasks[task.pk])] += 1
    assert context["counts"] == expected
    assert expected["red"] == 1  # the other county's overdue task
    units = {row["unit_id"]: row for row in context["units"]}
    # The section's completion counts its sub-task through its parent only (60, not 60 and 60 averaged
    # with anything else); the county's is its task's rolled-up percent; the other county's is 0 and red.
    assert units[bureau["section"].pk]["percent"] == Decimal("60.00")
    assert units[bureau["county"].pk]["percent"] == progress.tasks[tree["county"].pk]
    assert units[bureau["other_county"].pk]["red"] == 1
    assert context["units"][0]["unit_id"] == bureau["other_county"].pk  # red first
    assert [row.id for row in context["lagging"]][0] == tree["other"].pk
    assert [goal.percent for goal in context["goals"]] == [progress.goals[tree["goal"].pk]]
    data = json.loads(response.content.decode().split('id="goals-dashboard-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert data["dates"] == [(today() - DAY).isoformat()] and data["percent"] == [20.0] and data["red"] == [1]
    assert 'id="chart-trend"' in response.content.decode()


def test_dashboard_links_lagging_tasks_to_a_supervision_notice(client, bureau, tree):
    client.force_login(bureau["office"])
    html = client.get(reverse("goals:dashboard", args=[tree["plan"].pk])).content.decode()
    try:
        url = reverse("goals:notice_issue")
    except NoReverseMatch:
        pytest.skip("the supervision notice form is not installed yet")
    assert f'{url}?task={tree["other"].pk}' in html
    # A leader reads the dashboard but does not issue notices.
    client.force_login(bureau["leader"])
    assert f"{url}?task=" not in client.get(reverse("goals:dashboard", args=[tree["plan"].pk])).content.decode()


def test_dashboard_without_snapshots_says_the_trend_comes_later(client, bureau, tree):
    client.force_login(bureau["leader"])
    response = client.get(reverse("goals:dashboard", args=[tree["plan"].pk]))
    assert 'id="chart-trend"' not in response.content.decode()
    assert response.context["snapshot_count"] == 0


@pytest.mark.parametrize("name", ["goals:gantt", "goals:dashboard"])
def test_plan_pages_query_count_does_not_grow_with_tasks(client, bureau, name):
    plan, goal = make_plan(bureau)
    client.force_login(bureau["office"])
    url = reverse(name, args=[plan.pk]) + "?depth=0"
    spread(bureau, goal, 2)
    PlanSnapshot.objects.create(plan=plan, date=today() - DAY, percent=Decimal("10"), total=6)
    few = count_queries(client, url)
    spread(bureau, goal, 18)
    PlanSnapshot.objects.create(plan=plan, date=today() - 2 * DAY, percent=Decimal("5"), total=6)
    assert Task.objects.count() == 60
    assert count_queries(client, url) == few


def test_gantt_query_count_for_a_lower_unit_does_not_grow_with_tasks(client, bureau):
    plan, goal = make_plan(bureau)
    client.force_login(bureau["section_clerk"])
    url = reverse("goals:gantt", args=[plan.pk]) + "?depth=0"
    spread(bureau, goal, 2)
    few = count_queries(client, url)
    spread(bureau, goal, 18)
    response = client.get(url)
    assert {item.lead_unit_id for kind, item in response.context["page_obj"] if kind == "task"} == {bureau["section"].pk}
    assert count_queries(client, url) == few
