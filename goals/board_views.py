"""My tasks (我的任务) and the task board of a unit (任务看板): lists read as lean rows, coloured and
counted in Python over the whole filtered set, then one page of full rows."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts import permissions
from accounts.roles import GOAL_CHANGE, GOAL_VIEW, TASK_REPORT

from . import dashboard, scoping
from .models import PlanStatus, ProgressReport, ReportStatus, Task, TaskStatus

PAGE_SIZE = 25
MY_ROWS = 50
BOARD_STATUSES = (TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.DECLINED)
SHOWN_FIELDS = ("title", "lead_unit__name", "lead_unit__path", "owner_id", "goal__plan__title")


def prefixes(field, paths):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def issued_by(paths, prefix=""):
    """Tasks whose issuing unit (the parent's lead unit, or the plan's unit) lies under ``paths``."""
    top = Q(**{f"{prefix}parent__isnull": True}) & prefixes(f"{prefix}goal__plan__unit__path", paths)
    nested = Q(**{f"{prefix}parent__isnull": False}) & prefixes(f"{prefix}parent__lead_unit__path", paths)
    return top | nested


def published_tasks():
    return Task.objects.filter(goal__plan__status=PlanStatus.PUBLISHED).exclude(status=TaskStatus.WITHDRAWN)


def my_work(user, today, rows=MY_ROWS):
    """What waits for ``user``: tasks to sign for and to report on (theirs as owner or their unit's
    as reporter), reports to review and declined tasks to follow up as the issuing office."""
    report_paths = permissions.scope_paths(user, TASK_REPORT)
    mine = Q(owner_id=user.pk) | prefixes("lead_unit__path", report_paths)
    # The goals of the user's tasks bring their sub-tasks (led elsewhere) for the roll-up.
    goals = published_tasks().filter(mine).values("goal_id")
    waiting = ProgressReport.objects.filter(task=OuterRef("pk"), status=ReportStatus.SUBMITTED)
    lean = dashboard.lean_rows(
        published_tasks().filter(mine | Q(goal_id__in=goals)), *SHOWN_FIELDS, waiting=Exists(waiting)
    )
    dashboard.colour(lean, today)
    for row in lean:
        row.reporter = any(row.lead_unit__path.startswith(path) for path in report_paths)
    # Signing for a task is its lead unit's; its owner may report on it wherever they work.
    to_sign = sorted((row for row in lean if row.reporter and row.status == TaskStatus.ISSUED), key=lambda row: (row.due_date, row.id))
    to_report = dashboard.by_urgency(
        row for row in lean
        if (row.reporter or row.owner_id == user.pk) and row.status in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS)
    )

    change_paths = permissions.scope_paths(user, GOAL_CHANGE)
    reports = (
        ProgressReport.objects.filter(status=ReportStatus.SUBMITTED)
        .filter(issued_by(change_paths, "task__"))
        .select_related("task__lead_unit", "submitted_by")
        .order_by("created_at", "id")
    )
    declined = (
        Task.objects.filter(status=TaskStatus.DECLINED, goal__plan__status=PlanStatus.PUBLISHED)
        .filter(issued_by(change_paths))
        .select_related("lead_unit")
        .order_by("updated_at", "id")
    )
    return {
        "to_sign": to_sign[:rows], "to_sign_count": len(to_sign),
        "to_report": to_report[:rows], "to_report_count": len(to_report),
        "to_review": list(reports[:rows]), "to_review_count": reports.count() if change_paths else 0,
        "declined": list(declined[:rows]), "declined_count": declined.count() if change_paths else 0,
    }


@login_required
def my_tasks(request):
    work = my_work(request.user, timezone.localdate())
    return render(request, "goals/my_tasks.html", {"work": work, "board_unit": default_unit(request.user)})


def default_unit(user):
    """The widest unit the user's goal view reaches from their own unit (an office sees its agency),
    or their own unit, or their first scope."""
    paths = permissions.scope_paths(user, GOAL_VIEW)
    own = user.unit.path if user.unit_id else None
    for path in paths:
        if own and own.startswith(path):
            return path
    return paths[0] if paths else None


def board_unit(request):
    """The unit of the board: ``?unit=`` or the user's default; 404 outside the user's scope."""
    units = permissions.visible_units(request.user, perm=GOAL_VIEW)
    raw = request.GET.get("unit")
    try:
        if raw:
            return units.get(pk=int(raw))
        path = default_unit(request.user)
        if path is not None:
            return units.get(path=path)
    except (ValueError, units.model.DoesNotExist):
        pass
    raise Http404


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def board_filters(request, plans):
    data = request.GET
    plan_ids = {plan.pk for plan in plans}
    years = sorted({plan.year for plan in plans}, reverse=True)
    plan_id, year = _int(data.get("plan")), _int(data.get("year"))
    return {
        "status": data.get("status") if data.get("status") in BOARD_STATUSES else "",
        "light": data.get("light") if data.get("light") in dashboard.COLOURS else "",
        "plan": plan_id if plan_id in plan_ids else None,
        "year": year if year in years else None,
        "supporting": data.get("supporting") == "1",
        "years": years,
    }


def board_rows(unit, filters, today):
    """Every task on the unit's board (led in its subtree, or supported by it when asked), coloured."""
    in_subtree = Q(lead_unit__path__startswith=unit.path)
    queryset = published_tasks()
    if filters["plan"]:
        queryset = queryset.filter(goal__plan_id=filters["plan"])
    if filters["year"]:
        queryset = queryset.filter(goal__plan__year=filters["year"])
    supported = set()
    if filters["supporting"]:
        links = Task.supporting_units.through.objects.filter(unit__path__startswith=unit.path)
        supported = set(links.values_list("task_id", flat=True))
        # A task led in the subtree has all its sub-tasks there; a supported one brings its goal's.
        queryset = queryset.filter(in_subtree | Q(goal_id__in=links.values("task__goal_id")))
    else:
        queryset = queryset.filter(in_subtree)
    rows = dashboard.colour(dashboard.lean_rows(queryset, "lead_unit__path"), today)
    shown = []
    for row in rows:
        led = row.lead_unit__path.startswith(unit.path)
        row.supported = not led and row.id in supported
        if led or row.supported:
            shown.append(row)
    return shown


def board_counts(rows, filters):
    """Status counts over the rows of the selected colour, colour counts over the selected status."""
    matrix = {status: dict.fromkeys(dashboard.COLOURS, 0) for status in BOARD_STATUSES}
    for row in rows:
        if row.status in matrix and row.light in dashboard.COLOURS:
            matrix[row.status][row.light] += 1
    columns = []
    for status in BOARD_STATUSES:
        cells = matrix[status]
        count = cells[filters["light"]] if filters["light"] else sum(cells.values())
        columns.append({"status": status, "label": TaskStatus(status).label, "count": count, "lights": cells})
    statuses = [filters["status"]] if filters["status"] else BOARD_STATUSES
    lights = [
        (colour, dashboard.LABELS[colour], sum(matrix[status][colour] for status in statuses)) for colour in dashboard.COLOURS
    ]
    return columns, lights


@login_required
def board(request):
    user = request.user
    unit = board_unit(request)
    today = timezone.localdate()
    plans = list(scoping.visible_plans(user).filter(status=PlanStatus.PUBLISHED).select_related("unit"))
    filters = board_filters(request, plans)
    rows = board_rows(unit, filters, today)
    columns, light_counts = board_counts(rows, filters)
    shown = dashboard.by_urgency(
        row for row in rows
        if (not filters["status"] or row.status == filters["status"]) and (not filters["light"] or row.light == filters["light"])
    )
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    by_id = {row.id: row for row in page.object_list}
    tasks = scoping.visible_tasks(user, queryset=Task.objects.filter(pk__in=list(by_id)))
    tasks = {task.pk: task for task in tasks.select_related("lead_unit", "owner", "goal__plan")}
    items = [(tasks[pk], by_id[pk]) for pk in by_id if pk in tasks]
    units = list(permissions.visible_units(user, perm=GOAL_VIEW).only("id", "name", "depth", "path"))
    top = min((option.depth for option in units), default=0)
    for option in units:
        option.indent = "\u3000" * (option.depth - top)
    return render(request, "goals/board.html", {
        "unit": unit, "units": units, "plans": plans, "filters": filters, "columns": columns,
        "light_counts": light_counts, "total": len(shown), "page_obj": page, "items": items,
        "statuses": [(status, TaskStatus(status).label) for status in BOARD_STATUSES],
        "colours": [(colour, dashboard.LABELS[colour]) for colour in dashboard.COLOURS],
    })
