"""Deletes ledger export archives older than MOFAN_EXPORT_KEEP_DAYS (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from evidence.export import expire_exports
from evidence.export_models import keep_days


class Command(BaseCommand):
    help = "Delete ledger export archives older than MOFAN_EXPORT_KEEP_DAYS days; the export records stay."

    def handle(self, *args, **options):
        count = expire_exports()
        self.stdout.write(f"{count} export archive(s) older than {keep_days()} days deleted.")
