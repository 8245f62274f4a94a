"""Goal management in the API, read side. Writes only parse input (inputs.py); the rules live in
goals.actions and goals.supervision.

A task's ``percent`` (rolled up from its sub-tasks) and ``light`` are set on it by
``figures.mark`` before it is serialized: they are what the pages show, computed once per page.
Percents are decimal strings with two places, as in the assessment API.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Goal, Light, Milestone, Plan, PlanAdjustment, ProgressReport, SupervisionNotice, Task

PERCENT = {"max_digits": 5, "decimal_places": 2, "read_only": True}


def light_label(colour):
    return str(Light(colour).label) if colour else ""


class PlanSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    # Plain strings: several models have a "status" with different choices (one OpenAPI enum name each).
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "unit", "unit_name", "year", "title", "status", "status_display", "approved_at", "published_at", "created_at"]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    node_number = serializers.CharField(source="node.number", read_only=True, default=None)
    node_title = serializers.CharField(source="node.title", read_only=True, default=None)
    percent = serializers.DecimalField(help_text="Completion, weighted from its tasks.", **PERCENT)

    class Meta:
        model = Goal
        fields = [
            "id", "plan", "position", "title", "node", "node_number", "node_title", "measure", "target_value", "key_actions",
            "owner_unit", "owner_unit_name", "weight", "percent",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    percent = serializers.DecimalField(help_text="Completion, weighted from its goals.", **PERCENT)
    goals = GoalSerializer(many=True, read_only=True, source="goal_rows")

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "percent", "goals"]
        read_only_fields = fields


class AdjustmentSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.real_name", read_only=True, default=None)
    before = serializers.JSONField(read_only=True)
    after = serializers.JSONField(read_only=True)

    class Meta:
        model = PlanAdjustment
        fields = ["id", "plan", "reason", "before", "after", "by", "by_name", "at"]
        read_only_fields = fields


class GoalProgressSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    title = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class UnitProgressSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Weighted completion of the tasks it leads.")
    tasks = serializers.IntegerField()
    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class LightCountSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class PlanProgressSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    goals = GoalProgressSerializer(many=True)
    units = UnitProgressSerializer(many=True, help_text="Lead units in the user's scope.")
    lights = LightCountSerializer(help_text="Colours of the plan's tasks (withdrawn ones count nowhere).")


class TaskSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="goal.plan_id", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    owner_name = serializers.CharField(source="owner.real_name", read_only=True, default=None)
    cadence = serializers.CharField(read_only=True)
    cadence_display = serializers.CharField(source="get_cadence_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.DecimalField(help_text="Rolled up from its sub-tasks when it has any, else its accepted percent.", **PERCENT)
    light = serializers.CharField(read_only=True, help_text="green, yellow, red; empty for a withdrawn task.")
    light_display = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id", "plan", "goal", "parent", "position", "title", "lead_unit", "lead_unit_name", "supporting_units", "owner",
            "owner_name", "start_date", "due_date", "expected_output", "cadence", "cadence_display", "weight", "status",
            "status_display", "signed_at", "decline_reason", "withdraw_reason", "percent_done", "percent",
            "last_accepted_report_at", "light", "light_display",
        ]
        read_only_fields = fields

    def get_light_display(self, task) -> str:
        return light_label(task.light)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "task", "title", "due"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    submitted_by_name = serializers.CharField(source="submitted_by.real_name", read_only=True)
    reviewed_by_name = serializers.CharField(source="reviewed_by.real_name", read_only=True, default=None)
    task_percent = serializers.DecimalField(source="task.percent", **PERCENT)
    task_light = serializers.CharField(source="task.light", read_only=True, help_text="The task's colour now.")

    class Meta:
        model = ProgressReport
        fields = [
            "id", "task", "period", "percent", "done_text", "problems", "support_needed", "status", "status_display",
            "return_reason", "submitted_by", "submitted_by_name", "created_at", "reviewed_by", "reviewed_by_name",
            "reviewed_at", "task_percent", "task_light",
        ]
        read_only_fields = fields


class TaskReportSerializer(ReportSerializer):
    """A report inside its task's detail: the task's figures are already there."""

    class Meta(ReportSerializer.Meta):
        fields = [name for name in ReportSerializer.Meta.fields if name not in ("task_percent", "task_light")]
        read_only_fields = fields


class TaskDetailSerializer(TaskSerializer):
    children = serializers.ListField(child=serializers.IntegerField(), source="child_ids", read_only=True, help_text="Its sub-tasks.")
    milestones = MilestoneSerializer(many=True, read_only=True)
    reports = TaskReportSerializer(many=True, read_only=True, source="report_rows")
    supervision_notices = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "children", "milestones", "reports", "supervision_notices"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), help_text="Notices on the task the user may see."))
    def get_supervision_notices(self, task):
        return task.notice_ids


class NoticeSerializer(serializers.ModelSerializer):
    task_title = serializers.CharField(source="task.title", read_only=True, default=None)
    task_light = serializers.CharField(source="task.light", read_only=True, default=None, help_text="The task's colour now.")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    issuing_unit_name = serializers.CharField(source="issuing_unit.name", read_only=True)
    issued_by_name = serializers.CharField(source="issued_by.real_name", read_only=True, default=None)
    replied_by_name = serializers.CharField(source="replied_by.real_name", read_only=True, default=None)
    level = serializers.CharField(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(read_only=True, help_text="Awaiting its reply past the reply date.")
    escalated_to = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionNotice
        fields = [
            "id", "task", "task_title", "task_light", "unit", "unit_name", "issuing_unit", "issuing_unit_name", "issued_by",
            "issued_by_name", "created_at", "reason", "reply_due", "level", "level_display", "status", "status_display",
            "overdue", "reply", "replied_by", "replied_by_name", "replied_at", "closed_at", "escalated_from", "escalated_to",
        ]
        read_only_fields = fields

    def get_escalated_to(self, notice) -> int | None:
        following = getattr(notice, "escalated_to", None)
        return following.pk if following else None
