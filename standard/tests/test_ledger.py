"""The evidence ledger organised by the standard: the page, uploading for an item, the export."""

import datetime
import hashlib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evidence import actions as evidence_actions
from evidence.export import INDEX_HEADERS, INDEX_NAME, request_export, run_export
from evidence.export_layouts import UNLINKED
from evidence.models import Link
from standard.models import Level

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 7)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
COLUMN = {name: INDEX_HEADERS.index(name) for name in ("文件名（归档路径）", "SHA-256", "目录", "关联事项")}


def pdf(text):
    return PDF + f"% {text}\n".encode()


def upload(person, unit, text, *, items=(), period=DAY, folder="", title=None):
    name = f"{title or text}.pdf"
    document = evidence_actions.upload_document(
        person, unit=unit, file=SimpleUploadedFile(name, pdf(text)), name=name, title=title or text, period=period, folder=folder
    ).document
    for item in items:
        evidence_actions.link_document(person, document, item, unit=unit)
    return document


def items_of(standard):
    return {node.number: node for node in standard.nodes.filter(level=Level.ITEM)}


def ledger_page(client, person, unit, **params):
    if person is not None:
        client.force_login(person)
    response = client.get(reverse("evidence:ledger"), {"unit": unit.pk, "year": 2026, **params})
    assert response.status_code == 200
    return response.content.decode()


def marks(page):
    """{item number: "1" (has evidence) or "0"} read from the page."""
    return dict(re.findall(r'data-number="([^"]+)" data-complete="([01])"', page))


# ------------------------------------------------------------------------------------------ page


def test_ledger_shows_the_standard_with_marks_counts_and_unlinked_documents(client, agency_tree, published):
    t = agency_tree
    items = items_of(published)
    upload(t["staff_a"], t["dept_a"], "第一议题学习记录", items=[items["1.1.1"]])
    upload(t["staff_a"], t["dept_a"], "中心组学习纪要", items=[items["1.2.1"], items["1.1.1"]])
    upload(t["staff_a"], t["dept_a"], "去年的记录", items=[items["1.1.2"]], period=datetime.date(2025, 3, 1))
    upload(t["staff_a"], t["dept_a"], "未归类的通知", folder="收文")
    upload(t["staff_b"], t["dept_b"], "财务科的纪要", items=[items["1.1.3"]])  # another unit's item
    page = ledger_page(client, t["staff_a"], t["dept_a"])
    assert marks(page) == {number: "1" if number in ("1.1.1", "1.2.1") else "0" for number in items}
    total = len(items)
    assert f"已有佐证 2/{total} 项" in page
    assert "第一议题学习记录" in page and "中心组学习纪要" in page and "佐证材料" in page
    assert "会议纪要、第一议题学习记录、贯彻落实措施清单" in page  # the item's evidence requirement
    assert "去年的记录" not in page and "财务科的纪要" not in page
    unlinked = page.split('data-testid="ledger-unlinked"')[1]
    assert "未关联评分项" in page and "未归类的通知" in unlinked and "收文" in unlinked
    assert "第一议题学习记录" not in unlinked
    assert '>1/3<' in page.split("1.1 政治建设")[1].split("1.2")[0]  # 1.1 has three items, one with evidence


def test_folder_view_stays_reachable_and_is_used_without_a_standard(client, agency_tree, published, other_agency):
    t = agency_tree
    upload(t["staff_a"], t["dept_a"], "第一议题学习记录", items=[items_of(published)["1.1.1"]], folder="政治过硬")
    page = ledger_page(client, t["staff_a"], t["dept_a"], view="folders")
    assert 'data-testid="ledger-tree"' not in page and 'data-testid="ledger-folder"' in page and "第一议题学习记录" in page
    assert 'data-testid="view-standard"' in page
    page = ledger_page(client, other_agency["office"], other_agency["agency"])  # no standard there
    assert 'data-testid="ledger-tree"' not in page and 'data-testid="ledger-views"' not in page


def test_another_units_ledger_is_404(client, agency_tree, published):
    t = agency_tree
    client.force_login(t["staff_b"])
    assert client.get(reverse("evidence:ledger"), {"unit": t["dept_a"].pk}).status_code == 404
    assert client.get(reverse("evidence:upload"), {"unit": t["dept_a"].pk, "item": items_of(published)["1.1.1"].pk}).status_code == 404


def test_an_inspector_reads_the_ledger_by_the_standard(client, agency_tree, published):
    from accounts import actions as account_actions
    from accounts.roles import Role
    from mofan.testing.factories import make_person, make_unit
    from organization.models import UnitKind

    t = agency_tree
    upload(t["staff_a"], t["dept_a"], "第一议题学习记录", items=[items_of(published)["1.1.1"]])
    team = make_unit(name="市委检查组", code="TEAM", kind=UnitKind.AGENCY)
    inspector = make_person(team, username="inspector")
    now = timezone.now()
    account_actions.grant_role(
        None, person=inspector, role=Role.INSPECTOR, unit=t["dept_a"], valid_from=now, valid_until=now + datetime.timedelta(days=3)
    )
    page = ledger_page(client, inspector, t["dept_a"])
    assert marks(page)["1.1.1"] == "1" and 'data-testid="item-upload"' not in page


def test_query_count_is_bounded_for_a_small_and_a_large_ledger(client, agency_tree, published, django_assert_max_num_queries):
    t = agency_tree
    items = list(items_of(published).values())
    upload(t["staff_a"], t["dept_a"], "文件0", items=[items[0]])
    upload(t["staff_a"], t["dept_a"], "未关联", folder="收文")
    client.force_login(t["staff_a"])
    with django_assert_max_num_queries(12) as small:
        ledger_page(client, None, t["dept_a"])
    for number in range(1, 120):
        linked = [items[number % len(items)], items[(number * 7) % len(items)]] if number % 4 else []
        upload(t["staff_a"], t["dept_a"], f"文件{number}", items=linked, folder=f"夹{number % 3}")
    with django_assert_max_num_queries(12) as large:
        page = ledger_page(client, None, t["dept_a"])
    assert len(large.captured_queries) == len(small.captured_queries)
    assert page.count('data-complete="1"') == len(items)


def test_sections_collapse_on_a_phone(client, agency_tree, published):
    page = ledger_page(client, agency_tree["staff_a"], agency_tree["dept_a"])
    headings = published.nodes.exclude(level=Level.ITEM).count()  # dimensions and indicators
    assert page.count("<details") == headings and page.count("<summary") == headings
    assert 'name="viewport"' in page


# ---------------------------------------------------------------------------------------- upload


def test_upload_from_an_item_links_the_new_document_to_it(client, agency_tree, published):
    t = agency_tree
    item = items_of(published)["2.3.1"]
    client.force_login(t["staff_a"])
    url = f"{reverse('evidence:upload')}?unit={t['dept_a'].pk}&item={item.pk}&year=2026"
    form = client.get(url).content.decode()
    assert "三会一课" in form and 'data-testid="upload-item"' in form and 'value="组织过硬/组织生活"' in form
    assert re.search(r'name="period" value="\d{4}-\d{2}-\d{2}"', form)  # what a date input can show
    response = client.post(url, {"unit": t["dept_a"].pk, "files": SimpleUploadedFile("支部大会记录.pdf", pdf("支部大会")),
                                 "title": "", "folder": "组织过硬/组织生活", "period": "2026-04-10", "period_precision": "day"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    link = Link.objects.get()
    assert link.target == item and link.unit == t["dept_a"] and link.document.title == "支部大会记录"
    assert marks(ledger_page(client, t["staff_a"], t["dept_a"]))["2.3.1"] == "1"


def test_upload_for_an_item_of_no_standard_of_the_unit_is_404(client, agency_tree, published, other_agency):
    from standard import default

    t = agency_tree
    other = default.load(other_agency["agency"])
    client.force_login(t["staff_a"])
    url = reverse("evidence:upload")
    assert client.get(url, {"unit": t["dept_a"].pk, "item": items_of(other)["1.1.1"].pk}).status_code == 404
    dimension = published.nodes.get(level=Level.DIMENSION, number="1")
    assert client.get(url, {"unit": t["dept_a"].pk, "item": dimension.pk}).status_code == 404
    assert client.get(url, {"unit": t["dept_a"].pk, "item": "x"}).status_code == 404


# ---------------------------------------------------------------------------------------- export


def read_archive(export):
    with open(export.result.path, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert archive.testzip() is None
    files = {info.filename: hashlib.sha256(archive.read(info)).hexdigest() for info in archive.infolist() if info.filename != INDEX_NAME}
    rows = list(load_workbook(io.BytesIO(archive.read(INDEX_NAME)), read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == INDEX_HEADERS
    return files, rows[1:]


def test_export_by_the_standard_matches_its_index_and_files_each_item(agency_tree, published):
    t = agency_tree
    items = items_of(published)
    numbers = list(items)
    expected = {}  # document title -> item numbers
    for number in range(30):
        linked = [numbers[number % len(numbers)]] + ([numbers[(number + 5) % len(numbers)]] if number % 5 == 0 else [])
        document = upload(t["staff_a"], t["dept_a"], f"佐证{number}", items=[items[n] for n in linked], folder="政治过硬")
        expected[document.title] = linked
    upload(t["staff_a"], t["dept_a"], "未关联的通知", folder="收文/2026")
    upload(t["staff_a"], t["dept_a"], "未关联无目录")
    export, _ = request_export(t["office"], unit=t["dept_a"], year=2026)
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == "done", export.error
    files, rows = read_archive(export)
    index = {row[COLUMN["文件名（归档路径）"]]: row for row in rows}
    assert set(index) == set(files) and len(rows) == len(files) == sum(len(v) for v in expected.values()) + 2
    assert all(index[path][COLUMN["SHA-256"]] == sha for path, sha in files.items())
    for title, linked in expected.items():
        for number in linked:
            item = items[number]
            indicator = item.parent
            dimension = indicator.parent
            folder = f"办公室/2026/{dimension.number} {dimension.title}/{indicator.number} {indicator.title}/"
            matches = [path for path in files if path.startswith(folder) and path.endswith(f"/{title}.pdf")]
            assert len(matches) == 1, (title, number, matches)
            item_folder = matches[0][len(folder):].split("/")[0]
            assert item_folder.startswith(f"{number} ") and len(item_folder) <= len(number) + 26
            row = index[matches[0]]
            assert row[COLUMN["目录"]].endswith(f"{number} {item.title}")
            assert f"考核内容：{number} {item.title}" in row[COLUMN["关联事项"]]
    assert f"办公室/2026/{UNLINKED}/收文/2026/未关联的通知.pdf" in files
    assert f"办公室/2026/{UNLINKED}/未分类/未关联无目录.pdf" in files
    assert index[f"办公室/2026/{UNLINKED}/收文/2026/未关联的通知.pdf"][COLUMN["目录"]] == f"{UNLINKED} / 收文/2026"


def test_export_of_a_unit_without_a_standard_keeps_the_folders(agency_tree, other_agency):
    office, agency = other_agency["office"], other_agency["agency"]
    upload(office, agency, "通知", folder="收文")
    export, _ = request_export(office, unit=agency, year=2026)
    run_export(export.pk)
    export.refresh_from_db()
    files, _rows = read_archive(export)
    assert list(files) == ["另一市局/2026/收文/通知.pdf"]


def test_export_with_the_units_below_files_each_unit_under_its_own_folder(agency_tree, published):
    t = agency_tree
    item = items_of(published)["5.3.3"]
    upload(t["staff_a"], t["dept_a"], "台账目录", items=[item])
    upload(t["staff_b"], t["dept_b"], "财务台账", items=[item])
    export, _ = request_export(t["office"], unit=t["agency"], year=2026, include_sub=True)
    run_export(export.pk)
    export.refresh_from_db()
    files, _rows = read_archive(export)
    folder = f"5 能力过硬/5.3 问题整改与创新创优/5.3.3 {item.title}"
    assert set(files) == {f"办公室/2026/{folder}/台账目录.pdf", f"财务科/2026/{folder}/财务台账.pdf"}


def test_upload_from_a_scorecard_goes_back_to_it_but_never_to_another_site(client, agency_tree, published):
    t = agency_tree
    item = items_of(published)["2.3.1"]
    client.force_login(t["staff_a"])
    data = {"unit": t["dept_a"].pk, "title": "", "folder": "", "period": "2026-04-10", "period_precision": "day"}
    base = f"{reverse('evidence:upload')}?unit={t['dept_a'].pk}&item={item.pk}&year=2026"
    back = client.post(f"{base}&next=/assessment/scorecards/7/%23item-3",
                       {**data, "files": SimpleUploadedFile("支部大会记录.pdf", pdf("支部大会一"))})
    assert back["Location"] == "/assessment/scorecards/7/#item-3"
    away = client.post(f"{base}&next=https://evil.example.com/",
                       {**data, "files": SimpleUploadedFile("支委会记录.pdf", pdf("支委会二"))})
    assert away["Location"].startswith(reverse("evidence:ledger"))
