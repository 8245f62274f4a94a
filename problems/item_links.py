"""What the scorecard shows next to each weakness (through ``assessment.item_actions``): the problems
made from it with their status, or the step that turns it into a problem. The loop assess → find →
fix → reassess is visible on the item."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import PROBLEM_RAISE, PROBLEM_VIEW
from assessment import item_actions
from assessment.models import ScorecardStatus

from . import origins


def weakness_links(request, scorecard, items):
    if scorecard.status != ScorecardStatus.PUBLISHED:
        return {}
    user = request.user
    may_view = permissions.has_perm(user, PROBLEM_VIEW, scorecard.unit)
    may_raise = permissions.has_perm(user, PROBLEM_RAISE, scorecard.unit)
    made = origins.problems_of_items([item.pk for item in items]) if may_view or may_raise else {}
    links = {}
    for item in items:
        problems = made.get(item.pk)
        if problems and may_view:
            links[item.pk] = [
                (_("Problem: %(title)s (%(status)s)") % {"title": problem.title, "status": problem.get_status_display()},
                 problem.get_absolute_url())
                for problem in problems
            ]
        elif not problems and may_raise:
            links[item.pk] = [(_("Turn into a problem"), reverse("problems:weakness_to_problem", args=[item.pk]))]
    return links


item_actions.register(weakness_links)
