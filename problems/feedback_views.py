"""Public feedback pages (网络问政 / 电话投诉): the list with masked contacts and its filters, a record's
page (full contact only for the office that records feedback), recording, replying, and turning a
complaint into a problem.

Records out of the user's scope are 404; a visible record the user may not act on is 403.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import FEEDBACK_CHANGE, FEEDBACK_REPLY, FEEDBACK_VIEW, PROBLEM_RAISE
from core.forms import submit
from organization.models import Unit

from . import feedback as feedback_actions
from . import origins
from .idea_forms import FeedbackFilterForm, FeedbackForm, FeedbackReplyForm, ProblemFromForm
from .models import Feedback, FeedbackStatus

PAGE_SIZE = 50


def _visible(user):
    return permissions.restrict(Feedback.objects.all(), user, perm=FEEDBACK_VIEW)


def _record(user, pk):
    return get_object_or_404(_visible(user).select_related("unit", "recorded_by", "replied_by"), pk=pk)


def _mask(record):
    record.masked_name = feedback_actions.mask_name(record.contact_name)
    record.masked_phone = feedback_actions.mask_phone(record.contact_phone)
    return record


@login_required
def feedback_list(request):
    """Every record the user may see, filtered, newest first; contacts masked, overdue ones flagged."""
    user = request.user
    if not permissions.has_any_scope(user, FEEDBACK_VIEW):
        raise PermissionDenied
    units = permissions.visible_units(user, perm=FEEDBACK_VIEW).order_by("path")
    form = FeedbackFilterForm(request.GET or None, units=units)
    records = _visible(user)
    chosen = form.filters()
    today = timezone.localdate()
    if chosen.get("channel"):
        records = records.filter(channel=chosen["channel"])
    if chosen.get("status"):
        records = records.filter(status=chosen["status"])
    if chosen.get("overdue"):
        records = records.filter(status=FeedbackStatus.OPEN, reply_due__lt=today)
    if chosen.get("unit"):
        records = records.filter(unit__path__startswith=chosen["unit"].path)
    page = Paginator(records.select_related("unit"), PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page:
        _mask(record)
        record.overdue = feedback_actions.is_overdue(record, today)
    return render(request, "problems/feedback_list.html", {
        "page_obj": page, "form": form, "can_add": permissions.has_any_scope(user, FEEDBACK_CHANGE),
    })


@login_required
def feedback_detail(request, pk):
    user = request.user
    record = _mask(_record(user, pk))
    problem = getattr(record, "problem", None)
    return render(request, "problems/feedback_detail.html", {
        "record": record,
        "problem": problem,
        "overdue": feedback_actions.is_overdue(record),
        "full_contact": feedback_actions.shows_full_contact(user, record),
        "can_reply": record.status == FeedbackStatus.OPEN and permissions.has_perm(user, FEEDBACK_REPLY, record),
        "can_to_problem": problem is None and permissions.has_perm(user, PROBLEM_RAISE, record.unit),
    })


@login_required
def feedback_add(request):
    """The office writes down a call or an online inquiry and hands it to a unit."""
    user = request.user
    if not permissions.has_any_scope(user, FEEDBACK_CHANGE):
        raise PermissionDenied
    units = permissions.restrict(Unit.objects.filter(is_active=True), user, perm=FEEDBACK_CHANGE).order_by("path")
    form = FeedbackForm(request.POST or None, units=units)
    done = submit(
        request, form, lambda data: feedback_actions.record(user, **data),
        success=_("Feedback recorded."), then=lambda record: record.get_absolute_url(),
    )
    return done or render(request, "problems/feedback_form.html", {"form": form, "title": _("Record public feedback")})


@login_required
def feedback_reply(request, pk):
    record = _record(request.user, pk)
    if not permissions.has_perm(request.user, FEEDBACK_REPLY, record):
        raise PermissionDenied
    form = FeedbackReplyForm(request.POST or None)
    done = submit(
        request, form, lambda data: feedback_actions.reply(request.user, record, text=data["text"]),
        success=_("Reply saved."), then=record.get_absolute_url(),
    )
    return done or render(request, "problems/feedback_form.html", {
        "form": form, "record": _mask(record), "title": _("Reply to the feedback"),
    })


@login_required
def feedback_to_problem(request, pk):
    """A complaint becomes a problem of the unit handling it: confirm what it says."""
    record = _record(request.user, pk)
    if not permissions.has_perm(request.user, PROBLEM_RAISE, record.unit):
        raise PermissionDenied
    form = ProblemFromForm(request.POST or None, initial={"title": record.content[:60], "description": record.content})
    done = submit(
        request, form, lambda data: origins.from_feedback(request.user, record, **data),
        success=_("Problem registered from the feedback."), then=lambda problem: problem.get_absolute_url(),
    )
    return done or render(request, "problems/feedback_form.html", {
        "form": form, "record": _mask(record), "title": _("Turn the feedback into a problem"),
    })
