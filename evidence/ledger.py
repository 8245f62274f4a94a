"""A unit's ledger for a year, organised by the structure of evidence.structure (the standard).

Three queries whatever the size of the ledger: the links of the unit's documents to the
structure's items (with their documents), then a count and a page of the documents linked to none
of them (未关联评分项). Counts and completeness marks are computed here from those rows.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef

from accounts import permissions

from .models import Document, Link
from .structure import Heading, Item, Structure


@dataclass
class ItemRow:
    item: Item
    documents: list = field(default_factory=list)

    @property
    def has_evidence(self):
        return bool(self.documents)


@dataclass
class Section:
    heading: Heading
    depth: int  # 1: dimension, 2: indicator…
    children: list = field(default_factory=list)  # Sections and ItemRows
    done: int = 0  # items with evidence
    total: int = 0

    @property
    def complete(self):
        return self.done == self.total


@dataclass
class StructuredLedger:
    structure: Structure
    sections: list
    done: int
    total: int

    @property
    def percent(self):
        return self.done * 100 // self.total if self.total else 0


def _in_scope(queryset, unit, include_sub, field_name="unit"):
    if include_sub:
        return queryset.filter(**{f"{field_name}__path__startswith": unit.path})
    return queryset.filter(**{field_name: unit})


def unit_documents(user, unit, year, include_sub):
    """The documents of the unit (and those under it) for the year, as the user may see them."""
    documents = _in_scope(permissions.restrict(Document.objects.all(), user, "view"), unit, include_sub)
    return documents.filter(period__year=year)


def item_links(user, structure, unit, include_sub):
    """Links placing documents under the structure's items for the unit (``Link.unit``), as the user sees them."""
    links = permissions.restrict(Link.objects.all(), user, "view").filter(
        target_type=ContentType.objects.get_for_model(structure.model), target_id__in=structure.item_ids(),
    )
    return _in_scope(links, unit, include_sub)


def build(user, structure: Structure, unit, year, include_sub=False) -> tuple[StructuredLedger, object]:
    """(the tree with each item's documents and counts, the queryset of documents linked to no item)."""
    documents = unit_documents(user, unit, year, include_sub)
    links = item_links(user, structure, unit, include_sub)
    by_item = {}
    seen = set()
    rows = links.filter(document__in=documents).select_related("document__unit").order_by("document__period", "document__title", "document_id")
    for link in rows:
        key = (link.target_id, link.document_id)
        if key not in seen:  # a document linked to an item twice (two periods) shows once
            seen.add(key)
            by_item.setdefault(link.target_id, []).append(link.document)

    def section(heading, depth):
        node = Section(heading, depth)
        for child in heading.children:
            if isinstance(child, Heading):
                sub = section(child, depth + 1)
                node.done, node.total = node.done + sub.done, node.total + sub.total
            else:
                sub = ItemRow(child, by_item.get(child.pk, []))
                node.done, node.total = node.done + sub.has_evidence, node.total + 1
            node.children.append(sub)
        return node

    sections = [section(heading, 1) for heading in structure.headings]
    ledger = StructuredLedger(structure, sections, sum(s.done for s in sections), sum(s.total for s in sections))
    unlinked = documents.filter(~Exists(links.filter(document=OuterRef("pk"))))
    return ledger, unlinked
