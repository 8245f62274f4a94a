"""The rectification ledger (整改台账) .xlsx, checked column by column: one row per measure with the
problem's cells merged, a problem without measures still listed, the same filters as the page, only
what the user may see, a bounded number of queries."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.tests.conftest import build_standard
from problems import actions, ledger
from problems.models import Kind, Source

from .test_problem_pages import DAY, as_, register, today

COLUMNS = ["序号", "问题表现", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "整改进展", "完成情况", "销号情况",
           "单位", "问题来源", "对应指标"]


def _sheet(client, user, **query):
    response = as_(client, user).get(reverse("problems:ledger_xlsx"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.content)).active


def _values(sheet, row):
    return [sheet.cell(row=row, column=column).value for column in range(1, len(COLUMNS) + 1)]


def _round(centre):
    """Three problems of the planning section: two measures (one overdue, one done), none yet, signed off."""
    standard, nodes = build_standard(centre["agency"])
    guihua, planner, wencheng = centre["guihua"], centre["planner"], centre["wencheng"]
    two = register(centre, title="调研走过场", description="调研流于形式", node=nodes["a"], source=Source.SELF)
    actions.analyse(guihua, two, root_cause="宗旨意识淡化")
    late = actions.add_measure(
        guihua, two, text="制定年度调研计划", unit=centre["planning"], leader=wencheng, person=planner, deadline=today() - DAY,
    )
    done = actions.add_measure(guihua, two, text="形成调研报告", unit=centre["planning"], person=guihua, deadline=today() + 10 * DAY)
    actions.report_progress(planner, late, text="已赴三家煤矿调研")
    actions.report_progress(guihua, done, text="报告已印发", done=True)
    bare = register(centre, title="办事流程繁琐", source=Source.STAFF, found_on=today() - 30 * DAY)
    closed = register(centre, title="会议记录不全", source=Source.LIFE_MEETING, kind=Kind.ONGOING, found_on=today() - 20 * DAY)
    actions.analyse(guihua, closed, root_cause="制度不健全")
    ongoing = actions.add_measure(guihua, closed, text="长期坚持会议记录制度", unit=centre["planning"])
    actions.report_progress(guihua, ongoing, text="已建立", done=True)
    actions.submit_for_verification(guihua, closed)
    actions.sign_off(centre["liuhua"], closed)
    other = register(centre, unit_key="safety", actor_key="anquan", title="安全检查走过场", source=Source.SUPERIOR)
    return {"two": two, "late": late, "done": done, "bare": bare, "closed": closed, "other": other, "nodes": nodes}


def test_the_ledger_has_the_columns_offices_print_filled_column_by_column(client, centre):
    data = _round(centre)
    sheet = _sheet(client, centre["liuhua"], unit=centre["planning"].pk)
    day = today()
    assert sheet["A1"].value == "规划发展股问题整改台账" and "A1:M1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == f"截至{day.year}年{day.month}月{day.day}日"
    assert _values(sheet, 3) == COLUMNS
    # Ordered by date found: the problem with two measures first (found 60 days ago).
    first, second = _values(sheet, 4), _values(sheet, 5)
    assert first[:11] == [
        1, "调研走过场\n调研流于形式", "制定年度调研计划", "文成", "规划发展股", "规划股干部", (day - DAY).isoformat(),
        f"{day.isoformat()} 已赴三家煤矿调研", "逾期未完成", "未销号", "规划发展股",
    ]
    assert first[11] == data["two"].get_source_display()
    assert first[12] == f"{data['nodes']['a'].number} 第一议题"
    # The second measure: its own cells; the problem's cells are merged over both rows.
    assert second[2:9] == ["形成调研报告", None, "规划发展股", "规划股长", (day + 10 * DAY).isoformat(), f"{day.isoformat()} 报告已印发",
                           f"已完成（{day.isoformat()}）"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for letter in "ABJKLM":
        assert f"{letter}4:{letter}5" in merged
    for letter in "CDEFGHI":
        assert not any(r.startswith(f"{letter}4:") for r in merged)
    # A problem without measures is still listed, saying so.
    bare = _values(sheet, 6)
    assert bare[:2] == [2, "办事流程繁琐"] and bare[2:8] == [None] * 6 and bare[8] == "待原因剖析" and bare[9] == "未销号"
    # Ongoing rectification has no deadline; a signed-off problem says when.
    closed = _values(sheet, 7)
    assert closed[0] == 3 and closed[2] == "长期坚持会议记录制度" and closed[6] == "长期坚持"
    assert closed[9] == f"已销号（{day.isoformat()}）"
    assert sheet.max_row == 7  # the safety section's problem is not in the planning section's ledger


def test_the_ledger_follows_the_page_filters_and_the_users_scope(client, centre):
    data = _round(centre)

    def titles(sheet):
        return [sheet.cell(row=row, column=2).value.split("\n")[0] for row in range(4, sheet.max_row + 1)
                if sheet.cell(row=row, column=1).value]

    # By unit, then by date found.
    assert titles(_sheet(client, centre["liuhua"])) == ["调研走过场", "办事流程繁琐", "会议记录不全", "安全检查走过场"]
    assert titles(_sheet(client, centre["liuhua"], overdue="on")) == ["调研走过场"]
    assert titles(_sheet(client, centre["liuhua"], source=Source.LIFE_MEETING)) == ["会议记录不全"]
    assert titles(_sheet(client, centre["liuhua"], dimension=data["nodes"]["d1"].pk)) == ["调研走过场"]
    assert titles(_sheet(client, centre["anquan"])) == ["安全检查走过场"]
    assert titles(_sheet(client, centre["stranger"])) == []
    sheet = _sheet(client, centre["liuhua"], year=today().year)
    assert sheet["A1"].value == f"市煤炭事务中心{today().year}年问题整改台账"


def test_the_export_costs_the_same_for_few_or_many_problems(client, centre):
    _round(centre)
    as_(client, centre["liuhua"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("problems:ledger_xlsx")).status_code == 200
        return len(captured)

    few = queries()
    for index in range(10):
        problem = register(centre, title=f"问题{index}")
        actions.analyse(centre["guihua"], problem, root_cause="原因")
        measure = actions.add_measure(centre["guihua"], problem, text="措施", unit=centre["planning"], deadline=today())
        actions.report_progress(centre["guihua"], measure, text="进展")
    assert queries() == few


def test_rows_name_every_state_of_a_measure(centre):
    data = _round(centre)
    head, measures = next(ledger.rows([data["two"]], today=today()))
    assert head[0] == 1 and [row[8] for row in measures] == ["逾期未完成", f"已完成（{timezone.localdate().isoformat()}）"]
    assert ledger.completion_text(data["late"], today() - 2 * DAY) == "整改中"
    assert ledger.problem_number(data["two"]) == f"WT-{data['two'].found_on.year}-{data['two'].pk:04d}"
