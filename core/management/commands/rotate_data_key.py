"""Re-encrypts every encrypted column under the current data key and recomputes the blind indexes.

Procedure (docs/security.md): put the new key in MOFAN_DATA_KEY and the old one in MOFAN_DATA_KEYS,
restart, run this command, then remove the old key from MOFAN_DATA_KEYS.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core import crypto
from core.events import log_event
from core.fields import BlindIndexField, EncryptedCharField


def encrypted_columns():
    """(model, [encrypted fields]) for every model that has some."""
    for model in apps.get_models():
        fields = [field for field in model._meta.concrete_fields if isinstance(field, EncryptedCharField)]
        if fields:
            yield model, fields


def rotate(batch=500) -> int:
    """Re-encrypts the values still under an older key; returns how many values were rewritten."""
    current = crypto.current_data_key()
    rewritten = 0
    for model, fields in encrypted_columns():
        indexes = [field for field in model._meta.concrete_fields if isinstance(field, BlindIndexField)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(model._meta.pk.column)}, {columns} FROM {quote(model._meta.db_table)}")
            rows = cursor.fetchall()
        for start in range(0, len(rows), batch):
            with transaction.atomic():
                for pk, *values in rows[start : start + batch]:
                    changes = {}
                    for field, value in zip(fields, values):
                        if value and crypto.key_id_of(value) != current.id:
                            plain = crypto.decrypt(value)
                            changes[field.attname] = plain
                            for index in indexes:
                                if index.source == field.name:
                                    changes[index.attname] = index.digest(plain)
                    if changes:
                        # A plain update: the values do not change, so there is nothing to audit row by row.
                        model._base_manager.filter(pk=pk).update(**changes)
                        rewritten += sum(1 for field in fields if field.attname in changes)
    return rewritten


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column under the current data key (MOFAN_DATA_KEY); old keys come from MOFAN_DATA_KEYS."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            key_id = crypto.current_data_key().id
            count = rotate()
            summary = _("Data key rotation: %(count)s values re-encrypted under key %(key)s.") % {"count": count, "key": key_id}
            log_event("update", object_type="core.datakey", summary=summary)
            self.stdout.write(summary)
