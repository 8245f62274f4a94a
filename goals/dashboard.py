"""Figures of the overview pages (board, my tasks, Gantt, dashboard) and of the daily snapshots.

Tasks are read as lean rows in one query, whatever their number; their roll-up percents come from
``rollup`` and their colours from ``lights``, in Python, so the colour rule exists once and a page's
query count does not grow with its tasks.
"""

from collections import Counter, defaultdict

from django.urls import reverse

from . import lights, rollup
from .models import Light, Task, TaskStatus
from .templatetags.goals_tags import CSS

# What lights.light and rollup.task_percents read.
LEAN_FIELDS = (
    "id", "parent_id", "goal_id", "lead_unit_id", "status", "start_date", "due_date", "percent_done",
    "light_floor", "last_accepted_report_at", "cadence", "weight",
)
COLOURS = (Light.RED.value, Light.YELLOW.value, Light.GREEN.value)
# Red first, then yellow, then green: the order lagging work is shown in.
URGENCY = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2, "": 3}
LABELS = {colour.value: colour.label for colour in Light}
CSS_BY_VALUE = {Light(colour).value: css for colour, css in CSS.items()}


class Row:
    """A task read as values: what the colour and roll-up need, plus the extra fields a page shows."""

    def __init__(self, values):
        self.__dict__.update(values)

    @property
    def pk(self):
        return self.id

    # For goals/includes/light.html, as the light_badge tag shows it.
    @property
    def light_label(self):
        return LABELS.get(self.light, "")

    @property
    def light_css(self):
        return CSS_BY_VALUE.get(self.light, "secondary")

    def get_absolute_url(self):
        return reverse("goals:task", args=[self.id])


def lean_rows(queryset, *extra, **annotations):
    """The tasks of ``queryset`` as ``Row`` objects, from one query."""
    if annotations:
        queryset = queryset.annotate(**annotations)
    return [Row(values) for values in queryset.values(*LEAN_FIELDS, *extra, *annotations)]


def colour(rows, today, percents=None):
    """Sets ``percent`` (rolled up) and ``light`` on every row.

    ``rows`` must hold every non-withdrawn descendant of each row whose roll-up matters; ``percents``
    (task id -> percent, e.g. from ``rollup.plan_progress``) replaces the roll-up over ``rows``.
    """
    if percents is None:
        percents = {key: rollup.quantize(value) for key, value in rollup.task_percents(rows).items()}
    for row in rows:
        row.percent = percents.get(row.id, row.percent_done)
        colour = lights.light(row, today, percent=row.percent)
        # A plain string: enum members hash slowly, and pages sort and count tens of thousands of rows.
        row.light = colour.value if colour else ""
    return rows


def plan_rows(plan, *extra):
    """A plan's goals, its non-withdrawn tasks as rows, and its progress over them: one read of the tasks
    serves both the roll-up and the colours (``rollup.plan_progress`` would read them again as models)."""
    goals = list(plan.goals.all())
    rows = lean_rows(Task.objects.filter(goal__plan=plan).exclude(status=TaskStatus.WITHDRAWN), *extra)
    return goals, rows, rollup.progress_of(goals, rows)


def by_urgency(rows):
    """Red first, then yellow, then green; the nearest due date first within a colour."""
    return sorted(rows, key=lambda row: (URGENCY[row.light], row.due_date, row.id))


def light_counts(rows) -> dict:
    counts = Counter(row.light for row in rows)
    return {key: counts.get(key, 0) for key in COLOURS}


def unit_completion(rows) -> dict:
    """Each lead unit's weighted completion in these rows (as ``rollup.unit_scores`` counts it for a
    round): a task inside another task of the same unit counts through that task only."""
    lead_of = {row.id: row.lead_unit_id for row in rows}
    pairs = defaultdict(list)
    for row in rows:
        if lead_of.get(row.parent_id) != row.lead_unit_id:
            pairs[row.lead_unit_id].append((row.percent, row.weight))
    return {unit_id: rollup.quantize(rollup.weighted_mean(items)) for unit_id, items in pairs.items()}


def done_count(rows) -> int:
    return sum(1 for row in rows if row.status == TaskStatus.DONE)
