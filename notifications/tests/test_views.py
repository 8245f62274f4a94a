"""The inbox (one's own messages only) and the office's robot pages."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEntry
from mofan.testing.factories import make_person
from notifications import actions
from notifications.models import Message, Robot, RobotKind


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def message_for(person, title, **extra):
    return Message.objects.create(recipient=person, title=title, body="正文", **extra)


def test_inbox_lists_unread_first_and_opening_marks_read(agency_tree):
    staff = agency_tree["staff_a"]
    old = message_for(staff, "已读消息")
    actions.mark_read(staff, old)
    message_for(staff, "新消息", sections=[{"label": "即将到期", "items": [{"title": "任务一", "url": "/goals/", "level": "yellow"}]}])
    message_for(agency_tree["staff_b"], "别人的消息")
    client = client_for(staff)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert page.index("新消息") < page.index("已读消息") and "别人的消息" not in page
    assert 'data-testid="inbox-unread">1<' in page  # the top bar's count
    fresh = Message.objects.get(title="新消息")
    detail = client.get(fresh.get_absolute_url()).content.decode()
    assert "任务一" in detail and 'href="/goals/"' in detail
    fresh.refresh_from_db()
    assert fresh.read_at is not None
    assert 'data-testid="inbox-unread"' not in client.get(reverse("notifications:inbox")).content.decode()


def test_another_persons_message_does_not_exist(agency_tree):
    theirs = message_for(agency_tree["staff_b"], "别人的消息")
    response = client_for(agency_tree["office"]).get(theirs.get_absolute_url())
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_ones_own(agency_tree):
    for number in range(3):
        message_for(agency_tree["staff_a"], f"消息{number}")
    theirs = message_for(agency_tree["staff_b"], "别人的消息")
    client = client_for(agency_tree["staff_a"])
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    client.post(reverse("notifications:mark_all_read"))
    assert not Message.objects.filter(recipient=agency_tree["staff_a"], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_top_bar_count_costs_one_query(agency_tree):
    for number in range(5):
        message_for(agency_tree["staff_a"], f"消息{number}")
    client = client_for(agency_tree["staff_a"])
    client.get(reverse("core:workbench"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("core:workbench")).content.decode()
    assert 'data-testid="inbox-unread">5<' in page
    assert sum("notifications_message" in query["sql"] for query in captured.captured_queries) == 1


@pytest.fixture
def hosts(settings):
    settings.MOFAN_WEBHOOK_HOSTS = ["oapi.dingtalk.com", "127.0.0.1"]


def test_office_adds_a_robot_whose_address_is_never_shown_nor_audited(agency_tree, hosts):
    office = agency_tree["office"]
    client = client_for(office)
    url = "https://oapi.dingtalk.com/robot/send?access_token=TOPSECRETTOKEN0123456789abcdef"
    response = client.post(reverse("notifications:robot_create"), {
        "unit": agency_tree["county"].pk, "kind": RobotKind.DINGTALK, "name": "县局创建群", "webhook_url": url,
        "secret": "SECsigning",
    })
    assert response.status_code == 302
    robot = Robot.objects.get()
    assert robot.webhook_url == url and robot.secret == "SECsigning" and robot.created_by == office
    for page in (client.get(reverse("notifications:robots")), client.get(robot.get_absolute_url())):
        text = page.content.decode()
        assert "县局创建群" in text and "TOPSECRETTOKEN" not in text and "SECsigning" not in text
    entry = AuditEntry.objects.get(object_type="notifications.robot")
    dumped = json.dumps([entry.before, entry.after], ensure_ascii=False)
    assert "TOPSECRET" not in dumped and "SECsigning" not in dumped and "credentials_fingerprint" in dumped
    # Edit with the address left blank keeps it; the change is audited.
    client.post(robot.get_absolute_url(), {"kind": RobotKind.DINGTALK, "name": "县局群", "webhook_url": "", "secret": "", "active": ""})
    robot.refresh_from_db()
    assert robot.name == "县局群" and robot.webhook_url == url and robot.secret == "SECsigning" and not robot.active
    assert AuditEntry.objects.filter(object_type="notifications.robot").count() == 2


@pytest.mark.parametrize("bad_url", ["ftp://oapi.dingtalk.com/robot", "http://10.0.0.8/admin", "oapi.dingtalk.com/robot", ""])
def test_a_robot_address_must_be_http_to_an_allowed_host(agency_tree, hosts, bad_url):
    response = client_for(agency_tree["office"]).post(reverse("notifications:robot_create"), {
        "unit": agency_tree["agency"].pk, "kind": RobotKind.WECOM, "name": "群", "webhook_url": bad_url,
    })
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Robot.objects.exists()


def test_robot_pages_are_for_offices_of_the_robots_unit(agency_tree, hosts):
    t = agency_tree
    robot = actions.create_robot(None, unit=t["agency"], kind=RobotKind.WECOM, name="市局群", webhook_url="http://127.0.0.1:9/x")
    assert client_for(t["staff_a"]).get(reverse("notifications:robots")).status_code == 403
    assert client_for(t["staff_a"]).get(reverse("notifications:robot_create")).status_code == 403
    county_office = make_person(t["county"], roles=[(Role.OFFICE, t["county"])])
    county_client = client_for(county_office)
    assert "市局群" not in county_client.get(reverse("notifications:robots")).content.decode()
    assert county_client.get(robot.get_absolute_url()).status_code == 404
    assert county_client.post(reverse("notifications:robot_test", args=[robot.pk])).status_code == 404
    # Nor may they add one above their own unit.
    response = county_client.post(reverse("notifications:robot_create"), {
        "unit": t["agency"].pk, "kind": RobotKind.WECOM, "name": "越权", "webhook_url": "http://127.0.0.1:9/y",
    })
    assert response.status_code == 200 and Robot.objects.count() == 1


def test_test_message_reaches_the_group_or_says_why_not(agency_tree, settings):
    from notifications.tests.receiver import start

    receiver = start(settings)
    try:
        robot = actions.create_robot(
            None, unit=agency_tree["agency"], kind=RobotKind.WECOM, name="市局群", webhook_url=receiver.url("/wecom?key=k"),
        )
        client = client_for(agency_tree["office"])
        page = client.post(reverse("notifications:robot_test", args=[robot.pk]), follow=True).content.decode()
        [(_query, body)] = receiver.posts_to("/wecom")
        assert body["msgtype"] == "text" and "办公室主任" in body["text"]["content"]
        assert "alert-success" in page
        receiver.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
        page = client.post(reverse("notifications:robot_test", args=[robot.pk]), follow=True).content.decode()
        assert "93000" in page and "alert-danger" in page
    finally:
        receiver.close()
