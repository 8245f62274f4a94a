"""The unit tree (agency → subordinate units → departments; party committee → branches → groups)
and the leading groups that steer the drive in a unit."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from core.models import AuditedModel, TimeStampedModel


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    SUBORDINATE_UNIT = "subordinate_unit", _("Subordinate unit")
    DEPARTMENT = "department", _("Department")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_BRANCH = "party_branch", _("Party branch")
    PARTY_GROUP = "party_group", _("Party group")


# Which kinds a unit of each kind may be placed under (None: it may be a root).
ALLOWED_PARENT_KINDS = {
    UnitKind.AGENCY: {None, UnitKind.AGENCY},
    UnitKind.SUBORDINATE_UNIT: {UnitKind.AGENCY, UnitKind.SUBORDINATE_UNIT},
    UnitKind.DEPARTMENT: {UnitKind.AGENCY, UnitKind.SUBORDINATE_UNIT, UnitKind.DEPARTMENT},
    UnitKind.PARTY_COMMITTEE: {UnitKind.AGENCY, UnitKind.SUBORDINATE_UNIT, UnitKind.PARTY_COMMITTEE},
    UnitKind.PARTY_BRANCH: {
        UnitKind.AGENCY,
        UnitKind.SUBORDINATE_UNIT,
        UnitKind.DEPARTMENT,
        UnitKind.PARTY_COMMITTEE,
    },
    UnitKind.PARTY_GROUP: {UnitKind.PARTY_BRANCH},
}

PARTY_KINDS = {UnitKind.PARTY_COMMITTEE, UnitKind.PARTY_BRANCH, UnitKind.PARTY_GROUP}


class Unit(AuditedModel, TimeStampedModel, MP_Node):
    """Any node of the organization tree. A unit that holds data is deactivated, never deleted."""

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Letters, digits, dots, hyphens and underscores; unique in the whole system."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    steplen = 4
    node_order_by = []
    scope_path_field = "path"
    audit_exclude = ("path", "depth", "numchild", "updated_at")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization:detail", args=[self.pk])

    @property
    def display_name(self):
        return self.short_name or self.name

    def audit_unit_id(self):
        return self.pk

    def get_scope_path(self):
        return self.path

    def ancestor_paths(self):
        """Paths of all ancestors, root first; one query fetches them all."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]


class LeadingGroupTitle(models.TextChoices):
    HEAD = "head", _("Head")
    EXECUTIVE_DEPUTY = "executive_deputy", _("Executive deputy head")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    RECORDS_CLERK = "records_clerk", _("Records clerk")


TITLE_ORDER = {title: index for index, title in enumerate(LeadingGroupTitle.values)}


class LeadingGroup(AuditedModel, TimeStampedModel):
    """The leading group (领导小组) of a unit's creation drive, with its office."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="leading_group", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=100)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    office_duties = models.TextField(_("office duties"), blank=True)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("leading group")
        verbose_name_plural = _("leading groups")

    def __str__(self):
        return self.name

    def get_scope_path(self):
        return self.unit.path


class LeadingGroupMember(AuditedModel, TimeStampedModel):
    group = models.ForeignKey(LeadingGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("leading group"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leading_group_seats", verbose_name=_("person")
    )
    title = models.CharField(_("title"), max_length=20, choices=LeadingGroupTitle.choices)
    duty = models.CharField(_("duty"), max_length=200, blank=True, help_text=_("e.g. the post that brings the seat"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_path_field = "group__unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group members")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person", "title"], name="unique_leading_group_seat"),
        ]

    def __str__(self):
        return f"{self.get_title_display()} {self.person}"

    def audit_unit_id(self):
        return self.group.unit_id

    def get_scope_path(self):
        return self.group.unit.path
