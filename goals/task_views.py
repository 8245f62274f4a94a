"""Tasks: adding and decomposing them, a task's page, and what each party does on it (sign for or
decline, report, review, reassign, withdraw, reschedule, attach evidence)."""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import DOCUMENT_CHANGE, GOAL_CHANGE, LINK_CHANGE, PERSON_VIEW, TASK_REPORT
from core.forms import add_validation_errors, step, submit
from evidence import actions as evidence_actions
from evidence.forms import UploadForm
from evidence.models import Link
from organization.models import Unit

from . import actions, rollup, scoping
from .forms import MilestoneForm, ReasonForm, ReassignForm, ReportForm, RescheduleForm, TaskForm
from .models import Goal, PlanAdjustment, PlanStatus, ProgressReport, ReportStatus, Task, TaskStatus

CLOSED = (TaskStatus.DONE, TaskStatus.WITHDRAWN)


def visible_task(user, pk):
    queryset = Task.objects.select_related("goal__plan__unit", "parent__lead_unit", "lead_unit", "owner")
    return get_object_or_404(scoping.visible_tasks(user, queryset=queryset), pk=pk)


@dataclass
class Abilities:
    """What the user may do on a task now: the buttons shown, and the views' own checks."""

    read_only: bool
    receive: bool
    decompose: bool
    report: bool
    review: bool
    reassign: bool
    withdraw: bool
    reschedule: bool
    attach: bool


def abilities(user, task, pending=None) -> Abilities:
    if scoping.is_supporting_only(user, task):
        return Abilities(True, *([False] * 8))
    issuer_unit = task.issuer_unit
    issuer = permissions.has_perm(user, GOAL_CHANGE, issuer_unit)
    works = permissions.has_perm(user, TASK_REPORT, task)
    office = permissions.has_perm(user, GOAL_CHANGE, task.lead_unit)
    published = task.goal.plan.status == PlanStatus.PUBLISHED
    if pending is None:
        pending = task.reports.filter(status=ReportStatus.SUBMITTED).exists()
    receive = published and task.status == TaskStatus.ISSUED and actions.signs_for(user, task)
    decompose = office and (
        task.status in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS) or (task.status == TaskStatus.ISSUED and issuer)
    )
    report = (
        task.status in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS) and not pending
        and (works or task.owner_id == user.pk)
    )
    unit = task.lead_unit
    return Abilities(
        read_only=False,
        receive=receive,
        decompose=decompose,
        report=report,
        review=issuer,
        reassign=issuer and task.status == TaskStatus.DECLINED,
        withdraw=issuer and task.status not in CLOSED,
        reschedule=issuer and task.status not in CLOSED,
        attach=permissions.has_perm(user, DOCUMENT_CHANGE, unit) and permissions.has_perm(user, LINK_CHANGE, unit),
    )


def _allowed(user, task, name):
    """The task the user sees (else 404), if they may do ``name`` on it now (else 403)."""
    if not getattr(abilities(user, task), name):
        raise PermissionDenied
    return task


def _units_under(unit):
    return Unit.objects.filter(is_active=True, path__startswith=unit.path).order_by("path")


def _task_form(request, goal, parent):
    root = parent.lead_unit if parent is not None else goal.plan.unit
    User = get_user_model()
    people = permissions.restrict(
        User.objects.filter(is_active=True, unit__path__startswith=root.path), request.user, perm=PERSON_VIEW
    ).select_related("unit").order_by("unit__path", "real_name")
    year = goal.plan.year
    if parent is not None:
        initial = {"start_date": parent.start_date, "due_date": parent.due_date, "cadence": parent.cadence}
    else:
        initial = {"start_date": datetime.date(year, 1, 1), "due_date": datetime.date(year, 12, 31)}
    initial["weight"] = 1
    return TaskForm(
        request.POST or None, initial=initial, lead_units=_units_under(root),
        supporting_units=_units_under(goal.plan.unit), people=people,
    )


@login_required
def task_create(request, pk):
    """A task under a goal; with ?parent=<task> a sub-task, decomposed by the office of its lead unit."""
    user = request.user
    goal = get_object_or_404(Goal.objects.select_related("plan__unit"), pk=pk, plan__in=scoping.visible_plans(user))
    parent = None
    wanted = request.GET.get("parent") or request.POST.get("parent")
    if wanted:
        parent = visible_task(user, wanted if str(wanted).isdigit() else 0)
        if parent.goal_id != goal.pk:
            raise PermissionDenied
        _allowed(user, parent, "decompose")
    elif not permissions.has_perm(user, GOAL_CHANGE, goal.plan):
        raise PermissionDenied
    form = _task_form(request, goal, parent)
    done = submit(
        request, form, lambda data: actions.add_task(user, goal, parent=parent, **data),
        success=lambda task: _("Task %(title)s issued.") % {"title": task.title},
        then=lambda task: parent.get_absolute_url() if parent else goal.plan.get_absolute_url(),
    )
    return done or render(request, "goals/task_form.html", {"form": form, "goal": goal, "parent": parent})


def _links(user, task, reports):
    """Evidence links on the task and on its reports that the user may see, by target."""
    task_type = ContentType.objects.get_for_model(Task)
    report_type = ContentType.objects.get_for_model(ProgressReport)
    condition = Q(target_type=task_type, target_id=task.pk)
    if reports:
        condition |= Q(target_type=report_type, target_id__in=[report.pk for report in reports])
    found = permissions.restrict(Link.objects.filter(condition).select_related("document"), user, "view")
    on_task, on_report = [], {}
    for link in found:
        if link.target_type_id == task_type.pk:
            on_task.append(link)
        else:
            on_report.setdefault(link.target_id, []).append(link)
    return on_task, on_report


@login_required
def task_detail(request, pk):
    user = request.user
    task = visible_task(user, pk)
    plan = task.goal.plan
    progress = rollup.plan_progress(plan)
    children = list(
        scoping.visible_tasks(user, queryset=task.children.all()).select_related("lead_unit", "owner").prefetch_related("supporting_units")
    )
    for child in children:
        child.rolled_percent = progress.tasks.get(child.pk)
    reports = list(task.reports.select_related("submitted_by", "reviewed_by"))
    pending = any(report.status == ReportStatus.SUBMITTED for report in reports)
    can = abilities(user, task, pending)
    on_task, on_report = _links(user, task, reports)
    for report in reports:
        report.evidence = on_report.get(report.pk, [])
    notices = list(scoping.visible_notices(user).filter(task=task).select_related("issuing_unit", "unit"))
    history = list(PlanAdjustment.objects.filter(plan=plan, after__task=task.pk).select_related("by"))
    return render(request, "goals/task_detail.html", {
        "task": task,
        "plan": plan,
        "issuer_unit": task.issuer_unit,
        "percent": progress.tasks.get(task.pk, task.percent_done),
        "supporting_units": list(task.supporting_units.all()),
        "children": children,
        "milestones": list(task.milestones.all()),
        "reports": reports,
        "evidence": on_task,
        "notices": notices,
        "history": history,
        "can": can,
        "can_issue_notice": can.review and task.status not in (*CLOSED, TaskStatus.DECLINED),
        "reason_form": ReasonForm(),
    })


def _form_page(request, task, form, perform, *, success, title, then=None):
    """A form on a task: the action's refusal is shown on the form, with everything typed kept."""
    done = submit(request, form, perform, success=success, then=then or task.get_absolute_url())
    return done or render(request, "goals/task_action_form.html", {"task": task, "form": form, "title": title})


@login_required
@require_POST
def task_sign(request, pk):
    user = request.user
    task = _allowed(user, visible_task(user, pk), "receive")
    return step(request, task, lambda item: actions.sign_task(user, item), _("Task signed for."))


@login_required
def task_decline(request, pk):
    user = request.user
    task = _allowed(user, visible_task(user, pk), "receive")
    form = ReasonForm(request.POST or None)
    return _form_page(
        request, task, form, lambda data: actions.decline_task(user, task, reason=data["reason"]),
        success=_("Task declined."), title=_("Decline the task"),
    )


@login_required
def task_reassign(request, pk):
    user = request.user
    task = _allowed(user, visible_task(user, pk), "reassign")
    form = ReassignForm(request.POST or None, units=_units_under(task.issuer_unit))
    return _form_page(
        request, task, form, lambda data: actions.reassign_task(user, task, **data),
        success=_("Task handed to another lead unit."), title=_("Hand the task to another lead unit"),
    )


@login_required
def task_withdraw(request, pk):
    user = request.user
    task = _allowed(user, visible_task(user, pk), "withdraw")
    form = ReasonForm(request.POST or None)
    return _form_page(
        request, task, form, lambda data: actions.withdraw_task(user, task, reason=data["reason"]),
        success=_("Task withdrawn."), title=_("Withdraw the task"),
    )


@login_required
def task_reschedule(request, pk):
    user = request.user
    task = _allowed(user, visible_task(user, pk), "reschedule")
    form = RescheduleForm(request.POST or None, initial={"due_date": task.due_date})
    return _form_page(
        request, task, form, lambda data: actions.reschedule_task(user, task, **data),
        success=_("Due date changed."), title=_("Change the due date"),
    )


@login_required
def milestone_create(request, pk):
    user = request.user
    task = _allowed(user, visible_task(user, pk), "decompose")
    form = MilestoneForm(request.POST or None)
    return _form_page(
        request, task, form, lambda data: actions.add_milestone(user, task, **data),
        success=_("Milestone added."), title=_("Add a milestone"),
    )


@login_required
def report_create(request, pk):
    user = request.user
    task = visible_task(user, pk)
    if not abilities(user, task, pending=False).report:
        raise PermissionDenied
    if task.reports.filter(status=ReportStatus.SUBMITTED).exists():
        # Say why rather than "no access": the last report still waits for the issuer.
        messages.info(request, _("The last report is still waiting for review; a new one can be made once it is accepted or returned."))
        return redirect(task.get_absolute_url())
    last = task.reports.first()
    initial = {"period": timezone.localdate(), "percent": task.percent_done}
    if last is not None and last.status == ReportStatus.RETURNED:
        # A returned report is usually sent again corrected: start from what was written.
        initial.update(percent=last.percent, done_text=last.done_text, problems=last.problems, support_needed=last.support_needed)
    form = ReportForm(request.POST or None, initial=initial)
    return _form_page(
        request, task, form, lambda data: actions.submit_report(user, task, **data),
        success=_("Progress report submitted."), title=_("Report progress"),
    )


def _visible_report(user, pk):
    queryset = ProgressReport.objects.select_related("task__goal__plan__unit", "task__parent__lead_unit", "task__lead_unit")
    report = get_object_or_404(queryset, pk=pk)
    visible_task(user, report.task_id)
    return report


@login_required
@require_POST
def report_accept(request, pk):
    user = request.user
    report = _visible_report(user, pk)
    try:
        actions.accept_report(user, report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Report accepted."))
    return redirect(report.task.get_absolute_url())


@login_required
def report_return(request, pk):
    user = request.user
    report = _visible_report(user, pk)
    task = report.task
    if not permissions.has_perm(user, GOAL_CHANGE, task.issuer_unit):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    return _form_page(
        request, task, form, lambda data: actions.return_report(user, report, reason=data["reason"]),
        success=_("Report returned."), title=_("Return the report"),
    )


@login_required
def task_evidence(request, pk):
    """Upload files as evidence of the task (or, with ?report=, of one of its reports) and come back."""
    user = request.user
    task = _allowed(user, visible_task(user, pk), "attach")
    target = task
    wanted = request.GET.get("report", "")
    if wanted:
        target = get_object_or_404(ProgressReport, pk=wanted if wanted.isdigit() else 0, task=task)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"period": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("files")
        try:
            with transaction.atomic():  # every file or none
                for uploaded in files:
                    fields = {**data, "title": data["title"] if len(files) == 1 else ""}
                    evidence_actions.upload_evidence_for(
                        user, target, unit=task.lead_unit, file=uploaded, name=uploaded.name, **fields
                    )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("%(count)d file(s) linked as evidence.") % {"count": len(files)})
            return redirect(task.get_absolute_url())
    return render(request, "goals/task_evidence.html", {"task": task, "target": target, "form": form})
