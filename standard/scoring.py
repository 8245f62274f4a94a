"""How a scoring item turns an answer into points, and how points roll up the standard's tree.

Pure functions over plain data, so the same rules serve the scoring screen, the review, the
aggregation of a whole round and the tests that check them against sums made by hand.

An answer is a small dict whose keys depend on the item's method:
- deduct: ``{"occurrences": n}``; a reviewer may add ``{"found_by_reviewer": m}``, occurrences the
  unit did not report, which count ``multiplier`` times (deductions found by a higher level);
- bonus: ``{"value": x}``, capped at the item's points;
- graded: ``{"level": "B"}``, the level's percent of the item's points;
- pass_fail: ``{"passed": true}``; veto: ``{"vetoed": false}`` (a veto item carries no points).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Level, Method

ZERO = Decimal("0")
CENT = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, message):
    try:
        number = Decimal(str(value).strip())
    except Exception:
        raise ValidationError(message) from None
    if not number.is_finite():
        raise ValidationError(message)
    return number


def _count(value, message):
    if isinstance(value, bool):
        raise ValidationError(message)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None
    if number < 0 or number > 10000:
        raise ValidationError(message)
    return number


def _flag(value, message):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "是", "达标", "通过"}:
        return True
    if text in {"0", "false", "no", "否", "不达标", "未通过"}:
        return False
    raise ValidationError(message)


def clean_answer(node, answer: dict, *, review: bool = False) -> dict:
    """The answer reduced to what the item's method reads, or a ValidationError in Chinese."""
    answer = answer or {}
    method = node.method
    if method == Method.DEDUCT:
        cleaned = {"occurrences": _count(answer.get("occurrences", 0), _("Enter the number of occurrences as a whole number from 0."))}
        if review:
            cleaned["found_by_reviewer"] = _count(
                answer.get("found_by_reviewer", 0) or 0,
                _("Enter the occurrences found by the reviewer as a whole number from 0."),
            )
        return cleaned
    if method == Method.BONUS:
        value = _decimal(answer.get("value", ""), _("Enter the bonus points as a number."))
        if value < 0:
            raise ValidationError(_("Bonus points cannot be negative."))
        if value > node.points:
            raise ValidationError(_("At most %(points)s bonus points for this item.") % {"points": node.points})
        return {"value": str(quantize(value))}
    if method == Method.GRADED:
        code = str(answer.get("level", "")).strip()
        if node.level_percent(code) is None:
            choices = "、".join(level["code"] for level in node.levels)
            raise ValidationError(_("Choose one of the levels %(levels)s.") % {"levels": choices})
        return {"level": code}
    if method == Method.PASS_FAIL:
        return {"passed": _flag(answer.get("passed", ""), _("Choose whether the item is met."))}
    if method == Method.VETO:
        return {"vetoed": _flag(answer.get("vetoed", ""), _("Choose whether the veto applies."))}
    raise ValidationError(_("This node is not a scoring item."))


def item_score(node, answer: dict | None, *, multiplier: Decimal = Decimal("1")) -> Decimal | None:
    """The points an already cleaned answer earns on ``node``; None when there is no answer."""
    if answer is None:
        return None
    method = node.method
    if method == Method.DEDUCT:
        occurrences = Decimal(answer.get("occurrences", 0)) + Decimal(answer.get("found_by_reviewer", 0)) * multiplier
        return quantize(max(ZERO, node.points - (node.per_occurrence or ZERO) * occurrences))
    if method == Method.BONUS:
        return quantize(min(Decimal(answer["value"]), node.points))
    if method == Method.GRADED:
        return quantize(node.points * node.level_percent(answer["level"]) / 100)
    if method == Method.PASS_FAIL:
        return quantize(node.points if answer["passed"] else ZERO)
    return ZERO  # veto: no points either way


def is_vetoed(node, answer: dict | None) -> bool:
    return node.method == Method.VETO and bool(answer) and bool(answer.get("vetoed"))


@dataclass
class Tree:
    """A standard's nodes arranged for roll-ups; built once and reused for every scorecard."""

    standard: object
    nodes: list
    by_id: dict = field(init=False)
    children: dict = field(init=False)
    dimensions: list = field(init=False)
    items: list = field(init=False)

    def __post_init__(self):
        self.by_id = {node.pk: node for node in self.nodes}
        self.children = {}
        for node in self.nodes:
            self.children.setdefault(node.parent_id, []).append(node)
        for siblings in self.children.values():
            siblings.sort(key=lambda node: (node.position, node.pk))
        self.dimensions = self.children.get(None, [])
        self.items = [node for node in self.walk() if node.level == Level.ITEM]

    @classmethod
    def of(cls, standard):
        return cls(standard, list(standard.nodes.all()))

    def walk(self, parent_id=None):
        """Every node, depth first in the standard's order."""
        for node in self.children.get(parent_id, []):
            yield node
            yield from self.walk(node.pk)

    def dimension_of(self, node):
        while node.parent_id is not None:
            node = self.by_id[node.parent_id]
        return node


@dataclass
class RollUp:
    """A scorecard's points up the tree: base points per node (capped), bonus per dimension."""

    base: dict  # node id -> capped base points
    bonus: dict  # dimension id -> bonus points
    base_total: Decimal
    bonus_total: Decimal
    vetoes: list  # veto items that applied
    answered: int
    item_count: int


def roll_up(tree: Tree, scores: dict, vetoed_ids=frozenset()) -> RollUp:
    """Sums item scores (node id -> Decimal or None) up the tree with every node's cap.

    A dimension's or indicator's points are its cap; bonus items bypass the caps and are summed per
    dimension; the base total never exceeds the standard's full marks.
    """
    base, bonus = {}, {}

    def visit(node):
        if node.level == Level.ITEM:
            value = scores.get(node.pk)
            if node.method == Method.BONUS:
                dimension = tree.dimension_of(node)
                bonus[dimension.pk] = bonus.get(dimension.pk, ZERO) + (value or ZERO)
                return ZERO
            return (value or ZERO) if node.counts_in_base else ZERO
        total = sum((visit(child) for child in tree.children.get(node.pk, [])), ZERO)
        if node.points > 0:
            total = min(total, node.points)
        base[node.pk] = quantize(total)
        return base[node.pk]

    base_total = sum((visit(dimension) for dimension in tree.dimensions), ZERO)
    base_total = min(base_total, tree.standard.total_points)
    answered = sum(1 for item in tree.items if scores.get(item.pk) is not None)
    return RollUp(
        base=base,
        bonus={key: quantize(value) for key, value in bonus.items()},
        base_total=quantize(base_total),
        bonus_total=quantize(sum(bonus.values(), ZERO)),
        vetoes=[tree.by_id[pk] for pk in vetoed_ids if pk in tree.by_id],
        answered=answered,
        item_count=len(tree.items),
    )
