"""The hash chain of the audit trail.

Every entry carries ``hash`` = HMAC-SM3(audit key, canonical content + ``prev_hash``), where
``prev_hash`` is the hash of the entry before it (empty for the first entry ever, the anchor's hash
after pruning). Entries get consecutive ids under a lock, so writers never fork the chain: on
PostgreSQL a transaction-level advisory lock, on SQLite the write transaction itself (the database
runs BEGIN IMMEDIATE, one writer at a time).

``verify()`` walks the chain and reports every entry changed, inserted or deleted by hand.
"""

import datetime
import ipaddress
import json
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import crypto

from .models import AuditAnchor, AuditEntry, ChainCheck

# pg_advisory_xact_lock key: "MOFAN-AU" as a 64-bit number.
LOCK_KEY = 0x4D4F46414E2D4155 & 0x7FFFFFFFFFFFFFFF
CONTENT_FIELDS = (
    "id", "timestamp", "actor_id", "actor_name", "ip", "source", "request_id", "action", "object_type",
    "object_id", "object_repr", "unit_id", "summary", "before", "after", "prev_hash",
)


# --- Hashing --------------------------------------------------------------------------------------


def _json_value(value):
    # What the JSON column gives back: tuples become lists, keys become strings.
    return None if value is None else json.loads(json.dumps(value))


def content(entry) -> dict:
    """The hashed fields of an entry, as they read back from any database."""
    data = {name: getattr(entry, name) for name in CONTENT_FIELDS}
    stamp = data["timestamp"]
    data["timestamp"] = stamp.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds") if stamp else None
    data["ip"] = str(ipaddress.ip_address(data["ip"])) if data["ip"] else None
    data["before"] = _json_value(data["before"])
    data["after"] = _json_value(data["after"])
    return data


def canonical(entry) -> bytes:
    return json.dumps(content(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry, key: bytes | None = None) -> str:
    return crypto.hmac_sm3_hex(key or crypto.audit_keys()[0], canonical(entry))


def _authentic(entry, keys) -> bool:
    message = canonical(entry)
    return any(crypto.hmac_sm3_hex(key, message) == entry.hash for key in keys)


# --- Writing ------------------------------------------------------------------------------------


def _lock(using):
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def chain_end(using=None):
    """(id, hash) of the newest entry, or of the anchor when everything before was pruned, or (0, "")."""
    using = using or router.db_for_read(AuditEntry)
    last = AuditEntry.objects.using(using).order_by("-id").values_list("id", "hash").first()
    if last is not None:
        return last
    anchor = AuditAnchor.objects.using(using).order_by("-last_id").first()
    return (anchor.last_id, anchor.last_hash) if anchor else (0, "")


def append(entry, using=None):
    """Inserts ``entry`` at the end of the chain: the next id, the time, and both hashes."""
    using = using or router.db_for_write(AuditEntry)
    # No savepoint: a failed insert fails the caller's transaction anyway.
    with transaction.atomic(using=using, savepoint=False):
        _lock(using)
        last_id, last_hash = chain_end(using)
        entry.id = last_id + 1
        entry.timestamp = timezone.now()
        entry.prev_hash = last_hash
        entry.hash = entry_hash(entry)
        entry.insert_chained(using)
    return entry


# --- Verifying ------------------------------------------------------------------------------------


@dataclass
class Finding:
    entry_id: int | None
    kind: str  # altered, inserted, deleted, truncated
    first_missing: int | None = None
    last_missing: int | None = None

    @property
    def message(self) -> str:
        if self.kind == "inserted":
            return _("Entry %(id)s was inserted: it does not verify and the entries around it link past it.") % {"id": self.entry_id}
        if self.kind == "altered":
            return _("Entry %(id)s does not verify: it was changed, or written outside the application.") % {"id": self.entry_id}
        if self.kind == "deleted" and self.first_missing is not None:
            return _("Entries %(first)s to %(last)s before entry %(id)s were deleted.") % {
                "first": self.first_missing, "last": self.last_missing, "id": self.entry_id,
            }
        if self.kind == "deleted":
            return _("The link before entry %(id)s is broken: entries before it were deleted or replaced.") % {"id": self.entry_id}
        return _("Entry %(id)s, present at the last verification, is missing or changed: the end of the trail was cut off.") % {
            "id": self.entry_id
        }

    def as_dict(self):
        return {"entry": self.entry_id, "kind": self.kind, "first_missing": self.first_missing, "last_missing": self.last_missing}

    @classmethod
    def from_dict(cls, data):
        return cls(data.get("entry"), data.get("kind", ""), data.get("first_missing"), data.get("last_missing"))


@dataclass
class Report:
    entries: int = 0
    last_id: int | None = None
    last_hash: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def problems(self):
        return self.findings

    @property
    def first_broken(self) -> int | None:
        ids = [finding.entry_id for finding in self.findings if finding.entry_id is not None]
        return min(ids) if ids else None


@dataclass
class _Row:
    id: int | None
    prev_hash: str
    hash: str
    authentic: bool


def _rows(queryset, keys):
    for entry in queryset.iterator(chunk_size=2000):
        yield _Row(entry.id, entry.prev_hash, entry.hash, _authentic(entry, keys))


def _walk(rows, start: _Row, report: Report):
    previous, previous_flagged = start, False
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        report.entries += 1
        if not current.authentic:
            if following is not None and following.authentic and following.prev_hash == previous.hash:
                # The chain goes on past this row as if it were not there.
                report.findings.append(Finding(current.id, "inserted"))
                current = following
                continue
            report.findings.append(Finding(current.id, "altered"))
            previous_flagged = current.prev_hash == previous.hash and current.hash != ""
        elif current.prev_hash != previous.hash and not previous_flagged:
            gap = previous.id is not None and current.id > previous.id + 1
            report.findings.append(
                Finding(current.id, "deleted", previous.id + 1 if gap else None, current.id - 1 if gap else None)
            )
            previous_flagged = False
        else:
            previous_flagged = False
        previous, current = current, following
    if previous is not start:
        report.last_id, report.last_hash = previous.id, previous.hash


def _check_tail(report: Report, anchor, using):
    """Rows cut off the end leave no broken link: compare with the end seen at the last clean check."""
    last = ChainCheck.objects.using(using).filter(ok=True, last_id__isnull=False).order_by("-checked_at", "-id").first()
    if last is None or (anchor is not None and last.last_id <= anchor.last_id):
        return
    stored = AuditEntry.objects.using(using).filter(id=last.last_id).values_list("hash", flat=True).first()
    if stored != last.last_hash and not any(finding.entry_id == last.last_id for finding in report.findings):
        report.findings.append(Finding(last.last_id, "truncated"))


def verify(using=None, *, record=False, checked_by="") -> Report:
    """Walks the whole chain; ``record`` keeps the result for the audit page and the next check."""
    using = using or router.db_for_read(AuditEntry)
    keys = crypto.audit_keys()
    anchor = AuditAnchor.objects.using(using).order_by("-last_id").first()
    entries = AuditEntry.objects.using(using).order_by("id")
    start = _Row(None, "", "", True)
    if anchor is not None:
        entries = entries.filter(id__gt=anchor.last_id)
        start = _Row(anchor.last_id, "", anchor.last_hash, True)
    report = Report()
    _walk(_rows(entries, keys), start, report)
    _check_tail(report, anchor, using)
    report.findings.sort(key=lambda finding: finding.entry_id or 0)
    if record:
        ChainCheck.objects.using(using).create(
            ok=report.ok,
            entries=report.entries,
            last_id=report.last_id,
            last_hash=report.last_hash,
            first_broken_id=report.first_broken,
            findings=[finding.as_dict() for finding in report.findings],
            checked_by=checked_by[:150],
        )
    return report


def last_check():
    return ChainCheck.objects.order_by("-checked_at", "-id").first()
