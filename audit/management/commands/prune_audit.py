"""Archives and deletes the audit entries older than the retention period, keeping the chain verifiable.

Run it as the database owner role: the application role may not delete audit entries.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import retention

from .export_audit import parse_date


class Command(BaseCommand):
    help = (
        "Archive to --out, then delete, the audit entries written before --before (default: the start of the "
        "retention period, MOFAN_AUDIT_RETENTION_DAYS, at least 180 days). Refuses younger entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", help="YYYY-MM-DD: entries written before this day")
        parser.add_argument("--out", required=True, help="the archive of the pruned entries")

    def handle(self, *args, before=None, out, **options):
        with translation.override(settings.LANGUAGE_CODE):
            warn = lambda message: self.stderr.write(self.style.WARNING(message))  # noqa: E731
            if before:
                day = parse_date(before)
            else:
                day = timezone.localdate() - datetime.timedelta(days=retention.retention_days(warn))
            try:
                anchor = retention.prune(day, out, warn=warn)
            except retention.RetentionError as error:
                raise CommandError(str(error)) from None
            if anchor is None:
                self.stdout.write(_("No audit entry was written before %(date)s; nothing pruned.") % {"date": day})
                return
            self.stdout.write(
                _("%(count)s entries up to entry %(id)s archived to %(file)s (SM3 %(digest)s) and pruned; the chain now starts after them.")
                % {"count": anchor.pruned, "id": anchor.last_id, "file": out, "digest": anchor.archive_sm3}
            )
