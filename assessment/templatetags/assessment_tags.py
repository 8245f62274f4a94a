from django import template
from django.utils.translation import gettext_lazy as _

from .. import sheet

register = template.Library()


@register.filter
def answer_text(answer):
    return sheet.answer_text(answer)


@register.simple_tag
def current_answer(item, mode):
    """The values an item's form starts from: what the user typed when it was refused (nothing typed
    is lost), else the saved answer; a reviewer starts from the unit's own answer."""
    typed = getattr(item, "typed_answer", None)
    if typed is not None:
        return typed
    if mode == "review":
        return item.review_answer if item.review_answer is not None else (item.self_answer or {})
    return item.self_answer or {}


EVENT_LABELS = {
    "submit": _("submitted the self-assessment"),
    "return": _("returned it to the unit"),
    "review": _("completed the review"),
    "publish": _("published the result"),
    "appeal": _("filed an appeal"),
    "appeal_answered": _("answered the appeal"),
    "reopen": _("reopened the review after an appeal"),
}


@register.filter
def event_label(action):
    return EVENT_LABELS.get(action, action)


# The standard's method names, translated here until the standard app's catalogue has them.
METHOD_LABELS = {
    "deduct": _("Deduct"), "bonus": _("Bonus"), "graded": _("Graded"), "pass_fail": _("Pass/fail"), "veto": _("Veto"),
}


@register.filter
def method_label(method):
    return METHOD_LABELS.get(method, method)
