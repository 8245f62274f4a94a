"""/api/v1/plans/: annual goal plans, their goals, adjustments and progress.

A plan is seen from its unit's scope and from every unit below it (``scoping.visible_plans``), so
other scopes' plans are 404; the actions check the change permission, so a visible plan the user may
not change is 403, before any input is read.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import GOAL_CHANGE
from core.api import IdFilter, action_errors

from .. import actions, rollup, scoping
from ..models import Plan, PlanStatus
from .figures import plan_figures
from .inputs import AdjustInput, GoalCreateInput, PlanCreateInput
from .serializers import AdjustmentSerializer, GoalSerializer, PlanDetailSerializer, PlanProgressSerializer, PlanSerializer


class PlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    unit = IdFilter(field_name="unit_id", label=_("Plans of exactly this unit"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = Plan
        fields = ["year", "unit", "status"]


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plans of the units in the user's scope and of the units above them; the detail holds the goals
    with their completion."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return scoping.visible_plans(self.request.user).select_related("unit").order_by("-year", "unit__path")

    def _parse(self, input_class, plan=None):
        data = input_class(data=self.request.data, context={"request": self.request, "plan": plan})
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _changeable(self):
        plan = self.get_object()
        permissions.require(self.request.user, GOAL_CHANGE, plan)
        return plan

    def _detail(self, plan, code=status.HTTP_200_OK):
        progress = rollup.plan_progress(plan)
        plan.percent = progress.percent
        plan.goal_rows = list(plan.goals.select_related("owner_unit", "node"))
        for goal in plan.goal_rows:
            goal.percent = progress.goals.get(goal.pk, rollup.ZERO)
        return Response(PlanDetailSerializer(plan).data, status=code)

    @extend_schema(responses=PlanDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(request=PlanCreateInput, responses={201: PlanDetailSerializer})
    def create(self, request):
        """Drafts the annual plan of a unit; one per unit and year."""
        if not permissions.has_any_scope(request.user, GOAL_CHANGE):
            raise PermissionDenied
        data = self._parse(PlanCreateInput)
        with action_errors():
            plan = actions.create_plan(request.user, **data)
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approves a draft plan that has at least one goal."""
        with action_errors():
            return self._detail(actions.approve_plan(request.user, self.get_object()))

    @extend_schema(request=None, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publishes an approved plan: its tasks can be signed for, and it changes only by adjustment."""
        with action_errors():
            return self._detail(actions.publish_plan(request.user, self.get_object()))

    @extend_schema(request=GoalCreateInput, responses={201: GoalSerializer})
    @action(detail=True, methods=["post"])
    def goals(self, request, pk=None):
        """Adds a goal; to a published plan only with a reason, recorded as an adjustment."""
        plan = self._changeable()
        data = self._parse(GoalCreateInput, plan)
        with action_errors():
            goal = actions.add_goal(request.user, plan, **data)
        goal.percent = rollup.plan_progress(plan).goals.get(goal.pk, rollup.ZERO)
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdjustInput, responses={201: AdjustmentSerializer})
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """Changes a published plan's title or goals with a reason; before and after are recorded."""
        plan = self._changeable()
        data = self._parse(AdjustInput, plan)
        goals = {}
        for row in data.get("goals", []):
            row = dict(row)
            goals.setdefault(row.pop("goal"), {}).update(row)
        with action_errors():
            adjustment = actions.adjust_plan(request.user, plan, reason=data["reason"], title=data.get("title"), goals=goals)
        return Response(AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AdjustmentSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def adjustments(self, request, pk=None):
        """The recorded changes of the plan since it was published, oldest first."""
        rows = self.get_object().adjustments.select_related("by")
        return Response(AdjustmentSerializer(rows, many=True).data)

    @extend_schema(responses=PlanProgressSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def progress(self, request, pk=None):
        """Completion of the plan and of each goal, and per lead unit in the user's scope with its colours."""
        plan = self.get_object()
        figures = plan_figures(plan, request.user)
        goals = [
            {"goal": goal.pk, "title": goal.title, "weight": goal.weight, "percent": figures["goals"].get(goal.pk, rollup.ZERO)}
            for goal in plan.goals.all()
        ]
        data = {"plan": plan.pk, "percent": figures["percent"], "goals": goals, "units": figures["units"], "lights": figures["lights"]}
        return Response(PlanProgressSerializer(data).data)
