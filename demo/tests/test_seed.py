import hashlib
import io
import os
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts import permissions
from accounts.models import RoleGrant, User
from accounts.roles import ADMIN_ROLES, PERSON_VIEW, Role
from audit.models import AuditEntry
from demo import data, seed
from demo import evidence as demo_evidence
from evidence.models import Blob, Document, Link
from organization import actions as org_actions
from organization.models import PARTY_KINDS, TITLE_ORDER, LeadingGroup, LeadingGroupMember, Unit, UnitKind
from organization.models import LeadingGroupTitle as T

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    seed.run()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Unit, User, RoleGrant, LeadingGroup, LeadingGroupMember, AuditEntry, Document, Blob, Link)
    }


PERSON_FIELDS = (
    "username", "real_name", "phone", "unit__code", "position", "party_status", "party_unit__code", "sort_order",
)
SEAT_FIELDS = ("group__unit__code", "sort_order", "person__username", "title", "duty")


def dump():
    """Everything the demo writes, by natural keys (no ids, no run-dependent times)."""
    return (
        list(Unit.objects.order_by("path").values_list("path", "code", "name", "short_name", "kind")),
        list(User.objects.order_by("username").values_list(*PERSON_FIELDS)),
        sorted(RoleGrant.objects.values_list("person__username", "role", "unit__code")),
        sorted(LeadingGroupMember.objects.values_list(*SEAT_FIELDS)),
        sorted(Document.objects.values_list("unit__code", "title", "folder", "period", "current__blob__sha256")),
    )


def test_demo_has_both_agencies_and_about_200_people(seeded):
    roots = {unit.code: unit.kind for unit in Unit.objects.get_root_nodes()}
    assert roots[data.TOBACCO] == roots[data.COAL] == UnitKind.AGENCY
    assert 180 <= User.objects.count() <= 220
    tobacco = Unit.objects.get(code=data.TOBACCO)
    kinds = defaultdict(int)
    for kind in Unit.objects.filter(path__startswith=tobacco.path).values_list("kind", flat=True):
        kinds[kind] += 1
    assert kinds[UnitKind.SUBORDINATE_UNIT] >= 5 and kinds[UnitKind.DEPARTMENT] >= 30
    assert kinds[UnitKind.PARTY_BRANCH] >= 10 and kinds[UnitKind.PARTY_GROUP] >= 10
    assert Unit.objects.filter(code__startswith=f"{data.COAL}-", kind=UnitKind.DEPARTMENT).count() >= 5
    assert Unit.objects.count() < 300


def test_party_members_belong_to_a_party_organization_of_their_own_agency(seeded):
    people = list(User.objects.select_related("unit", "party_unit"))
    members = [p for p in people if p.party_unit_id]
    assert len(members) > len(people) / 2
    for person in members:
        assert person.party_unit.kind in PARTY_KINDS
        assert person.party_unit.path[: Unit.steplen] == person.unit.path[: Unit.steplen]
    phones = [p.phone for p in people]
    assert all(phone and len(phone) == 11 for phone in phones)


def test_coal_centre_leading_group_is_the_one_in_the_speech(seeded):
    group = LeadingGroup.objects.get(unit__code=data.COAL)
    seats = list(group.members.select_related("person__unit").order_by("sort_order"))
    by_title = defaultdict(list)
    for seat in seats:
        by_title[seat.title].append(seat.person)
    assert [p.real_name for p in by_title[T.EXECUTIVE_DEPUTY]] == ["邓正"]
    assert [p.real_name for p in by_title[T.DEPUTY]] == ["文成", "张生"]
    assert [p.real_name for p in by_title[T.OFFICE_DIRECTOR]] == ["刘华"]
    assert [p.real_name for p in by_title[T.RECORDS_CLERK]] == ["周城"]
    (director,) = by_title[T.HEAD]
    assert director.unit.code == data.COAL and director.position.endswith("主任")
    # 各股室负责人为成员: exactly the heads of the centre's sections, 刘华 among them.
    section_heads = set(
        RoleGrant.objects.filter(role=Role.DEPARTMENT_HEAD, unit__code__startswith=f"{data.COAL}-").values_list(
            "person_id", flat=True
        )
    )
    sections = Unit.objects.filter(code__startswith=f"{data.COAL}-", kind=UnitKind.DEPARTMENT).count()
    assert {p.pk for p in by_title[T.MEMBER]} == section_heads and len(section_heads) == sections
    assert "刘华" in {p.real_name for p in by_title[T.MEMBER]}
    assert [TITLE_ORDER[s.title] for s in seats] == sorted(TITLE_ORDER[s.title] for s in seats)


def test_tobacco_leading_group_is_headed_by_the_party_secretary(seeded):
    group = LeadingGroup.objects.get(unit__code=data.TOBACCO)
    head = group.members.get(title=T.HEAD).person
    assert head.username == "leader" and head.position.startswith("党组书记")
    assert group.members.get(title=T.OFFICE_DIRECTOR).person.username == "office"
    assert group.members.get(title=T.RECORDS_CLERK).person.username == "clerk"


def test_every_unit_and_person_is_in_the_audit_trail(seeded):
    created = AuditEntry.objects.filter(action="create", source="command")
    assert created.filter(object_type="organization.unit").count() == Unit.objects.count()
    assert created.filter(object_type="accounts.user").count() == User.objects.count()
    assert created.filter(object_type="accounts.rolegrant").count() == RoleGrant.objects.count()


def test_second_run_writes_nothing(seeded):
    before = counts()
    assert seed.run() == dict.fromkeys(("units", "people", "grants", "leading_groups", "seats", "rounds", "evidence", "goals", "problems"), 0)
    assert counts() == before


def test_run_completes_a_partial_demo(seeded):
    before, snapshot = counts(), dump()
    org_actions.remove_leading_group_member(None, LeadingGroupMember.objects.get(person__username="zhoucheng"))
    created = seed.run()
    assert created["seats"] == 1 and sum(created.values()) == 1
    assert dump() == snapshot
    assert counts()["LeadingGroupMember"] == before["LeadingGroupMember"]


def test_every_empty_database_gets_the_same_demo(db):
    with transaction.atomic():
        seed.run()
        first = dump()
        transaction.set_rollback(True)
    assert Unit.objects.count() == 0
    seed.run()
    assert dump() == first


def test_plan_is_the_same_in_another_process():
    """Set or hash order must not leak into the plan: two interpreters with different hash seeds agree."""
    script = (
        "import django, hashlib; django.setup(); from demo.seed import build_plan; "
        "print(hashlib.sha256(repr(build_plan()).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "DJANGO_SETTINGS_MODULE": "mofan.settings"}
        command = [sys.executable, "-c", script]
        cwd = Path(settings.BASE_DIR)
        result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=True)
        digests.add(result.stdout.strip())
    assert digests == {hashlib.sha256(repr(seed.build_plan()).encode()).hexdigest()}


@override_settings(PRODUCTION=True)
def test_refused_in_production_mode(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert Unit.objects.count() == 0 and User.objects.count() == 0


def test_no_one_holds_two_administrator_roles(seeded):
    held = defaultdict(set)
    for person_id, role, code in RoleGrant.objects.filter(role__in=ADMIN_ROLES).values_list(
        "person_id", "role", "unit__code"
    ):
        held[person_id].add(role)
        assert code in (data.TOBACCO, data.COAL)
    assert all(len(roles) == 1 for roles in held.values())
    for code in (data.TOBACCO, data.COAL):
        holders = RoleGrant.objects.filter(role__in=ADMIN_ROLES, unit__code=code)
        assert set(holders.values_list("role", flat=True)) == set(ADMIN_ROLES)
        assert holders.values("person").distinct().count() == 3


def visible_codes(user):
    return set(permissions.restrict(Unit.objects.all(), user).values_list("code", flat=True))


def test_department_staff_cannot_see_another_department(seeded):
    staff = User.objects.get(username="staff")
    assert visible_codes(staff) == {f"{data.TOBACCO}-CW"}
    office = User.objects.get(username="office")
    assert not permissions.has_perm(staff, PERSON_VIEW, office)
    seen = permissions.restrict(User.objects.all(), staff).values_list("unit__code", flat=True)
    assert set(seen) == {f"{data.TOBACCO}-CW"}


def test_each_agency_office_sees_only_its_own_agency(seeded):
    tobacco = visible_codes(User.objects.get(username="office"))
    coal = visible_codes(User.objects.get(username="liuhua"))
    assert data.TOBACCO in tobacco and f"{data.TOBACCO}-LJ-YX" in tobacco
    assert coal == set(Unit.objects.filter(code__startswith=data.COAL).values_list("code", flat=True))
    assert not tobacco & coal
    county = visible_codes(User.objects.get(username="county"))
    assert county == {f"{data.TOBACCO}-LJ-YX"}


def test_inspection_access_is_time_limited_and_reopened_when_expired(seeded):
    grant = RoleGrant.objects.get(person__username="inspector", role=Role.INSPECTOR)
    assert grant.unit.code == data.TOBACCO and grant.is_current()
    assert grant.valid_until - grant.valid_from == timedelta(days=data.INSPECTION_DAYS)
    later = timezone.now() + timedelta(days=data.INSPECTION_DAYS + 1)
    assert not grant.is_current(later)
    assert seed.run(now=later)["grants"] == 1
    (renewed,) = RoleGrant.objects.filter(person__username="inspector", role=Role.INSPECTOR)
    assert renewed.is_current(later)


def test_command_prints_the_demo_logins_and_they_work(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    for username, _shows in data.DEMO_LOGINS:
        assert sum(line.startswith(f"{username} ") for line in lines) == 1
    assert len(lines) <= len(data.DEMO_LOGINS) + 6
    for username in ("staff", "liuhua", "inspector"):
        assert authenticate(username=username, password=data.DEMO_PASSWORD) is not None


def test_the_logins_say_that_administrators_set_up_a_second_factor(db, settings):
    settings.MOFAN_2FA_REQUIRED = "admins"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "系统管理员、安全管理员和审计管理员首次登录时需在手机验证器应用中绑定动态口令" in out.getvalue()


@pytest.mark.django_db
def test_the_coal_centre_round_shows_every_step():
    """Sections at every step, so each demo login has work waiting: the speech's round in progress."""
    from assessment.models import Round, ScorecardStatus
    from standard.models import StandardStatus

    seed.run()
    round_ = Round.objects.get(name="2026年度股室模范机关创建考核")
    assert round_.standard.status == StandardStatus.PUBLISHED and round_.standard.items().count() >= 40
    statuses = dict(round_.scorecards.values_list("unit__name", "status"))
    assert statuses["安全监管股"] == ScorecardStatus.REVIEWED
    assert statuses["行业管理股"] == ScorecardStatus.SUBMITTED
    assert statuses["技术服务股"] == ScorecardStatus.RETURNED
    assert statuses["办公室"] == ScorecardStatus.DRAFT
    returned = round_.scorecards.get(unit__name="技术服务股")
    assert "三会一课" in returned.return_reason


def test_the_coal_centre_has_real_evidence_files_linked_to_its_standard(seeded):
    from evidence import structure
    from evidence.uploads import inspect_upload

    documents = list(Document.objects.filter(unit__code__startswith=data.COAL).select_related("unit", "current__blob"))
    assert 10 <= len(documents) <= 20 and len(documents) == len(demo_evidence.FILES)
    assert {d.current.extension for d in documents} == {"txt", "xlsx", "png"}
    assert all(d.period.year == 2026 and d.uploaded_by.username == demo_evidence.CLERK for d in documents)
    for document in documents:  # the stored bytes pass the upload checks and match their checksum
        with document.current.blob.file.open("rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == document.current.blob.sha256
    for spec in demo_evidence.FILES:
        inspected = inspect_upload(io.BytesIO(demo_evidence.content_of(spec)), f"{spec.title}.{spec.kind}")
        assert inspected.extension == spec.kind
    centre = Unit.objects.get(code=data.COAL)
    items = {item.pk: item.number for _path, item in structure.for_unit(centre).walk()}
    linked = sorted((link.unit.code, link.document.title, items[link.target_id]) for link in Link.objects.select_related("unit", "document"))
    expected = sorted((spec.unit, spec.title, number) for spec in demo_evidence.FILES for number in spec.items)
    assert linked == expected
    assert AuditEntry.objects.filter(object_type="evidence.document", action="create").count() == len(documents)


def test_the_evidence_files_are_the_same_bytes_on_every_run():
    for spec in demo_evidence.FILES:
        assert demo_evidence.content_of(spec) == demo_evidence.content_of(spec)
