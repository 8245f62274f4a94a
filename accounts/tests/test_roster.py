import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from accounts import permissions, roster
from accounts.models import PartyStatus, User
from accounts.roles import PERSON_EXPORT, Role
from audit.models import AuditEntry
from core.fields import matching
from mofan.testing.factories import make_person, make_unit
from organization import actions as org_actions
from organization.models import UnitKind

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "单位", "职务", "政治面貌", "手机号"]


def by_phone(*phones):
    """People by mobile number: the column is encrypted, so through its blind index."""
    return User.objects.filter(matching(User, "phone", *phones))


def xlsx_file(rows, *, header=HEADER, above=(), name="roster.xlsx"):
    """An uploaded roster: optional rows above the header (a title), the header, then ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    for row in above:
        sheet.append(row)
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def problems(result):
    return [(error.row, error.column, error.code) for error in result.errors]


def counts():
    return User.objects.count(), AuditEntry.objects.count()


def test_good_file_creates_people_with_units_status_phones_and_audit(agency_tree):
    t = agency_tree
    before = AuditEntry.objects.count()
    upload = xlsx_file(
        [
            [1, "赵  一", "AG-FIN", "科员", "中共党员", 13900000001],
            [2, "钱二", "测试县局", "副局长", "预备党员", "139 0000 0002"],
            [3, "孙三", "综合股", None, "团员", "１３９００００００03"],
            [None, None, None, None, None, None],
            [4, "李四", "ag-office", "主任科员", None, 13900000004.0],
        ]
    )
    result = roster.import_roster(t["sysadmin"], upload)
    assert problems(result) == []
    assert (result.created, result.updated) == (4, 0)
    people = {person.real_name: person for person in by_phone(*(f"1390000000{i}" for i in range(1, 10)))}
    assert set(people) == {"赵一", "钱二", "孙三", "李四"}
    assert people["赵一"].unit == t["dept_b"] and people["赵一"].party_status == PartyStatus.MEMBER
    assert people["赵一"].position == "科员" and people["赵一"].phone == "13900000001"
    assert people["钱二"].unit == t["county"] and people["钱二"].party_status == PartyStatus.PROBATIONARY
    assert people["钱二"].phone == "13900000002"
    assert people["孙三"].unit == t["county_dept"] and people["孙三"].party_status == PartyStatus.YOUTH_LEAGUE
    assert people["孙三"].phone == "13900000003"
    assert people["李四"].unit == t["dept_a"] and people["李四"].party_status == PartyStatus.MASSES
    assert not people["李四"].has_usable_password()
    entries = AuditEntry.objects.filter(pk__gt=0).order_by("id")[before:]
    assert sum(1 for entry in entries if entry.action == "create" and entry.object_type == "accounts.user") == 4
    imports = [entry for entry in entries if entry.action == "import"]
    assert len(imports) == 1 and imports[0].object_type == "accounts.user"
    assert imports[0].unit_id == t["agency"].pk


def test_reimport_updates_instead_of_duplicating(agency_tree):
    t = agency_tree
    rows = [[1, "赵一", "AG-FIN", "科员", "群众", "13900000001"], [2, "钱二", "AG-FIN", "科员", "群众", "13900000002"]]
    assert roster.import_roster(t["sysadmin"], xlsx_file(rows)).created == 2
    rows[0][2:5] = ["AG-OFFICE", "副主任", "中共党员"]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows))
    assert problems(result) == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    person = by_phone("13900000001").get()
    assert (person.unit, person.position, person.party_status) == (t["dept_a"], "副主任", PartyStatus.MEMBER)
    assert User.objects.filter(real_name="赵一").count() == 1


def test_rows_without_phone_or_login_match_by_name_and_unit(agency_tree):
    t = agency_tree
    rows = [[1, "周五", "AG-FIN", "科员", "群众", None]]
    roster.import_roster(t["sysadmin"], xlsx_file(rows))
    rows[0][5] = "13900000005"
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows))
    assert (result.created, result.updated) == (0, 1)
    assert User.objects.get(real_name="周五").phone == "13900000005"


def test_bad_file_reports_every_problem_and_changes_nothing(agency_tree):
    t = agency_tree
    make_unit(t["county"], name="办公室", code="CT-OFFICE")
    taken = t["staff_b"].phone
    before = counts()
    upload = xlsx_file(
        [
            [1, "好人", "AG-FIN", "科员", "群众", "13900000001"],
            [2, "", "AG-FIN", "科员", "群众", "13900000002"],
            [3, "王五", "不存在的科", "科员", "群众", "13900000003"],
            [4, "赵六", "办公室", "科员", "群众", "13900000004"],
            [5, "孙七", "AG-FIN", "科员", "群众", "13900000005"],
            [6, "周八", "AG-FIN", "科员", "群众", "13900000005"],
            [7, "吴九", "AG-FIN", "科员", "群众", taken],
            [8, "郑十", "AG-FIN", "科员", "群众", "1390000"],
            [9, "冯一", "AG-FIN", "科员", "党外人士", "13900000009"],
        ],
        above=[["测试市局花名册"], ["填报日期：2026年3月"]],
    )
    result = roster.import_roster(t["sysadmin"], upload)
    assert problems(result) == [
        (5, "姓名", "empty_name"),
        (6, "单位", "unknown_unit"),
        (7, "单位", "ambiguous_unit"),
        (8, "手机号", "duplicate_phone_in_file"),
        (9, "手机号", "duplicate_phone_in_file"),
        (10, "手机号", "phone_taken"),
        (11, "手机号", "invalid_phone"),
        (12, "政治面貌", "unknown_party_status"),
    ]
    assert result.errors[0].letter == "B" and result.errors[1].letter == "C"
    assert all(str(error.row) in error.message for error in result.errors)
    assert "AG-OFFICE" in result.errors[2].message and "CT-OFFICE" in result.errors[2].message
    assert (result.created, result.updated) == (0, 0)
    assert counts() == before


def test_inactive_unit_and_party_organization(agency_tree):
    t = agency_tree
    closed = make_unit(t["agency"], name="撤销科", code="AG-OLD")
    org_actions.deactivate_unit(None, closed)
    committee = make_unit(t["agency"], name="机关党委", code="AG-PC", kind=UnitKind.PARTY_COMMITTEE)
    make_unit(committee, name="第一党支部", code="AG-PB1", kind=UnitKind.PARTY_BRANCH)
    header = [*HEADER, "所在党组织"]
    rows = [
        [1, "甲", "撤销科", "", "", "13900000001", ""],
        [2, "乙", "AG-FIN", "", "", "13900000002", "财务科"],
        [3, "丙", "AG-FIN", "", "中共党员", "13900000003", "第一党支部"],
    ]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows, header=header))
    assert problems(result) == [(2, "单位", "inactive_unit"), (3, "所在党组织", "not_party_unit")]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows[2:], header=header))
    assert problems(result) == []
    assert User.objects.get(real_name="丙").party_unit.code == "AG-PB1"


def test_wrong_extension(agency_tree):
    result = roster.import_roster(agency_tree["sysadmin"], xlsx_file([[1, "甲", "AG-FIN"]], name="roster.xls"))
    assert problems(result) == [(None, "", "not_xlsx")]


def test_text_file_named_xlsx(agency_tree):
    upload = SimpleUploadedFile("roster.xlsx", "序号,姓名,单位\n1,张三,办公室\n".encode())
    result = roster.import_roster(agency_tree["sysadmin"], upload)
    assert [error.code for error in result.errors] == ["not_a_spreadsheet"]


def test_empty_workbook_and_header_without_rows(agency_tree):
    result = roster.import_roster(agency_tree["sysadmin"], xlsx_file([], header=None))
    assert [error.code for error in result.errors] == ["empty_file"]
    result = roster.import_roster(agency_tree["sysadmin"], xlsx_file([]))
    assert [error.code for error in result.errors] == ["empty_file"]


def test_missing_name_header(agency_tree):
    before = counts()
    upload = xlsx_file([[1, "AG-FIN", "13900000001"]], header=["序号", "单位", "手机号"])
    result = roster.import_roster(agency_tree["sysadmin"], upload)
    assert problems(result) == [(1, "姓名", "missing_header")]
    assert "1" in result.errors[0].message and "姓名" in result.errors[0].message
    assert counts() == before


def test_header_aliases_and_title_row(agency_tree):
    header = ["序号", "姓 名", "所在单位", "职位", "政治面貌", "手机号码"]
    upload = xlsx_file([[1, "甲", "财务科", "科员", "群众", "13900000001"]], header=header, above=[["2026年花名册"]])
    result = roster.import_roster(agency_tree["sysadmin"], upload)
    assert problems(result) == [] and result.created == 1
    assert by_phone("13900000001").get().position == "科员"


def test_size_and_row_limits(agency_tree, settings):
    rows = [[n, f"人{n}", "AG-FIN", "", "", f"139000000{n:02d}"] for n in range(1, 4)]
    settings.MOFAN_IMPORT_MAX_ROWS = 2
    assert [e.code for e in roster.import_roster(agency_tree["sysadmin"], xlsx_file(rows)).errors] == ["too_many_rows"]
    settings.MOFAN_IMPORT_MAX_ROWS = 3
    settings.MOFAN_IMPORT_MAX_BYTES = 200
    assert [e.code for e in roster.import_roster(agency_tree["sysadmin"], xlsx_file(rows)).errors] == ["too_large"]


@pytest.mark.parametrize("who", ["staff_a", "office"])
def test_people_without_change_permission_get_out_of_scope_errors(agency_tree, who):
    t = agency_tree
    before = counts()
    result = roster.import_roster(t[who], xlsx_file([[1, "甲", "AG-OFFICE", "", "", "13900000001"]]))
    assert problems(result) == [(2, "单位", "unit_out_of_scope")]
    assert counts() == before


def test_county_administrator_cannot_import_into_the_agency(agency_tree):
    t = agency_tree
    county_admin = make_person(t["county_dept"], real_name="县管理员", roles=[(Role.SYSTEM_ADMIN, t["county"])])
    rows = [
        [1, "甲", "综合股", "", "", "13900000001"],
        [2, "乙", "财务科", "", "", "13900000002"],
        [3, t["staff_b"].real_name, "综合股", "", "", t["staff_b"].phone],
    ]
    before = counts()
    result = roster.import_roster(county_admin, xlsx_file(rows))
    assert problems(result) == [(3, "单位", "unit_out_of_scope"), (4, "姓名", "person_out_of_scope")]
    assert counts() == before
    result = roster.import_roster(county_admin, xlsx_file(rows[:1]))
    assert result.created == 1 and by_phone("13900000001").get().unit == t["county_dept"]


def test_a_shared_name_resolves_to_the_only_unit_in_scope(agency_tree):
    t = agency_tree
    county_office = make_unit(t["county"], name="办公室", code="CT-OFFICE")
    county_admin = make_person(t["county_dept"], real_name="县管理员", roles=[(Role.SYSTEM_ADMIN, t["county"])])
    result = roster.import_roster(county_admin, xlsx_file([[1, "甲", "办公室", "", "", "13900000001"]]))
    assert problems(result) == []
    assert by_phone("13900000001").get().unit == county_office


def test_ambiguity_names_only_the_codes_the_actor_can_see(agency_tree):
    t = agency_tree
    make_unit(t["agency"], name="综合股", code="AG-GEN")  # the county's 综合股 has a namesake up in the agency
    staff = t["county_staff"]
    result = roster.import_roster(staff, xlsx_file([[1, "甲", "综合股", "", "", "13900000001"]]))
    assert problems(result) == [(2, "单位", "ambiguous_unit")]
    assert "CT-GEN" in result.errors[0].message and "AG-GEN" not in result.errors[0].message


def test_phone_of_someone_out_of_view_does_not_reveal_their_name(agency_tree):
    t = agency_tree
    county_admin = make_person(t["county_dept"], real_name="县管理员", roles=[(Role.SYSTEM_ADMIN, t["county"])])
    result = roster.import_roster(county_admin, xlsx_file([[1, "甲", "综合股", "", "", t["staff_b"].phone]]))
    assert problems(result) == [(2, "手机号", "phone_taken")]
    assert t["staff_b"].real_name not in result.errors[0].message


def test_login_names(agency_tree):
    t = agency_tree
    header = [*HEADER, "账号"]
    rows = [
        [1, "甲", "AG-FIN", "", "", "13900000001", "jia"],
        [2, "乙", "AG-FIN", "", "", "13900000002", "staff_a"],
        [3, "丙", "AG-FIN", "", "", "13900000003", "bad name!"],
        [4, "丁", "AG-FIN", "", "", "13900000004", "JIA"],
    ]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows, header=header))
    assert problems(result) == [
        (2, "账号", "duplicate_username_in_file"),
        (3, "账号", "username_taken"),
        (4, "账号", "invalid_username"),
        (5, "账号", "duplicate_username_in_file"),
    ]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows[:1], header=header))
    assert result.created == 1 and User.objects.get(username="jia").real_name == "甲"


def exported_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def agency_people(actor):
    return permissions.restrict(User.objects.all(), actor, perm=PERSON_EXPORT)


def test_export_then_reimport_round_trips(agency_tree):
    t = agency_tree
    make_unit(t["county"], name="办公室", code="CT-OFFICE")  # the export must stay importable despite the name
    content = roster.export_roster(agency_people(t["sysadmin"]), include_phone=True)
    rows = exported_rows(content)
    assert rows[0] == [column.label for column in roster.COLUMNS]
    assert len(rows) - 1 == User.objects.count()
    staff_a = next(row for row in rows if row[1] == "张甲")
    assert staff_a[2:10] == ["办公室", None, "中共党员", t["staff_a"].phone, None, "staff_a", "AG-OFFICE", None]
    staff_a[3] = "科长"
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows[1:], header=rows[0]))
    assert problems(result) == []
    assert (result.created, result.updated, result.unchanged) == (0, 1, len(rows) - 2)
    assert User.objects.get(pk=t["staff_a"].pk).position == "科长"


def test_masked_export_reimports_without_touching_phones(agency_tree):
    t = agency_tree
    rows = exported_rows(roster.export_roster(agency_people(t["sysadmin"]), include_phone=False))
    assert t["staff_a"].phone not in str(rows) and t["staff_a"].masked_phone in str(rows)
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows[1:], header=rows[0]))
    assert problems(result) == [] and result.created == 0
    rows[1][1], rows[1][7] = "新人", None  # a masked number cannot be given to a new person
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows[1:], header=rows[0]))
    assert problems(result) == [(2, "手机号", "invalid_phone")]


def test_export_costs_a_constant_number_of_queries(agency_tree, django_assert_max_num_queries):
    t = agency_tree
    for number in range(20):
        make_person(t["dept_b"], real_name=f"人{number}")
    with django_assert_max_num_queries(2):
        content = roster.export_roster(User.objects.all(), include_phone=True)
    assert len(exported_rows(content)) == User.objects.count() + 1


def test_template_has_the_header_and_instructions(agency_tree):
    workbook = load_workbook(io.BytesIO(roster.roster_template()))
    assert workbook.sheetnames == [roster.SHEET_TITLE, roster.INSTRUCTIONS_TITLE]
    assert [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)] == [[c.label for c in roster.COLUMNS]]
    instructions = str([list(row) for row in workbook.worksheets[1].iter_rows(values_only=True)])
    assert all(label in instructions for label in roster.PARTY_STATUS_LABELS.values())
    result = roster.import_roster(agency_tree["sysadmin"], SimpleUploadedFile("t.xlsx", roster.roster_template()))
    assert [error.code for error in result.errors] == ["empty_file"]


def roster_rows(count, *, bad_last=False):
    rows = [[n, f"新人{n}", "AG-FIN" if n % 2 else "综合股", "科员", "群众", f"137{n:08d}"] for n in range(1, count + 1)]
    if bad_last:
        rows[-1][2] = "不存在的科"
    return rows


@pytest.mark.parametrize("count", [50, 200])
def test_checking_a_file_does_not_cost_queries_per_row(agency_tree, count, django_assert_max_num_queries):
    t = agency_tree
    with django_assert_max_num_queries(8):
        result = roster.import_roster(t["sysadmin"], xlsx_file(roster_rows(count, bad_last=True)))
    assert problems(result) == [(count + 1, "单位", "unknown_unit")]


def test_checking_costs_the_same_for_50_and_200_rows(agency_tree):
    sizes = []
    for count in (50, 200):
        upload = xlsx_file(roster_rows(count, bad_last=True))
        actor = User.objects.get(pk=agency_tree["sysadmin"].pk)  # no permission cache from the last round
        with CaptureQueriesContext(connection) as queries:
            roster.import_roster(actor, upload)
        sizes.append(len(queries))
    assert sizes[0] == sizes[1]


def test_writing_costs_a_bounded_number_of_queries_per_row(agency_tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(20 + 8 * 200):
        result = roster.import_roster(agency_tree["sysadmin"], xlsx_file(roster_rows(200)))
    assert result.created == 200


def test_same_person_twice_in_the_file(agency_tree):
    t = agency_tree
    rows = [[1, "张甲", "AG-OFFICE", "科员", "", None], [2, "张甲", "办公室", "主任", "", None]]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows))
    assert problems(result) == [(2, "姓名", "duplicate_person_in_file"), (3, "姓名", "duplicate_person_in_file")]


def test_unit_code_column_wins_over_shared_names_but_must_agree(agency_tree):
    t = agency_tree
    county_office = make_unit(t["county"], name="办公室", code="CT-OFFICE")
    header = [*HEADER, "单位编码"]
    rows = [[1, "甲", "办公室", "", "", "13900000001", "CT-OFFICE"], [2, "乙", "财务科", "", "", "13900000002", "AG-OFFICE"]]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows, header=header))
    assert problems(result) == [(3, "单位", "unit_mismatch")]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows[:1], header=header))
    assert result.created == 1 and by_phone("13900000001").get().unit == county_office


def test_a_shared_party_branch_name_resolves_to_the_nearest_branch(agency_tree):
    t = agency_tree
    for parent, prefix in ((t["agency"], "AG"), (t["county"], "CT")):
        committee = make_unit(parent, name="机关党委", code=f"{prefix}-PC", kind=UnitKind.PARTY_COMMITTEE)
        make_unit(committee, name="第一党支部", code=f"{prefix}-PB1", kind=UnitKind.PARTY_BRANCH)
    rows = [[1, "甲", "综合股", "", "中共党员", "13900000001", "第一党支部"], [2, "乙", "财务科", "", "中共党员", "13900000002", "第一党支部"]]
    result = roster.import_roster(t["sysadmin"], xlsx_file(rows, header=[*HEADER, "所在党组织"]))
    assert problems(result) == []
    assert by_phone("13900000001").get().party_unit.code == "CT-PB1"
    assert by_phone("13900000002").get().party_unit.code == "AG-PB1"
