"""Workbench sections: scorecards waiting for the user's self-assessment, and for their review."""

from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.roles import SCORECARD_FILL, SCORECARD_REVIEW
from core.workbench import register

from .models import EDITABLE_STATUSES, RoundStatus, Scorecard, ScorecardStatus

ROWS = 10


@register(order=15)
def my_scorecards(request):
    user = request.user
    if not (permissions.has_any_scope(user, SCORECARD_FILL) or permissions.has_any_scope(user, SCORECARD_REVIEW)):
        return None
    open_cards = Scorecard.objects.filter(round__status=RoundStatus.OPEN).select_related("round", "unit")
    to_fill = list(
        permissions.restrict(open_cards, user, perm=SCORECARD_FILL)
        .filter(status__in=EDITABLE_STATUSES)
        .order_by("round__self_assessment_due", "unit__path")[:ROWS]
    )
    to_review = list(
        permissions.restrict(open_cards, user, perm=SCORECARD_REVIEW)
        .filter(status=ScorecardStatus.SUBMITTED)
        .exclude(unit_id=user.unit_id)
        .order_by("round__review_due", "unit__path")[:ROWS]
    )
    if not (to_fill or to_review):
        return None
    return {
        "title": _("Assessment"),
        "template": "assessment/workbench.html",
        "context": {"to_fill": to_fill, "to_review": to_review},
    }
