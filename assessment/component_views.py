"""Scores of components assessed outside Mofan: the table per unit and its .xlsx import."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import BootstrapMixin

from .component_import import import_component_scores
from .models import ComponentScore, ComponentSource
from .round_views import _changeable_round


class ComponentImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))


@login_required
def component_scores(request, pk):
    """The office imports the entered components' scores; a file with any problem changes nothing."""
    round_ = _changeable_round(request, pk)
    form = ComponentImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        outcome = import_component_scores(request.user, round_, form.cleaned_data["file"])
        if outcome.ok:
            messages.success(request, _("%(count)d scores imported.") % {"count": outcome.saved})
            return redirect("assessment:component_scores", pk=round_.pk)
        problems = outcome.errors
    components = list(round_.components.filter(source=ComponentSource.ENTERED))
    scores = {}
    for component_id, unit_id, score in ComponentScore.objects.filter(component__in=components).values_list(
        "component_id", "unit_id", "score"
    ):
        scores[(component_id, unit_id)] = score
    rows = [
        (scorecard.unit, [scores.get((component.pk, scorecard.unit_id)) for component in components])
        for scorecard in round_.scorecards.select_related("unit").order_by("unit__path")
    ]
    return render(request, "assessment/component_scores.html", {
        "round": round_, "form": form, "problems": problems, "components": components, "rows": rows,
    })
