"""The office's side of a round in the API: create, set up, add units, open, enter scores, publish.

Each endpoint parses its input, calls one action of assessment.actions (or publication,
component_import) and answers with what changed. A round the user cannot see is 404 (the viewset's
queryset); a visible round the user may not set up is 403 before any input is read.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import ROUND_CHANGE
from core.api import action_errors, validation_detail

from .. import actions, publication
from ..component_import import import_component_scores
from ..models import ComponentScore
from .inputs import (
    ComponentImportInput,
    ComponentInput,
    ComponentScoreInput,
    ConditionInput,
    GradeInput,
    ImportSaved,
    RoundCreateInput,
    RoundUpdateInput,
    UnitsAdded,
    UnitsInput,
)
from .serializers import (
    ROUND_DETAIL_RELATIONS,
    ComponentScoreSerializer,
    ComponentSerializer,
    ConditionSerializer,
    GradeSerializer,
    RoundDetailSerializer,
)

IMPORT_ERRORS = inline_serializer("ComponentImportErrors", fields={
    "errors": serializers.ListField(child=inline_serializer("ComponentImportError", fields={
        "row": serializers.IntegerField(allow_null=True),
        "column": serializers.CharField(),
        "letter": serializers.CharField(),
        "detail": serializers.CharField(),
    })),
})

CONDITION_ID = OpenApiParameter("condition_id", int, OpenApiParameter.PATH)


class RoundSetupMixin:
    """Put before GenericViewSet in RoundViewSet's bases."""

    def _changeable(self):
        round_ = self.get_object()
        permissions.require(self.request.user, ROUND_CHANGE, round_)
        return round_

    def _parse(self, input_class, round_=None, **kwargs):
        data = input_class(data=self.request.data, context={"request": self.request, "round": round_}, **kwargs)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _detail(self, round_, code=status.HTTP_200_OK):
        round_ = self.get_queryset().prefetch_related(*ROUND_DETAIL_RELATIONS).get(pk=round_.pk)
        return Response(RoundDetailSerializer(round_).data, status=code)

    @extend_schema(request=RoundCreateInput, responses={201: RoundDetailSerializer})
    def create(self, request):
        """Creates a round in set-up with the usual four grades; it assesses nobody until units are added."""
        if not permissions.has_any_scope(request.user, ROUND_CHANGE):
            raise PermissionDenied
        data = self._parse(RoundCreateInput)
        with action_errors():
            round_ = actions.create_round(request.user, **data)
        return self._detail(round_, status.HTTP_201_CREATED)

    @extend_schema(request=RoundUpdateInput, responses=RoundDetailSerializer)
    def partial_update(self, request, pk=None):
        """Changes the options, the best grade after a veto and the reviewers; fields left out stay as they are."""
        round_ = self._changeable()
        data = self._parse(RoundUpdateInput, round_)
        with action_errors():
            actions.update_round(request.user, round_, **data)
        return self._detail(round_)

    @extend_schema(request=GradeInput(many=True), responses=GradeSerializer(many=True))
    @action(detail=True, methods=["put"])
    def grades(self, request, pk=None):
        """Replaces the grades, best first; thresholds fall from grade to grade and the last starts at 0."""
        round_ = self._changeable()
        rows = self._parse(GradeInput, round_, many=True)
        with action_errors():
            grades = actions.set_grades(request.user, round_, [dict(row) for row in rows])
        return Response(GradeSerializer(grades, many=True).data)

    @extend_schema(request=ComponentInput(many=True), responses=ComponentSerializer(many=True))
    @action(detail=True, methods=["put"])
    def components(self, request, pk=None):
        """Replaces the weighted components (三级联动); weights add up to 100, an empty list removes them."""
        round_ = self._changeable()
        rows = self._parse(ComponentInput, round_, many=True)
        with action_errors():
            components = actions.set_components(request.user, round_, [dict(row) for row in rows])
        return Response(ComponentSerializer(components, many=True).data)

    @extend_schema(request=ConditionInput, responses={201: ConditionSerializer})
    @action(detail=True, methods=["post"])
    def conditions(self, request, pk=None):
        """Adds a "cannot be better than this grade if …" condition."""
        round_ = self._changeable()
        data = self._parse(ConditionInput, round_)
        with action_errors():
            condition = actions.add_condition(request.user, round_, **data)
        return Response(ConditionSerializer(condition).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[CONDITION_ID], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"conditions/(?P<condition_id>\d+)")
    def remove_condition(self, request, pk=None, condition_id=None):
        """Removes a condition of the round."""
        round_ = self._changeable()
        condition = get_object_or_404(round_.conditions.select_related("round__unit"), pk=condition_id)
        with action_errors():
            actions.remove_condition(request.user, condition)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=UnitsInput, responses=UnitsAdded)
    @action(detail=True, methods=["post"])
    def units(self, request, pk=None):
        """Adds every active unit of the kinds in a subtree (its root included) to the round."""
        round_ = self._changeable()
        data = self._parse(UnitsInput, round_)
        with action_errors():
            added = actions.add_units(request.user, round_, root=data["root"], kinds=data["kinds"])
        return Response({"added": added})

    @extend_schema(request=None, responses=RoundDetailSerializer)
    @action(detail=True, methods=["post"], url_path="open")
    def open_round(self, request, pk=None):
        """Starts self-assessment: every unit gets its scorecard items."""
        round_ = self._changeable()
        with action_errors():
            actions.open_round(request.user, round_)
        return self._detail(round_)

    @extend_schema(request=None, responses=RoundDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Freezes every unit's result; every scorecard must have been reviewed."""
        round_ = self._changeable()
        with action_errors():
            publication.publish_round(request.user, round_)
        return self._detail(round_)

    @extend_schema(methods=["GET"], responses=ComponentScoreSerializer(many=True))
    @extend_schema(methods=["POST"], request=ComponentScoreInput(many=True), responses=ComponentScoreSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="component-scores")
    def component_scores(self, request, pk=None):
        """The scores of the components entered from outside; POST records a list of them, all or nothing
        (a 400 lists the errors of each row in the order given)."""
        round_ = self._changeable()
        if request.method == "POST":
            self._enter_scores(round_, self._parse(ComponentScoreInput, round_, many=True))
        rows = ComponentScore.objects.filter(component__round=round_).select_related("component", "unit")
        return Response(ComponentScoreSerializer(rows.order_by("component__position", "unit__path"), many=True).data)

    def _enter_scores(self, round_, rows):
        errors = []
        with transaction.atomic():
            for row in rows:
                try:
                    actions.enter_component_score(self.request.user, row["component"], unit=row["unit"], score=row["score"], note=row["note"])
                except DjangoValidationError as error:
                    errors.append(validation_detail(error))
                else:
                    errors.append({})
            if any(errors):
                transaction.set_rollback(True)
        if any(errors):
            raise serializers.ValidationError(errors)

    @extend_schema(
        request={"multipart/form-data": ComponentImportInput}, responses={200: ImportSaved, 400: IMPORT_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="component-scores/import", parser_classes=[MultiPartParser])
    def import_component_scores(self, request, pk=None):
        """Imports the entered components' scores from .xlsx; a file with any problem changes nothing and every
        problem is listed with its row and column."""
        round_ = self._changeable()
        data = self._parse(ComponentImportInput, round_)
        outcome = import_component_scores(request.user, round_, data["file"])
        if not outcome.ok:
            errors = [{"row": e.row, "column": e.column, "letter": e.letter, "detail": e.detail} for e in outcome.errors]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"saved": outcome.saved})
