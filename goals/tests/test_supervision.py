"""Supervision notices (督办单): issue, reply, close, escalate 提醒 → 督办 → 约谈/通报, and their guards."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from audit.models import AuditEntry
from goals import supervision
from goals.models import SupervisionLevel, SupervisionNotice, SupervisionStatus
from mofan.testing.factories import make_person

JUN1 = datetime.date(2026, 6, 1)
JUN10 = datetime.date(2026, 6, 10)
JUN11 = datetime.date(2026, 6, 11)
JUN20 = datetime.date(2026, 6, 20)


@pytest.fixture
def supervised(plan):
    """The plan, with records clerks of the county bureau and of the other county bureau."""
    plan["county_clerk"] = make_person(plan["county"], real_name="县局资料员", roles=[(Role.RECORDS_CLERK, plan["county"])])
    plan["other_clerk"] = make_person(
        plan["other_county"], real_name="另一县局资料员", roles=[(Role.RECORDS_CLERK, plan["other_county"])]
    )
    return plan


def _issue(data, **kwargs):
    fields = {"task": data["county_task"], "reason": "理论学习进度滞后", "reply_due": JUN10, "today": JUN1, **kwargs}
    return supervision.issue_notice(data["office"], **fields)


def test_a_notice_is_issued_replied_to_and_closed_by_the_issuing_office(supervised):
    notice = _issue(supervised)
    assert (notice.unit, notice.issuing_unit, notice.issued_by) == (
        supervised["county"], supervised["agency"], supervised["office"]
    )
    assert (notice.level, notice.status) == (SupervisionLevel.REMINDER, SupervisionStatus.OPEN)
    with pytest.raises(ValidationError, match="回复内容不能为空"):
        supervision.reply(supervised["county_clerk"], notice, text=" ")
    supervision.reply(supervised["county_clerk"], notice, text="已制定整改计划，六月底前补齐学习")
    notice.refresh_from_db()
    assert notice.status == SupervisionStatus.REPLIED and notice.replied_by == supervised["county_clerk"]
    assert notice.replied_at is not None
    with pytest.raises(ValidationError):
        supervision.reply(supervised["county_clerk"], notice, text="再次回复")
    with pytest.raises(PermissionDenied):
        supervision.close(supervised["county_office"], notice)
    with pytest.raises(PermissionDenied):
        supervision.close(supervised["county_clerk"], notice)
    supervision.close(supervised["office"], notice)
    notice.refresh_from_db()
    assert notice.status == SupervisionStatus.CLOSED and notice.closed_by == supervised["office"]
    with pytest.raises(ValidationError, match="已办结或已升级"):
        supervision.close(supervised["office"], notice)
    with pytest.raises(ValidationError):
        supervision.escalate(supervised["office"], notice, reason="升级", reply_due=JUN20, today=JUN11)


def test_a_notice_escalates_to_the_top_level_and_no_further(supervised):
    office, clerk = supervised["office"], supervised["county_clerk"]
    reminder = _issue(supervised)
    with pytest.raises(ValidationError, match="逾期未回复"):
        supervision.escalate(office, reminder, reason="仍未落实", reply_due=JUN20, today=JUN10)
    assert not supervision.is_overdue(reminder, JUN10) and supervision.is_overdue(reminder, JUN11)
    assert list(supervision.overdue(today=JUN11)) == [reminder]
    with pytest.raises(PermissionDenied):
        supervision.escalate(supervised["county_office"], reminder, reason="仍未落实", reply_due=JUN20, today=JUN11)
    with pytest.raises(ValidationError, match="升级督办的理由"):
        supervision.escalate(office, reminder, reason="", reply_due=JUN20, today=JUN11)
    notice = supervision.escalate(office, reminder, reason="逾期未回复", reply_due=JUN20, today=JUN11)
    reminder.refresh_from_db()
    assert reminder.status == SupervisionStatus.ESCALATED and reminder.escalated_to == notice
    assert (notice.level, notice.status, notice.escalated_from) == (SupervisionLevel.SUPERVISION, SupervisionStatus.OPEN, reminder)
    assert (notice.task, notice.unit, notice.issuing_unit) == (reminder.task, reminder.unit, reminder.issuing_unit)
    with pytest.raises(ValidationError):
        supervision.reply(clerk, reminder, text="迟到的回复")
    supervision.reply(clerk, notice, text="正在整改")
    interview = supervision.escalate(office, notice, reason="整改不到位", reply_due=JUN20, today=JUN11)
    assert interview.level == SupervisionLevel.INTERVIEW and interview.escalated_from == notice
    supervision.reply(clerk, interview, text="已约谈并整改")
    with pytest.raises(ValidationError, match="最高级别"):
        supervision.escalate(office, interview, reason="再升级", reply_due=JUN20, today=JUN11)
    interview.refresh_from_db()
    assert interview.status == SupervisionStatus.REPLIED
    assert SupervisionNotice.objects.count() == 3
    supervision.close(office, interview)


def test_only_the_supervised_unit_replies(supervised):
    notice = _issue(supervised)
    for outsider in ("other_clerk", "section_clerk", "party_staff", "office", "other_office"):
        with pytest.raises(PermissionDenied):
            supervision.reply(supervised[outsider], notice, text="越权回复")
    notice.refresh_from_db()
    assert notice.status == SupervisionStatus.OPEN and notice.reply == ""


def test_issuing_is_guarded(supervised):
    with pytest.raises(PermissionDenied):
        supervision.issue_notice(
            supervised["other_office"], task=supervised["county_task"], reason="越权", reply_due=JUN10, today=JUN1
        )
    with pytest.raises(PermissionDenied):
        supervision.issue_notice(
            supervised["county_office"], task=supervised["county_task"], reason="自己督办上级下达的任务", reply_due=JUN10,
            today=JUN1,
        )
    with pytest.raises(ValidationError, match="督办理由"):
        _issue(supervised, reason="  ")
    with pytest.raises(ValidationError, match="回复期限不能早于今天"):
        _issue(supervised, reply_due=datetime.date(2026, 5, 31))
    with pytest.raises(ValidationError, match="牵头单位"):
        _issue(supervised, unit=supervised["section"])
    with pytest.raises(ValidationError, match="督办对象"):
        supervision.issue_notice(supervised["office"], reason="滞后", reply_due=JUN10, today=JUN1)
    # A unit as a whole, by the county bureau's office over its own section.
    notice = supervision.issue_notice(
        supervised["county_office"], unit=supervised["section"], issuing_unit=supervised["county"], reason="资料报送滞后",
        reply_due=JUN10, level=SupervisionLevel.SUPERVISION, today=JUN1,
    )
    assert notice.task is None and notice.unit == supervised["section"] and notice.level == SupervisionLevel.SUPERVISION
    supervision.reply(supervised["section_clerk"], notice, text="已补报")
    with pytest.raises(PermissionDenied):
        supervision.issue_notice(
            supervised["county_office"], unit=supervised["other_county"], issuing_unit=supervised["county"], reason="越界",
            reply_due=JUN10, today=JUN1,
        )
    with pytest.raises(ValidationError, match="被督办单位必须是某县烟草专卖局或其下级单位"):
        supervision.issue_notice(
            supervised["office"], unit=supervised["party"], issuing_unit=supervised["county"], reason="越界",
            reply_due=JUN10, today=JUN1,
        )


def test_every_step_of_a_notice_is_in_the_audit_trail(supervised):
    notice = _issue(supervised)
    supervision.reply(supervised["county_clerk"], notice, text="已整改")
    supervision.close(supervised["office"], notice)
    entries = list(AuditEntry.objects.filter(object_type="goals.supervisionnotice", object_id=str(notice.pk)).order_by("id"))
    assert [entry.after.get("status") for entry in entries] == ["open", "replied", "closed"]
    assert [entry.actor for entry in entries] == [supervised["office"], supervised["county_clerk"], supervised["office"]]
    assert {entry.unit_id for entry in entries} == {supervised["county"].pk}


def test_a_unit_notice_is_issued_by_the_offices_own_unit_when_none_is_named(supervised):
    from goals import supervision as notices

    notice = notices.issue_notice(
        supervised["county_office"], unit=supervised["section"], reason="资料报送滞后", reply_due=supervised["county_task"].due_date,
    )
    assert notice.issuing_unit == supervised["county"]
