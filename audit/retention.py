"""Keeping, archiving and pruning the audit trail.

Entries are kept at least MOFAN_AUDIT_RETENTION_DAYS days (default 180; a smaller value is raised to
180 with a warning). Pruning removes the oldest part of the chain only after archiving it (JSON
lines and the file's SM3) and leaves an anchor with the hash of the last entry removed, so what
remains still verifies. On PostgreSQL the application role cannot delete entries: pruning runs as
the owner role (docs/security.md).
"""

import datetime
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto

from . import chain
from .models import AuditAnchor, AuditEntry

MIN_RETENTION_DAYS = 180
logger = logging.getLogger(__name__)


class RetentionError(Exception):
    """Pruning refused; the message says why."""


def retention_days(warn=None) -> int:
    """The configured retention, never less than 180 days."""
    value = getattr(settings, "MOFAN_AUDIT_RETENTION_DAYS", None)
    if value in (None, ""):
        value = os.environ.get("MOFAN_AUDIT_RETENTION_DAYS") or MIN_RETENTION_DAYS
    days = int(value)
    if days < MIN_RETENTION_DAYS:
        message = _("MOFAN_AUDIT_RETENTION_DAYS is %(days)s; audit entries are kept at least %(min)s days, so %(min)s is used.") % {
            "days": days,
            "min": MIN_RETENTION_DAYS,
        }
        logger.warning(message)
        if warn:
            warn(message)
        days = MIN_RETENTION_DAYS
    return days


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day``, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone())


def _current_anchor(using):
    return AuditAnchor.objects.using(using).order_by("-last_id").first()


def _chain_entries(using):
    entries = AuditEntry.objects.using(using).order_by("id")
    anchor = _current_anchor(using)
    return entries.filter(id__gt=anchor.last_id) if anchor else entries


def write_archive(entries, out) -> tuple[int, str]:
    """Writes the entries as JSON lines with their hashes, and ``<out>.sm3``; returns (count, SM3 hex)."""
    path = Path(out)
    digest, count = crypto.SM3File(), 0
    with path.open("wb") as archive:
        for entry in entries.iterator(chunk_size=2000):
            record = {**chain.content(entry), "hash": entry.hash}
            line = (json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            archive.write(line)
            digest.update(line)
            count += 1
    hexdigest = digest.hexdigest()
    Path(f"{path}.sm3").write_text(f"{hexdigest}  {path.name}\n", encoding="utf-8")
    return count, hexdigest


def export(before: datetime.date, out, using=None) -> tuple[int, str]:
    """Archives every entry of the chain written before the start of ``before``."""
    using = using or router.db_for_read(AuditEntry)
    return write_archive(_chain_entries(using).filter(timestamp__lt=start_of(before)), out)


def prune(before: datetime.date, out, *, using=None, warn=None) -> AuditAnchor | None:
    """Archives, then deletes, the entries written before ``before``; refuses entries younger than the retention."""
    using = using or router.db_for_write(AuditEntry)
    days = retention_days(warn)
    cutoff = start_of(before)
    if cutoff > timezone.now() - datetime.timedelta(days=days):
        raise RetentionError(
            _("Entries are kept %(days)s days: nothing written after %(date)s may be pruned.")
            % {"days": days, "date": timezone.localdate() - datetime.timedelta(days=days)}
        )
    report = chain.verify(using)
    if not report.ok:
        raise RetentionError(
            _("The audit chain does not verify (first broken entry: %(id)s); nothing is pruned.") % {"id": report.first_broken}
        )
    entries = _chain_entries(using)
    first_kept = entries.filter(timestamp__gte=cutoff).values_list("id", flat=True).first()
    prunable = entries.filter(id__lt=first_kept) if first_kept is not None else entries
    last = prunable.order_by("-id").first()
    if last is None:
        return None
    with transaction.atomic(using=using):
        count, digest = write_archive(prunable.filter(id__lte=last.id), out)
        anchor = AuditAnchor.objects.using(using).create(
            last_id=last.id,
            last_hash=last.hash,
            last_timestamp=last.timestamp,
            pruned=count,
            archive=str(out)[:255],
            archive_sm3=digest,
        )
        # The queryset refuses deletes on purpose; pruning is the one sanctioned way.
        AuditEntry.objects.using(using).filter(id__lte=last.id)._raw_delete(using)
    return anchor
