"""The creation standard (创建标准 / 评分细则): a versioned tree of dimensions → indicators → scoring items.

A draft can be edited; a published version is frozen, and a new version starts as a copy of it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, TimeStampedModel


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Standard(AuditedModel, TimeStampedModel):
    """One version of a unit's standard. Units below the owning unit are scored against it."""

    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="standards", verbose_name=_("owning unit")
    )
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=StandardStatus.choices, default=StandardStatus.DRAFT)
    total_points = models.DecimalField(
        _("full marks"), max_digits=7, decimal_places=2, default=Decimal("100"),
        help_text=_("The base total without bonus points."),
    )
    note = models.TextField(_("note"), blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["unit__path", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name", "version"], name="unique_standard_version"),
        ]

    def __str__(self):
        return f"{self.name} V{self.version}"

    def get_absolute_url(self):
        return reverse("standard:detail", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path

    @property
    def is_draft(self):
        return self.status == StandardStatus.DRAFT

    def items(self):
        return self.nodes.filter(level=Level.ITEM)


class Level(models.IntegerChoices):
    DIMENSION = 1, _("Dimension")
    INDICATOR = 2, _("Indicator")
    ITEM = 3, _("Scoring item")


class Method(models.TextChoices):
    DEDUCT = "deduct", _("Deduct")
    BONUS = "bonus", _("Bonus")
    GRADED = "graded", _("Graded")
    PASS_FAIL = "pass_fail", _("Pass/fail")
    VETO = "veto", _("Veto")


class Cadence(models.TextChoices):
    NONE = "", _("None")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Node(AuditedModel):
    """A dimension (一级指标), indicator (二级指标) or scoring item (考核内容) of a standard.

    For a dimension or indicator ``points`` is its cap: its score never exceeds it, whatever its
    items add up to. For an item it is the item's full marks (for a bonus item, its cap).
    """

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("standard"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    position = models.PositiveIntegerField(_("position"), default=0)
    number = models.CharField(_("number"), max_length=20, help_text=_("Its place in the standard, e.g. 1.2.3."))
    title = models.TextField(_("title"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, default=Decimal("0"))
    # Scoring items only.
    method = models.CharField(_("scoring method"), max_length=10, choices=Method.choices, blank=True)
    per_occurrence = models.DecimalField(
        _("deduction per occurrence"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    levels = models.JSONField(
        _("grade levels"), default=list, blank=True,
        help_text=_('For graded items: [{"code": "A", "label": "好", "percent": 100}, …], best first.'),
    )
    guide = models.TextField(_("scoring guide"), blank=True)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    lead_department = models.CharField(_("lead department"), max_length=100, blank=True)
    cadence = models.CharField(_("evidence cadence"), max_length=10, choices=Cadence.choices, blank=True, default="")

    scope_path_field = "standard__unit__path"

    class Meta:
        verbose_name = _("standard node")
        verbose_name_plural = _("standard nodes")
        ordering = ["standard", "level", "position", "id"]
        indexes = [models.Index(fields=["standard", "level"])]

    def __str__(self):
        return f"{self.number} {self.title[:40]}"

    def get_scope_path(self):
        return self.standard.unit.path

    def audit_unit_id(self):
        return self.standard.unit_id

    @property
    def is_item(self):
        return self.level == Level.ITEM

    @property
    def counts_in_base(self):
        """Bonus items are added on top of the base total; veto items carry no points."""
        return self.method not in (Method.BONUS, Method.VETO)

    def level_percent(self, code):
        for level in self.levels:
            if level.get("code") == code:
                return Decimal(str(level["percent"]))
        return None
