"""The assessment flow in a real browser: a section's clerk scores and submits, the reviewer returns
it with a reason, the clerk fixes and resubmits, the reviewer completes, the office publishes and
reads the dashboard. Screenshots (including a 390px phone) go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from assessment import actions
from mofan.testing.browser import ARTIFACTS, TIMEOUT_MS, log_in, log_out
from organization.models import UnitKind

from .conftest import PERFECT, answer_all

pytestmark = pytest.mark.browser


def save(page, number, fill):
    card = page.locator(f"[data-testid=item][data-number='{number}']")
    fill(card)
    card.get_by_test_id("item-save").click()
    expect(page.locator(f"[data-testid=item][data-number='{number}']").get_by_test_id("item-saved")).to_be_visible()


def test_score_review_publish_and_dashboard(page, browser, live_server, coal_center):
    center = coal_center
    round_, office, reviewer = center["round"], center["office"], center["reviewer"]
    for section in center["sections"].values():
        actions.add_units(office, round_, root=section, kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    cards = {key: round_.scorecards.get(unit=unit) for key, unit in center["sections"].items()}
    for key in "BCD":  # the other sections are done already
        answer_all(center["clerks"][key], cards[key], PERFECT)
        actions.submit_scorecard(center["clerks"][key], cards[key])
        actions.complete_review(reviewer, cards[key])
    clerk = center["clerks"]["A"]
    card_url = f"/assessment/scorecards/{cards['A'].pk}/"
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, clerk)
    page.locator(".main-menu a[href='/assessment/']").click()
    page.get_by_role("link", name=round_.name).click()
    page.get_by_role("link", name="综合股").click()
    expect(page.get_by_test_id("progress-text")).to_contain_text("已评 0 / 7 项")
    save(page, "1.1.1", lambda card: card.locator("input[name=occurrences]").fill("1"))
    save(page, "1.1.2", lambda card: card.locator("select[name=level]").select_option("A"))
    save(page, "1.2.1", lambda card: card.locator("label.btn-outline-success").click())
    save(page, "1.2.2", lambda card: card.locator("label.btn-outline-success").click())
    save(page, "2.1.1", lambda card: card.locator("input[name=occurrences]").fill("0"))
    save(page, "2.1.2", lambda card: None)
    save(page, "2.1.3", lambda card: card.locator("input[name=value]").fill("2"))
    expect(page.get_by_test_id("progress-text")).to_contain_text("已评 7 / 7 项")
    expect(page.get_by_test_id("total")).to_have_text("100.00")
    page.screenshot(path=str(ARTIFACTS / "assessment_scoring_desktop.png"), full_page=True)

    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.set_default_timeout(TIMEOUT_MS)
    phone_page = phone.new_page()
    log_in(phone_page, clerk)
    phone_page.goto(card_url)
    phone_page.screenshot(path=str(ARTIFACTS / "assessment_scoring_phone_390.png"), full_page=False)
    phone.close()

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("card-status")).to_have_text("已提交")
    log_out(page)

    log_in(page, reviewer)
    page.goto(card_url)
    page.get_by_test_id("return-form").locator("input[name=reason]").fill("第一议题扣分依据不清，请核实")
    page.get_by_test_id("return").click()
    expect(page.get_by_test_id("card-status")).to_have_text("已退回")
    log_out(page)

    log_in(page, clerk)
    page.goto(card_url)
    expect(page.get_by_test_id("return-reason")).to_contain_text("第一议题扣分依据不清")
    save(page, "1.1.1", lambda card: card.locator("input[name=occurrences]").fill("0"))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("card-status")).to_have_text("已提交")
    log_out(page)

    log_in(page, reviewer)
    page.goto(card_url)
    expect(page.get_by_test_id("self-side")).to_have_count(7)
    page.screenshot(path=str(ARTIFACTS / "assessment_review.png"), full_page=True)
    page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("card-status")).to_have_text("已复核")
    expect(page.get_by_test_id("history")).to_contain_text("退回单位修改")
    log_out(page)

    log_in(page, office)
    page.goto(f"/assessment/rounds/{round_.pk}/")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("round-status")).to_have_text("已发布")
    page.get_by_test_id("dashboard-link").click()
    expect(page.get_by_test_id("chart-grades").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("chart-dimensions").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("ranking")).to_contain_text("综合股")
    page.screenshot(path=str(ARTIFACTS / "assessment_dashboard.png"), full_page=True)
