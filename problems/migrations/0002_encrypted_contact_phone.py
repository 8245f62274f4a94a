"""The contact phone of public feedback stored SM4-encrypted; existing numbers are encrypted in place."""

from django.db import migrations

import core.fields
import core.masking
from core import crypto


def _convert(apps, schema_editor, convert, ciphertexts):
    table = schema_editor.quote_name(apps.get_model("problems", "Feedback")._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, contact_phone FROM {table} WHERE contact_phone IS NOT NULL AND contact_phone <> ''")
        rows = cursor.fetchall()
        for pk, phone in rows:
            if crypto.is_ciphertext(phone) == ciphertexts:
                cursor.execute(f"UPDATE {table} SET contact_phone = %s WHERE id = %s", [convert(phone), pk])


def encrypt(apps, schema_editor):
    _convert(apps, schema_editor, crypto.encrypt, ciphertexts=False)


def decrypt(apps, schema_editor):
    _convert(apps, schema_editor, crypto.decrypt, ciphertexts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("problems", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="feedback",
            name="contact_phone",
            field=core.fields.EncryptedCharField(blank=True, mask=core.masking.phone, max_length=30, verbose_name="contact phone"),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
