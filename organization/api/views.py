"""/api/v1/units/: the unit tree through the same permission layer as the pages."""

import django_filters
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSetMixin, action_errors

from .. import actions
from ..models import Unit, UnitKind
from .serializers import UnitCreateSerializer, UnitMoveSerializer, UnitSerializer, UnitUpdateSerializer


def with_parent(queryset):
    """Annotates each unit with its parent's id: one correlated subquery instead of a query per row."""
    parent = Unit.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent))


def _unit_path(pk):
    """The path of a unit named in a filter. Only the path is read: the rows found are still
    restricted to the user's scope, so a unit outside it narrows nothing into view."""
    return Unit.objects.filter(pk=pk).values_list("path", flat=True).first()


class UnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    is_active = django_filters.BooleanFilter()
    code = django_filters.CharFilter(lookup_expr="iexact")
    parent = IdFilter(method="filter_parent", label=_("Children of this unit"))
    within = IdFilter(method="filter_within", label=_("This unit and all units under it"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search name, short name or code"))

    class Meta:
        model = Unit
        fields = ["kind", "is_active", "code"]

    def filter_parent(self, queryset, name, value: int):
        path = _unit_path(value)
        if path is None:
            return queryset.none()
        return queryset.filter(path__startswith=path, depth=len(path) // Unit.steplen + 1)

    def filter_within(self, queryset, name, value: int):
        path = _unit_path(value)
        return queryset.filter(path__startswith=path) if path else queryset.none()

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__icontains=value))


class UnitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Units the user can see, in tree order. Changes go through organization.actions."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def base_queryset(self):
        return with_parent(Unit.objects.all())

    def _respond(self, unit, status_code=status.HTTP_200_OK):
        # Re-read with the annotation; the action has just shown the user may act on this unit.
        unit = self.base_queryset().get(pk=unit.pk)
        return Response(UnitSerializer(unit, context=self.get_serializer_context()).data, status=status_code)

    def _input(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=UnitCreateSerializer, responses={201: UnitSerializer})
    def create(self, request):
        data = self._input(UnitCreateSerializer)
        with action_errors():
            unit = actions.create_unit(
                request.user,
                parent=data["parent"],
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
                short_name=data.get("short_name", ""),
            )
        return self._respond(unit, status.HTTP_201_CREATED)

    @extend_schema(request=UnitUpdateSerializer, responses=UnitSerializer)
    def partial_update(self, request, pk=None):
        unit = self.get_object()
        data = self._input(UnitUpdateSerializer, partial=True)
        with action_errors():
            unit = actions.update_unit(
                request.user,
                unit,
                name=data.get("name", unit.name),
                code=data.get("code", unit.code),
                short_name=data.get("short_name", unit.short_name),
                kind=data.get("kind"),
            )
        return self._respond(unit)

    @extend_schema(request=UnitMoveSerializer, responses=UnitSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Moves the unit with its whole subtree under another unit."""
        unit = self.get_object()
        data = self._input(UnitMoveSerializer)
        with action_errors():
            unit = actions.move_unit(request.user, unit, new_parent=data["parent"])
        return self._respond(unit)

    @extend_schema(request=None, responses=UnitSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Deactivates the unit and its subtree; refused while active people belong there."""
        with action_errors():
            unit = actions.deactivate_unit(request.user, self.get_object())
        return self._respond(unit)

    @extend_schema(request=None, responses=UnitSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """Reactivates the unit; its parent must be active."""
        with action_errors():
            unit = actions.reactivate_unit(request.user, self.get_object())
        return self._respond(unit)
