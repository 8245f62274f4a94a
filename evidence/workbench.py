"""Workbench sections of inspection visits: an inspector's own access, and the office's open visits."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.roles import VISIT_CHANGE, VISIT_VIEW
from core.workbench import register

from .models import InspectionVisit
from .visit_views import ENDED, ENDED_EARLY, OPEN, access_end, annotate

# An ended access stays on the inspector's workbench this long, so they learn why the ledger is gone.
ENDED_SHOWN_FOR = datetime.timedelta(days=30)
ENDING_SOON = datetime.timedelta(hours=24)
OFFICE_ROWS = 10


@register(order=5)
def my_inspection_access(request):
    """For a member of an inspection team: the units they may read now, until when, and what ended."""
    now = timezone.now()
    visits = list(
        InspectionVisit.objects.filter(members=request.user, valid_until__gt=now - ENDED_SHOWN_FOR)
        .prefetch_related("units")
        .order_by("valid_from", "id")
    )
    if not visits:
        return None
    annotate(visits, now)
    for visit in visits:
        visit.access_end = access_end(visit)
        visit.ended = visit.status in (ENDED, ENDED_EARLY)
        visit.unit_rows = [(unit, f"{reverse('evidence:ledger')}?unit={unit.pk}") for unit in visit.units.all()]
    return {
        "title": _("My inspection access"),
        "template": "evidence/visit_workbench_mine.html",
        "context": {"visits": visits, "has_current": any(visit.status == OPEN for visit in visits)},
    }


@register(order=35)
def inspection_visits(request):
    """For the office: the inspection teams that can read ledgers now, the nearest end first."""
    if not permissions.has_any_scope(request.user, VISIT_VIEW):
        return None
    now = timezone.now()
    visits = list(
        permissions.restrict(InspectionVisit.objects.all(), request.user, "view")
        .filter(ended_at__isnull=True, valid_from__lte=now, valid_until__gt=now)
        .order_by("valid_until", "id")[:OFFICE_ROWS]
    )
    for visit in visits:
        visit.ending_soon = visit.valid_until - now <= ENDING_SOON
    return {
        "title": _("Inspection visits"),
        "template": "evidence/visit_workbench_office.html",
        "context": {
            "visits": visits,
            "list_url": reverse("evidence:visits"),
            "create_url": reverse("evidence:visit_create") if permissions.has_any_scope(request.user, VISIT_CHANGE) else "",
        },
    }
