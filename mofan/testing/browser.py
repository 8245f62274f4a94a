"""Browser fixtures for every app (loaded by the root conftest.py): Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

Playwright's own browser download is never used (no internet on the machines); `bash bin/test`
installs the chromium package when it is missing. Outside CI a missing Chromium skips the browser
tests with the reason; in CI it fails them, so a green CI always includes the browser walk.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Remember the outcome of each phase so the page fixture can name its screenshot after it.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing; `bash bin/test` installs it (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread, which makes Django refuse ORM calls
    # from the test body ("you cannot call this from an async context"). The tests are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(request, browser, live_server, transactional_db):
    """A fresh browser context per test (no shared cookies), at a desktop size so the menu shows.

    The database is transactional so the live server thread sees the rows the test created.
    A screenshot of the last page goes to test-artifacts/ after every test, named by outcome.
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    call_report = getattr(request.node, "report_call", None)
    outcome = "passed" if call_report is not None and call_report.passed else "failed"
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.{outcome}.png"), full_page=True)
    finally:
        context.close()


def log_in(page, user, password=None):
    """Logs ``user`` in through the login page (test people share the factories' password)."""
    from playwright.sync_api import expect

    from mofan.testing.factories import PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password or PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_test_id("current-user")).to_contain_text(user.real_name)


def log_out(page):
    page.get_by_role("button", name="退出").click()
