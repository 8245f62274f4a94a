"""The audit chain: prev_hash and hash on every entry, anchors for pruning, kept verification results.

Existing entries are chained in id order; phone numbers they recorded in clear are masked first.
"""

import django.utils.timezone
from django.db import migrations, models

from core import crypto, masking

_PERSONAL = {"accounts.user": {"phone": masking.phone}, "problems.feedback": {"contact_phone": masking.phone}}


def _masked(values, masks):
    if not isinstance(values, dict):
        return values
    cleaned = dict(values)
    for key, mask in masks.items():
        value = cleaned.get(key)
        if isinstance(value, str) and value and "*" not in value:
            cleaned[key] = f"{mask(value)} #{crypto.blind_index(value)[:6]}"
    return cleaned


def chain_existing(apps, schema_editor):
    from audit.chain import entry_hash

    AuditEntry = apps.get_model("audit", "AuditEntry")
    previous, batch = "", []
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        masks = _PERSONAL.get(entry.object_type)
        if masks:
            entry.before, entry.after = _masked(entry.before, masks), _masked(entry.after, masks)
        entry.prev_hash = previous
        entry.hash = previous = entry_hash(entry)
        batch.append(entry)
        if len(batch) >= 500:
            AuditEntry.objects.bulk_update(batch, ["before", "after", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditEntry.objects.bulk_update(batch, ["before", "after", "prev_hash", "hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="time")),
                ("last_id", models.BigIntegerField(verbose_name="last pruned entry")),
                ("last_hash", models.CharField(max_length=64, verbose_name="hash of the last pruned entry")),
                ("last_timestamp", models.DateTimeField(verbose_name="time of the last pruned entry")),
                ("pruned", models.PositiveIntegerField(verbose_name="entries pruned")),
                ("archive", models.CharField(blank=True, max_length=255, verbose_name="archive")),
                ("archive_sm3", models.CharField(blank=True, max_length=64, verbose_name="SM3 of the archive")),
            ],
            options={
                "verbose_name": "audit chain anchor",
                "verbose_name_plural": "audit chain anchors",
                "ordering": ["-last_id"],
            },
        ),
        migrations.CreateModel(
            name="ChainCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("checked_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="checked at")),
                ("ok", models.BooleanField(verbose_name="chain intact")),
                ("entries", models.PositiveIntegerField(verbose_name="entries checked")),
                ("last_id", models.BigIntegerField(blank=True, null=True, verbose_name="last entry")),
                ("last_hash", models.CharField(blank=True, max_length=64, verbose_name="hash of the last entry")),
                ("first_broken_id", models.BigIntegerField(blank=True, null=True, verbose_name="first broken entry")),
                ("findings", models.JSONField(blank=True, default=list, verbose_name="findings")),
                ("checked_by", models.CharField(blank=True, max_length=150, verbose_name="checked by")),
            ],
            options={
                "verbose_name": "audit chain check",
                "verbose_name_plural": "audit chain checks",
                "ordering": ["-checked_at", "-id"],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="hash"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="previous hash"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="timestamp",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
