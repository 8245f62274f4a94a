"""Computes a round's results from its item scores: roll-up, components, linkage, grades, ranks.

Nothing here writes: the dashboard reads these numbers live, and publication freezes them into
``Result`` rows. The order of the rules is the order offices apply them:

1. each scorecard's items roll up the standard with every cap (``standard.scoring.roll_up``);
   bonus is added (capped by the round), the total may pass full marks only if the round allows;
2. the unit's own score is the weighted mean of the round's components (the standard's score,
   scores entered or imported from outside, scores another capability provides through
   ``components``, e.g. goal completion);
3. a parent unit's result takes ``children_share`` % from the mean of its assessed children;
4. the grade comes from the thresholds, then is capped by a veto and by "cannot be better than"
   conditions, then quotas among peers (same parent and kind) push the lowest-ranked down;
5. peers are ranked by result (equal results share a rank).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from standard.scoring import ZERO, Tree, quantize, roll_up

from . import components as providers
from .models import ComponentScore, ComponentSource, ConditionKind, ItemScore, Scorecard

HUNDRED = Decimal("100")


@dataclass
class Outcome:
    unit: object
    scorecard_id: int | None = None
    standard_score: Decimal | None = None
    dimension_scores: dict = field(default_factory=dict)  # dimension id -> base + bonus
    answered: int = 0
    item_count: int = 0
    vetoed: bool = False
    found_by_reviewer: int = 0
    missing_evidence: int = 0
    own_score: Decimal = ZERO
    component_scores: dict = field(default_factory=dict)  # component id -> its score on a scale of 100
    children_score: Decimal | None = None
    total: Decimal = ZERO
    grade: object = None
    grade_notes: list = field(default_factory=list)
    rank: int = 0
    peer_count: int = 0
    node_scores: dict = field(default_factory=dict)
    item_scores: dict = field(default_factory=dict)  # item id -> effective score (the review's when there is one)


def standard_score(round_, rolled) -> Decimal:
    bonus = rolled.bonus_total
    if round_.bonus_cap is not None:
        bonus = min(bonus, round_.bonus_cap)
    total = rolled.base_total + bonus
    if not round_.allow_over_full_marks:
        total = min(total, round_.standard.total_points)
    return quantize(total)


def score_scorecards(round_, tree, scorecards, *, evidence_counts=None):
    """Outcome per unit id from the stored item scores: one query for all item rows."""
    outcomes = {}
    rows = defaultdict(dict)
    vetoes = defaultdict(set)
    found = defaultdict(int)
    values = ItemScore.objects.filter(scorecard__round=round_).values_list(
        "scorecard_id", "node_id", "self_score", "review_score", "review_answer", "vetoed", "found_by_reviewer"
    )
    for scorecard_id, node_id, self_score, review_score, review_answer, vetoed, found_count in values.iterator(chunk_size=5000):
        rows[scorecard_id][node_id] = review_score if review_answer is not None else self_score
        if vetoed:
            vetoes[scorecard_id].add(node_id)
        found[scorecard_id] += found_count
    for scorecard in scorecards:
        rolled = roll_up(tree, rows.get(scorecard.pk, {}), vetoes.get(scorecard.pk, ()))
        outcome = Outcome(unit=scorecard.unit, scorecard_id=scorecard.pk)
        outcome.standard_score = standard_score(round_, rolled)
        outcome.node_scores = rolled.base
        outcome.item_scores = rows.get(scorecard.pk, {})
        outcome.dimension_scores = {
            dimension.pk: quantize(rolled.base.get(dimension.pk, ZERO) + rolled.bonus.get(dimension.pk, ZERO))
            for dimension in tree.dimensions
        }
        outcome.answered, outcome.item_count = rolled.answered, rolled.item_count
        outcome.vetoed = bool(rolled.vetoes)
        outcome.found_by_reviewer = found[scorecard.pk]
        if evidence_counts is not None:
            outcome.missing_evidence = evidence_counts.get(scorecard.unit_id, 0)
        outcomes[scorecard.unit_id] = outcome
    return outcomes


def _own_scores(round_, outcomes):
    components = list(round_.components.all())
    if not components:
        for outcome in outcomes.values():
            outcome.own_score = outcome.standard_score if outcome.standard_score is not None else quantize(ZERO)
        return
    entered = defaultdict(dict)
    for component_id, unit_id, score in ComponentScore.objects.filter(component__round=round_).values_list(
        "component_id", "unit_id", "score"
    ):
        entered[component_id][unit_id] = score
    for component in components:
        # Neither scored here nor entered: another capability provides the scores (``components``).
        if component.source not in (ComponentSource.STANDARD, ComponentSource.ENTERED):
            provider = providers.get(component.source)
            entered[component.pk] = provider.scores(round_, list(outcomes)) if provider is not None else {}
    weight_sum = sum((component.weight for component in components), ZERO) or HUNDRED
    full = round_.standard.total_points
    for unit_id, outcome in outcomes.items():
        total = ZERO
        for component in components:
            if component.source == ComponentSource.STANDARD:
                # Brought to a scale of 100 so components of different full marks weigh as stated.
                value = (outcome.standard_score or ZERO) * HUNDRED / full
            else:
                value = entered[component.pk].get(unit_id, ZERO)
            outcome.component_scores[component.pk] = quantize(value)
            total += value * component.weight
        outcome.own_score = quantize(total / weight_sum)


def _link_children(round_, outcomes):
    """Bottom-up: a parent's result takes ``children_share`` % of the mean of the assessed units
    nearest below it (an unassessed unit in between is looked through)."""
    share = round_.children_share / HUNDRED
    by_path = {outcome.unit.path: outcome for outcome in outcomes.values()}
    children = defaultdict(list)
    for path, outcome in by_path.items():
        steplen = outcome.unit.steplen
        for end in range(len(path) - steplen, 0, -steplen):
            if path[:end] in by_path:
                children[path[:end]].append(outcome)
                break
    for path in sorted(by_path, key=len, reverse=True):
        outcome = by_path[path]
        outcome.total = outcome.own_score
        if share and children[path]:
            mean = sum((child.total for child in children[path]), ZERO) / len(children[path])
            outcome.children_score = quantize(mean)
            outcome.total = quantize(outcome.own_score * (1 - share) + mean * share)


def _grade_for(grades, total):
    for grade in grades:
        if total >= grade.min_score:
            return grade
    return grades[-1] if grades else None


def _cap(outcome, grade, note):
    if grade is not None and outcome.grade is not None and outcome.grade.position < grade.position:
        outcome.grade = grade
        outcome.grade_notes.append(note)


def _condition_applies(condition, outcome, tree):
    if condition.kind == ConditionKind.REVIEWER_FOUND:
        return outcome.found_by_reviewer > 0
    if condition.kind == ConditionKind.MISSING_EVIDENCE:
        return outcome.missing_evidence * HUNDRED > outcome.item_count * condition.percent
    nodes = [tree.by_id[condition.node_id]] if condition.node_id else tree.dimensions
    for node in nodes:
        if node.points and outcome.node_scores.get(node.pk, ZERO) * HUNDRED < node.points * condition.percent:
            return True
    return False


def peer_key(unit):
    return (unit.path[: -unit.steplen], unit.kind)


def _grade(round_, tree, outcomes):
    grades = sorted(round_.grades.all(), key=lambda grade: grade.position)
    if not grades:
        return
    by_id = {grade.pk: grade for grade in grades}
    lowest = grades[-1]
    conditions = list(round_.conditions.all())
    for outcome in outcomes.values():
        outcome.grade = _grade_for(grades, outcome.total)
        if outcome.vetoed:
            _cap(outcome, by_id.get(round_.veto_grade_id, lowest), "一票否决")
        for condition in conditions:
            if _condition_applies(condition, outcome, tree):
                _cap(outcome, by_id[condition.best_grade_id], condition.get_kind_display())
    peers = defaultdict(list)
    for outcome in outcomes.values():
        peers[peer_key(outcome.unit)].append(outcome)
    for group in peers.values():
        _apply_quotas(grades, group)
        _rank(group)


def _apply_quotas(grades, group):
    """Units over a grade's quota drop to the next grade, lowest results first; units tied at the
    cut-off drop together, so a quota is never exceeded."""
    for index, grade in enumerate(grades[:-1]):
        limits = []
        if grade.quota_count is not None:
            limits.append(grade.quota_count)
        if grade.quota_percent is not None:
            limits.append(math.floor(len(group) * grade.quota_percent / HUNDRED))
        if not limits:
            continue
        allowed = min(limits)
        holders = sorted((o for o in group if o.grade == grade), key=lambda o: -o.total)
        if len(holders) <= allowed:
            continue
        cutoff = holders[allowed].total
        for outcome in holders:
            if outcome.total <= cutoff:
                outcome.grade = grades[index + 1]
                outcome.grade_notes.append("名额限制")


def _rank(group):
    ordered = sorted(group, key=lambda o: -o.total)
    for position, outcome in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        outcome.rank = previous.rank if previous is not None and previous.total == outcome.total else position
        outcome.peer_count = len(group)


def compute(round_, *, tree=None, evidence_counts=None):
    """Every assessed unit's outcome in the round, keyed by unit id."""
    tree = tree or Tree.of(round_.standard)
    scorecards = list(Scorecard.objects.filter(round=round_).select_related("unit"))
    outcomes = score_scorecards(round_, tree, scorecards, evidence_counts=evidence_counts)
    _own_scores(round_, outcomes)
    _link_children(round_, outcomes)
    _grade(round_, tree, outcomes)
    return outcomes
