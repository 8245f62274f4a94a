"""Who sees which goal-management rows: the one place pages, API, exports and jobs ask.

A task is seen from the scope of its lead unit (which includes the issuer's, since a task is led
inside its issuer's subtree) and from the scope of each of its supporting units (配合单位), which
must know what they support. A plan is seen from its unit's scope and from every unit below it, as
the units that carry it out must read it.
"""

from django.db.models import Q

from accounts import permissions
from accounts.roles import GOAL_VIEW

from .models import Plan, SupervisionNotice, Task


def _prefixes(field, paths):
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def visible_tasks(user, perm=GOAL_VIEW, queryset=None):
    """Tasks led or supported by a unit where ``user`` holds ``perm``."""
    queryset = Task.objects.all() if queryset is None else queryset
    paths = permissions.scope_paths(user, perm)
    if not paths:
        return queryset.none()
    supported = Task.objects.filter(_prefixes("supporting_units__path", paths)).values("pk")
    return queryset.filter(_prefixes("lead_unit__path", paths) | Q(pk__in=supported))


def is_supporting_only(user, task, perm=GOAL_VIEW):
    """Whether ``user`` sees ``task`` only as one of its supporting units (reads, does not report)."""
    return not permissions.has_perm(user, perm, task)


def visible_plans(user, perm=GOAL_VIEW):
    """Plans of units in the user's scope and of the units above them."""
    return permissions.restrict_with_ancestors(Plan.objects.all(), user, perm)


def visible_notices(user, perm=GOAL_VIEW):
    """Supervision notices on units in the user's scope (the issuing office sees all it issued)."""
    return permissions.restrict(SupervisionNotice.objects.all(), user, perm=perm)
