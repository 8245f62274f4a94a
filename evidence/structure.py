"""The structure a unit's ledger is organised by: headings (dimension → indicator) over items.

Evidence never imports the standard. The standard app registers a provider here from its
AppConfig.ready(): given a unit, the provider returns the tree of the standard that applies to it
(dimensions → indicators → scoring items, with each item's evidence requirement), or None when no
standard applies. The ledger page and the ledger export organise documents by that tree, and fall
back to folders when there is none.

An item is a registered link target (evidence.links): a document proves an item of a unit when a
``Link`` points at the item with ``Link.unit`` = that unit.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    pk: int  # primary key of the link target (e.g. standard.Node)
    number: str
    title: str
    points: Decimal | None = None
    requirement: str = ""  # 佐证材料: what evidence the item asks for

    @property
    def label(self):
        return f"{self.number} {self.title}".strip()


@dataclass
class Heading:
    number: str
    title: str
    points: Decimal | None = None
    children: list = field(default_factory=list)  # Headings and Items, in the structure's order

    @property
    def label(self):
        return f"{self.number} {self.title}".strip()


@dataclass
class Structure:
    name: str  # shown above the tree, e.g. 模范机关创建评分细则 V1
    model: type  # the model of the items: a registered link target
    headings: list

    def walk(self, nodes=None, path=()) -> Iterator[tuple[tuple, Item]]:
        """(headings above it, item) for every item, in order."""
        for node in self.headings if nodes is None else nodes:
            if isinstance(node, Heading):
                yield from self.walk(node.children, (*path, node))
            else:
                yield path, node

    def item_ids(self) -> list[int]:
        return [item.pk for _path, item in self.walk()]

    def find(self, pk) -> tuple[tuple, Item] | None:
        for path, item in self.walk():
            if item.pk == pk:
                return path, item
        return None


Provider = Callable[[object], Structure | None]
_providers: list[Provider] = []


def register(provider: Provider):
    """Adds a provider: unit -> Structure or None. The first one that answers wins."""
    if provider not in _providers:
        _providers.append(provider)


def for_unit(unit) -> Structure | None:
    """The structure of ``unit``'s ledger, or None (the ledger is then organised by folder)."""
    for provider in _providers:
        structure = provider(unit)
        if structure is not None:
            return structure
    return None
