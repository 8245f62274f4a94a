"""The goal-management loop in a real browser: the bureau office drafts, approves and publishes the 2026
plan and issues a task to the county; the county signs for it and decomposes it three levels down; the
section's clerk reports, is returned with a reason and reports again; the county accepts; the plan
rolls the percent up; the bureau supervises the county's task, the county replies and the bureau
escalates to 督办; the timeline, the dashboard and the ledger export work. Screenshots (including a
390px phone) go to test-artifacts/."""

import datetime

import openpyxl
import pytest
from playwright.sync_api import expect

from goals import rollup
from goals.ledger import HEADERS
from goals.models import Plan, SupervisionLevel, SupervisionNotice, SupervisionStatus, Task
from mofan.testing.browser import ARTIFACTS, TIMEOUT_MS, log_in, log_out

pytestmark = pytest.mark.browser

PLAN_TITLE = "2026年模范机关创建目标计划"
GOAL_TITLE = "理论学习走深走实"
TASK_TITLE = "县局理论学习"
SUBTASK_TITLE = "综合股理论学习"
LEAF_TITLE = "综合股中心组学习记录"
RETURN_REASON = "学习记录未上传，请补充会议纪要"
NOTICE_REASON = "县局理论学习进度滞后，请说明原因"
REPLY_TEXT = "已补充会议纪要，十二月上旬完成全部学习"
ESCALATE_REASON = "回复未说明具体措施，升级督办"


def save(page):
    """Submit the page's one form in the content area (the log-out form lives in the top bar)."""
    page.locator("main form[method=post] button[type=submit]").click()


def shoot(page, name):
    page.screenshot(path=str(ARTIFACTS / f"goals_{name}.png"), full_page=True)


def add_task(page, title, lead_unit, *, owner=None, supporting=None, output=""):
    page.fill("#id_title", title)
    page.select_option("#id_lead_unit", label=lead_unit)
    if supporting:
        page.select_option("#id_supporting_units", label=supporting)
    if owner:
        page.select_option("#id_owner", label=owner)
    page.fill("#id_expected_output", output)
    save(page)


def open_task(page, title):
    page.get_by_role("link", name=title, exact=True).first.click()
    expect(page.locator("h1")).to_contain_text(title)


def test_plan_decompose_report_supervise(page, browser, live_server, bureau):
    ARTIFACTS.mkdir(exist_ok=True)
    office, county_office, clerk = bureau["office"], bureau["county_office"], bureau["section_clerk"]
    page.on("dialog", lambda dialog: dialog.accept())

    # The bureau office drafts the plan, adds a goal, approves and publishes it, and issues a task.
    log_in(page, office)
    page.locator(".main-menu a[href='/goals/']").click()
    page.get_by_test_id("new-plan").click()
    page.select_option("#id_unit", label="市烟草专卖局")
    page.fill("#id_year", "2026")
    page.fill("#id_title", PLAN_TITLE)
    save(page)
    expect(page.get_by_test_id("plan-title")).to_contain_text(PLAN_TITLE)
    expect(page.get_by_test_id("no-goals")).to_be_visible()
    page.get_by_test_id("add-goal").click()
    page.fill("#id_title", GOAL_TITLE)
    page.fill("#id_measure", "中心组学习不少于12次")
    page.fill("#id_target_value", "12次")
    page.fill("#id_key_actions", "落实第一议题制度")
    page.fill("#id_weight", "2")
    save(page)
    goal_card = page.get_by_test_id("goal")
    expect(goal_card).to_contain_text(GOAL_TITLE)
    expect(goal_card).to_contain_text("中心组学习不少于12次")
    expect(goal_card).to_contain_text("落实第一议题制度")
    page.get_by_test_id("approve-plan").click()
    page.get_by_test_id("publish-plan").click()
    expect(page.get_by_test_id("adjust-plan")).to_be_visible()
    expect(page.get_by_test_id("publish-plan")).to_have_count(0)
    plan = Plan.objects.get(title=PLAN_TITLE)
    assert plan.status == "published"
    page.get_by_test_id("add-task").click()
    add_task(page, TASK_TITLE, "某县烟草专卖局", supporting="党建科", output="学习记录")
    row = page.get_by_test_id("task-row").filter(has_text=TASK_TITLE)
    expect(row).to_contain_text("某县烟草专卖局")
    expect(row).to_contain_text("党建科")
    shoot(page, "plan_published")
    log_out(page)

    # The county office finds the task in My tasks and on its board, signs for it and decomposes it.
    log_in(page, county_office)
    page.goto("/goals/mine/")
    expect(page.get_by_test_id("to-sign")).to_contain_text(TASK_TITLE)
    page.locator("main a[href='/goals/board/']").click()
    expect(page.get_by_test_id("board-unit")).to_have_text("某县烟草专卖局")
    expect(page.get_by_test_id("board-tasks")).to_contain_text(TASK_TITLE)
    shoot(page, "board_county")
    open_task(page, TASK_TITLE)
    page.get_by_test_id("sign-task").click()
    expect(page.get_by_test_id("sign-task")).to_have_count(0)
    page.get_by_test_id("add-subtask").click()
    add_task(page, SUBTASK_TITLE, "综合股", owner="综合股资料员（综合股）", output="学习台账")
    expect(page.get_by_test_id("subtasks")).to_contain_text(SUBTASK_TITLE)
    open_task(page, SUBTASK_TITLE)
    page.get_by_test_id("add-subtask").click()
    add_task(page, LEAF_TITLE, "综合股", owner="综合股资料员（综合股）", output="会议纪要")
    expect(page.get_by_test_id("subtasks")).to_contain_text(LEAF_TITLE)
    assert Task.objects.get(title=LEAF_TITLE).parent.parent.title == TASK_TITLE
    log_out(page)

    # The section's clerk signs for both from My tasks and reports on the leaf.
    log_in(page, clerk)
    page.goto("/goals/mine/")
    expect(page.get_by_test_id("to-sign")).to_contain_text(SUBTASK_TITLE)
    expect(page.get_by_test_id("to-sign")).to_contain_text(LEAF_TITLE)
    shoot(page, "my_tasks_clerk")
    page.get_by_test_id("to-sign").get_by_role("link", name=SUBTASK_TITLE).click()
    page.get_by_test_id("sign-task").click()
    expect(page.get_by_test_id("sign-task")).to_have_count(0)
    open_task(page, LEAF_TITLE)
    page.get_by_test_id("sign-task").click()
    leaf_url = page.url
    page.get_by_test_id("report-task").click()
    report_url = page.url

    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.set_default_timeout(TIMEOUT_MS)
    phone_page = phone.new_page()
    log_in(phone_page, clerk)
    phone_page.goto(report_url)
    phone_page.screenshot(path=str(ARTIFACTS / "goals_report_form_phone_390.png"), full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    phone_page.goto(leaf_url)
    phone_page.screenshot(path=str(ARTIFACTS / "goals_task_phone_390.png"), full_page=True)
    phone.close()
    assert width <= 390, f"the report form scrolls sideways on a phone ({width}px)"

    page.fill("#id_percent", "40")
    page.fill("#id_done_text", "组织中心组学习3次")
    page.fill("#id_problems", "部分记录未归档")
    save(page)
    expect(page.get_by_test_id("report").first).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("report-task")).to_have_count(0)
    log_out(page)

    # The county office returns the report with a reason.
    log_in(page, county_office)
    page.goto("/goals/mine/")
    expect(page.get_by_test_id("to-review")).to_contain_text(LEAF_TITLE)
    page.get_by_test_id("to-review").get_by_role("link", name=LEAF_TITLE).click()
    page.locator("input[name=reason]").fill(RETURN_REASON)
    page.get_by_test_id("return-report").click()
    expect(page.get_by_test_id("report").first).to_have_attribute("data-status", "returned")
    log_out(page)

    # The clerk reads the reason and reports again, starting from what was written.
    log_in(page, clerk)
    page.goto(leaf_url)
    expect(page.get_by_test_id("return-reason")).to_contain_text(RETURN_REASON)
    page.get_by_test_id("report-task").click()
    expect(page.locator("#id_done_text")).to_have_value("组织中心组学习3次")
    page.fill("#id_percent", "60")
    page.fill("#id_done_text", "组织中心组学习3次，会议纪要已上传")
    save(page)
    expect(page.get_by_test_id("report").first).to_have_attribute("data-status", "submitted")
    log_out(page)

    # The county office accepts; the percent rolls up to the plan.
    log_in(page, county_office)
    page.goto(leaf_url)
    page.get_by_test_id("accept-report").click()
    expect(page.get_by_test_id("report").first).to_have_attribute("data-status", "accepted")
    expect(page.get_by_test_id("task-percent")).to_have_text("60.00%")
    shoot(page, "task_leaf_accepted")
    log_out(page)

    log_in(page, office)
    page.goto(plan.get_absolute_url())
    percent = rollup.plan_progress(plan).percent
    assert percent > 0
    expect(page.get_by_test_id("plan-percent")).to_have_text(f"{percent}%")
    expect(page.get_by_test_id("task-row")).to_have_count(3)
    expect(page.get_by_test_id("task-row").filter(has_text=LEAF_TITLE)).to_have_attribute("data-depth", "2")
    shoot(page, "plan_rolled_up")

    # The bureau office supervises the county's task.
    open_task(page, TASK_TITLE)
    page.get_by_test_id("issue-notice").click()
    expect(page.get_by_test_id("target")).to_contain_text(TASK_TITLE)
    page.fill("#id_reason", NOTICE_REASON)
    page.fill("#id_reply_due", (datetime.date.today() + datetime.timedelta(days=7)).isoformat())
    save(page)
    notice = SupervisionNotice.objects.get(task__title=TASK_TITLE)
    assert notice.level == SupervisionLevel.REMINDER
    expect(page.get_by_test_id("chain")).to_contain_text(NOTICE_REASON)
    log_out(page)

    log_in(page, county_office)
    page.goto("/goals/notices/")
    page.get_by_test_id("notices").get_by_role("link", name=f"DB-{notice.created_at.year}-{notice.pk:04d}").click()
    page.get_by_test_id("reply").click()
    page.fill("#id_text", REPLY_TEXT)
    save(page)
    expect(page.get_by_test_id("reply-text")).to_contain_text(REPLY_TEXT)
    log_out(page)

    log_in(page, office)
    page.goto(notice.get_absolute_url())
    page.get_by_test_id("escalate").click()
    page.fill("#id_reason", ESCALATE_REASON)
    page.fill("#id_reply_due", (datetime.date.today() + datetime.timedelta(days=3)).isoformat())
    save(page)
    expect(page.get_by_test_id("chain").locator("li")).to_have_count(2)
    escalated = SupervisionNotice.objects.get(escalated_from=notice)
    assert escalated.level == SupervisionLevel.SUPERVISION
    notice.refresh_from_db()
    assert notice.status == SupervisionStatus.ESCALATED
    shoot(page, "notice_escalated")

    # The ledger downloads and opens with the offices' columns.
    page.goto("/goals/notices/")
    shoot(page, "ledger")
    with page.expect_download() as download_info:
        page.get_by_test_id("ledger-export").click()
    path = ARTIFACTS / "goals_ledger.xlsx"
    download_info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == HEADERS
    assert [row[2] for row in rows[2:]] == [TASK_TITLE, TASK_TITLE]
    assert [row[6] for row in rows[2:]] == [NOTICE_REASON, ESCALATE_REASON]
    assert rows[2][9] == REPLY_TEXT

    # The plan's timeline and dashboard.
    page.goto(plan.get_absolute_url())
    page.get_by_test_id("plan-views").locator(f"a[href='/goals/plans/{plan.pk}/gantt/']").click()
    gantt = page.get_by_test_id("gantt")
    expect(gantt).to_contain_text(SUBTASK_TITLE)
    expect(gantt).not_to_contain_text(LEAF_TITLE)  # two levels by default, the third one folded
    shoot(page, "gantt")
    page.get_by_test_id("depth-control").locator("a[href*='depth=0']").click()
    for title in (TASK_TITLE, SUBTASK_TITLE, LEAF_TITLE):
        expect(gantt).to_contain_text(title)
    shoot(page, "gantt_all_levels")
    page.goto(plan.get_absolute_url())
    page.get_by_test_id("plan-views").locator(f"a[href='/goals/plans/{plan.pk}/dashboard/']").click()
    expect(page.get_by_test_id("plan-percent")).to_have_text(f"{percent}%")
    expect(page.get_by_test_id("chart-units").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("units")).to_contain_text("某县烟草专卖局")
    shoot(page, "dashboard")
