"""Backs up the database and the media files into one archive with a manifest of checksums (core/backup.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from core.backup import backup


class Command(BaseCommand):
    help = "Back up the database and the media files into one archive (default folder MOFAN_BACKUP_DIR or VAR_DIR/backups)."

    def add_arguments(self, parser):
        parser.add_argument("--out", metavar="DIR", help="folder the archive is written to")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            path = backup(options["out"])
            self.stdout.write(_("Backup written to %(path)s") % {"path": path})
