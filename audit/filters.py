"""Filters of the audit trail list. Dates are the local calendar days (settings.TIME_ZONE)."""

import datetime
import ipaddress
import re

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, DateInput
from core.models import AuditedModel

from .models import AuditAction, AuditEntry

_IP_PREFIX = re.compile(r"^[0-9A-Fa-f:.]{1,45}$")


def object_type_choices():
    """Every audited model, by its human name; read late so models added later are listed too."""
    choices = {
        model._meta.label_lower: capfirst(model._meta.verbose_name)
        for model in apps.get_models()
        if issubclass(model, AuditedModel)
    }
    return sorted(choices.items(), key=lambda pair: str(pair[1]))


def object_type_label(object_type: str) -> str:
    try:
        return capfirst(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone())


class IpPrefixField(forms.CharField):
    """A whole address, or the start of one ("10.2.") to look at a network."""

    def clean(self, value):
        value = super().clean(value).strip()
        if value and not _IP_PREFIX.match(value):
            raise ValidationError(_("Enter an address or the start of one."), code="invalid")
        return value


class IpPrefixFilter(django_filters.Filter):
    field_class = IpPrefixField


class AuditFilterForm(BootstrapMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("Actor"), method="filter_actor")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("Any action"))
    object_type = django_filters.ChoiceFilter(
        label=_("Object type"), choices=object_type_choices, empty_label=_("Any object type")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_date_to", widget=DateInput()
    )
    ip = IpPrefixFilter(label=_("Address"), method="filter_ip")
    request_id = django_filters.CharFilter(label=_("Request id"), field_name="request_id", lookup_expr="exact")
    object_id = django_filters.CharFilter(field_name="object_id", lookup_expr="exact", widget=forms.HiddenInput)
    q = django_filters.CharFilter(label=_("Object or summary"), method="filter_text")

    class Meta:
        model = AuditEntry
        fields = []
        form = AuditFilterForm

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_name__icontains=value) | Q(actor__username__icontains=value))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(timestamp__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        # Inclusive: everything before the start of the next local day.
        return queryset.filter(timestamp__lt=_start_of(value + datetime.timedelta(days=1)))

    def filter_ip(self, queryset, name, value):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return queryset.filter(ip__startswith=value)
        return queryset.filter(ip=value)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_repr__icontains=value) | Q(summary__icontains=value))

    @property
    def qs(self):
        # A filter the form refused must not silently widen the list to everything.
        if self.is_bound and not self.form.is_valid():
            return self.queryset.none()
        return super().qs
