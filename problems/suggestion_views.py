"""The suggestion box (金点子) pages: submit (openly or anonymously), follow by receipt code, one's own
ideas, the board of adopted ideas, and the office's list, page and handling steps.

An anonymous submission's receipt code is rendered once in the response and stored nowhere else: not
in the session, not in a flash message, not in a URL. Ideas out of the office's scope are 404; a
visible idea the user may not handle is 403.
"""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import permissions
from accounts.roles import GOAL_CHANGE, PROBLEM_RAISE, SUGGESTION_HANDLE, SUGGESTION_SUBMIT, SUGGESTION_VIEW
from core.forms import add_validation_errors, submit
from goals import scoping
from goals.models import Goal, PlanStatus
from organization.models import Unit

from . import suggestions
from .idea_forms import (
    AdoptForm,
    AnswerForm,
    DeclineForm,
    FollowForm,
    ProblemFromForm,
    SuggestionFilterForm,
    SuggestionForm,
    TaskFromForm,
)
from .models import Suggestion, SuggestionStatus

PAGE_SIZE = 50
# Receipt codes have 31^12 values, so guessing is hopeless anyway; the counter only keeps a script
# from hammering the page within one session.
FOLLOW_MISSES = 10
FOLLOW_WINDOW = 15 * 60
DECIDED = (SuggestionStatus.ADOPTED, SuggestionStatus.DECLINED)


def _above_and_own(unit):
    """The user's unit and every unit above it: where an idea may be addressed."""
    paths = [unit.path[:end] for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return Unit.objects.filter(path__in=paths).order_by("path")


def _visible(user):
    """Ideas in the office's scope, and the user's own open ideas."""
    mine = Q(author_id=user.pk, anonymous=False)
    in_scope = permissions.restrict(Suggestion.objects.all(), user, perm=SUGGESTION_VIEW)
    return Suggestion.objects.filter(Q(pk__in=in_scope.values("pk")) | mine)


def _idea(user, pk):
    return get_object_or_404(_visible(user).select_related("unit", "author", "answered_by", "task"), pk=pk)


def _handled(request, pk):
    idea = _idea(request.user, pk)
    if not permissions.has_perm(request.user, SUGGESTION_HANDLE, idea):
        raise PermissionDenied
    return idea


@login_required
@never_cache
def suggestion_submit(request):
    """One column, for a phone. An anonymous idea answers with its receipt code, shown once."""
    user = request.user
    if user.unit_id is None or not permissions.has_perm(user, SUGGESTION_SUBMIT, user.unit):
        raise PermissionDenied
    units = _above_and_own(user.unit)
    form = SuggestionForm(request.POST or None, units=units, initial={"unit": user.unit})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea, code = suggestions.submit(
                user, unit=data["unit"], title=data["title"], content=data["content"], anonymous=data["anonymous"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if code:
                return render(request, "problems/receipt.html", {"code": code, "idea": idea})
            messages.success(request, _("Idea submitted. The office will answer it here."))
            return redirect("problems:my_suggestions")
    return render(request, "problems/suggestion_submit.html", {"form": form})


@login_required
def my_suggestions(request):
    """The ideas the user submitted openly (anonymous ones are followed by their receipt code)."""
    ideas = Suggestion.objects.filter(author=request.user, anonymous=False).select_related("unit", "task")
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "problems/suggestion_mine.html", {"page_obj": page})


def _recent_misses(session, now):
    return [at for at in session.get("suggestion_follow_misses", []) if now - at < FOLLOW_WINDOW]


@login_required
@never_cache
def suggestion_follow(request):
    """Type the receipt code, read the status and the answer. POST only reads: the code stays out of URLs."""
    form = FollowForm(request.POST or None)
    idea, not_found, blocked = None, False, False
    if request.method == "POST" and form.is_valid():
        now = time.time()
        misses = _recent_misses(request.session, now)
        if len(misses) >= FOLLOW_MISSES:
            blocked = True
        else:
            idea = suggestions.follow(form.cleaned_data["code"])
            if idea is None:
                not_found = True
                request.session["suggestion_follow_misses"] = [*misses, now]
    return render(request, "problems/suggestion_follow.html", {
        "form": FollowForm() if idea else form, "idea": idea, "not_found": not_found, "blocked": blocked,
    })


@login_required
def suggestion_board(request):
    """Adopted ideas put on the board, for everyone in the unit they were addressed to (and below)."""
    user = request.user
    paths = [unit.path for unit in _above_and_own(user.unit)] if user.unit_id else []
    ideas = (
        Suggestion.objects.filter(status=SuggestionStatus.ADOPTED, on_board=True, unit__path__in=paths)
        .select_related("unit", "author").order_by("-answered_on", "-id")
    )
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "problems/board.html", {"page_obj": page})


def _counts(ideas):
    """(per unit, per month) counts of the listed ideas, each in one query."""
    per_unit = list(ideas.values("unit__name", "unit__path").annotate(total=Count("id")).order_by("unit__path"))
    per_month = list(
        ideas.annotate(month=TruncMonth("submitted_on")).values("month").annotate(total=Count("id")).order_by("-month")
    )
    return per_unit, per_month


@login_required
def suggestion_list(request):
    """The office's list: filters by status, unit and month; counts per unit and per month on top."""
    user = request.user
    if not permissions.has_any_scope(user, SUGGESTION_VIEW):
        raise PermissionDenied
    units = permissions.visible_units(user, perm=SUGGESTION_VIEW).order_by("path")
    form = SuggestionFilterForm(request.GET or None, units=units)
    ideas = permissions.restrict(Suggestion.objects.all(), user, perm=SUGGESTION_VIEW)
    chosen = form.filters()
    if chosen.get("status"):
        ideas = ideas.filter(status=chosen["status"])
    if chosen.get("unit"):
        ideas = ideas.filter(unit__path__startswith=chosen["unit"].path)
    if chosen.get("month"):
        ideas = ideas.filter(submitted_on__year=chosen["month"].year, submitted_on__month=chosen["month"].month)
    per_unit, per_month = _counts(ideas)
    page = Paginator(ideas.select_related("unit", "author"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "problems/suggestion_list.html", {
        "page_obj": page, "form": form, "per_unit": per_unit, "per_month": per_month, "total": sum(row["total"] for row in per_unit),
    })


@login_required
def suggestion_detail(request, pk):
    user = request.user
    idea = _idea(user, pk)
    handler = permissions.has_perm(user, SUGGESTION_HANDLE, idea)
    problem = getattr(idea, "problem", None) if idea.status == SuggestionStatus.ADOPTED else None
    adopted = idea.status == SuggestionStatus.ADOPTED
    return render(request, "problems/suggestion_detail.html", {
        "idea": idea,
        "problem": problem,
        "can_decide": handler and idea.status not in DECIDED,
        "can_to_problem": handler and adopted and problem is None and permissions.has_perm(user, PROBLEM_RAISE, idea.unit),
        "can_to_task": handler and adopted and idea.task_id is None and permissions.has_any_scope(user, GOAL_CHANGE),
    })


def _decide(request, pk, form_class, perform, title, success):
    idea = _handled(request, pk)
    form = form_class(request.POST or None)
    done = submit(request, form, lambda data: perform(idea, data), success=success, then=idea.get_absolute_url())
    return done or render(request, "problems/suggestion_form.html", {"form": form, "idea": idea, "title": title})


@login_required
def suggestion_answer(request, pk):
    return _decide(
        request, pk, AnswerForm, lambda idea, data: suggestions.answer(request.user, idea, text=data["text"]),
        _("Answer the idea"), _("Answer sent."),
    )


@login_required
def suggestion_adopt(request, pk):
    return _decide(
        request, pk, AdoptForm,
        lambda idea, data: suggestions.adopt(request.user, idea, text=data["text"], on_board=data["on_board"]),
        _("Adopt the idea"), _("Idea adopted."),
    )


@login_required
def suggestion_decline(request, pk):
    return _decide(
        request, pk, DeclineForm, lambda idea, data: suggestions.decline(request.user, idea, reason=data["reason"]),
        _("Decline the idea"), _("Idea declined."),
    )


@login_required
def suggestion_to_problem(request, pk):
    """An adopted idea becomes a problem of the unit it was addressed to: confirm what it says."""
    idea = _handled(request, pk)
    form = ProblemFromForm(request.POST or None, initial={"title": idea.title, "description": idea.content})
    done = submit(
        request, form, lambda data: suggestions.to_problem(request.user, idea, **data),
        success=_("Problem registered from the idea."), then=lambda problem: problem.get_absolute_url(),
    )
    return done or render(request, "problems/suggestion_form.html", {
        "form": form, "idea": idea, "title": _("Turn the idea into a problem"),
    })


def task_goals(user):
    """Goals of published plans the office can see, where an idea may become a task."""
    plans = scoping.visible_plans(user).filter(status=PlanStatus.PUBLISHED)
    return Goal.objects.filter(plan__in=plans).select_related("plan").order_by("-plan__year", "plan__title", "position", "id")


@login_required
def suggestion_to_task(request, pk):
    """An adopted idea becomes a task under a goal of a published plan (the goals rules apply)."""
    idea = _handled(request, pk)
    units = permissions.restrict(Unit.objects.filter(is_active=True), request.user, perm=GOAL_CHANGE).order_by("path")
    form = TaskFromForm(request.POST or None, goals=task_goals(request.user), units=units, initial={"title": idea.title})
    done = submit(
        request, form,
        lambda data: suggestions.to_task(
            request.user, idea, goal=data["goal"], title=data["title"], lead_unit=data["lead_unit"],
            start_date=data["start_date"], due_date=data["due_date"],
        ),
        success=_("Task created from the idea."), then=idea.get_absolute_url(),
    )
    return done or render(request, "problems/suggestion_form.html", {
        "form": form, "idea": idea, "title": _("Turn the idea into a task"),
    })
