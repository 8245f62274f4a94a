"""/api/v1/tasks/ and /api/v1/progress-reports/: decomposed work, its milestones and progress reports.

Tasks are those ``scoping.visible_tasks`` gives (led or supported in the user's scope), others are
404; the actions decide who may decompose, sign, report and review (403 otherwise). Every task in a
response carries its rolled-up percent and its colour from ``goals.lights.light``: the colour filter
runs that same function in Python over the filtered tasks, never a copy of its rule in SQL.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Q, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import GOAL_CHANGE
from core.api import IdFilter, action_errors
from organization.models import Unit

from .. import actions, scoping
from ..models import Light, ProgressReport, ReportStatus, Task, TaskStatus
from .figures import mark
from .inputs import MilestoneInput, ReasonInput, ReassignInput, ReportInput, RescheduleInput, TaskCreateInput
from .serializers import MilestoneSerializer, ReportSerializer, TaskDetailSerializer, TaskSerializer

LIGHT = OpenApiParameter(
    "light", str, enum=Light.values, description="Only tasks showing this colour (as goals.lights.light computes it today)."
)


class TaskFilter(django_filters.FilterSet):
    plan = IdFilter(field_name="goal__plan_id", label=_("Tasks of this plan"))
    goal = IdFilter(field_name="goal_id", label=_("Tasks of this goal"))
    parent = IdFilter(field_name="parent_id", label=_("Sub-tasks of this task"))
    top = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label=_("Only tasks directly under a goal"))
    lead_unit = IdFilter(method="filter_lead_unit", label=_("Tasks led by this unit or a unit under it"))
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Tasks the user owns or their own unit leads"))

    class Meta:
        model = Task
        fields = ["plan", "goal", "parent", "top", "lead_unit", "status", "mine"]

    def filter_lead_unit(self, queryset, name, value: int):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(lead_unit__path__startswith=path) if path else queryset.none()

    def filter_mine(self, queryset, name, value: bool):
        user = self.request.user
        mine = Q(owner_id=user.pk) | Q(lead_unit_id=user.unit_id)
        return queryset.filter(mine) if value else queryset.exclude(mine)


class LightInput(serializers.Serializer):
    light = serializers.ChoiceField(choices=Light.choices, required=False)


def _task_detail(task, user):
    mark([task])
    task.child_ids = list(task.children.order_by("position", "id").values_list("pk", flat=True))
    task.report_rows = list(task.reports.select_related("submitted_by", "reviewed_by"))
    task.notice_ids = list(scoping.visible_notices(user).filter(task=task).values_list("pk", flat=True))
    return TaskDetailSerializer(task).data


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks led or supported by units in the user's scope, by plan and goal, parents before their sub-tasks."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return scoping.visible_tasks(self.request.user).select_related("goal", "lead_unit", "owner").order_by(
            "goal__plan_id", "goal__position", "goal_id", "id"
        )

    def _parse(self, input_class):
        data = input_class(data=self.request.data, context={"request": self.request})
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _respond(self, task, code=status.HTTP_200_OK):
        mark([task])
        return Response(TaskSerializer(task).data, status=code)

    @extend_schema(parameters=[LIGHT])
    def list(self, request):
        light = LightInput(data=request.query_params)
        light.is_valid(raise_exception=True)
        colour = light.validated_data.get("light")
        queryset = self.filter_queryset(self.get_queryset())
        if colour:
            tasks = [task for task in mark(queryset) if task.light == colour]
            page = self.paginate_queryset(tasks)
        else:
            page = mark(self.paginate_queryset(queryset))
        prefetch_related_objects(page, "supporting_units")
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    @extend_schema(responses=TaskDetailSerializer)
    def retrieve(self, request, pk=None):
        task = self.get_object()
        prefetch_related_objects([task], "supporting_units", "milestones")
        return Response(_task_detail(task, request.user))

    @extend_schema(request=TaskCreateInput, responses={201: TaskDetailSerializer})
    def create(self, request):
        """Adds a task under a goal, or a sub-task inside the parent's lead unit's subtree."""
        if not permissions.has_any_scope(request.user, GOAL_CHANGE):
            raise PermissionDenied
        data = self._parse(TaskCreateInput)
        goal = data.pop("goal")
        with action_errors():
            task = actions.add_task(request.user, goal, **data)
        return Response(_task_detail(task, request.user), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """签收: the lead unit takes the task on (once its plan is published)."""
        with action_errors():
            return self._respond(actions.sign_task(request.user, self.get_object()))

    @extend_schema(request=ReasonInput, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The lead unit declines an issued task, saying why."""
        task = self.get_object()
        data = self._parse(ReasonInput)
        with action_errors():
            return self._respond(actions.decline_task(request.user, task, reason=data["reason"]))

    @extend_schema(request=ReassignInput, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """The issuer hands a declined task to a lead unit again; the plan records it."""
        task = self.get_object()
        data = self._parse(ReassignInput)
        with action_errors():
            return self._respond(actions.reassign_task(request.user, task, lead_unit=data["lead_unit"], reason=data["reason"]))

    @extend_schema(request=ReasonInput, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The issuer withdraws a task that is not done, with its sub-tasks; the plan records it."""
        task = self.get_object()
        data = self._parse(ReasonInput)
        with action_errors():
            return self._respond(actions.withdraw_task(request.user, task, reason=data["reason"]))

    @extend_schema(request=RescheduleInput, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """The issuer moves the due date, with a reason recorded on a published plan."""
        task = self.get_object()
        data = self._parse(RescheduleInput)
        with action_errors():
            return self._respond(actions.reschedule_task(request.user, task, due_date=data["due_date"], reason=data["reason"]))

    @extend_schema(request=MilestoneInput, responses={201: MilestoneSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request, pk=None):
        """Adds a milestone within the task's dates (whoever may decompose the task)."""
        task = self.get_object()
        data = self._parse(MilestoneInput)
        with action_errors():
            milestone = actions.add_milestone(request.user, task, **data)
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], request=None, responses=ReportSerializer(many=True))
    @extend_schema(methods=["POST"], request=ReportInput, responses={201: ReportSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def reports(self, request, pk=None):
        """GET: the task's progress reports, newest first. POST: the lead unit reports progress."""
        task = self.get_object()
        if request.method == "GET":
            rows = list(task.reports.select_related("submitted_by", "reviewed_by"))
            mark([task])
            for row in rows:
                row.task = task
            return Response(ReportSerializer(rows, many=True).data)
        data = self._parse(ReportInput)
        with action_errors():
            report = actions.submit_report(request.user, task, **data)
        mark([report.task])
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportFilter(django_filters.FilterSet):
    task = IdFilter(field_name="task_id", label=_("Reports of this task"))
    plan = IdFilter(field_name="task__goal__plan_id", label=_("Reports on tasks of this plan"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = ProgressReport
        fields = ["task", "plan", "status"]


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Progress reports on the tasks the user sees; the issuing unit's office accepts or returns them."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        tasks = scoping.visible_tasks(self.request.user).values("pk")
        return ProgressReport.objects.filter(task__in=tasks).select_related("task", "submitted_by", "reviewed_by").order_by(
            "-created_at", "-id"
        )

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        mark([report.task for report in page])
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._respond(self.get_object())

    def _respond(self, report):
        mark([report.task])
        return Response(ReportSerializer(report).data)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The issuer accepts the report: its percent becomes the task's, 100 finishes the task."""
        with action_errors():
            return self._respond(actions.accept_report(request.user, self.get_object()))

    @extend_schema(request=ReasonInput, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_report(self, request, pk=None):
        """The issuer returns the report with the reason; the task keeps its last accepted progress."""
        report = self.get_object()
        data = self._parse(ReasonInput)
        with action_errors():
            return self._respond(actions.return_report(request.user, report, reason=data["reason"]))

    def _parse(self, input_class):
        data = input_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data
