"""Base model mixins. A model says what it is by what it inherits."""

import datetime
import decimal
import uuid

from django.db import models


def snapshot(instance) -> dict:
    """A JSON-ready picture of the instance's own fields, for before/after in the audit trail.

    Encrypted personal data is recorded masked (``audit_value``) and blind indexes not at all: the
    trail never holds a phone or ID-card number in clear.
    """
    data = {}
    excluded = set(getattr(instance, "audit_exclude", ())) | instance.get_deferred_fields()
    for field in instance._meta.concrete_fields:
        if field.name in excluded or field.attname in excluded or getattr(field, "audit_skip", False):
            continue
        value = field.value_from_object(instance)
        if hasattr(field, "audit_value"):
            value = field.audit_value(value)
        elif isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
            value = value.isoformat()
        elif isinstance(value, (decimal.Decimal, uuid.UUID)):
            value = str(value)
        elif isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        data[field.attname if field.is_relation else field.name] = value
    return data


class AuditedModel(models.Model):
    """Every create, update and delete of a subclass lands in the audit trail (see audit.signals).

    The picture taken when a row is loaded is the "before" of its next save, so an update costs
    no extra query.
    """

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._audit_before = snapshot(instance)
        return instance

    def audit_unit_id(self):
        """The unit whose scope this row belongs to; it decides which auditor sees the entry."""
        return getattr(self, "unit_id", None)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
