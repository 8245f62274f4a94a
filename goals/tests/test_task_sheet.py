"""A plan's task list as .xlsx: the export offices fill by hand, and the all-or-nothing import."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from goals import actions, task_sheet
from goals.models import Cadence, Goal, Task
from mofan.testing.factories import make_person

from .conftest import DEC31, JAN1

HEADER = ["序号", "目标", "任务名称", "牵头单位", "配合单位", "责任人", "开始日期", "完成时限", "产出形式", "报送周期", "权重"]
GOAL = "理论学习走深走实"


def upload(rows, name="任务清单.xlsx", header=HEADER, title="2026年任务分解表"):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])  # a title above the header, as offices write one
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def good_rows():
    return [
        ["1.1", GOAL, "县局学习计划", "YC-XJ", "党建科", "", "2026-01-01", "2026-12-31", "学习记录", "每月", 2],
        ["1.1.1", "", "综合股第一议题", "综合股", "", "综合股资料员", "2026-02-01", "2026-06-30", "会议纪要", "每周", 1],
        ["1.1.1.1", "", "三月学习", "YC-XJ-ZH", "", "", datetime.datetime(2026, 3, 1), datetime.datetime(2026, 3, 31), "", "每季度", ""],
        ["1.2", GOAL, "党建科专题党课", "YC-DJ", "YC-XJ、YC-LX", "", "", "2026年9月30日", "讲稿", "", "1.5"],
    ]


def tree_of(plan):
    """Every task of the plan as comparable tuples, in export order, with its number."""
    return [
        (
            task_sheet.number_text(item.number), item.goal.title, item.task.title, item.task.lead_unit.code,
            sorted(unit.code for unit in item.task.supporting_units.all()), item.task.owner_id,
            item.task.start_date, item.task.due_date, item.task.expected_output, item.task.cadence, item.task.weight,
        )
        for item in task_sheet.numbered_tasks(plan)
    ]


@pytest.fixture
def draft(plan):
    """A draft 2027 plan of the bureau with the same goal as the published 2026 one."""
    office = plan["office"]
    draft = actions.create_plan(office, unit=plan["agency"], year=2027, title="2027年目标计划")
    actions.add_goal(office, draft, title=GOAL, owner_unit=plan["party"])
    plan["draft"] = draft
    return plan


def problems(result):
    return [(problem.row, problem.column, problem.code) for problem in result.errors]


def test_a_good_file_creates_the_tree_three_levels_deep(plan):
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(good_rows()))
    assert result.ok, [problem.message for problem in result.errors]
    assert result.created == 4 and result.goals_created == 0
    county = Task.objects.get(title="县局学习计划", parent=None, weight=2)
    first = county.children.get()
    third = first.children.get()
    assert (first.title, first.lead_unit, first.owner, first.cadence) == ("综合股第一议题", plan["section"], plan["section_clerk"], Cadence.WEEKLY)
    assert (third.title, third.start_date, third.due_date, third.cadence, third.weight) == (
        "三月学习", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), Cadence.QUARTERLY, Decimal("1"))
    lecture = Task.objects.get(title="党建科专题党课")
    # A blank start date is 1 January of the plan's year; supporting units by code list.
    assert (lecture.start_date, lecture.due_date, lecture.weight) == (JAN1, datetime.date(2026, 9, 30), Decimal("1.5"))
    assert {unit.code for unit in lecture.supporting_units.all()} == {"YC-XJ", "YC-LX"}
    assert list(county.supporting_units.all()) == [plan["party"]]


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_created(plan):
    before = Task.objects.count()
    rows = [
        ["1.1", GOAL, "县局学习计划", "YC-XJ", "", "", "2026-01-01", "2026-12-31", "", "每月", 1],  # row 3: good
        ["1.2", GOAL, "不存在单位的任务", "不存在的科", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],  # 4
        ["1.3", GOAL, "倒置日期", "YC-DJ", "", "", "2026-06-30", "2026-01-01", "", "每月", 1],  # 5
        ["1.1.1", "", "超出上级日期", "YC-XJ-ZH", "", "", "2026-01-01", "2027-03-31", "", "每月", 1],  # 6
        ["1.4", GOAL, "未知周期", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每天", 1],  # 7
        ["1.1", GOAL, "重复编号", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],  # 8
        ["", GOAL, "缺少编号", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],  # 9
        ["1.5", GOAL, "", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],  # 10: empty title
        ["1.9.1", GOAL, "没有上级", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],  # 11
        ["1.6", GOAL, "坏日期", "YC-DJ", "", "", "2026-01-01", "下月底", "", "每月", "重"],  # 12
    ]
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows))
    assert not result.ok and result.created == 0
    assert Task.objects.count() == before
    assert problems(result) == [
        (4, "牵头单位", "unknown_unit"),
        (5, "完成时限", "rejected"),
        (6, "完成时限", "rejected"),
        (7, "报送周期", "bad_cadence"),
        (8, "序号", "duplicate_number"),
        (9, "序号", "missing_number"),
        (10, "任务名称", "required"),
        (11, "序号", "missing_parent"),
        (12, "完成时限", "bad_date"),
        (12, "权重", "bad_weight"),
    ]
    by_row = {}
    for problem in result.errors:
        by_row.setdefault(problem.row, problem)
    # add_task's own rules, in its own (Chinese) words, with the Excel column letter.
    assert by_row[5].letter == "H" and "完成时限不能早于开始日期" in by_row[5].detail
    assert "子任务的起止日期必须在上级任务的起止日期之内" in by_row[6].detail
    assert "不存在的科" in by_row[4].detail and "每天" in by_row[7].detail and "下月底" in by_row[12].detail
    assert "1.1" in by_row[8].detail and "3" in by_row[8].detail  # the duplicate names the first row
    assert "1.9" in by_row[11].detail


def test_a_weight_out_of_range_comes_back_from_add_task_on_its_column(plan):
    rows = [["1.1", GOAL, "权重不对", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 5000]]
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows))
    assert problems(result) == [(3, "权重", "rejected")]
    assert not Task.objects.filter(title="权重不对").exists()


def test_a_child_of_a_bad_row_says_so(plan):
    rows = [
        ["1.1", GOAL, "父任务", "不存在的科", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],
        ["1.1.1", "", "子任务", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],
    ]
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows))
    assert problems(result) == [(3, "牵头单位", "unknown_unit"), (4, "序号", "parent_failed")]


def test_owner_is_a_person_of_the_plans_unit_as_through_the_api(plan):
    """The responsible person may be outside the lead unit (a leader in charge above it), as the API
    and the pages allow; so an exported list imports again."""
    rows = [["1.1", GOAL, "党建任务", "YC-DJ", "", "查无此人", "2026-01-01", "2026-06-30", "", "每月", 1]]
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows))
    assert problems(result) == [(3, "责任人", "unknown_owner")]
    rows[0][5] = "综合股资料员"
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows))
    assert result.ok and Task.objects.get(title="党建任务").owner.real_name == "综合股资料员"


def test_goals_unknown_to_a_published_plan_are_errors_and_created_on_a_draft(draft):
    rows = [["1.1", "新目标", "新任务", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1]]
    published = task_sheet.import_tasks(draft["office"], draft["plan"], upload(rows))
    assert problems(published) == [(3, "目标", "unknown_goal")]
    assert not Goal.objects.filter(title="新目标").exists()
    result = task_sheet.import_tasks(draft["office"], draft["draft"], upload(rows))
    assert result.ok and (result.created, result.goals_created) == (1, 1)
    goal = Goal.objects.get(title="新目标")
    assert (goal.plan, goal.owner_unit) == (draft["draft"], draft["agency"])


def test_rows_of_one_goal_number_must_name_one_goal(draft):
    actions.add_goal(draft["office"], draft["draft"], title="第二个目标", owner_unit=draft["party"])
    rows = [
        ["1", GOAL, "", "", "", "", "", "", "", "", ""],  # a goal heading row
        ["1.1", "", "继承目标的任务", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],
        ["1.2", "第二个目标", "目标不一致", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1],
    ]
    result = task_sheet.import_tasks(draft["office"], draft["draft"], upload(rows))
    assert problems(result) == [(5, "目标", "goal_mismatch")]
    result = task_sheet.import_tasks(draft["office"], draft["draft"], upload(rows[:2]))
    assert result.ok and Task.objects.get(title="继承目标的任务").goal.title == GOAL


@pytest.mark.parametrize(("name", "content", "code"), [
    ("任务清单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "not_xlsx"),
    ("任务清单.csv", "序号,目标\n1.1,x\n".encode(), "not_xlsx"),
    ("任务清单.xlsx", b"PK\x03\x04 this is not really a zip", "not_a_spreadsheet"),
    ("任务清单.xlsx", b"%PDF-1.7 a pdf renamed", "not_a_spreadsheet"),
    ("任务清单.xlsx", b"", "empty_file"),
])
def test_files_that_are_not_workbooks_are_refused(plan, name, content, code):
    result = task_sheet.import_tasks(plan["office"], plan["plan"], SimpleUploadedFile(name, content))
    assert [problem.code for problem in result.errors] == [code]
    assert result.errors[0].detail and Task.objects.count() == 1


def test_too_big_and_too_long_files_are_refused(plan, settings):
    settings.MOFAN_IMPORT_MAX_ROWS = 3
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(good_rows()))
    assert [problem.code for problem in result.errors] == ["too_many_rows"]
    settings.MOFAN_IMPORT_MAX_ROWS = 100
    settings.MOFAN_IMPORT_MAX_BYTES = 500
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload(good_rows()))
    assert [problem.code for problem in result.errors] == ["too_large"]
    assert Task.objects.count() == 1


def test_a_file_without_the_required_headers_is_refused(plan):
    result = task_sheet.import_tasks(plan["office"], plan["plan"], upload([["1.1", "x"]], header=["序号", "任务名称"]))
    assert {problem.column for problem in result.errors} == {"目标", "牵头单位", "完成时限"}
    assert {problem.code for problem in result.errors} == {"missing_header"}


def test_export_numbers_the_tree_and_shows_progress_and_light(plan):
    office = plan["office"]
    county_task = plan["county_task"]
    child = actions.add_task(office, plan["goal"], parent=county_task, title="综合股学习", lead_unit=plan["section"],
                             start_date=JAN1, due_date=datetime.date(2026, 6, 30), cadence=Cadence.WEEKLY)
    actions.add_task(office, plan["goal"], parent=child, title="三月学习", lead_unit=plan["section"],
                     start_date=datetime.date(2026, 3, 1), due_date=datetime.date(2026, 3, 31))
    withdrawn = actions.add_task(office, plan["goal"], title="撤销的任务", lead_unit=plan["party"], start_date=JAN1, due_date=DEC31)
    actions.withdraw_task(office, withdrawn, reason="合并")
    actions.add_task(office, plan["goal"], title="党建科任务", lead_unit=plan["party"], start_date=JAN1, due_date=DEC31,
                     owner=plan["party_staff"], weight="3")
    content = task_sheet.export_tasks(plan["plan"], today=datetime.date(2026, 5, 1))
    book = load_workbook(io.BytesIO(content))
    sheet = book["任务清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER + ["进度%", "状态", "红黄绿灯"]
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [
        ("1.1", "县局理论学习", "某县烟草专卖局"), ("1.1.1", "综合股学习", "综合股"), ("1.1.1.1", "三月学习", "综合股"),
        ("1.2", "党建科任务", "党建科"),
    ]
    assert rows[1][4] == "党建科" and rows[4][5] == "党建科干事" and rows[4][10] == 3
    assert rows[2][9] == "每周" and rows[1][9] == "每月"
    # The sub-sub-task is overdue on 1 May: red; nothing has been reported on the others for months.
    assert rows[3][13] == "红灯" and rows[4][13] == "黄灯"
    assert rows[1][11] == 0 and rows[1][12] == "已下达"
    assert sheet.freeze_panes == "A2" and "填写说明" in book.sheetnames


def test_export_then_import_into_a_fresh_draft_round_trips(draft):
    office = draft["office"]
    goal, county_task = draft["goal"], draft["county_task"]
    clerk = draft["section_clerk"]
    child = actions.add_task(office, goal, parent=county_task, title="综合股学习", lead_unit=draft["section"], owner=clerk,
                             start_date=datetime.date(2026, 2, 1), due_date=datetime.date(2026, 6, 30), cadence=Cadence.WEEKLY,
                             expected_output="学习记录", weight="2.5", supporting_units=[draft["party"]])
    actions.add_task(office, goal, parent=child, title="三月学习", lead_unit=draft["section"],
                     start_date=datetime.date(2026, 3, 1), due_date=datetime.date(2026, 3, 31), cadence=Cadence.QUARTERLY)
    actions.add_task(office, goal, title="党建科任务", lead_unit=draft["party"], start_date=JAN1, due_date=DEC31,
                     supporting_units=[draft["county"], draft["other_county"]])
    content = task_sheet.export_tasks(draft["plan"])
    result = task_sheet.import_tasks(office, draft["draft"], SimpleUploadedFile("导出.xlsx", content))
    assert result.ok, [problem.message for problem in result.errors]
    assert result.created == 4
    assert tree_of(draft["draft"]) == tree_of(draft["plan"])
    assert tree_of(draft["draft"])[1][5] == clerk.pk


# Pages -------------------------------------------------------------------------------------------


def test_the_office_imports_through_the_page(client, plan):
    client.force_login(plan["office"])
    url = reverse("goals:plan_tasks_import", args=[plan["plan"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "序号" in page.content.decode()
    response = client.post(url, {"file": upload(good_rows())})
    assert response.status_code == 302 and response["Location"] == plan["plan"].get_absolute_url()
    assert Task.objects.count() == 5
    bad = client.post(url, {"file": upload([["1.1", GOAL, "x", "不存在的科", "", "", "2026-01-01", "2026-02-01", "", "", ""]])})
    html = bad.content.decode()
    assert bad.status_code == 200 and 'data-testid="import-errors"' in html and "不存在的科" in html
    refused = client.post(url, {"file": SimpleUploadedFile("名单.docx", b"PK\x03\x04")})
    assert 'data-testid="import-errors"' in refused.content.decode() and Task.objects.count() == 5


def test_import_and_export_pages_check_scope(client, plan):
    county_plan = actions.create_plan(plan["county_office"], unit=plan["county"], year=2026, title="县局2026年计划")
    import_url = reverse("goals:plan_tasks_import", args=[plan["plan"].pk])
    # The county office reads the bureau's plan but may not change it.
    client.force_login(plan["county_office"])
    assert client.get(import_url).status_code == 403
    assert client.post(import_url, {"file": upload(good_rows())}).status_code == 403
    # Another county bureau does not see this county's plan at all.
    client.force_login(plan["other_office"])
    assert client.get(reverse("goals:plan_tasks_import", args=[county_plan.pk])).status_code == 404
    assert client.get(reverse("goals:plan_tasks_xlsx", args=[county_plan.pk])).status_code == 404
    assert Task.objects.count() == 1


def test_a_reader_below_the_plan_exports_only_the_tasks_they_see(client, plan):
    actions.add_task(plan["office"], plan["goal"], title="党建科任务", lead_unit=plan["party"], start_date=JAN1, due_date=DEC31)
    other = make_person(plan["other_county"], real_name="另一县局干事")
    client.force_login(other)
    response = client.get(reverse("goals:plan_tasks_xlsx", args=[plan["plan"].pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content))["任务清单"].iter_rows(values_only=True))
    assert rows[1:] == []
    client.force_login(plan["office"])
    response = client.get(reverse("goals:plan_tasks_xlsx", args=[plan["plan"].pk]))
    rows = list(load_workbook(io.BytesIO(response.content))["任务清单"].iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["县局理论学习", "党建科任务"]


def test_the_same_list_imported_twice_does_not_double_the_tasks(plan):
    rows = [["1.1", GOAL, "重复导入的任务", "YC-DJ", "", "", "2026-01-01", "2026-06-30", "", "每月", 1]]
    assert task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows)).ok
    again = task_sheet.import_tasks(plan["office"], plan["plan"], upload(rows))
    assert problems(again) == [(3, "任务名称", "task_exists")]
    assert Task.objects.filter(title="重复导入的任务").count() == 1
