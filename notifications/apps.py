from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from core.schedule import register_daily

        from .digests import send_digests

        register_daily("notifications.digests", send_digests)
