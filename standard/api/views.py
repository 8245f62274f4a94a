"""/api/v1/standards/: the standards a user is scored against or keeps, with their tree of nodes.

A standard is read by every unit below its owner, so the queryset is ``visible_standards`` (scope
and ancestors) rather than the plain scope of ScopedViewSetMixin.
"""

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api import IdFilter, action_errors

from .. import spreadsheet
from ..actions import visible_standards
from ..models import Level, Standard, StandardStatus
from ..scoring import Tree
from .serializers import StandardImportSerializer, StandardSerializer, StandardTreeSerializer


class StandardFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=StandardStatus.choices)
    unit = IdFilter(field_name="unit_id", label=_("Standards owned by this unit"))

    class Meta:
        model = Standard
        fields = ["status", "unit"]


IMPORT_ERRORS = inline_serializer("StandardImportErrors", fields={
    "errors": serializers.ListField(child=inline_serializer("StandardImportError", fields={
        "row": serializers.IntegerField(allow_null=True),
        "column": serializers.CharField(),
        "letter": serializers.CharField(),
        "detail": serializers.CharField(),
    })),
})


class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Standards the user may read; the detail holds the whole tree (dimensions → indicators → items)."""

    serializer_class = StandardSerializer
    filterset_class = StandardFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = visible_standards(self.request.user).select_related("unit").annotate(
            item_count=Count("nodes", filter=Q(nodes__level=Level.ITEM))
        ).order_by("unit__path", "name", "-version")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("nodes")
        return queryset

    @extend_schema(responses=StandardTreeSerializer)
    def retrieve(self, request, pk=None):
        standard = self.get_object()
        tree = Tree.of(standard)
        for node in tree.nodes:
            node.kids = tree.children.get(node.pk, [])
        standard.dimensions = tree.dimensions
        return Response(StandardTreeSerializer(standard, context=self.get_serializer_context()).data)

    @extend_schema(request={"multipart/form-data": StandardImportSerializer}, responses={201: StandardSerializer, 400: IMPORT_ERRORS})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        """Creates a draft standard from an .xlsx file; any problem in the file creates nothing and every problem is listed."""
        data = StandardImportSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with action_errors():
            result = spreadsheet.import_standard(
                request.user, data.validated_data["file"], unit=data.validated_data["unit"], name=data.validated_data.get("name", "")
            )
        if not result.ok:
            errors = [{"row": e.row, "column": e.column, "letter": e.letter, "detail": e.detail} for e in result.errors]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(StandardSerializer(self.get_queryset().get(pk=result.standard.pk)).data, status=status.HTTP_201_CREATED)
