from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from accounts.permissions import has_any_scope
        from accounts.roles import ROUND_VIEW, SCORECARD_VIEW
        from core.navigation import MenuItem, register

        register(
            MenuItem(
                label=_("Assessment"),
                url_name="assessment:rounds",
                namespace="assessment",
                icon="bi-clipboard-check",
                visible=lambda user: has_any_scope(user, ROUND_VIEW) or has_any_scope(user, SCORECARD_VIEW),
            ),
            position=50,
        )
        from . import workbench  # noqa: F401
