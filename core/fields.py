"""Model fields for personal data: values stored SM4-encrypted, and blind indexes to find them.

An encrypted column cannot be searched (every ciphertext differs, even of the same value), so a
model that looks rows up by such a value, or keeps it unique, adds a ``BlindIndexField`` next to it
and filters with ``matching(Model, "phone", value)``. Filtering on the encrypted column itself is
refused, so a lookup that forgot the index fails loudly instead of finding nothing.
"""

import datetime
import re

from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models import Q, lookups
from django.utils.translation import gettext_lazy as _

from . import crypto


class _EmptyOnlyExact(lookups.Exact):
    def get_prep_lookup(self):
        if self.rhs not in (None, ""):
            raise FieldError(f"{self.lhs.output_field.name} is encrypted: look it up through its blind index")
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A short text stored as an SM4 ciphertext (core.crypto); ``max_length`` is that of the plain text.

    ``mask`` shows the value in the audit trail, which never holds it in clear.
    """

    def __init__(self, *args, mask=None, **kwargs):
        self.mask = mask
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.mask is not None:
            kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def get_internal_type(self):
        # The column holds the ciphertext, several times longer than the text.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, name):
        return None

    def audit_value(self, value):
        """The masked value and a short keyed fingerprint, so a change of hidden digits still shows."""
        if value in (None, ""):
            return value
        shown = self.mask(value) if self.mask else "*" * len(value)
        return f"{shown} #{crypto.blind_index(value)[:6]}"


class BlindIndexField(models.CharField):
    """HMAC-SM3 of the normalised value of the ``source`` field, kept up to date on every save."""

    audit_skip = True

    def __init__(self, *args, source=None, normalize=None, **kwargs):
        self.source = source
        self.normalize = normalize
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.normalize is not None:
            kwargs["normalize"] = self.normalize
        for key, default in (("max_length", 64), ("editable", False), ("null", True), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def normalized(self, value):
        value = "" if value is None else str(value)
        return self.normalize(value) if self.normalize else value.strip()

    def digest(self, value, key=None):
        value = self.normalized(value)
        return crypto.blind_index(value, key) if value else None

    def digests(self, value):
        value = self.normalized(value)
        return crypto.blind_indexes(value) if value else []

    def pre_save(self, model_instance, add):
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def index_field(model, name) -> BlindIndexField:
    """The blind index of the encrypted field ``name`` of ``model``."""
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source == name:
            return field
    raise FieldError(f"{model._meta.label} has no blind index for {name}")


def matching(model, name, *values) -> Q:
    """A filter for rows whose encrypted field ``name`` holds one of ``values`` (under any configured key)."""
    field = index_field(model, name)
    digests = sorted({digest for value in values for digest in field.digests(value)})
    return Q(**{f"{field.name}__in": digests})


def index_save_fields(model, update_fields):
    """``update_fields`` with the blind index of every encrypted field in it, for ``save(update_fields=...)``."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source in names:
            names.add(field.name)
    return names


# --- ID-card numbers (GB 11643-1999) ---------------------------------------------------------------

_ID_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_id_number(value) -> str:
    return "" if value is None else str(value).strip().upper()


def id_number_is_valid(value) -> bool:
    """18 characters, a real date of birth and the right check character."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        return False
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born > datetime.date.today() or born.year < 1900:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def validate_id_number(value):
    if value and not id_number_is_valid(value):
        raise ValidationError(
            _("Enter a valid 18-character ID card number; the last character is a check digit or X."), code="invalid_id_number"
        )


def normalize_phone(value) -> str:
    return "" if value is None else re.sub(r"[\s-]", "", str(value))

