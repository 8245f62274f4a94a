"""Inspection access (迎检): the office opens a team's read-only window on chosen ledgers; it ends on time."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import RoleGrant
from accounts.roles import Role
from audit.models import AuditEntry
from evidence import actions
from evidence.models import InspectionVisit
from mofan.testing.factories import make_person, make_unit
from organization import actions as org_actions
from organization.models import UnitKind

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 7)
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = datetime.timedelta(hours=1)


def client_for(person):
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def clock(monkeypatch):
    """Moves "now" for the whole project: the permission layer, the actions and the audit trail."""

    class Clock:
        start = timezone.now()

        def travel(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


@pytest.fixture
def world(agency_tree, pdf_bytes):
    """The agency of ``agency_tree`` with a document in 财务科 and one in 办公室, and an inspection
    team from the 市直机关工委, a unit outside the agency's tree."""
    t = dict(agency_tree)
    committee = make_unit(name="市直机关工委", code="WORK-COMMITTEE", kind=UnitKind.AGENCY)
    t["committee"] = committee
    t["inspector"] = make_person(committee, username="jiancha1", real_name="赵检查")
    t["inspector2"] = make_person(committee, username="jiancha2", real_name="钱检查")
    t["clerk"] = make_person(t["dept_a"], username="clerk", real_name="档案员", roles=[(Role.RECORDS_CLERK, t["agency"])])
    t["fin_doc"] = upload(t["staff_b"], t["dept_b"], pdf_bytes("财务"), "预算公开.pdf")
    t["office_doc"] = upload(t["staff_a"], t["dept_a"], pdf_bytes("办公"), "值班表.pdf")
    return t


def upload(person, unit, content, name):
    return actions.upload_document(person, unit=unit, file=SimpleUploadedFile(name, content), name=name, period=DAY)


def open_visit(t, members=None, units=None, start=None, until=None):
    now = timezone.now()
    return actions.create_inspection_visit(
        t["office"],
        unit=t["agency"],
        team_name="市直机关工委检查组",
        members=members or [t["inspector"]],
        units=units or [t["dept_b"]],
        valid_from=start or now - datetime.timedelta(minutes=5),
        valid_until=until or now + HOUR,
    )


def form_data(t, members="jiancha1", units=None, start=None, until=None):
    start = timezone.localtime(start or timezone.now() - datetime.timedelta(minutes=1))
    until = timezone.localtime(until or start + HOUR)
    return {
        "granting_unit": t["agency"].pk,
        "team_name": "市直机关工委检查组",
        "purpose": "模范机关创建中期检查",
        "members": members,
        "units": [unit.pk for unit in units or [t["dept_b"]]],
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": until.strftime("%Y-%m-%dT%H:%M"),
    }


def ledger(client, unit):
    return client.get(reverse("evidence:ledger"), {"unit": unit.pk, "year": DAY.year})


def download(client, result):
    return client.get(reverse("evidence:download", args=[result.version.pk]))


def workbench(client):
    return client.get(reverse("core:workbench")).content.decode()


def test_office_grants_access_for_a_window_read_in_china_time(world):
    t = world
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(t["office"]).post(
        reverse("evidence:visit_create"),
        {**form_data(t, members="jiancha1, jiancha2\n"), "valid_from": f"{tomorrow}T09:00", "valid_until": f"{tomorrow}T17:30"},
    )
    visit = InspectionVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evidence:visit_detail", args=[visit.pk])
    assert visit.valid_from == datetime.datetime.combine(tomorrow, datetime.time(9, 0), SHANGHAI)
    assert visit.valid_until == datetime.datetime.combine(tomorrow, datetime.time(17, 30), SHANGHAI)
    assert set(visit.members.all()) == {t["inspector"], t["inspector2"]} and list(visit.units.all()) == [t["dept_b"]]
    grants = RoleGrant.objects.filter(role=Role.INSPECTOR)
    assert grants.count() == 2 and {g.valid_until for g in grants} == {visit.valid_until}
    # Not open yet: the team reads nothing before the window starts.
    assert ledger(client_for(t["inspector"]), t["dept_b"]).status_code == 404
    page = client_for(t["office"]).get(reverse("evidence:visits")).content.decode()
    assert 'data-status="scheduled"' in page


def test_inspector_reads_the_ledger_and_every_download_is_audited(world):
    t = world
    visit = open_visit(t)
    inspector = client_for(t["inspector"])
    page = ledger(inspector, t["dept_b"])
    assert page.status_code == 200 and "预算公开" in page.content.decode()
    assert 'data-testid="upload-link"' not in page.content.decode()
    document_page = inspector.get(t["fin_doc"].document.get_absolute_url()).content.decode()
    assert reverse("evidence:edit", args=[t["fin_doc"].document.pk]) not in document_page
    response = download(inspector, t["fin_doc"])
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="download")
    assert entry.actor == t["inspector"] and entry.object_id == str(t["fin_doc"].document.pk)
    # The office sees the file in the visit's record.
    detail = client_for(t["office"]).get(reverse("evidence:visit_detail", args=[visit.pk]))
    assert len(detail.context["page_obj"].object_list) == 1
    assert detail.content.decode().count('data-testid="opened-row"') == 1


def test_inspector_cannot_upload_edit_or_unlink(world, pdf_bytes):
    t = world
    open_visit(t)
    group = org_actions.save_leading_group(None, t["dept_b"], name="创建工作领导小组")
    link = actions.link_document(t["office"], t["fin_doc"].document, group)
    inspector = client_for(t["inspector"])
    upload_url = reverse("evidence:upload") + f"?unit={t['dept_b'].pk}"
    assert inspector.get(upload_url).status_code == 403
    posted = inspector.post(
        upload_url,
        {"unit": t["dept_b"].pk, "files": SimpleUploadedFile("a.pdf", pdf_bytes("新")), "period": "2026-05-07", "period_precision": "day"},
    )
    assert posted.status_code == 403
    doc = t["fin_doc"].document
    assert inspector.get(reverse("evidence:edit", args=[doc.pk])).status_code == 403
    version = inspector.post(reverse("evidence:new_version", args=[doc.pk]), {"file": SimpleUploadedFile("b.pdf", pdf_bytes("版"))})
    assert version.status_code == 403
    assert inspector.post(reverse("evidence:unlink", args=[link.pk])).status_code == 403
    assert doc.versions.count() == 1 and doc.links.count() == 1


def test_units_outside_the_visit_do_not_exist_for_the_inspector(world):
    t = world
    open_visit(t)
    inspector = client_for(t["inspector"])
    assert ledger(inspector, t["dept_a"]).status_code == 404
    assert inspector.get(t["office_doc"].document.get_absolute_url()).status_code == 404
    assert download(inspector, t["office_doc"]).status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()
    # Nor may a member of the team see the visit pages of the office.
    assert inspector.get(reverse("evidence:visits")).status_code == 403


def test_inspection_access_ends_on_time(world, clock):
    t = world
    visit = open_visit(t)
    inspector = client_for(t["inspector"])
    assert 'data-testid="inspection-ledger-link"' in workbench(inspector)

    clock.travel(visit.valid_until - datetime.timedelta(seconds=1))
    inspector.force_login(t["inspector"])  # days later: the first session has timed out
    assert ledger(inspector, t["dept_b"]).status_code == 200
    assert download(inspector, t["fin_doc"]).status_code == 200

    clock.travel(visit.valid_until)
    assert ledger(inspector, t["dept_b"]).status_code == 404
    assert inspector.get(t["fin_doc"].document.get_absolute_url()).status_code == 404
    assert download(inspector, t["fin_doc"]).status_code == 404
    assert inspector.get(reverse("evidence:preview", args=[t["fin_doc"].version.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="download", actor_id=t["inspector"].pk).count() == 1
    page = workbench(inspector)
    assert 'data-testid="inspection-ledger-link"' not in page
    assert 'data-testid="inspection-access-ended"' in page and 'data-testid="no-current-inspection"' in page
    office_view = client_for(t["office"]).get(reverse("evidence:visit_detail", args=[visit.pk]))
    assert office_view.context["visit"].status == "ended" and not office_view.context["can_end"]


def test_ending_early_revokes_access_at_once(world):
    t = world
    visit = open_visit(t, members=[t["inspector"], t["inspector2"]])
    inspector = client_for(t["inspector"])
    assert ledger(inspector, t["dept_b"]).status_code == 200
    office = client_for(t["office"])
    response = office.post(reverse("evidence:visit_end", args=[visit.pk]))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.ended_at is not None and not RoleGrant.objects.filter(role=Role.INSPECTOR).exists()
    assert ledger(inspector, t["dept_b"]).status_code == 404
    assert download(client_for(t["inspector2"]), t["fin_doc"]).status_code == 404
    assert 'data-status="ended_early"' in office.get(reverse("evidence:visits")).content.decode()
    # Ending it again does not move the moment it really ended.
    ended_at = visit.ended_at
    office.post(reverse("evidence:visit_end", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.ended_at == ended_at


def test_end_button_is_a_post(world):
    t = world
    visit = open_visit(t)
    assert client_for(t["office"]).get(reverse("evidence:visit_end", args=[visit.pk])).status_code == 405
    assert InspectionVisit.objects.get().ended_at is None


def test_a_second_visit_after_the_first_ended_works(world, clock):
    t = world
    first = open_visit(t)
    clock.travel(first.valid_until + HOUR)
    later = timezone.now()
    response = client_for(t["office"]).post(reverse("evidence:visit_create"), form_data(t, start=later - datetime.timedelta(minutes=1)))
    assert response.status_code == 302
    assert InspectionVisit.objects.count() == 2
    assert ledger(client_for(t["inspector"]), t["dept_b"]).status_code == 200
    # And after one ended early, too.
    second = InspectionVisit.objects.exclude(pk=first.pk).get()
    actions.end_inspection_visit(t["office"], second)
    third = open_visit(t, start=later, until=later + HOUR)
    assert third.grants.count() == 1
    assert ledger(client_for(t["inspector"]), t["dept_b"]).status_code == 200


def test_an_overlapping_visit_for_the_same_person_and_unit_is_refused(world):
    t = world
    open_visit(t)
    response = client_for(t["office"]).post(reverse("evidence:visit_create"), form_data(t, members="jiancha2\njiancha1"))
    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    assert InspectionVisit.objects.count() == 1
    assert not RoleGrant.objects.filter(person=t["inspector2"]).exists()


def test_unknown_and_disabled_login_names_are_listed_alike(world):
    t = world
    account_actions.set_person_active(None, t["inspector2"], False)
    response = client_for(t["office"]).post(
        reverse("evidence:visit_create"), form_data(t, members="jiancha1，nobody\njiancha2")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["members"]
    assert [(error.code, error.params) for error in errors] == [("unknown", {"name": "nobody"}), ("unknown", {"name": "jiancha2"})]
    assert errors[0].message == errors[1].message
    assert not InspectionVisit.objects.exists()


def test_the_office_cannot_grant_units_outside_its_scope(world):
    t = world
    response = client_for(t["office"]).post(reverse("evidence:visit_create"), form_data(t, units=[t["committee"]]))
    assert response.status_code == 200 and response.context["form"].errors["units"]
    assert not InspectionVisit.objects.exists()


def test_only_holders_of_visit_change_open_or_end_visits(world):
    t = world
    visit = open_visit(t)
    for who in ("staff_a", "clerk", "sysadmin"):
        client = client_for(t[who])
        assert client.get(reverse("evidence:visit_create")).status_code == 403
        assert client.post(reverse("evidence:visit_create"), form_data(t, members="jiancha2")).status_code == 403
    # The records clerk follows the visits but cannot end them.
    clerk = client_for(t["clerk"])
    assert clerk.get(reverse("evidence:visits")).status_code == 200
    detail = clerk.get(reverse("evidence:visit_detail", args=[visit.pk]))
    assert detail.status_code == 200 and 'data-testid="visit-end"' not in detail.content.decode()
    assert clerk.post(reverse("evidence:visit_end", args=[visit.pk])).status_code == 403
    assert client_for(t["staff_a"]).get(reverse("evidence:visits")).status_code == 403
    assert InspectionVisit.objects.count() == 1 and InspectionVisit.objects.get().ended_at is None


def test_another_agencys_office_cannot_see_the_visit(world):
    t = world
    visit = open_visit(t)
    other = make_unit(name="另一市局", code="OTHER", kind=UnitKind.AGENCY)
    other_office = client_for(make_person(other, username="other_office", roles=[(Role.OFFICE, other)]))
    assert other_office.get(reverse("evidence:visit_detail", args=[visit.pk])).status_code == 404
    assert other_office.post(reverse("evidence:visit_end", args=[visit.pk])).status_code == 404
    listing = other_office.get(reverse("evidence:visits"))
    assert listing.status_code == 200 and 'data-testid="visit-row"' not in listing.content.decode()
    assert 'data-testid="open-visit"' not in workbench(other_office)
    assert 'data-testid="open-visit"' in workbench(client_for(t["office"]))
    # A county office sees the visits it granted, not those of the agency above it.
    county_office = client_for(make_person(t["county"], username="county_office", roles=[(Role.OFFICE, t["county"])]))
    assert county_office.get(reverse("evidence:visit_detail", args=[visit.pk])).status_code == 404


def test_the_visit_record_lists_only_the_teams_files_in_the_visit(world, pdf_bytes):
    t = world
    own_doc = upload(t["inspector"], t["committee"], pdf_bytes("工委"), "工委文件.pdf")
    visit = open_visit(t)
    inspector = client_for(t["inspector"])
    assert download(inspector, t["fin_doc"]).status_code == 200
    assert inspector.get(reverse("evidence:preview", args=[t["fin_doc"].version.pk])).status_code == 200
    # Not the visit's: the inspector's own unit's file, and a file the department's own staff opened.
    assert download(inspector, own_doc).status_code == 200
    assert download(client_for(t["staff_b"]), t["fin_doc"]).status_code == 200
    detail = client_for(t["office"]).get(reverse("evidence:visit_detail", args=[visit.pk]))
    entries = list(detail.context["page_obj"].object_list)
    assert sorted(entry.action for entry in entries) == ["download", "preview"]
    assert {entry.actor_id for entry in entries} == {t["inspector"].pk}
    assert "工委文件" not in detail.content.decode()
