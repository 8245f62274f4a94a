"""The traffic light (红黄绿灯) of a task: the one function pages, API, exports and reminders use.

- red: past its due date and not done;
- yellow: due within ``MOFAN_GOALS_YELLOW_DAYS`` days and behind the expected linear progress by
  more than ``MOFAN_GOALS_BEHIND_POINTS`` points, or no accepted report for longer than its cadence,
  or it was red and has not had an accepted report since (``Task.light_floor``);
- green otherwise, and always once done;
- none ("") for a withdrawn task (no longer carried out) and a declined one (nobody carries it out
  until the issuer hands it on or withdraws it; the board lists it under "declined").

A task with sub-tasks is reported on through them: an accepted report anywhere below it counts as
one of its own for the cadence (``accept_report`` moves ``last_accepted_report_at`` up the tree).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from .models import Cadence, Light, TaskStatus

# The longest a period of each cadence can be, so a report on the last day of a period is never late.
CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.MONTHLY: 31, Cadence.QUARTERLY: 92}


def yellow_days() -> int:
    return getattr(settings, "MOFAN_GOALS_YELLOW_DAYS", 7)


def behind_points() -> Decimal:
    return Decimal(getattr(settings, "MOFAN_GOALS_BEHIND_POINTS", 20))


def expected_percent(task, today: datetime.date) -> Decimal:
    """Where a task would be if its work went evenly from its start to its due date."""
    if today <= task.start_date:
        return Decimal("0")
    if today >= task.due_date:
        return Decimal("100")
    elapsed = (today - task.start_date).days
    return Decimal(100 * elapsed) / Decimal((task.due_date - task.start_date).days)


def report_missing(task, today: datetime.date) -> bool:
    """No accepted report for longer than the cadence, counted from the start or the last acceptance."""
    last = task.last_accepted_report_at
    since = timezone.localtime(last).date() if last is not None else task.start_date
    return (today - since).days > CADENCE_DAYS[task.cadence]


def light(task, today: datetime.date | None = None, *, percent: Decimal | None = None) -> str:
    """The colour of ``task`` on ``today``; ``percent`` overrides the stored one (a rolled-up parent)."""
    if task.status in (TaskStatus.WITHDRAWN, TaskStatus.DECLINED):
        return ""
    if task.status == TaskStatus.DONE:
        return Light.GREEN
    today = today or timezone.localdate()
    if today > task.due_date:
        return Light.RED
    percent = task.percent_done if percent is None else percent
    due_soon = (task.due_date - today).days <= yellow_days()
    if due_soon and expected_percent(task, today) - percent > behind_points():
        return Light.YELLOW
    if task.light_floor == Light.YELLOW or report_missing(task, today):
        return Light.YELLOW
    return Light.GREEN
