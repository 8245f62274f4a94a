"""A plan's Gantt timeline (甘特图) and its dashboard (目标看板): completion by unit, colours, trend."""

import datetime
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import GOAL_CHANGE, GOAL_VIEW

from . import dashboard, rollup, scoping
from .models import Light, Milestone, Task

GANTT_PAGE = 100
DEPTHS = (1, 2, 3, 0)  # levels of tasks shown under each goal; 0 is every level
DEFAULT_DEPTH = 2
LAGGING_ROWS = 20


def visible_plan(user, pk):
    return get_object_or_404(scoping.visible_plans(user).select_related("unit"), pk=pk)


def year_axis(year):
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = (last - first).days + 1

    def position(day, end=False):
        offset = (day - first).days + (1 if end else 0)
        return round(min(max(offset, 0), days) * 100 / days, 3)

    months = [{"label": month, "left": position(datetime.date(year, month, 1))} for month in range(1, 13)]
    return position, months


def tree_order(goals, rows, depth):
    """Goals and their visible tasks in plan order; a task whose parent is hidden sits under its goal."""
    ids = {row.id for row in rows}
    children = defaultdict(list)
    for row in sorted(rows, key=lambda row: (row.position, row.id)):
        children[(row.goal_id, row.parent_id if row.parent_id in ids else None)].append(row)
    ordered = []

    def visit(goal_id, parent_id, level):
        for row in children.get((goal_id, parent_id), ()):
            row.level = level
            below = children.get((goal_id, row.id), ())
            row.hidden_below = len(below) if depth and level >= depth else 0
            ordered.append(("task", row))
            if not row.hidden_below:
                visit(goal_id, row.id, level + 1)

    for goal in goals:
        ordered.append(("goal", goal))
        visit(goal.pk, None, 1)
    return ordered


@login_required
def gantt(request, pk):
    plan = visible_plan(request.user, pk)
    today = timezone.localdate()
    depth = request.GET.get("depth")
    depth = int(depth) if depth in {str(value) for value in DEPTHS} else DEFAULT_DEPTH
    goals, rows, progress = dashboard.plan_rows(plan, "title", "position", "lead_unit__name")
    whole_plan = permissions.has_perm(request.user, GOAL_VIEW, plan)
    if not whole_plan:
        # Read from a unit below the plan's: every task counts in the roll-up, the user sees theirs.
        tasks = scoping.visible_tasks(request.user, queryset=Task.objects.filter(goal__plan=plan))
        visible = set(tasks.values_list("id", flat=True))
        rows = [row for row in rows if row.id in visible]
    position, months = year_axis(plan.year)
    page = Paginator(tree_order(goals, rows, depth), GANTT_PAGE).get_page(request.GET.get("page"))
    page_rows = dashboard.colour([item for kind, item in page.object_list if kind == "task"], today, progress.tasks)
    milestones = defaultdict(list)
    for milestone in Milestone.objects.filter(task_id__in=[row.id for row in page_rows]).values("task_id", "title", "due"):
        milestone["left"] = position(milestone["due"])
        milestones[milestone["task_id"]].append(milestone)
    spans = {}
    for row in rows:
        first, last = spans.get(row.goal_id, (row.start_date, row.due_date))
        spans[row.goal_id] = (min(first, row.start_date), max(last, row.due_date))
    for goal in goals:
        goal.percent = progress.goals.get(goal.pk, rollup.ZERO)
        if goal.pk in spans:
            goal.left = position(spans[goal.pk][0])
            goal.width = max(position(spans[goal.pk][1], end=True) - goal.left, 0.5)
    for row in page_rows:
        row.left = position(row.start_date)
        row.width = max(position(row.due_date, end=True) - row.left, 0.5)
        row.milestones = milestones[row.id]
    return render(request, "goals/gantt.html", {
        "plan": plan, "progress": progress, "page_obj": page, "months": months, "depth": depth,
        "depths": [(value, _("All levels") if value == 0 else value) for value in DEPTHS],
        "today_left": position(today) if today.year == plan.year else None, "today": today,
        "show_dashboard": whole_plan,
    })


def notice_url():
    """The supervision notice form, when it is installed."""
    try:
        return reverse("goals:notice_issue")
    except NoReverseMatch:
        return None


def unit_rows(rows, names):
    """Each lead unit's completion and colour counts, lowest completion first."""
    completion = dashboard.unit_completion(rows)
    by_unit = defaultdict(list)
    for row in rows:
        by_unit[row.lead_unit_id].append(row)
    result = []
    for unit_id, items in by_unit.items():
        counts = dashboard.light_counts(items)
        result.append({
            "unit_id": unit_id, "name": names[unit_id][0], "path": names[unit_id][1],
            "percent": completion.get(unit_id, rollup.ZERO), "total": len(items), **counts,
        })
    return sorted(result, key=lambda item: (-item["red"], -item["yellow"], item["percent"], item["path"]))


@login_required
def plan_dashboard(request, pk):
    plan = visible_plan(request.user, pk)
    # The units that carry a plan out may read it, but its dashboard compares units: the plan's own scope.
    if not permissions.has_perm(request.user, GOAL_VIEW, plan):
        raise PermissionDenied
    today = timezone.localdate()
    goals, rows, progress = dashboard.plan_rows(plan, "title", "lead_unit__name", "lead_unit__path")
    dashboard.colour(rows, today, progress.tasks)
    units = unit_rows(rows, {row.lead_unit_id: (row.lead_unit__name, row.lead_unit__path) for row in rows})
    lagging = dashboard.by_urgency(row for row in rows if row.light in (Light.RED, Light.YELLOW))[:LAGGING_ROWS]
    snapshots = list(plan.snapshots.order_by("date").values("date", "percent", "green", "yellow", "red", "done"))
    for goal in goals:
        goal.percent = progress.goals.get(goal.pk, rollup.ZERO)
    chart = {
        "dates": [item["date"].isoformat() for item in snapshots],
        "percent": [float(item["percent"]) for item in snapshots],
        "red": [item["red"] for item in snapshots], "yellow": [item["yellow"] for item in snapshots],
        "green": [item["green"] for item in snapshots],
        "units": [{"name": item["name"], "percent": float(item["percent"])} for item in sorted(units, key=lambda u: u["path"])],
        "labels": {
            "trend": _("Completion and colours over time"), "percent": _("Completion (%)"), "units": _("Completion by unit"),
            "red": _("Overdue"), "yellow": _("At risk"), "green": _("On track"), "tasks": _("Tasks"),
        },
    }
    may_supervise = permissions.has_perm(request.user, GOAL_CHANGE, plan)
    return render(request, "goals/dashboard.html", {
        "plan": plan, "progress": progress, "goals": goals, "units": units, "lagging": lagging,
        "counts": dashboard.light_counts(rows), "total": len(rows), "done": dashboard.done_count(rows),
        "chart": chart, "notice_url": notice_url() if may_supervise else None, "snapshot_count": len(snapshots),
    })
