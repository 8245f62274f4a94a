"""Components a round's result can weigh besides the standard and entered scores (三级联动).

Another capability registers a provider from its AppConfig.ready() (goals: goal completion);
assessment never imports those apps. A provider answers ``provider(round_, unit_ids)`` with
{unit id: score 0-100}; a unit it leaves out scores 0.
"""

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Provider:
    source: str
    label: str
    scores: Callable


_registry: dict[str, Provider] = {}


def register(source: str, label, provider: Callable):
    _registry[source] = Provider(source, label, provider)


def get(source: str) -> Provider | None:
    return _registry.get(source)


def choices():
    return [(provider.source, provider.label) for provider in _registry.values()]
