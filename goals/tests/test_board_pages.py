"""My tasks, the workbench section and the task board: what each user sees, the colours lights.light
gives on dates around the thresholds, the counts over the whole filtered set, scope and query counts.

Dates are built around today (no clock freezing in the requirements): the pages colour on today."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals import actions, lights
from goals.models import Task, TaskStatus

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def make_plan(bureau, title="看板测试计划"):
    """A published plan of the bureau for this year with one goal."""
    office = bureau["office"]
    plan = actions.create_plan(office, unit=bureau["agency"], year=today().year, title=title)
    goal = actions.add_goal(office, plan, title="作风建设", owner_unit=bureau["party"])
    actions.approve_plan(office, plan)
    actions.publish_plan(office, plan)
    return plan, goal


def add(bureau, goal, title, lead, start, due, parent=None, **fields):
    return actions.add_task(
        bureau["office"], goal, title=title, lead_unit=lead, start_date=start, due_date=due, parent=parent, **fields
    )


def accepted(task, percent, reporter, reviewer):
    """The task signed for and a report at ``percent`` accepted today."""
    if task.status == TaskStatus.ISSUED:
        actions.sign_task(reporter, task)
    report = actions.submit_report(reporter, task, period=today(), percent=percent, done_text="按计划推进")
    actions.accept_report(reviewer, report)
    task.refresh_from_db()
    return task


def spread(bureau, goal, groups):
    """``groups`` × 3 tasks over two counties and three depths; every third group is overdue, some are
    reported on, some have milestones."""
    made = []
    for number in range(groups):
        county = bureau["county"] if number % 2 == 0 else bureau["other_county"]
        below = bureau["section"] if number % 2 == 0 else bureau["other_county"]
        due = today() - DAY if number % 3 == 0 else today() + 60 * DAY
        start = today() - 100 * DAY
        top = add(bureau, goal, f"任务{number}", county, start, due)
        child = add(bureau, goal, f"子任务{number}", below, start, due, parent=top)
        grandchild = add(bureau, goal, f"孙任务{number}", below, start + DAY, due, parent=child)
        actions.add_milestone(bureau["office"], top, title=f"节点{number}", due=start + 10 * DAY)
        if number % 2 == 0 and number % 3:
            accepted(grandchild, 50, bureau["section_clerk"], bureau["office"])
        made.extend([top, child, grandchild])
    return made


def count_queries(client, url):
    client.get(url)  # warm the per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def threshold_tasks(bureau):
    """Tasks of the county whose colours change on one day either side of a threshold."""
    plan, goal = make_plan(bureau)
    t = today()
    reporter, reviewer = bureau["county_office"], bureau["office"]
    tasks = {
        "due_today": add(bureau, goal, "今日到期", bureau["county"], t - 10 * DAY, t),
        "due_yesterday": add(bureau, goal, "昨日到期", bureau["county"], t - 10 * DAY, t - DAY),
        "behind_7": add(bureau, goal, "七天到期且滞后", bureau["county"], t - 92 * DAY, t + 7 * DAY),
        "behind_8": add(bureau, goal, "八天到期且滞后", bureau["county"], t - 92 * DAY, t + 8 * DAY),
        "silent_31": add(bureau, goal, "三十一天未报", bureau["county"], t - 31 * DAY, t + 90 * DAY),
        "silent_32": add(bureau, goal, "三十二天未报", bureau["county"], t - 32 * DAY, t + 90 * DAY),
    }
    for key in ("behind_7", "behind_8"):
        tasks[key] = accepted(tasks[key], 10, reporter, reviewer)
    for key in ("due_today", "due_yesterday"):
        actions.sign_task(reporter, tasks[key])
    return plan, goal, tasks


EXPECTED = {
    "due_today": "yellow",  # due within the yellow window, far behind, no report for 10 days: still not red
    "due_yesterday": "red",
    "behind_7": "yellow",
    "behind_8": "green",
    "silent_31": "green",
    "silent_32": "yellow",
}


def test_board_colours_match_lights_around_the_thresholds(client, bureau, threshold_tasks):
    _plan, _goal, tasks = threshold_tasks
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:board"), {"unit": tasks["due_today"].lead_unit_id})
    html = response.content.decode()
    for key, task in tasks.items():
        task.refresh_from_db()
        colour = lights.light(task, today())
        assert colour == EXPECTED[key], key
        row = html.split(f'data-task="{task.pk}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-light="{colour}"' in row, key
    counts = {colour: count for colour, _label, count in response.context["light_counts"]}
    assert counts == {"red": 1, "yellow": 3, "green": 2}


def test_board_filters_by_light_and_status_over_the_whole_set(client, bureau, threshold_tasks):
    _plan, _goal, tasks = threshold_tasks
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:board"), {"light": "yellow"})
    shown = {task.pk for task, _row in response.context["items"]}
    assert shown == {tasks["due_today"].pk, tasks["behind_7"].pk, tasks["silent_32"].pk}
    # Status columns count the yellow tasks only; the colour counts still show every colour.
    columns = {column["status"]: column["count"] for column in response.context["columns"]}
    assert columns == {"issued": 1, "signed": 1, "in_progress": 1, "done": 0, "declined": 0}
    assert [count for _c, _l, count in response.context["light_counts"]] == [1, 3, 2]

    response = client.get(reverse("goals:board"), {"status": "in_progress"})
    shown = {task.pk for task, _row in response.context["items"]}
    assert shown == {tasks["behind_7"].pk, tasks["behind_8"].pk}
    assert [count for _c, _l, count in response.context["light_counts"]] == [0, 1, 1]


def test_board_lists_red_first_and_paginates_with_counts_over_every_page(client, bureau):
    _plan, goal = make_plan(bureau)
    spread(bureau, goal, 10)  # 30 tasks, four groups overdue
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:board"), {"unit": bureau["agency"].pk})
    assert response.context["total"] == 30
    assert len(response.context["items"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 2
    lights_in_order = [row.light for _task, row in response.context["items"]]
    assert lights_in_order[:12] == ["red"] * 12
    assert dict((c, n) for c, _l, n in response.context["light_counts"])["red"] == 12
    assert "?unit=" in response.content.decode() and "page=2" in response.content.decode()
    page_two = client.get(reverse("goals:board"), {"unit": bureau["agency"].pk, "page": 2})
    assert len(page_two.context["items"]) == 5


def test_parent_colour_uses_the_rolled_up_percent(client, bureau):
    _plan, goal = make_plan(bureau)
    t = today()
    parent = add(bureau, goal, "县局任务", bureau["county"], t - 92 * DAY, t + 7 * DAY)
    accepted(parent, 0, bureau["county_office"], bureau["office"])
    child = add(bureau, goal, "综合股任务", bureau["section"], t - 92 * DAY, t + 7 * DAY, parent=parent)
    accepted(child, 100, bureau["section_clerk"], bureau["county_office"])
    parent.refresh_from_db()
    assert lights.light(parent, t) == "yellow"  # its own percent (0) is far behind
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:board"))
    rows = {task.pk: row for task, row in response.context["items"]}
    assert rows[parent.pk].percent == 100
    assert rows[parent.pk].light == lights.light(parent, t, percent=rows[parent.pk].percent) == "green"


def test_board_of_a_unit_holds_its_subtree_and_supported_tasks_on_request(client, bureau):
    _plan, goal = make_plan(bureau)
    t = today()
    county_task = add(bureau, goal, "县局任务", bureau["county"], t, t + 30 * DAY, supporting_units=[bureau["party"]])
    section_task = add(bureau, goal, "股室任务", bureau["section"], t, t + 30 * DAY)
    other = add(bureau, goal, "另一县局任务", bureau["other_county"], t, t + 30 * DAY)
    client.force_login(bureau["office"])
    response = client.get(reverse("goals:board"), {"unit": bureau["county"].pk})
    assert {task.pk for task, _ in response.context["items"]} == {county_task.pk, section_task.pk}

    client.force_login(bureau["party_staff"])
    response = client.get(reverse("goals:board"))
    assert response.context["unit"] == bureau["party"]
    assert response.context["items"] == []
    response = client.get(reverse("goals:board"), {"supporting": "1"})
    assert [task.pk for task, _ in response.context["items"]] == [county_task.pk]
    assert "data-task" in response.content.decode() and other.title not in response.content.decode()


def test_board_of_a_unit_outside_the_scope_is_404(client, bureau):
    client.force_login(bureau["other_office"])
    assert client.get(reverse("goals:board"), {"unit": bureau["county"].pk}).status_code == 404
    assert client.get(reverse("goals:board"), {"unit": "x"}).status_code == 404
    assert client.get(reverse("goals:board")).context["unit"] == bureau["other_county"]


def test_board_filters_by_plan_and_year(client, bureau):
    plan, goal = make_plan(bureau)
    task = add(bureau, goal, "今年任务", bureau["county"], today(), today() + 30 * DAY)
    office = bureau["office"]
    old_plan = actions.create_plan(office, unit=bureau["agency"], year=today().year - 1, title="去年计划")
    old_goal = actions.add_goal(office, old_plan, title="去年目标", owner_unit=bureau["party"])
    actions.approve_plan(office, old_plan)
    actions.publish_plan(office, old_plan)
    old_task = add(bureau, old_goal, "去年任务", bureau["county"], today() - 400 * DAY, today() - 300 * DAY)
    client.force_login(office)
    response = client.get(reverse("goals:board"), {"plan": plan.pk})
    assert [t.pk for t, _ in response.context["items"]] == [task.pk]
    response = client.get(reverse("goals:board"), {"year": today().year - 1})
    assert [t.pk for t, _ in response.context["items"]] == [old_task.pk]
    response = client.get(reverse("goals:board"), {"plan": "999999", "year": "abc", "status": "nonsense"})
    assert response.context["total"] == 2


def test_board_query_count_does_not_grow_with_tasks(client, bureau):
    _plan, goal = make_plan(bureau)
    client.force_login(bureau["office"])
    url = reverse("goals:board") + "?supporting=1"
    spread(bureau, goal, 2)
    few = count_queries(client, url)
    spread(bureau, goal, 18)
    assert Task.objects.count() == 60
    assert count_queries(client, url) == few


def test_my_tasks_groups_the_work_of_each_user(client, bureau):
    _plan, goal = make_plan(bureau)
    t = today()
    to_sign = add(bureau, goal, "待签收任务", bureau["county"], t, t + 30 * DAY)
    red = add(bureau, goal, "逾期任务", bureau["county"], t - 30 * DAY, t - DAY)
    actions.sign_task(bureau["county_office"], red)
    green = accepted(add(bureau, goal, "正常任务", bureau["county"], t - 5 * DAY, t + 30 * DAY), 20,
                     bureau["county_office"], bureau["office"])
    report = actions.submit_report(bureau["county_office"], green, period=t, percent=40, done_text="又推进了")
    declined = add(bureau, goal, "被退回任务", bureau["other_county"], t, t + 30 * DAY)
    actions.decline_task(bureau["other_office"], declined, reason="不属于本单位职责")

    client.force_login(bureau["county_office"])
    response = client.get(reverse("goals:my_tasks"))
    work = response.context["work"]
    assert [row.id for row in work["to_sign"]] == [to_sign.pk]
    assert [(row.id, row.light) for row in work["to_report"]] == [(red.pk, "red"), (green.pk, "green")]
    assert work["to_report"][1].waiting is True
    assert work["to_review"] == [] and work["declined"] == []
    assert "待签收任务" in response.content.decode()

    client.force_login(bureau["office"])
    work = client.get(reverse("goals:my_tasks")).context["work"]
    assert work["to_review"] == [report]
    assert work["declined"] == [declined]
    assert work["to_sign"] == [] and work["to_report"] == []

    client.force_login(bureau["other_office"])
    work = client.get(reverse("goals:my_tasks")).context["work"]
    assert work["to_sign_count"] == work["to_report_count"] == work["to_review_count"] == work["declined_count"] == 0


def test_owner_reports_on_their_task_outside_their_unit_but_does_not_sign_for_it(client, bureau):
    _plan, goal = make_plan(bureau)
    task = add(bureau, goal, "指定责任人的任务", bureau["county"], today(), today() + 10 * DAY, owner=bureau["party_staff"])
    client.force_login(bureau["party_staff"])
    work = client.get(reverse("goals:my_tasks")).context["work"]
    assert work["to_sign"] == [] and work["to_report"] == []
    actions.sign_task(bureau["county_office"], task)
    work = client.get(reverse("goals:my_tasks")).context["work"]
    assert [row.id for row in work["to_report"]] == [task.pk]


def test_workbench_section_shows_the_top_rows_and_links_to_my_tasks(client, bureau):
    _plan, goal = make_plan(bureau)
    for number in range(7):
        add(bureau, goal, f"待签收{number}", bureau["county"], today(), today() + (number + 1) * DAY)
    client.force_login(bureau["county_office"])
    html = client.get(reverse("core:workbench")).content.decode()
    assert reverse("goals:my_tasks") in html
    assert "待签收0" in html and "待签收4" in html and "待签收5" not in html
    client.force_login(bureau["other_office"])
    assert reverse("goals:my_tasks") not in client.get(reverse("core:workbench")).content.decode()


def test_my_tasks_query_count_does_not_grow_with_tasks(client, bureau):
    _plan, goal = make_plan(bureau)
    client.force_login(bureau["office"])
    url = reverse("goals:my_tasks")
    tasks = spread(bureau, goal, 2)
    actions.decline_task(bureau["county_office"], tasks[0], reason="人手不足")
    few = count_queries(client, url)
    more = spread(bureau, goal, 18)
    for task in more[:9]:
        if task.status == TaskStatus.ISSUED and task.parent_id is None and task.lead_unit == bureau["county"]:
            actions.decline_task(bureau["county_office"], task, reason="人手不足")
    assert count_queries(client, url) == few
    client.force_login(bureau["section_clerk"])
    few_clerk = count_queries(client, url)
    spread(bureau, goal, 4)
    assert count_queries(client, url) == few_clerk
