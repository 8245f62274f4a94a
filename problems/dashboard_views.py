"""The problems dashboard (问题整改看板): found vs signed off by month, by dimension, by source, and the
overdue measures by responsible unit, for the problems the user may see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from accounts import permissions
from accounts.roles import GOAL_CHANGE, PROBLEM_VIEW

from . import dashboard, scoping
from .forms import DashboardFilterForm
from .problem_views import _require_view


@login_required
def dashboard_page(request):
    user = request.user
    _require_view(user)
    today = timezone.localdate()
    units = permissions.visible_units(user, perm=PROBLEM_VIEW).order_by("path")
    form = DashboardFilterForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    unit, year = data.get("unit"), data.get("year") or today.year
    problems = scoping.visible_problems(user)
    if unit is not None:
        problems = problems.filter(unit__path__startswith=unit.path)
    measures = scoping.visible_measures(user).filter(problem__in=problems.values("pk"))
    result = dashboard.figures(problems, measures, year, today)
    return render(request, "problems/dashboard.html", {
        "form": form, "figures": result, "chart": dashboard.chart_data(result), "unit": unit, "year": year,
        "can_supervise": permissions.has_any_scope(user, GOAL_CHANGE),
    })

