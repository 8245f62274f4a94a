"""The problem-finding round in a real browser, as its people would walk it.

A staff member sends an anonymous idea from a phone and follows the office's answer by its receipt
code; the section head registers a problem from the phone, analyses it and sets a measure; the
responsible person reports it done; the leader sends it back, it is done again and the office signs
it off; the ledger lists it signed off and its .xlsx opens with the printed columns. Last, a weakness
of a published scorecard becomes a problem through its link. Screenshots (phones at 375px) go to
test-artifacts/.
"""

import datetime
import re

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.tests.conftest import item
from assessment.tests.test_browser import log_in
from assessment.tests.test_round_flow import _run
from mofan.testing.browser import ARTIFACTS, TIMEOUT_MS
from problems.models import Problem, ProblemStatus, Suggestion, SuggestionStatus

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
PRINTED = ["序号", "问题表现", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "整改进展", "完成情况", "销号情况"]


def shot(page, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"problems_{name}.png"), full_page=full_page)


def open_as(browser, live_server, user, *, phone=False):
    """A page of a new browser context (another person, another device) with ``user`` logged in."""
    viewport = PHONE if phone else {"width": 1280, "height": 900}
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, user)
    return page


def fits_the_screen(page):
    """Nothing on a phone page is wider than the screen (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_idea_and_a_problem_from_the_phone_to_sign_off_and_the_ledger(page, browser, live_server, centre):
    planner, guihua, liuhua, wencheng = (centre[key] for key in ("planner", "guihua", "liuhua", "wencheng"))
    deadline = timezone.localdate() + datetime.timedelta(days=30)

    # A staff member sends an anonymous idea from the phone and writes down the receipt code.
    staff = open_as(browser, live_server, planner, phone=True)
    staff.locator(".navbar-toggler").click()
    staff.locator("#sidebar a[href='/problems/']").click()
    staff.get_by_test_id("submit-idea").click()
    form = staff.get_by_test_id("suggestion-form")
    form.locator("select[name=unit]").select_option(str(centre["agency"].pk))
    form.locator("input[name=title]").fill("请假审批改为线上一次办结")
    form.locator("textarea[name=content]").fill("纸质请假单要跑三个办公室签字，建议在系统里一次办结。")
    form.locator("input[name=anonymous]").check()
    fits_the_screen(staff)
    shot(staff, "idea_form_phone_375")
    form.get_by_test_id("suggestion-submit").click()
    code = staff.get_by_test_id("receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    fits_the_screen(staff)
    shot(staff, "idea_receipt_phone_375", full_page=False)
    assert Suggestion.objects.get().author is None

    # The office adopts it from the idea list.
    log_in(page, liuhua)
    page.goto("/problems/suggestions/")  # no menu entry or link leads the office here yet (see the report)
    expect(page.get_by_test_id("per-unit")).to_contain_text(centre["agency"].name)
    shot(page, "idea_list")
    page.get_by_test_id("suggestions").get_by_role("link", name="请假审批改为线上一次办结").click()
    page.get_by_test_id("adopt").click()
    page.get_by_test_id("decide-form").locator("textarea[name=text]").fill("已采纳，由办公室牵头上线请假审批流程。")
    page.get_by_test_id("decide-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("suggestion-status")).to_have_attribute("data-status", SuggestionStatus.ADOPTED)
    expect(page.get_by_test_id("suggestion-answer")).to_contain_text("由办公室牵头")

    # Later the staff member follows the idea by its code and reads the answer.
    staff.get_by_test_id("follow-link").click()
    staff.get_by_test_id("follow-form").locator("input[name=code]").fill(code.lower())
    staff.get_by_test_id("follow-form").locator("button[type=submit]").click()
    expect(staff.get_by_test_id("followed-status")).to_have_attribute("data-status", SuggestionStatus.ADOPTED)
    expect(staff.get_by_test_id("followed-answer")).to_contain_text("由办公室牵头上线请假审批流程")
    fits_the_screen(staff)
    shot(staff, "idea_followed_phone_375")

    # The section head registers a problem from the phone, through the menu.
    head = open_as(browser, live_server, guihua, phone=True)
    head.locator(".navbar-toggler").click()
    head.locator("#sidebar a[href='/problems/']").click()
    head.get_by_test_id("add-problem").click()
    form = head.get_by_test_id("problem-form")
    expect(form.locator("select[name=unit]")).to_have_value(str(centre["planning"].pk))
    form.locator("input[name=title]").fill("调研走过场，调研报告质量不高")
    form.locator("textarea[name=description]").fill("今年三次专题调研均未形成有分析的报告。")
    form.locator("select[name=source]").select_option("self")
    form.locator("select[name=kind]").select_option("by_deadline")
    fits_the_screen(head)
    shot(head, "problem_form_phone_375")
    form.get_by_test_id("problem-register").click()
    expect(head.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.REGISTERED)
    problem = Problem.objects.get()
    problem_url = f"/problems/{problem.pk}/"
    assert problem.raised_by == guihua and problem.unit == centre["planning"]

    head.get_by_test_id("analyse").click()
    head.get_by_test_id("action-form").locator("textarea[name=root_cause]").fill("调研计划未落实到人，缺少成果要求。")
    head.get_by_test_id("action-form").locator("button[type=submit]").click()
    expect(head.get_by_test_id("root-cause")).to_contain_text("调研计划未落实到人")
    head.get_by_test_id("add-measure").click()
    measure_form = head.get_by_test_id("action-form")
    measure_form.locator("textarea[name=text]").fill("制定年度调研计划，每次调研形成报告")
    measure_form.locator("select[name=leader]").select_option(str(wencheng.pk))
    measure_form.locator("select[name=person]").select_option(str(planner.pk))
    measure_form.locator("input[name=deadline]").fill(deadline.isoformat())
    measure_form.locator("textarea[name=expected_result]").fill("形成三篇调研报告")
    fits_the_screen(head)
    shot(head, "measure_form_phone_375")
    measure_form.locator("button[type=submit]").click()
    measure = head.get_by_test_id("measure")
    expect(measure.get_by_test_id("deadline")).to_have_text(deadline.isoformat())
    expect(head.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.RECTIFYING)
    expect(head.get_by_test_id("submit-problem")).to_be_disabled()  # the measure is not done yet
    fits_the_screen(head)
    shot(head, "problem_rectifying_phone_375")

    # The responsible person finds the measure on the workbench and reports it done.
    def report_done(text):
        staff.goto("/")
        staff.get_by_test_id("my-measures").get_by_role("link", name=problem.title).click()
        staff.get_by_test_id("report-progress").click()
        staff.get_by_test_id("action-form").locator("textarea[name=text]").fill(text)
        staff.get_by_test_id("action-form").locator("input[name=done]").check()
        staff.get_by_test_id("action-form").locator("button[type=submit]").click()
        expect(staff.get_by_test_id("measure-done")).to_be_visible()

    report_done("已制定年度调研计划，完成两次调研并形成报告。")
    head.reload()
    head.get_by_test_id("submit-problem").click()
    expect(head.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.SUBMITTED)

    # The leader finds it waiting for sign-off and sends it back with a reason.
    leader = open_as(browser, live_server, wencheng)
    leader.get_by_test_id("to-verify").get_by_role("link", name=problem.title).click()
    leader.get_by_test_id("send-back-form").locator("textarea[name=reason]").fill("第三次调研报告还未形成，请补齐后再报。")
    leader.get_by_test_id("send-back").click()
    expect(leader.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.RECTIFYING)
    expect(leader.get_by_test_id("send-back-reason")).to_contain_text("第三次调研报告还未形成")
    leader.context.close()

    # Done again, submitted again; the office signs it off.
    report_done("第三篇调研报告已印发。")
    head.reload()
    expect(head.get_by_test_id("send-back-reason")).to_contain_text("第三次调研报告还未形成")
    head.get_by_test_id("submit-problem").click()
    expect(head.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.SUBMITTED)
    head.locator(".breadcrumb a").first.click()
    # On the phone the ledger starts with the list: filters folded, the status on screen.
    expect(head.get_by_test_id("problem-filters")).to_be_hidden()
    status = head.locator(f"[data-testid=problems] tr[data-problem='{problem.pk}']").get_by_test_id("problem-status")
    expect(status).to_have_attribute("data-status", ProblemStatus.SUBMITTED)
    box = status.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    fits_the_screen(head)
    shot(head, "ledger_phone_375")
    head.get_by_test_id("filters-toggle").click()
    expect(head.get_by_test_id("problem-filters").locator("select[name=status]")).to_be_visible()
    head.context.close()
    staff.context.close()

    page.goto("/")
    page.get_by_test_id("to-verify").get_by_role("link", name=problem.title).click()
    page.get_by_test_id("sign-off").click()
    expect(page.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.SIGNED_OFF)
    expect(page.get_by_test_id("signed-off-by")).to_contain_text(liuhua.real_name)
    expect(page.get_by_test_id("measure").get_by_test_id("updates").locator("li")).to_have_count(2)
    shot(page, "problem_signed_off")

    # The ledger lists it signed off, and its .xlsx opens with the printed columns.
    page.locator(".main-menu a[href='/problems/']").click()
    row = page.locator(f"[data-testid=problems] tr[data-problem='{problem.pk}']")
    expect(row.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.SIGNED_OFF)
    expect(row.get_by_test_id("problem-status")).to_have_text("已销号")
    expect(row.get_by_test_id("measure-count")).to_have_text("1")
    shot(page, "ledger")
    with page.expect_download() as download:
        page.get_by_test_id("ledger-export").click()
    assert download.value.suggested_filename.endswith("问题整改台账.xlsx")
    with open(download.value.path(), "rb") as xlsx:  # the saved download has no file extension
        sheet = openpyxl.load_workbook(xlsx).active
    assert [cell.value for cell in sheet[3]][:10] == PRINTED
    cells = [cell.value for cell in sheet[4]][:10]
    assert cells[0] == 1 and cells[1].startswith("调研走过场")
    assert cells[2:7] == ["制定年度调研计划，每次调研形成报告", "文成", "规划发展股", "规划股干部", deadline.isoformat()]
    assert "第三篇调研报告已印发" in cells[7] and cells[8].startswith("已完成") and cells[9].startswith("已销号")
    assert page.url.endswith("/problems/") and problem_url in page.content()


def test_a_weakness_of_a_published_scorecard_becomes_a_problem_through_its_link(page, live_server, coal_center):
    _results, cards = _run(coal_center)
    card, clerk = cards["B"], coal_center["clerks"]["B"]
    weak = item(card, "d")  # 民主生活会 failed

    log_in(page, clerk)
    page.goto(f"/assessment/scorecards/{card.pk}/")
    page.locator("details", has=page.get_by_test_id("weakness")).locator("summary").click()
    weakness = page.get_by_test_id("weakness").filter(has_text="民主生活会")
    weakness.get_by_test_id("weakness-link").click()
    expect(page.get_by_test_id("origin")).to_contain_text("民主生活会")
    shot(page, "weakness_to_problem")
    page.get_by_test_id("origin-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("problem-status")).to_have_attribute("data-status", ProblemStatus.REGISTERED)
    problem = Problem.objects.get(origin_item=weak)
    assert problem.unit == card.unit

    # The problem leads back to the item, and the scorecard now names the problem instead of the step.
    page.get_by_test_id("origin").get_by_role("link").click()
    page.locator("details", has=page.get_by_test_id("weakness")).locator("summary").click()
    link = page.get_by_test_id("weakness").filter(has_text="民主生活会").get_by_test_id("weakness-link")
    expect(link).to_contain_text(problem.title)
    expect(link).to_have_attribute("href", problem.get_absolute_url())
