"""What the set-up, component-score and appeal endpoints accept.

They check types only: ranges, names and the workflow's rules are the actions' to check, so the API
answers with the same Chinese messages as the pages. Objects are chosen by id among those the user
may see, or among those of the round (or scorecard) in the serializer's context.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from accounts.roles import PERSON_VIEW
from core.api import VisibleUnitField
from organization.models import UnitKind
from standard.actions import visible_standards
from standard.models import Level, Node, Standard

from ..models import ItemScore, RoundComponent, RoundGrade

NUMBER = {"max_digits": 8, "decimal_places": 2}


class _ContextField(serializers.PrimaryKeyRelatedField):
    """An id among the rows ``rows(context)`` returns; the queryset given is only for the schema."""

    def rows(self, context):
        raise NotImplementedError

    def get_queryset(self):
        return self.rows(self.context)


class VisibleStandardField(_ContextField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Standard.objects.all(), **kwargs)

    def rows(self, context):
        return visible_standards(context["request"].user)


class VisiblePersonField(_ContextField):
    def __init__(self, **kwargs):
        super().__init__(queryset=get_user_model().objects.all(), **kwargs)

    def rows(self, context):
        people = get_user_model().objects.filter(is_active=True)
        return permissions.restrict(people, context["request"].user, perm=PERSON_VIEW)


class RoundGradeField(_ContextField):
    def __init__(self, **kwargs):
        super().__init__(queryset=RoundGrade.objects.all(), **kwargs)

    def rows(self, context):
        return context["round"].grades.all()


class RoundNodeField(_ContextField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Node.objects.all(), **kwargs)

    def rows(self, context):
        return context["round"].standard.nodes.exclude(level=Level.ITEM)


class RoundComponentField(_ContextField):
    def __init__(self, **kwargs):
        super().__init__(queryset=RoundComponent.objects.all(), **kwargs)

    def rows(self, context):
        return context["round"].components.all()


class ScorecardItemField(_ContextField):
    def __init__(self, **kwargs):
        super().__init__(queryset=ItemScore.objects.all(), **kwargs)

    def rows(self, context):
        return context["scorecard"].items.select_related("node", "scorecard__round")


class RoundOptionsInput(serializers.Serializer):
    appeal_days = serializers.IntegerField(required=False, help_text=_("0 to 60 days after publication."))
    allow_over_full_marks = serializers.BooleanField(required=False)
    bonus_cap = serializers.DecimalField(required=False, allow_null=True, help_text=_("Null: no cap."), **NUMBER)
    higher_level_multiplier = serializers.DecimalField(required=False, help_text=_("1 to 10."), **NUMBER)
    children_share = serializers.DecimalField(required=False, help_text=_("0 to 100 (%)."), **NUMBER)
    weakness_percent = serializers.DecimalField(required=False, help_text=_("0 to 100 (%)."), **NUMBER)


class RoundCreateInput(RoundOptionsInput):
    name = serializers.CharField(allow_blank=True, max_length=100)
    unit = VisibleUnitField(help_text=_("The organizing unit."))
    standard = VisibleStandardField(help_text=_("A published standard of the organizing unit or of a unit above it."))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    self_assessment_due = serializers.DateField()
    review_due = serializers.DateField()


class RoundUpdateInput(RoundOptionsInput):
    veto_grade = RoundGradeField(required=False, allow_null=True, help_text=_("Null: a vetoed unit gets the lowest grade."))
    reviewers = VisiblePersonField(
        many=True, required=False, help_text=_("Empty: every assessor in scope may review.")
    )


class GradeInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=20)
    min_score = serializers.DecimalField(**NUMBER)
    quota_count = serializers.IntegerField(required=False, allow_null=True)
    quota_percent = serializers.DecimalField(required=False, allow_null=True, **NUMBER)
    pay_coefficient = serializers.DecimalField(required=False, default=1, max_digits=5, decimal_places=3)
    award_eligible = serializers.BooleanField(required=False, default=False)


class ComponentInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=50)
    weight = serializers.DecimalField(**NUMBER)
    source = serializers.CharField(
        required=False, allow_blank=True, help_text=_("standard (scored by the standard, the default) or entered (entered or imported).")
    )


class ConditionInput(serializers.Serializer):
    kind = serializers.CharField(help_text=_(
        "node_below (a dimension or indicator below a share of its points), reviewer_found (deductions found by the "
        "reviewer) or missing_evidence (items without evidence)."
    ))
    best_grade = RoundGradeField(help_text=_("The best grade a unit meeting the condition may get."))
    node = RoundNodeField(required=False, allow_null=True, help_text=_("A dimension or indicator; null: any dimension."))
    percent = serializers.DecimalField(required=False, default=0, **NUMBER)


# Described inline: as an enum component it would be a second name for the units API's KindEnum.
@extend_schema_field({"type": "string", "enum": UnitKind.values})
class UnitKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=UnitKind.choices, **kwargs)


class UnitsInput(serializers.Serializer):
    root = VisibleUnitField(help_text=_("This unit and every unit below it."))
    kinds = serializers.ListField(child=UnitKindField(), allow_empty=False)


class UnitsAdded(serializers.Serializer):
    added = serializers.IntegerField(help_text=_("Units newly assessed in the round."))


class ComponentScoreInput(serializers.Serializer):
    component = RoundComponentField(help_text=_("A component of the round whose scores are entered."))
    unit = VisibleUnitField()
    score = serializers.DecimalField(**NUMBER)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ComponentImportInput(serializers.Serializer):
    file = serializers.FileField(help_text=_("An .xlsx file: a unit column (单位 or 单位编码) and one column per entered component."))


class ImportSaved(serializers.Serializer):
    saved = serializers.IntegerField()


class RescoreInput(serializers.Serializer):
    item = ScorecardItemField(help_text=_("An item of the appealed scorecard."))
    answer = serializers.DictField(help_text=_("The reviewer's answer, as in PATCH /item-scores/{id}/."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AppealAnswerInput(serializers.Serializer):
    accept = serializers.BooleanField()
    answer = serializers.CharField(allow_blank=True)
    reopen = serializers.BooleanField(
        required=False, default=False, help_text=_("Accepted appeals only: the scorecard goes back to review.")
    )
    rescores = RescoreInput(many=True, required=False, help_text=_("Accepted appeals only: items rescored at once."))
