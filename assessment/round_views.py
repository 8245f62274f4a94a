"""Rounds: the list, and the office's set-up (options, grades, components, conditions, units, open, publish)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import PERSON_VIEW, ROUND_CHANGE, ROUND_VIEW, SCORECARD_VIEW, Role
from core.forms import add_validation_errors, step, submit
from organization.models import Unit
from standard.actions import visible_standards
from standard.models import Level, StandardStatus

from . import actions, publication
from .forms import AddUnitsForm, ComponentFormSet, ConditionForm, GradeFormSet, RoundEditForm, RoundForm
from .models import GradeCondition, RoundStatus

OPTIONS = ["appeal_days", "allow_over_full_marks", "bonus_cap", "higher_level_multiplier", "children_share", "weakness_percent"]


def visible_round(user, pk):
    return get_object_or_404(publication.visible_rounds(user).select_related("unit", "standard", "veto_grade"), pk=pk)


def _changeable_round(request, pk):
    round_ = visible_round(request.user, pk)
    if not permissions.has_perm(request.user, ROUND_CHANGE, round_):
        raise PermissionDenied
    return round_


@login_required
def round_list(request):
    rounds = publication.visible_rounds(request.user).select_related("unit", "standard")
    return render(request, "assessment/round_list.html", {
        "rounds": rounds,
        "can_create": permissions.has_any_scope(request.user, ROUND_CHANGE),
    })


@login_required
def round_create(request):
    if not permissions.has_any_scope(request.user, ROUND_CHANGE):
        raise PermissionDenied
    form = RoundForm(
        request.POST or None,
        units=permissions.restrict(Unit.objects.filter(is_active=True), request.user, perm=ROUND_CHANGE),
        standards=visible_standards(request.user).filter(status=StandardStatus.PUBLISHED).select_related("unit"),
    )
    done = submit(
        request, form,
        lambda data: actions.create_round(request.user, **{key: value for key, value in data.items() if value is not None or key == "bonus_cap"}),
        success=lambda round_: _("Round %(name)s created.") % {"name": round_.name},
        then=lambda round_: round_.get_absolute_url(),
    )
    return done or render(request, "assessment/round_form.html", {"form": form, "round": None})


@login_required
def round_detail(request, pk):
    user = request.user
    round_ = visible_round(user, pk)
    scorecards = permissions.restrict(round_.scorecards.select_related("unit"), user, perm=SCORECARD_VIEW)
    can_change = permissions.has_perm(user, ROUND_CHANGE, round_)
    return render(request, "assessment/round_detail.html", {
        "round": round_,
        "scorecards": scorecards,
        "grades": list(round_.grades.all()),
        "components": list(round_.components.all()),
        "conditions": list(round_.conditions.select_related("node", "best_grade")),
        "reviewers": list(round_.reviewers.all()),
        "can_change": can_change,
        "can_view_dashboard": permissions.has_perm(user, ROUND_VIEW, round_),
        "is_setup": round_.status != RoundStatus.PUBLISHED,
    })


@login_required
def round_edit(request, pk):
    round_ = _changeable_round(request, pk)
    initial = {name: getattr(round_, name) for name in OPTIONS}
    initial.update(veto_grade=round_.veto_grade, reviewers=list(round_.reviewers.all()))
    form = RoundEditForm(
        request.POST or None, initial=initial, grades=round_.grades.all(), people=_possible_reviewers(request.user, round_),
    )
    done = submit(
        request, form, lambda data: actions.update_round(request.user, round_, **data),
        success=_("Changes saved."), then=round_.get_absolute_url(),
    )
    return done or render(request, "assessment/round_form.html", {"form": form, "round": round_})


def _possible_reviewers(user, round_):
    """Active people of the round's units whom the user may see and who hold an assessor or office role there."""
    from accounts.models import RoleGrant, User

    holders = RoleGrant.objects.filter(role__in=[Role.ASSESSOR, Role.OFFICE], unit__path__startswith=round_.unit.path)
    people = User.objects.filter(is_active=True, pk__in=holders.values("person_id"))
    return permissions.restrict(people, user, perm=PERSON_VIEW).select_related("unit").order_by("unit__path", "real_name")


def _rows(formset, required):
    """The filled-in rows of a formset, as dicts for the action."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data.get(required) not in (None, "")]


def _table(request, pk, *, formset_class, prefix, rows, save, saved, title, help_text):
    """A round's table of rows (grades, components) replaced as a whole by one action."""
    round_ = _changeable_round(request, pk)
    formset = formset_class(request.POST or None, initial=list(rows(round_)), prefix=prefix)
    error = None
    if request.method == "POST" and formset.is_valid():
        try:
            save(request.user, round_, _rows(formset, "name"))
        except ValidationError as exc:
            error = exc.messages
        else:
            messages.success(request, saved)
            return redirect(round_.get_absolute_url())
    return render(request, "assessment/round_table_form.html", {
        "round": round_, "formset": formset, "errors": error, "title": title, "help": help_text,
    })


@login_required
def grades(request, pk):
    return _table(
        request, pk, formset_class=GradeFormSet, prefix="grade", save=actions.set_grades, saved=_("Grades saved."),
        rows=lambda round_: round_.grades.values("name", "min_score", "quota_count", "quota_percent", "pay_coefficient", "award_eligible"),
        title=_("Grades and what they bring"),
        help_text=_("Best grade first. Thresholds fall from grade to grade; the last starts at 0. Leave a row's grade empty to drop it."),
    )


@login_required
def components(request, pk):
    return _table(
        request, pk, formset_class=ComponentFormSet, prefix="component", save=actions.set_components,
        saved=_("Components saved."), rows=lambda round_: round_.components.values("name", "weight", "source"),
        title=_("Weighted components"), help_text=_("Weights add up to 100. No component: the result is the score by the standard."),
    )


@login_required
def conditions(request, pk):
    round_ = _changeable_round(request, pk)
    form = ConditionForm(
        request.POST or None,
        nodes=round_.standard.nodes.exclude(level=Level.ITEM).order_by("number"),
        grades=round_.grades.all(),
    )
    done = submit(
        request, form, lambda data: actions.add_condition(request.user, round_, **data),
        success=_("Condition added."), then=round_.get_absolute_url(),
    )
    return done or render(request, "assessment/round_simple_form.html", {
        "round": round_, "form": form, "title": _("Add a grade condition"),
    })


@login_required
@require_POST
def condition_remove(request, pk, condition_pk):
    round_ = _changeable_round(request, pk)
    condition = GradeCondition.objects.filter(round=round_, pk=condition_pk).first()
    if condition is not None:
        try:
            actions.remove_condition(request.user, condition)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect(round_.get_absolute_url())


@login_required
def add_units(request, pk):
    round_ = _changeable_round(request, pk)
    units = permissions.restrict(Unit.objects.filter(is_active=True, path__startswith=round_.unit.path), request.user, perm=ROUND_CHANGE)
    form = AddUnitsForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            count = actions.add_units(request.user, round_, root=form.cleaned_data["root"], kinds=form.cleaned_data["kinds"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("%(count)d units added.") % {"count": count})
            return redirect(round_.get_absolute_url())
    return render(request, "assessment/round_simple_form.html", {"round": round_, "form": form, "title": _("Add units to assess")})


def _round_step(request, pk, perform, success):
    return step(request, _changeable_round(request, pk), perform, success)


@login_required
@require_POST
def open_round(request, pk):
    return _round_step(request, pk, lambda round_: actions.open_round(request.user, round_), _("The round is under way."))


@login_required
@require_POST
def publish(request, pk):
    return _round_step(request, pk, lambda round_: publication.publish_round(request.user, round_), _("Results published."))
