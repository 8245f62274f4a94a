"""The Content-Security-Policy in a real browser: Chromium reports no violation on the pages that use
htmx, charts and auto-submitting filters. Kept apart from test_headers.py, whose module-wide demo
transaction cannot stay open while a live server test flushes the database."""

import re

import pytest


@pytest.mark.browser
def test_enrolment_and_the_pages_run_under_the_policy_in_a_browser(page, live_server, settings):
    """An administrator logs in, enrols with a code from the QR code's key, keeps the recovery codes,
    and goes on to pages using htmx, charts and the auto-submitting year filter: Chromium reports
    no Content-Security-Policy violation on the way."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from accounts.roles import Role
    from goals import actions as goal_actions
    from mofan.testing.factories import PASSWORD, make_person, make_unit
    from organization.models import UnitKind

    settings.MOFAN_2FA_REQUIRED = "all"
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    agency = make_unit(name="策略市局", code="CSP", kind=UnitKind.AGENCY)
    dept = make_unit(agency, name="策略办公室", code="CSP-OFFICE")
    office = make_person(dept, username="office", real_name="严主任", roles=[(Role.OFFICE, agency)])
    for year in (2025, 2026):
        goal_actions.create_plan(office, unit=agency, year=year, title=f"{year}年目标计划")

    page.goto("/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile("/security/otp/enrol/"))
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=office)
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    assert secret and secret in device.config_url

    page.fill("#id_code", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("codes-continue").click()
    expect(page.get_by_test_id("current-user")).to_contain_text("严主任")

    page.goto("/goals/")
    page.select_option("#year", "2025")
    expect(page).to_have_url(re.compile(r"year=2025"))
    expect(page.get_by_test_id("plans")).to_contain_text("2025年目标计划")
    expect(page.get_by_test_id("plans")).not_to_contain_text("2026年目标计划")

    page.goto("/units/")
    toggle = page.get_by_test_id("unit-toggle").first
    if toggle.count():
        toggle.click()
    assert violations == []
