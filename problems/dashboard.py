"""The problems dashboard's figures: found vs signed off by month, by dimension, by source, overdue
measures by responsible unit. A fixed number of queries whatever the number of problems: the
problems of the year are read once as plain values and counted in Python."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from standard.models import Level

from .actions import overdue_measures
from .models import ProblemStatus, Source

OVERDUE_ROWS = 20


@dataclass
class Figures:
    year: int
    found: list = field(default_factory=lambda: [0] * 12)
    signed_off: list = field(default_factory=lambda: [0] * 12)
    by_dimension: list = field(default_factory=list)  # [(dimension title, count)]
    by_source: list = field(default_factory=list)  # [(source label, count)]
    overdue_by_unit: list = field(default_factory=list)  # [{"unit_id", "unit__name", "count"}]
    overdue: list = field(default_factory=list)  # the most overdue measures
    found_total: int = 0
    signed_off_total: int = 0
    open_total: int = 0
    overdue_total: int = 0


def _dimension(level, title, parent_title, grandparent_title):
    if level == Level.DIMENSION:
        return title
    if level == Level.INDICATOR:
        return parent_title
    if level == Level.ITEM:
        return grandparent_title
    return None


def figures(problems, measures, year, today=None) -> Figures:
    """``problems`` and ``measures`` are what the user may see (already narrowed to a unit)."""
    today = today or timezone.localdate()
    result = Figures(year=year)
    rows = problems.filter(Q(found_on__year=year) | Q(signed_off_at__year=year)).values_list(
        "found_on", "signed_off_at", "status", "source", "node__level", "node__title", "node__parent__title",
        "node__parent__parent__title",
    )
    dimensions, sources = Counter(), Counter()
    for found_on, signed_off_at, status, source, *node in rows:
        if signed_off_at is not None and timezone.localtime(signed_off_at).year == year:
            result.signed_off[timezone.localtime(signed_off_at).month - 1] += 1
            result.signed_off_total += 1
        if found_on.year != year:
            continue
        result.found[found_on.month - 1] += 1
        result.found_total += 1
        result.open_total += status != ProblemStatus.SIGNED_OFF
        dimensions[_dimension(*node) or _("Not tied to the standard")] += 1
        sources[Source(source).label] += 1
    result.by_dimension = dimensions.most_common()
    result.by_source = sources.most_common()
    late = overdue_measures(measures, today)
    result.overdue_by_unit = list(late.values("unit_id", "unit__name").annotate(count=Count("id")).order_by("-count", "unit__name"))
    result.overdue_total = sum(row["count"] for row in result.overdue_by_unit)
    result.overdue = list(late.select_related("problem", "unit", "person").order_by("deadline", "id")[:OVERDUE_ROWS])
    for measure in result.overdue:
        measure.days_late = (today - measure.deadline).days
    return result


def chart_data(result: Figures) -> dict:
    """What dashboard.js draws, labels included (translated here, not in the script)."""
    return {
        "months": [_("Month %(month)d") % {"month": month} for month in range(1, 13)],
        "found": result.found,
        "signed_off": result.signed_off,
        "dimensions": [{"name": name, "value": count} for name, count in result.by_dimension],
        "sources": [{"name": str(name), "value": count} for name, count in result.by_source],
        "units": [{"name": row["unit__name"], "value": row["count"]} for row in result.overdue_by_unit],
        "labels": {
            "months": _("Found and signed off by month"), "found": _("Found"), "signed_off": _("Signed off"),
            "dimensions": _("Problems by dimension"), "sources": _("Problems by source"),
            "units": _("Overdue measures by responsible unit"),
        },
    }
