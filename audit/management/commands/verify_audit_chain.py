"""Verifies the audit chain; exits with status 1 when an entry was changed, inserted or deleted."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from audit import chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exit status 1 when an entry was changed, inserted or deleted."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            report = chain.verify(record=True, checked_by="verify_audit_chain")
            if report.ok:
                self.stdout.write(_("The audit chain verifies: %(count)s entries checked.") % {"count": report.entries})
                return
            self.stderr.write(
                _("The audit chain is broken at entry %(id)s (%(count)s entries checked):")
                % {"id": report.first_broken, "count": report.entries}
            )
            for finding in report.findings:
                self.stderr.write(f"  - {finding.message}")
        sys.exit(1)
