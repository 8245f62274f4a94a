"""The ledger structure registry: any app can organise the ledger, evidence knows none of them.

Here a stand-in structure files evidence under a leading group (a registered link target), so
these tests hold without the standard app's help; standard/tests/test_ledger.py covers the real one.
"""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from evidence import actions, structure
from evidence.export import request_export, run_export
from evidence.export_layouts import MAX_COMPONENT, UNLINKED, _item_folder
from evidence.structure import Heading, Item, Structure
from organization import actions as org_actions
from organization.models import LeadingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_structure(agency_tree, monkeypatch):
    """Every unit's ledger organised as 1 组织保障 / 1.1 领导小组 / 1.1.1 <the agency's leading group>."""
    group = org_actions.save_leading_group(None, agency_tree["agency"], name="模范机关创建工作领导小组")
    item = Item(group.pk, "1.1.1", "成立领导小组", requirement="成立文件、成员名单")
    tree = Structure("测试结构", LeadingGroup, [Heading("1", "组织保障", children=[Heading("1.1", "领导小组", children=[item])])])
    monkeypatch.setattr(structure, "_providers", [lambda unit: None, lambda unit: tree])
    return group


def upload(person, unit, content, name):
    file = SimpleUploadedFile(name, content)
    return actions.upload_document(person, unit=unit, file=file, name=name, period=datetime.date(2026, 3, 1)).document


def test_the_first_provider_that_answers_organises_the_ledger(agency_tree, group_structure, pdf_bytes):
    t = agency_tree
    document = upload(t["office"], t["agency"], pdf_bytes("成立文件"), "成立文件.pdf")
    client = Client()
    client.force_login(t["office"])
    page = client.get(reverse("evidence:ledger"), {"unit": t["agency"].pk, "year": 2026}).content.decode()
    assert 'data-number="1.1.1" data-complete="0"' in page and "成立文件、成员名单" in page and "未关联评分项" in page
    actions.link_document(t["office"], document, group_structure, unit=t["agency"])
    page = client.get(reverse("evidence:ledger"), {"unit": t["agency"].pk, "year": 2026}).content.decode()
    assert 'data-number="1.1.1" data-complete="1"' in page and "已有佐证 1/1 项" in page


def test_the_export_follows_the_registered_structure(agency_tree, group_structure, pdf_bytes):
    t = agency_tree
    linked = upload(t["office"], t["agency"], pdf_bytes("成立文件"), "成立文件.pdf")
    actions.link_document(t["office"], linked, group_structure, unit=t["agency"])
    upload(t["office"], t["agency"], pdf_bytes("其他"), "其他.pdf")
    export, _ = request_export(t["office"], unit=t["agency"], year=2026)
    run_export(export.pk)
    export.refresh_from_db()
    with open(export.result.path, "rb") as handle:
        names = set(zipfile.ZipFile(io.BytesIO(handle.read())).namelist())
    assert names == {
        "测试市局/2026/1 组织保障/1.1 领导小组/1.1.1 成立领导小组/成立文件.pdf",
        f"测试市局/2026/{UNLINKED}/未分类/其他.pdf",
        "索引.xlsx",
    }


def test_item_folders_are_short_and_safe():
    long = Item(1, "2.3.1", "“三会一课”制度：支部党员大会/支部委员会/党小组会和党课按期召开、记录完整、内容规范" * 3)
    name = _item_folder(long)
    assert name.startswith("2.3.1 “三会一课”制度") and name.endswith("…")
    assert "/" not in name and ":" not in name and len(name) <= 32 <= MAX_COMPONENT
    assert _item_folder(Item(2, "1.1.1", "CON")) == "1.1.1 CON"
