"""The goal API's scope (404 out of scope, 403 not allowed), filters, colours, bad input and query counts."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from goals import actions, lights, supervision
from goals.models import Plan, PlanStatus, ProgressReport, Task

from .conftest import DEC31, JAN1
from .test_api import api, colour, ok


@pytest.fixture
def county_plan(plan):
    """The county bureau's own plan, a sibling's business for the other county."""
    plan["county_plan"] = actions.create_plan(plan["county_office"], unit=plan["county"], year=2026, title="县局2026年目标")
    return plan


def test_anonymous_callers_are_asked_to_authenticate(plan):
    assert APIClient().get("/api/v1/tasks/").status_code == 401


def test_another_units_task_sibling_plan_and_notice_are_404(county_plan):
    other = api(county_plan["other_office"])
    task = county_plan["county_task"]
    notice = supervision.issue_notice(
        county_plan["office"], task=task, reason="滞后", reply_due=timezone.localdate() + datetime.timedelta(days=5)
    )
    assert other.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    assert other.post(f"/api/v1/tasks/{task.pk}/sign/").status_code == 404
    assert other.get(f"/api/v1/tasks/{task.pk}/reports/").status_code == 404
    assert other.get(f"/api/v1/plans/{county_plan['county_plan'].pk}/").status_code == 404
    assert other.post(f"/api/v1/plans/{county_plan['county_plan'].pk}/goals/", {}, format="json").status_code == 404
    assert other.get(f"/api/v1/supervision-notices/{notice.pk}/").status_code == 404
    assert other.post(f"/api/v1/supervision-notices/{notice.pk}/reply/", {"text": "代答"}, format="json").status_code == 404
    assert ok(other.get("/api/v1/tasks/"))["count"] == 0 and ok(other.get("/api/v1/supervision-notices/"))["count"] == 0
    actions.sign_task(county_plan["county_office"], task)
    report = actions.submit_report(county_plan["county_office"], task, period=JAN1, percent="10", done_text="启动")
    assert other.get(f"/api/v1/progress-reports/{report.pk}/").status_code == 404
    assert other.post(f"/api/v1/progress-reports/{report.pk}/accept/").status_code == 404
    # The supporting department reads the report but does not review it.
    assert api(county_plan["party_staff"]).post(f"/api/v1/progress-reports/{report.pk}/accept/").status_code == 403
    assert ProgressReport.objects.get().status == "submitted"
    # The bureau's plan is read by every unit below it; the county's only inside the county.
    assert [row["id"] for row in ok(other.get("/api/v1/plans/"))["results"]] == [county_plan["plan"].pk]
    assert ok(api(county_plan["section_clerk"]).get(f"/api/v1/plans/{county_plan['county_plan'].pk}/"))["title"] == "县局2026年目标"


def test_a_clerk_may_read_the_plan_but_gets_403_approving_it(bureau):
    draft = actions.create_plan(bureau["office"], unit=bureau["agency"], year=2027, title="2027年目标")
    actions.add_goal(bureau["office"], draft, title="目标", owner_unit=bureau["party"])
    clerk = api(bureau["section_clerk"])
    assert ok(clerk.get(f"/api/v1/plans/{draft.pk}/"))["status"] == "draft"
    assert clerk.post(f"/api/v1/plans/{draft.pk}/approve/").status_code == 403
    assert clerk.post(f"/api/v1/plans/{draft.pk}/goals/", {"title": "偷加", "owner_unit": bureau["section"].pk}, format="json").status_code == 403
    assert clerk.post("/api/v1/plans/", {"unit": bureau["section"].pk, "year": 2027, "title": "股室计划"}, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT and draft.goals.count() == 1 and Plan.objects.count() == 1


def test_a_supporting_unit_reads_the_task_but_does_not_sign_or_report(plan):
    task, staff = plan["county_task"], api(plan["party_staff"])  # 党建科 supports the county's task
    actions.sign_task(plan["county_office"], task)
    detail = ok(staff.get(f"/api/v1/tasks/{task.pk}/"))
    assert detail["supporting_units"] == [plan["party"].pk] and detail["light"] == colour(task.pk)
    response = staff.post(f"/api/v1/tasks/{task.pk}/reports/", {"period": "2026-06-30", "percent": "50", "done_text": "配合"}, format="json")
    assert response.status_code == 403 and not ProgressReport.objects.exists()
    assert [row["id"] for row in ok(staff.get("/api/v1/tasks/"))["results"]] == [task.pk]


def test_bad_input_is_400_with_field_errors_and_changes_nothing(plan):
    office, county_office = api(plan["office"]), api(plan["county_office"])
    task = plan["county_task"]
    base = {"goal": plan["goal"].pk, "title": "新任务", "lead_unit": plan["county"].pk, "start_date": "2026-01-01", "due_date": "2026-12-31"}
    bad_date = office.post("/api/v1/tasks/", {**base, "start_date": "2026-13-01"}, format="json")
    assert bad_date.status_code == 400 and list(bad_date.json()) == ["start_date"]
    negative = office.post("/api/v1/tasks/", {**base, "weight": "-1"}, format="json")
    assert negative.status_code == 400 and "0" in negative.json()["weight"][0]
    backwards = office.post("/api/v1/tasks/", {**base, "due_date": "2025-12-31"}, format="json")
    assert backwards.status_code == 400 and "due_date" in backwards.json()
    no_goal = office.post("/api/v1/tasks/", {key: value for key, value in base.items() if key != "goal"}, format="json")
    assert no_goal.status_code == 400 and "goal" in no_goal.json()
    assert Task.objects.count() == 1
    actions.sign_task(plan["county_office"], task)
    too_much = county_office.post(f"/api/v1/tasks/{task.pk}/reports/", {"period": "2026-06-30", "percent": "120", "done_text": "超额"},
                                  format="json")
    assert too_much.status_code == 400 and "100" in too_much.json()["percent"][0]
    no_period = county_office.post(f"/api/v1/tasks/{task.pk}/reports/", {"period": "六月", "percent": "50", "done_text": "x"}, format="json")
    assert no_period.status_code == 400 and "period" in no_period.json()
    assert not ProgressReport.objects.exists()
    bad_year = office.post("/api/v1/plans/", {"unit": plan["agency"].pk, "year": "明年", "title": "计划"}, format="json")
    assert bad_year.status_code == 400 and "year" in bad_year.json()
    same_year = office.post("/api/v1/plans/", {"unit": plan["agency"].pk, "year": 2026, "title": "重复"}, format="json")
    assert same_year.status_code == 400 and "year" in same_year.json() and Plan.objects.count() == 1
    light = office.get("/api/v1/tasks/?light=purple")
    assert light.status_code == 400 and "light" in light.json()


def _coloured_tasks(plan):
    """Three tasks whose colours do not depend on the day the test runs."""
    today, office, goal = timezone.localdate(), plan["office"], plan["goal"]
    day = datetime.timedelta(days=1)

    def task(title, start, due):
        return actions.add_task(office, goal, title=title, lead_unit=plan["section"], start_date=start, due_date=due)

    return {
        "red": task("已超期", today - 40 * day, today - day),
        "yellow": task("缺少进展报告", today - 40 * day, today + 60 * day),
        "green": task("刚开始", today, today + 60 * day),
    }


def test_the_colour_filter_uses_the_light_function(plan):
    expected = _coloured_tasks(plan)
    office = api(plan["office"])
    for name, task in expected.items():
        assert lights.light(task, timezone.localdate()) == name
        rows = ok(office.get(f"/api/v1/tasks/?light={name}&lead_unit={plan['section'].pk}"))["results"]
        assert [row["id"] for row in rows] == [task.pk], name
    every = ok(office.get("/api/v1/tasks/"))["results"]
    assert {row["id"]: row["light"] for row in every} == {row["id"]: colour(row["id"]) for row in every}
    assert ok(office.get(f"/api/v1/tasks/?lead_unit={plan['county'].pk}"))["count"] == 4  # the section is in the county
    assert ok(office.get(f"/api/v1/tasks/?lead_unit={plan['party'].pk}"))["count"] == 0


def test_plans_filter_by_year_unit_and_status(county_plan):
    client = api(county_plan["county_office"])
    assert ok(client.get("/api/v1/plans/"))["count"] == 2
    assert [row["title"] for row in ok(client.get("/api/v1/plans/?status=draft"))["results"]] == ["县局2026年目标"]
    assert [row["title"] for row in ok(client.get(f"/api/v1/plans/?unit={county_plan['agency'].pk}"))["results"]] == [
        "2026年模范机关创建目标计划"
    ]
    assert ok(client.get("/api/v1/plans/?year=2025"))["count"] == 0


def test_filters_by_plan_parent_status_and_mine(plan):
    county_office, task = plan["county_office"], plan["county_task"]
    actions.sign_task(county_office, task)
    sub = actions.add_task(county_office, plan["goal"], parent=task, title="子任务", lead_unit=plan["section"], start_date=JAN1,
                           due_date=DEC31, owner=plan["party_staff"])
    client = api(plan["office"])
    assert [row["id"] for row in ok(client.get(f"/api/v1/tasks/?parent={task.pk}"))["results"]] == [sub.pk]
    assert [row["id"] for row in ok(client.get("/api/v1/tasks/?top=true"))["results"]] == [task.pk]
    assert [row["id"] for row in ok(client.get("/api/v1/tasks/?status=signed"))["results"]] == [task.pk]
    assert ok(client.get(f"/api/v1/tasks/?plan={plan['plan'].pk}"))["count"] == 2
    assert ok(client.get(f"/api/v1/tasks/?plan={plan['plan'].pk + 1}"))["count"] == 0
    assert [row["id"] for row in ok(api(county_office).get("/api/v1/tasks/?mine=true"))["results"]] == [task.pk]
    assert [row["id"] for row in ok(api(plan["section_clerk"]).get("/api/v1/tasks/?mine=true"))["results"]] == [sub.pk]


def _list_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        ok(client.get(url))
    return len(captured)


def test_list_queries_do_not_grow_with_the_number_of_tasks(plan):
    office, goal, client = plan["office"], plan["goal"], api(plan["office"])
    actions.sign_task(plan["county_office"], plan["county_task"])

    def add(count):
        for number in range(count):
            parent = plan["county_task"] if number % 2 else None
            actions.add_task(
                office, goal, parent=parent, title=f"任务{number}", lead_unit=plan["section"], start_date=JAN1, due_date=DEC31,
                supporting_units=[plan["party"], plan["county"]], owner=plan["section_clerk"],
            )

    supervision.issue_notice(office, task=plan["county_task"], reason="滞后", reply_due=timezone.localdate() + datetime.timedelta(days=5))
    urls = ["/api/v1/tasks/?page_size=100", "/api/v1/tasks/?light=yellow&page_size=100", "/api/v1/progress-reports/",
            "/api/v1/supervision-notices/", f"/api/v1/plans/{plan['plan'].pk}/progress/"]
    add(4)
    few = [_list_queries(client, url) for url in urls]
    assert ok(client.get("/api/v1/tasks/"))["count"] == 5
    add(35)
    assert ok(client.get("/api/v1/tasks/"))["count"] == 40
    assert [_list_queries(client, url) for url in urls] == few


def test_the_openapi_document_lists_the_goal_endpoints_without_warnings(plan, tmp_path):
    paths = ok(api(plan["office"]).get("/api/v1/openapi.json"))["paths"]
    for path, method in [
        ("/api/v1/plans/", "post"), ("/api/v1/plans/{id}/approve/", "post"), ("/api/v1/plans/{id}/publish/", "post"),
        ("/api/v1/plans/{id}/adjust/", "post"), ("/api/v1/plans/{id}/goals/", "post"), ("/api/v1/plans/{id}/adjustments/", "get"),
        ("/api/v1/plans/{id}/progress/", "get"), ("/api/v1/tasks/", "post"), ("/api/v1/tasks/{id}/sign/", "post"),
        ("/api/v1/tasks/{id}/decline/", "post"), ("/api/v1/tasks/{id}/reassign/", "post"), ("/api/v1/tasks/{id}/withdraw/", "post"),
        ("/api/v1/tasks/{id}/reschedule/", "post"), ("/api/v1/tasks/{id}/milestones/", "post"), ("/api/v1/tasks/{id}/reports/", "get"),
        ("/api/v1/tasks/{id}/reports/", "post"), ("/api/v1/progress-reports/{id}/accept/", "post"),
        ("/api/v1/progress-reports/{id}/return/", "post"), ("/api/v1/supervision-notices/", "post"),
        ("/api/v1/supervision-notices/{id}/reply/", "post"), ("/api/v1/supervision-notices/{id}/close/", "post"),
        ("/api/v1/supervision-notices/{id}/escalate/", "post"),
    ]:
        assert method in paths[path], (path, method)
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "openapi.yaml"))


def test_a_parent_shows_the_colour_of_its_rolled_up_progress(plan):
    """Due in five days with nothing reported itself, but its only sub-task is done: green, as on the pages."""
    today, day = timezone.localdate(), datetime.timedelta(days=1)
    dates = {"start_date": today - 60 * day, "due_date": today + 5 * day, "cadence": "quarterly"}
    parent = actions.add_task(plan["office"], plan["goal"], title="限期任务", lead_unit=plan["county"], **dates)
    actions.sign_task(plan["county_office"], parent)
    child = actions.add_task(plan["county_office"], plan["goal"], parent=parent, title="股室落实", lead_unit=plan["section"], **dates)
    actions.sign_task(plan["section_clerk"], child)
    report = actions.submit_report(plan["section_clerk"], child, period=today, percent="100", done_text="全部完成")
    actions.accept_report(plan["county_office"], report)
    parent.refresh_from_db()
    assert lights.light(parent, today) == "yellow"  # its own percent is 0
    client = api(plan["office"])
    detail = ok(client.get(f"/api/v1/tasks/{parent.pk}/"))
    assert (detail["percent"], detail["light"]) == ("100.00", "green")
    assert [row["id"] for row in ok(client.get("/api/v1/tasks/?light=green"))["results"]] == [parent.pk, child.pk]
    progress = ok(client.get(f"/api/v1/plans/{plan['plan'].pk}/progress/"))
    assert progress["lights"] == {"total": 3, "green": 2, "yellow": 1, "red": 0}  # the county's own yearly task is yellow
