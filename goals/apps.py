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

        from accounts.permissions import has_any_scope
        from accounts.roles import GOAL_VIEW
        from core.navigation import MenuItem, register

        register(
            MenuItem(
                label=_("Goals & tasks"), url_name="goals:plans", namespace="goals", icon="bi-flag",
                visible=lambda user: has_any_scope(user, GOAL_VIEW),
            ),
            position=45,
        )
        from . import reminders, snapshots, workbench  # noqa: F401
