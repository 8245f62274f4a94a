"""Restores an archive made by `manage.py backup` into an empty, freshly migrated installation.

Every file is checked against the manifest and the migration state compared before anything is
written; the data is loaded in one transaction. There is no --force: a non-empty database is refused.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.backup import BackupError, describe, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty installation (same version, same data and audit keys)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by manage.py backup")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = restore(options["archive"])
            except BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(describe(manifest))
