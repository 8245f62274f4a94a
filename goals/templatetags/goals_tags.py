"""The traffic light as a badge: every page shows the colour ``lights.light`` computes."""

from django import template
from django.utils import timezone

from .. import lights
from ..models import Light

register = template.Library()

CSS = {Light.GREEN: "success", Light.YELLOW: "warning", Light.RED: "danger"}


@register.inclusion_tag("goals/includes/light.html")
def light_badge(task, today=None, percent=None):
    """``{% light_badge task %}``; ``percent`` is a rolled-up percent for a task with sub-tasks."""
    colour = lights.light(task, today or timezone.localdate(), percent=percent)
    return {"colour": colour, "label": Light(colour).label if colour else "", "css": CSS.get(colour, "secondary")}
