from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

GOALS_SOURCE = "goals"


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goal management")

    def ready(self):
        from assessment import components

        from . import links, rollup

        links.register()
        components.register(GOALS_SOURCE, _("Goal completion"), rollup.unit_scores)
