"""/api/v1/supervision-notices/: 督办单 issued, replied to, closed or escalated (提醒 → 督办 → 约谈/通报).

Notices are those ``scoping.visible_notices`` gives (on units in the user's scope), others are 404;
goals.supervision decides who issues, replies, closes and escalates (403 otherwise).
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import GOAL_CHANGE
from core.api import IdFilter, action_errors
from organization.models import Unit

from .. import scoping, supervision
from ..models import SupervisionLevel, SupervisionNotice, SupervisionStatus
from .figures import mark
from .inputs import EscalateInput, NoticeCreateInput, NoticeReplyInput
from .serializers import NoticeSerializer


class NoticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SupervisionStatus.choices)
    level = django_filters.ChoiceFilter(choices=SupervisionLevel.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Awaiting the reply past the reply date"))
    unit = IdFilter(method="filter_unit", label=_("Notices on this unit or a unit under it"))
    task = IdFilter(field_name="task_id", label=_("Notices on this task"))

    class Meta:
        model = SupervisionNotice
        fields = ["status", "level", "overdue", "unit", "task"]

    def filter_overdue(self, queryset, name, value: bool):
        late = supervision.overdue(queryset).values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_unit(self, queryset, name, value: int):
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(unit__path__startswith=path) if path else queryset.none()


def _serialize(notices, many=False):
    rows = list(notices) if many else [notices]
    today = timezone.localdate()
    mark([notice.task for notice in rows], today)
    for notice in rows:
        notice.overdue = supervision.is_overdue(notice, today)
    return NoticeSerializer(rows if many else notices, many=many).data


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Supervision notices on the units in the user's scope, newest first."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return scoping.visible_notices(self.request.user).select_related(
            "task", "unit", "issuing_unit", "issued_by", "replied_by", "escalated_to"
        )

    def _parse(self, input_class):
        data = input_class(data=self.request.data, context={"request": self.request})
        data.is_valid(raise_exception=True)
        return data.validated_data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(_serialize(page, many=True))

    def retrieve(self, request, pk=None):
        return Response(_serialize(self.get_object()))

    @extend_schema(request=NoticeCreateInput, responses={201: NoticeSerializer})
    def create(self, request):
        """Issues a notice on a lagging task (its lead unit is supervised) or on a unit as a whole."""
        if not permissions.has_any_scope(request.user, GOAL_CHANGE):
            raise PermissionDenied
        data = self._parse(NoticeCreateInput)
        with action_errors():
            notice = supervision.issue_notice(request.user, **data)
        return Response(_serialize(notice), status=status.HTTP_201_CREATED)

    @extend_schema(request=NoticeReplyInput, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The supervised unit answers a notice awaiting its reply."""
        notice = self.get_object()
        data = self._parse(NoticeReplyInput)
        with action_errors():
            return Response(_serialize(supervision.reply(request.user, notice, text=data["text"])))

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The issuing office closes the notice."""
        with action_errors():
            return Response(_serialize(supervision.close(request.user, self.get_object())))

    @extend_schema(request=EscalateInput, responses={201: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """The issuing office escalates a replied or overdue notice: answers with the new notice at the next level."""
        notice = self.get_object()
        data = self._parse(EscalateInput)
        with action_errors():
            following = supervision.escalate(request.user, notice, reason=data["reason"], reply_due=data["reply_due"])
        return Response(_serialize(following), status=status.HTTP_201_CREATED)
