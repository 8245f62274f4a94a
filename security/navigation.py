"""The security administrator's pages in the main menu, each shown only to those holding its permission."""

from django.utils.translation import gettext_lazy as _

from accounts.roles import COMPLIANCE_VIEW, LOCKOUT_CHANGE, OTP_RESET, SESSION_END

# (label, url name, icon, permission, position)
PAGES = [
    (_("Security compliance"), "security:compliance", "bi-shield-check", COMPLIANCE_VIEW, 95),
    (_("Second factors"), "security:otp_people", "bi-phone", OTP_RESET, 96),
    (_("Login lockouts"), "security:lockout_list", "bi-lock", LOCKOUT_CHANGE, 97),
    (_("Sessions"), "security:session_list", "bi-pc-display", SESSION_END, 98),
]


def _holder_of(perm):
    from accounts.permissions import has_any_scope

    return lambda user: has_any_scope(user, perm)


def register_menu():
    from core.navigation import MenuItem, register

    for label, url_name, icon, perm, position in PAGES:
        register(
            MenuItem(label=label, url_name=url_name, namespace="security", icon=icon, visible=_holder_of(perm)),
            position=position,
        )
