"""manage.py backup / restore: a backup restored into an emptied installation gives back every record
and file unchanged; a tampered archive or a non-empty database is refused and nothing is restored."""

import datetime
import hashlib
import io
import json
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from accounts.roles import Role
from audit import chain
from audit.models import AuditEntry
from core.backup import FORMAT_NAME, BackupError, _register_format, raw_ciphertext, restore
from evidence import actions as evidence_actions
from evidence.models import Blob
from mofan.testing.factories import make_person, make_unit
from organization.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n% backup\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def installation(media):
    """Units, people (encrypted phone numbers), an evidence file and the audit trail they leave."""
    agency = make_unit()
    dept = make_unit(agency)
    clerk = make_person(dept, phone="13912345678", roles=[(Role.RECORDS_CLERK, dept)])
    make_person(agency)
    evidence_actions.upload_document(
        clerk, unit=dept, file=SimpleUploadedFile("学习记录.pdf", PDF), name="学习记录.pdf", period=datetime.date(2026, 5, 7)
    )
    return clerk


def dump():
    """Every record as stored (ciphertext kept), for comparison."""
    out = io.StringIO()
    _register_format()  # times to the microsecond, unlike Django's JSON
    with raw_ciphertext():
        call_command("dumpdata", format=FORMAT_NAME, exclude=["contenttypes", "sessions", "auth.permission"], stdout=out)
    return sorted(json.loads(out.getvalue()), key=lambda row: (row["model"], str(row["pk"])))


def files(root):
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in root.rglob("*") if path.is_file()}


def empty(media):
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def backup_to(tmp_path):
    out = io.StringIO()
    call_command("backup", out=str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("mofan-backup-*.tar.gz")
    return archive


def test_restore_gives_back_every_record_and_file(installation, media, tmp_path):
    archive = backup_to(tmp_path)
    records, stored = dump(), files(media)
    assert Blob.objects.count() == 1 and len(stored) == 1
    last_entry = AuditEntry.objects.order_by("-id").first().id
    empty(media)
    assert not User.objects.exists() and files(media) == {}

    call_command("restore", str(archive), stdout=io.StringIO())

    # The restore itself is audited: one entry at the end of the chain, after everything restored.
    assert AuditEntry.objects.filter(id__gt=last_entry).count() == 1
    after = [row for row in dump() if not (row["model"] == "audit.auditentry" and row["pk"] > last_entry)]
    assert after == records
    assert files(media) == stored
    assert chain.verify().ok
    clerk = User.objects.get(pk=installation.pk)
    assert clerk.phone == "13912345678"


def test_archive_never_holds_clear_phone_numbers(installation, tmp_path):
    archive = backup_to(tmp_path)
    with tarfile.open(archive) as opened:
        data = opened.extractfile("data/db.json").read().decode()
        manifest = json.loads(opened.extractfile("manifest.json").read())
    assert "13912345678" not in data
    assert {"data/db.json"} < {entry["path"] for entry in manifest["files"]}
    assert manifest["migrations"]["audit"].startswith("0")


def tampered(archive, tmp_path):
    """The same archive with one byte of the stored evidence file changed (manifest untouched)."""
    bad = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(bad, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]
            target.addfile(member, io.BytesIO(data))
    return bad


def test_tampered_archive_is_refused_and_nothing_restored(installation, media, tmp_path):
    bad = tampered(backup_to(tmp_path), tmp_path)
    empty(media)
    with pytest.raises(CommandError, match="media/blobs/"):
        call_command("restore", str(bad), stdout=io.StringIO())
    assert not User.objects.exists() and not Unit.objects.exists() and not AuditEntry.objects.exists()
    assert files(media) == {}


def test_tampered_database_dump_is_refused(installation, media, tmp_path):
    archive = backup_to(tmp_path)
    bad = tmp_path / "bad-dump.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(bad, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "data/db.json":
                data = data.replace(b"13", b"14", 1)
            target.addfile(member, io.BytesIO(data))
    empty(media)
    with pytest.raises(BackupError, match="data/db.json"):
        restore(bad)
    assert not Unit.objects.exists()


def test_restore_into_a_non_empty_database_is_refused(installation, media, tmp_path):
    archive = backup_to(tmp_path)
    records = dump()
    with pytest.raises(CommandError):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert dump() == records


def test_restore_refuses_another_migration_state(installation, media, tmp_path):
    archive = backup_to(tmp_path)
    bad = tmp_path / "other-version.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(bad, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"]["audit"] = "9999_future"
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    empty(media)
    with pytest.raises(BackupError):
        restore(bad)
    assert not User.objects.exists() and files(media) == {}
