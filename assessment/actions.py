"""Business operations of an assessment round: set up, open, self-assess, review, publish, appeal.

Each action is transactional, checks the permission layer and leaves its trace in the audit trail
(model saves) and in the scorecard's own history (``ScorecardEvent``).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import ROUND_CHANGE, SCORECARD_FILL, SCORECARD_REVIEW
from core.actions import business_action
from core.events import log_event
from core.numbers import bounded_decimal
from organization.models import Unit
from standard.models import Level, StandardStatus
from standard.scoring import clean_answer, is_vetoed, item_score

from . import components as providers
from .models import (
    EDITABLE_STATUSES,
    ComponentScore,
    ComponentSource,
    ItemScore,
    Round,
    RoundComponent,
    RoundGrade,
    RoundStatus,
    Scorecard,
    ScorecardEvent,
    ScorecardStatus,
)

DEFAULT_GRADES = [
    ("优秀", Decimal("90"), True, Decimal("1.2")),
    ("良好", Decimal("80"), False, Decimal("1.0")),
    ("一般", Decimal("60"), False, Decimal("0.9")),
    ("较差", Decimal("0"), False, Decimal("0.8")),
]


def _record(scorecard, action, actor, *, before="", note=""):
    ScorecardEvent.objects.create(
        scorecard=scorecard, action=action, from_status=before, to_status=scorecard.status, note=note, actor=actor
    )


# ---- setting up a round -------------------------------------------------------------------------


@business_action
def create_round(actor, *, unit, name, standard, period_start, period_end, self_assessment_due, review_due, **options):
    """A round in set-up with the usual four grades; it assesses nobody until units are added."""
    permissions.require_actor(actor, ROUND_CHANGE, unit)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("The name cannot be empty.")
    if standard.status != StandardStatus.PUBLISHED:
        errors["standard"] = _("Only a published standard can be used in a round.")
    elif not unit.path.startswith(standard.unit.path):
        errors["standard"] = _("The standard must be the organizing unit's or one of the units above it.")
    if period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    if review_due < self_assessment_due:
        errors["review_due"] = _("The review cannot be due before the self-assessment.")
    if errors:
        raise ValidationError(errors)
    round_ = Round(
        unit=unit, name=name.strip(), standard=standard, period_start=period_start, period_end=period_end,
        self_assessment_due=self_assessment_due, review_due=review_due, created_by=actor,
    )
    _apply_options(round_, options)
    round_.save()
    for position, (grade_name, low, award, pay) in enumerate(DEFAULT_GRADES, start=1):
        RoundGrade.objects.create(
            round=round_, position=position, name=grade_name, min_score=low, award_eligible=award, pay_coefficient=pay
        )
    return round_


def _apply_options(round_, options):
    known = {
        "appeal_days": (Decimal("0"), Decimal("60")),
        "bonus_cap": (Decimal("0"), Decimal("1000")),
        "higher_level_multiplier": (Decimal("1"), Decimal("10")),
        "children_share": (Decimal("0"), Decimal("100")),
        "weakness_percent": (Decimal("0"), Decimal("100")),
    }
    for key, value in options.items():
        if key == "allow_over_full_marks":
            round_.allow_over_full_marks = bool(value)
        elif key in known:
            if value in (None, "") and key == "bonus_cap":
                round_.bonus_cap = None
                continue
            number = bounded_decimal(value, key, low=known[key][0], high=known[key][1])
            setattr(round_, key, int(number) if key == "appeal_days" else number)
        elif key == "reviewers":
            continue
        else:
            raise TypeError(f"unknown round option {key}")


def _require_setup(round_):
    if round_.status == RoundStatus.PUBLISHED:
        raise ValidationError(_("The round is published; its settings can no longer change."))


@business_action
def update_round(actor, round_, *, veto_grade=False, reviewers=None, **options):
    """Changes a round's options; ``veto_grade`` (a grade of the round, or None for the lowest) and
    ``reviewers`` (people who may review, or empty for every assessor in scope) when given."""
    permissions.require_actor(actor, ROUND_CHANGE, round_)
    _require_setup(round_)
    _apply_options(round_, options)
    if veto_grade is not False:
        if veto_grade is not None and veto_grade.round_id != round_.pk:
            raise ValidationError({"veto_grade": _("Choose a grade of this round.")})
        round_.veto_grade = veto_grade
    round_.save()
    if reviewers is not None:
        refused = [person.real_name for person in reviewers if not _may_review_in(person, round_)]
        if refused:
            raise ValidationError({"reviewers": _("%(names)s may not review in this round (no assessor role over its units).")
                                   % {"names": "、".join(refused)}})
        before = sorted(round_.reviewers.values_list("pk", flat=True))
        round_.reviewers.set(reviewers)
        log_event("set_reviewers", round_, before={"reviewers": before}, after={"reviewers": sorted(p.pk for p in reviewers)})
    return round_


def _may_review_in(person, round_):
    paths = permissions.scope_paths(person, SCORECARD_REVIEW)
    return any(path.startswith(round_.unit.path) or round_.unit.path.startswith(path) for path in paths)


@business_action
def set_grades(actor, round_, grades):
    """Replaces the grades: [{"name", "min_score", "quota_count", "quota_percent", "pay_coefficient",
    "award_eligible"}], best first; thresholds must fall from grade to grade and the last start at 0."""
    permissions.require_actor(actor, ROUND_CHANGE, round_)
    _require_setup(round_)
    if len(grades) < 2:
        raise ValidationError(_("A round needs at least two grades."))
    cleaned, previous = [], None
    for position, grade in enumerate(grades, start=1):
        name = str(grade.get("name", "")).strip()
        if not name:
            raise ValidationError(_("Grade %(n)d needs a name.") % {"n": position})
        low = bounded_decimal(grade.get("min_score", ""), "min_score")
        if previous is not None and low >= previous:
            raise ValidationError(_("The lowest score of %(name)s must be below that of the grade above it.") % {"name": name})
        previous = low
        count = grade.get("quota_count")
        percent = grade.get("quota_percent")
        cleaned.append(RoundGrade(
            round=round_, position=position, name=name, min_score=low,
            quota_count=int(bounded_decimal(count, "quota_count")) if count not in (None, "") else None,
            quota_percent=bounded_decimal(percent, "quota_percent", high=Decimal("100")) if percent not in (None, "") else None,
            pay_coefficient=bounded_decimal(grade.get("pay_coefficient", 1), "pay_coefficient", high=Decimal("10")),
            award_eligible=bool(grade.get("award_eligible")),
        ))
    if cleaned[-1].min_score != 0:
        raise ValidationError(_("The lowest grade must start at 0 so every unit gets a grade."))
    Round.objects.filter(pk=round_.pk).update(veto_grade=None)
    round_.veto_grade = None
    round_.grades.all().delete()
    for grade in cleaned:
        grade.save()
    return cleaned


@business_action
def set_components(actor, round_, components):
    """Replaces the weighted components (三级联动): [{"name", "weight", "source"}]; weights add up to 100."""
    permissions.require_actor(actor, ROUND_CHANGE, round_)
    _require_setup(round_)
    total = Decimal("0")
    rows = []
    for position, component in enumerate(components, start=1):
        name = str(component.get("name", "")).strip()
        if not name:
            raise ValidationError(_("Component %(n)d needs a name.") % {"n": position})
        weight = bounded_decimal(component.get("weight", ""), "weight", high=Decimal("100"))
        source = component.get("source") or ComponentSource.STANDARD
        if source not in ComponentSource.values and providers.get(source) is None:
            raise ValidationError(_("Unknown source for %(name)s.") % {"name": name})
        total += weight
        rows.append(RoundComponent(round=round_, position=position, name=name, weight=weight, source=source))
    if rows and total != 100:
        raise ValidationError(_("The weights add up to %(total)s; they must add up to 100.") % {"total": total})
    round_.components.all().delete()
    for row in rows:
        row.save()
    return rows


@business_action
def add_units(actor, round_, *, root, kinds):
    """Adds every active unit of ``kinds`` in ``root``'s subtree (the root included) to the round."""
    permissions.require_actor(actor, ROUND_CHANGE, round_)
    _require_setup(round_)
    if not root.path.startswith(round_.unit.path):
        raise ValidationError(_("Only units under the organizing unit can be assessed in its round."))
    units = Unit.objects.filter(path__startswith=root.path, kind__in=kinds, is_active=True)
    if actor is not None:
        units = permissions.restrict(units, actor, perm=ROUND_CHANGE)
    existing = set(round_.scorecards.values_list("unit_id", flat=True))
    created = [Scorecard(round=round_, unit=unit) for unit in units if unit.pk not in existing]
    Scorecard.objects.bulk_create(created)
    if round_.status == RoundStatus.OPEN:
        _create_items(round_, Scorecard.objects.filter(round=round_, unit__in=[s.unit for s in created]))
    log_event("add_units", round_, summary=_("%(count)d units added") % {"count": len(created)})
    return len(created)


def _create_items(round_, scorecards):
    items = list(round_.standard.nodes.filter(level=Level.ITEM).values_list("pk", flat=True))
    batch = []
    for scorecard in scorecards:
        batch.extend(ItemScore(scorecard=scorecard, node_id=node_id) for node_id in items)
        if len(batch) >= 5000:
            ItemScore.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ItemScore.objects.bulk_create(batch, ignore_conflicts=True)


@business_action
def open_round(actor, round_):
    """Starts self-assessment: one row per unit and scoring item is created."""
    permissions.require_actor(actor, ROUND_CHANGE, round_)
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(_("The round is already under way."))
    if not round_.scorecards.exists():
        raise ValidationError(_("Add the units to assess before starting the round."))
    round_.status = RoundStatus.OPEN
    round_.save()
    _create_items(round_, round_.scorecards.all())
    return round_


# ---- self-assessment and review -----------------------------------------------------------------


def _lock(item, version):
    """Claims the row for this edit, or tells the user someone else saved it first.

    ``version`` is the one the user's form was built from; without one (a script) the row as loaded.
    """
    if version in (None, ""):
        version = item.version
    updated = ItemScore.objects.filter(pk=item.pk, version=int(version)).update(version=F("version") + 1)
    if not updated:
        current = ItemScore.objects.select_related("self_by", "reviewed_by").get(pk=item.pk)
        who = current.reviewed_by or current.self_by
        raise ValidationError(
            _("%(name)s changed this item at %(time)s while you were editing; reload to see the change, then save again.")
            % {"name": who.real_name if who else _("someone"), "time": timezone.localtime(current.updated_at).strftime("%H:%M:%S")},
            code="stale",
        )
    item.version = int(version) + 1


def _effective(item):
    answer = item.review_answer if item.review_answer is not None else item.self_answer
    item.vetoed = is_vetoed(item.node, answer)
    item.found_by_reviewer = int((item.review_answer or {}).get("found_by_reviewer", 0))


@business_action
def save_self_score(actor, item, *, answer, note="", version=None):
    """A unit scores one item of its own scorecard while it is a draft or returned."""
    scorecard = item.scorecard
    permissions.require_actor(actor, SCORECARD_FILL, scorecard)
    if scorecard.status not in EDITABLE_STATUSES:
        raise ValidationError(_("The scorecard has been submitted and can no longer be edited."))
    if scorecard.round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is not under way."))
    cleaned = clean_answer(item.node, answer)
    _lock(item, version)
    item.self_answer = cleaned
    item.self_score = item_score(item.node, cleaned)
    item.self_note = (note or "").strip()
    item.self_by = actor
    _effective(item)
    item.save()
    return item


@business_action
def submit_scorecard(actor, scorecard):
    """Hands the self-assessment to the reviewers; every item must be scored first."""
    permissions.require_actor(actor, SCORECARD_FILL, scorecard)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.status not in EDITABLE_STATUSES:
        raise ValidationError(_("The scorecard has already been submitted."))
    missing = list(scorecard.items.filter(self_answer__isnull=True).select_related("node").order_by("node__number")[:10])
    if missing:
        numbers = "、".join(item.node.number for item in missing)
        raise ValidationError(_("Score every item before submitting; still open: %(numbers)s.") % {"numbers": numbers})
    before = scorecard.status
    scorecard.status = ScorecardStatus.SUBMITTED
    scorecard.submitted_at = timezone.now()
    scorecard.return_reason = ""
    scorecard.save()
    _record(scorecard, "submit", actor, before=before)
    return scorecard


def can_review(user, scorecard) -> bool:
    """A reviewer holds the review permission over the unit, is one of the round's reviewers when
    it names any, and does not review the unit they belong to."""
    if not permissions.has_perm(user, SCORECARD_REVIEW, scorecard):
        return False
    if user.unit_id == scorecard.unit_id:
        return False
    reviewers = scorecard.round.reviewers.all()
    return not reviewers.exists() or reviewers.filter(pk=user.pk).exists()


def _require_reviewer(actor, scorecard):
    if actor is not None and not can_review(actor, scorecard):
        raise PermissionDenied


@business_action
def return_scorecard(actor, scorecard, *, reason):
    """Sends a submitted scorecard back to its unit with the reason."""
    _require_reviewer(actor, scorecard)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the scorecard goes back.")})
    if scorecard.status not in (ScorecardStatus.SUBMITTED, ScorecardStatus.REVIEWED):
        raise ValidationError(_("Only a submitted scorecard can be returned."))
    before = scorecard.status
    scorecard.status = ScorecardStatus.RETURNED
    scorecard.return_reason = reason
    scorecard.reviewed_at = None
    scorecard.save()
    _record(scorecard, "return", actor, before=before, note=reason)
    return scorecard


@business_action
def save_review_score(actor, item, *, answer, note="", version=None):
    """A reviewer adjusts one item of a submitted scorecard; deductions they find count the round's multiplier."""
    scorecard = item.scorecard
    _require_reviewer(actor, scorecard)
    if scorecard.status != ScorecardStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted scorecard can be reviewed."))
    round_ = scorecard.round
    cleaned = clean_answer(item.node, answer, review=True)
    _lock(item, version)
    item.review_answer = cleaned
    item.review_score = item_score(item.node, cleaned, multiplier=round_.higher_level_multiplier)
    item.review_note = (note or "").strip()
    item.reviewed_by = actor
    _effective(item)
    item.save()
    return item


@business_action
def complete_review(actor, scorecard):
    """Closes the review of a scorecard; items the reviewer left alone keep the unit's own score."""
    _require_reviewer(actor, scorecard)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.status != ScorecardStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted scorecard can be reviewed."))
    scorecard.reviewed_at = timezone.now()
    if scorecard.round.status == RoundStatus.PUBLISHED:
        # A review reopened by an accepted appeal: the new scores count at once.
        from .publication import republish

        scorecard.status = ScorecardStatus.PUBLISHED
        scorecard.save()
        _record(scorecard, "review", actor, before=ScorecardStatus.SUBMITTED)
        republish(scorecard.round)
        return scorecard
    scorecard.status = ScorecardStatus.REVIEWED
    scorecard.save()
    _record(scorecard, "review", actor, before=ScorecardStatus.SUBMITTED)
    return scorecard


@business_action
def enter_component_score(actor, component, *, unit, score, note=""):
    """Records a unit's score on a component scored outside Mofan (entered or imported)."""
    permissions.require_actor(actor, ROUND_CHANGE, component.round)
    _require_setup(component.round)
    if component.source != ComponentSource.ENTERED:
        raise ValidationError(_("This component is scored by the standard, not entered."))
    if not component.round.scorecards.filter(unit=unit).exists():
        raise ValidationError(_("%(unit)s is not assessed in this round.") % {"unit": unit.name})
    value = bounded_decimal(score, "score", high=Decimal("100"))
    row, _created = ComponentScore.objects.update_or_create(
        component=component, unit=unit, defaults={"score": value, "note": note}
    )
    return row


@business_action
def add_condition(actor, round_, *, kind, best_grade, node=None, percent=Decimal("0")):
    """Adds a "cannot be better than ``best_grade`` if …" condition to a round in set-up or under way."""
    from .models import ConditionKind, GradeCondition

    permissions.require_actor(actor, ROUND_CHANGE, round_)
    _require_setup(round_)
    if kind not in ConditionKind.values:
        raise ValidationError({"kind": _("Choose a condition.")})
    if best_grade is None or best_grade.round_id != round_.pk:
        raise ValidationError({"best_grade": _("Choose a grade of this round.")})
    if node is not None and (node.standard_id != round_.standard_id or node.level == Level.ITEM):
        raise ValidationError({"node": _("Choose a dimension or indicator of the round's standard.")})
    value = bounded_decimal(percent if percent not in (None, "") else 0, "percent", high=Decimal("100"))
    return GradeCondition.objects.create(round=round_, kind=kind, node=node, percent=value, best_grade=best_grade)


@business_action
def remove_condition(actor, condition):
    permissions.require_actor(actor, ROUND_CHANGE, condition.round)
    _require_setup(condition.round)
    condition.delete()
