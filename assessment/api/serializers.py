"""Assessment in the API. Writes only parse input; the rules live in assessment.actions."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..models import (
    Appeal,
    ComponentScore,
    GradeCondition,
    ItemScore,
    Result,
    Round,
    RoundComponent,
    RoundGrade,
    Scorecard,
    ScorecardEvent,
)


class GradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoundGrade
        fields = ["id", "position", "name", "min_score", "quota_count", "quota_percent", "pay_coefficient", "award_eligible"]
        read_only_fields = fields


class RoundSerializer(serializers.ModelSerializer):
    # Plain strings: several models have a "status" with different choices (one OpenAPI enum name each).
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id", "name", "unit", "standard", "status", "status_display", "period_start", "period_end",
            "self_assessment_due", "review_due", "appeal_days", "allow_over_full_marks", "bonus_cap",
            "higher_level_multiplier", "children_share", "weakness_percent", "published_at",
        ]
        read_only_fields = fields


class ComponentSerializer(serializers.ModelSerializer):
    source = serializers.CharField(read_only=True)
    source_display = serializers.CharField(source="source_label", read_only=True)

    class Meta:
        model = RoundComponent
        fields = ["id", "position", "name", "weight", "source", "source_display"]
        read_only_fields = fields


class ConditionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    node_number = serializers.CharField(source="node.number", read_only=True, default=None)
    best_grade_name = serializers.CharField(source="best_grade.name", read_only=True)

    class Meta:
        model = GradeCondition
        fields = ["id", "kind", "kind_display", "node", "node_number", "percent", "best_grade", "best_grade_name"]
        read_only_fields = fields


class ReviewerSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "real_name"]
        read_only_fields = fields


# What RoundDetailSerializer reads besides the round: prefetch it, or each condition costs two queries.
ROUND_DETAIL_RELATIONS = ("reviewers", "grades", "components", "conditions__node", "conditions__best_grade")


class RoundDetailSerializer(RoundSerializer):
    """A round with everything its set-up decides."""

    grades = GradeSerializer(many=True, read_only=True)
    components = ComponentSerializer(many=True, read_only=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    reviewers = ReviewerSerializer(many=True, read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "veto_grade", "reviewers", "grades", "components", "conditions"]
        read_only_fields = fields


class ComponentScoreSerializer(serializers.ModelSerializer):
    component_name = serializers.CharField(source="component.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ComponentScore
        fields = ["component", "component_name", "unit", "unit_name", "score", "note"]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Scorecard
        fields = ["id", "round", "unit", "unit_name", "status", "status_display", "submitted_at", "reviewed_at", "return_reason"]
        read_only_fields = fields


class ItemScoreSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="node.number", read_only=True)
    title = serializers.CharField(source="node.title", read_only=True)
    method = serializers.CharField(source="node.method", read_only=True)
    points = serializers.DecimalField(source="node.points", max_digits=7, decimal_places=2, read_only=True)
    score = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = ItemScore
        fields = [
            "id", "node", "number", "title", "method", "points", "self_answer", "self_score", "self_note",
            "review_answer", "review_score", "review_note", "score", "vetoed", "version",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.real_name", read_only=True, allow_null=True)

    class Meta:
        model = ScorecardEvent
        fields = ["action", "from_status", "to_status", "note", "actor", "at"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    filed_by = serializers.CharField(source="filed_by.real_name", read_only=True)
    answered_by = serializers.CharField(source="answered_by.real_name", read_only=True, default=None)

    class Meta:
        model = Appeal
        fields = ["id", "scorecard", "status", "status_display", "reason", "filed_by", "created_at", "answer", "answered_by", "answered_at"]
        read_only_fields = fields


class ScorecardDetailSerializer(ScorecardSerializer):
    items = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)
    appeals = AppealSerializer(many=True, read_only=True)

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "items", "events", "appeals"]
        read_only_fields = fields

    def get_items(self, scorecard) -> list[dict]:
        rows = scorecard.items.select_related("node").order_by("node__number")
        return ItemScoreSerializer(rows, many=True).data


class ItemScoreUpdateSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=[("self", "self"), ("review", "review")])
    answer = serializers.DictField(help_text="By method: deduct {occurrences[, found_by_reviewer]}, bonus {value}, "
                                             "graded {level}, pass_fail {passed}, veto {vetoed}.")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(help_text="The version the edit was based on; a newer one answers 409.")


class WeaknessSerializer(serializers.Serializer):
    item = ItemScoreSerializer(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ResultSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grade = serializers.CharField(source="grade.name", read_only=True, allow_null=True)
    pay_coefficient = serializers.DecimalField(source="grade.pay_coefficient", max_digits=5, decimal_places=3, read_only=True, allow_null=True)
    award_eligible = serializers.BooleanField(source="grade.award_eligible", read_only=True, allow_null=True)

    class Meta:
        model = Result
        fields = [
            "unit", "unit_name", "standard_score", "own_score", "children_score", "total", "grade", "grade_note",
            "rank", "peer_count", "pay_coefficient", "award_eligible", "dimension_scores", "component_scores",
        ]
        read_only_fields = fields
