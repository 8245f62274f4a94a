import datetime
import hashlib
import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import actions as account_actions
from accounts.models import RoleGrant
from accounts.roles import DOCUMENT_EXPORT, UNIT_VIEW, Role
from audit.models import AuditEntry
from evidence import actions
from evidence.export import INDEX_HEADERS, INDEX_NAME, request_export, run_export
from evidence.export_models import ExportStatus, LedgerExport
from evidence.models import Document
from mofan.testing.factories import make_person, make_unit
from organization import actions as org_actions

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 7)
PATH_COLUMN = INDEX_HEADERS.index("文件名（归档路径）")
SHA_COLUMN = INDEX_HEADERS.index("SHA-256")


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def upload(person, unit, content, name="学习记录.pdf", **extra):
    extra.setdefault("period", DAY)
    return actions.upload_document(person, unit=unit, file=SimpleUploadedFile(name, content), name=name, **extra).document


def start(person, unit, year=2026, sub=False):
    data = {"unit": unit.pk, "year": year, **({"sub": "1"} if sub else {})}
    return client_for(person).post(reverse("evidence:export"), data)


def download(person, export):
    response = client_for(person).get(reverse("evidence:export_download", args=[export.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def read_archive(content):
    """{archive path: SHA-256 of the bytes read from the archive}, and the index rows."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.testzip() is None
    files = {}
    for info in archive.infolist():
        if info.filename != INDEX_NAME:
            files[info.filename] = hashlib.sha256(archive.read(info)).hexdigest()
    sheet = load_workbook(io.BytesIO(archive.read(INDEX_NAME)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == INDEX_HEADERS
    return archive, files, rows[1:]


@pytest.fixture
def ledger(agency_tree, pdf_bytes):
    """Some 200 files in three units, several folders, without folder, and in another year."""
    t = agency_tree
    office = t["office"]
    folders = ["政治过硬/理论学习", "政治过硬/三会一课", "业务过硬", ""]
    for number in range(150):
        unit = [t["dept_a"], t["dept_b"], t["county_dept"]][number % 3]
        upload(office, unit, pdf_bytes(f"文件{number}"), name=f"材料{number}.pdf", folder=folders[number % 4])
    for number in range(40):
        upload(office, t["agency"], f"会议纪要第{number}号\n".encode(), name=f"纪要{number}.txt", folder="组织过硬")
    for number in range(10):
        upload(office, t["agency"], pdf_bytes(f"去年{number}"), name=f"去年{number}.pdf", period=datetime.date(2025, 3, 1))
    return t


def test_an_export_of_the_whole_tree_matches_its_index_file_by_file(ledger):
    t = ledger
    response = start(t["office"], t["agency"], sub=True)
    export = LedgerExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert (export.status, export.total, export.done) == (ExportStatus.DONE, 190, 190)

    content = download(t["office"], export)
    assert hashlib.sha256(content).hexdigest() == export.sha256 and len(content) == export.size
    archive, files, rows = read_archive(content)
    assert len(files) == len(rows) == 190
    index = {row[PATH_COLUMN]: row[SHA_COLUMN] for row in rows}
    assert index == files  # every file is in the index with its checksum, and every row is in the archive
    assert [row[0] for row in rows] == list(range(1, 191))
    # The checksums are those of the uploaded files.
    recorded = {d.current.blob.sha256 for d in Document.objects.filter(period__year=2026).select_related("current__blob")}
    assert set(files.values()) == recorded
    assert "测试市局/2026/组织过硬/纪要0.txt" in files
    assert "办公室/2026/政治过硬/理论学习/材料0.pdf" in files
    assert "财务科/2026/未分类/材料7.pdf" in files  # no folder
    assert "综合股/2026/业务过硬/材料2.pdf" in files
    assert not any("/2025/" in path for path in files)
    info = archive.getinfo("办公室/2026/政治过硬/理论学习/材料0.pdf")
    assert info.flag_bits & 0x800  # UTF-8 names: Chinese survives unpacking on any system
    assert archive.getinfo("测试市局/2026/组织过硬/纪要0.txt").compress_type == zipfile.ZIP_DEFLATED
    assert info.compress_type == zipfile.ZIP_STORED


def test_the_index_says_who_uploaded_what_when_and_what_it_proves(agency_tree, pdf_bytes):
    t = agency_tree
    document = upload(t["office"], t["dept_a"], pdf_bytes(), name="成立文件.pdf", folder="组织过硬", title="=HYPERLINK(\"x\")")
    group = org_actions.save_leading_group(None, t["dept_a"], name="模范机关创建领导小组")
    actions.link_document(t["office"], document, group)
    export, _ = request_export(t["office"], unit=t["dept_a"], year=2026)
    run_export(export.pk)
    export.refresh_from_db()
    archive = zipfile.ZipFile(export.result.path)
    sheet = load_workbook(io.BytesIO(archive.read(INDEX_NAME))).active
    row = [cell.value for cell in sheet[2]]
    assert row[1:4] == ["办公室", "2026-05-07", "组织过硬"]
    assert row[4] == '=HYPERLINK("x")' and sheet["E2"].data_type == "s"  # a title is never a formula
    assert row[6:8] == [1, document.current.blob.size]
    assert row[9] == "办公室主任" and "模范机关创建领导小组" in row[11]


def test_duplicate_and_unsafe_titles_get_unique_safe_names(agency_tree, pdf_bytes):
    t = agency_tree
    for number in range(3):
        upload(t["office"], t["dept_a"], pdf_bytes(str(number)), title="会议记录", folder="三会一课")
    upload(t["office"], t["dept_a"], pdf_bytes("x"), title="报告: 一/二?", folder="三会一课 / ..")
    upload(t["office"], t["dept_a"], pdf_bytes("y"), title="CON", folder="")
    upload(t["office"], t["dept_a"], pdf_bytes("z"), title="通知.PDF", folder="")
    export, _ = request_export(t["office"], unit=t["dept_a"], year=2026)
    run_export(export.pk)
    export.refresh_from_db()
    names = set(zipfile.ZipFile(export.result.path).namelist())
    assert names == {
        INDEX_NAME,
        "办公室/2026/三会一课/会议记录.pdf",
        "办公室/2026/三会一课/会议记录（2）.pdf",
        "办公室/2026/三会一课/会议记录（3）.pdf",
        "办公室/2026/三会一课/报告 一-二.pdf",
        "办公室/2026/未分类/_CON.pdf",
        "办公室/2026/未分类/通知.pdf",
    }


def test_two_units_of_the_same_name_get_separate_folders(agency_tree, pdf_bytes):
    t = agency_tree
    twin = make_unit(t["county"], name="办公室", code="CT-OFFICE")
    upload(t["office"], t["dept_a"], pdf_bytes("a"), title="甲")
    upload(t["office"], twin, pdf_bytes("b"), title="乙")
    export, _ = request_export(t["office"], unit=t["agency"], year=2026, include_sub=True)
    run_export(export.pk)
    export.refresh_from_db()
    names = set(zipfile.ZipFile(export.result.path).namelist())
    assert {"办公室/2026/未分类/甲.pdf", "办公室（CT-OFFICE）/2026/未分类/乙.pdf"} <= names


def test_a_department_head_exports_only_their_own_unit(agency_tree, pdf_bytes):
    t = agency_tree
    head = make_person(t["dept_a"], roles=[(Role.DEPARTMENT_HEAD, t["dept_a"])])
    upload(t["office"], t["dept_a"], pdf_bytes("mine"), title="本科室")
    upload(t["office"], t["dept_b"], pdf_bytes("sibling"), title="兄弟科室")
    upload(t["office"], t["agency"], pdf_bytes("parent"), title="局机关")
    assert start(head, t["dept_a"], sub=True).status_code == 302
    export = LedgerExport.objects.get()
    _, files, rows = read_archive(download(head, export))
    assert list(files) == ["办公室/2026/未分类/本科室.pdf"] and len(rows) == 1
    # The sibling's and the parent's ledgers cannot even be asked for.
    assert start(head, t["dept_b"]).status_code == 404
    assert start(head, t["agency"]).status_code == 404


def test_the_job_exports_only_what_the_requester_may_see(agency_tree, pdf_bytes, monkeypatch):
    """The job filters through the permission layer itself, not only the page that started it."""
    t = agency_tree
    upload(t["office"], t["dept_a"], pdf_bytes(), title="机密")
    leader = make_person(t["dept_a"], roles=[(Role.LEADER, t["agency"])])
    # A role that may export but not read documents: the archive is empty, not full.
    from accounts import roles

    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.LEADER, frozenset({UNIT_VIEW, DOCUMENT_EXPORT}))
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, Role.STAFF, frozenset({UNIT_VIEW}))
    export, _ = request_export(leader, unit=t["dept_a"], year=2026)
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.total == 0
    assert zipfile.ZipFile(export.result.path).namelist() == [INDEX_NAME]


def test_a_queued_export_is_refused_when_the_requester_lost_the_right(agency_tree, pdf_bytes, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # a worker runs it later
    t = agency_tree
    head = make_person(t["dept_b"], roles=[(Role.DEPARTMENT_HEAD, t["dept_a"])])
    upload(t["office"], t["dept_a"], pdf_bytes(), title="本科室")
    start(head, t["dept_a"])
    export = LedgerExport.objects.get()
    assert export.status == ExportStatus.QUEUED
    assert 'hx-trigger="every 2s"' in client_for(head).get(export.get_absolute_url()).content.decode()
    account_actions.revoke_role(None, RoleGrant.objects.get(person=head, role=Role.DEPARTMENT_HEAD))
    head.refresh_from_db()
    run_export(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and not export.result
    assert run_export(export.pk) is None  # a job delivered twice does not run twice


def test_staff_cannot_export_nor_see_others_exports(agency_tree, pdf_bytes):
    t = agency_tree
    upload(t["office"], t["dept_a"], pdf_bytes())
    staff = client_for(t["staff_a"])
    assert staff.get(reverse("evidence:export"), {"unit": t["dept_a"].pk}).status_code == 403
    assert staff.post(reverse("evidence:export"), {"unit": t["dept_a"].pk, "year": 2026}).status_code == 403
    start(t["office"], t["dept_a"])
    export = LedgerExport.objects.get()
    assert staff.get(reverse("evidence:export_status", args=[export.pk])).status_code == 404
    assert staff.get(reverse("evidence:export_download", args=[export.pk])).status_code == 404
    # Anyone who may export the unit's ledger may fetch the archive.
    colleague = make_person(t["dept_a"], roles=[(Role.RECORDS_CLERK, t["dept_a"])])
    download(colleague, export)


def test_the_progress_fragment_polls_until_the_export_is_finished(agency_tree):
    t = agency_tree
    export = LedgerExport.objects.create(
        unit=t["dept_a"], year=2026, requested_by=t["office"], status=ExportStatus.RUNNING, total=40, done=10
    )
    client = client_for(t["office"])
    url = reverse("evidence:export_status", args=[export.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment and 'value="25"' in fragment and 'data-status="running"' in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and 'id="export-progress"' in page
    LedgerExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, error="x")
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and 'data-testid="export-error"' in fragment


def test_the_ledger_button_leads_to_a_start_page_listing_recent_exports(agency_tree, pdf_bytes):
    t = agency_tree
    client = client_for(t["office"])
    ledger_page = client.get(reverse("evidence:ledger"), {"unit": t["dept_a"].pk, "year": 2026}).content.decode()
    assert f'{reverse("evidence:export")}?unit={t["dept_a"].pk}&year=2026' in ledger_page
    start(t["office"], t["dept_a"])
    page = client.get(reverse("evidence:export"), {"unit": t["dept_a"].pk, "year": 2026})
    assert page.status_code == 200 and 'data-testid="export-start"' in page.content.decode()
    assert list(page.context["recent"]) == list(LedgerExport.objects.all())


def test_start_and_download_are_in_the_audit_trail(agency_tree, pdf_bytes):
    t = agency_tree
    upload(t["office"], t["dept_a"], pdf_bytes())
    start(t["office"], t["dept_a"])
    export = LedgerExport.objects.get()
    download(t["office"], export)
    entries = AuditEntry.objects.filter(action="export", object_type="evidence.ledgerexport", object_id=str(export.pk))
    assert entries.count() == 3  # requested, finished, downloaded
    assert {entry.actor_id for entry in entries} == {t["office"].pk}
    assert {entry.unit_id for entry in entries} == {t["dept_a"].pk}


def test_results_expire_after_the_kept_days(agency_tree, pdf_bytes, settings):
    settings.MOFAN_EXPORT_KEEP_DAYS = 2
    t = agency_tree
    upload(t["office"], t["dept_a"], pdf_bytes())
    start(t["office"], t["dept_a"])
    export = LedgerExport.objects.get()
    path = export.result.path
    LedgerExport.objects.filter(pk=export.pk).update(finished_at=timezone.now() - datetime.timedelta(days=1))
    call_command("prune_ledger_exports", stdout=io.StringIO())
    download(t["office"], export)  # one day old: still kept
    LedgerExport.objects.filter(pk=export.pk).update(finished_at=timezone.now() - datetime.timedelta(days=3))
    response = client_for(t["office"]).get(reverse("evidence:export_download", args=[export.pk]))
    assert response.status_code == 404  # past its time even before the command ran
    call_command("prune_ledger_exports", stdout=io.StringIO())
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and not export.result
    assert not os.path.exists(path)


def test_a_second_click_while_running_does_not_start_a_second_export(agency_tree, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    t = agency_tree
    first = start(t["office"], t["dept_a"])
    second = start(t["office"], t["dept_a"])
    assert LedgerExport.objects.count() == 1 and first["Location"] == second["Location"]


def test_the_layout_is_pluggable_and_progress_is_visible_while_it_runs(agency_tree, pdf_bytes, monkeypatch):
    """Any layout plugs in (the standard brings its own); progress is written as files go."""
    from evidence import export as ledger_export

    t = agency_tree
    for number in range(5):
        upload(t["office"], t["dept_a"], pdf_bytes(str(number)), title=f"材料{number}")
    export, _ = request_export(t["office"], unit=t["dept_a"], year=2026)
    monkeypatch.setattr(ledger_export, "PROGRESS_SECONDS", 0)
    seen = []

    def by_title(documents):
        for document in documents:
            seen.append(LedgerExport.objects.values_list("status", "total", "done").get(pk=export.pk))
            yield ledger_export.Entry(f"维度/指标/{document.title}.pdf", "维度/指标", document, document.current)

    run_export(export.pk, layout=by_title)
    export.refresh_from_db()
    assert seen == [("running", 5, number) for number in range(5)]
    with open(export.result.path, "rb") as handle:
        _, files, rows = read_archive(handle.read())
    assert sorted(files) == [f"维度/指标/材料{number}.pdf" for number in range(5)]
    assert {row[3] for row in rows} == {"维度/指标"}
