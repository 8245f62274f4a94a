from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "standard"
    verbose_name = _("Creation standard")

    def ready(self):
        from . import links

        links.register()
