import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo import data, seed


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Builds the demo agencies from the speeches (idempotent). Refused in production mode."

    def handle(self, *args, **options):
        try:
            created = seed.run()
        except seed.RefusedInProduction:
            raise CommandError(
                _("The demo sets a published password on its accounts and is refused in production mode.")
            ) from None
        if any(created.values()):
            self.stdout.write(
                _(
                    "Created %(units)d units, %(people)d people, %(grants)d role grants, "
                    "%(leading_groups)d leading groups and %(seats)d leading group seats."
                )
                % created
            )
        else:
            self.stdout.write(_("The demo is already complete; nothing was changed."))
        self._print_logins()

    def _print_logins(self):
        header = (_("Username"), _("Full name"), _("Unit"), _("Role"), _("Can see"))
        rows = [header, *seed.demo_logins()]
        widths = [max(_width(row[column]) for row in rows) for column in range(len(header) - 1)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins (password for all: %(password)s)") % {
            "password": data.DEMO_PASSWORD,
        }))
        for row in rows:
            cells = [_pad(cell, width) for cell, width in zip(row, widths)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        required = settings.MOFAN_2FA_REQUIRED
        if required != "none":
            who = _("Every account") if required == "all" else _("The system, security and audit administrators")
            self.stdout.write(_(
                "%(who)s set up an authenticator app (TOTP) at the first login and then give its code at each "
                "login; MOFAN_2FA_REQUIRED=none turns this off for a trial."
            ) % {"who": who})
        self.stdout.write(self.style.WARNING(_("Demo data only: never load it into a production system.")))
