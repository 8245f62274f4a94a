"""Archives the audit entries written before a date as JSON lines, with the file's SM3 next to it."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from audit import retention


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from None


class Command(BaseCommand):
    help = "Archive the audit entries written before --before (a date) to --out as JSON lines, and --out.sm3."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: entries written before this day")
        parser.add_argument("--out", required=True, help="the archive file to write")

    def handle(self, *args, before, out, **options):
        with translation.override(settings.LANGUAGE_CODE):
            count, digest = retention.export(parse_date(before), out)
            self.stdout.write(
                _("%(count)s entries archived to %(file)s; SM3 %(digest)s (in %(file)s.sm3).")
                % {"count": count, "file": out, "digest": digest}
            )
