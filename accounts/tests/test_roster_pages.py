"""The roster pages as a clerk of the office uses them: upload, read the problems, download."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import User
from audit.models import AuditEntry
from core.fields import matching

pytestmark = pytest.mark.django_db


def by_phone(*phones):
    """People by mobile number: the column is encrypted, so through its blind index."""
    return User.objects.filter(matching(User, "phone", *phones))


def upload(rows):
    workbook = Workbook()
    workbook.active.append(["序号", "姓名", "单位", "职务", "政治面貌", "手机号"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("花名册.xlsx", buffer.getvalue())


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


def test_bad_roster_lists_every_problem_in_chinese_and_changes_nothing(agency_tree):
    t = agency_tree
    client = client_for(t["sysadmin"])
    before = User.objects.count(), AuditEntry.objects.count()
    response = client.post(
        reverse("people:import"),
        {"file": upload([[1, "", "AG-FIN", "科员", "中共党员", "13911110001"], [2, "周五", "不存在的科", "", "群众", "123"]])},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据" in page
    assert "不存在的科" in page and "姓名" in page
    assert len(response.context["result"].errors) == 3
    assert (User.objects.count(), AuditEntry.objects.count()) == before


def test_not_a_spreadsheet_is_refused_with_a_reason(agency_tree):
    response = client_for(agency_tree["sysadmin"]).post(
        reverse("people:import"), {"file": SimpleUploadedFile("名单.xlsx", b"%PDF-1.7 not a workbook")}
    )
    assert response.status_code == 200 and response.context["result"].errors[0].code == "not_a_spreadsheet"


def test_good_roster_imports_and_redirects(agency_tree):
    t = agency_tree
    response = client_for(t["sysadmin"]).post(
        reverse("people:import"), {"file": upload([[1, "周五", "AG-FIN", "科员", "中共党员", "13911110002"]])}
    )
    assert response.status_code == 302
    assert by_phone("13911110002").get().unit == t["dept_b"]


def test_export_holds_exactly_the_people_in_scope(agency_tree):
    t = agency_tree
    from accounts import actions
    from accounts.roles import Role

    county_office = actions.create_person(None, username="co", real_name="县办主任", unit=t["county_dept"])
    actions.grant_role(None, person=county_office, role=Role.OFFICE, unit=t["county"])
    response = client_for(county_office).get(reverse("people:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]}
    assert names == {"王丙", "县办主任"}
    assert AuditEntry.objects.filter(action="export", actor=county_office).exists()


def test_template_downloads_for_the_system_admin_only(agency_tree):
    t = agency_tree
    assert client_for(t["sysadmin"]).get(reverse("people:template")).status_code == 200
    assert client_for(t["staff_a"]).get(reverse("people:template")).status_code == 403
