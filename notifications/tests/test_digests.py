"""The daily digest: one inbox message and at most one e-mail per person per day, one post per group
robot per day in its platform's format, failures tried again, nothing told to someone who cannot see it."""

import base64
import datetime
import hashlib
import hmac
import time

import pytest
from django.core import mail

from accounts.roles import PERSON_VIEW, UNIT_VIEW
from mofan.testing.factories import make_person
from notifications import actions
from notifications.digests import send_digests
from notifications.models import Delivery, Digest, Message, RobotKind, RobotPost
from notifications.reminders import Reminder

TODAY = datetime.date(2026, 6, 1)
SECRET = "SECtest-signing-secret"


def thing(unit, title):
    """A distinct object of ``unit`` its staff may see (a colleague), for a reminder to be about."""
    return make_person(unit, real_name=title, phone=None)


@pytest.fixture
def told(collectors, agency_tree):
    """A collector that tells staff_a three things, staff_b one, the county staff two."""
    t = agency_tree
    items = [
        (t["staff_a"], t["dept_a"], "overdue", thing(t["dept_a"], "甲任务")),
        (t["staff_a"], t["dept_a"], "due_soon", thing(t["dept_a"], "乙任务")),
        (t["staff_a"], t["dept_a"], "due_soon", thing(t["dept_a"], "丙任务")),
        (t["staff_b"], t["dept_b"], "due_soon", thing(t["dept_b"], "丁任务")),
        (t["county_staff"], t["county_dept"], "due_soon", thing(t["county_dept"], "县局任务")),
        (t["county_staff"], t["county_dept"], "to_review", thing(t["county_dept"], "县局报告")),
    ]

    def collect(today):
        for person, unit, category, obj in items:
            yield Reminder(person, unit, category, obj.real_name, obj=obj, perm=PERSON_VIEW, url=f"/x/{obj.pk}/")

    collectors.register("test", collect, {"overdue": "已逾期", "due_soon": "即将到期", "to_review": "待审核"})
    return t


def robots_for(t, receiver):
    ding = actions.create_robot(
        None, unit=t["agency"], kind=RobotKind.DINGTALK, name="市局群", webhook_url=receiver.url("/ding?access_token=abc"),
        secret=SECRET,
    )
    wecom = actions.create_robot(
        None, unit=t["county"], kind=RobotKind.WECOM, name="县局群", webhook_url=receiver.url("/wecom?key=k"),
    )
    return ding, wecom


def test_each_person_gets_one_inbox_digest_listing_everything_by_category(collectors, agency_tree):
    t = agency_tree
    things = [thing(t["dept_a"], f"任务{number}") for number in range(12)]

    def collect(today):
        for obj in things:
            yield Reminder(t["staff_a"], t["dept_a"], "due_soon", obj.real_name, obj=obj, perm=PERSON_VIEW)
            yield Reminder(t["staff_a"], t["dept_a"], "due_soon", obj.real_name, obj=obj, perm=PERSON_VIEW)  # twice
        yield Reminder(t["staff_a"], t["dept_a"], "overdue", "逾期任务", obj=t["dept_a"], perm=UNIT_VIEW)

    collectors.register("test", collect, {"overdue": "已逾期", "due_soon": "即将到期"})
    assert send_digests(TODAY)["digests"] == 1
    message = Message.objects.get(recipient=t["staff_a"])
    assert [section["label"] for section in message.sections] == ["已逾期", "即将到期"]
    assert len(message.sections[1]["items"]) == 12
    assert "13" in message.title and message.read_at is None
    assert Message.objects.count() == 1


def test_one_post_per_robot_naming_the_people_in_each_platforms_format(told, receiver):
    t = told
    robots_for(t, receiver)
    before = int(time.time() * 1000)
    outcome = send_digests(TODAY)
    assert outcome["digests"] == 3 and outcome["robot_posts"] == 2

    [(query, body)] = receiver.posts_to("/ding")
    assert query["access_token"] == "abc"
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected and before <= int(query["timestamp"]) <= int(time.time() * 1000)
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["at"]["isAtAll"] is False
    assert sorted(body["at"]["atMobiles"]) == sorted([t["staff_a"].phone, t["staff_b"].phone])
    text = body["markdown"]["text"]
    assert f"@{t['staff_a'].phone}" in text and "张甲" in text and "李乙" in text
    assert "王丙" not in text  # the county has its own robot

    [(query, body)] = receiver.posts_to("/wecom")
    assert query == {"key": "k"} and body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == [t["county_staff"].phone]
    assert "王丙" in body["text"]["content"] and "张甲" not in body["text"]["content"]


def test_a_second_run_the_same_day_sends_nothing_new(told, receiver):
    robots_for(told, receiver)
    send_digests(TODAY)
    outcome = send_digests(TODAY)
    assert outcome == {"digests": 0, "emails": 0, "email_failures": 0, "robot_posts": 0, "robot_failures": 0}
    assert Message.objects.count() == 3 and len(receiver.posts) == 2
    send_digests(TODAY + datetime.timedelta(days=1))
    assert Message.objects.count() == 6 and len(receiver.posts) == 4


def test_a_failed_post_is_recorded_and_tried_again_next_run_alone(told, receiver):
    ding, wecom = robots_for(told, receiver)
    receiver.answers = [(500, {"errcode": -1})]  # the first post (DingTalk, the agency's) fails
    outcome = send_digests(TODAY)
    assert outcome["robot_failures"] == 1 and outcome["robot_posts"] == 1
    failed = RobotPost.objects.get(status=Delivery.FAILED)
    assert failed.error == "HTTP 500" and failed.attempts == 1
    receiver.answers = [(200, {"errcode": 310000, "errmsg": "keywords not in content"})]
    send_digests(TODAY)
    failed.refresh_from_db()
    assert failed.status == Delivery.FAILED and "310000" in failed.error and failed.attempts == 2
    send_digests(TODAY)
    failed.refresh_from_db()
    assert failed.status == Delivery.SENT and failed.attempts == 3
    assert len(receiver.posts_to(f"/{'ding' if failed.robot == ding else 'wecom'}")) == 3
    assert Message.objects.count() == 3  # the inbox was never told twice
    assert send_digests(TODAY)["robot_posts"] == 0


def test_an_unreachable_robot_is_a_recorded_failure_not_a_crash(told, settings):
    settings.MOFAN_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.MOFAN_WEBHOOK_TIMEOUT = 1
    actions.create_robot(None, unit=told["agency"], kind=RobotKind.WECOM, name="群", webhook_url="http://127.0.0.1:9/x")
    assert send_digests(TODAY)["robot_failures"] == 1
    assert RobotPost.objects.get().error


def test_inactive_robots_post_nothing_and_a_robot_serves_the_units_below(told, receiver):
    ding, wecom = robots_for(told, receiver)
    actions.update_robot(None, wecom, kind=wecom.kind, name=wecom.name, active=False)
    send_digests(TODAY)
    assert receiver.posts_to("/wecom") == []
    [(_query, body)] = receiver.posts_to("/ding")
    assert "王丙" in body["markdown"]["text"]  # the agency's robot now speaks for the county


def test_email_goes_once_when_configured(told, settings):
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    told["staff_a"].email = "zhang@example.gov.cn"
    told["staff_a"].save()
    outcome = send_digests(TODAY)
    assert outcome["emails"] == 1
    [sent] = mail.outbox
    assert sent.to == ["zhang@example.gov.cn"] and "甲任务" in sent.body and "3" in sent.subject
    send_digests(TODAY)
    assert len(mail.outbox) == 1
    assert Digest.objects.get(person=told["staff_b"]).email == Delivery.SKIPPED  # no address


def test_no_email_when_unconfigured(told, settings):
    settings.EMAIL_HOST = ""
    told["staff_a"].email = "zhang@example.gov.cn"
    told["staff_a"].save()
    send_digests(TODAY)
    assert mail.outbox == [] and Digest.objects.get(person=told["staff_a"]).email == Delivery.SKIPPED


def test_a_failed_email_is_tried_again_next_run(told, settings, monkeypatch):
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    told["staff_a"].email = "zhang@example.gov.cn"
    told["staff_a"].save()
    from notifications import digests

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    with monkeypatch.context() as patched:
        patched.setattr(digests, "send_mail", refuse)
        assert send_digests(TODAY)["email_failures"] == 1
    digest = Digest.objects.get(person=told["staff_a"])
    assert digest.email == Delivery.FAILED and "smtp down" in digest.email_error
    assert send_digests(TODAY)["emails"] == 1
    assert len(mail.outbox) == 1 and Message.objects.filter(recipient=told["staff_a"]).count() == 1


def test_nobody_is_told_about_what_they_may_not_see(collectors, agency_tree, receiver):
    t = agency_tree
    robots_for(t, receiver)

    def collect(today):
        # staff_b works in another department: dept_a is out of their scope.
        yield Reminder(t["staff_b"], t["dept_a"], "due_soon", "别人的任务", obj=t["dept_a"], perm=UNIT_VIEW)
        yield Reminder(t["staff_a"], t["dept_a"], "due_soon", "自己的任务", obj=t["dept_a"], perm=UNIT_VIEW)

    collectors.register("test", collect, {"due_soon": "即将到期"})
    send_digests(TODAY)
    assert not Message.objects.filter(recipient=t["staff_b"]).exists()
    [(_query, body)] = receiver.posts_to("/ding")
    assert "李乙" not in body["markdown"]["text"] and t["staff_b"].phone not in body["at"]["atMobiles"]
