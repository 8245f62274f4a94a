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
    describe: Callable | None = None  # target -> how a person names it (default: "<verbose name>：<str>")

    def visible_to(self, user):
        from accounts import permissions

        if self.visible is not None:
            return self.visible(user)
        return permissions.restrict(self.model.objects.all(), user, perm=self.view_perm)

    def can_see(self, user, target) -> bool:
        return self.visible_to(user).filter(pk=target.pk).exists()


_registry: dict[str, Linkable] = {}


def register(model, *, view_perm: str, unit_of: Callable, visible: Callable | None = None, describe: Callable | None = None):
    _registry[model._meta.label_lower] = Linkable(model, view_perm, unit_of, visible, describe)


def get(model_label: str) -> Linkable | None:
    return _registry.get(model_label.lower())


def for_content_type(content_type: ContentType) -> Linkable | None:
    return _registry.get(f"{content_type.app_label}.{content_type.model}")


def labels():
    return sorted(_registry)


def describe_target(link) -> str:
    """What a link points at, as text for pages and the export index: 考核内容：1.1.1 落实“第一议题”制度."""
    from django.utils.translation import gettext as _

    target = link.target
    if target is None:
        return _("(removed)")
    linkable = for_content_type(link.target_type)
    if linkable is not None and linkable.describe is not None:
        return linkable.describe(target)
    return f"{target._meta.verbose_name}：{target}"
