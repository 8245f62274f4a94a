"""Rectification reminders in the daily digest: measures due soon or overdue to whoever answers for
them, problems waiting for sign-off to the office above, public feedback near or past its reply date
to the handling unit's keepers; nobody told about what they cannot see; one digest a day per person
with the goal-management reminders in it."""

import datetime

import pytest

from accounts import permissions
from accounts.roles import Role
from goals import actions as goal_actions
from goals import reminders as goal_reminders
from mofan.testing.factories import make_person
from notifications import actions as notification_actions
from notifications.digests import send_digests
from notifications.models import Digest, Message, RobotKind
from notifications.reminders import gather
from notifications.tests import receiver as local_receiver
from problems import actions, feedback, reminders
from problems.models import Channel, Source

DUE = datetime.date(2026, 11, 30)
FOUND = datetime.date(2026, 3, 1)


def day(offset):
    return DUE + datetime.timedelta(days=offset)


def told(today):
    """(person, category, object) of the rectification reminders the digest would send on ``today``."""
    return {(r.person, r.category, r.obj) for r in gather(today) if r.source == reminders.SOURCE}


def rectifying(centre, *, unit_key="planning", keeper="guihua", person="planner", deadline=DUE, title="调研走过场"):
    problem = actions.register_problem(
        centre[keeper], unit=centre[unit_key], title=title, source=Source.SELF, found_on=FOUND,
    )
    actions.analyse(centre[keeper], problem, root_cause="调研计划未落实到人")
    measure = actions.add_measure(
        centre[keeper], problem, text="制定调研计划", unit=centre[unit_key], leader=centre["wencheng"],
        person=centre[person] if person else None, deadline=deadline,
    )
    return problem, measure


def submitted(centre, problem, measure, reporter):
    actions.report_progress(reporter, measure, text="已完成", done=True)
    actions.submit_for_verification(reporter, problem)
    return problem


def test_a_measure_is_due_soon_within_the_yellow_days_and_red_once_past_its_deadline(centre):
    problem, measure = rectifying(centre)
    planner = centre["planner"]
    assert told(day(-8)) == set()
    assert told(day(-7)) == told(DUE) == {(planner, reminders.MEASURE_DUE_SOON, measure)}
    assert told(day(1)) == {(planner, reminders.MEASURE_OVERDUE, measure)}
    [red] = [r for r in reminders.collect(day(1))]
    assert red.level == "red" and red.url == problem.get_absolute_url() and problem.title in red.title
    actions.report_progress(planner, measure, text="计划已印发", done=True)
    assert told(day(1)) == set()


def test_an_ongoing_measure_without_deadline_and_measures_of_submitted_problems_are_not_reminded(centre):
    problem = actions.register_problem(
        centre["guihua"], unit=centre["planning"], title="长期坚持的问题", source=Source.SELF, found_on=FOUND, kind="ongoing",
    )
    actions.analyse(centre["guihua"], problem, root_cause="原因")
    actions.add_measure(centre["guihua"], problem, text="长期坚持", unit=centre["planning"], person=centre["planner"])
    assert told(day(100)) == set()


def test_a_measure_without_its_person_goes_to_the_responsible_units_keepers(centre):
    _problem, measure = rectifying(centre, person=None)
    assert told(day(1)) == {(centre["liuhua"], reminders.MEASURE_OVERDUE, measure)}  # no keeper on the section: the office above
    clerk = make_person(centre["planning"], real_name="规划股资料员", roles=[(Role.RECORDS_CLERK, centre["planning"])])
    assert told(day(1)) == {(clerk, reminders.MEASURE_OVERDUE, measure)}


def test_a_person_who_left_or_moved_away_is_not_told_the_keepers_are(centre):
    _problem, measure = rectifying(centre)
    planner = centre["planner"]
    planner.unit = centre["stranger"].unit  # transferred to another agency
    planner.save()
    assert told(day(1)) == {(centre["liuhua"], reminders.MEASURE_OVERDUE, measure)}
    planner.unit, planner.is_active = centre["planning"], False
    planner.save()
    assert told(day(1)) == {(centre["liuhua"], reminders.MEASURE_OVERDUE, measure)}


def test_a_submitted_problem_waits_for_the_office_above_its_unit(centre):
    problem, measure = rectifying(centre)
    submitted(centre, problem, measure, centre["guihua"])
    assert told(DUE) == {(centre["liuhua"], reminders.TO_SIGN_OFF, problem)}  # not the section head, not the stranger
    actions.sign_off(centre["liuhua"], problem)
    assert told(DUE) == set()


def test_a_problem_of_the_centre_itself_waits_only_for_an_office_that_took_no_part_in_it(centre):
    liuhua = centre["liuhua"]
    own, own_measure = rectifying(centre, unit_key="agency", keeper="liuhua", person="liuhua", title="考勤制度执行不严")
    submitted(centre, own, own_measure, liuhua)
    assert told(DUE) == set()  # 刘华 answers for its measure and may not sign it off
    other, other_measure = rectifying(centre, unit_key="agency", keeper="liuhua", person="planner", title="宣传氛围不浓")
    submitted(centre, other, other_measure, liuhua)
    assert told(DUE) == set()  # 刘华 registered it: no one verifies their own finding
    from accounts.roles import Role
    from mofan.testing.factories import make_person

    deputy = make_person(liuhua.unit, real_name="办公室副主任", roles=[(Role.OFFICE, centre["agency"])])
    assert told(DUE) == {(deputy, reminders.TO_SIGN_OFF, own), (deputy, reminders.TO_SIGN_OFF, other)}


def test_public_feedback_near_or_past_its_reply_date_goes_to_the_handling_units_keepers(centre):
    record = feedback.record(
        centre["liuhua"], channel=Channel.PHONE, received_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
        content="反映煤矿运煤车辆超载抛洒", unit=centre["safety"], reply_due=DUE, contact_name="李女士", contact_phone="13800000002",
    )
    liuhua = centre["liuhua"]
    assert told(day(-8)) == set()
    assert told(day(-7)) == {(liuhua, reminders.FEEDBACK_REPLY_DUE, record)}
    assert told(day(1)) == {(liuhua, reminders.FEEDBACK_OVERDUE, record)}
    [reminder] = reminders.collect(day(1))
    assert "13800000002" not in reminder.title and "李女士" not in reminder.title  # a digest may go out by e-mail
    feedback.reply(centre["anquan"], record, text="已联系交通部门联合整治")
    assert told(day(1)) == set()


def test_nobody_is_told_about_what_they_cannot_see(centre):
    rectifying(centre, deadline=day(-3))
    problem, measure = rectifying(centre, title="已提交的问题")
    submitted(centre, problem, measure, centre["guihua"])
    feedback.record(
        centre["liuhua"], channel=Channel.ONLINE, received_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
        content="咨询许可证换证材料", unit=centre["planning"], reply_due=DUE,
    )
    collected = list(reminders.collect(DUE))
    assert {r.category for r in collected} == {reminders.MEASURE_OVERDUE, reminders.TO_SIGN_OFF, reminders.FEEDBACK_REPLY_DUE}
    for reminder in collected:  # the collector itself, before the digest's own check
        assert permissions.has_perm(reminder.person, reminder.perm, reminder.obj)
    people = {r.person for r in collected}
    assert centre["stranger"] not in people and centre["anquan"] not in people and centre["wencheng"] not in people


@pytest.fixture
def receiver(settings):
    running = local_receiver.start(settings)
    yield running
    running.close()


def test_one_digest_a_day_per_person_with_goal_and_rectification_reminders_together(centre, receiver):
    liuhua, planner = centre["liuhua"], centre["planner"]
    plan = goal_actions.create_plan(liuhua, unit=centre["agency"], year=2026, title="2026年度创建目标计划")
    goal = goal_actions.add_goal(
        liuhua, plan, title="调查研究走深走实", owner_unit=centre["planning"], measure="调研报告", target_value="4篇",
        key_actions="深入煤矿调研", weight="1",
    )
    goal_actions.approve_plan(liuhua, plan)
    goal_actions.publish_plan(liuhua, plan)
    goal_actions.add_task(
        liuhua, goal, title="煤矿企业走访调研", lead_unit=centre["planning"], start_date=datetime.date(2026, 1, 5),
        due_date=DUE, owner=planner,
    )
    rectifying(centre)
    late, late_measure = rectifying(centre, title="已提交的问题", deadline=day(-3))
    submitted(centre, late, late_measure, centre["guihua"])
    notification_actions.create_robot(
        None, unit=centre["agency"], kind=RobotKind.WECOM, name="中心工作群", webhook_url=receiver.url("/wecom?key=k"),
    )

    today = day(-3)
    sources = {(r.person, r.source) for r in gather(today)}
    assert {(planner, "goals"), (planner, reminders.SOURCE), (liuhua, reminders.SOURCE)} <= sources
    outcome = send_digests(today)
    assert outcome["digests"] == len({person for person, _source in sources}) and outcome["robot_posts"] == 1
    message = Message.objects.get(recipient=planner)
    labels = [section["label"] for section in message.sections]
    assert labels == [str(goal_reminders.CATEGORIES[goal_reminders.DUE_SOON]), str(reminders.CATEGORIES[reminders.MEASURE_DUE_SOON])]
    assert "煤矿企业走访调研" in message.body and "调研走过场" in message.body
    [(query, body)] = receiver.posts_to("/wecom")
    assert planner.real_name in body["text"]["content"] and liuhua.real_name in body["text"]["content"]

    assert send_digests(today)["digests"] == 0 and len(receiver.posts) == 1
    assert Digest.objects.filter(person=planner, date=today).count() == 1
    assert Message.objects.filter(recipient=planner).count() == 1
