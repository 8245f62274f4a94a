"""Scoring items as targets of evidence: a document proves an item of its unit in its period."""

from accounts.roles import STANDARD_VIEW
from evidence import links


def visible_items(user):
    from .actions import visible_standards
    from .models import Level, Node, StandardStatus

    standards = visible_standards(user).filter(status=StandardStatus.PUBLISHED)
    return Node.objects.filter(level=Level.ITEM, standard__in=standards).select_related("standard")


def register():
    from .models import Node

    # unit_of gives None: the link takes the document's unit (or the one the caller names).
    links.register(Node, view_perm=STANDARD_VIEW, unit_of=lambda node: None, visible=visible_items, describe=describe)


def describe(node):
    return f"{node.get_level_display()}：{node.number} {node.title}"
