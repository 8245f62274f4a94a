"""/api/v1/problems/ and /api/v1/measures/: the rectification ledger (整改台账) and its workflow,
registered → analysed → rectifying → submitted for verification → signed off (销号), or sent back.

Problems are those ``problems.scoping.visible_problems`` gives (in the user's scope, or carried out
by the user), others are 404; the actions decide who analyses, sets measures, reports, submits and
verifies (403 otherwise, before any input is read). A problem also comes in one step from a weakness
of a published scorecard or from a supervision notice.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import PROBLEM_CHANGE, PROBLEM_RAISE
from core.api import IdFilter, action_errors
from organization.models import Unit

from .. import actions, ledger, origins, scoping
from ..models import Kind, Measure, MeasureUpdate, Problem, ProblemStatus, Severity, Source
from .inputs import (
    MeasureCreateInput,
    NoticeProblemInput,
    ProblemCreateInput,
    ProgressInput,
    RootCauseInput,
    SendBackInput,
    WeaknessProblemInput,
)
from .serializers import ProblemDetailSerializer, ProblemMeasureSerializer, ProblemSerializer

MEASURE_RELATIONS = ("leader", "unit", "person")


def _updates():
    return Prefetch("updates", queryset=MeasureUpdate.objects.select_related("by").order_by("at", "id"))


def _mark(problem, measures, today=None):
    """The overdue flags the problem page shows: an open measure past its deadline while rectifying."""
    today = today or timezone.localdate()
    rectifying = problem.status == ProblemStatus.RECTIFYING
    for measure in measures:
        measure.overdue = rectifying and actions.is_overdue(measure, today)
    return measures


def problem_detail(problem, code=status.HTTP_200_OK):
    """The detail response of a problem: its measures with their progress, its origin, its flags."""
    measures = problem.measures.select_related(*MEASURE_RELATIONS).prefetch_related(_updates())
    problem.measure_rows = _mark(problem, list(measures))
    problem.measure_count = len(problem.measure_rows)
    problem.overdue = any(measure.overdue for measure in problem.measure_rows)
    return Response(ProblemDetailSerializer(problem).data, status=code)


def parse(request, input_class, **context):
    data = input_class(data=request.data, context={"request": request, **context})
    data.is_valid(raise_exception=True)
    return data.validated_data


class ProblemFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", label=_("Problems of this unit or a unit under it"))
    source = django_filters.ChoiceFilter(choices=Source.choices)
    status = django_filters.ChoiceFilter(choices=ProblemStatus.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Problems with an overdue measure"))
    node = IdFilter(method="filter_node", label=_("Problems on this part of the standard or on a part under it"))
    year = django_filters.NumberFilter(field_name="found_on", lookup_expr="year", label=_("Year found"))

    class Meta:
        model = Problem
        fields = ["unit", "source", "status", "severity", "kind", "overdue", "node", "year"]

    def filter_unit(self, queryset, name, value: int):
        unit = Unit.objects.filter(pk=value).first()
        return ledger.filter_problems(queryset, unit=unit) if unit else queryset.none()

    def filter_overdue(self, queryset, name, value: bool):
        late = actions.overdue_measures().values("problem_id")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_node(self, queryset, name, value: int):
        return ledger.filter_problems(queryset, dimension=value)


class ProblemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Problems the user may see, newest found first; each list row carries its measure count and
    overdue flag, the detail its measures with their progress."""

    serializer_class = ProblemSerializer
    filterset_class = ProblemFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = scoping.visible_problems(self.request.user).select_related("unit", "node", "raised_by")
        if self.action == "list":
            return ledger.with_row_figures(queryset).order_by("-found_on", "-id")
        return queryset.select_related("signed_off_by")

    def _kept(self):
        """A visible problem the user keeps (analyses, sets measures for): 403 otherwise."""
        problem = self.get_object()
        permissions.require(self.request.user, PROBLEM_CHANGE, problem)
        return problem

    @extend_schema(responses=ProblemDetailSerializer)
    def retrieve(self, request, pk=None):
        return problem_detail(self.get_object())

    @extend_schema(request=ProblemCreateInput, responses={201: ProblemDetailSerializer})
    def create(self, request):
        """Registers a problem found in a unit where the user may raise problems; ``anonymous`` keeps it
        without the name of the person who raised it."""
        if not permissions.has_any_scope(request.user, PROBLEM_RAISE):
            raise PermissionDenied
        data = dict(parse(request, ProblemCreateInput))
        raised_by = None if data.pop("anonymous") else request.user
        with action_errors():
            problem = actions.register_problem(request.user, raised_by=raised_by, **data)
        return problem_detail(problem, status.HTTP_201_CREATED)

    @extend_schema(request=RootCauseInput, responses=ProblemDetailSerializer)
    @action(detail=True, methods=["post"])
    def analyse(self, request, pk=None):
        """原因剖析: writes (or sharpens, until submission) the root-cause analysis."""
        problem = self._kept()
        data = parse(request, RootCauseInput)
        with action_errors():
            return problem_detail(actions.analyse(request.user, problem, root_cause=data["root_cause"]))

    @extend_schema(request=MeasureCreateInput, responses={201: ProblemMeasureSerializer})
    @action(detail=True, methods=["post"])
    def measures(self, request, pk=None):
        """Adds a rectification measure to an analysed problem; the first one starts the rectification."""
        problem = self._kept()
        data = parse(request, MeasureCreateInput, problem=problem)
        with action_errors():
            measure = actions.add_measure(request.user, problem, **data)
        return measure_response(measure, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProblemDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Asks for sign-off once every measure is done."""
        with action_errors():
            return problem_detail(actions.submit_for_verification(request.user, self.get_object()))

    @extend_schema(request=None, responses=ProblemDetailSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """整改销号 by a verifier whose scope lies above the problem's unit."""
        with action_errors():
            return problem_detail(actions.sign_off(request.user, self.get_object()))

    @extend_schema(request=SendBackInput, responses=ProblemDetailSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """The verifier sends the problem back to rectifying with the reason; its measures open again."""
        problem = self.get_object()
        if not actions.may_verify(request.user, problem):
            raise PermissionDenied
        data = parse(request, SendBackInput)
        with action_errors():
            return problem_detail(actions.send_back(request.user, problem, reason=data["reason"]))

    @extend_schema(request=WeaknessProblemInput, responses={201: ProblemDetailSerializer})
    @action(detail=False, methods=["post"], url_path="from-weakness", filter_backends=[], pagination_class=None)
    def from_weakness(self, request):
        """短板弱项 → 问题: a weakness of a published scorecard becomes a problem of its unit on that item."""
        if not permissions.has_any_scope(request.user, PROBLEM_RAISE):
            raise PermissionDenied
        data = dict(parse(request, WeaknessProblemInput))
        item = data.pop("item_score")
        with action_errors():
            problem = origins.from_weakness(request.user, item, **data)
        return problem_detail(problem, status.HTTP_201_CREATED)

    @extend_schema(request=NoticeProblemInput, responses={201: ProblemDetailSerializer})
    @action(detail=False, methods=["post"], url_path="from-notice", filter_backends=[], pagination_class=None)
    def from_notice(self, request):
        """The findings of a supervision notice become a problem of the supervised unit."""
        if not permissions.has_any_scope(request.user, PROBLEM_RAISE):
            raise PermissionDenied
        data = dict(parse(request, NoticeProblemInput))
        notice = data.pop("notice")
        with action_errors():
            problem = origins.from_notice(request.user, notice, **data)
        return problem_detail(problem, status.HTTP_201_CREATED)


def measure_response(measure, code=status.HTTP_200_OK):
    measure = Measure.objects.select_related("problem", *MEASURE_RELATIONS).prefetch_related(_updates()).get(pk=measure.pk)
    _mark(measure.problem, [measure])
    return Response(ProblemMeasureSerializer(measure).data, status=code)


class MeasureViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Measures of the problems the user sees, with their progress (整改进展)."""

    serializer_class = ProblemMeasureSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return scoping.visible_measures(self.request.user, Measure.objects.select_related("problem__unit", *MEASURE_RELATIONS))

    def retrieve(self, request, pk=None):
        return measure_response(self.get_object())

    @extend_schema(request=ProgressInput, responses={201: ProblemMeasureSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Reports progress on a measure (its responsible person or the unit's keepers); ``done`` completes it."""
        measure = self.get_object()
        if not actions.may_report(request.user, measure):
            raise PermissionDenied
        data = parse(request, ProgressInput)
        with action_errors():
            actions.report_progress(request.user, measure, text=data["text"], done=data["done"])
        return measure_response(measure, status.HTTP_201_CREATED)
