"""The audit chain: entries altered, inserted or deleted by hand in the database are detected; the
trail is archived and pruned without breaking the chain; the auditor sees and reruns the check."""

import datetime
import io
import json
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import chain, log, retention
from audit.models import AuditAction, AuditAnchor, AuditEntry
from core import crypto

pytestmark = pytest.mark.django_db
TABLE = "audit_auditentry"


def write(count, summary="event"):
    return [log.write(AuditAction.EXPORT, object_type="accounts.user", summary=f"{summary} {n}") for n in range(count)]


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ids():
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


def kinds(report):
    return [(finding.entry_id, finding.kind) for finding in report.findings]


def test_entries_are_chained_with_consecutive_ids_and_verify():
    entries = write(5)
    assert [entry.id for entry in entries] == list(range(entries[0].id, entries[0].id + 5))
    stored = list(AuditEntry.objects.order_by("id"))
    assert stored[0].prev_hash == "" and all(b.prev_hash == a.hash for a, b in zip(stored, stored[1:]))
    assert all(entry.hash == chain.entry_hash(entry) for entry in stored)
    report = chain.verify()
    assert report.ok and report.entries == 5 and report.last_id == stored[-1].id


def test_a_row_altered_by_hand_is_detected_at_that_entry():
    entries = write(6)
    target = entries[3].id
    raw(f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["nothing happened", target])
    report = chain.verify()
    assert kinds(report) == [(target, "altered")] and report.first_broken == target
    assert str(target) in report.findings[0].message


def test_the_daily_job_records_a_check_that_names_the_altered_entry():
    from core.schedule import daily_jobs

    entries = write(4)
    raw(f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["nothing happened", entries[1].id])
    daily_jobs()["audit.verify_chain"](datetime.date.today())
    check = chain.last_check()
    assert not check.ok and check.first_broken_id == entries[1].id and check.entries == 4


def test_an_altered_row_with_a_recomputed_plain_hash_is_still_detected():
    entries = write(4)
    target = entries[1].id
    forged = crypto.sm3_hex(b"forged")  # without the audit key, the attacker can only guess
    raw(f"UPDATE {TABLE} SET summary = %s, hash = %s WHERE id = %s", ["x", forged, target])
    assert kinds(chain.verify()) == [(target, "altered")]


def test_a_deleted_row_is_detected_with_the_missing_ids():
    entries = write(5)
    gone = entries[2].id
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [gone])
    report = chain.verify()
    assert kinds(report) == [(gone + 1, "deleted")]
    assert (report.findings[0].first_missing, report.findings[0].last_missing) == (gone, gone)


def test_an_inserted_row_is_detected():
    entries = write(3)
    last = entries[-1]
    raw(
        f"INSERT INTO {TABLE} (id, timestamp, actor_name, source, request_id, action, object_type, object_id, "
        "object_repr, summary, prev_hash, hash) VALUES (%s, %s, '', '', '', 'delete', 'accounts.user', '1', '', "
        "'cleaned up', %s, %s)",
        [last.id + 1, timezone.now(), last.hash, "0" * 64],
    )
    report = chain.verify()
    assert kinds(report) == [(last.id + 1, "altered")]
    assert not report.ok


def test_an_entry_slipped_into_a_gap_is_reported_as_inserted(monkeypatch):
    entries = write(2)
    # Entries chained before the chain existed may have gaps in their ids (rolled-back sequences).
    end = chain.chain_end()
    monkeypatch.setattr(chain, "chain_end", lambda using=None: (end[0] + 1, end[1]))
    after_gap = write(1)[0]
    monkeypatch.undo()
    assert after_gap.id == entries[-1].id + 2 and chain.verify().ok
    raw(
        f"INSERT INTO {TABLE} (id, timestamp, actor_name, source, request_id, action, object_type, object_id, "
        "object_repr, summary, prev_hash, hash) VALUES (%s, %s, '', '', '', 'login', '', '', '', '', %s, %s)",
        [entries[-1].id + 1, timezone.now(), entries[-1].hash, "1" * 64],
    )
    assert kinds(chain.verify()) == [(entries[-1].id + 1, "inserted")]


def test_rows_cut_off_the_end_are_detected_against_the_last_check():
    entries = write(4)
    assert chain.verify(record=True).ok
    raw(f"DELETE FROM {TABLE} WHERE id >= %s", [entries[2].id])
    report = chain.verify()
    assert kinds(report) == [(entries[3].id, "truncated")]


def test_rows_cut_off_the_start_are_detected():
    entries = write(4)
    raw(f"DELETE FROM {TABLE} WHERE id <= %s", [entries[1].id])
    assert kinds(chain.verify()) == [(entries[2].id, "deleted")]


def test_the_verification_command_exits_1_and_names_the_entry():
    entries = write(3)
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "3" in out.getvalue()
    raw(f"UPDATE {TABLE} SET actor_name = %s WHERE id = %s", ["someone else", entries[1].id])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_audit_chain", stdout=io.StringIO(), stderr=err)
    assert exited.value.code == 1 and str(entries[1].id) in err.getvalue()


def test_export_writes_json_lines_and_their_sm3(tmp_path):
    write(3)
    out = tmp_path / "audit.jsonl"
    call_command("export_audit", "--before", str(timezone.localdate() + datetime.timedelta(days=1)), "--out", str(out), stdout=io.StringIO())
    lines = out.read_bytes().splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["id"] for record in records] == ids() and all(record["hash"] for record in records)
    digest, name = Path(f"{out}.sm3").read_text().split()
    assert name == "audit.jsonl" and digest == crypto.sm3_hex(out.read_bytes())
    with pytest.raises(CommandError):
        call_command("export_audit", "--before", "yesterday", "--out", str(out))


def _written_at(monkeypatch, days_ago, count, summary):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    entries = write(count, summary)
    monkeypatch.undo()
    return entries


def test_pruning_refuses_entries_younger_than_180_days_even_if_configured_lower(settings, tmp_path, monkeypatch):
    _written_at(monkeypatch, 100, 3, "old")
    settings.MOFAN_AUDIT_RETENTION_DAYS = 30
    err = io.StringIO()
    before = str(timezone.localdate() - datetime.timedelta(days=90))
    with pytest.raises(CommandError):
        call_command("prune_audit", "--before", before, "--out", str(tmp_path / "a.jsonl"), stderr=err)
    assert "180" in err.getvalue()
    assert retention.retention_days() == 180
    assert AuditEntry.objects.count() == 3 and not AuditAnchor.objects.exists()


def test_pruning_archives_old_entries_and_keeps_the_chain_verifiable(tmp_path, monkeypatch):
    old = _written_at(monkeypatch, 400, 3, "old")
    kept = _written_at(monkeypatch, 10, 2, "recent")
    out = tmp_path / "pruned.jsonl"
    call_command("prune_audit", "--out", str(out), stdout=io.StringIO())
    assert ids() == [entry.id for entry in kept]
    anchor = AuditAnchor.objects.get()
    assert (anchor.last_id, anchor.last_hash, anchor.pruned) == (old[-1].id, old[-1].hash, 3)
    assert anchor.archive_sm3 == crypto.sm3_hex(out.read_bytes()) and len(out.read_bytes().splitlines()) == 3
    assert chain.verify().ok
    newer = write(1)[0]
    assert newer.id == kept[-1].id + 1 and chain.verify().ok
    # The anchored start is checked too: deleting the first kept entry is still found.
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [kept[0].id])
    assert kinds(chain.verify()) == [(kept[1].id, "deleted")]


def test_pruning_everything_old_leaves_a_chain_that_continues_from_the_anchor(tmp_path, monkeypatch):
    old = _written_at(monkeypatch, 400, 2, "old")
    retention.prune(timezone.localdate() - datetime.timedelta(days=200), tmp_path / "all.jsonl")
    assert not AuditEntry.objects.exists()
    first = write(1)[0]
    assert (first.id, first.prev_hash) == (old[-1].id + 1, old[-1].hash) and chain.verify().ok


def test_a_broken_chain_is_not_pruned(tmp_path, monkeypatch):
    old = _written_at(monkeypatch, 400, 3, "old")
    raw(f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s", [old[0].id])
    with pytest.raises(retention.RetentionError):
        retention.prune(timezone.localdate() - datetime.timedelta(days=200), tmp_path / "x.jsonl")
    assert AuditEntry.objects.count() == 3


def _client(person, settings):
    settings.MOFAN_2FA_REQUIRED = "none"  # the second factor is tested in security/
    client = Client()
    client.force_login(person)
    return client


def test_the_auditor_sees_the_chain_status_and_runs_the_check(agency_tree, settings):
    client = _client(agency_tree["auditor"], settings)
    page = client.get(reverse("audit:list")).content.decode()
    assert 'data-testid="chain-status"' in page and 'data-chain="' not in page
    assert client.get(reverse("audit:verify")).status_code == 405
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 302
    assert 'data-chain="ok"' in client.get(reverse("audit:list")).content.decode()
    victim = AuditEntry.objects.order_by("id")[2]
    raw(f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s", [victim.id])
    client.post(reverse("audit:verify"))
    page = client.get(reverse("audit:list")).content.decode()
    assert 'data-chain="broken"' in page and f"{victim.id}" in page.split('data-testid="chain-findings"')[1][:400]


def test_only_auditors_run_the_check(agency_tree, settings):
    response = _client(agency_tree["staff_a"], settings).post(reverse("audit:verify"))
    assert response.status_code == 403
    assert not chain.ChainCheck.objects.exists()


# --- PostgreSQL ----------------------------------------------------------------------------------

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="grants and locks are PostgreSQL's")


@needs_postgresql
def test_the_application_role_can_write_but_not_change_or_delete_entries():
    """The grants of docs/security.md, on a throwaway role inside the test transaction."""
    write(2)
    raw("CREATE ROLE mofan_test_app NOLOGIN")
    raw(f"GRANT SELECT, INSERT ON {TABLE}, audit_auditanchor, audit_chaincheck TO mofan_test_app")
    raw(f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM mofan_test_app")
    raw("SET ROLE mofan_test_app")
    try:
        write(1, "as the application")
        for statement in (f"UPDATE {TABLE} SET summary = 'x'", f"DELETE FROM {TABLE}", f"TRUNCATE {TABLE}"):
            with pytest.raises(DatabaseError, match="permission denied"):
                with transaction.atomic():
                    raw(statement)
    finally:
        raw("RESET ROLE")
    assert chain.verify().ok and AuditEntry.objects.count() == 3


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    def writer(number):
        try:
            for n in range(15):
                with transaction.atomic():
                    log.write(AuditAction.EXPORT, object_type="accounts.user", summary=f"writer {number} {n}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = chain.verify()
    assert report.ok and report.entries == AuditEntry.objects.count() >= 60
