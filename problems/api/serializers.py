"""Problems, suggestions and public feedback in the API, read side. Writes only parse input
(inputs.py); the rules live in problems.actions, suggestions, feedback and origins.

Figures the pages compute (a problem's measure count and overdue flag, a measure's overdue flag) are
set on the objects by the views before they are serialized, with the same functions as the pages.
An anonymous idea shows no author; a feedback's contact is masked unless the serializer's context
says ``full_contact``.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import feedback, ledger
from ..models import Feedback, Measure, MeasureUpdate, Problem, Suggestion

OVERDUE = "An open measure past its deadline while the problem is being rectified (shown red)."


def _related_id(obj, name):
    """The id of a reverse one-to-one (fetched with select_related), or None."""
    related = getattr(obj, name, None)
    return related.pk if related is not None else None


class ProblemSerializer(serializers.ModelSerializer):
    number = serializers.SerializerMethodField(help_text="问题编号: WT-<year found>-<id>.")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    node_number = serializers.CharField(source="node.number", read_only=True, default=None)
    # Plain strings: several models have a "status" (or "kind") with different choices.
    source = serializers.CharField(read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    severity = serializers.CharField(read_only=True)
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    raised_by_name = serializers.CharField(source="raised_by.real_name", read_only=True, default=None)
    measure_count = serializers.IntegerField(read_only=True)
    overdue = serializers.BooleanField(read_only=True, help_text=OVERDUE)

    class Meta:
        model = Problem
        fields = [
            "id", "number", "unit", "unit_name", "title", "node", "node_number", "source", "source_display", "severity",
            "severity_display", "kind", "kind_display", "status", "status_display", "found_on", "raised_by", "raised_by_name",
            "measure_count", "overdue",
        ]
        read_only_fields = fields

    def get_number(self, problem) -> str:
        return ledger.problem_number(problem)


class MeasureUpdateSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.real_name", read_only=True)

    class Meta:
        model = MeasureUpdate
        fields = ["id", "text", "by", "by_name", "at"]
        read_only_fields = fields


class ProblemMeasureSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.real_name", read_only=True, default=None)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    person_name = serializers.CharField(source="person.real_name", read_only=True, default=None)
    overdue = serializers.BooleanField(read_only=True, help_text=OVERDUE)
    updates = MeasureUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Measure
        fields = [
            "id", "problem", "position", "text", "leader", "leader_name", "unit", "unit_name", "person", "person_name",
            "deadline", "expected_result", "done", "done_at", "overdue", "updates",
        ]
        read_only_fields = fields


class ProblemOriginSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="weakness (a scorecard item), notice, suggestion or feedback.")
    id = serializers.IntegerField(help_text="The id of the item score, supervision notice, suggestion or feedback.")


ORIGINS = (
    ("weakness", "origin_item_id"), ("notice", "origin_notice_id"),
    ("suggestion", "origin_suggestion_id"), ("feedback", "origin_feedback_id"),
)


class ProblemDetailSerializer(ProblemSerializer):
    signed_off_by_name = serializers.CharField(source="signed_off_by.real_name", read_only=True, default=None)
    origin = serializers.SerializerMethodField()
    measures = ProblemMeasureSerializer(many=True, read_only=True, source="measure_rows")

    class Meta(ProblemSerializer.Meta):
        fields = [
            *ProblemSerializer.Meta.fields, "description", "root_cause", "send_back_reason", "signed_off_by",
            "signed_off_by_name", "signed_off_at", "origin", "measures",
        ]
        read_only_fields = fields

    @extend_schema_field(ProblemOriginSerializer(allow_null=True))
    def get_origin(self, problem):
        for kind, field in ORIGINS:
            if getattr(problem, field):
                return {"type": kind, "id": getattr(problem, field)}
        return None


class SuggestionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    author = serializers.SerializerMethodField(help_text="Null for an anonymous idea.")
    author_name = serializers.SerializerMethodField(help_text="Null for an anonymous idea.")
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    answered_by_name = serializers.CharField(source="answered_by.real_name", read_only=True, default=None)
    problem = serializers.SerializerMethodField(help_text="The problem the idea became, if any.")

    class Meta:
        model = Suggestion
        fields = [
            "id", "unit", "unit_name", "title", "content", "anonymous", "author", "author_name", "submitted_on", "status",
            "status_display", "answer", "answered_by", "answered_by_name", "answered_on", "on_board", "task", "problem",
        ]
        read_only_fields = fields

    def get_author(self, idea) -> int | None:
        return None if idea.anonymous else idea.author_id

    def get_author_name(self, idea) -> str | None:
        return None if idea.anonymous or idea.author is None else idea.author.real_name

    def get_problem(self, idea) -> int | None:
        return _related_id(idea, "problem")


class SuggestionReceiptSerializer(SuggestionSerializer):
    receipt_code = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="Anonymous ideas only, in this response only: the system keeps nothing but a keyed hash of it.",
    )

    class Meta(SuggestionSerializer.Meta):
        fields = [*SuggestionSerializer.Meta.fields, "receipt_code"]
        read_only_fields = fields


class SuggestionFollowSerializer(serializers.ModelSerializer):
    """What a receipt code shows: the answer, nothing about who handled it beyond the unit's name."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Suggestion
        fields = ["title", "unit_name", "submitted_on", "status", "status_display", "answer", "answered_on", "on_board"]
        read_only_fields = fields


class FeedbackSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    contact_masked = serializers.SerializerMethodField(help_text="True: the contact is shown masked (138****5678).")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Awaiting the reply past the reply date.")
    replied_by_name = serializers.CharField(source="replied_by.real_name", read_only=True, default=None)
    problem = serializers.SerializerMethodField(help_text="The problem the feedback became, if any.")

    class Meta:
        model = Feedback
        fields = [
            "id", "channel", "channel_display", "received_at", "contact_name", "contact_phone", "contact_masked", "content",
            "unit", "unit_name", "reply_due", "overdue", "status", "status_display", "reply", "replied_by", "replied_by_name",
            "replied_at", "problem",
        ]
        read_only_fields = fields

    def _full(self):
        return bool(self.context.get("full_contact"))

    def to_representation(self, record):
        data = super().to_representation(record)
        if not self._full():
            data["contact_name"] = feedback.mask_name(record.contact_name)
            data["contact_phone"] = feedback.mask_phone(record.contact_phone)
        return data

    def get_contact_masked(self, record) -> bool:
        return not self._full()

    def get_overdue(self, record) -> bool:
        return feedback.is_overdue(record, self.context.get("today"))

    def get_problem(self, record) -> int | None:
        return _related_id(record, "problem")
