"""One step from a weakness of a published scorecard, or from a supervision notice, to a problem:
a confirmation form with the title and description filled in from the origin.

The origin must be visible to the user (404 otherwise) and the user must be able to raise problems
in its unit (403 otherwise). Refusals of the rule (not published, not a weakness, already a problem)
are shown on the page.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import PROBLEM_RAISE, SCORECARD_VIEW
from assessment import publication
from assessment.models import ItemScore, ScorecardStatus
from core.forms import submit
from goals import scoping

from . import origins
from .idea_forms import ProblemFromForm
from .models import Problem


def _visible_item(user, pk):
    queryset = ItemScore.objects.select_related("scorecard__round", "scorecard__unit", "node")
    item = permissions.restrict(queryset, user, perm=SCORECARD_VIEW).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _weakness_reasons(item):
    """Why the item is a weakness, or None when it is not one (or the result is not published)."""
    if item.scorecard.status != ScorecardStatus.PUBLISHED:
        return None
    return dict((found.pk, reasons) for found, reasons in publication.weaknesses(item.scorecard)).get(item.pk)


def _confirm(request, unit, form, perform, *, origin, back, existing):
    if not permissions.has_perm(request.user, PROBLEM_RAISE, unit):
        raise PermissionDenied
    done = submit(
        request, form, perform, success=_("Problem registered."), then=lambda problem: problem.get_absolute_url(),
    )
    return done or render(request, "problems/origin_form.html", {
        "form": form, "origin": origin, "back": back, "unit": unit, "existing": existing,
    })


@login_required
def weakness_to_problem(request, pk):
    """短板弱项 → 问题: the item's title, the reasons it is weak, severity and type."""
    item = _visible_item(request.user, pk)
    card = item.scorecard
    reasons = _weakness_reasons(item)
    initial = {"title": item.node.title[:200], "description": "；".join(str(reason) for reason in reasons or ())}
    form = ProblemFromForm(request.POST or None, initial=initial)
    origin = {
        "kind": _("Weakness of the scorecard"), "title": f"{item.node.number} {item.node.title}",
        "detail": f"{card.round.name} · {card.unit.name}", "reasons": reasons, "not_weak": reasons is None,
    }
    return _confirm(
        request, card.unit, form, lambda data: origins.from_weakness(request.user, item, **data),
        origin=origin, back=card.get_absolute_url(), existing=list(Problem.objects.filter(origin_item=item)),
    )


@login_required
def notice_to_problem(request, pk):
    """The findings of a supervision notice become a problem of the supervised unit."""
    notice = get_object_or_404(scoping.visible_notices(request.user).select_related("unit", "task"), pk=pk)
    form = ProblemFromForm(request.POST or None, initial={"title": notice.reason[:200], "description": notice.reply})
    origin = {
        "kind": _("Supervision notice"), "title": notice.reason, "detail": notice.unit.name,
        "reasons": None, "not_weak": False,
    }
    return _confirm(
        request, notice.unit, form, lambda data: origins.from_notice(request.user, notice, **data),
        origin=origin, back=notice.get_absolute_url(), existing=list(Problem.objects.filter(origin_notice=notice)),
    )
