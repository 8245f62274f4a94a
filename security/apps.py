from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """What a level-3 classified-protection assessment (等保 2.0) asks of the application: password
    policy, login lockout, sessions, second factor, headers, and the compliance page."""

    name = "security"
    verbose_name = _("Security")

    def ready(self):
        # Signal receivers (login, logout, lockout, account changes, second-factor state at login)
        # are connected here, before the first login of the process.
        from . import lockout, otp, sessions  # noqa: F401
        from .navigation import register_menu

        register_menu()
