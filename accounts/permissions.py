"""The one door for permissions. Every view, API endpoint, count, export and job goes through it.

Two questions are answered here:
- ``has_perm(user, perm, obj)``: may this user do this to this object?
- ``restrict(queryset, user, action)``: which objects of this kind may this user see (or change…)?

A permission is held through a role granted on a unit and reaches that unit's whole subtree.
Models declare ``scope_path_field`` (the lookup to the owning unit's tree path) and
``get_scope_path()``; nothing else about a model is known here.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from organization.models import Unit

from .roles import ADMIN_ROLES, IMPLICIT_ROLE, ROLE_PERMISSIONS


@dataclass(frozen=True)
class Scope:
    role: str
    unit_id: int
    path: str


def scopes(user) -> tuple[Scope, ...]:
    """The user's current role scopes, read once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    cached = getattr(user, "_mofan_scopes", None)
    if cached is not None:
        return cached
    from .models import RoleGrant

    now = timezone.now()
    rows = (
        RoleGrant.objects.filter(person_id=user.pk)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .values_list("role", "unit_id", "unit__path")
    )
    result = [Scope(role, unit_id, path) for role, unit_id, path in rows]
    # The three administrators do no business work (三员分立): not even a staff member's on their own unit.
    if user.unit_id and not any(scope.role in ADMIN_ROLES for scope in result):
        result.append(Scope(IMPLICIT_ROLE, user.unit_id, user.unit.path))
    user._mofan_scopes = tuple(result)
    return user._mofan_scopes


def forget(user):
    """Drop the cached scopes after the user's grants changed."""
    if hasattr(user, "_mofan_scopes"):
        del user._mofan_scopes


def roles(user) -> set[str]:
    return {scope.role for scope in scopes(user)}


def _minimal(paths):
    """Drop every path that lies inside another one: a subtree already covers it."""
    kept = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def scope_paths(user, perm: str) -> list[str]:
    """The roots of the subtrees where the user holds ``perm``."""
    return _minimal(s.path for s in scopes(user) if perm in ROLE_PERMISSIONS.get(s.role, ()))


def perm_name(model, action: str) -> str:
    return f"{model._meta.label_lower}.{action}"


def has_any_scope(user, perm: str) -> bool:
    """Whether the user holds ``perm`` anywhere (to show a menu entry or a button)."""
    return bool(scope_paths(user, perm))


def has_perm(user, perm: str, obj=None) -> bool:
    """May ``user`` do ``perm`` to ``obj`` (a scoped model instance or a Unit)?"""
    paths = scope_paths(user, perm)
    if obj is None:
        return bool(paths)
    target = obj.get_scope_path()
    if target is None:
        return any(len(path) == Unit.steplen for path in paths)
    return any(target.startswith(path) for path in paths)


def require(user, perm: str, obj=None):
    if not has_perm(user, perm, obj):
        raise PermissionDenied


def require_actor(actor, perm: str, obj=None):
    """``require`` for an action's actor; None is the system itself (commands, demo data, jobs
    that already checked the requester), which may do anything."""
    if actor is not None:
        require(actor, perm, obj)


def restrict(queryset, user, action: str = "view", perm: str | None = None):
    """The rows of ``queryset`` that ``user`` may ``action``; empty for anyone without a scope."""
    model = queryset.model
    paths = scope_paths(user, perm or perm_name(model, action))
    if not paths:
        return queryset.none()
    field = model.scope_path_field
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    # Rows that belong to no unit are visible only from a root-level scope.
    if any(len(path) == Unit.steplen for path in paths):
        condition |= Q(**{f"{field.rsplit('__', 1)[0]}__isnull": True}) if "__" in field else Q()
    return queryset.filter(condition)


def get_visible_or_404(queryset, user, action: str = "view", **lookup):
    """One object the user may see, or 404: objects out of scope do not exist for them."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def visible_units(user, perm: str = "organization.unit.view"):
    return restrict(Unit.objects.all(), user, perm=perm)


def restrict_with_ancestors(queryset, user, perm: str):
    """Rows whose unit is in the user's scope for ``perm`` or above it.

    For what a unit receives from the units over it (its agency's standard, the assessment round it
    takes part in): a department clerk reads them without any scope on the agency itself.
    """
    paths = scope_paths(user, perm)
    if not paths:
        return queryset.none()
    field = queryset.model.scope_path_field
    above = {path[:end] for path in paths for end in range(Unit.steplen, len(path), Unit.steplen)}
    condition = Q(**{f"{field}__in": sorted(above)}) if above else Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return queryset.filter(condition)
