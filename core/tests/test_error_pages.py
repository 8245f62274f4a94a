"""Refusals speak Chinese like the rest of the interface, for signed-in and anonymous users."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

from mofan.testing.factories import make_person, make_unit

pytestmark = pytest.mark.django_db


def test_forbidden_and_not_found_pages_are_in_chinese_inside_the_shell():
    person = make_person(make_unit())
    client = Client()
    client.force_login(person)
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    page = forbidden.content.decode()
    assert "无权访问" in page and "返回我的工作台" in page and 'data-testid="error-page"' in page
    assert "Forbidden" not in page
    missing = client.get("/units/999999/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


def test_anonymous_not_found_page_is_in_chinese():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_server_error_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "服务器出错" in page
