"""Workbench sections of this app: the user's roles, and what awaits the administrators."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.workbench import register
from organization.models import Unit

from . import permissions
from .models import RoleGrant, User
from .roles import GRANT_VIEW, PERSON_CHANGE, ROLE_PERMISSIONS, Role


@register(order=10)
def my_roles(request):
    scopes = permissions.scopes(request.user)
    units = Unit.objects.in_bulk({scope.unit_id for scope in scopes})
    labels = dict(Role.choices)
    rows = [(labels.get(scope.role, scope.role), units.get(scope.unit_id)) for scope in scopes if scope.role in ROLE_PERMISSIONS]
    return {"title": _("My roles and scope"), "template": "accounts/workbench/roles.html", "context": {"rows": rows}}


@register(order=20)
def accounts_awaiting(request):
    if not permissions.has_any_scope(request.user, PERSON_CHANGE):
        return None
    people = permissions.restrict(User.objects.all(), request.user, perm=PERSON_CHANGE).filter(is_active=True)
    without_password = people.filter(Q(password="") | Q(password__startswith="!")).count()
    return {
        "title": _("Accounts"),
        "template": "accounts/workbench/accounts.html",
        "context": {"without_password": without_password, "people_url": reverse("people:list")},
    }


@register(order=30)
def inspection_access(request):
    if not permissions.has_any_scope(request.user, GRANT_VIEW):
        return None
    now = timezone.now()
    grants = (
        permissions.restrict(RoleGrant.objects.select_related("person", "unit"), request.user, "view")
        .filter(role=Role.INSPECTOR, valid_until__gt=now)
        .order_by("valid_until")[:20]
    )
    return {"title": _("Open inspection access"), "template": "accounts/workbench/inspection.html", "context": {"grants": list(grants)}}
