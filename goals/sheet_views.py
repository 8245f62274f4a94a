"""A plan's task list as .xlsx: the export anyone who reads the plan may take, and the office's import."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.roles import GOAL_CHANGE, GOAL_VIEW
from core.events import log_event
from core.forms import BootstrapMixin

from . import scoping, task_sheet
from .models import Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TaskImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))


def _visible_plan(user, pk):
    return get_object_or_404(scoping.visible_plans(user).select_related("unit"), pk=pk)


@login_required
def plan_tasks_xlsx(request, pk):
    """The plan's task list; a reader from a unit below the plan's gets the rows of the tasks they see."""
    user = request.user
    plan = _visible_plan(user, pk)
    visible = None
    if not permissions.has_perm(user, GOAL_VIEW, plan):
        tasks = scoping.visible_tasks(user, queryset=Task.objects.filter(goal__plan=plan))
        visible = set(tasks.values_list("pk", flat=True))
    content = task_sheet.export_tasks(plan, visible=visible)
    log_event("export", plan, summary=_("Task list exported to .xlsx"), unit_id=plan.unit_id)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{plan.title}-任务清单.xlsx")
    return response


@login_required
def plan_tasks_import(request, pk):
    """The office adds a task list to the plan; a file with any problem changes nothing."""
    plan = _visible_plan(request.user, pk)
    if not permissions.has_perm(request.user, GOAL_CHANGE, plan):
        raise PermissionDenied
    form = TaskImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = task_sheet.import_tasks(request.user, plan, form.cleaned_data["file"])
        if result.ok:
            message = _("%(count)d tasks imported.") % {"count": result.created}
            if result.goals_created:
                message += " " + _("%(count)d goals added to the plan; complete them on the plan page.") % {"count": result.goals_created}
            messages.success(request, message)
            return redirect(plan)
    return render(request, "goals/task_import.html", {"plan": plan, "form": form, "result": result})
