"""/api/v1/people/: people through the same permission layer as the pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, ScopedViewSetMixin, action_errors
from organization.models import Unit

from .. import actions
from ..models import PartyStatus, User
from .serializers import PersonCreateSerializer, PersonSerializer, PersonUpdateSerializer


class PersonFilter(django_filters.FilterSet):
    # A plain number, not a model choice: an id outside the scope must not answer differently
    # from one that does not exist.
    unit = IdFilter(method="filter_unit", label=_("People of exactly this unit"))
    within = IdFilter(method="filter_within", label=_("People of this unit and all units under it"))
    party_status = django_filters.ChoiceFilter(choices=PartyStatus.choices)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label=_("Search name or username"))

    class Meta:
        model = User
        fields = ["party_status", "is_active"]

    def filter_unit(self, queryset, name, value: int):
        return queryset.filter(unit_id=value)

    def filter_within(self, queryset, name, value: int):
        # Only the path is read; the people found are still restricted to the user's scope.
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(unit__path__startswith=path) if path else queryset.none()

    def filter_q(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(real_name__icontains=value) | Q(username__icontains=value))


class PersonViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """People the user can see, ordered by unit. Changes go through accounts.actions."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def base_queryset(self):
        return User.objects.select_related("unit", "party_unit").order_by("unit__path", "sort_order", "id")

    def _respond(self, person, status_code=status.HTTP_200_OK):
        person = self.base_queryset().get(pk=person.pk)
        return Response(PersonSerializer(person, context=self.get_serializer_context()).data, status=status_code)

    def _input(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request):
        data = self._input(PersonCreateSerializer)
        with action_errors():
            person = actions.create_person(request.user, **data)
        return self._respond(person, status.HTTP_201_CREATED)

    @extend_schema(request=PersonUpdateSerializer, responses=PersonSerializer)
    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = self._input(PersonUpdateSerializer, partial=True)
        with action_errors():
            person = actions.update_person(request.user, person, **data)
        return self._respond(person)

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        """Enables the account."""
        with action_errors():
            person = actions.set_person_active(request.user, self.get_object(), True)
        return self._respond(person)

    @extend_schema(request=None, responses=PersonSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        """Disables the account and ends its sessions."""
        with action_errors():
            person = actions.set_person_active(request.user, self.get_object(), False)
        return self._respond(person)
