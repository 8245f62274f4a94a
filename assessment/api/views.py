"""/api/v1/ rounds, scorecards, item scores and results, through the same permission layer as the pages."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import SCORECARD_VIEW
from core.api import action_errors, validation_detail

from .. import actions, publication
from ..models import Appeal, ItemScore, Result, Scorecard
from .inputs import AppealAnswerInput
from .serializers import (
    ROUND_DETAIL_RELATIONS,
    AppealSerializer,
    ItemScoreSerializer,
    ItemScoreUpdateSerializer,
    ReasonSerializer,
    ResultSerializer,
    RoundDetailSerializer,
    RoundSerializer,
    ScorecardDetailSerializer,
    ScorecardSerializer,
    WeaknessSerializer,
)
from .setup_views import RoundSetupMixin


class Stale(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"


class RoundViewSet(RoundSetupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rounds the user organizes or takes part in; those who organize them set them up here too."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        queryset = publication.visible_rounds(self.request.user).select_related("unit", "standard").order_by("-period_end", "-id")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(*ROUND_DETAIL_RELATIONS)
        return queryset

    def get_serializer_class(self):
        return RoundDetailSerializer if self.action == "retrieve" else RoundSerializer

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Published results of the units whose scorecards the user may see."""
        round_ = self.get_object()
        rows = permissions.restrict(Result.objects.filter(round=round_), request.user, perm=SCORECARD_VIEW)
        rows = rows.select_related("unit", "grade").order_by("unit__path")
        return Response(ResultSerializer(rows, many=True).data)


class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Scorecards in the user's scope; the detail carries every item and the history."""

    filterset_fields = ["round", "status", "unit"]

    def get_queryset(self):
        queryset = Scorecard.objects.select_related("unit", "round")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor", "appeals__filed_by", "appeals__answered_by")
        return permissions.restrict(queryset, self.request.user, perm=SCORECARD_VIEW).order_by("round", "unit__path")

    def get_serializer_class(self):
        return ScorecardDetailSerializer if self.action == "retrieve" else ScorecardSerializer

    def _respond(self, scorecard):
        return Response(ScorecardSerializer(scorecard).data)

    @extend_schema(request=None, responses=ScorecardSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Hands the self-assessment to the reviewers; every item must be scored."""
        with action_errors():
            return self._respond(actions.submit_scorecard(request.user, self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=ScorecardSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_card(self, request, pk=None):
        """Sends a submitted scorecard back to its unit with the reason."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with action_errors():
            return self._respond(actions.return_scorecard(request.user, self.get_object(), reason=data.validated_data["reason"]))

    @extend_schema(request=None, responses=ScorecardSerializer)
    @action(detail=True, methods=["post"], url_path="complete-review")
    def complete_review(self, request, pk=None):
        """Closes the review of a submitted scorecard."""
        with action_errors():
            return self._respond(actions.complete_review(request.user, self.get_object()))

    @extend_schema(responses=WeaknessSerializer(many=True))
    @action(detail=True, methods=["get"])
    def weaknesses(self, request, pk=None):
        """短板弱项: items below the round's threshold share of their points, vetoed, or without evidence."""
        found = publication.weaknesses(self.get_object())
        return Response(WeaknessSerializer([{"item": item, "reasons": reasons} for item, reasons in found], many=True).data)

    @extend_schema(request=ReasonSerializer, responses={201: AppealSerializer})
    @action(detail=True, methods=["post"])
    def appeals(self, request, pk=None):
        """The unit contests its published result within the round's days to appeal."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with action_errors():
            appeal = publication.file_appeal(request.user, self.get_object(), reason=data.validated_data["reason"])
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appeals against published results of the scorecards in the user's scope."""

    serializer_class = AppealSerializer
    filterset_fields = ["scorecard", "status"]

    def get_queryset(self):
        queryset = Appeal.objects.select_related("scorecard__round", "scorecard__unit", "filed_by", "answered_by")
        return permissions.restrict(queryset, self.request.user, perm=SCORECARD_VIEW)

    @extend_schema(request=AppealAnswerInput, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The reviewer accepts or rejects; an accepted appeal may rescore items at once or reopen the review."""
        appeal = self.get_object()
        if not actions.can_review(request.user, appeal.scorecard):
            raise PermissionDenied
        data = AppealAnswerInput(data=request.data, context={"request": request, "scorecard": appeal.scorecard})
        data.is_valid(raise_exception=True)
        data = data.validated_data
        rescores = [(row["item"], row["answer"], row["note"]) for row in data.get("rescores", [])]
        with action_errors():
            appeal = publication.answer_appeal(
                request.user, appeal, accept=data["accept"], answer=data["answer"], reopen=data["reopen"], rescores=rescores,
            )
        return Response(AppealSerializer(appeal).data)


class ItemScoreViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One item of a scorecard; PATCH saves the unit's own answer (side=self) or the reviewer's (side=review)."""

    serializer_class = ItemScoreSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        queryset = ItemScore.objects.select_related("node", "scorecard__round__standard", "scorecard__unit")
        return permissions.restrict(queryset, self.request.user, perm=SCORECARD_VIEW)

    @extend_schema(request=ItemScoreUpdateSerializer, responses={200: ItemScoreSerializer, 409: None})
    def partial_update(self, request, pk=None):
        item = self.get_object()
        data = ItemScoreUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        save = actions.save_self_score if data["side"] == "self" else actions.save_review_score
        try:
            item = save(request.user, item, answer=data["answer"], note=data["note"], version=data["version"])
        except DjangoValidationError as error:
            if getattr(error, "code", None) == "stale":
                raise Stale(error.messages[0]) from error
            raise serializers.ValidationError(validation_detail(error)) from error
        return Response(ItemScoreSerializer(item).data)
