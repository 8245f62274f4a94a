"""What the problem, suggestion and feedback endpoints accept.

They check types only: sources, severities, dates against each other, units against the problem's
subtree and the workflow's rules are the actions' to check, so the API answers with the same Chinese
messages as the pages. Objects are chosen by id among those the user may see, so an id beyond the
user's scope is refused like one that does not exist.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import permissions
from accounts.models import RoleGrant
from accounts.roles import SCORECARD_VIEW
from assessment.models import ItemScore
from core.api import VisibleUnitField
from goals import scoping as goal_scoping
from goals.models import Goal, PlanStatus, SupervisionNotice
from organization.models import Unit
from standard.actions import visible_standards
from standard.models import Node

from .. import scoping
from ..models import Channel, Kind, Severity, Source


def _values(choices, default=None):
    values = ", ".join(choices.values)
    return f"{values}; default {default}." if default else f"{values}."


class _ContextField(serializers.PrimaryKeyRelatedField):
    """An id among the rows ``rows(context)`` returns; the model's queryset is only for the schema."""

    model = None

    def __init__(self, **kwargs):
        super().__init__(queryset=self.model.objects.all(), **kwargs)

    def rows(self, context):
        raise NotImplementedError

    def get_queryset(self):
        return self.rows(self.context)


class RaiseUnitField(_ContextField):
    model = Unit

    def rows(self, context):
        return scoping.raise_units(context["request"].user)


class AddressUnitField(_ContextField):
    """The user's own unit or a unit above it: where an idea may be addressed."""

    model = Unit

    def rows(self, context):
        unit = context["request"].user.unit
        return Unit.objects.filter(path__in=[*unit.ancestor_paths(), unit.path])


class VisibleNodeField(_ContextField):
    model = Node

    def rows(self, context):
        return Node.objects.filter(standard__in=visible_standards(context["request"].user)).select_related("standard__unit")


def _people(condition):
    return get_user_model().objects.filter(condition, is_active=True).select_related("unit")


class LeaderField(_ContextField):
    """A leader answers from the problem's unit or from above it: a person of those units, or one
    holding a role over the unit (a centre's leader often sits in its office)."""

    model = get_user_model()

    def rows(self, context):
        unit = context["problem"].unit
        above = [*unit.ancestor_paths(), unit.path]
        people = Q(unit__path__in=above) | Q(unit__path__startswith=unit.path)
        return _people(people | Q(pk__in=RoleGrant.objects.filter(unit__path__in=above).values("person_id")))


class PersonField(_ContextField):
    """The responsible person works inside the problem's unit."""

    model = get_user_model()

    def rows(self, context):
        return _people(Q(unit__path__startswith=context["problem"].unit.path))


class VisibleItemScoreField(_ContextField):
    model = ItemScore

    def rows(self, context):
        queryset = ItemScore.objects.select_related("scorecard__unit", "scorecard__round", "node")
        return permissions.restrict(queryset, context["request"].user, perm=SCORECARD_VIEW)


class VisibleNoticeField(_ContextField):
    model = SupervisionNotice

    def rows(self, context):
        return goal_scoping.visible_notices(context["request"].user).select_related("unit")


class PublishedGoalField(_ContextField):
    """A goal of a published plan the user can see."""

    model = Goal

    def rows(self, context):
        plans = goal_scoping.visible_plans(context["request"].user).filter(status=PlanStatus.PUBLISHED)
        return Goal.objects.filter(plan__in=plans).select_related("plan__unit")


class ProblemCreateInput(serializers.Serializer):
    unit = RaiseUnitField(help_text=_("The unit where the problem was found."))
    title = serializers.CharField(allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    source = serializers.CharField(allow_blank=True, help_text=_values(Source))
    severity = serializers.CharField(required=False, default=Severity.GENERAL, help_text=_values(Severity, Severity.GENERAL))
    kind = serializers.CharField(required=False, default=Kind.BY_DEADLINE, help_text=_values(Kind, Kind.BY_DEADLINE))
    found_on = serializers.DateField(required=False, help_text=_("Default: today."))
    node = VisibleNodeField(required=False, allow_null=True, help_text=_("A dimension, indicator or item of the standard."))
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text=_("True: the problem is kept without the name of the person who raised it."),
    )

    def validate(self, data):
        unit, node = data["unit"], data.get("node")
        if node is not None and not unit.path.startswith(node.standard.unit.path):
            raise serializers.ValidationError({"node": _("This part of the standard does not apply to the unit.")})
        return data


class ProblemFromInput(serializers.Serializer):
    """A problem made from another record: fields left out are filled in from it."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.CharField(required=False, help_text=_values(Severity, Severity.GENERAL))
    kind = serializers.CharField(required=False, help_text=_values(Kind, Kind.BY_DEADLINE))
    found_on = serializers.DateField(required=False, help_text=_("Default: today."))


class WeaknessProblemInput(ProblemFromInput):
    item_score = VisibleItemScoreField(help_text=_("A weakness of a published scorecard."))


class NoticeProblemInput(ProblemFromInput):
    notice = VisibleNoticeField(help_text=_("The supervision notice whose findings become the problem."))


class RootCauseInput(serializers.Serializer):
    root_cause = serializers.CharField(allow_blank=True)


class MeasureCreateInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    unit = VisibleUnitField(help_text=_("The problem's unit or a unit below it."))
    leader = LeaderField(required=False, allow_null=True)
    person = PersonField(required=False, allow_null=True, help_text=_("A person of the responsible unit."))
    deadline = serializers.DateField(required=False, allow_null=True, help_text=_("Only ongoing rectification may go without one."))
    expected_result = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    done = serializers.BooleanField(required=False, default=False, help_text=_("True: the measure is done."))


class SendBackInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class SuggestionSubmitInput(serializers.Serializer):
    unit = AddressUnitField(required=False, help_text=_("The user's unit (the default) or a unit above it."))
    title = serializers.CharField(allow_blank=True, max_length=200)
    content = serializers.CharField(allow_blank=True)
    anonymous = serializers.BooleanField(
        required=False, default=False, help_text=_("True: nothing leads back to the author; the answer is followed by the receipt code."),
    )


class FollowInput(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text=_("The receipt code given when the idea was submitted."))


class SuggestionAnswerInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class SuggestionAdoptInput(SuggestionAnswerInput):
    on_board = serializers.BooleanField(required=False, default=False, help_text=_("True: shown on the board of adopted ideas."))


class SuggestionDeclineInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class SuggestionTaskInput(serializers.Serializer):
    goal = PublishedGoalField(help_text=_("A goal of a published plan."))
    title = serializers.CharField(required=False, max_length=200, help_text=_("Default: the idea's title."))
    lead_unit = VisibleUnitField()
    start_date = serializers.DateField()
    due_date = serializers.DateField()


class FeedbackRecordInput(serializers.Serializer):
    channel = serializers.CharField(allow_blank=True, help_text=_values(Channel))
    received_at = serializers.DateTimeField()
    content = serializers.CharField(allow_blank=True)
    unit = VisibleUnitField(help_text=_("The unit that handles it."))
    reply_due = serializers.DateField()
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)


class FeedbackReplyInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
