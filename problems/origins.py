"""One step from another record to a problem, keeping the link to where it came from: a weakness
of a published scorecard (assess → find → fix → reassess), a supervision notice, a suggestion, a
public complaint."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import PROBLEM_RAISE
from assessment import publication
from assessment.models import ScorecardStatus
from core.actions import business_action

from .models import Problem, Source


def _create(actor, unit, origin, defaults, fields, taken_message):
    from .actions import problem_fields

    permissions.require_actor(actor, PROBLEM_RAISE, unit)
    if Problem.objects.filter(**origin).exists():
        raise ValidationError(taken_message)
    cleaned = problem_fields(**{**defaults, **fields})
    return Problem.objects.create(unit=unit, registered_by=actor, **origin, **cleaned)


@business_action
def from_weakness(actor, item_score, **fields):
    """A weakness (短板弱项) of a published scorecard becomes a problem of its unit on that item."""
    scorecard = item_score.scorecard
    if scorecard.status != ScorecardStatus.PUBLISHED:
        raise ValidationError(_("Weaknesses become problems once the result is published."))
    reasons = dict((item.pk, why) for item, why in publication.weaknesses(scorecard)).get(item_score.pk)
    if reasons is None:
        raise ValidationError(_("This item is not among the scorecard's weaknesses."))
    node = item_score.node
    defaults = {
        # Worded as a shortfall, not as the item's requirement (which reads like an achievement).
        "title": (_("Points lost on %(item)s") % {"item": node.title})[:200],
        "description": "；".join(str(reason) for reason in reasons),
        "source": Source.ASSESSMENT, "node": node,
    }
    return _create(
        actor, scorecard.unit, {"origin_item": item_score}, defaults, fields,
        _("A problem has already been registered for this weakness."),
    )


@business_action
def from_notice(actor, notice, **fields):
    """The findings of a supervision notice become a problem of the supervised unit."""
    defaults = {"title": notice.reason[:200], "description": notice.reply, "source": Source.SUPERVISION}
    return _create(
        actor, notice.unit, {"origin_notice": notice}, defaults, fields,
        _("A problem has already been registered for this supervision notice."),
    )


@business_action
def from_feedback(actor, feedback, **fields):
    """A public complaint becomes a problem of the unit handling it."""
    defaults = {"title": feedback.content[:60], "description": feedback.content, "source": Source.PUBLIC}
    return _create(
        actor, feedback.unit, {"origin_feedback": feedback}, defaults, fields,
        _("A problem has already been registered for this feedback."),
    )


def problems_of_items(item_scores):
    """{item_score id: [problem, …]} for the items of a scorecard: the loop visible on the item."""
    found = {}
    for problem in Problem.objects.filter(origin_item__in=item_scores).order_by("found_on", "id"):
        found.setdefault(problem.origin_item_id, []).append(problem)
    return found
