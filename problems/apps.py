from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = _("Problems and rectification")

    def ready(self):
        from accounts.permissions import has_any_scope
        from accounts.roles import PROBLEM_VIEW
        from core.navigation import MenuItem, register

        from . import links

        links.register()
        register(
            MenuItem(
                label=_("Problems & rectification"), url_name="problems:problems", namespace="problems", icon="bi-tools",
                visible=lambda user: has_any_scope(user, PROBLEM_VIEW),
            ),
            position=55,
        )
        from . import item_links, reminders, workbench  # noqa: F401  (item_links: weakness → problem; reminders: the digest)
