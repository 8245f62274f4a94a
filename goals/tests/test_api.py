"""/api/v1/ goal management: the whole loop through the API, with the pages' colours and roll-ups."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from goals import lights
from goals.models import PlanAdjustment, SupervisionNotice, Task
from mofan.testing.factories import make_person

from .conftest import D

JAN1, JUN30, DEC31 = "2026-01-01", "2026-06-30", "2026-12-31"


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def ok(response, code=200):
    assert response.status_code == code, response.content.decode()
    return response.json()


def colour(task_id, percent=None):
    """The colour the pages show: goals.lights.light on today, with the rolled-up percent."""
    return lights.light(Task.objects.get(pk=task_id), timezone.localdate(), percent=percent)


@pytest.fixture
def people(bureau):
    bureau["county_clerk"] = make_person(bureau["county"], real_name="县局资料员", roles=[(Role.RECORDS_CLERK, bureau["county"])])
    return bureau


def test_the_whole_loop_plan_decompose_report_and_roll_up(people):
    office, county_office, clerk = api(people["office"]), api(people["county_office"]), api(people["section_clerk"])
    plan = ok(office.post("/api/v1/plans/", {"unit": people["agency"].pk, "year": 2026, "title": "2026年创建目标"}, format="json"), 201)
    assert (plan["status"], plan["percent"], plan["goals"]) == ("draft", "0.00", [])
    url = f"/api/v1/plans/{plan['id']}/"
    goal = ok(office.post(f"{url}goals/", {
        "title": "理论学习走深走实", "owner_unit": people["party"].pk, "measure": "中心组学习不少于12次", "weight": "2",
    }, format="json"), 201)
    assert ok(office.post(f"{url}approve/"))["status"] == "approved"
    assert ok(office.post(f"{url}publish/"))["status"] == "published"
    missing_reason = office.post(f"{url}goals/", {"title": "补充目标", "owner_unit": people["party"].pk}, format="json")
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()
    ok(office.post(f"{url}goals/", {"title": "补充目标", "owner_unit": people["party"].pk, "reason": "年中补充"}, format="json"), 201)

    # Level 1: the bureau hands a task to the county, supported by its party-building department.
    top = ok(office.post("/api/v1/tasks/", {
        "goal": goal["id"], "title": "县局理论学习", "lead_unit": people["county"].pk, "supporting_units": [people["party"].pk],
        "start_date": JAN1, "due_date": DEC31,
    }, format="json"), 201)
    assert (top["status"], top["plan"], top["supporting_units"]) == ("issued", plan["id"], [people["party"].pk])
    early = county_office.post("/api/v1/tasks/", {"parent": top["id"], "title": "股室学习", "lead_unit": people["section"].pk,
                                                 "start_date": JAN1, "due_date": JUN30}, format="json")
    assert early.status_code == 400 and "请先签收任务" in early.json()["parent"][0]
    assert ok(county_office.post(f"/api/v1/tasks/{top['id']}/sign/"))["status"] == "signed"
    # Level 2: the county decomposes inside its subtree (the goal is the parent's).
    second = [
        ok(county_office.post("/api/v1/tasks/", {
            "parent": top["id"], "title": title, "lead_unit": people["section"].pk, "start_date": JAN1, "due_date": JUN30,
            "weight": weight, "cadence": "weekly",
        }, format="json"), 201)
        for title, weight in (("综合股学习", "1"), ("综合股调研", "3"))
    ]
    assert second[0]["goal"] == goal["id"] and second[0]["parent"] == top["id"]
    for task in second:
        ok(clerk.post(f"/api/v1/tasks/{task['id']}/sign/"))
    # Level 3, with a milestone.
    third = ok(county_office.post("/api/v1/tasks/", {"parent": second[0]["id"], "title": "第一议题", "lead_unit": people["section"].pk,
                                                     "start_date": JAN1, "due_date": JUN30}, format="json"), 201)
    ok(county_office.post(f"/api/v1/tasks/{third['id']}/milestones/", {"title": "上半年完成", "due": JUN30}, format="json"), 201)
    ok(clerk.post(f"/api/v1/tasks/{third['id']}/sign/"))

    # A report returned, then a better one accepted.
    report = ok(clerk.post(f"/api/v1/tasks/{third['id']}/reports/", {"period": JUN30, "percent": "60", "done_text": "学习6次"},
                           format="json"), 201)
    assert report["status"] == "submitted" and report["task_light"] == colour(third["id"])
    assert county_office.post(f"/api/v1/progress-reports/{report['id']}/return/", {"reason": " "}, format="json").status_code == 400
    returned = ok(county_office.post(f"/api/v1/progress-reports/{report['id']}/return/", {"reason": "缺少学习记录"}, format="json"))
    assert (returned["status"], returned["return_reason"], returned["task_percent"]) == ("returned", "缺少学习记录", "0.00")
    report = ok(clerk.post(f"/api/v1/tasks/{third['id']}/reports/", {"period": JUN30, "percent": "100", "done_text": "学习12次"},
                           format="json"), 201)
    accepted = ok(county_office.post(f"/api/v1/progress-reports/{report['id']}/accept/"))
    assert (accepted["status"], accepted["task_percent"], accepted["task_light"]) == ("accepted", "100.00", "green")

    # Roll-up: level 2 = 100 and 0 weighted 1:3 → 25; the goal 25; the plan (25×2 + 0×1) / 3.
    detail = ok(county_office.get(f"/api/v1/tasks/{top['id']}/"))
    assert detail["percent"] == "25.00" and detail["percent_done"] == "0.00"
    assert detail["light"] == colour(top["id"], D("25.00"))
    assert detail["children"] == [second[0]["id"], second[1]["id"]]
    third_detail = ok(clerk.get(f"/api/v1/tasks/{third['id']}/"))
    assert [row["status"] for row in third_detail["reports"]] == ["accepted", "returned"]
    assert third_detail["milestones"][0]["title"] == "上半年完成" and third_detail["status"] == "done"
    plan = ok(office.get(url))
    assert plan["percent"] == "16.67" and [row["percent"] for row in plan["goals"]] == ["25.00", "0.00"]
    progress = ok(office.get(f"{url}progress/"))
    assert progress["percent"] == "16.67"
    assert {row["unit_name"]: row["percent"] for row in progress["units"]} == {"某县烟草专卖局": "25.00", "综合股": "25.00"}
    assert progress["lights"]["total"] == 4 and progress["lights"]["green"] >= 1
    # The section clerk reads the bureau's plan but only their own unit's row.
    assert [row["unit_name"] for row in ok(clerk.get(f"{url}progress/"))["units"]] == ["综合股"]
    adjustments = ok(office.get(f"{url}adjustments/"))
    assert [row["reason"] for row in adjustments] == ["年中补充"]


def test_a_published_plan_is_adjusted_with_a_reason_and_bad_values_change_nothing(plan):
    office, goal = api(plan["office"]), plan["goal"]
    url = f"/api/v1/plans/{plan['plan'].pk}/adjust/"
    no_reason = office.post(url, {"reason": "", "title": "新标题"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    negative = office.post(url, {"reason": "调整权重", "goals": [{"goal": goal.pk, "weight": "-1"}]}, format="json")
    assert negative.status_code == 400 and "weight" in negative.json()
    goal.refresh_from_db()
    assert goal.weight == D("2") and not PlanAdjustment.objects.exists()
    adjusted = ok(office.post(url, {"reason": "年中调整", "title": "2026年目标（调整）",
                                    "goals": [{"goal": goal.pk, "weight": "3", "target_value": "15次"}]}, format="json"), 201)
    assert adjusted["before"]["title"] == "2026年模范机关创建目标计划" and adjusted["after"]["title"] == "2026年目标（调整）"
    assert adjusted["after"][f"goal {goal.pk}"] == {"target_value": "15次", "weight": "3.00"}
    goal.refresh_from_db()
    assert (goal.weight, goal.target_value) == (D("3"), "15次")


def test_a_declined_task_is_reassigned_by_the_issuer(plan):
    office, county_office, other_office = api(plan["office"]), api(plan["county_office"]), api(plan["other_office"])
    task = ok(office.post("/api/v1/tasks/", {"goal": plan["goal"].pk, "title": "另一县局学习", "lead_unit": plan["other_county"].pk,
                                              "start_date": JAN1, "due_date": DEC31}, format="json"), 201)
    url = f"/api/v1/tasks/{task['id']}/"
    assert county_office.get(url).status_code == 404
    empty = other_office.post(f"{url}decline/", {"reason": ""}, format="json")
    assert empty.status_code == 400 and "reason" in empty.json()
    declined = ok(other_office.post(f"{url}decline/", {"reason": "不属于本局职责"}, format="json"))
    assert (declined["status"], declined["decline_reason"]) == ("declined", "不属于本局职责")
    assert other_office.post(f"{url}reassign/", {"lead_unit": plan["other_county"].pk, "reason": "自己来"}, format="json").status_code == 403
    reassigned = ok(office.post(f"{url}reassign/", {"lead_unit": plan["county"].pk, "reason": "改由某县局牵头"}, format="json"))
    assert (reassigned["status"], reassigned["lead_unit"]) == ("issued", plan["county"].pk)
    assert ok(county_office.get(url))["lead_unit_name"] == "某县烟草专卖局"
    assert other_office.get(url).status_code == 404
    adjustments = ok(office.get(f"/api/v1/plans/{plan['plan'].pk}/adjustments/"))
    assert adjustments[-1]["reason"] == "改由某县局牵头" and adjustments[-1]["before"]["decline_reason"] == "不属于本局职责"


def test_reschedule_and_withdraw_are_the_issuers(plan):
    office, county_office = api(plan["office"]), api(plan["county_office"])
    url = f"/api/v1/tasks/{plan['county_task'].pk}/"
    assert county_office.post(f"{url}reschedule/", {"due_date": "2026-11-30", "reason": "提前"}, format="json").status_code == 403
    bad = office.post(f"{url}reschedule/", {"due_date": "2026-02-30", "reason": "提前"}, format="json")
    assert bad.status_code == 400 and "due_date" in bad.json()
    moved = ok(office.post(f"{url}reschedule/", {"due_date": "2026-11-30", "reason": "提前完成"}, format="json"))
    assert moved["due_date"] == "2026-11-30" and moved["light"] == colour(plan["county_task"].pk)
    withdrawn = ok(office.post(f"{url}withdraw/", {"reason": "任务调整"}, format="json"))
    assert (withdrawn["status"], withdrawn["light"], withdrawn["light_display"]) == ("withdrawn", "", "")


def test_a_notice_is_issued_replied_to_escalated_and_not_beyond_the_top(plan, people):
    office, county_clerk, county_office = api(people["office"]), api(people["county_clerk"]), api(people["county_office"])
    reply_due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    task = plan["county_task"]
    assert county_office.post("/api/v1/supervision-notices/", {"task": task.pk, "reason": "进度滞后", "reply_due": reply_due},
                              format="json").status_code == 403
    notice = ok(office.post("/api/v1/supervision-notices/", {"task": task.pk, "reason": "理论学习进度滞后", "reply_due": reply_due},
                            format="json"), 201)
    assert (notice["level"], notice["status"], notice["unit"], notice["issuing_unit"]) == (
        "reminder", "open", people["county"].pk, people["agency"].pk
    )
    assert notice["task_light"] == colour(task.pk) and notice["overdue"] is False
    assert ok(county_clerk.get(f"/api/v1/tasks/{task.pk}/"))["supervision_notices"] == [notice["id"]]
    levels = []
    for _ in range(2):
        url = f"/api/v1/supervision-notices/{notice['id']}/"
        assert county_clerk.post(f"{url}reply/", {"text": " "}, format="json").status_code == 400
        assert ok(county_clerk.post(f"{url}reply/", {"text": "已制定整改计划"}, format="json"))["status"] == "replied"
        assert county_office.post(f"{url}escalate/", {"reason": "回复不充分", "reply_due": reply_due}, format="json").status_code == 403
        following = ok(office.post(f"{url}escalate/", {"reason": "回复不充分", "reply_due": reply_due}, format="json"), 201)
        assert following["escalated_from"] == notice["id"] and ok(office.get(url))["escalated_to"] == following["id"]
        assert ok(office.get(url))["status"] == "escalated"
        levels.append(following["level"])
        notice = following
    assert levels == ["supervision", "interview"]
    url = f"/api/v1/supervision-notices/{notice['id']}/"
    ok(county_clerk.post(f"{url}reply/", {"text": "已约谈，限期整改"}, format="json"))
    top = office.post(f"{url}escalate/", {"reason": "仍未整改", "reply_due": reply_due}, format="json")
    assert top.status_code == 400
    assert top.json()["non_field_errors"] == ["该督办单已是最高级别，不能再升级。"]
    assert SupervisionNotice.objects.count() == 3
    assert ok(office.post(f"{url}close/"))["status"] == "closed"
    rows = ok(office.get("/api/v1/supervision-notices/?level=interview"))["results"]
    assert [row["id"] for row in rows] == [notice["id"]]
    assert ok(office.get("/api/v1/supervision-notices/?status=escalated"))["count"] == 2
    assert ok(office.get("/api/v1/supervision-notices/?overdue=true"))["count"] == 0
    assert ok(office.get(f"/api/v1/supervision-notices/?unit={people['other_county'].pk}"))["count"] == 0


def test_an_overdue_notice_is_listed_as_overdue(plan, people):
    from goals import supervision

    past = timezone.localdate() - datetime.timedelta(days=3)
    notice = supervision.issue_notice(
        people["office"], task=plan["county_task"], reason="滞后", reply_due=past, today=past - datetime.timedelta(days=5)
    )
    rows = ok(api(people["county_clerk"]).get("/api/v1/supervision-notices/?overdue=true"))["results"]
    assert [(row["id"], row["overdue"]) for row in rows] == [(notice.pk, True)]
    assert ok(api(people["county_clerk"]).get("/api/v1/supervision-notices/?overdue=false"))["count"] == 0
