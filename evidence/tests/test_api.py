import datetime
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import actions as account_actions
from accounts.roles import Role
from audit.models import AuditEntry
from evidence import actions
from evidence.models import Blob, Document, DocumentVersion, Link
from mofan.testing.factories import make_person
from organization import actions as org_actions

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/documents/"
LINKS = "/api/v1/links/"
DAY = datetime.date(2026, 5, 7)
# A Windows program: "MZ", and the PE header where the DOS header points.
EXE = b"MZ\x90\x00" + b"\x00" * 56 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def api(person=None):
    client = APIClient()
    if person is not None:
        client.force_login(person)
    return client


def post_file(client, content, name="学习记录.pdf", **fields):
    data = {"file": SimpleUploadedFile(name, content), "period": "2026-05-07", **fields}
    return client.post(DOCUMENTS, data, format="multipart")


def stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def upload(person, unit, content, name="学习记录.pdf", **extra):
    return actions.upload_document(person, unit=unit, file=SimpleUploadedFile(name, content), name=name, period=DAY, **extra)


@pytest.fixture
def clerk(agency_tree):
    t = agency_tree
    return make_person(t["dept_b"], username="clerk", roles=[(Role.RECORDS_CLERK, t["dept_b"])])


@pytest.fixture
def inspector(agency_tree):
    # A person of the county: the departments of the agency are out of their sight without a grant.
    return make_person(agency_tree["county_dept"], username="inspector")


def open_visit(tree, unit, person, **window):
    """The agency's office lets ``person`` inspect ``unit`` (by default from an hour ago for three hours)."""
    now = timezone.now()
    return actions.create_inspection_visit(
        tree["office"],
        unit=tree["agency"],
        team_name="市委检查组",
        members=[person],
        units=[unit],
        valid_from=window.get("valid_from", now - datetime.timedelta(hours=1)),
        valid_until=window.get("valid_until", now + datetime.timedelta(hours=2)),
    )


# Uploads


def test_clerk_uploads_a_document(agency_tree, clerk, pdf_bytes, media_root):
    t = agency_tree
    content = pdf_bytes()
    response = post_file(
        api(clerk), content, unit=t["dept_b"].pk, title="理论学习记录", folder="政治过硬 / 理论学习", period_precision="month"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["duplicate"] is False
    assert (data["unit"], data["title"], data["folder"], data["period"]) == (
        t["dept_b"].pk,
        "理论学习记录",
        "政治过硬/理论学习",
        "2026-05-01",
    )
    assert data["version_count"] == 1 and len(data["versions"]) == 1
    version = data["versions"][0]
    blob = Blob.objects.get()
    assert (version["number"], version["name"], version["size"], version["sha256"]) == (
        1,
        "学习记录.pdf",
        len(content),
        blob.sha256,
    )
    assert version["content_type"] == "application/pdf" and version["kind"] == "pdf"
    assert version["uploaded_by"] == clerk.pk and version["uploaded_at"]
    assert version["download_url"].endswith(f"/api/v1/versions/{version['id']}/download/")
    assert data["current"]["id"] == version["id"]
    assert [path.read_bytes() for path in stored_files(media_root)] == [content]


def test_same_bytes_twice_answer_with_the_existing_document(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    client = api(clerk)
    first = post_file(client, pdf_bytes(), unit=t["dept_b"].pk)
    second = post_file(client, pdf_bytes(), name="副本.pdf", unit=t["dept_b"].pk, title="另一个标题")
    assert first.status_code == 201
    assert second.status_code == 200, second.content
    assert second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"]
    assert Document.objects.count() == DocumentVersion.objects.count() == Blob.objects.count() == 1


def test_renamed_executable_is_refused_and_nothing_is_stored(agency_tree, clerk, media_root):
    response = post_file(api(clerk), EXE, name="报告.pdf", unit=agency_tree["dept_b"].pk)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "executable" and body["file"]
    assert Blob.objects.count() == Document.objects.count() == DocumentVersion.objects.count() == 0
    assert stored_files(media_root) == []


def test_empty_file_is_refused(agency_tree, clerk, media_root):
    response = post_file(api(clerk), b"", name="空.pdf", unit=agency_tree["dept_b"].pk)
    assert response.status_code == 400
    assert response.json()["file"] and response.json()["code"]
    assert Blob.objects.count() == Document.objects.count() == 0
    assert stored_files(media_root) == []


def test_upload_needs_a_file_and_a_period(agency_tree, clerk):
    response = api(clerk).post(DOCUMENTS, {"unit": agency_tree["dept_b"].pk}, format="multipart")
    assert response.status_code == 400
    assert {"file", "period"} <= set(response.json())


def test_upload_into_a_unit_out_of_sight_is_refused_like_a_missing_one(agency_tree, pdf_bytes):
    t = agency_tree
    response = post_file(api(t["staff_a"]), pdf_bytes(), unit=t["dept_b"].pk)
    assert response.status_code == 400 and "unit" in response.json()
    assert Document.objects.count() == 0


def test_readers_may_not_upload(agency_tree, inspector, pdf_bytes):
    t = agency_tree
    assessor = make_person(t["dept_a"], roles=[(Role.ASSESSOR, t["agency"])])
    assert post_file(api(assessor), pdf_bytes(), unit=t["dept_b"].pk).status_code == 403
    open_visit(t, t["dept_b"], inspector)
    assert post_file(api(inspector), pdf_bytes(), unit=t["dept_b"].pk).status_code == 403
    assert Document.objects.count() == Blob.objects.count() == 0


def test_token_authenticates_an_upload(agency_tree, clerk, pdf_bytes):
    _instance, token = AuthToken.objects.create(clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = post_file(client, pdf_bytes(), unit=agency_tree["dept_b"].pk)
    assert response.status_code == 201, response.content
    assert Document.objects.get().uploaded_by == clerk
    assert APIClient().post(DOCUMENTS, {}, format="multipart").status_code == 401


# Versions and metadata


def test_new_version_keeps_the_old_one_downloadable(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    client = api(clerk)
    document = post_file(client, pdf_bytes("v1"), unit=t["dept_b"].pk).json()
    response = client.post(
        f"{DOCUMENTS}{document['id']}/versions/",
        {"file": SimpleUploadedFile("学习记录（修订）.pdf", pdf_bytes("v2")), "note": "补签名"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version_count"] == 2 and [v["number"] for v in data["versions"]] == [2, 1]
    assert data["current"]["name"] == "学习记录（修订）.pdf"
    assert b"".join(client.get(f"{DOCUMENTS}{document['id']}/download/").streaming_content) == pdf_bytes("v2")
    old = data["versions"][1]
    assert b"".join(client.get(old["download_url"]).streaming_content) == pdf_bytes("v1")
    again = client.post(
        f"{DOCUMENTS}{document['id']}/versions/", {"file": SimpleUploadedFile("x.pdf", pdf_bytes("v1"))}, format="multipart"
    )
    assert again.status_code == 400 and again.json()["code"] == "duplicate"


def test_patch_changes_metadata_within_the_permission_layer(agency_tree, clerk, inspector, pdf_bytes):
    t = agency_tree
    document = upload(clerk, t["dept_b"], pdf_bytes()).document
    url = f"{DOCUMENTS}{document.pk}/"
    response = api(clerk).patch(url, {"title": "新标题", "folder": "组织过硬/三会一课"}, format="json")
    assert response.status_code == 200, response.content
    document.refresh_from_db()
    assert (document.title, document.folder, document.period) == ("新标题", "组织过硬/三会一课", DAY)
    assert api(clerk).patch(url, {"title": " "}, format="json").status_code == 400
    assert api(t["staff_a"]).patch(url, {"title": "越权"}, format="json").status_code == 404
    open_visit(t, t["dept_b"], inspector)
    assert api(inspector).patch(url, {"title": "越权"}, format="json").status_code == 403
    document.refresh_from_db()
    assert document.title == "新标题"


# Listing


def test_list_is_the_users_scope_and_filters(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    upload(clerk, t["dept_b"], pdf_bytes("a"), title="党课讲稿", folder="政治过硬/理论学习")
    upload(clerk, t["dept_b"], pdf_bytes("b"), title="支部会议记录", folder="组织过硬")
    upload(t["staff_a"], t["dept_a"], pdf_bytes("c"), title="办公室材料", period_precision="year")
    county = upload(t["county_staff"], t["county_dept"], pdf_bytes("d"), title="县局材料").document
    county.period = datetime.date(2025, 3, 1)
    county.save()

    def titles(person, **params):
        response = api(person).get(DOCUMENTS, params)
        assert response.status_code == 200, response.content
        return {row["title"] for row in response.json()["results"]}

    assert titles(t["staff_b"]) == {"党课讲稿", "支部会议记录"}
    assert titles(t["office"]) == {"党课讲稿", "支部会议记录", "办公室材料", "县局材料"}
    assert titles(t["office"], unit=t["dept_b"].pk) == {"党课讲稿", "支部会议记录"}
    assert titles(t["office"], within=t["county"].pk) == {"县局材料"}
    assert titles(t["office"], year=2025) == {"县局材料"}
    assert titles(t["office"], period_from="2026-01-01", period_to="2026-12-31") == {"党课讲稿", "支部会议记录", "办公室材料"}
    assert titles(t["office"], folder="政治过硬") == {"党课讲稿"}
    assert titles(t["office"], folder="政治") == set()
    assert titles(t["office"], q="会议") == {"支部会议记录"}
    assert titles(t["office"], kind="pdf") == titles(t["office"])
    assert titles(t["office"], kind="image") == set()
    # A filter on a unit out of sight narrows nothing into view.
    assert titles(t["staff_b"], within=t["agency"].pk) == {"党课讲稿", "支部会议记录"}
    assert titles(t["staff_b"], unit=t["dept_a"].pk) == set()
    assert api(t["staff_b"]).get(f"{DOCUMENTS}{county.pk}/").status_code == 404


def test_list_costs_the_same_queries_for_10_and_50_documents(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    client = api(clerk)

    def queries():
        client.get(DOCUMENTS)  # warm the session and content type caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(DOCUMENTS, {"page_size": 100})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    for number in range(10):
        upload(clerk, t["dept_b"], pdf_bytes(f"doc {number}"))
    ten, count = queries()
    assert count == 10
    for number in range(10, 50):
        upload(clerk, t["dept_b"], pdf_bytes(f"doc {number}"))
    fifty, count = queries()
    assert count == 50
    assert fifty == ten


def test_detail_costs_the_same_queries_for_2_and_6_versions(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    client = api(clerk)
    document = upload(clerk, t["dept_b"], pdf_bytes("v1")).document

    def queries():
        client.get(f"{DOCUMENTS}{document.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{DOCUMENTS}{document.pk}/").status_code == 200
        return len(captured)

    actions.add_version(clerk, document, file=SimpleUploadedFile("v.pdf", pdf_bytes("v2")), name="v.pdf")
    two = queries()
    for number in range(3, 7):
        actions.add_version(clerk, document, file=SimpleUploadedFile("v.pdf", pdf_bytes(f"v{number}")), name="v.pdf")
    assert queries() == two


# Downloads


def test_download_streams_the_file_with_its_name(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    version = upload(clerk, t["dept_b"], pdf_bytes(), name="三会一课记录.pdf").version
    response = api(clerk).get(f"/api/v1/versions/{version.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and f"filename*=utf-8''{quote('三会一课记录.pdf')}" in disposition
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_stranger_cannot_download_another_departments_file(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    result = upload(clerk, t["dept_b"], pdf_bytes())
    client = api(t["staff_a"])
    assert client.get(f"{DOCUMENTS}{result.document.pk}/download/").status_code == 404
    assert client.get(f"/api/v1/versions/{result.version.pk}/download/").status_code == 404
    refused = client.get(f"/api/v1/versions/{result.version.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404 and refused["Content-Type"] == "application/json" and refused.json()["detail"]
    assert not AuditEntry.objects.filter(action="download").exists()


def test_inspector_downloads_during_the_visit_and_it_is_audited(agency_tree, clerk, inspector, pdf_bytes):
    t = agency_tree
    result = upload(clerk, t["dept_b"], pdf_bytes())
    client = api(inspector)
    assert client.get(f"{DOCUMENTS}{result.document.pk}/download/").status_code == 404
    open_visit(t, t["dept_b"], inspector)
    response = client.get(f"{DOCUMENTS}{result.document.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    entry = AuditEntry.objects.get(action="download")
    assert (entry.actor, entry.object_id) == (inspector, str(result.document.pk))
    # Read-only: the inspected unit's other departments stay out of sight.
    other = upload(t["staff_a"], t["dept_a"], pdf_bytes("a")).version
    assert client.get(f"/api/v1/versions/{other.pk}/download/").status_code == 404


def test_inspection_access_ends_at_valid_until(agency_tree, clerk, inspector, pdf_bytes, monkeypatch):
    t = agency_tree
    version = upload(clerk, t["dept_b"], pdf_bytes()).version
    url = f"/api/v1/versions/{version.pk}/download/"
    open_visit(t, t["dept_b"], inspector, valid_until=timezone.now() + datetime.timedelta(hours=1))
    assert api(inspector).get(url).status_code == 200
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert api(inspector).get(url).status_code == 404
    assert api(inspector).get(DOCUMENTS).json()["count"] == 0


def test_a_grant_already_ended_gives_no_access(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    version = upload(clerk, t["dept_b"], pdf_bytes()).version
    late = make_person(t["county_dept"])
    now = timezone.now()
    account_actions.grant_role(
        None,
        person=late,
        role=Role.INSPECTOR,
        unit=t["dept_b"],
        valid_from=now - datetime.timedelta(days=2),
        valid_until=now - datetime.timedelta(days=1),
    )
    assert api(late).get(f"/api/v1/versions/{version.pk}/download/").status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()


# Links


@pytest.fixture
def leading_group(agency_tree):
    t = agency_tree
    return org_actions.save_leading_group(t["office"], t["dept_b"], name="创建模范机关领导小组")


def test_link_and_unlink_a_leading_group_keeps_the_document_and_its_file(
    agency_tree, clerk, leading_group, pdf_bytes, media_root
):
    t = agency_tree
    document = upload(clerk, t["dept_b"], pdf_bytes(), name="成立文件.pdf").document
    client = api(clerk)
    response = client.post(
        LINKS, {"document": document.pk, "target_type": "organization.leadinggroup", "target_id": leading_group.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    link = response.json()
    assert (link["document"], link["target_type"], link["target_id"], link["unit"]) == (
        document.pk,
        "organization.leadinggroup",
        leading_group.pk,
        t["dept_b"].pk,
    )
    listed = client.get(LINKS, {"target_type": "organization.leadinggroup", "target_id": leading_group.pk}).json()
    assert [row["id"] for row in listed["results"]] == [link["id"]]
    assert client.get(LINKS, {"document": document.pk + 1}).json()["count"] == 0
    assert client.get(LINKS, {"unit": t["dept_b"].pk}).json()["count"] == 1

    assert client.delete(f"{LINKS}{link['id']}/").status_code == 204
    assert not Link.objects.exists()
    assert Document.objects.filter(pk=document.pk).exists()
    assert [path.read_bytes() for path in stored_files(media_root)] == [pdf_bytes()]
    assert b"".join(client.get(f"{DOCUMENTS}{document.pk}/download/").streaming_content) == pdf_bytes()


def test_only_registered_kinds_can_be_linked(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    document = upload(clerk, t["dept_b"], pdf_bytes()).document
    response = api(clerk).post(
        LINKS, {"document": document.pk, "target_type": "accounts.user", "target_id": clerk.pk}, format="json"
    )
    assert response.status_code == 400 and "target_type" in response.json()
    assert not Link.objects.exists()


def test_a_target_out_of_sight_answers_like_a_missing_one(agency_tree, clerk, pdf_bytes):
    t = agency_tree
    document = upload(clerk, t["dept_b"], pdf_bytes()).document
    hidden = org_actions.save_leading_group(t["office"], t["county"], name="县局领导小组")
    client = api(clerk)

    def refusal(target_id):
        response = client.post(
            LINKS, {"document": document.pk, "target_type": "organization.leadinggroup", "target_id": target_id}, format="json"
        )
        assert response.status_code == 400
        return response.json()

    assert refusal(hidden.pk) == refusal(hidden.pk + 1000)
    assert "target_id" in refusal(hidden.pk)
    assert not Link.objects.exists()


def test_link_permissions(agency_tree, clerk, inspector, leading_group, pdf_bytes):
    t = agency_tree
    document = upload(clerk, t["dept_b"], pdf_bytes()).document
    body = {"document": document.pk, "target_type": "organization.leadinggroup", "target_id": leading_group.pk}
    # A document out of sight is refused like a missing one.
    assert "document" in api(t["staff_a"]).post(LINKS, body, format="json").json()
    # An assessor sees the document and the group but may not link; an inspector does not even see the group.
    assessor = make_person(t["dept_a"], roles=[(Role.ASSESSOR, t["agency"])])
    assert api(assessor).post(LINKS, body, format="json").status_code == 403
    open_visit(t, t["dept_b"], inspector)
    assert "target_id" in api(inspector).post(LINKS, body, format="json").json()
    assert not Link.objects.exists()
    link = actions.link_document(clerk, document, leading_group)
    assert api(inspector).get(f"{LINKS}{link.pk}/").status_code == 200
    assert api(inspector).delete(f"{LINKS}{link.pk}/").status_code == 403
    assert api(t["staff_a"]).delete(f"{LINKS}{link.pk}/").status_code == 404
    assert api(t["staff_a"]).get(LINKS).json()["count"] == 0
    assert Link.objects.filter(pk=link.pk).exists()


def test_link_list_costs_the_same_queries_for_few_and_many(agency_tree, clerk, leading_group, pdf_bytes):
    t = agency_tree
    client = api(clerk)

    def queries():
        client.get(LINKS)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LINKS, {"page_size": 100}).status_code == 200
        return len(captured)

    def link_more(start, stop):
        for number in range(start, stop):
            actions.link_document(clerk, upload(clerk, t["dept_b"], pdf_bytes(f"l{number}")).document, leading_group)

    link_more(0, 3)
    few = queries()
    link_more(3, 15)
    assert queries() == few


# OpenAPI


def test_openapi_lists_the_evidence_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    for path in (
        "/api/v1/documents/",
        "/api/v1/documents/{id}/",
        "/api/v1/documents/{id}/versions/",
        "/api/v1/documents/{id}/download/",
        "/api/v1/versions/{id}/download/",
        "/api/v1/links/",
        "/api/v1/links/{id}/",
    ):
        assert path in schema["paths"]
    upload_body = schema["paths"]["/api/v1/documents/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
    params = {p["name"] for p in schema["paths"]["/api/v1/documents/"]["get"]["parameters"]}
    assert {"unit", "within", "year", "period_from", "period_to", "folder", "q", "kind"} <= params
