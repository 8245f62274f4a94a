import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_interface_speaks_chinese_even_to_an_english_browser(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert "模范机关创建管理平台" in page and "登录" in page


def test_wrong_password_and_unknown_user_get_the_same_message(client, agency_tree):
    wrong = client.post(reverse("accounts:login"), {"username": "staff_a", "password": "nope-nope"})
    unknown = client.post(reverse("accounts:login"), {"username": "nobody-here", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "账号或密码错误" in wrong.content.decode()


def test_login_lands_on_the_workbench(client, agency_tree, password):
    response = client.post(reverse("accounts:login"), {"username": "office", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("core:workbench")
    assert "我的工作台" in response.content.decode()


def test_pages_need_login(client):
    for name in ("core:workbench", "organization:tree", "people:list"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
