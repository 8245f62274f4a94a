from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "organization"
    verbose_name = _("Organization")

    def ready(self):
        from accounts.permissions import has_any_scope
        from core.navigation import MenuItem, register

        register(
            MenuItem(
                label=_("Organization"),
                url_name="organization:tree",
                namespace="organization",
                icon="bi-diagram-3",
                visible=lambda user: has_any_scope(user, "organization.unit.view"),
            ),
            position=10,
        )
