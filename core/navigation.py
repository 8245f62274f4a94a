"""The main menu. Capabilities not built yet are listed, disabled, so users see what is coming."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass
class MenuItem:
    label: str
    url_name: str | None = None
    namespace: str = ""
    icon: str = ""
    visible: object = None  # callable(user) -> bool; None: everyone logged in
    children: list = field(default_factory=list)


_menu: list[MenuItem] = []


def register(item: MenuItem, position: int):
    _menu.append((position, item))
    _menu.sort(key=lambda pair: pair[0])


def menu_for(user):
    items = []
    for _position, item in _menu:
        if item.visible is None or item.visible(user):
            items.append(item)
    return items


COMING = [
    (_("Organization life"), "bi-people"),
    (_("Reports"), "bi-bar-chart"),
]
