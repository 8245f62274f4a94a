"""The audit trail's place in the main menu: shown only to those who may read it."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import AUDIT_VIEW


def _can_read(user):
    from accounts.permissions import has_any_scope

    return has_any_scope(user, AUDIT_VIEW)


def register_menu():
    from core.navigation import MenuItem, register

    register(
        MenuItem(label=_("Audit trail"), url_name="audit:list", namespace="audit", icon="bi-journal-text", visible=_can_read),
        position=90,
    )
