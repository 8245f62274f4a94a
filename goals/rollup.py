"""Progress rolled up from the accepted reports: sub-tasks into their parent, tasks into their goal,
goals into the plan, each weighted. Computed on demand, never stored over the reports. Withdrawn
tasks count nowhere."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

from .models import Plan, PlanStatus, Task, TaskStatus

ZERO = Decimal("0")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def weighted_mean(pairs) -> Decimal:
    """Mean of (value, weight) pairs by weight; a plain mean when every weight is 0; 0 for none."""
    pairs = list(pairs)
    if not pairs:
        return ZERO
    total_weight = sum((weight for _, weight in pairs), ZERO)
    if total_weight == 0:
        return sum((value for value, _ in pairs), ZERO) / len(pairs)
    return sum((value * weight for value, weight in pairs), ZERO) / total_weight


def task_percents(tasks) -> dict[int, Decimal]:
    """Each task's percent: its accepted percent when it has no sub-tasks, else its sub-tasks' weighted mean."""
    children = defaultdict(list)
    for task in tasks:
        children[task.parent_id].append(task)
    result = {}

    def visit(task):
        if task.pk not in result:
            kids = children.get(task.pk)
            result[task.pk] = (
                weighted_mean((visit(kid), kid.weight) for kid in kids) if kids else task.percent_done
            )
        return result[task.pk]

    for task in tasks:
        visit(task)
    return result


@dataclass
class PlanProgress:
    percent: Decimal
    goals: dict  # goal id -> percent
    tasks: dict  # task id -> percent


def progress_of(goals, tasks) -> PlanProgress:
    percents = task_percents(tasks)
    top = defaultdict(list)
    for task in tasks:
        if task.parent_id is None:
            top[task.goal_id].append((percents[task.pk], task.weight))
    goal_percents = {goal.pk: weighted_mean(top[goal.pk]) for goal in goals}
    plan_percent = weighted_mean((goal_percents[goal.pk], goal.weight) for goal in goals)
    return PlanProgress(
        percent=quantize(plan_percent),
        goals={key: quantize(value) for key, value in goal_percents.items()},
        tasks={key: quantize(value) for key, value in percents.items()},
    )


TASK_FIELDS = ("id", "goal_id", "parent_id", "weight", "percent_done")


def plan_progress(plan) -> PlanProgress:
    """The plan's completion, each goal's and each task's, from two queries."""
    tasks = Task.objects.filter(goal__plan=plan).exclude(status=TaskStatus.WITHDRAWN).only(*TASK_FIELDS)
    return progress_of(list(plan.goals.all()), list(tasks))


def plans_progress(plans) -> dict[int, Decimal]:
    """The completion of each of ``plans`` (a page of a list), from two queries for them all."""
    from .models import Goal

    plan_ids = [plan.pk for plan in plans]
    goals, tasks = defaultdict(list), defaultdict(list)
    for goal in Goal.objects.filter(plan_id__in=plan_ids).only("id", "plan_id", "weight"):
        goals[goal.plan_id].append(goal)
    rows = Task.objects.filter(goal__plan_id__in=plan_ids).exclude(status=TaskStatus.WITHDRAWN)
    for task in rows.annotate(plan_id=models.F("goal__plan_id")).only(*TASK_FIELDS):
        tasks[task.plan_id].append(task)
    return {plan_id: progress_of(goals[plan_id], tasks[plan_id]).percent for plan_id in plan_ids}


def unit_scores(round_, unit_ids) -> dict[int, Decimal]:
    """Goal completion (0-100) of each unit: the weighted progress of the tasks it leads in the
    published plans of the round's years. A task inside another task of the same unit is counted
    through that task only; a unit that leads no task has no score."""
    unit_ids = set(unit_ids)
    plans = Plan.objects.filter(
        status=PlanStatus.PUBLISHED, year__gte=round_.period_start.year, year__lte=round_.period_end.year,
        goals__tasks__lead_unit_id__in=unit_ids,
    ).distinct()
    tasks = list(
        Task.objects.filter(goal__plan__in=plans).exclude(status=TaskStatus.WITHDRAWN).only("id", "parent_id", "lead_unit_id", "weight", "percent_done")
    )
    percents = task_percents(tasks)
    lead_of = {task.pk: task.lead_unit_id for task in tasks}
    pairs = defaultdict(list)
    for task in tasks:
        if task.lead_unit_id in unit_ids and lead_of.get(task.parent_id) != task.lead_unit_id:
            pairs[task.lead_unit_id].append((percents[task.pk], task.weight))
    return {unit_id: quantize(weighted_mean(rows)) for unit_id, rows in pairs.items()}
