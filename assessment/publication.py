"""Publishing a round's results, appeals against them, and the weaknesses a scorecard shows."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import ROUND_CHANGE, SCORECARD_FILL
from core.actions import business_action
from core.events import log_event
from evidence.models import Link
from standard.models import Level, Node

from . import engine
from .actions import _record, _require_reviewer, save_review_score
from .models import Appeal, AppealStatus, Result, Round, RoundStatus, Scorecard, ScorecardStatus


def item_links(round_, **where):
    """Evidence links to the scoring items of the round's standard from documents of its period;
    ``where`` narrows them (to a unit, to some items)."""
    return Link.objects.filter(
        target_type=ContentType.objects.get_for_model(Node), target_id__in=round_.standard.nodes.filter(level=Level.ITEM).values("pk"),
        document__period__gte=round_.period_start, document__period__lte=round_.period_end,
    ).filter(**where)


def evidence_counts(round_):
    """Per unit, the number of its scoring items with no evidence linked in the round's period."""
    item_count = round_.standard.nodes.filter(level=Level.ITEM).count()
    linked = item_links(round_, unit__in=round_.scorecards.values("unit")).values("unit_id").annotate(
        items=Count("target_id", distinct=True)
    )
    proven = {row["unit_id"]: row["items"] for row in linked}
    units = round_.scorecards.values_list("unit_id", flat=True)
    return {unit_id: item_count - proven.get(unit_id, 0) for unit_id in units}


def compute(round_, *, tree=None):
    return engine.compute(round_, tree=tree, evidence_counts=evidence_counts(round_))


def _write_results(round_, outcomes):
    """Brings the stored results in line with ``outcomes``; returns the changed ones (before, after)."""
    existing = {result.unit_id: result for result in Result.objects.filter(round=round_)}
    changed = []
    for unit_id, outcome in outcomes.items():
        values = {
            "standard_score": outcome.standard_score, "own_score": outcome.own_score,
            "children_score": outcome.children_score, "total": outcome.total, "grade": outcome.grade,
            "grade_note": "、".join(outcome.grade_notes)[:200], "rank": outcome.rank, "peer_count": outcome.peer_count,
            "dimension_scores": {str(key): str(value) for key, value in outcome.dimension_scores.items()},
            "component_scores": {str(key): str(value) for key, value in outcome.component_scores.items()},
        }
        result = existing.get(unit_id)
        if result is None:
            Result.objects.create(round=round_, unit_id=unit_id, **values)
            continue
        before = (result.total, result.grade_id, result.rank)
        for name, value in values.items():
            setattr(result, name, value)
        if before != (result.total, result.grade_id, result.rank):
            changed.append(result)
        result.save()
    return changed


@business_action
def publish_round(actor, round_):
    """Freezes every unit's result; every scorecard must have been reviewed."""
    permissions.require_actor(actor, ROUND_CHANGE, round_)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("Only a round under way can be published."))
    waiting = list(round_.scorecards.exclude(status=ScorecardStatus.REVIEWED).select_related("unit")[:20])
    if waiting:
        names = "、".join(scorecard.unit.name for scorecard in waiting)
        raise ValidationError(_("These units have not been reviewed yet: %(names)s.") % {"names": names})
    _write_results(round_, compute(round_))
    round_.status = RoundStatus.PUBLISHED
    round_.published_at = timezone.now()
    round_.save()
    for scorecard in round_.scorecards.all():
        scorecard.status = ScorecardStatus.PUBLISHED
        scorecard.save()
        _record(scorecard, "publish", actor, before=ScorecardStatus.REVIEWED)
    return round_


def republish(round_):
    """Recomputes a published round after a rescoring; every result that moved is audited."""
    for result in _write_results(round_, compute(round_)):
        log_event(
            "rescore", result, summary=_("Result changed after an appeal"),
            after={"total": str(result.total), "grade": str(result.grade), "rank": result.rank},
            unit_id=result.unit_id,
        )


def appeal_deadline(round_):
    if round_.published_at is None:
        return None
    return timezone.localdate(round_.published_at) + datetime.timedelta(days=round_.appeal_days)


@business_action
def file_appeal(actor, scorecard, *, reason):
    """A unit contests its published result within the round's appeal days."""
    permissions.require_actor(actor, SCORECARD_FILL, scorecard)
    scorecard = Scorecard.objects.select_for_update().select_related("round").get(pk=scorecard.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what you contest and why.")})
    if scorecard.status != ScorecardStatus.PUBLISHED:
        raise ValidationError(_("Only a published result can be appealed."))
    deadline = appeal_deadline(scorecard.round)
    if timezone.localdate() > deadline:
        raise ValidationError(_("The time to appeal ended on %(date)s.") % {"date": deadline.isoformat()})
    if scorecard.appeals.filter(status=AppealStatus.PENDING).exists():
        raise ValidationError(_("An appeal of this scorecard is already waiting for an answer."))
    appeal = Appeal.objects.create(scorecard=scorecard, reason=reason, filed_by=actor)
    _record(scorecard, "appeal", actor, before=scorecard.status, note=reason)
    return appeal


@business_action
def answer_appeal(actor, appeal, *, accept, answer, rescores=(), reopen=False):
    """The reviewer answers; an accepted appeal may rescore items at once ((item, answer, note)
    triples) or ``reopen`` the review, to rescore on the review screen and complete it again. Either
    way the round's results are recomputed with every change in the audit trail."""
    scorecard = Scorecard.objects.select_related("round").get(pk=appeal.scorecard_id)
    _require_reviewer(actor, scorecard)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError(_("This appeal has already been answered."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer to the appeal.")})
    if (rescores or reopen) and not accept:
        raise ValidationError(_("Only an accepted appeal can change scores."))
    if rescores:
        # Rescoring reopens the review for a moment; the scorecard stays published.
        Scorecard.objects.filter(pk=scorecard.pk).update(status=ScorecardStatus.SUBMITTED)
        scorecard.status = ScorecardStatus.SUBMITTED
        for item, item_answer, note in rescores:
            if item.scorecard_id != scorecard.pk:
                raise ValidationError(_("An item of another scorecard cannot be rescored here."))
            item.scorecard = scorecard
            save_review_score(actor, item, answer=item_answer, note=note)
        scorecard.status = ScorecardStatus.PUBLISHED
        scorecard.save()
        republish(scorecard.round)
    if reopen:
        scorecard.status = ScorecardStatus.SUBMITTED
        scorecard.reviewed_at = None
        scorecard.save()
        _record(scorecard, "reopen", actor, before=ScorecardStatus.PUBLISHED, note=answer)
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.answer = answer
    appeal.answered_by = actor
    appeal.answered_at = timezone.now()
    appeal.save()
    _record(scorecard, "appeal_answered", actor, before=scorecard.status, note=answer)
    return appeal


def weaknesses(scorecard, *, round_=None):
    """短板弱项: items scoring below the round's threshold share of their points, or without evidence.

    Returns [(item_score, reasons)], the hook from which problems and tasks are made.
    """
    round_ = round_ or scorecard.round
    proven = set(item_links(round_, unit=scorecard.unit).values_list("target_id", flat=True))
    found = []
    for item in scorecard.items.select_related("node").order_by("node__number"):
        reasons = []
        node = item.node
        score = item.score
        if node.counts_in_base and score is not None and node.points and score * 100 < node.points * round_.weakness_percent:
            reasons.append(_("scored %(score)s of %(points)s") % {"score": score, "points": node.points})
        if item.vetoed:
            reasons.append(_("veto applies"))
        if node.evidence_required and node.pk not in proven:
            reasons.append(_("no evidence"))
        if reasons:
            found.append((item, reasons))
    return found


def visible_rounds(user):
    from accounts.roles import ROUND_VIEW, SCORECARD_VIEW

    organized = permissions.restrict(Round.objects.all(), user, perm=ROUND_VIEW)
    taking_part = Round.objects.filter(scorecards__in=permissions.restrict(Scorecard.objects.all(), user, perm=SCORECARD_VIEW))
    return (organized | taking_part).distinct()


