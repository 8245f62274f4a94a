from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and roles")

    def ready(self):
        from core.navigation import MenuItem, register

        from . import workbench  # noqa: F401
        from .permissions import has_any_scope

        register(
            MenuItem(
                label=_("People"),
                url_name="people:list",
                namespace="people",
                icon="bi-person-lines-fill",
                visible=lambda user: has_any_scope(user, "accounts.user.view"),
            ),
            position=20,
        )
        register(
            MenuItem(
                label=_("Role grants"),
                url_name="people:grants",
                namespace="",
                icon="bi-shield-lock",
                visible=lambda user: has_any_scope(user, "accounts.rolegrant.view"),
            ),
            position=30,
        )
