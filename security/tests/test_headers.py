"""Transport and headers: the Content-Security-Policy, pages that a strict policy does not break
(no inline script anywhere), no-store on logged-in pages, and `check --deploy` in production mode."""

import os
import re
import secrets
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from demo import data

BASE_DIR = Path(__file__).resolve().parents[2]


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_page_carries_a_policy_without_inline_scripts(client, agency_tree):
    for response in (client.get(reverse("accounts:login")), _logged_in(client, agency_tree["office"]).get(reverse("people:list"))):
        policy = directives(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert policy["style-src-elem"] == ["'self'"]
        assert response.headers["X-Frame-Options"] == "DENY"


def _logged_in(client, user):
    client.force_login(user)
    return client


def test_a_page_with_personal_data_is_not_stored(client, agency_tree):
    client.force_login(agency_tree["office"])
    response = client.get(reverse("people:detail", args=[agency_tree["staff_a"].pk]))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]


def test_api_answers_are_not_stored(client, agency_tree):
    response = client.get("/api/v1/units/")
    assert response.status_code == 401 and "no-store" in response.headers["Cache-Control"]


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is the browser fixture's, set in this process; a server never has it.
        if not key.startswith("MOFAN_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        MOFAN_MODE="production",
        MOFAN_SECRET_KEY=secrets.token_urlsafe(50),
        MOFAN_ALLOWED_HOSTS="mofan.example.gov.cn",
        MOFAN_VAR_DIR=str(tmp_path),
        # The data and audit keys are required in production (core/crypto.py).
        MOFAN_DATA_KEY=secrets.token_urlsafe(40),
        MOFAN_AUDIT_KEY=secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="mofan.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- No inline script on any page ---------------------------------------------------------------------


class InlineCode(HTMLParser):
    """Collects what a strict policy (script-src 'self', style-src-elem 'self') would block."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self.links = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> block at line {self.getpos()[0]}")
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name) or name.startswith("hx-on"):
                self.problems.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: address on <{tag}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def test_no_template_carries_inline_code():
    """Pages the walk below cannot reach (public forms, error pages) are checked in their source."""
    found = {}
    for template in BASE_DIR.glob("*/templates/**/*.html"):
        parser = InlineCode()
        parser.feed(template.read_text())
        if parser.problems:
            found[str(template.relative_to(BASE_DIR))] = parser.problems
    assert len(list(BASE_DIR.glob("*/templates/**/*.html"))) > 50
    assert found == {}


def _shape(path):
    """One visit per kind of page: /people/12/ and /people/13/ are the same page."""
    return re.sub(r"\d+", "N", path)


SKIP = ("/accounts/logout/", "/api/", "/static/")


def crawl(client, start, limit=120):
    """Pages reachable by links from ``start``, one of each kind; returns ({path: problems}, kinds seen)."""
    found, seen, queue, visited = {}, set(), deque(start), 0
    while queue and visited < limit:
        path = queue.popleft()
        shape = _shape(path)
        if shape in seen or path.startswith(SKIP):
            continue
        seen.add(shape)
        response = client.get(path)
        visited += 1
        if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        parser = InlineCode()
        parser.feed(response.content.decode())
        if parser.problems:
            found[path] = parser.problems
        for href in parser.links:
            target = urlsplit(urljoin(path, href))
            if not target.netloc and target.path.startswith("/"):
                queue.append(target.path)
    return found, seen


@pytest.mark.parametrize("username", [username for username, _shows in data.DEMO_LOGINS])
def test_no_page_runs_inline_code(seeded_demo, db, client, settings, username):
    """Every kind of page each demo account reaches by links: scripts come only from files."""
    from accounts.models import User

    settings.MOFAN_2FA_REQUIRED = "none"
    settings.MEDIA_ROOT = seeded_demo  # where the demo's files are (each test has a scratch folder of its own)
    client.force_login(User.objects.get(username=username))
    security_pages = [reverse(f"security:{name}") for name in ("otp_status", "otp_enrol", "otp_people", "compliance")]
    found, seen = crawl(client, ["/", *security_pages])
    assert len(seen) > 3
    assert found == {}
