"""A scorecard laid out as the standard is: dimensions → indicators → items, with running totals.

Shared by the scoring and review screens, the results page and the .docx score sheet. A fixed
number of queries whatever the size of the standard: the tree, the item rows and the evidence.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from standard.models import Level, Method
from standard.scoring import Tree, roll_up

from . import engine
from .publication import item_links


@dataclass
class Group:
    node: object
    score: Decimal | None = None
    children: list = field(default_factory=list)  # indicators of a dimension, items of an indicator


@dataclass
class Sheet:
    scorecard: object
    tree: Tree
    dimensions: list
    items: dict  # node id -> ItemScore
    total: Decimal
    answered: int
    item_count: int

    @property
    def percent_done(self):
        return round(self.answered * 100 / self.item_count) if self.item_count else 100


def item_rows(scorecard, tree):
    """The scorecard's ItemScore rows by node id, each with its node from ``tree`` (no query per row)."""
    rows = {}
    for item in scorecard.items.select_related("self_by", "reviewed_by"):
        item.node = tree.by_id[item.node_id]
        item.scorecard = scorecard
        rows[item.node_id] = item
    return rows


def evidence_by_item(scorecard):
    """Documents linked to each scoring item for this unit within the round's period."""
    found = {}
    links = (
        item_links(scorecard.round, unit_id=scorecard.unit_id)
        .select_related("document")
        .order_by("document__title", "id")
    )
    for link in links:
        found.setdefault(link.target_id, []).append(link.document)
    return found


def totals(scorecard, tree, items):
    scores = {node_id: item.score for node_id, item in items.items()}
    vetoed = {node_id for node_id, item in items.items() if item.vetoed}
    rolled = roll_up(tree, scores, vetoed)
    return rolled, engine.standard_score(scorecard.round, rolled)


def build(scorecard, *, with_evidence=True, tree=None):
    tree = tree or Tree.of(scorecard.round.standard)
    items = item_rows(scorecard, tree)
    rolled, total = totals(scorecard, tree, items)
    evidence = evidence_by_item(scorecard) if with_evidence else {}
    for item in items.values():
        item.documents = evidence.get(item.node_id, [])
    dimensions = []
    for dimension in tree.dimensions:
        group = Group(dimension, rolled.base.get(dimension.pk, Decimal("0")) + rolled.bonus.get(dimension.pk, Decimal("0")))
        for child in tree.children.get(dimension.pk, []):
            if child.level == Level.ITEM:  # an item straight under a dimension sits in a nameless group
                group.children.append(Group(None, None, [items[child.pk]] if child.pk in items else []))
                continue
            indicator = Group(child, rolled.base.get(child.pk))
            indicator.children = [items[node.pk] for node in tree.children.get(child.pk, []) if node.pk in items]
            group.children.append(indicator)
        dimensions.append(group)
    return Sheet(scorecard, tree, dimensions, items, total, rolled.answered, rolled.item_count)


def answer_from_form(data, node, *, review=False):
    """The answer dict an item's small form posts, by the item's method; checked by clean_answer."""
    method = node.method
    if method == Method.DEDUCT:
        answer = {"occurrences": data.get("occurrences", "")}
        if review:
            answer["found_by_reviewer"] = data.get("found_by_reviewer", "") or 0
        return answer
    if method == Method.BONUS:
        return {"value": data.get("value", "")}
    if method == Method.GRADED:
        return {"level": data.get("level", "")}
    if method == Method.PASS_FAIL:
        return {"passed": data.get("passed", "")}
    return {"vetoed": "1" if data.get("vetoed") else "0"}


def answer_text(answer):
    """An answer as the office writes it: 次数1，复核发现1 / 档次B / 达标."""
    if answer is None:
        return ""
    parts = []
    for key, label in (("occurrences", "次数"), ("found_by_reviewer", "复核发现"), ("value", "加分"), ("level", "档次")):
        if key in answer:
            parts.append(f"{label}{answer[key]}")
    if "passed" in answer:
        parts.append("达标" if answer["passed"] else "未达标")
    if "vetoed" in answer:
        parts.append("否决" if answer["vetoed"] else "不否决")
    return "，".join(parts)
