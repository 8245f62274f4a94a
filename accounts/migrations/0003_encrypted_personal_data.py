"""Phone numbers stored SM4-encrypted with a blind index for uniqueness and lookups; the optional
ID card number, encrypted the same way. Existing numbers are encrypted in place."""

import django.core.validators
from django.db import migrations, models

import core.fields
import core.masking
from core import crypto


def _rows(schema_editor, table, sql):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql.format(table=schema_editor.quote_name(table)))
        return cursor.fetchall()


def encrypt_phones(apps, schema_editor):
    table = apps.get_model("accounts", "User")._meta.db_table
    rows = _rows(schema_editor, table, "SELECT id, phone FROM {table} WHERE phone IS NOT NULL AND phone <> ''")
    with schema_editor.connection.cursor() as cursor:
        for pk, phone in rows:
            if crypto.is_ciphertext(phone):
                continue
            index = crypto.blind_index(core.fields.normalize_phone(phone))
            cursor.execute(
                f"UPDATE {schema_editor.quote_name(table)} SET phone = %s, phone_index = %s WHERE id = %s",
                [crypto.encrypt(phone), index, pk],
            )


def decrypt_phones(apps, schema_editor):
    table = apps.get_model("accounts", "User")._meta.db_table
    rows = _rows(schema_editor, table, "SELECT id, phone FROM {table} WHERE phone IS NOT NULL AND phone <> ''")
    with schema_editor.connection.cursor() as cursor:
        for pk, phone in rows:
            if crypto.is_ciphertext(phone):
                cursor.execute(
                    f"UPDATE {schema_editor.quote_name(table)} SET phone = %s WHERE id = %s", [crypto.decrypt(phone), pk]
                )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_index",
            field=core.fields.BlindIndexField(normalize=core.fields.normalize_phone, source="phone", unique=True),
        ),
        migrations.AddField(
            model_name="user",
            name="id_number",
            field=core.fields.EncryptedCharField(
                blank=True,
                mask=core.masking.id_number,
                max_length=18,
                null=True,
                validators=[core.fields.validate_id_number],
                verbose_name="ID card number",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="id_number_index",
            field=core.fields.BlindIndexField(normalize=core.fields.normalize_id_number, source="id_number", unique=True),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=core.fields.EncryptedCharField(
                blank=True,
                mask=core.masking.phone,
                max_length=11,
                null=True,
                validators=[
                    django.core.validators.RegexValidator("^1\\d{10}$", "Enter an 11-digit mobile number starting with 1.")
                ],
                verbose_name="mobile phone",
            ),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones),
    ]
