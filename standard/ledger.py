"""The standard as the structure of the evidence ledger (资料台账): dimension → indicator → item.

Registered with evidence.structure from the AppConfig, so evidence organises a unit's ledger by
the standard that applies to it without importing this app.
"""

from evidence.structure import Heading, Item, Structure

from .actions import current_standard
from .models import Level, Node
from .scoring import Tree


def structure_for(unit) -> Structure | None:
    """The published standard that applies to ``unit`` as a ledger structure (two queries), or None."""
    standard = current_standard(unit)
    if standard is None:
        return None
    tree = Tree.of(standard)

    def build(parent_id):
        children = []
        for node in tree.children.get(parent_id, []):
            if node.level == Level.ITEM:
                children.append(Item(node.pk, node.number, node.title, node.points, node.evidence_required))
            else:
                children.append(Heading(node.number, node.title, node.points, build(node.pk)))
        return children

    return Structure(name=str(standard), model=Node, headings=build(None))
