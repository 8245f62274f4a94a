"""The problem-finding round end to end through the actions: register from four sources, analyse,
set measures, rectify, send back, sign off by a higher scope only; overdue measures show red."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from problems import actions
from problems.models import Kind, ProblemStatus, Source

from .conftest import TODAY


def _problem(centre, unit_key="planning", actor_key="guihua", **extra):
    fields = {"title": "工作作风不实，调研走过场", "source": Source.STAFF, "found_on": datetime.date(2026, 3, 1), **extra}
    return actions.register_problem(centre[actor_key], unit=centre[unit_key], **fields)


def _rectifying(centre, **extra):
    problem = _problem(centre, **extra)
    actions.analyse(centre["guihua"], problem, root_cause="宗旨意识淡化，调研计划未落实到人")
    measure = actions.add_measure(
        centre["guihua"], problem, text="制定年度调研计划，每季度深入煤矿企业不少于2次", unit=centre["planning"],
        leader=centre["wencheng"], person=centre["planner"], deadline=datetime.date(2026, 6, 30), expected_result="形成调研报告",
    )
    return problem, measure


def test_a_problem_is_analysed_before_measures_and_signed_off_by_the_centre_not_the_section(centre):
    problem = _problem(centre)
    assert problem.status == ProblemStatus.REGISTERED and problem.raised_by is None
    with pytest.raises(ValidationError, match="剖析"):
        actions.add_measure(centre["guihua"], problem, text="整改", unit=centre["planning"], deadline=datetime.date(2026, 6, 30))
    problem, measure = _rectifying(centre)
    assert problem.status == ProblemStatus.RECTIFYING
    with pytest.raises(ValidationError, match="措施"):
        actions.submit_for_verification(centre["guihua"], problem)
    actions.report_progress(centre["planner"], measure, text="已赴三家煤矿调研，形成报告", done=True)
    actions.submit_for_verification(centre["guihua"], problem)
    with pytest.raises(PermissionDenied):  # the section head does not sign off the section's own problem
        actions.sign_off(centre["guihua"], problem)
    with pytest.raises(PermissionDenied):
        actions.sign_off(centre["stranger"], problem)
    actions.send_back(centre["wencheng"], problem, reason="调研报告未提出解决措施")
    problem.refresh_from_db()
    measure.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING and problem.send_back_reason == "调研报告未提出解决措施"
    assert not measure.done
    actions.report_progress(centre["planner"], measure, text="补充解决措施三条", done=True)
    actions.submit_for_verification(centre["guihua"], problem)
    actions.sign_off(centre["liuhua"], problem)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SIGNED_OFF and problem.signed_off_by == centre["liuhua"]


def test_a_problem_of_the_centre_itself_is_signed_off_by_someone_not_answering_for_its_measures(centre):
    problem = _problem(centre, unit_key="agency", actor_key="liuhua", source=Source.LIFE_MEETING)
    actions.analyse(centre["liuhua"], problem, root_cause="制度执行不严")
    measure = actions.add_measure(
        centre["liuhua"], problem, text="修订考勤制度", unit=centre["agency"], leader=centre["wencheng"], person=centre["liuhua"],
        deadline=datetime.date(2026, 5, 31),
    )
    actions.report_progress(centre["liuhua"], measure, text="已修订并印发", done=True)
    actions.submit_for_verification(centre["liuhua"], problem)
    with pytest.raises(PermissionDenied):
        actions.sign_off(centre["liuhua"], problem)  # responsible for the measure
    with pytest.raises(PermissionDenied):
        actions.sign_off(centre["wencheng"], problem)  # its responsible leader
    other_leader = centre["anquan"]
    with pytest.raises(PermissionDenied):  # a section head holds no verification scope
        actions.sign_off(other_leader, problem)


def test_measures_need_a_deadline_and_a_unit_inside_the_problems_unit(centre):
    problem = _problem(centre)
    actions.analyse(centre["guihua"], problem, root_cause="原因")
    with pytest.raises(ValidationError) as error:
        actions.add_measure(centre["guihua"], problem, text=" ", unit=centre["safety"], person=centre["anquan"])
    assert set(error.value.message_dict) == {"text", "unit", "deadline"}
    ongoing = _problem(centre, kind=Kind.ONGOING)
    actions.analyse(centre["guihua"], ongoing, root_cause="长期问题")
    assert actions.add_measure(centre["guihua"], ongoing, text="长期坚持", unit=centre["planning"]).deadline is None
    with pytest.raises(PermissionDenied):
        actions.add_measure(centre["anquan"], problem, text="越权", unit=centre["planning"], deadline=TODAY)


def test_an_open_measure_past_its_deadline_is_overdue_until_done(centre):
    problem, measure = _rectifying(centre)
    assert not actions.is_overdue(measure, datetime.date(2026, 6, 30))
    assert actions.is_overdue(measure, datetime.date(2026, 7, 1))
    assert list(actions.overdue_measures(today=datetime.date(2026, 7, 1))) == [measure]
    actions.report_progress(centre["planner"], measure, text="完成", done=True)
    measure.refresh_from_db()
    assert not actions.is_overdue(measure, datetime.date(2026, 7, 1))
    assert not actions.overdue_measures(today=datetime.date(2026, 7, 1)).exists()


def test_registering_checks_every_field_and_scope(centre):
    with pytest.raises(ValidationError) as error:
        actions.register_problem(centre["guihua"], unit=centre["planning"], title="", source="rumour", found_on=datetime.date(2099, 1, 1))
    assert set(error.value.message_dict) == {"title", "source", "found_on"}
    with pytest.raises(PermissionDenied):
        _problem(centre, unit_key="safety", actor_key="planner")
    staff_raised = actions.register_problem(
        centre["planner"], unit=centre["planning"], raised_by=centre["planner"], title="办事流程繁琐", source=Source.STAFF,
    )
    assert staff_raised.raised_by == centre["planner"] and staff_raised.found_on <= datetime.date.today()
    with pytest.raises(PermissionDenied):  # staff raise problems but do not analyse them
        actions.analyse(centre["planner"], staff_raised, root_cause="原因")


def test_at_the_top_the_one_who_registered_a_problem_does_not_sign_it_off(centre):
    from accounts.roles import Role
    from mofan.testing.factories import make_person

    problem = _problem(centre, unit_key="agency", actor_key="liuhua", source=Source.STAFF)
    actions.analyse(centre["liuhua"], problem, root_cause="会前准备不足")
    measure = actions.add_measure(
        centre["liuhua"], problem, text="会前印发材料", unit=centre["planning"], person=centre["planner"],
        deadline=datetime.date(2026, 5, 31),
    )
    actions.report_progress(centre["planner"], measure, text="已印发", done=True)
    actions.submit_for_verification(centre["liuhua"], problem)
    with pytest.raises(PermissionDenied):
        actions.sign_off(centre["liuhua"], problem)  # registered it: no one verifies their own finding
    colleague = make_person(centre["liuhua"].unit, real_name="办公室副主任", roles=[(Role.OFFICE, centre["agency"])])
    actions.sign_off(colleague, problem)
    assert problem.status == ProblemStatus.SIGNED_OFF and problem.signed_off_by == colleague
