"""/api/v1/suggestions/ (金点子) and /api/v1/feedback/ (网络问政 / 电话投诉).

Ideas are seen by those who read the suggestion box of the unit they were addressed to, and open
(named) ideas by their own author; feedback by those who read the handling unit's feedback. Others
are 404; a visible record the user may not act on is 403, before any input is read.

An anonymous idea's receipt code is in the submission's response only, never stored, never logged,
never put in a URL: it is followed with POST /suggestions/follow/. Feedback contacts are masked in
lists and shown in full only to those who record feedback over the unit.
"""

import time

import django_filters
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.response import Response

from accounts import permissions
from accounts.roles import (
    FEEDBACK_CHANGE,
    FEEDBACK_REPLY,
    FEEDBACK_VIEW,
    PROBLEM_RAISE,
    SUGGESTION_HANDLE,
    SUGGESTION_SUBMIT,
    SUGGESTION_VIEW,
)
from core.api import IdFilter, action_errors
from organization.models import Unit

from .. import feedback as feedback_actions
from .. import origins, suggestions
from ..models import Channel, Feedback, FeedbackStatus, Suggestion, SuggestionStatus
from .inputs import (
    FeedbackRecordInput,
    FeedbackReplyInput,
    FollowInput,
    ProblemFromInput,
    SuggestionAdoptInput,
    SuggestionAnswerInput,
    SuggestionDeclineInput,
    SuggestionSubmitInput,
    SuggestionTaskInput,
)
from .serializers import (
    FeedbackSerializer,
    ProblemDetailSerializer,
    SuggestionFollowSerializer,
    SuggestionReceiptSerializer,
    SuggestionSerializer,
)
from .views import parse, problem_detail

# As on the follow page: receipt codes have 31^12 values, so guessing is hopeless anyway; the limit
# only keeps a script from hammering the endpoint.
FOLLOW_MISSES = 10
FOLLOW_WINDOW = 15 * 60


def _subtree(queryset, value):
    path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(unit__path__startswith=path) if path else queryset.none()


def _private(response):
    add_never_cache_headers(response)
    return response


class SuggestionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SuggestionStatus.choices)
    unit = IdFilter(method="filter_unit", label=_("Ideas addressed to this unit or a unit under it"))
    year = django_filters.NumberFilter(field_name="submitted_on", lookup_expr="year", label=_("Year submitted"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("The ideas the user submitted openly"))

    class Meta:
        model = Suggestion
        fields = ["status", "unit", "year", "mine"]

    def filter_unit(self, queryset, name, value: int):
        return _subtree(queryset, value)

    def filter_mine(self, queryset, name, value: bool):
        mine = Q(author_id=self.request.user.pk, anonymous=False)
        return queryset.filter(mine) if value else queryset.exclude(mine)


class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ideas addressed to units in the user's scope, and the user's own open ideas, newest first."""

    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        in_scope = permissions.restrict(Suggestion.objects.all(), user, perm=SUGGESTION_VIEW)
        visible = Q(pk__in=in_scope.values("pk")) | Q(author_id=user.pk, anonymous=False)
        return Suggestion.objects.filter(visible).select_related("unit", "author", "answered_by", "problem")

    def _handled(self):
        idea = self.get_object()
        permissions.require(self.request.user, SUGGESTION_HANDLE, idea)
        return idea

    @extend_schema(request=SuggestionSubmitInput, responses={201: SuggestionReceiptSerializer})
    def create(self, request):
        """Submits an idea to the user's unit or a unit above it. An anonymous one keeps no link to its
        author; its receipt code is in this response and nowhere else."""
        user = request.user
        if user.unit_id is None or not permissions.has_perm(user, SUGGESTION_SUBMIT, user.unit):
            raise PermissionDenied
        data = parse(request, SuggestionSubmitInput)
        with action_errors():
            idea, code = suggestions.submit(
                user, unit=data.get("unit", user.unit), title=data["title"], content=data["content"], anonymous=data["anonymous"],
            )
        idea.receipt_code = code
        return _private(Response(SuggestionReceiptSerializer(idea).data, status=status.HTTP_201_CREATED))

    @extend_schema(request=FollowInput, responses={200: SuggestionFollowSerializer, 404: None, 429: None})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def follow(self, request):
        """The status and answer of the idea a receipt code was given for. POST, so that the code stays
        out of URLs and access logs; ten wrong codes in a quarter of an hour block the caller for a while."""
        key = f"suggestion-follow-misses:{request.user.pk}"
        now = time.time()
        misses = [at for at in cache.get(key, []) if now - at < FOLLOW_WINDOW]
        if len(misses) >= FOLLOW_MISSES:
            raise Throttled(wait=FOLLOW_WINDOW - (now - misses[0]))
        code = parse(request, FollowInput)["code"]
        idea = suggestions.follow(code)
        if idea is None:
            cache.set(key, [*misses, now], FOLLOW_WINDOW)
            raise NotFound(_("No idea was submitted with this receipt code."))
        return _private(Response(SuggestionFollowSerializer(idea).data))

    @extend_schema(request=SuggestionAnswerInput, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answers an idea not yet decided."""
        idea = self._handled()
        data = parse(request, SuggestionAnswerInput)
        with action_errors():
            return Response(SuggestionSerializer(suggestions.answer(request.user, idea, text=data["text"])).data)

    @extend_schema(request=SuggestionAdoptInput, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        """Adopts an idea with the answer its author reads; ``on_board`` shows it on the board."""
        idea = self._handled()
        data = parse(request, SuggestionAdoptInput)
        with action_errors():
            idea = suggestions.adopt(request.user, idea, text=data["text"], on_board=data["on_board"])
        return Response(SuggestionSerializer(idea).data)

    @extend_schema(request=SuggestionDeclineInput, responses=SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Declines an idea with the reason its author reads."""
        idea = self._handled()
        data = parse(request, SuggestionDeclineInput)
        with action_errors():
            return Response(SuggestionSerializer(suggestions.decline(request.user, idea, reason=data["reason"])).data)

    @extend_schema(request=ProblemFromInput, responses={201: ProblemDetailSerializer})
    @action(detail=True, methods=["post"], url_path="to-problem")
    def to_problem(self, request, pk=None):
        """An adopted idea becomes a problem of the unit it was addressed to (unnamed if the idea was anonymous)."""
        idea = self._handled()
        data = parse(request, ProblemFromInput)
        with action_errors():
            problem = suggestions.to_problem(request.user, idea, **data)
        return problem_detail(problem, status.HTTP_201_CREATED)

    @extend_schema(request=SuggestionTaskInput, responses={201: SuggestionSerializer})
    @action(detail=True, methods=["post"], url_path="to-task")
    def to_task(self, request, pk=None):
        """An adopted idea becomes a task under a goal of a published plan (the goal-management rules apply);
        the answer carries the new task's id."""
        idea = self._handled()
        data = dict(parse(request, SuggestionTaskInput))
        with action_errors():
            suggestions.to_task(request.user, idea, goal=data.pop("goal"), **data)
        return Response(SuggestionSerializer(self.get_queryset().get(pk=idea.pk)).data, status=status.HTTP_201_CREATED)


class FeedbackFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Awaiting the reply past the reply date"))
    unit = IdFilter(method="filter_unit", label=_("Feedback handled by this unit or a unit under it"))

    class Meta:
        model = Feedback
        fields = ["channel", "status", "overdue", "unit"]

    def filter_overdue(self, queryset, name, value: bool):
        late = Q(status=FeedbackStatus.OPEN, reply_due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_unit(self, queryset, name, value: int):
        return _subtree(queryset, value)


class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Public feedback handled by units in the user's scope, newest first; contacts masked in the list."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = Feedback.objects.select_related("unit", "replied_by", "problem")
        return permissions.restrict(queryset, self.request.user, perm=FEEDBACK_VIEW)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _detail(self, record, code=status.HTTP_200_OK):
        """One record; the full contact only for those who record or answer feedback over its unit."""
        full = feedback_actions.shows_full_contact(self.request.user, record)
        data = FeedbackSerializer(record, context={**self.get_serializer_context(), "full_contact": full}).data
        return _private(Response(data, status=code)) if full else Response(data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(request=FeedbackRecordInput, responses={201: FeedbackSerializer})
    def create(self, request):
        """Records a call or an online inquiry and hands it to a unit with a reply date."""
        if not permissions.has_any_scope(request.user, FEEDBACK_CHANGE):
            raise PermissionDenied
        data = parse(request, FeedbackRecordInput)
        with action_errors():
            record = feedback_actions.record(request.user, **data)
        return self._detail(record, status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackReplyInput, responses=FeedbackSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The handling unit replies to feedback awaiting its reply."""
        record = self.get_object()
        permissions.require(request.user, FEEDBACK_REPLY, record)
        data = parse(request, FeedbackReplyInput)
        with action_errors():
            return self._detail(feedback_actions.reply(request.user, record, text=data["text"]))

    @extend_schema(request=ProblemFromInput, responses={201: ProblemDetailSerializer})
    @action(detail=True, methods=["post"], url_path="to-problem")
    def to_problem(self, request, pk=None):
        """A complaint becomes a problem of the unit handling it."""
        record = self.get_object()
        permissions.require(request.user, PROBLEM_RAISE, record.unit)
        data = parse(request, ProblemFromInput)
        with action_errors():
            problem = origins.from_feedback(request.user, record, **data)
        return problem_detail(problem, status.HTTP_201_CREATED)
