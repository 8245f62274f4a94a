"""Who sees which problems: the one place the problem pages, the ledger export, the dashboard and
the workbench ask.

A problem is seen from the scope of its unit, and also by those who carry out one of its measures:
the responsible unit (a section fixing a problem of its agency must read it) and the responsible
person and leader named on the measure.
"""

from django.db.models import Q

from accounts import permissions
from accounts.roles import PROBLEM_RAISE, PROBLEM_VIEW

from .models import Measure, Problem


def _prefixes(field, paths):
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def visible_problems(user, queryset=None):
    """Problems of units in the user's scope, and problems whose measures the user answers for."""
    queryset = Problem.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    paths = permissions.scope_paths(user, PROBLEM_VIEW)
    answering = Q(person_id=user.pk) | Q(leader_id=user.pk)
    if paths:
        answering |= _prefixes("unit__path", paths)
    carried = Measure.objects.filter(answering).values("problem_id")
    condition = Q(pk__in=carried)
    if paths:
        condition |= _prefixes("unit__path", paths)
    return queryset.filter(condition)


def visible_measures(user, queryset=None):
    """Measures of the problems the user sees."""
    queryset = Measure.objects.all() if queryset is None else queryset
    return queryset.filter(problem__in=visible_problems(user).values("pk"))


def raise_units(user):
    """Units where the user may register a problem."""
    return permissions.visible_units(user, perm=PROBLEM_RAISE).order_by("path")
