"""Problem pages: the rectification ledger (整改台账) and its .xlsx, registering a problem, a problem's
page and its steps (analyse, set measures, report progress, submit, sign off or send back, evidence).

Problems out of the user's scope do not exist for them (404); a visible problem the user may not act
on is refused (403).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import FEEDBACK_VIEW, GOAL_CHANGE, PROBLEM_CHANGE, PROBLEM_RAISE, PROBLEM_VIEW, SUGGESTION_VIEW
from core.events import log_event
from core.forms import add_validation_errors, step, submit
from evidence import actions as evidence_actions
from evidence.forms import UploadForm
from evidence.models import Link
from organization.models import Unit
from standard.actions import current_standard, visible_standards

from . import actions, ledger, links, scoping
from .forms import AnalyseForm, MeasureForm, ProblemFilterForm, ProblemForm, ProgressForm, ReasonForm, dimension_choices
from .models import Measure, MeasureUpdate, Problem, ProblemStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
EDITABLE = (ProblemStatus.REGISTERED, *actions.OPEN_FOR_MEASURES)


def _require_view(user):
    if not permissions.has_any_scope(user, PROBLEM_VIEW):
        raise PermissionDenied


def filtered(request):
    """The problems the user may see, narrowed by the ledger's filters, and the filter form."""
    user = request.user
    units = permissions.visible_units(user, perm=PROBLEM_VIEW).order_by("path")
    dimensions = dimension_choices(visible_standards(user))
    form = ProblemFilterForm(request.GET or None, units=units, dimensions=dimensions)
    return ledger.filter_problems(scoping.visible_problems(user), **form.filters()), form


@login_required
def problem_list(request):
    """整改台账: every problem the user may see, filtered; a problem with an overdue measure shows red."""
    _require_view(request.user)
    problems, form = filtered(request)
    rows = ledger.with_row_figures(problems).order_by("-found_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for problem in page:
        problem.number = ledger.problem_number(problem)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "problems/problem_list.html", {
        "page_obj": page, "form": form, "query": query.urlencode(),
        "can_raise": permissions.has_any_scope(request.user, PROBLEM_RAISE),
        "can_see_ideas": permissions.has_any_scope(request.user, SUGGESTION_VIEW),
        "can_see_feedback": permissions.has_any_scope(request.user, FEEDBACK_VIEW),
    })


def _ledger_unit_name(user, unit):
    if unit is not None:
        return unit.name
    roots = permissions.scope_paths(user, PROBLEM_VIEW)
    names = list(Unit.objects.filter(path__in=roots).order_by("path").values_list("name", flat=True))
    return "、".join(names)


@login_required
def ledger_xlsx(request):
    """The ledger as .xlsx, with the same filters as the page."""
    _require_view(request.user)
    problems, form = filtered(request)
    chosen = form.filters()
    title = ledger.ledger_title(_ledger_unit_name(request.user, chosen.get("unit")), chosen.get("year"))
    content = ledger.ledger_workbook(problems, title=title)
    log_event("export", object_type="problems.problem", summary=_("Rectification ledger exported to .xlsx"))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{title}.xlsx")
    return response


def _standards_for(user, unit):
    """The published standards whose parts a problem of ``unit`` (or, before a unit is chosen, of the
    user's units) may concern."""
    if unit is not None:
        units = [unit]
    else:
        units = list(Unit.objects.filter(path__in=permissions.scope_paths(user, PROBLEM_RAISE)))
    found = {standard.pk for standard in (current_standard(each) for each in units) if standard is not None}
    return visible_standards(user).filter(pk__in=found)


def _chosen_unit(request, units):
    wanted = request.POST.get("unit") or request.GET.get("unit") or ""
    if not wanted:
        return None
    if not wanted.isdigit():
        raise Http404
    if request.method == "POST":
        return units.filter(pk=wanted).first()
    return get_object_or_404(units, pk=wanted)


@login_required
def problem_add(request):
    """Register a problem in one of the units where the user may raise problems (``?unit=`` preselects)."""
    user = request.user
    units = scoping.raise_units(user)
    if not units.exists():
        raise PermissionDenied
    unit = _chosen_unit(request, units)
    initial = {"found_on": timezone.localdate()}
    if unit is not None:
        initial["unit"] = unit
    elif units.count() == 1:
        initial["unit"] = unit = units.first()
    form = ProblemForm(request.POST or None, initial=initial, units=units, standards=_standards_for(user, unit))

    def perform(data):
        data = dict(data)
        raised_by = None if data.pop("unnamed") else user
        return actions.register_problem(user, raised_by=raised_by, **data)

    done = submit(
        request, form, perform, success=lambda problem: _("Problem %(title)s registered.") % {"title": problem.title},
        then=lambda problem: problem.get_absolute_url(),
    )
    return done or render(request, "problems/problem_form.html", {"form": form})


def visible_problem(user, pk):
    related = (
        "unit", "node", "raised_by", "registered_by", "signed_off_by", "origin_item__scorecard", "origin_item__node",
        "origin_notice", "origin_suggestion", "origin_feedback",
    )
    return get_object_or_404(scoping.visible_problems(user, Problem.objects.select_related(*related)), pk=pk)


@dataclass
class Abilities:
    """What the user may do on a problem now: the buttons shown, and the views' own checks."""

    analyse: bool
    add_measure: bool
    submit: bool
    verify: bool
    attach: bool


def abilities(user, problem) -> Abilities:
    keeper = permissions.has_perm(user, PROBLEM_CHANGE, problem)
    verify = problem.status == ProblemStatus.SUBMITTED and actions.may_verify(user, problem)
    return Abilities(
        analyse=keeper and problem.status in EDITABLE,
        add_measure=keeper and problem.status in actions.OPEN_FOR_MEASURES,
        submit=keeper and problem.status == ProblemStatus.RECTIFYING,
        verify=verify,
        attach=keeper and problem.status != ProblemStatus.SIGNED_OFF,
    )


def origin_of(problem):
    """(what it came from, its page or None) for a problem registered from another record."""
    if problem.origin_item_id:
        item = problem.origin_item
        url = reverse("assessment:scorecard", args=[item.scorecard_id]) + f"#item-{item.pk}"
        return _("Weakness of the scorecard item %(item)s") % {"item": item.node}, url
    for origin, label in (
        (problem.origin_notice, _("Supervision notice")),
        (problem.origin_suggestion, _("Suggestion")),
        (problem.origin_feedback, _("Public feedback")),
    ):
        if origin is not None:
            try:
                url = origin.get_absolute_url()
            except NoReverseMatch:  # its page is not there yet
                url = None
            return f"{label}：{origin}", url
    return None


def _evidence(user, problem, measures):
    """Evidence links on the problem, its measures and their updates that the user may see, by target."""
    types = ContentType.objects.get_for_models(Problem, Measure, MeasureUpdate)
    update_ids = [update.pk for measure in measures for update in measure.updates.all()]
    condition = (
        Q(target_type=types[Problem], target_id=problem.pk)
        | Q(target_type=types[Measure], target_id__in=[measure.pk for measure in measures])
        | Q(target_type=types[MeasureUpdate], target_id__in=update_ids)
    )
    found = {}
    for link in permissions.restrict(Link.objects.filter(condition).select_related("document"), user, "view"):
        found.setdefault((link.target_type_id, link.target_id), []).append(link)
    on_problem = found.get((types[Problem].pk, problem.pk), [])
    for measure in measures:
        measure.evidence = found.get((types[Measure].pk, measure.pk), [])
        for update in measure.updates.all():
            update.evidence = found.get((types[MeasureUpdate].pk, update.pk), [])
    return on_problem


@login_required
def problem_detail(request, pk):
    user = request.user
    problem = visible_problem(user, pk)
    updates = MeasureUpdate.objects.select_related("by").order_by("at", "id")
    measures = list(
        problem.measures.select_related("leader", "unit", "person").prefetch_related(Prefetch("updates", queryset=updates))
    )
    today = timezone.localdate()
    can = abilities(user, problem)
    rectifying = problem.status == ProblemStatus.RECTIFYING
    for measure in measures:
        measure.overdue = rectifying and actions.is_overdue(measure, today)
        measure.can_report = rectifying and actions.may_report(user, measure)
    return render(request, "problems/problem_detail.html", {
        "problem": problem,
        "number": ledger.problem_number(problem),
        "measures": measures,
        "evidence": _evidence(user, problem, measures),
        "origin": origin_of(problem),
        "can": can,
        "all_done": bool(measures) and all(measure.done for measure in measures),
        "reason_form": ReasonForm() if can.verify else None,
        "can_supervise": any(measure.overdue for measure in measures) and permissions.has_any_scope(user, GOAL_CHANGE),
    })


def _keeper(user, pk):
    problem = visible_problem(user, pk)
    if not permissions.has_perm(user, PROBLEM_CHANGE, problem):
        raise PermissionDenied
    return problem


def _form_page(request, problem, form, perform, *, success, title, measure=None):
    """A form on a problem: the action's refusal is shown on the form, with everything typed kept."""
    done = submit(request, form, perform, success=success, then=problem.get_absolute_url())
    context = {"problem": problem, "form": form, "title": title, "measure": measure}
    return done or render(request, "problems/problem_action_form.html", context)


@login_required
def problem_analyse(request, pk):
    user = request.user
    problem = _keeper(user, pk)
    form = AnalyseForm(request.POST or None, initial={"root_cause": problem.root_cause})
    return _form_page(
        request, problem, form, lambda data: actions.analyse(user, problem, **data),
        success=_("Root-cause analysis saved."), title=_("Root-cause analysis"),
    )


@login_required
def measure_add(request, pk):
    user = request.user
    problem = _keeper(user, pk)
    units = Unit.objects.filter(path__startswith=problem.unit.path).order_by("path")
    form = MeasureForm(request.POST or None, initial={"unit": problem.unit}, problem=problem, units=units)
    return _form_page(
        request, problem, form, lambda data: actions.add_measure(user, problem, **data),
        success=_("Measure added."), title=_("Add a rectification measure"),
    )


def _visible_measure(user, pk):
    queryset = Measure.objects.select_related("problem__unit", "unit", "person", "leader")
    return get_object_or_404(scoping.visible_measures(user, queryset), pk=pk)


@login_required
def measure_progress(request, pk):
    """整改进展 on a measure, by its responsible person or the unit's keepers."""
    user = request.user
    measure = _visible_measure(user, pk)
    if not actions.may_report(user, measure):
        raise PermissionDenied
    form = ProgressForm(request.POST or None)
    return _form_page(
        request, measure.problem, form, lambda data: actions.report_progress(user, measure, **data),
        success=_("Progress reported."), title=_("Report progress"), measure=measure,
    )


@login_required
@require_POST
def problem_submit(request, pk):
    user = request.user
    problem = _keeper(user, pk)
    return step(request, problem, lambda p: actions.submit_for_verification(user, p), _("Submitted for verification."))


def _verifier(user, pk):
    problem = visible_problem(user, pk)
    if not actions.may_verify(user, problem):
        raise PermissionDenied
    return problem


@login_required
@require_POST
def problem_sign_off(request, pk):
    user = request.user
    problem = _verifier(user, pk)
    return step(request, problem, lambda p: actions.sign_off(user, p), _("Problem signed off."))


@login_required
def problem_send_back(request, pk):
    user = request.user
    problem = _verifier(user, pk)
    form = ReasonForm(request.POST or None)
    return _form_page(
        request, problem, form, lambda data: actions.send_back(user, problem, reason=data["reason"]),
        success=_("Sent back to rectifying."), title=_("Send back to rectifying"),
    )


def _evidence_target(request, problem):
    """(target, unit) named by ?measure= or ?update=, or the problem itself; checks who may attach."""
    user = request.user
    measure_id, update_id = request.GET.get("measure", ""), request.GET.get("update", "")
    if update_id:
        update = get_object_or_404(MeasureUpdate.objects.select_related("measure__unit"), pk=_number(update_id), measure__problem=problem)
        target, measure = update, update.measure
    elif measure_id:
        measure = get_object_or_404(Measure.objects.select_related("unit"), pk=_number(measure_id), problem=problem)
        target = measure
    else:
        if not abilities(user, problem).attach:
            raise PermissionDenied
        return problem, problem.unit
    if problem.status == ProblemStatus.SIGNED_OFF or not actions.may_report(user, measure):
        raise PermissionDenied
    return target, measure.unit


def _number(value):
    return int(value) if value.isdigit() else 0


@login_required
def problem_evidence(request, pk):
    """Upload files as evidence of the problem, of one of its measures or of a progress update."""
    user = request.user
    problem = visible_problem(user, pk)
    target, unit = _evidence_target(request, problem)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"period": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("files")
        try:
            with transaction.atomic():  # every file or none
                for uploaded in files:
                    fields = {**data, "title": data["title"] if len(files) == 1 else ""}
                    evidence_actions.upload_evidence_for(user, target, unit=unit, file=uploaded, name=uploaded.name, **fields)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("%(count)d file(s) linked as evidence.") % {"count": len(files)})
            return redirect(problem.get_absolute_url())
    context = {"problem": problem, "target": target, "target_label": links.describe(target), "form": form}
    return render(request, "problems/problem_evidence.html", context)
