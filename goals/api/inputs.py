"""What the goal-management endpoints accept.

They check types only: ranges, dates against each other, units against the plan's subtree and the
workflow's rules are the actions' to check, so the API answers with the same Chinese messages as the
pages. Objects are chosen by id among those the user may see (a plan's goals, tasks, units, people),
so an id beyond the user's scope is refused like one that does not exist.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import permissions
from accounts.roles import PERSON_VIEW
from core.api import VisibleUnitField
from standard.actions import visible_standards
from standard.models import Node

from .. import scoping
from ..models import Cadence, Goal, SupervisionLevel, Task

WEIGHT = {"max_digits": 8, "decimal_places": 2}


class _ContextField(serializers.PrimaryKeyRelatedField):
    """An id among the rows ``rows(context)`` returns; the queryset given is only for the schema."""

    model = None

    def __init__(self, **kwargs):
        super().__init__(queryset=self.model.objects.all(), **kwargs)

    def rows(self, context):
        raise NotImplementedError

    def get_queryset(self):
        return self.rows(self.context)


class VisibleGoalField(_ContextField):
    model = Goal

    def rows(self, context):
        return Goal.objects.filter(plan__in=scoping.visible_plans(context["request"].user)).select_related("plan__unit")


class PlanGoalField(_ContextField):
    model = Goal

    def rows(self, context):
        return context["plan"].goals.all()


class VisibleTaskField(_ContextField):
    model = Task

    def rows(self, context):
        return scoping.visible_tasks(context["request"].user).select_related("goal__plan__unit", "lead_unit", "parent__lead_unit")


class VisibleNodeField(_ContextField):
    model = Node

    def rows(self, context):
        return Node.objects.filter(standard__in=visible_standards(context["request"].user))


class VisiblePersonField(_ContextField):
    model = get_user_model()

    def rows(self, context):
        people = get_user_model().objects.filter(is_active=True)
        return permissions.restrict(people, context["request"].user, perm=PERSON_VIEW)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class PlanCreateInput(serializers.Serializer):
    unit = VisibleUnitField(help_text=_("The unit whose annual plan this is."))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(allow_blank=True, max_length=100)


class _GoalFields(serializers.Serializer):
    measure = serializers.CharField(required=False, allow_blank=True)
    target_value = serializers.CharField(required=False, allow_blank=True, max_length=100)
    key_actions = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.DecimalField(required=False, help_text=_("0 to 1000."), **WEIGHT)
    node = VisibleNodeField(required=False, allow_null=True, help_text=_("A dimension or an indicator of the standard."))


class GoalCreateInput(_GoalFields):
    title = serializers.CharField(allow_blank=True, max_length=200)
    owner_unit = VisibleUnitField(help_text=_("The plan's unit or a unit below it."))
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required once the plan is published: the adjustment's reason.")
    )


class GoalChangeInput(_GoalFields):
    goal = PlanGoalField(help_text=_("A goal of this plan."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    owner_unit = VisibleUnitField(required=False)


class AdjustInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    title = serializers.CharField(required=False, max_length=100, allow_blank=True)
    goals = GoalChangeInput(many=True, required=False, help_text=_("Changed fields of goals; fields left out stay as they are."))


class TaskCreateInput(serializers.Serializer):
    goal = VisibleGoalField(required=False, help_text=_("Left out for a sub-task: the parent's goal."))
    parent = VisibleTaskField(required=False, allow_null=True, help_text=_("The task this one decomposes; null: directly under the goal."))
    title = serializers.CharField(allow_blank=True, max_length=200)
    lead_unit = VisibleUnitField()
    supporting_units = VisibleUnitField(many=True, required=False)
    owner = VisiblePersonField(required=False, allow_null=True)
    start_date = serializers.DateField()
    due_date = serializers.DateField()
    expected_output = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    cadence = serializers.CharField(
        required=False, default=Cadence.MONTHLY, help_text=_("Reporting cadence: weekly, monthly (the default) or quarterly.")
    )
    weight = serializers.DecimalField(required=False, default=1, help_text=_("0 to 1000."), **WEIGHT)

    def validate(self, data):
        if data.get("goal") is None:
            if data.get("parent") is None:
                raise serializers.ValidationError({"goal": _("Choose the goal, or the parent task.")})
            data["goal"] = data["parent"].goal
        return data


class ReassignInput(ReasonInput):
    lead_unit = VisibleUnitField(help_text=_("The new lead unit, inside the issuing unit's subtree."))


class RescheduleInput(ReasonInput):
    due_date = serializers.DateField()


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=200)
    due = serializers.DateField(help_text=_("Within the task's dates."))


class ReportInput(serializers.Serializer):
    period = serializers.DateField(help_text=_("The last day of the period reported on."))
    percent = serializers.DecimalField(max_digits=6, decimal_places=2, help_text=_("0 to 100."))
    done_text = serializers.CharField(allow_blank=True)
    problems = serializers.CharField(required=False, allow_blank=True, default="")
    support_needed = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeCreateInput(serializers.Serializer):
    task = VisibleTaskField(required=False, allow_null=True, help_text=_("The lagging task; its lead unit is supervised."))
    unit = VisibleUnitField(required=False, allow_null=True, help_text=_("The unit supervised as a whole, when there is no task."))
    issuing_unit = VisibleUnitField(
        required=False, allow_null=True, help_text=_("Whose office issues it; by default the task's issuing unit, or for a unit the one your office's scope starts at.")
    )
    reason = serializers.CharField(allow_blank=True)
    reply_due = serializers.DateField()
    level = serializers.CharField(
        required=False, default=SupervisionLevel.REMINDER,
        help_text=_("reminder (提醒, the default), supervision (督办) or interview (约谈/通报)."),
    )


class NoticeReplyInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class EscalateInput(ReasonInput):
    reply_due = serializers.DateField()
