"""Workbench section: the rectification work waiting for the user: open measures they answer for
(overdue first) and problems of their scope waiting for their sign-off."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.roles import PROBLEM_VERIFY
from core.workbench import register

from . import actions
from .models import Measure, Problem, ProblemStatus

ROWS = 5


def my_measures(user, today):
    """Open measures of problems being rectified where the user is the responsible person or leader."""
    measures = (
        Measure.objects.filter(done=False, problem__status=ProblemStatus.RECTIFYING)
        .filter(Q(person_id=user.pk) | Q(leader_id=user.pk))
        .select_related("problem", "unit")
        .order_by("deadline", "id")
    )
    rows = list(measures[: ROWS + 1])
    for measure in rows:
        measure.overdue = actions.is_overdue(measure, today)
    return rows


def to_verify(user):
    """Problems submitted for verification that the user may sign off."""
    paths = permissions.scope_paths(user, PROBLEM_VERIFY)
    if not paths:
        return []
    submitted = permissions.restrict(
        Problem.objects.filter(status=ProblemStatus.SUBMITTED), user, perm=PROBLEM_VERIFY
    ).select_related("unit").order_by("updated_at", "id")
    return [problem for problem in submitted[: ROWS * 4] if actions.may_verify(user, problem)][: ROWS + 1]


@register(order=25)
def my_rectification(request):
    user = request.user
    measures, problems = my_measures(user, timezone.localdate()), to_verify(user)
    if not (measures or problems):
        return None
    return {
        "title": _("Problems & rectification"),
        "template": "problems/workbench.html",
        "context": {
            "measures": measures[:ROWS], "more_measures": len(measures) > ROWS,
            "to_verify": problems[:ROWS], "more_to_verify": len(problems) > ROWS,
        },
    }
