"""Evidence (佐证材料): files stored once, documents with versions, and links to what they prove."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import AuditedModel, TimeStampedModel


def blob_path(blob, _filename):
    # Content-addressed: the path says nothing about the unit or the document, and files are only
    # ever served through the permission layer.
    return f"blobs/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"


class Blob(models.Model):
    """The bytes of a file, stored once whatever the number of documents that use them."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    file = models.FileField(_("file"), upload_to=blob_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self):
        return self.sha256


class PeriodPrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Document(AuditedModel, TimeStampedModel):
    """A piece of evidence of a unit: a title, the period it belongs to, and its versions."""

    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="documents", verbose_name=_("unit"))
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200)
    folder = models.CharField(
        _("folder"), max_length=200, blank=True, help_text=_("Where it sits in the ledger, e.g. 政治过硬/理论学习.")
    )
    period = models.DateField(_("period"), help_text=_("The date, month or year the evidence belongs to."))
    period_precision = models.CharField(
        _("period precision"), max_length=5, choices=PeriodPrecision.choices, default=PeriodPrecision.DAY
    )
    description = models.TextField(_("description"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    current = models.ForeignKey(
        "DocumentVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("current version")
    )
    version_count = models.PositiveIntegerField(_("versions"), default=0)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["folder", "-period", "title", "id"]
        indexes = [models.Index(fields=["unit", "period"]), models.Index(fields=["unit", "folder"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evidence:document", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path

    @property
    def period_label(self):
        if self.period_precision == PeriodPrecision.YEAR:
            return f"{self.period:%Y}"
        if self.period_precision == PeriodPrecision.MONTH:
            return f"{self.period:%Y-%m}"
        return f"{self.period:%Y-%m-%d}"


class DocumentVersion(AuditedModel):
    """One upload of a document. Older versions stay readable."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions", verbose_name=_("stored file"))
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20)
    extension = models.CharField(_("extension"), max_length=10)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The unit, copied from the document, so "is this file already in this unit?" is one lookup.
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_document_version")]
        indexes = [models.Index(fields=["unit", "blob"])]

    def __str__(self):
        return f"{self.name} (v{self.number})"

    def get_scope_path(self):
        return self.unit.path

    @property
    def sha256(self):
        return self.blob.sha256

    @property
    def size(self):
        return self.blob.size

    @property
    def content_type(self):
        return self.blob.content_type

    @property
    def previewable(self):
        return self.kind in {"pdf", "image"}


class Link(AuditedModel):
    """Says that a document proves something: a scoring item of a unit in a period, a task, a problem…

    One generic table for every kind of target. ``unit`` and ``period`` place the link in a ledger:
    for a scoring item of the standard they say whose item and which period it proves.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links", verbose_name=_("document"))
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    period = models.DateField(_("period"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("linked by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["unit", "period"])]

    def __str__(self):
        return f"{self.document} → {self.target_type.model}#{self.target_id}"

    def get_scope_path(self):
        return self.unit.path


class InspectionVisit(AuditedModel, TimeStampedModel):
    """迎检: an inspection team reads chosen units' ledgers, read-only, for a time window.

    Access is carried by inspector role grants (one per member and unit) that end by themselves at
    ``valid_until``; ending the visit early revokes them.
    """

    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("granting unit"),
        help_text=_("The unit whose office granted the access."),
    )
    team_name = models.CharField(_("inspection team"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    units = models.ManyToManyField("organization.Unit", related_name="+", verbose_name=_("units inspected"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("members"))
    grants = models.ManyToManyField("accounts.RoleGrant", related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    ended_at = models.DateTimeField(_("ended early at"), null=True, blank=True)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-valid_from", "-id"]

    def __str__(self):
        return self.team_name

    def get_scope_path(self):
        return self.unit.path

    def is_open(self, now):
        return self.ended_at is None and self.valid_from <= now < self.valid_until
from .export_models import LedgerExport  # noqa: E402,F401
