import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from evidence import actions
from evidence.models import Blob, Document, DocumentVersion

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 7)


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def upload(person, unit, content, name="学习记录.pdf", **extra):
    return actions.upload_document(
        person, unit=unit, file=SimpleUploadedFile(name, content), name=name, period=DAY, **extra
    )


def test_staff_uploads_through_the_page_and_sees_it_in_the_ledger(agency_tree, pdf_bytes):
    t = agency_tree
    client = client_for(t["staff_b"])
    response = client.post(
        reverse("evidence:upload") + f"?unit={t['dept_b'].pk}",
        {"unit": t["dept_b"].pk, "files": SimpleUploadedFile("三会一课记录.pdf", pdf_bytes()), "folder": "组织过硬 / 三会一课",
         "period": "2026-05-07", "period_precision": "month"},
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert (document.title, document.folder, document.period) == ("三会一课记录", "组织过硬/三会一课", datetime.date(2026, 5, 1))
    page = client.get(reverse("evidence:ledger"), {"unit": t["dept_b"].pk, "year": 2026}).content.decode()
    assert "三会一课记录" in page and "组织过硬/三会一课" in page


def test_same_bytes_twice_in_a_unit_are_stored_once_and_the_user_is_told(agency_tree, pdf_bytes):
    t = agency_tree
    client = client_for(t["staff_b"])
    data = {"unit": t["dept_b"].pk, "period": "2026-05-07", "period_precision": "day"}
    client.post(reverse("evidence:upload"), {**data, "files": SimpleUploadedFile("a.pdf", pdf_bytes())})
    response = client.post(reverse("evidence:upload"), {**data, "files": SimpleUploadedFile("copy.pdf", pdf_bytes())}, follow=True)
    assert Document.objects.count() == DocumentVersion.objects.count() == Blob.objects.count() == 1
    assert "已在本单位台账中" in response.content.decode()


def test_same_bytes_in_two_units_are_two_documents_over_one_stored_file(agency_tree, pdf_bytes):
    t = agency_tree
    upload(t["staff_a"], t["dept_a"], pdf_bytes())
    upload(t["staff_b"], t["dept_b"], pdf_bytes())
    assert Document.objects.count() == 2 and Blob.objects.count() == 1


def test_a_renamed_program_is_refused_and_nothing_is_stored(agency_tree, media_root):
    t = agency_tree
    response = client_for(t["staff_b"]).post(
        reverse("evidence:upload"),
        {"unit": t["dept_b"].pk, "files": SimpleUploadedFile("报告.pdf", b"MZ\x90\x00" + b"\x00" * 200),
         "period": "2026-05-07", "period_precision": "day"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Document.objects.exists() and not Blob.objects.exists()
    assert not any(media_root.rglob("*")) if media_root.exists() else True


def test_another_departments_document_and_file_are_404(agency_tree, pdf_bytes):
    t = agency_tree
    result = upload(t["staff_b"], t["dept_b"], pdf_bytes())
    stranger = client_for(t["staff_a"])
    assert stranger.get(result.document.get_absolute_url()).status_code == 404
    assert stranger.get(reverse("evidence:download", args=[result.version.pk])).status_code == 404
    assert stranger.get(reverse("evidence:ledger"), {"unit": t["dept_b"].pk}).status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()


def test_download_streams_the_bytes_and_is_audited(agency_tree, pdf_bytes):
    t = agency_tree
    result = upload(t["staff_b"], t["dept_b"], pdf_bytes("下载"))
    response = client_for(t["office"]).get(reverse("evidence:download", args=[result.version.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes("下载")
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="download")
    assert entry.actor == t["office"] and entry.object_id == str(result.document.pk)


def test_pdf_previews_inline_in_the_page(agency_tree, pdf_bytes):
    t = agency_tree
    result = upload(t["staff_b"], t["dept_b"], pdf_bytes())
    client = client_for(t["staff_b"])
    assert 'data-testid="preview"' in client.get(result.document.get_absolute_url()).content.decode()
    response = client.get(reverse("evidence:preview", args=[result.version.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"] and response["X-Frame-Options"] == "SAMEORIGIN"


def test_new_version_keeps_the_old_one_readable(agency_tree, pdf_bytes):
    t = agency_tree
    result = upload(t["staff_b"], t["dept_b"], pdf_bytes("v1"))
    client = client_for(t["staff_b"])
    client.post(reverse("evidence:new_version", args=[result.document.pk]), {"file": SimpleUploadedFile("v2.pdf", pdf_bytes("v2"))})
    document = Document.objects.get()
    assert document.version_count == 2 and document.current.number == 2
    old = client.get(reverse("evidence:download", args=[result.version.pk]))
    assert b"".join(old.streaming_content) == pdf_bytes("v1")


def test_unlinking_keeps_the_document_and_its_file(agency_tree, pdf_bytes):
    from organization import actions as org_actions

    t = agency_tree
    group = org_actions.save_leading_group(None, t["agency"], name="领导小组")
    result = upload(t["office"], t["agency"], pdf_bytes())
    client = client_for(t["office"])
    client.post(reverse("evidence:link", args=[result.document.pk]), {"target": f"organization.leadinggroup:{group.pk}"})
    link = result.document.links.get()
    assert link.target == group
    client.post(reverse("evidence:unlink", args=[link.pk]))
    assert not result.document.links.exists()
    assert DocumentVersion.objects.filter(pk=result.version.pk).exists()
    assert client.get(reverse("evidence:download", args=[result.version.pk])).status_code == 200


def test_ledger_query_count_does_not_grow_with_documents(agency_tree, pdf_bytes):
    t = agency_tree
    client = client_for(t["office"])
    upload(t["office"], t["agency"], pdf_bytes("0"), folder="甲")
    url = reverse("evidence:ledger")
    with CaptureQueriesContext(connection) as first:
        client.get(url, {"unit": t["agency"].pk, "year": 2026})
    for number in range(1, 25):
        upload(t["office"], t["agency"], pdf_bytes(str(number)), folder=f"夹{number % 4}")
    with CaptureQueriesContext(connection) as second:
        client.get(url, {"unit": t["agency"].pk, "year": 2026})
    assert len(second) == len(first)


def test_a_document_title_is_called_a_title_not_a_leading_group_title(agency_tree, pdf_bytes):
    # "Title" means 职务 in a leading group; a document's title (标题) has its own translation context.
    t = agency_tree
    upload(t["staff_b"], t["dept_b"], pdf_bytes())
    client = client_for(t["staff_b"])
    form = client.get(reverse("evidence:upload"), {"unit": t["dept_b"].pk}).content.decode()
    ledger = client.get(reverse("evidence:ledger"), {"unit": t["dept_b"].pk, "year": 2026}).content.decode()
    assert ">标题<" in ledger and "标题" in form
    assert "职务" not in form and "职务" not in ledger
