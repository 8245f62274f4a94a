"""The compliance page: the level-3 checklist with each item's setting and whether it holds now."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts import permissions
from accounts.roles import COMPLIANCE_VIEW

from . import compliance


@login_required
def compliance_page(request):
    if not permissions.has_any_scope(request.user, COMPLIANCE_VIEW):
        raise PermissionDenied
    items = compliance.run()
    failing = sum(1 for _item, checks in items for check in checks if check.ok is False)
    unknown = sum(1 for _item, checks in items for check in checks if check.ok is None)
    return render(request, "security/compliance.html", {"items": items, "failing": failing, "unknown": unknown})

