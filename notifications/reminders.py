"""The registry of reminder collectors that capabilities plug in.

``register(source, collector, categories)``: ``collector(today) -> iterable[Reminder]`` finds what
is due soon, overdue or waiting for someone on ``today``; ``categories`` maps each category the
collector uses to its label, in the order a digest lists them. Notifications never imports the
capabilities: they import this module and register themselves.
"""

import datetime
from dataclasses import dataclass, field, replace

from accounts import permissions

_collectors: dict[str, object] = {}
_categories: dict[str, str] = {}


@dataclass(frozen=True)
class Reminder:
    """One thing a person should be told about: ``obj`` is what it concerns, which the person must be
    allowed to see (``perm`` over ``obj``); ``unit`` decides which group robot names them."""

    person: object
    unit: object
    category: str
    title: str
    obj: object
    perm: str
    url: str = ""
    level: str = ""  # a traffic-light colour or a supervision level, shown as a badge
    source: str = field(default="", compare=False)


def register(source: str, collector, categories: dict[str, str]):
    _collectors[source] = collector
    _categories.update(categories)
    return collector


def category_label(category: str) -> str:
    return str(_categories.get(category, category))


def category_order(category: str) -> int:
    keys = list(_categories)
    return keys.index(category) if category in keys else len(keys)


def gather(today: datetime.date) -> list[Reminder]:
    """Every registered collector's reminders for ``today``, without the ones a person may not see
    and without duplicates (the same thing told twice to the same person)."""
    found, seen = [], set()
    for source, collector in _collectors.items():
        for reminder in collector(today):
            if not reminder.person.is_active or not permissions.has_perm(reminder.person, reminder.perm, reminder.obj):
                continue
            key = (reminder.person.pk, reminder.category, reminder.obj._meta.label, reminder.obj.pk)
            if key in seen:
                continue
            seen.add(key)
            found.append(replace(reminder, source=source))
    return found
