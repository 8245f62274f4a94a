"""Plans: the list, a plan with its goals and task tree, and the office's plan and goal operations."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import GOAL_CHANGE
from core.forms import step, submit
from organization.models import Unit
from standard.actions import current_standard
from standard.models import Level, Node

from . import actions, rollup, scoping, task_ops
from .forms import GoalForm, PlanAdjustForm, PlanForm, PlanTitleForm
from .models import Goal, PlanStatus, Task

PAGE_SIZE = 20


def visible_plan(user, pk):
    return get_object_or_404(scoping.visible_plans(user).select_related("unit"), pk=pk)


def changeable_plan(user, pk):
    """A plan the user sees (else 404) and may change (else 403)."""
    plan = visible_plan(user, pk)
    if not permissions.has_perm(user, GOAL_CHANGE, plan):
        raise PermissionDenied
    return plan


def _year(request):
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() else None


@login_required
def plan_list(request):
    user = request.user
    plans = scoping.visible_plans(user).select_related("unit")
    years = sorted(set(plans.values_list("year", flat=True)), reverse=True)
    year = _year(request)
    if year is not None:
        plans = plans.filter(year=year)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    # Two queries a plan, on one page of at most PAGE_SIZE plans.
    percents = rollup.plans_progress(page)
    rows = [(plan, percents[plan.pk]) for plan in page]
    return render(request, "goals/plan_list.html", {
        "rows": rows, "page_obj": page, "years": years, "year": year,
        "can_create": permissions.has_any_scope(user, GOAL_CHANGE),
    })


@login_required
def plan_create(request):
    user = request.user
    if not permissions.has_any_scope(user, GOAL_CHANGE):
        raise PermissionDenied
    units = permissions.restrict(Unit.objects.filter(is_active=True), user, perm=GOAL_CHANGE).order_by("path")
    form = PlanForm(request.POST or None, units=units, initial={"year": timezone.localdate().year, "unit": user.unit_id})
    done = submit(
        request, form, lambda data: actions.create_plan(user, **data),
        success=lambda plan: _("Plan %(title)s drafted.") % {"title": plan.title},
        then=lambda plan: plan.get_absolute_url(),
    )
    return done or render(request, "goals/plan_form.html", {"form": form, "plan": None, "title": _("New goal plan")})


def _task_rows(tasks, percents):
    """The visible tasks of each goal as a depth-first list of (task, depth, percent).

    A task whose parent the user cannot see is shown at the top of its goal."""
    ids = {task.pk for task in tasks}
    children = {}
    for task in tasks:
        key = task.parent_id if task.parent_id in ids else ("goal", task.goal_id)
        children.setdefault(key, []).append(task)
    rows = {}

    def walk(goal_id, key, depth):
        for task in sorted(children.get(key, ()), key=lambda item: (item.position, item.pk)):
            rows.setdefault(goal_id, []).append((task, depth, percents.get(task.pk)))
            walk(goal_id, task.pk, depth + 1)

    for goal_id in {task.goal_id for task in tasks}:
        walk(goal_id, ("goal", goal_id), 0)
    return rows


def _describe(change):
    """A before/after snapshot as readable lines: ``weight: 2.00``; goals nest one level."""
    lines = []
    for key, value in (change or {}).items():
        if isinstance(value, dict):
            inner = "；".join(f"{name}: {item}" for name, item in value.items())
            lines.append(f"{key} · {inner}")
        else:
            lines.append(f"{key}: {value}")
    return lines


@login_required
def plan_detail(request, pk):
    user = request.user
    plan = visible_plan(user, pk)
    progress = rollup.plan_progress(plan)
    goals = list(plan.goals.select_related("node", "owner_unit"))
    tasks = list(
        scoping.visible_tasks(user, queryset=Task.objects.filter(goal__plan=plan))
        .select_related("lead_unit", "owner")
        .prefetch_related("supporting_units")
    )
    rows = _task_rows(tasks, progress.tasks)
    for goal in goals:
        goal.percent = progress.goals.get(goal.pk)
        goal.rows = rows.get(goal.pk, [])
    adjustments = list(plan.adjustments.select_related("by"))
    for adjustment in adjustments:
        adjustment.before_lines, adjustment.after_lines = _describe(adjustment.before), _describe(adjustment.after)
    can_change = permissions.has_perm(user, GOAL_CHANGE, plan)
    return render(request, "goals/plan_detail.html", {
        "plan": plan,
        "percent": progress.percent,
        "goals": goals,
        "adjustments": adjustments,
        "can_change": can_change,
        "is_draft": plan.status == PlanStatus.DRAFT,
        "is_published": plan.status == PlanStatus.PUBLISHED,
    })


@login_required
def plan_edit(request, pk):
    """A draft plan is renamed directly; a published one is adjusted with a reason."""
    user = request.user
    plan = changeable_plan(user, pk)
    published = plan.status == PlanStatus.PUBLISHED
    form_class = PlanAdjustForm if published else PlanTitleForm
    form = form_class(request.POST or None, initial={"title": plan.title})

    def perform(data):
        if published:
            return actions.adjust_plan(user, plan, reason=data["reason"], title=data["title"])
        return task_ops.update_draft_plan(user, plan, title=data["title"])

    done = submit(request, form, perform, success=_("Changes saved."), then=plan.get_absolute_url())
    title = _("Adjust the plan") if published else _("Edit the plan")
    return done or render(request, "goals/plan_form.html", {"form": form, "plan": plan, "title": title})


@login_required
@require_POST
def plan_approve(request, pk):
    user = request.user
    return step(request, changeable_plan(user, pk), lambda plan: actions.approve_plan(user, plan), _("The plan is approved."))


@login_required
@require_POST
def plan_publish(request, pk):
    user = request.user
    return step(request, changeable_plan(user, pk), lambda plan: actions.publish_plan(user, plan), _("The plan is published."))


def _goal_form(request, plan, *, initial=None):
    standard = current_standard(plan.unit)
    nodes = (
        Node.objects.filter(standard=standard, level__in=[Level.DIMENSION, Level.INDICATOR]).order_by("number")
        if standard is not None else Node.objects.none()
    )
    units = Unit.objects.filter(is_active=True, path__startswith=plan.unit.path).order_by("path")
    return GoalForm(
        request.POST or None, nodes=nodes, units=units, initial=initial,
        with_reason=plan.status == PlanStatus.PUBLISHED,
    )


def _goal_fields(data):
    return {name: value for name, value in data.items() if name != "reason"}


@login_required
def goal_create(request, pk):
    """A goal of a plan; on a published plan it is an adjustment and needs a reason."""
    user = request.user
    plan = changeable_plan(user, pk)
    form = _goal_form(request, plan, initial={"owner_unit": plan.unit_id, "weight": 1})
    done = submit(
        request, form, lambda data: actions.add_goal(user, plan, reason=data.get("reason", ""), **_goal_fields(data)),
        success=lambda goal: _("Goal %(title)s added.") % {"title": goal.title}, then=plan.get_absolute_url(),
    )
    return done or render(request, "goals/goal_form.html", {"form": form, "plan": plan, "goal": None})


@login_required
def goal_edit(request, pk):
    """A draft plan's goal is edited directly; a published plan's goal by a recorded adjustment."""
    user = request.user
    goal = get_object_or_404(Goal.objects.select_related("plan__unit"), pk=pk, plan__in=scoping.visible_plans(user))
    plan = goal.plan
    if not permissions.has_perm(user, GOAL_CHANGE, plan):
        raise PermissionDenied
    names = ["node", "title", "measure", "target_value", "key_actions", "owner_unit", "weight"]
    form = _goal_form(request, plan, initial={name: getattr(goal, name) for name in names})

    def perform(data):
        if plan.status == PlanStatus.PUBLISHED:
            return actions.adjust_plan(user, plan, reason=data["reason"], goals={goal: _goal_fields(data)})
        return task_ops.update_draft_goal(user, goal, **data)

    done = submit(request, form, perform, success=_("Changes saved."), then=plan.get_absolute_url())
    return done or render(request, "goals/goal_form.html", {"form": form, "plan": plan, "goal": goal})
