"""The numbers the goal API shows next to its rows: a task's rolled-up percent and its colour, a plan's
completion by unit. Percents come from ``goals.rollup`` and colours from ``goals.lights.light`` only,
so the API says what the pages say; each costs one query however many tasks there are.
"""

from django.utils import timezone

from accounts import permissions
from accounts.roles import GOAL_VIEW

from .. import lights, rollup
from ..models import Task, TaskStatus

# What lights.light reads, besides what the roll-up reads.
LIGHT_FIELDS = ("status", "start_date", "due_date", "cadence", "percent_done", "light_floor", "last_accepted_report_at")
ROLLUP_FIELDS = ("id", "goal_id", "parent_id", "weight", "percent_done")


def rolled_percents(goal_ids) -> dict:
    """Each counted task's percent in these goals: its own, or its sub-tasks' weighted mean."""
    if not goal_ids:
        return {}
    rows = Task.objects.filter(goal_id__in=goal_ids).exclude(status=TaskStatus.WITHDRAWN).only(*ROLLUP_FIELDS)
    return {pk: rollup.quantize(value) for pk, value in rollup.task_percents(list(rows)).items()}


def mark(tasks, today=None):
    """Sets ``percent`` (rolled up) and ``light`` on each task, as serializers read them."""
    tasks = [task for task in tasks if task is not None]
    today = today or timezone.localdate()
    percents = rolled_percents({task.goal_id for task in tasks})
    for task in tasks:
        task.percent = percents.get(task.pk, task.percent_done)
        task.light = lights.light(task, today, percent=task.percent)
    return tasks


def plan_figures(plan, user, today=None):
    """The plan's completion, each goal's, and per lead unit in the user's scope: completion and colours.

    A unit's completion is the weighted percent of the tasks it leads, a task inside another task of
    the same unit counted through that task only (as ``rollup.unit_scores`` counts them).
    """
    today = today or timezone.localdate()
    progress = rollup.plan_progress(plan)
    tasks = list(
        Task.objects.filter(goal__plan=plan).exclude(status=TaskStatus.WITHDRAWN)
        .select_related("lead_unit").only(*ROLLUP_FIELDS, *LIGHT_FIELDS, "lead_unit__name", "lead_unit__path")
    )
    lead_of = {task.pk: task.lead_unit_id for task in tasks}
    paths = permissions.scope_paths(user, GOAL_VIEW)
    colours = {"green": 0, "yellow": 0, "red": 0}
    units = {}
    for task in tasks:
        percent = progress.tasks.get(task.pk, task.percent_done)
        colour = lights.light(task, today, percent=percent)
        colours[colour] += 1
        unit = task.lead_unit
        if not any(unit.path.startswith(path) for path in paths):
            continue
        row = units.setdefault(unit.pk, {"unit": unit.pk, "unit_name": unit.name, "path": unit.path, "pairs": [], "tasks": 0,
                                         **{key: 0 for key in colours}})
        row["tasks"] += 1
        row[colour] += 1
        if lead_of.get(task.parent_id) != unit.pk:
            row["pairs"].append((percent, task.weight))
    unit_rows = []
    for row in sorted(units.values(), key=lambda item: item["path"]):
        row["percent"] = rollup.quantize(rollup.weighted_mean(row.pop("pairs")))
        row.pop("path")
        unit_rows.append(row)
    return {"percent": progress.percent, "goals": progress.goals, "units": unit_rows, "lights": {**colours, "total": len(tasks)}}
