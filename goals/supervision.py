"""Supervision (督办): an office issues a notice on a lagging task or unit, the unit replies, the office
closes the notice or escalates it (提醒 → 督办 → 约谈/通报).

A notice is overdue while it is open past its reply date. Escalation is open to a replied notice
(the reply was not enough) or an overdue one (no reply came); it marks the notice escalated and opens
a new one at the next level, linked by ``escalated_from``. Nothing goes above the top level.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import GOAL_CHANGE, TASK_REPORT
from core.actions import business_action
from organization.models import Unit

from .models import SupervisionLevel, SupervisionNotice, SupervisionStatus, TaskStatus

LEVELS = list(SupervisionLevel.values)


def _today(today):
    return today or timezone.localdate()


def _text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def next_level(level):
    """The level above ``level``, or None at the top."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def is_overdue(notice, today=None):
    return notice.status == SupervisionStatus.OPEN and notice.reply_due < _today(today)


def overdue(queryset=None, today=None):
    """The open notices past their reply date."""
    queryset = SupervisionNotice.objects.all() if queryset is None else queryset
    return queryset.filter(status=SupervisionStatus.OPEN, reply_due__lt=_today(today))


def _check_reply_due(reply_due, today):
    if reply_due is None:
        raise ValidationError({"reply_due": _("Set the date the reply is due.")})
    if reply_due < _today(today):
        raise ValidationError({"reply_due": _("The reply date cannot be in the past.")})


@business_action
def issue_notice(
    actor, *, reason, reply_due, task=None, unit=None, issuing_unit=None, level=SupervisionLevel.REMINDER, today=None
):
    """A supervision notice on ``task`` (its lead unit is supervised) or on ``unit`` as a whole.

    The issuing unit is the task's issuer by default; its office must hold the goal change permission
    over it, and the supervised unit must be the issuing unit or below it.
    """
    if task is not None:
        if unit is not None and unit.pk != task.lead_unit_id:
            raise ValidationError({"unit": _("A notice on a task supervises the task's lead unit.")})
        unit = task.lead_unit
        issuing_unit = issuing_unit or task.issuer_unit
    if unit is None:
        raise ValidationError({"unit": _("Name the task or the unit supervised.")})
    if issuing_unit is None and actor is not None:
        # By default the office's own unit: the root of its scope that holds the supervised unit.
        roots = [root for root in permissions.scope_paths(actor, GOAL_CHANGE) if unit.path.startswith(root)]
        issuing_unit = Unit.objects.filter(path=max(roots, key=len)).first() if roots else None
    if issuing_unit is None:
        raise ValidationError({"issuing_unit": _("Name the issuing unit.")})
    permissions.require_actor(actor, GOAL_CHANGE, issuing_unit)
    permissions.require_actor(actor, GOAL_CHANGE, unit)
    if not unit.path.startswith(issuing_unit.path):
        raise ValidationError({"unit": _("The supervised unit must be %(unit)s or a unit below it.") % {"unit": issuing_unit}})
    if task is not None and task.status in (TaskStatus.DONE, TaskStatus.DECLINED, TaskStatus.WITHDRAWN):
        raise ValidationError({"task": _("A finished, declined or withdrawn task is not supervised.")})
    if level not in LEVELS:
        raise ValidationError({"level": _("Choose a supervision level.")})
    reason = _text(reason, "reason", _("Say why the notice is issued."))
    _check_reply_due(reply_due, today)
    return SupervisionNotice.objects.create(
        task=task, unit=unit, issuing_unit=issuing_unit, issued_by=actor, reason=reason, reply_due=reply_due, level=level,
    )


@business_action
def reply(actor, notice, *, text):
    """The supervised unit answers an open notice (late answers are taken, and stay visible as late)."""
    if actor is not None and not permissions.has_perm(actor, TASK_REPORT, notice):
        raise PermissionDenied
    if notice.status != SupervisionStatus.OPEN:
        raise ValidationError(_("Only a notice awaiting its reply can be replied to."))
    notice.reply = _text(text, "text", _("The reply cannot be empty."))
    notice.status, notice.replied_by, notice.replied_at = SupervisionStatus.REPLIED, actor, timezone.now()
    notice.save()
    return notice


def _require_issuer(actor, notice):
    permissions.require_actor(actor, GOAL_CHANGE, notice.issuing_unit)


@business_action
def close(actor, notice):
    """The issuing office closes a notice: satisfied with the reply, or withdrawing it before one."""
    _require_issuer(actor, notice)
    if notice.status not in (SupervisionStatus.OPEN, SupervisionStatus.REPLIED):
        raise ValidationError(_("This notice is already closed or escalated."))
    notice.status, notice.closed_by, notice.closed_at = SupervisionStatus.CLOSED, actor, timezone.now()
    notice.save()
    return notice


@business_action
def escalate(actor, notice, *, reason, reply_due, today=None):
    """The issuing office escalates a replied or overdue notice: a new notice at the next level."""
    _require_issuer(actor, notice)
    if not (notice.status == SupervisionStatus.REPLIED or is_overdue(notice, today)):
        raise ValidationError(_("Only a replied notice or one overdue for its reply can be escalated."))
    level = next_level(notice.level)
    if level is None:
        raise ValidationError(_("The notice is already at the highest level and cannot be escalated further."))
    reason = _text(reason, "reason", _("Say why the notice is escalated."))
    _check_reply_due(reply_due, today)
    notice.status, notice.closed_by, notice.closed_at = SupervisionStatus.ESCALATED, actor, timezone.now()
    notice.save()
    return SupervisionNotice.objects.create(
        task=notice.task, unit=notice.unit, issuing_unit=notice.issuing_unit, issued_by=actor, reason=reason,
        reply_due=reply_due, level=level, escalated_from=notice,
    )
