"""Every page of the standard renders, checks scope and changes data only through the actions."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from standard import actions, default
from standard.models import Level, Node, Standard, StandardStatus

from .conftest import xlsx_file

pytestmark = pytest.mark.django_db


def login(client, person):
    client.force_login(person)
    return client


def test_list_and_detail_render_for_a_department(client, agency_tree, published):
    t = agency_tree
    client = login(client, t["staff_b"])
    page = client.get(reverse("standard:list")).content.decode()
    assert default.NAME in page
    page = client.get(reverse("standard:detail", args=[published.pk])).content.decode()
    assert "第一议题" in page and "发生严重违纪违法问题" in page and 'data-testid="standard-tree"' in page
    assert reverse("standard:new_version", args=[published.pk]) not in page
    assert client.get(reverse("standard:export", args=[published.pk])).status_code == 200


def test_another_agency_gets_404(client, agency_tree, published, other_agency):
    client = login(client, other_agency["office"])
    assert default.NAME not in client.get(reverse("standard:list")).content.decode()
    for name in ("detail", "export", "edit", "replace"):
        assert client.get(reverse(f"standard:{name}", args=[published.pk])).status_code == 404
    node = published.nodes.first()
    assert client.post(reverse("standard:node_delete", args=[node.pk])).status_code == 404
    assert client.post(reverse("standard:new_version", args=[published.pk])).status_code == 404


def test_a_department_clerk_cannot_change_its_agencys_standard(client, agency_tree, published):
    t = agency_tree
    draft = actions.new_version(t["office"], published)
    node = draft.nodes.filter(level=Level.ITEM).first()
    client = login(client, t["staff_a"])
    assert client.get(reverse("standard:edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("standard:node_edit", args=[node.pk]), {"title": "改"}).status_code == 403
    assert client.post(reverse("standard:node_delete", args=[node.pk])).status_code == 403
    assert client.post(reverse("standard:publish", args=[draft.pk])).status_code == 403
    assert client.get(reverse("standard:create")).status_code == 403
    assert client.get(reverse("standard:import")).status_code == 403
    node.refresh_from_db()
    assert node.title != "改"


def test_office_builds_edits_and_publishes_a_draft(client, agency_tree):
    t = agency_tree
    client = login(client, t["office"])
    response = client.post(reverse("standard:create"), {"unit": t["agency"].pk, "name": "新标准", "start": "empty", "total_points": "10"})
    draft = Standard.objects.get(name="新标准")
    assert response.status_code == 302 and draft.is_draft
    add = reverse("standard:node_add", args=[draft.pk])
    client.post(add, {"title": "政治过硬", "points": "10"})
    dimension = draft.nodes.get()
    client.post(f"{add}?parent={dimension.pk}", {"title": "理论学习", "points": "10"})
    indicator = draft.nodes.get(level=Level.INDICATOR)
    response = client.post(f"{add}?parent={indicator.pk}", {"title": "中心组学习", "points": "10", "method": "graded", "levels": "甲"})
    assert response.status_code == 200 and not draft.nodes.filter(level=Level.ITEM).exists()
    client.post(f"{add}?parent={indicator.pk}", {"title": "中心组学习", "points": "10", "method": "graded", "levels": "A好=100, B差=0"})
    item = draft.nodes.get(level=Level.ITEM)
    assert item.levels[0] == {"code": "A", "label": "好", "percent": 100.0}
    page = client.get(reverse("standard:node_edit", args=[item.pk])).content.decode()
    assert "A好=100, B差=0" in page
    client.post(reverse("standard:node_edit", args=[item.pk]), {"title": "中心组学习", "points": "10", "method": "deduct", "per_occurrence": "2"})
    item.refresh_from_db()
    assert (item.method, item.per_occurrence, item.levels) == ("deduct", 2, [])
    response = client.post(reverse("standard:publish", args=[draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == StandardStatus.PUBLISHED and response.status_code == 200


def test_publish_refused_shows_every_problem(client, agency_tree):
    t = agency_tree
    draft = actions.create_standard(t["office"], unit=t["agency"], name="空")
    actions.add_node(t["office"], draft, title="政治过硬", points=20)
    response = login(client, t["office"]).post(reverse("standard:publish", args=[draft.pk]), follow=True)
    page = response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft and len(actions.problems(draft)) == 3
    assert all(problem in page for problem in actions.problems(draft))


def test_new_version_and_delete_draft(client, agency_tree, published):
    t = agency_tree
    client = login(client, t["office"])
    client.post(reverse("standard:new_version", args=[published.pk]))
    copy = Standard.objects.get(version=2)
    assert copy.nodes.count() == published.nodes.count()
    node = copy.nodes.filter(level=Level.INDICATOR).first()
    client.post(reverse("standard:node_delete", args=[node.pk]))
    assert not Node.objects.filter(pk=node.pk).exists()
    client.post(reverse("standard:delete", args=[copy.pk]))
    assert not Standard.objects.filter(pk=copy.pk).exists()


def test_import_page_lists_errors_and_imports_a_clean_file(client, agency_tree, published):
    t = agency_tree
    client = login(client, t["office"])
    bad = xlsx_file([["维度", "指标", "内容", "x", "酌情"] + [None] * 6])
    page = client.post(reverse("standard:import"), {"file": bad, "unit": t["agency"].pk, "name": "导入"}).content.decode()
    assert 'data-testid="import-errors"' in page and "考核内容" in page and Standard.objects.count() == 1
    exported = client.get(reverse("standard:export", args=[published.pk])).content
    assert load_workbook(io.BytesIO(exported)).active["C4"].value == "落实“第一议题”制度"
    upload = SimpleUploadedFile("导出.xlsx", exported)
    response = client.post(reverse("standard:import"), {"file": upload, "unit": t["county"].pk, "name": "县局标准"})
    imported = Standard.objects.get(name="县局标准")
    assert response.status_code == 302 and imported.nodes.count() == published.nodes.count()


def test_detail_query_count_does_not_grow_with_nodes(client, agency_tree, django_assert_max_num_queries):
    t = agency_tree
    small = actions.create_standard(t["office"], unit=t["agency"], name="小")
    dimension = actions.add_node(t["office"], small, title="维度", points=5)
    indicator = actions.add_node(t["office"], small, parent=dimension, title="指标", points=5)
    actions.add_node(t["office"], small, parent=indicator, title="内容", points=5, method="pass_fail")
    big = default.build(t["office"], t["agency"])
    client = login(client, t["office"])
    for standard in (small, big):
        with django_assert_max_num_queries(8):
            assert client.get(reverse("standard:detail", args=[standard.pk])).status_code == 200
