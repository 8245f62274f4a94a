"""The suggestion box through its pages: an anonymous receipt shown once and kept nowhere, the
office's list with its counts, handling and its scope, the board, one step to a problem or a task."""

import datetime
import re

from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from goals import actions as goal_actions
from problems import suggestions
from problems.models import Problem, Suggestion, SuggestionStatus

RECEIPT = re.compile(r'data-testid="receipt-code">([^<]+)<')


def as_(client, user):
    client.force_login(user)
    return client


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _idea(centre, *, anonymous=False, unit="agency", title="设立意见箱"):
    idea, code = suggestions.submit(centre["planner"], unit=centre[unit], title=title, content=f"{title}的具体建议", anonymous=anonymous)
    return idea, code


def test_an_anonymous_idea_shows_its_code_once_and_keeps_it_nowhere(client, centre):
    author = centre["planner"]
    as_(client, author)
    form = html_of(client, reverse("problems:suggestion_submit"))
    assert centre["safety"].name not in form  # only one's own unit and the units above it
    before = AuditEntry.objects.count()
    response = client.post(reverse("problems:suggestion_submit"), {
        "unit": centre["agency"].pk, "title": "简化请假审批", "content": "请假审批改为线上一次办结", "anonymous": "on",
    })
    assert response.status_code == 200
    code = RECEIPT.search(response.content.decode()).group(1).strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "no-store" in response["Cache-Control"]

    idea = Suggestion.objects.get()
    assert idea.anonymous and idea.author is None and code not in idea.receipt_hash
    assert AuditEntry.objects.count() == before
    # Neither the session nor a flash message holds the code (both sit next to the user).
    assert not list(get_messages(response.wsgi_request))
    assert "messages" not in response.cookies or code not in response.cookies["messages"].value
    session = client.session
    assert all(code not in str(value) for value in session.values())
    assert code.replace("-", "") not in str(dict(session))
    assert "简化请假审批" not in html_of(client, reverse("problems:my_suggestions"))

    # The office answers; the author follows with the code, typed loosely.
    suggestions.adopt(centre["liuhua"], idea, text="已采纳，由办公室落实")
    response = client.post(reverse("problems:suggestion_follow"), {"code": code.lower().replace("-", " ")})
    html = response.content.decode()
    assert 'data-testid="followed"' in html and "已采纳，由办公室落实" in html and "简化请假审批" in html
    response = client.post(reverse("problems:suggestion_follow"), {"code": "ABCD-EFGH-JKMN"})
    assert 'data-testid="follow-not-found"' in response.content.decode()


def test_guessing_codes_is_stopped_after_ten_misses_in_a_session(client, centre):
    _idea_row, code = _idea(centre, anonymous=True)
    as_(client, centre["planner"])
    url = reverse("problems:suggestion_follow")
    for _ in range(10):
        assert 'data-testid="follow-not-found"' in client.post(url, {"code": "ABCD-EFGH-JKMN"}).content.decode()
    html = client.post(url, {"code": code}).content.decode()
    assert 'data-testid="follow-blocked"' in html and 'data-testid="followed"' not in html


def test_an_open_idea_goes_to_the_authors_list_and_bad_input_saves_nothing(client, centre):
    as_(client, centre["planner"])
    url = reverse("problems:suggestion_submit")
    response = client.post(url, {"unit": centre["planning"].pk, "title": " ", "content": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "请填写金点子标题。" in html and "请填写金点子内容。" in html
    response = client.post(url, {"unit": centre["safety"].pk, "title": "别的股室", "content": "内容"})
    assert response.status_code == 200 and not Suggestion.objects.exists()

    response = client.post(url, {"unit": centre["planning"].pk, "title": "共享资料", "content": "股室资料共享"})
    assert response.status_code == 302 and response["Location"] == reverse("problems:my_suggestions")
    idea = Suggestion.objects.get()
    assert idea.author == centre["planner"] and not idea.anonymous
    html = html_of(client, reverse("problems:my_suggestions"))
    assert "共享资料" in html
    assert "共享资料" in html_of(client, reverse("problems:suggestion", args=[idea.pk]))  # the author reads it


def test_another_agency_cannot_see_the_ideas_and_staff_or_leaders_cannot_handle_them(client, centre):
    idea, _code = _idea(centre, unit="planning")
    detail = reverse("problems:suggestion", args=[idea.pk])
    adopt = reverse("problems:suggestion_adopt", args=[idea.pk])

    as_(client, centre["stranger"])
    assert client.get(detail).status_code == 404
    assert client.post(adopt, {"text": "采纳"}).status_code == 404
    assert "设立意见箱" not in html_of(client, reverse("problems:suggestions"))

    as_(client, centre["planner"])  # the author reads the idea but does not handle it
    assert 'data-testid="adopt"' not in html_of(client, detail)
    assert client.post(adopt, {"text": "采纳"}).status_code == 403
    assert client.get(reverse("problems:suggestions")).status_code == 403

    as_(client, centre["wencheng"])  # a leader reads every idea of the centre, the office handles them
    assert 'data-testid="adopt"' not in html_of(client, detail)
    assert client.post(reverse("problems:suggestion_decline", args=[idea.pk]), {"reason": "不采纳"}).status_code == 403
    idea.refresh_from_db()
    assert idea.status == SuggestionStatus.SUBMITTED


def test_the_office_list_counts_ideas_per_unit_and_per_month_and_filters(client, centre):
    _idea(centre, title="意见一")
    _idea(centre, title="意见二", anonymous=True)
    old, _code = _idea(centre, unit="planning", title="意见三")
    Suggestion.objects.filter(pk=old.pk).update(submitted_on=datetime.date(2026, 1, 15))
    as_(client, centre["liuhua"])
    html = html_of(client, reverse("problems:suggestions"))
    per_unit = html.split('data-testid="per-unit"')[1].split("</ul>")[0]
    per_month = html.split('data-testid="per-month"')[1].split("</ul>")[0]
    assert re.search(r"市煤炭事务中心</span><span[^>]*data-count=\"2\"", per_unit)
    assert re.search(r"规划发展股</span><span[^>]*data-count=\"1\"", per_unit)
    assert re.search(r"2026-01</span><span[^>]*data-count=\"1\"", per_month)
    assert "意见一" in html and "意见三" in html

    html = html_of(client, reverse("problems:suggestions") + "?month=2026-01")
    assert "意见三" in html and "意见一" not in html
    html = html_of(client, reverse("problems:suggestions") + f"?unit={centre['planning'].pk}")
    assert "意见三" in html and "意见二" not in html
    html = html_of(client, reverse("problems:suggestions") + "?status=adopted")
    assert "意见一" not in html and "意见三" not in html


def test_the_office_adopts_onto_the_board_and_turns_ideas_into_a_problem_and_a_task(client, centre):
    idea, _code = _idea(centre, anonymous=True, title="窗口服务慢")
    office = centre["liuhua"]
    as_(client, office)
    response = client.post(reverse("problems:suggestion_decline", args=[idea.pk]), {"reason": " "})
    assert response.status_code == 200 and "请说明不予采纳的理由。" in response.content.decode()
    response = client.post(reverse("problems:suggestion_adopt", args=[idea.pk]), {"text": "已采纳", "on_board": "on"})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == SuggestionStatus.ADOPTED and idea.on_board

    # The board: everyone in the centre reads it, another agency does not.
    board = reverse("problems:suggestion_board")
    assert "窗口服务慢" in html_of(as_(client, centre["anquan"]), board)
    assert "窗口服务慢" not in html_of(as_(client, centre["stranger"]), board)

    as_(client, office)
    url = reverse("problems:suggestion_to_problem", args=[idea.pk])
    assert "窗口服务慢" in html_of(client, url)  # prefilled
    response = client.post(url, {"title": "窗口服务慢", "description": "排队时间长", "severity": "serious", "kind": "fix_now"})
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == problem.get_absolute_url()
    assert (problem.origin_suggestion, problem.raised_by, problem.severity, problem.unit) == (idea, None, "serious", centre["agency"])
    assert 'data-testid="suggestion-problem"' in html_of(client, reverse("problems:suggestion", args=[idea.pk]))

    plan = goal_actions.create_plan(office, unit=centre["agency"], year=2026, title="2026年创建目标")
    goal = goal_actions.add_goal(office, plan, title="能力过硬", owner_unit=centre["agency"])
    goal_actions.approve_plan(office, plan)
    second, _code = _idea(centre, title="建立学习角")
    suggestions.adopt(office, second, text="采纳")
    url = reverse("problems:suggestion_to_task", args=[second.pk])
    assert "能力过硬" not in html_of(client, url)  # the plan is not published yet
    goal_actions.publish_plan(office, plan)
    assert "能力过硬" in html_of(client, url)
    response = client.post(url, {
        "goal": goal.pk, "title": "建立学习角", "lead_unit": centre["office_unit"].pk,
        "start_date": "2026-12-31", "due_date": "2026-12-01",
    })
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert second.__class__.objects.get(pk=second.pk).task is None
    client.post(url, {
        "goal": goal.pk, "title": "建立学习角", "lead_unit": centre["office_unit"].pk,
        "start_date": "2026-12-01", "due_date": "2026-12-31",
    })
    second.refresh_from_db()
    assert second.task is not None and second.task.goal == goal and second.task.lead_unit == centre["office_unit"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_office_list_and_the_board_cost_the_same_for_one_idea_or_many(client, centre):
    first, _code = _idea(centre, title="意见0")
    suggestions.adopt(centre["liuhua"], first, text="采纳", on_board=True)
    as_(client, centre["liuhua"])
    urls = [reverse("problems:suggestions"), reverse("problems:suggestion_board")]
    few = [_queries(client, url) for url in urls]
    for number in range(1, 6):
        idea, _code = _idea(centre, title=f"意见{number}", unit="planning", anonymous=number % 2 == 0)
        suggestions.adopt(centre["liuhua"], idea, text="采纳", on_board=True)
    assert [_queries(client, url) for url in urls] == few
