from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "standard"
    verbose_name = _("Creation standard")

    def ready(self):
        from accounts.permissions import has_any_scope
        from accounts.roles import STANDARD_VIEW
        from core.navigation import MenuItem, register
        from evidence import structure

        from . import ledger, links

        links.register()
        structure.register(ledger.structure_for)
        register(
            MenuItem(
                label=_("Creation standard"),
                url_name="standard:list",
                namespace="standard",
                icon="bi-journal-check",
                visible=lambda user: has_any_scope(user, STANDARD_VIEW),
            ),
            position=20,
        )
