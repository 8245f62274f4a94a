"""People (accounts) and the roles granted to them on units."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import masking
from core.fields import (
    BlindIndexField,
    EncryptedCharField,
    index_save_fields,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
)
from core.models import AuditedModel, TimeStampedModel
from organization.models import Unit

from .roles import ADMIN_ROLES, Role

phone_validator = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mobile number starting with 1."))


class PartyStatus(models.TextChoices):
    MEMBER = "member", _("CPC member")
    PROBATIONARY = "probationary", _("CPC probationary member")
    YOUTH_LEAGUE = "youth_league", _("CYL member")
    DEMOCRATIC_PARTY = "democratic_party", _("Democratic party member")
    NON_PARTISAN = "non_partisan", _("Non-partisan")
    MASSES = "masses", _("Masses")


class User(AuditedModel, AbstractUser):
    """A person who works in a unit and may log in."""

    real_name = models.CharField(_("real name"), max_length=50)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("unit")
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    party_status = models.CharField(
        _("political status"), max_length=20, choices=PartyStatus.choices, default=PartyStatus.MASSES
    )
    party_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_members",
        verbose_name=_("party organization"),
        help_text=_("The party branch or group the person belongs to."),
    )
    # Stored SM4-encrypted; unique and looked up through phone_index (core.fields.matching).
    phone = EncryptedCharField(
        _("mobile phone"), max_length=11, null=True, blank=True, validators=[phone_validator], mask=masking.phone
    )
    phone_index = BlindIndexField(source="phone", normalize=normalize_phone, unique=True)
    id_number = EncryptedCharField(
        _("ID card number"), max_length=18, null=True, blank=True, validators=[validate_id_number], mask=masking.id_number
    )
    id_number_index = BlindIndexField(source="id_number", normalize=normalize_id_number, unique=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    scope_path_field = "unit__path"
    audit_exclude = ("password", "last_login", "updated_at")
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.real_name or self.username

    def get_absolute_url(self):
        return reverse("people:detail", args=[self.pk])

    def get_full_name(self):
        return self.real_name or self.username

    def get_short_name(self):
        return self.real_name or self.username

    def get_scope_path(self):
        return self.unit.path if self.unit_id else None

    def save(self, *args, **kwargs):
        # A saved phone or ID number takes its blind index with it.
        kwargs["update_fields"] = index_save_fields(type(self), kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def masked_phone(self):
        return masking.phone(self.phone)

    @property
    def masked_id_number(self):
        return masking.id_number(self.id_number)


class RoleGrant(AuditedModel, TimeStampedModel):
    """A role held by a person on a unit, valid for the unit's subtree and, optionally, a time window."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="grants", verbose_name=_("scope unit"))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["unit__path", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "role", "unit"], name="unique_role_grant")]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.unit}"

    def get_scope_path(self):
        return self.unit.path

    def is_current(self, now=None):
        now = now or timezone.now()
        return (self.valid_from is None or self.valid_from <= now) and (self.valid_until is None or now < self.valid_until)

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end of the validity must be after its start.")})
        if self.role in ADMIN_ROLES and self.person_id:
            others = (
                RoleGrant.objects.filter(person_id=self.person_id, role__in=ADMIN_ROLES)
                .exclude(role=self.role)
                .exists()
            )
            if others:
                raise ValidationError(
                    {"role": _("One person cannot hold two of the system, security and audit administrator roles.")}
                )
