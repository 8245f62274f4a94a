"""/api/v1/ problems, measures, suggestions and feedback: the coal centre's problem-finding round
through the API, anonymous ideas that keep no trace, masked contacts, scope (404 / 403), bad input
and flat list costs."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.tests.conftest import item
from assessment.tests.test_round_flow import _run
from goals import actions as goal_actions
from goals import supervision
from problems import actions, feedback, suggestions
from problems.models import Feedback, Measure, Problem, ProblemStatus, Suggestion

from .test_suggestions import _row_text

DAY = datetime.timedelta(days=1)


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def ok(response, code=200):
    assert response.status_code == code, response.content.decode()
    return response.json()


def _iso(day):
    return day.isoformat()


def _register(client, unit, title, source, **extra):
    found = timezone.localdate() - 60 * DAY
    return ok(client.post("/api/v1/problems/", {"unit": unit.pk, "title": title, "source": source, "found_on": _iso(found), **extra},
                          format="json"), 201)


def _complaint(centre, unit_key="safety"):
    return feedback.record(
        centre["liuhua"], channel="phone", received_at=timezone.now() - DAY, contact_name="张三", contact_phone="13812345678",
        content="煤矿安全检查通知送达不及时", unit=centre[unit_key], reply_due=timezone.localdate() + 5 * DAY,
    )


@pytest.fixture(autouse=True)
def _no_follow_misses():
    cache.clear()
    yield
    cache.clear()


def test_the_coal_centres_round_runs_through_the_api(centre):
    today = timezone.localdate()
    planner, section, office, leader = (api(centre[key]) for key in ("planner", "guihua", "liuhua", "wencheng"))
    planning = centre["planning"]

    # Four sources: staff (unnamed), the section itself, the centre above it, a public complaint and a notice.
    staff = _register(planner, planning, "办事流程繁琐", "staff", anonymous=True)
    assert staff["raised_by"] is None and Problem.objects.get(pk=staff["id"]).raised_by is None
    own = _register(section, planning, "工作作风不实，调研走过场", "self")
    assert (own["raised_by"], own["raised_by_name"], own["status"]) == (centre["guihua"].pk, "规划股长", "registered")
    superior = _register(office, planning, "调研成果转化不足", "superior", severity="serious")
    complaint = _complaint(centre)
    public = ok(office.post(f"/api/v1/feedback/{complaint.pk}/to-problem/", {"kind": "fix_now"}, format="json"), 201)
    notice = supervision.issue_notice(
        centre["liuhua"], unit=planning, issuing_unit=centre["agency"], reason="调研课题进度滞后", reply_due=today + 3 * DAY,
    )
    from_notice = ok(office.post("/api/v1/problems/from-notice/", {"notice": notice.pk}, format="json"), 201)
    assert (public["source"], public["origin"], public["unit"]) == ("public", {"type": "feedback", "id": complaint.pk}, centre["safety"].pk)
    assert (from_notice["source"], from_notice["origin"]) == ("supervision", {"type": "notice", "id": notice.pk})
    assert ok(office.get("/api/v1/problems/?source=staff"))["count"] == 1
    assert ok(office.get(f"/api/v1/problems/?unit={planning.pk}"))["count"] == 4
    found_year = (today - 60 * DAY).year
    assert ok(office.get(f"/api/v1/problems/?unit={centre['agency'].pk}&year={found_year}&source=staff"))["count"] == 1
    assert ok(office.get(f"/api/v1/problems/?year={found_year + 1}&source=staff"))["count"] == 0
    assert ok(office.get(f"/api/v1/problems/?unit={centre['safety'].pk}"))["results"][0]["id"] == public["id"]

    # Root cause, then measures with deadlines; one of another problem is already past its deadline.
    url = f"/api/v1/problems/{own['id']}"
    assert ok(section.post(f"{url}/measures/", {"text": "先定措施", "unit": planning.pk, "deadline": _iso(today)}, format="json"), 400)
    ok(section.post(f"{url}/analyse/", {"root_cause": "宗旨意识淡化，调研计划未落实到人"}, format="json"))
    measure = ok(section.post(f"{url}/measures/", {
        "text": "制定年度调研计划，每季度深入煤矿企业不少于2次", "unit": planning.pk, "leader": centre["wencheng"].pk,
        "person": centre["planner"].pk, "deadline": _iso(today + 30 * DAY), "expected_result": "形成调研报告",
    }, format="json"), 201)
    assert (measure["leader_name"], measure["person_name"], measure["overdue"]) == ("文成", "规划股干部", False)
    late_url = f"/api/v1/problems/{superior['id']}"
    ok(section.post(f"{late_url}/analyse/", {"root_cause": "成果运用机制缺失"}, format="json"))
    late = ok(section.post(f"{late_url}/measures/", {"text": "建立成果转化台账", "unit": planning.pk, "deadline": _iso(today - DAY)},
                           format="json"), 201)
    assert late["overdue"] is True
    detail = ok(office.get(f"{late_url}/"))
    assert detail["overdue"] and detail["status"] == "rectifying" and detail["measures"][0]["overdue"]
    assert [row["id"] for row in ok(office.get("/api/v1/problems/?overdue=true"))["results"]] == [superior["id"]]
    assert superior["id"] not in [row["id"] for row in ok(office.get("/api/v1/problems/?overdue=false"))["results"]]

    # Progress, submission, a sent-back verification, then sign-off by the centre only.
    ok(planner.post(f"/api/v1/measures/{measure['id']}/progress/", {"text": "已赴三家煤矿调研", "done": True}, format="json"), 201)
    ok(section.post(f"{url}/submit/"))
    assert section.post(f"{url}/sign-off/").status_code == 403
    assert section.post(f"{url}/send-back/", {"reason": "自己退回"}, format="json").status_code == 403
    assert ok(leader.post(f"{url}/send-back/", {"reason": "  "}, format="json"), 400)["reason"]
    sent_back = ok(leader.post(f"{url}/send-back/", {"reason": "调研报告未提出解决措施"}, format="json"))
    assert (sent_back["status"], sent_back["send_back_reason"], sent_back["measures"][0]["done"]) == (
        "rectifying", "调研报告未提出解决措施", False,
    )
    again = ok(planner.post(f"/api/v1/measures/{measure['id']}/progress/", {"text": "补充解决措施三条", "done": True}, format="json"), 201)
    assert [update["text"] for update in again["updates"]] == ["已赴三家煤矿调研", "补充解决措施三条"]
    ok(section.post(f"{url}/submit/"))
    signed = ok(office.post(f"{url}/sign-off/"))
    assert (signed["status"], signed["signed_off_by_name"]) == ("signed_off", "刘华")
    assert ok(office.get("/api/v1/problems/?status=signed_off"))["count"] == 1


def test_an_anonymous_idea_answers_with_its_code_once_and_keeps_no_author(centre):
    author, office = centre["planner"], api(centre["liuhua"])
    response = api(author).post(
        "/api/v1/suggestions/", {"unit": centre["agency"].pk, "title": "简化请假审批", "content": "请假审批改为线上一次办结", "anonymous": True},
        format="json",
    )
    submitted = ok(response, 201)
    code = submitted["receipt_code"]
    assert code and submitted["author"] is None and submitted["author_name"] is None
    assert "no-store" in response["Cache-Control"]
    stored = Suggestion.objects.get(pk=submitted["id"])
    row = _row_text(stored)
    assert stored.author is None and code not in row and code.replace("-", "") not in row
    for trace in (author.username, author.real_name, "规划发展股"):
        assert trace not in row

    followed = ok(api(author).post("/api/v1/suggestions/follow/", {"code": code.lower()}, format="json"))
    assert followed == {
        "title": "简化请假审批", "unit_name": "市煤炭事务中心", "submitted_on": _iso(timezone.localdate()), "status": "submitted",
        "status_display": followed["status_display"], "answer": "", "answered_on": None, "on_board": False,
    }
    listed = ok(office.get("/api/v1/suggestions/"))["results"]
    assert [(row["id"], row["author"], row["author_name"], row["anonymous"]) for row in listed] == [(stored.pk, None, None, True)]
    assert "receipt_code" not in listed[0] and "receipt_hash" not in listed[0]
    assert ok(office.get(f"/api/v1/suggestions/{stored.pk}/"))["author"] is None

    ok(office.post(f"/api/v1/suggestions/{stored.pk}/adopt/", {"text": "已采纳，由办公室落实", "on_board": True}, format="json"))
    followed = ok(api(author).post("/api/v1/suggestions/follow/", {"code": code}, format="json"))
    assert (followed["status"], followed["answer"], followed["on_board"]) == ("adopted", "已采纳，由办公室落实", True)
    assert "answered_by" not in followed and "author" not in followed
    assert api(author).post("/api/v1/suggestions/follow/", {"code": "ABCD-EFGH-JKMN"}, format="json").status_code == 404


def test_wrong_codes_block_following_for_a_while(centre):
    _idea, code = suggestions.submit(centre["planner"], unit=centre["agency"], title="意见", content="内容", anonymous=True)
    client = api(centre["guihua"])
    for _attempt in range(10):
        assert client.post("/api/v1/suggestions/follow/", {"code": "2222-2222-2222"}, format="json").status_code == 404
    assert client.post("/api/v1/suggestions/follow/", {"code": code}, format="json").status_code == 429
    assert api(centre["planner"]).post("/api/v1/suggestions/follow/", {"code": code}, format="json").status_code == 200


def test_an_open_idea_is_read_by_its_author_who_cannot_adopt_it(centre):
    author = api(centre["planner"])
    idea = ok(author.post("/api/v1/suggestions/", {"title": "共享资料", "content": "股室资料共享"}, format="json"), 201)
    assert (idea["unit"], idea["author_name"], idea["receipt_code"]) == (centre["planning"].pk, "规划股干部", None)
    assert ok(author.get(f"/api/v1/suggestions/{idea['id']}/"))["title"] == "共享资料"
    assert [row["id"] for row in ok(author.get("/api/v1/suggestions/?mine=true"))["results"]] == [idea["id"]]
    assert author.post(f"/api/v1/suggestions/{idea['id']}/adopt/", {"text": "自己采纳"}, format="json").status_code == 403
    assert Suggestion.objects.get(pk=idea["id"]).status == "submitted"
    refused = ok(author.post("/api/v1/suggestions/", {"unit": centre["safety"].pk, "title": "别的股室", "content": "内容"}, format="json"), 400)
    assert set(refused) == {"unit"}


def test_an_adopted_idea_becomes_a_problem_and_a_task(centre):
    office = api(centre["liuhua"])
    first, _code = suggestions.submit(centre["planner"], unit=centre["agency"], title="窗口服务慢", content="窗口排队时间长", anonymous=True)
    assert ok(office.post(f"/api/v1/suggestions/{first.pk}/to-problem/", {}, format="json"), 400)
    ok(office.post(f"/api/v1/suggestions/{first.pk}/adopt/", {"text": "采纳"}, format="json"))
    problem = ok(office.post(f"/api/v1/suggestions/{first.pk}/to-problem/", {"severity": "serious"}, format="json"), 201)
    assert (problem["title"], problem["raised_by"], problem["origin"], problem["severity"]) == (
        "窗口服务慢", None, {"type": "suggestion", "id": first.pk}, "serious",
    )
    assert ok(office.get(f"/api/v1/suggestions/{first.pk}/"))["problem"] == problem["id"]

    second, _ = suggestions.submit(centre["planner"], unit=centre["agency"], title="建立学习角", content="办公楼设学习角")
    suggestions.adopt(centre["liuhua"], second, text="采纳")
    plan = goal_actions.create_plan(centre["liuhua"], unit=centre["agency"], year=2026, title="2026年创建目标")
    goal = goal_actions.add_goal(centre["liuhua"], plan, title="能力过硬", owner_unit=centre["agency"])
    goal_actions.approve_plan(centre["liuhua"], plan)
    goal_actions.publish_plan(centre["liuhua"], plan)
    end = timezone.localdate() + 20 * DAY
    task = ok(office.post(f"/api/v1/suggestions/{second.pk}/to-task/", {
        "goal": goal.pk, "lead_unit": centre["office_unit"].pk, "start_date": _iso(timezone.localdate()), "due_date": _iso(end),
    }, format="json"), 201)
    second.refresh_from_db()
    assert task["task"] == second.task_id and second.task.title == "建立学习角" and second.task.lead_unit == centre["office_unit"]


def test_feedback_contacts_are_masked_except_for_those_who_record_or_answer_it(centre):
    office, safety_head = api(centre["liuhua"]), api(centre["anquan"])
    recorded = ok(office.post("/api/v1/feedback/", {
        "channel": "phone", "received_at": (timezone.now() - DAY).isoformat(), "contact_name": "张三", "contact_phone": "13812345678",
        "content": "煤矿安全检查通知送达不及时", "unit": centre["safety"].pk, "reply_due": _iso(timezone.localdate() + 5 * DAY),
    }, format="json"), 201)
    assert (recorded["contact_phone"], recorded["contact_masked"]) == ("13812345678", False)
    for client in (office, safety_head):
        row = ok(client.get("/api/v1/feedback/"))["results"][0]
        assert (row["contact_name"], row["contact_phone"], row["contact_masked"]) == ("张*", "138****5678", True)
    assert ok(office.get(f"/api/v1/feedback/{recorded['id']}/"))["contact_phone"] == "13812345678"
    # The handling unit calls the person back: it reads the whole contact on the record, not in lists.
    assert ok(safety_head.get(f"/api/v1/feedback/{recorded['id']}/"))["contact_phone"] == "13812345678"
    assert ok(api(centre["wencheng"]).get(f"/api/v1/feedback/{recorded['id']}/"))["contact_phone"] == "138****5678"
    assert api(centre["guihua"]).get(f"/api/v1/feedback/{recorded['id']}/").status_code == 404
    replied = ok(safety_head.post(f"/api/v1/feedback/{recorded['id']}/reply/", {"text": "已电话回复"}, format="json"))
    assert (replied["status"], replied["replied_by_name"], replied["contact_phone"]) == ("replied", "安全股长", "13812345678")
    assert ok(office.get("/api/v1/feedback/?status=replied"))["count"] == 1
    assert ok(office.get("/api/v1/feedback/?overdue=true"))["count"] == 0


def test_another_agency_gets_404_on_problems_measures_ideas_and_feedback(centre):
    problem = actions.register_problem(centre["liuhua"], unit=centre["planning"], title="问题", source="self")
    actions.analyse(centre["liuhua"], problem, root_cause="原因")
    measure = actions.add_measure(centre["liuhua"], problem, text="措施", unit=centre["planning"], deadline=timezone.localdate())
    idea, _code = suggestions.submit(centre["planner"], unit=centre["agency"], title="意见", content="内容", anonymous=True)
    complaint = _complaint(centre)
    stranger = api(centre["stranger"])
    for method, url in [
        ("get", f"/api/v1/problems/{problem.pk}/"), ("post", f"/api/v1/problems/{problem.pk}/analyse/"),
        ("post", f"/api/v1/problems/{problem.pk}/sign-off/"), ("get", f"/api/v1/measures/{measure.pk}/"),
        ("post", f"/api/v1/measures/{measure.pk}/progress/"), ("get", f"/api/v1/suggestions/{idea.pk}/"),
        ("post", f"/api/v1/suggestions/{idea.pk}/adopt/"), ("get", f"/api/v1/feedback/{complaint.pk}/"),
        ("post", f"/api/v1/feedback/{complaint.pk}/reply/"), ("post", f"/api/v1/feedback/{complaint.pk}/to-problem/"),
    ]:
        assert getattr(stranger, method)(url, {"text": "越权", "root_cause": "越权"}, format="json").status_code == 404, url
    for url in ("/api/v1/problems/", "/api/v1/suggestions/", "/api/v1/feedback/"):
        assert ok(stranger.get(url))["count"] == 0
    refused = ok(stranger.post("/api/v1/problems/", {"unit": centre["planning"].pk, "title": "越权", "source": "self"}, format="json"), 400)
    assert set(refused) == {"unit"}
    assert APIClient().get("/api/v1/problems/").status_code == 401


def test_bad_input_is_refused_field_by_field_and_creates_nothing(centre):
    office = api(centre["liuhua"])
    errors = ok(office.post("/api/v1/problems/", {
        "unit": centre["planning"].pk, "title": " ", "source": "rumour", "found_on": _iso(timezone.localdate() + 10 * DAY),
    }, format="json"), 400)
    assert set(errors) == {"title", "source", "found_on"}
    assert all(isinstance(messages[0], str) and messages[0] for messages in errors.values())
    errors = ok(office.post("/api/v1/feedback/", {
        "channel": "letter", "received_at": (timezone.now() + 2 * DAY).isoformat(), "content": " ", "unit": centre["safety"].pk,
        "reply_due": _iso(timezone.localdate()), "contact_phone": "call me",
    }, format="json"), 400)
    assert set(errors) == {"channel", "received_at", "content", "contact_phone", "reply_due"}
    assert set(ok(office.post("/api/v1/suggestions/", {"title": "", "content": ""}, format="json"), 400)) == {"title", "content"}
    problem = actions.register_problem(centre["liuhua"], unit=centre["planning"], title="问题", source="self")
    actions.analyse(centre["liuhua"], problem, root_cause="原因")
    errors = ok(office.post(f"/api/v1/problems/{problem.pk}/measures/", {"text": "", "unit": centre["safety"].pk}, format="json"), 400)
    assert set(errors) == {"text", "unit", "deadline"}
    assert ok(office.post(f"/api/v1/problems/{problem.pk}/measures/", {"text": "措施", "unit": "x"}, format="json"), 400)["unit"]
    assert (Problem.objects.count(), Measure.objects.count(), Feedback.objects.count(), Suggestion.objects.count()) == (1, 0, 0, 0)


def test_a_weakness_becomes_a_problem_through_the_api_and_is_signed_off(coal_center):
    _results, cards = _run(coal_center)
    weak = item(cards["B"], "d")
    clerk, office = api(coal_center["clerks"]["B"]), api(coal_center["office"])
    assert set(ok(api(coal_center["clerks"]["A"]).post("/api/v1/problems/from-weakness/", {"item_score": weak.pk}, format="json"), 400)) == {
        "item_score"
    }
    problem = ok(clerk.post("/api/v1/problems/from-weakness/", {"item_score": weak.pk, "kind": "fix_now"}, format="json"), 201)
    assert (problem["origin"], problem["source"], problem["node"], problem["unit"]) == (
        {"type": "weakness", "id": weak.pk}, "assessment", weak.node_id, cards["B"].unit_id,
    )
    assert "民主生活会" in problem["title"]
    assert ok(clerk.post("/api/v1/problems/from-weakness/", {"item_score": weak.pk}, format="json"), 400)
    url = f"/api/v1/problems/{problem['id']}"
    ok(clerk.post(f"{url}/analyse/", {"root_cause": "会前准备不足"}, format="json"))
    measure = ok(clerk.post(f"{url}/measures/", {"text": "补开专题民主生活会", "unit": cards["B"].unit_id,
                                                 "deadline": _iso(timezone.localdate() + 10 * DAY)}, format="json"), 201)
    ok(clerk.post(f"/api/v1/measures/{measure['id']}/progress/", {"text": "已补开并归档", "done": True}, format="json"), 201)
    ok(clerk.post(f"{url}/submit/"))
    assert clerk.post(f"{url}/sign-off/").status_code == 403
    assert ok(office.post(f"{url}/sign-off/"))["status"] == ProblemStatus.SIGNED_OFF


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        ok(client.get(url))
    return len(captured)


def test_list_queries_do_not_grow_with_the_number_of_records(centre):
    office, today = centre["liuhua"], timezone.localdate()
    client = api(office)

    def add(count):
        for number in range(count):
            problem = actions.register_problem(office, unit=centre["planning"], raised_by=centre["planner"], title=f"问题{number}", source="staff",
                                              found_on=today - 30 * DAY)
            actions.analyse(office, problem, root_cause="原因")
            measure = actions.add_measure(office, problem, text="措施", unit=centre["planning"], deadline=today - DAY * (number % 2))
            actions.report_progress(office, measure, text="进展")
            suggestions.submit(centre["planner"], unit=centre["agency"], title=f"意见{number}", content="内容", anonymous=bool(number % 2))
            _complaint(centre)

    urls = ["/api/v1/problems/?page_size=100", "/api/v1/problems/?overdue=true&page_size=100", "/api/v1/suggestions/?page_size=100",
            "/api/v1/feedback/?page_size=100"]
    add(3)
    few = [_queries(client, url) for url in urls]
    add(27)
    assert ok(client.get("/api/v1/problems/?page_size=100"))["count"] == 30
    assert [_queries(client, url) for url in urls] == few
    assert _queries(client, f"/api/v1/problems/{Problem.objects.first().pk}/") <= 12


def test_the_openapi_document_lists_the_problem_endpoints_without_warnings(centre, tmp_path):
    paths = ok(api(centre["liuhua"]).get("/api/v1/openapi.json"))["paths"]
    for path, method in [
        ("/api/v1/problems/", "get"), ("/api/v1/problems/", "post"), ("/api/v1/problems/{id}/analyse/", "post"),
        ("/api/v1/problems/{id}/measures/", "post"), ("/api/v1/problems/{id}/submit/", "post"),
        ("/api/v1/problems/{id}/sign-off/", "post"), ("/api/v1/problems/{id}/send-back/", "post"),
        ("/api/v1/problems/from-weakness/", "post"), ("/api/v1/problems/from-notice/", "post"),
        ("/api/v1/measures/{id}/progress/", "post"), ("/api/v1/suggestions/", "post"), ("/api/v1/suggestions/follow/", "post"),
        ("/api/v1/suggestions/{id}/adopt/", "post"), ("/api/v1/suggestions/{id}/to-task/", "post"),
        ("/api/v1/feedback/", "post"), ("/api/v1/feedback/{id}/reply/", "post"), ("/api/v1/feedback/{id}/to-problem/", "post"),
    ]:
        assert method in paths[path], (path, method)
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "openapi.yaml"))
