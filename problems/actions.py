"""Business operations of problems and rectification: register → analyse → set measures → rectify →
submit for verification → sign off (销号), or send back to rectifying with a reason.

Each action is transactional, checks the permission layer and leaves its trace in the audit trail.
Sign-off belongs to a verifier whose scope lies above the problem's unit: a unit never signs off its
own problems. A problem of a top-level unit (none is above it) is signed off by a verifier of that
unit who is not responsible for any of its measures.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import PROBLEM_CHANGE, PROBLEM_RAISE, PROBLEM_VERIFY
from core.actions import business_action
from standard.models import Level

from .models import Kind, Measure, MeasureUpdate, Problem, ProblemStatus, Severity, Source

OPEN_FOR_MEASURES = (ProblemStatus.ANALYSED, ProblemStatus.RECTIFYING)


def _text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _within(unit, root):
    return unit.path.startswith(root.path)


def _choice(value, choices, field, message):
    if value not in choices.values:
        raise ValidationError({field: message})
    return value


def problem_fields(*, title, description="", source, severity=Severity.GENERAL, kind=Kind.BY_DEADLINE, found_on=None, node=None):
    """The checked fields of a new problem (shared by every way a problem comes in)."""
    errors = {}
    cleaned = {"description": (description or "").strip(), "found_on": found_on or timezone.localdate(), "node": node}
    for name, value, choices, message in (
        ("source", source, Source, _("Choose where the problem came from.")),
        ("severity", severity, Severity, _("Choose the severity.")),
        ("kind", kind, Kind, _("Choose the rectification type.")),
    ):
        if value not in choices.values:
            errors[name] = message
        cleaned[name] = value
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Describe the problem in a title.")
    cleaned["title"] = title
    if cleaned["found_on"] > timezone.localdate():
        errors["found_on"] = _("The date found cannot be in the future.")
    if node is not None and node.level not in (Level.DIMENSION, Level.INDICATOR, Level.ITEM):
        errors["node"] = _("Choose a part of the standard.")
    if errors:
        raise ValidationError(errors)
    return cleaned


@business_action
def register_problem(actor, *, unit, raised_by=None, **fields):
    """A problem found in ``unit``. ``raised_by`` is the person who raised it (default the actor);
    None keeps it unnamed (the public, an inspection, or a person who asked not to be named)."""
    permissions.require_actor(actor, PROBLEM_RAISE, unit)
    cleaned = problem_fields(**fields)
    return Problem.objects.create(unit=unit, raised_by=raised_by, registered_by=actor, **cleaned)


def _require_keeper(actor, problem):
    permissions.require_actor(actor, PROBLEM_CHANGE, problem)


@business_action
def analyse(actor, problem, *, root_cause):
    """原因剖析: the root cause is written before measures are set; it can be sharpened until submission."""
    _require_keeper(actor, problem)
    if problem.status not in (ProblemStatus.REGISTERED, *OPEN_FOR_MEASURES):
        raise ValidationError(_("The analysis can no longer change once the problem is submitted for verification."))
    problem.root_cause = _text(root_cause, "root_cause", _("Write the root-cause analysis."))
    if problem.status == ProblemStatus.REGISTERED:
        problem.status = ProblemStatus.ANALYSED
    problem.save()
    return problem


@business_action
def add_measure(actor, problem, *, text, unit, leader=None, person=None, deadline=None, expected_result=""):
    """A measure of an analysed problem; the first one starts the rectification."""
    _require_keeper(actor, problem)
    if problem.status == ProblemStatus.REGISTERED:
        raise ValidationError(_("Analyse the root cause before setting measures."))
    if problem.status not in OPEN_FOR_MEASURES:
        raise ValidationError(_("Measures are set while the problem is being rectified."))
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Say what will be done.")
    if not _within(unit, problem.unit):
        errors["unit"] = _("The responsible unit must be %(unit)s or a unit below it.") % {"unit": problem.unit}
    if person is not None and not _within(person.unit, unit):
        errors["person"] = _("The responsible person must belong to the responsible unit.")
    if deadline is None and problem.kind != Kind.ONGOING:
        errors["deadline"] = _("Set the deadline (only ongoing rectification may go without one).")
    elif deadline is not None and deadline < problem.found_on:
        errors["deadline"] = _("The deadline cannot be before the problem was found.")
    if errors:
        raise ValidationError(errors)
    measure = Measure.objects.create(
        problem=problem, text=text, unit=unit, leader=leader, person=person, deadline=deadline,
        expected_result=(expected_result or "").strip(), position=problem.measures.count() + 1,
    )
    if problem.status == ProblemStatus.ANALYSED:
        problem.status = ProblemStatus.RECTIFYING
        problem.save()
    return measure


def may_report(actor, measure):
    return actor is None or measure.person_id == actor.pk or permissions.has_perm(actor, PROBLEM_CHANGE, measure)


@business_action
def report_progress(actor, measure, *, text, done=False):
    """整改进展 on a measure by its responsible person or the unit's keepers; ``done`` completes it."""
    if not may_report(actor, measure):
        raise PermissionDenied
    if measure.problem.status != ProblemStatus.RECTIFYING:
        raise ValidationError(_("Progress is reported while the problem is being rectified."))
    update = MeasureUpdate.objects.create(
        measure=measure, text=_text(text, "text", _("Say what was done.")), by=actor,
    )
    if done and not measure.done:
        measure.done, measure.done_at = True, timezone.now()
        measure.save()
    return update


@business_action
def submit_for_verification(actor, problem):
    """Every measure done (or ongoing with progress reported): the unit asks for sign-off."""
    _require_keeper(actor, problem)
    if problem.status != ProblemStatus.RECTIFYING:
        raise ValidationError(_("Only a problem being rectified can be submitted for verification."))
    measures = list(problem.measures.all())
    open_ones = [m for m in measures if not m.done]
    if not measures or open_ones:
        raise ValidationError(_("Every measure must be done before the problem is submitted for verification."))
    problem.status, problem.send_back_reason = ProblemStatus.SUBMITTED, ""
    problem.save()
    return problem


def may_verify(user, problem) -> bool:
    """A verifier's scope lies above the problem's unit. At the top of the tree, where nobody is above,
    a verifier of the unit itself who took no part in it: did not raise or register the problem and
    answers for none of its measures."""
    if user is None:
        return True
    path = problem.unit.path
    roots = [root for root in permissions.scope_paths(user, PROBLEM_VERIFY) if path.startswith(root)]
    if any(len(root) < len(path) for root in roots):
        return True
    if roots and problem.unit.depth == 1:
        if user.pk in (problem.raised_by_id, problem.registered_by_id):
            return False
        return not problem.measures.filter(Q(person=user) | Q(leader=user)).exists()
    return False


def _require_verifier(actor, problem):
    if not may_verify(actor, problem):
        raise PermissionDenied
    if problem.status != ProblemStatus.SUBMITTED:
        raise ValidationError(_("Only a problem submitted for verification can be signed off or sent back."))


@business_action
def sign_off(actor, problem):
    """整改销号: the verifier strikes the problem from the list."""
    _require_verifier(actor, problem)
    problem.status, problem.signed_off_by, problem.signed_off_at = ProblemStatus.SIGNED_OFF, actor, timezone.now()
    problem.save()
    return problem


@business_action
def send_back(actor, problem, *, reason):
    """The verifier sends the problem back to rectifying; its measures are open again."""
    _require_verifier(actor, problem)
    problem.send_back_reason = _text(reason, "reason", _("Say why the rectification is sent back."))
    problem.status = ProblemStatus.RECTIFYING
    problem.save()
    for measure in problem.measures.filter(done=True):
        measure.done, measure.done_at = False, None
        measure.save()
    return problem


def is_overdue(measure, today: datetime.date | None = None) -> bool:
    """An open measure past its deadline shows red."""
    today = today or timezone.localdate()
    return not measure.done and measure.deadline is not None and measure.deadline < today


def overdue_measures(queryset=None, today=None):
    queryset = Measure.objects.all() if queryset is None else queryset
    today = today or timezone.localdate()
    return queryset.filter(done=False, deadline__lt=today, problem__status=ProblemStatus.RECTIFYING)
