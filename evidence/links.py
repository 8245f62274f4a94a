"""Which kinds of objects evidence may be linked to, and the unit each one belongs to.

A capability registers its models here (a scoring item, a task, a problem, a meeting record…) from
its AppConfig.ready(); evidence never imports those apps.
"""

from dataclasses import dataclass
from typing import Callable

from django.contrib.contenttypes.models import ContentType


@dataclass(frozen=True)
class Linkable:
    model: type
    view_perm: str  # the permission a user needs on the target to see or link to it
    unit_of: Callable  # target -> the Unit it belongs to


_registry: dict[str, Linkable] = {}


def register(model, *, view_perm: str, unit_of: Callable):
    _registry[model._meta.label_lower] = Linkable(model, view_perm, unit_of)


def get(model_label: str) -> Linkable | None:
    return _registry.get(model_label.lower())


def for_content_type(content_type: ContentType) -> Linkable | None:
    return _registry.get(f"{content_type.app_label}.{content_type.model}")


def labels():
    return sorted(_registry)
