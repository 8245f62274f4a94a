"""Edits of a draft plan the pages need besides ``goals.actions``: a draft is changed directly, with the
same rules as an adjustment of a published plan, and leaves its trace in the audit trail."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import GOAL_CHANGE
from core.actions import business_action

from .actions import _clean_goal_fields, _text
from .models import PlanStatus


def _require_draft(actor, plan):
    permissions.require_actor(actor, GOAL_CHANGE, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan is edited directly; a published plan is adjusted with a reason."))


@business_action
def update_draft_plan(actor, plan, *, title):
    """Renames a draft plan."""
    _require_draft(actor, plan)
    plan.title = _text(title, "title", _("The title cannot be empty."))
    plan.save()
    return plan


@business_action
def update_draft_goal(actor, goal, **fields):
    """Changes a goal of a draft plan, checked as an adjustment's goal fields are."""
    plan = goal.plan
    _require_draft(actor, plan)
    for name, value in _clean_goal_fields(plan, fields).items():
        setattr(goal, name, value)
    goal.save()
    return goal
