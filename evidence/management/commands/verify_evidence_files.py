"""Rehashes every stored evidence file with SHA-256 and reports each one missing or whose bytes changed.

Exit status 1 when any file fails, so a scheduler can raise an alarm.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from evidence.integrity import verify_files


class Command(BaseCommand):
    help = "Rehash every stored evidence file with SHA-256; report (exit status 1) any file missing or changed."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            checked, failures = verify_files()
            if not failures:
                self.stdout.write(_("All %(count)s stored files match their SHA-256.") % {"count": checked})
                return
            self.stderr.write(
                _("%(failed)s of %(count)s stored files fail verification:") % {"failed": len(failures), "count": checked}
            )
            for blob, problem in failures:
                if problem == "missing":
                    line = _("%(file)s is missing (SHA-256 %(sha)s).")
                else:
                    line = _("%(file)s was changed: its bytes no longer have the SHA-256 %(sha)s.")
                self.stderr.write("  - " + line % {"file": blob.file.name, "sha": blob.sha256})
        sys.exit(1)
