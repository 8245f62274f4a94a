"""Pages of inspection visits (迎检): the office opens, follows and ends an inspection team's access."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import VISIT_CHANGE, VISIT_VIEW
from audit.models import AuditEntry
from core.forms import submit

from . import actions
from .models import InspectionVisit
from .visit_forms import VisitForm

PAGE_SIZE = 50
OPENED_PAGE_SIZE = 100
# What the team did with a file; only these entries of the trail belong to the visit's record.
FILE_ACTIONS = ("download", "preview")

SCHEDULED, OPEN, ENDED, ENDED_EARLY = "scheduled", "open", "ended", "ended_early"
STATUS_LABELS = {
    SCHEDULED: gettext_lazy("Scheduled"),
    OPEN: gettext_lazy("Open"),
    ENDED: gettext_lazy("Ended"),
    ENDED_EARLY: gettext_lazy("Ended early"),
}
STATUS_BADGES = {SCHEDULED: "text-bg-info", OPEN: "text-bg-success", ENDED: "text-bg-secondary", ENDED_EARLY: "text-bg-warning"}


def status_of(visit, now):
    if visit.ended_at is not None and visit.ended_at < visit.valid_until:
        return ENDED_EARLY
    if now >= visit.valid_until or visit.ended_at is not None:
        return ENDED
    return SCHEDULED if now < visit.valid_from else OPEN


def access_end(visit):
    """When the team's access stopped (or will stop)."""
    if visit.ended_at is not None:
        return min(visit.ended_at, visit.valid_until)
    return visit.valid_until


def annotate(visits, now):
    """Sets status, label and badge on each visit for the templates."""
    for visit in visits:
        visit.status = status_of(visit, now)
        visit.status_label = STATUS_LABELS[visit.status]
        visit.status_badge = STATUS_BADGES[visit.status]
    return visits


def _visible_visits(user):
    return permissions.restrict(InspectionVisit.objects.select_related("unit", "granted_by"), user, "view")


@login_required
def visit_list(request):
    if not permissions.has_any_scope(request.user, VISIT_VIEW):
        raise PermissionDenied
    visits = _visible_visits(request.user).prefetch_related("units", "members").order_by("-valid_from", "-id")
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    annotate(page.object_list, timezone.now())
    return render(
        request,
        "evidence/visit_list.html",
        {"page_obj": page, "can_create": permissions.has_any_scope(request.user, VISIT_CHANGE)},
    )


def _initial_window():
    start = timezone.localtime().replace(second=0, microsecond=0)
    return {"valid_from": start, "valid_until": start + datetime.timedelta(days=1)}


@login_required
def visit_create(request):
    if not permissions.has_any_scope(request.user, VISIT_CHANGE):
        raise PermissionDenied
    form = VisitForm(request.POST or None, user=request.user, initial=_initial_window())

    def perform(data):
        return actions.create_inspection_visit(
            request.user,
            unit=data["granting_unit"],
            team_name=data["team_name"],
            purpose=data["purpose"],
            members=data["members"],
            units=list(data["units"]),
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
        )

    done = submit(
        request, form, perform,
        success=_("Inspection access granted."),
        then=lambda visit: reverse("evidence:visit_detail", args=[visit.pk]),
    )
    return done or render(request, "evidence/visit_form.html", {"form": form})


def _opened_files(request, visit, members, units):
    """The files the team opened during the visit, from the audit trail.

    The office reads these entries here although the audit trail pages are for auditors only:
    they are the visit's own record, so only downloads and previews by its members, in its
    window, of its units.
    """
    if not members or not units:
        return AuditEntry.objects.none()
    in_units = Q()
    for unit in units:
        in_units |= Q(unit__path__startswith=unit.path)
    entries = AuditEntry.objects.filter(
        action__in=FILE_ACTIONS,
        actor_id__in=[person.pk for person in members],
        timestamp__gte=visit.valid_from,
        timestamp__lt=access_end(visit),
    ).filter(in_units)
    # And never outside what the reader may see of visits, should a unit have moved since.
    return permissions.restrict(entries.select_related("unit"), request.user, perm=VISIT_VIEW).order_by("-timestamp", "-id")


@login_required
def visit_detail(request, pk):
    visit = permissions.get_visible_or_404(_visible_visits(request.user), request.user, pk=pk)
    now = timezone.now()
    annotate([visit], now)
    members = list(visit.members.order_by("username"))
    units = list(visit.units.order_by("path"))
    opened = Paginator(_opened_files(request, visit, members, units), OPENED_PAGE_SIZE).get_page(request.GET.get("page"))
    names = {person.pk: person for person in members}
    for entry in opened.object_list:
        entry.member = names.get(entry.actor_id)
    return render(
        request,
        "evidence/visit_detail.html",
        {
            "visit": visit,
            "members": members,
            "units": units,
            "page_obj": opened,
            "access_end": access_end(visit),
            "can_end": visit.status in (SCHEDULED, OPEN) and permissions.has_perm(request.user, VISIT_CHANGE, visit),
        },
    )


@login_required
@require_POST
def visit_end(request, pk):
    visit = permissions.get_visible_or_404(_visible_visits(request.user), request.user, pk=pk)
    permissions.require(request.user, VISIT_CHANGE, visit)
    if status_of(visit, timezone.now()) in (ENDED, ENDED_EARLY):
        # Ending again would overwrite when the access really stopped.
        messages.warning(request, _("This inspection access has already ended."))
    else:
        try:
            actions.end_inspection_visit(request.user, visit)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Inspection access ended; the team can no longer read the ledgers."))
    return redirect("evidence:visit_detail", visit.pk)
