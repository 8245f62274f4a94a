"""verify_evidence_files rehashes every stored file and reports those whose bytes changed or vanished."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.roles import Role
from evidence import actions
from mofan.testing.factories import make_person

pytestmark = pytest.mark.django_db


def stored(agency_tree, content, name):
    clerk = make_person(agency_tree["dept_b"], roles=[(Role.RECORDS_CLERK, agency_tree["dept_b"])])
    result = actions.upload_document(
        clerk, unit=agency_tree["dept_b"], file=SimpleUploadedFile(name, content), name=name, period=datetime.date(2026, 5, 7)
    )
    return result.version.blob


def run():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_evidence_files", stdout=out, stderr=err)
    except SystemExit as exited:
        return exited.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_intact_files_pass(agency_tree, pdf_bytes):
    stored(agency_tree, pdf_bytes("一"), "学习记录.pdf")
    code, output = run()
    assert code == 0 and "1" in output


def test_a_file_altered_on_disk_is_reported(agency_tree, pdf_bytes, media_root):
    intact = stored(agency_tree, pdf_bytes("一"), "学习记录.pdf")
    altered = stored(agency_tree, pdf_bytes("二"), "会议纪要.pdf")
    path = Path(media_root) / altered.file.name
    path.write_bytes(path.read_bytes().replace("二".encode(), "三".encode()))
    code, output = run()
    assert code == 1 and altered.sha256 in output and altered.file.name in output
    assert intact.sha256 not in output


def test_a_missing_file_is_reported(agency_tree, pdf_bytes, media_root):
    blob = stored(agency_tree, pdf_bytes("一"), "学习记录.pdf")
    (Path(media_root) / blob.file.name).unlink()
    code, output = run()
    assert code == 1 and blob.sha256 in output


def test_a_file_altered_on_disk_is_not_served_and_the_refusal_is_audited(client, agency_tree, pdf_bytes, media_root):
    from django.urls import reverse

    from audit.models import AuditEntry
    from evidence.models import DocumentVersion

    blob = stored(agency_tree, pdf_bytes("一"), "学习记录.pdf")
    version = DocumentVersion.objects.get(blob=blob)
    client.force_login(agency_tree["office"])
    url = reverse("evidence:download", args=[version.pk])
    assert client.get(url).status_code == 200
    path = Path(media_root) / blob.file.name
    path.write_bytes(path.read_bytes().replace("一".encode(), "二".encode()))
    response = client.get(url)
    assert response.status_code == 409 and b"%PDF" not in response.content
    assert 'data-testid="file-altered"' in response.content.decode()
    assert AuditEntry.objects.filter(action="file_altered", actor=agency_tree["office"]).count() == 1
