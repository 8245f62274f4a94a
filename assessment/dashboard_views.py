"""The round dashboard (progress, ranking, charts) and the results exports (.xlsx, .docx)."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import ROUND_VIEW
from core.events import log_event

from . import exports
from .models import RoundStatus, ScorecardStatus
from .round_views import visible_round
from .scorecard_views import visible_scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _dashboard_round(request, pk):
    round_ = visible_round(request.user, pk)
    if not permissions.has_perm(request.user, ROUND_VIEW, round_):
        raise PermissionDenied
    return round_


def rows_of(round_):
    """Every assessed unit's live outcome with its scorecard status, best result first; plus the tree."""
    outcomes, tree = exports.outcomes_and_tree(round_)
    statuses = dict(round_.scorecards.values_list("unit_id", "status"))
    rows = sorted(outcomes.values(), key=lambda outcome: (-outcome.total, outcome.unit.path))
    for outcome in rows:
        outcome.status = statuses.get(outcome.unit.pk)
        outcome.status_label = ScorecardStatus(outcome.status).label if outcome.status else ""
        outcome.percent_done = round(outcome.answered * 100 / outcome.item_count) if outcome.item_count else 100
    return rows, tree


@login_required
def dashboard(request, pk):
    round_ = _dashboard_round(request, pk)
    rows, tree = rows_of(round_)
    grades = list(round_.grades.all())
    counts = Counter(outcome.grade.pk for outcome in rows if outcome.grade is not None)
    statuses = Counter(outcome.status for outcome in rows)
    dimension_means = []
    for dimension in tree.dimensions:
        values = [outcome.dimension_scores.get(dimension.pk) for outcome in rows]
        values = [value for value in values if value is not None]
        mean = sum(values) / len(values) if values else 0
        dimension_means.append({"name": dimension.title, "mean": float(round(mean, 2)), "points": float(dimension.points)})
    chart = {
        "grades": {"names": [grade.name for grade in grades], "counts": [counts.get(grade.pk, 0) for grade in grades]},
        "dimensions": dimension_means,
        "labels": {"grades": _("Grade distribution"), "dimensions": _("Mean score by dimension"),
                   "mean": _("Mean score"), "points": _("Points"), "units": _("Units")},
    }
    return render(request, "assessment/dashboard.html", {
        "round": round_,
        "rows": rows,
        "chart": chart,
        "status_counts": [(label, statuses.get(value, 0)) for value, label in ScorecardStatus.choices],
        "live": round_.status != RoundStatus.PUBLISHED,
        "unit_count": len(rows),
    })


@login_required
def export_xlsx(request, pk):
    round_ = _dashboard_round(request, pk)
    content = exports.results_workbook(round_)
    log_event("export", round_, summary=_("Results exported to .xlsx"), unit_id=round_.unit_id)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = exports.attachment(f"{round_.name}-考核结果.xlsx")
    return response


@login_required
def export_docx(request, pk):
    card = visible_scorecard(request.user, pk)
    content = exports.score_sheet_docx(card)
    log_event("export", card, summary=_("Score sheet exported to .docx"), unit_id=card.unit_id)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = exports.attachment(f"{card.unit.name}-{card.round.name}-评分表.docx")
    return response


