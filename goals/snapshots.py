"""The daily plan snapshot (the dashboard's trend): each published plan's completion and colour counts."""

import datetime

from core.schedule import register_daily

from . import dashboard
from .models import Plan, PlanSnapshot, PlanStatus


def plan_figures(plan, today: datetime.date) -> dict:
    """The plan's completion (as ``rollup.plan_progress`` computes it) and its non-withdrawn tasks'
    colour counts on ``today``."""
    _goals, rows, progress = dashboard.plan_rows(plan)
    dashboard.colour(rows, today, progress.tasks)
    return {
        "percent": progress.percent, "total": len(rows), "done": dashboard.done_count(rows),
        **dashboard.light_counts(rows),
    }


def take_snapshots(today: datetime.date) -> int:
    """Writes one snapshot per published plan for ``today``; run again the same day, it updates them."""
    plans = list(Plan.objects.filter(status=PlanStatus.PUBLISHED))
    for plan in plans:
        PlanSnapshot.objects.update_or_create(plan=plan, date=today, defaults=plan_figures(plan, today))
    return len(plans)


register_daily("goals.snapshots", take_snapshots)
