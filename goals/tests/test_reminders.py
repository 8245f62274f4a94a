"""Goal-management reminders: what is told on which day, to whom, and never to someone who cannot see
it; and the daily digest that carries them to the inbox and the group robots."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from goals import actions, supervision
from goals.models import Task
from goals.reminders import (
    DUE_SOON,
    NOT_SIGNED,
    NOTICE_OVERDUE,
    NOTICE_REPLY_DUE,
    OVERDUE,
    TO_REVIEW,
    collect,
)
from mofan.testing.factories import make_person
from notifications import actions as notification_actions
from notifications.digests import send_digests
from notifications.models import Message, RobotKind
from notifications.reminders import gather
from notifications.tests import receiver as local_receiver

from .conftest import DEC31, JAN1

D = datetime.date


def told(today, category=None):
    """{(person name, category)} the goals collector finds on ``today``."""
    return {
        (r.person.real_name, r.category)
        for r in collect(today)
        if category is None or r.category == category
    }


def issued_days_ago(task, today, days):
    moment = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(9)))
    Task.objects.filter(pk=task.pk).update(updated_at=moment)


@pytest.fixture
def signed(plan):
    actions.sign_task(plan["county_office"], plan["county_task"])
    return plan


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 12, 23), set()),  # 8 days before the due date: not yet
        (D(2026, 12, 24), {("县局办公室", DUE_SOON)}),  # 7 days: due soon
        (D(2026, 12, 31), {("县局办公室", DUE_SOON)}),  # the due date itself
        (D(2027, 1, 1), {("县局办公室", OVERDUE)}),  # the day after: red
    ],
)
def test_due_soon_and_overdue_around_the_thresholds(signed, today, expected):
    assert told(today) == expected


def test_the_colour_comes_from_the_one_light_function(signed):
    [reminder] = list(collect(D(2027, 1, 1)))
    assert reminder.level == "red" and reminder.url == signed["county_task"].get_absolute_url()
    [reminder] = list(collect(D(2026, 12, 28)))
    assert reminder.level == "yellow"  # due in 3 days at 0 percent: behind


def test_the_owner_is_told_when_they_can_see_the_task_else_the_lead_units_office(signed):
    task = signed["county_task"]
    owner = make_person(signed["county"], real_name="县局责任人")
    task.owner = owner
    task.save()
    assert told(D(2026, 12, 30)) == {("县局责任人", DUE_SOON)}
    stranger = make_person(signed["other_county"], real_name="外县人员")
    task.owner = stranger
    task.save()
    assert told(D(2026, 12, 30)) == {("县局办公室", DUE_SOON)}


def test_keepers_are_the_units_office_and_clerks_or_the_nearest_office_above(signed):
    p = signed
    section_task = actions.add_task(
        p["county_office"], p["goal"], parent=p["county_task"], title="综合股学习", lead_unit=p["section"],
        start_date=JAN1, due_date=DEC31,
    )
    party_task = actions.add_task(
        p["office"], p["goal"], title="党建科学习", lead_unit=p["party"], start_date=JAN1, due_date=DEC31,
    )
    for task in (section_task, party_task):
        actions.sign_task(None, task)
    assert told(D(2026, 12, 30)) == {
        ("县局办公室", DUE_SOON),
        ("综合股资料员", DUE_SOON),  # the records clerk granted on the section itself
        ("办公室主任", DUE_SOON),  # nobody holds a role on 党建科: the agency's office answers
    }


def test_withdrawn_done_and_unpublished_tasks_are_not_reminded(signed):
    p = signed
    actions.withdraw_task(p["office"], p["county_task"], reason="调整")
    draft = actions.create_plan(p["office"], unit=p["county"], year=2026, title="县局计划")
    goal = actions.add_goal(p["office"], draft, title="草稿目标", owner_unit=p["county"])
    actions.add_task(p["office"], goal, title="草稿任务", lead_unit=p["county"], start_date=JAN1, due_date=DEC31)
    assert list(collect(D(2027, 1, 1))) == []


def test_a_task_not_signed_for_after_the_set_days(plan, settings):
    settings.MOFAN_GOALS_SIGN_DAYS = 3
    today = D(2026, 6, 1)
    issued_days_ago(plan["county_task"], today, 3)
    assert told(today, NOT_SIGNED) == set()
    issued_days_ago(plan["county_task"], today, 4)
    assert told(today, NOT_SIGNED) == {("县局办公室", NOT_SIGNED)}
    actions.sign_task(plan["county_office"], plan["county_task"])
    assert told(today, NOT_SIGNED) == set()


def test_reports_waiting_for_review_go_to_the_issuers_office(signed):
    p = signed
    reporter = make_person(p["county"], real_name="县局干事")
    report = actions.submit_report(reporter, p["county_task"], period=D(2026, 5, 31), percent=40, done_text="学习4次")
    assert told(D(2026, 6, 1)) == {("办公室主任", TO_REVIEW)}
    actions.accept_report(p["office"], report)
    assert told(D(2026, 6, 1)) == set()
    sub = actions.add_task(
        p["county_office"], p["goal"], parent=p["county_task"], title="综合股学习", lead_unit=p["section"],
        start_date=JAN1, due_date=DEC31,
    )
    actions.sign_task(p["section_clerk"], sub)
    actions.submit_report(p["section_clerk"], sub, period=D(2026, 5, 31), percent=50, done_text="学习")
    assert told(D(2026, 6, 1)) == {("县局办公室", TO_REVIEW)}  # the sub-task's issuer is the county


def test_supervision_notices_before_and_after_their_reply_date(signed):
    p = signed
    today = D(2026, 6, 1)
    notice = supervision.issue_notice(p["office"], task=p["county_task"], reason="进度滞后", reply_due=D(2026, 6, 10), today=today)
    assert told(today) == set()  # 9 days ahead
    assert told(D(2026, 6, 3)) == {("县局办公室", NOTICE_REPLY_DUE)}
    assert told(D(2026, 6, 11)) == {("县局办公室", NOTICE_OVERDUE)}
    reporter = make_person(p["county"], real_name="县局干事")
    supervision.reply(reporter, notice, text="已整改")
    assert told(D(2026, 6, 11)) == set()


def test_nobody_hears_of_a_task_outside_their_scope(signed):
    """Even a collector's mistake cannot leak: the digest checks each person's scope again."""
    p = signed
    outsider = p["other_office"]
    reminders = gather(D(2026, 12, 30))
    assert reminders and all(r.person.pk != outsider.pk for r in reminders)
    task = p["county_task"]
    task.owner = outsider
    task.save()
    send_digests(D(2026, 12, 30))
    assert not Message.objects.filter(recipient=outsider).exists()
    assert Message.objects.filter(recipient=p["county_office"]).count() == 1


def test_the_daily_job_posts_once_per_group_naming_the_responsible_people(signed, settings):
    """The issue's check: one digest per person to a local webhook receiver in DingTalk/WeCom format."""
    p = signed
    receiver = local_receiver.start(settings)
    try:
        notification_actions.create_robot(
            p["office"], unit=p["agency"], kind=RobotKind.DINGTALK, name="市局创建群",
            webhook_url=receiver.url("/ding?access_token=t"), secret="SECx",
        )
        notification_actions.create_robot(
            p["county_office"], unit=p["county"], kind=RobotKind.WECOM, name="县局群", webhook_url=receiver.url("/wecom?key=k"),
        )
        party_task = actions.add_task(p["office"], p["goal"], title="党建科学习", lead_unit=p["party"], start_date=JAN1, due_date=DEC31)
        actions.sign_task(None, party_task)
        for day in (D(2027, 1, 2), D(2027, 1, 2)):
            send_digests(day)
        [(_query, ding)] = receiver.posts_to("/ding")
        [(_query, wecom)] = receiver.posts_to("/wecom")
        assert ding["at"]["atMobiles"] == [p["office"].phone] and "办公室主任" in ding["markdown"]["text"]
        assert wecom["text"]["mentioned_mobile_list"] == [p["county_office"].phone]
        assert "县局办公室" in wecom["text"]["content"]
        assert Message.objects.filter(recipient=p["county_office"]).count() == 1
        assert Message.objects.filter(recipient=p["office"]).count() == 1
        # Someone given the role later that day gets their own digest; the group is not posted to again.
        second = make_person(p["county"], real_name="县局第二办公室", roles=[(Role.OFFICE, p["county"])])
        send_digests(D(2027, 1, 2))
        assert Message.objects.filter(recipient=second).count() == 1 and len(receiver.posts_to("/wecom")) == 1
    finally:
        receiver.close()
