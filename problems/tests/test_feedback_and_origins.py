"""Public feedback recorded, masked and answered; complaints, notices and weaknesses become problems."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from goals import supervision
from problems import feedback, origins
from problems.models import FeedbackStatus, Source


def _complaint(centre, **extra):
    fields = {
        "channel": "phone", "received_at": timezone.now() - datetime.timedelta(days=1), "contact_name": "张三",
        "contact_phone": "13812345678", "content": "煤矿安全检查通知送达不及时", "unit": centre["safety"],
        "reply_due": timezone.localdate() + datetime.timedelta(days=5), **extra,
    }
    return feedback.record(centre["liuhua"], **fields)


def test_a_phone_complaint_is_masked_answered_and_becomes_a_problem(centre):
    complaint = _complaint(centre)
    assert feedback.mask_phone(complaint.contact_phone) == "138****5678"
    assert feedback.mask_name(complaint.contact_name) == "张*"
    with pytest.raises(PermissionDenied):
        feedback.reply(centre["guihua"], complaint, text="不归我股室")
    feedback.reply(centre["anquan"], complaint, text="已电话回复，改为短信送达")
    complaint.refresh_from_db()
    assert complaint.status == FeedbackStatus.REPLIED and not feedback.is_overdue(complaint)
    problem = origins.from_feedback(centre["liuhua"], complaint)
    assert (problem.unit, problem.source, problem.origin_feedback) == (centre["safety"], Source.PUBLIC, complaint)
    with pytest.raises(ValidationError):
        origins.from_feedback(centre["liuhua"], complaint)


def test_bad_feedback_is_refused_field_by_field(centre):
    with pytest.raises(ValidationError) as error:
        _complaint(
            centre, channel="letter", content=" ", contact_phone="call me",
            received_at=timezone.now() + datetime.timedelta(days=2), reply_due=None,
        )
    assert set(error.value.message_dict) == {"channel", "content", "contact_phone", "received_at", "reply_due"}
    with pytest.raises(PermissionDenied):
        _complaint(centre, unit=centre["stranger"].unit)


def test_the_findings_of_a_supervision_notice_become_a_problem_linked_to_it(centre):
    notice = supervision.issue_notice(
        centre["liuhua"], unit=centre["planning"], issuing_unit=centre["agency"], reason="调研课题进度滞后",
        reply_due=timezone.localdate() + datetime.timedelta(days=3),
    )
    supervision.reply(centre["guihua"], notice, text="人手不足，已调整分工")
    problem = origins.from_notice(centre["liuhua"], notice, severity="serious")
    assert (problem.unit, problem.source, problem.origin_notice, problem.severity) == (
        centre["planning"], Source.SUPERVISION, notice, "serious"
    )
    assert problem.description == "人手不足，已调整分工"
    with pytest.raises(PermissionDenied):
        origins.from_notice(centre["stranger"], notice)
