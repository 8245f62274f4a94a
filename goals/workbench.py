"""Workbench section: the goal-management work waiting for the user (a short version of My tasks)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.roles import GOAL_VIEW
from core.workbench import register

from .board_views import my_work

ROWS = 5


@register(order=17)
def my_goal_tasks(request):
    if not permissions.has_any_scope(request.user, GOAL_VIEW):
        return None
    work = my_work(request.user, timezone.localdate(), rows=ROWS)
    if not any(work[key] for key in ("to_sign_count", "to_report_count", "to_review_count", "declined_count")):
        return None
    return {"title": _("My tasks"), "template": "goals/workbench.html", "context": work}
