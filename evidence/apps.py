from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence ledger")

    def ready(self):
        from accounts.permissions import has_any_scope
        from core.navigation import MenuItem, register
        from organization.models import LeadingGroup

        from . import links

        # The founding document of a leading group (成立文件) is the first evidence of a drive.
        links.register(LeadingGroup, view_perm="organization.leadinggroup.view", unit_of=lambda group: group.unit)
        register(
            MenuItem(
                label=_("Evidence ledger"),
                url_name="evidence:ledger",
                namespace="evidence",
                icon="bi-archive",
                visible=lambda user: has_any_scope(user, "evidence.document.view"),
            ),
            position=40,
        )
        from core.schedule import register_daily

        from . import workbench  # noqa: F401
        from .export import expire_exports

        # Finished ledger archives are removed once they expire (also `manage.py prune_ledger_exports`).
        register_daily("evidence.expire_exports", lambda today: expire_exports())
