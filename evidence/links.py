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
    unit_of: Callable  # target -> the Unit it belongs to (None: the document's unit, e.g. a scoring item)
    # Targets a user may see; None: the permission layer's restrict() with view_perm. A scoring item
    # of an agency's standard is seen from every unit below the agency, hence the hook.
    visible: Callable | None = None

    def visible_to(self, user):
        from accounts import permissions

        if self.visible is not None:
            return self.visible(user)
        return permissions.restrict(self.model.objects.all(), user, perm=self.view_perm)

    def can_see(self, user, target) -> bool:
        return self.visible_to(user).filter(pk=target.pk).exists()


_registry: dict[str, Linkable] = {}


def register(model, *, view_perm: str, unit_of: Callable, visible: Callable | None = None):
    _registry[model._meta.label_lower] = Linkable(model, view_perm, unit_of, visible)


def get(model_label: str) -> Linkable | None:
    return _registry.get(model_label.lower())


def for_content_type(content_type: ContentType) -> Linkable | None:
    return _registry.get(f"{content_type.app_label}.{content_type.model}")


def labels():
    return sorted(_registry)
