"""A ledger export (台账导出): one archive of a unit's ledger for a year, built in the background."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

DEFAULT_KEEP_DAYS = 7


def keep_days() -> int:
    return int(getattr(settings, "MOFAN_EXPORT_KEEP_DAYS", DEFAULT_KEEP_DAYS))


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class LedgerExport(models.Model):
    """The request, progress and result of one export.

    Not an AuditedModel: progress is written every few dozen files and would flood the trail.
    The request, the finished archive and every download are logged as business events instead.
    The result lives in the default storage under exports/ and is served only by export_views.download.
    """

    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    include_sub = models.BooleanField(_("include the units under it"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField(_("files to export"), default=0)
    done = models.PositiveIntegerField(_("files exported"), default=0)
    error = models.TextField(_("problem"), blank=True)
    result = models.FileField(_("archive"), upload_to="exports/", max_length=200, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("ledger export")
        verbose_name_plural = _("ledger exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "year"]), models.Index(fields=["status", "finished_at"])]

    def __str__(self):
        return f"{self.unit} {self.year}"

    def get_absolute_url(self):
        return reverse("evidence:export_status", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path

    @property
    def finished(self) -> bool:
        return self.status in {ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.EXPIRED}

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def expires_at(self):
        if self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(days=keep_days())

    def is_expired(self, now) -> bool:
        return self.status == ExportStatus.EXPIRED or (self.expires_at is not None and self.expires_at <= now)

    @property
    def download_name(self) -> str:
        scope = "（含下级）" if self.include_sub else ""
        return f"{self.unit.name}{scope}-{self.year}年资料台账.zip"
