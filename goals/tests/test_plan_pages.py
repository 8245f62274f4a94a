"""The plan pages: the list, drafting, goals, approval and publication, adjustments, the task tree."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import actions
from goals.models import Goal, Plan, PlanAdjustment, PlanStatus

from .conftest import DEC31, JAN1


def login(client, user):
    client.force_login(user)
    return client


def page(client, user, name, *args, **query):
    response = login(client, user).get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_the_plans_a_user_may_see_by_year_with_their_completion(client, plan):
    own = actions.create_plan(plan["other_office"], unit=plan["other_county"], year=2025, title="另一县局2025计划")
    office_html = page(client, plan["office"], "goals:plans")
    assert "2026年模范机关创建目标计划" in office_html and "另一县局2025计划" in office_html
    assert office_html.count('data-testid="plan-row"') == 2 and 'data-testid="new-plan"' in office_html
    # A section clerk reads the agency's plan it carries out, not another county's.
    clerk_html = page(client, plan["section_clerk"], "goals:plans")
    assert "2026年模范机关创建目标计划" in clerk_html and "另一县局2025计划" not in clerk_html
    assert 'data-testid="new-plan"' not in clerk_html
    filtered = page(client, plan["office"], "goals:plans", year="2025")
    assert own.title in filtered and "2026年模范机关创建目标计划" not in filtered
    county_task = plan["county_task"]
    actions.sign_task(plan["county_office"], county_task)
    report = actions.submit_report(plan["county_office"], county_task, period=JAN1, percent="40", done_text="学习")
    actions.accept_report(plan["office"], report)
    assert ">40.00%<" in page(client, plan["office"], "goals:plans", year="2026")


def test_an_office_drafts_a_plan_for_a_unit_where_it_may_and_keeps_what_was_typed(client, bureau):
    county_office = bureau["county_office"]
    html = page(client, county_office, "goals:plan_create")
    assert bureau["county"].name in html and bureau["section"].name in html and bureau["agency"].name not in html
    url = reverse("goals:plan_create")
    response = client.post(url, {"unit": bureau["agency"].pk, "year": "2026", "title": "越权计划"})
    assert response.status_code == 200 and not Plan.objects.exists()
    response = client.post(url, {"unit": bureau["county"].pk, "year": "2026", "title": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "必填项" in html and 'value="2026"' in html
    response = client.post(url, {"unit": bureau["county"].pk, "year": "2026", "title": "县局计划"})
    created = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    response = client.post(url, {"unit": bureau["county"].pk, "year": "2026", "title": "重复计划"})
    assert "已有" in response.content.decode() and 'value="重复计划"' in response.content.decode()
    assert login(client, bureau["section_clerk"]).get(url).status_code == 403


def test_goals_are_added_and_edited_on_a_draft_against_the_current_standard(client, bureau):
    from assessment.tests.conftest import build_standard

    _, nodes = build_standard(bureau["agency"])
    office = bureau["office"]
    draft = actions.create_plan(office, unit=bureau["county"], year=2026, title="县局计划")
    html = page(client, office, "goals:goal_create", draft.pk)
    assert "理论学习" in html and "政治过硬" in html and "第一议题" not in html  # items are not goals' nodes
    url = reverse("goals:goal_create", args=[draft.pk])
    response = client.post(url, {"title": "", "owner_unit": bureau["section"].pk, "weight": "1", "measure": "每月一次"})
    assert response.status_code == 200 and "每月一次" in response.content.decode() and not Goal.objects.exists()
    client.post(url, {
        "node": nodes["i11"].pk, "title": "理论学习", "owner_unit": bureau["section"].pk, "weight": "2",
        "measure": "每月一次", "target_value": "12次", "key_actions": "第一议题",
    })
    goal = Goal.objects.get()
    assert goal.node == nodes["i11"] and goal.weight == 2 and goal.key_actions == "第一议题"
    edit = reverse("goals:goal_edit", args=[goal.pk])
    response = client.post(edit, {"node": nodes["d1"].pk, "title": "理论学习走深", "owner_unit": bureau["section"].pk, "weight": "3"})
    goal.refresh_from_db()
    assert response.status_code == 302 and goal.title == "理论学习走深" and goal.node == nodes["d1"] and goal.weight == 3
    html = page(client, office, "goals:plan", draft.pk)
    assert "理论学习走深" in html and nodes["d1"].number in html and 'data-testid="approve-plan"' in html


def test_approval_and_publication_and_who_may_do_them(client, bureau):
    office = bureau["office"]
    draft = actions.create_plan(office, unit=bureau["agency"], year=2026, title="年度计划")
    approve = reverse("goals:plan_approve", args=[draft.pk])
    response = login(client, office).post(approve, follow=True)
    assert "至少需要一个目标" in response.content.decode()
    actions.add_goal(office, draft, title="组织过硬", owner_unit=bureau["party"])
    # A department clerk reads the agency's plan but may not approve it; another county does not see a county plan.
    assert login(client, bureau["section_clerk"]).get(reverse("goals:plan", args=[draft.pk])).status_code == 200
    assert client.post(approve).status_code == 403
    county_plan = actions.create_plan(bureau["county_office"], unit=bureau["county"], year=2026, title="县局计划")
    assert login(client, bureau["other_office"]).get(reverse("goals:plan", args=[county_plan.pk])).status_code == 404
    assert client.post(reverse("goals:plan_approve", args=[county_plan.pk])).status_code == 404
    login(client, office).post(approve)
    html = page(client, office, "goals:plan", draft.pk)
    assert 'data-testid="publish-plan"' in html and 'data-testid="approve-plan"' not in html
    client.post(reverse("goals:plan_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == PlanStatus.PUBLISHED
    html = page(client, office, "goals:plan", draft.pk)
    assert 'data-testid="adjust-plan"' in html and 'data-testid="edit-plan"' not in html


def test_a_published_plan_is_adjusted_with_a_reason_and_the_adjustments_are_listed(client, plan):
    office, published, goal = plan["office"], plan["plan"], plan["goal"]
    url = reverse("goals:plan_edit", args=[published.pk])
    response = login(client, office).post(url, {"title": "2026年创建目标计划（修订）", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "2026年创建目标计划（修订）" in html and not PlanAdjustment.objects.exists()
    client.post(url, {"title": "2026年创建目标计划（修订）", "reason": "市局党组新要求"})
    published.refresh_from_db()
    assert published.title == "2026年创建目标计划（修订）"
    edit = reverse("goals:goal_edit", args=[goal.pk])
    fields = {"title": goal.title, "owner_unit": plan["party"].pk, "weight": "2", "target_value": "15次", "measure": goal.measure, "key_actions": goal.key_actions}
    response = client.post(edit, {**fields, "reason": ""})
    assert response.status_code == 200 and "必填项" in response.content.decode() and "15次" in response.content.decode()
    response = client.post(edit, {**fields, "target_value": "12次", "reason": "无变化"})
    assert "没有任何变更" in response.content.decode()
    client.post(edit, {**fields, "reason": "上级提高要求"})
    goal.refresh_from_db()
    assert goal.target_value == "15次"
    client.post(reverse("goals:goal_create", args=[published.pk]), {"title": "新增目标", "owner_unit": plan["party"].pk, "weight": "1", "reason": "新增重点"})
    html = page(client, office, "goals:plan", published.pk)
    assert 'data-testid="adjustments"' in html
    for text in ("市局党组新要求", "上级提高要求", "新增重点", "12次", "15次", office.real_name):
        assert text in html
    assert login(client, plan["county_office"]).post(url, {"title": "越权", "reason": "越权"}).status_code == 403


def test_the_plan_page_shows_goals_and_the_task_tree_each_user_may_see(client, plan):
    office, county_office, goal, county_task = plan["office"], plan["county_office"], plan["goal"], plan["county_task"]
    actions.sign_task(county_office, county_task)
    sub = actions.add_task(
        county_office, goal, parent=county_task, title="综合股学习", lead_unit=plan["section"], start_date=JAN1,
        due_date=datetime.date(2026, 6, 30), owner=plan["section_clerk"],
    )
    actions.add_task(office, goal, title="党建科任务", lead_unit=plan["party"], start_date=JAN1, due_date=DEC31)
    html = page(client, office, "goals:plan", plan["plan"].pk)
    for text in ("理论学习走深走实", "中心组学习不少于12次", "12次", "落实第一议题制度", "党建科", "县局理论学习", "综合股学习", plan["section_clerk"].real_name):
        assert text in html
    assert html.count('data-testid="task-row"') == 3 and 'data-depth="1"' in html and "data-light=" in html
    # The section clerk sees only its own sub-task, at the top of the goal; the county's task is the county's.
    clerk_html = page(client, plan["section_clerk"], "goals:plan", plan["plan"].pk)
    assert clerk_html.count('data-testid="task-row"') == 1 and "综合股学习" in clerk_html and "党建科任务" not in clerk_html
    assert 'data-testid="add-goal"' not in clerk_html and 'data-testid="add-task"' not in clerk_html
    # The party department supports the county's task: it sees it.
    staff_html = page(client, plan["party_staff"], "goals:plan", plan["plan"].pk)
    assert "县局理论学习" in staff_html and "党建科任务" in staff_html and "综合股学习" not in staff_html
    assert sub.get_absolute_url() in html


def _tasks(plan, count):
    office, goal = plan["office"], plan["goal"]
    parent = plan["county_task"]
    for number in range(count):
        task = actions.add_task(
            office, goal, parent=parent if number % 2 else None, title=f"任务{number}",
            lead_unit=plan["section"] if number % 2 else plan["county"], start_date=JAN1, due_date=DEC31,
            supporting_units=[plan["party"]], owner=plan["section_clerk"],
        )
        if number % 4 == 0:
            parent = task


def _count(client, user, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_plan_page_costs_the_same_queries_for_5_or_40_tasks(client, plan):
    url = reverse("goals:plan", args=[plan["plan"].pk])
    login(client, plan["office"])
    _tasks(plan, 4)
    few = _count(client, plan["office"], url)
    _tasks(plan, 36)
    assert _count(client, plan["office"], url) == few
    assert client.get(url).content.decode().count('data-testid="task-row"') == 41


def test_the_plan_list_costs_the_same_with_one_plan_or_many(plan, client):
    """Completion of a page of plans is read in two queries for the whole page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goals import actions as goal_actions

    client.force_login(plan["office"])
    with CaptureQueriesContext(connection) as one:
        assert client.get("/goals/").status_code == 200
    for year in range(2020, 2026):
        other = goal_actions.create_plan(plan["office"], unit=plan["agency"], year=year, title=f"{year}年计划")
        goal_actions.add_goal(plan["office"], other, title="目标", owner_unit=plan["party"])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/goals/")
    assert response.status_code == 200 and "2020年计划" in response.content.decode()
    assert len(many) == len(one)
