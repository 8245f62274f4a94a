"""/api/v1/standards/: scope, the node tree, the import and the OpenAPI document."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from standard import spreadsheet
from standard.models import Standard

from .conftest import xlsx_file

pytestmark = pytest.mark.django_db

STANDARDS = "/api/v1/standards/"


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_list_and_tree_for_a_department(agency_tree, published):
    client = api(agency_tree["staff_a"])
    rows = client.get(STANDARDS).json()["results"]
    assert [(row["id"], row["item_count"], row["status"]) for row in rows] == [(published.pk, 46, "published")]
    tree = client.get(f"{STANDARDS}{published.pk}/").json()
    assert [dimension["title"] for dimension in tree["dimensions"]] == ["政治过硬", "组织过硬", "作风过硬", "纪律过硬", "能力过硬"]
    item = tree["dimensions"][0]["children"][0]["children"][0]
    assert (item["number"], item["method"], item["per_occurrence"]) == ("1.1.1", "deduct", "1.00")
    assert client.get(STANDARDS, {"status": "draft"}).json()["count"] == 0


def test_another_agency_sees_nothing(agency_tree, published, other_agency):
    client = api(other_agency["office"])
    assert client.get(STANDARDS).json()["count"] == 0
    assert client.get(f"{STANDARDS}{published.pk}/").status_code == 404


def test_import_through_the_api(agency_tree, published):
    t = agency_tree
    content = spreadsheet.export_standard(published)
    client = api(t["office"])
    response = client.post(f"{STANDARDS}import/", {"file": SimpleUploadedFile("s.xlsx", content), "unit": t["county"].pk, "name": "县局"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["item_count"] == 46
    bad = xlsx_file([["维度", "指标", "内容", "x", "达标"] + [None] * 6])
    response = client.post(f"{STANDARDS}import/", {"file": bad, "unit": t["county"].pk, "name": "坏"}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["row"] == 2
    staff = api(t["staff_a"])
    response = staff.post(f"{STANDARDS}import/", {"file": SimpleUploadedFile("s.xlsx", content), "unit": t["dept_a"].pk}, format="multipart")
    assert response.status_code == 403
    assert Standard.objects.count() == 2


def test_schema_lists_the_standards(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {f"{STANDARDS}", f"{STANDARDS}{{id}}/", f"{STANDARDS}import/"} <= set(paths)
