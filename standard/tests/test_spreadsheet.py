"""Import of a standard from .xlsx: all or nothing, every problem named by row and column; export round-trips."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from standard import actions, default, spreadsheet
from standard.models import Level, Method, Node, Standard

from .conftest import xlsx_file

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ["政治过硬（10分）", None, None, None, None, None, None, "维度说明", None, None, None],
    [None, "理论学习", None, 6, None, None, None, None, None, None, None],
    [None, None, "第一议题", 3, "扣分", 1, None, "缺一次扣1分", "会议纪要", "办公室", "月度"],
    [None, None, "中心组学习", "3分", "分档", None, "A好=100, B较好=80，C一般=60、D差=0", None, "学习记录", None, "季度"],
    [None, "政治生态", None, None, None, None, None, None, None, None, None],
    [None, None, "民主生活会", 4, "达标", None, None, None, None, None, "年度"],
    [None, None, "理论成果", 2, "加分", None, None, None, None, None, None],
    [None, None, "发生意识形态重大问题", 0, "一票否决", None, None, None, None, None, None],
    ["纪律过硬", "正风肃纪", "八项规定", 5, "deduct", 1, None, None, None, None, None],
    ["纪律过硬", "正风肃纪", "工作纪律", 5, "扣分制", "0.5", None, None, None, None, None],
]


def counts():
    return Standard.objects.count(), Node.objects.count()


def test_import_reads_the_office_layout(agency_tree):
    t = agency_tree
    upload = xlsx_file(GOOD_ROWS, above=[["某局模范机关创建评分细则"], []], merge=["A4:A10"])
    result = spreadsheet.import_standard(t["office"], upload, unit=t["agency"], name="评分细则")
    assert result.ok, [error.message for error in result.errors]
    standard = result.standard
    assert standard.is_draft and standard.unit == t["agency"] and result.created == 12
    nodes = {node.number: node for node in standard.nodes.all()}
    assert nodes["1"].title == "政治过硬" and nodes["1"].points == D("10") and nodes["1"].guide == "维度说明"
    assert nodes["1.1"].points == D("6")
    assert nodes["1.2"].points == D("4")  # left empty: the base items under it (bonus and veto do not count)
    assert nodes["1.1.1"].method == Method.DEDUCT and nodes["1.1.1"].per_occurrence == D("1") and nodes["1.1.1"].cadence == "monthly"
    assert nodes["1.1.2"].levels[1] == {"code": "B", "label": "较好", "percent": 80.0}
    assert [nodes[n].method for n in ("1.2.1", "1.2.2", "1.2.3")] == [Method.PASS_FAIL, Method.BONUS, Method.VETO]
    assert nodes["2"].title == "纪律过硬" and nodes["2"].points == D("10")
    assert [node.title for number, node in sorted(nodes.items()) if node.level == Level.INDICATOR] == ["理论学习", "政治生态", "正风肃纪"]
    assert standard.total_points == D("20")


def test_aliased_headers_in_another_order(agency_tree):
    t = agency_tree
    header = ["序号", "考核维度", "考核指标", "考核要点", "评分方法", "标准分", "扣分标准", "评分说明", "责任部门"]
    rows = [[1, "能力过硬", "目标任务", "年度目标完成", "达标", 5, None, "全部完成", "办公室"]]
    result = spreadsheet.import_standard(t["office"], xlsx_file(rows, header=header), unit=t["agency"], name="别名")
    assert result.ok, [error.message for error in result.errors]
    item = result.standard.nodes.get(level=Level.ITEM)
    assert (item.title, item.points, item.guide, item.lead_department) == ("年度目标完成", D("5"), "全部完成", "办公室")


BAD = [
    pytest.param([[None, None, "无指标的内容", 2, "达标"] + [None] * 6], {(2, "C")}, id="item-without-dimension"),
    pytest.param([[None, "无维度的指标", "内容", 2, "达标"] + [None] * 6], {(2, "B")}, id="indicator-without-dimension"),
    pytest.param([["维度", "指标", None, None, None, None, None, "只有说明", None, None, None],
                  [None, None, None, 3, None] + [None] * 6], {(3, "C")}, id="empty-title"),
    pytest.param([["维度", "指标", "内容", "三分", "达标"] + [None] * 6], {(2, "D")}, id="bad-points"),
    pytest.param([["维度", "指标", "内容", -1, "达标"] + [None] * 6], {(2, "D")}, id="negative-points"),
    pytest.param([["维度", "指标", "内容", 2, "酌情"] + [None] * 6], {(2, "E")}, id="unknown-method"),
    pytest.param([["维度", "指标", "内容", 2, None] + [None] * 6], {(2, "E")}, id="no-method"),
    pytest.param([["维度", "指标", "内容", 2, "扣分"] + [None] * 6], {(2, "F")}, id="deduct-without-per-occurrence"),
    pytest.param([["维度", "指标", "内容", 2, "扣分", 3] + [None] * 5], {(2, "F")}, id="deduction-above-points"),
    pytest.param([["维度", "指标", "内容", 2, "分档", None, "A=50, B=100"] + [None] * 4], {(2, "G")}, id="levels-out-of-order"),
    pytest.param([["维度", "指标", "内容", 2, "分档", None, "好坏参半"] + [None] * 4], {(2, "G")}, id="levels-unreadable"),
    pytest.param([["维度", "指标", "内容", 2, "分档"] + [None] * 6], {(2, "G")}, id="graded-without-levels"),
    pytest.param([["维度", "指标", "内容", 2, "一票否决"] + [None] * 6], {(2, "D")}, id="veto-with-points"),
    pytest.param([["维度", "指标", "内容", 2, "达标", 1] + [None] * 5], {(2, "F")}, id="per-occurrence-on-pass-fail"),
    pytest.param([["维度", "指标", "内容", 2, "达标"] + [None] * 5 + ["每周"]], {(2, "K")}, id="bad-cadence"),
    pytest.param([["维度", None, None, 5, "扣分"] + [None] * 6], {(2, "E")}, id="method-on-heading"),
]


@pytest.mark.parametrize("rows, expected", BAD)
def test_bad_rows_change_nothing_and_are_named(agency_tree, rows, expected):
    t = agency_tree
    before = counts()
    result = spreadsheet.import_standard(t["office"], xlsx_file(rows), unit=t["agency"], name="坏文件")
    assert not result.ok and result.standard is None
    assert {(error.row, error.letter) for error in result.errors} == expected, [error.message for error in result.errors]
    assert all(error.detail and error.column for error in result.errors)
    assert counts() == before


def test_every_error_of_a_file_is_reported_at_once(agency_tree):
    t = agency_tree
    rows = [row for param in BAD[3:9] for row in param.values[0]]
    result = spreadsheet.import_standard(t["office"], xlsx_file(rows), unit=t["agency"], name="坏文件")
    assert len({error.row for error in result.errors}) == 6
    assert Standard.objects.count() == 0


@pytest.mark.parametrize(
    "upload, code",
    [
        (SimpleUploadedFile("标准.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "not_xlsx"),
        (SimpleUploadedFile("标准.docx", b"PK\x03\x04"), "not_xlsx"),
        (SimpleUploadedFile("标准.xlsx", b"this is plain text"), "not_a_spreadsheet"),
        (SimpleUploadedFile("标准.xlsx", b""), "empty_file"),
        (xlsx_file([]), "empty_file"),
    ],
)
def test_files_that_are_not_a_standard_are_refused(agency_tree, upload, code):
    t = agency_tree
    result = spreadsheet.import_standard(t["office"], upload, unit=t["agency"], name="x")
    assert [error.code for error in result.errors] == [code]
    assert counts() == (0, 0)


def test_missing_columns_are_each_named(agency_tree):
    t = agency_tree
    upload = xlsx_file([["维度", "内容", 3]], header=["一级指标", "考核内容", "分值"])
    result = spreadsheet.import_standard(t["office"], upload, unit=t["agency"], name="x")
    assert [(error.code, error.column) for error in result.errors] == [("missing_header", "二级指标")]
    assert counts() == (0, 0)


def test_name_is_required_and_unique_per_unit(agency_tree, published):
    t = agency_tree
    rows = GOOD_ROWS[:4]
    assert [e.code for e in spreadsheet.import_standard(t["office"], xlsx_file(rows), unit=t["agency"]).errors] == ["no_name"]
    result = spreadsheet.import_standard(t["office"], xlsx_file(rows), unit=t["agency"], name=default.NAME)
    assert [error.code for error in result.errors] == ["name_taken"]
    assert Standard.objects.count() == 1


def test_export_then_import_round_trips_exactly(agency_tree, published):
    t = agency_tree
    content = spreadsheet.export_standard(published)
    upload = SimpleUploadedFile("导出.xlsx", content)
    result = spreadsheet.import_standard(t["office"], upload, unit=t["county"])
    assert result.ok, [error.message for error in result.errors]
    copy = result.standard
    assert (copy.name, copy.total_points, copy.note) == (published.name, published.total_points, published.note)
    fields = ["level", "number", "title", "points", *actions.NODE_FIELDS[2:]]
    assert list(copy.nodes.order_by("id").values_list(*fields)) == list(published.nodes.order_by("id").values_list(*fields))
    assert spreadsheet.export_standard(copy) and actions.problems(copy) == []


def test_import_replaces_a_draft_and_leaves_it_alone_on_error(agency_tree):
    t = agency_tree
    draft = default.build(t["office"], t["agency"], name="草稿")
    before = list(draft.nodes.values_list("title", flat=True))
    bad = spreadsheet.import_standard(t["office"], xlsx_file([["维度", "指标", "内容", "x", "达标"] + [None] * 6]), standard=draft)
    assert not bad.ok and list(draft.nodes.values_list("title", flat=True)) == before
    good = spreadsheet.import_standard(t["office"], xlsx_file(GOOD_ROWS), standard=draft)
    assert good.ok and good.standard == draft
    assert draft.nodes.count() == 12 and draft.name == "草稿"


def test_published_standards_and_other_scopes_cannot_be_imported_into(agency_tree, published):
    t = agency_tree
    with pytest.raises(ValidationError):
        spreadsheet.import_standard(t["office"], xlsx_file(GOOD_ROWS), standard=published)
    with pytest.raises(PermissionDenied):
        spreadsheet.import_standard(t["staff_a"], xlsx_file(GOOD_ROWS), unit=t["dept_a"], name="x")
    assert Standard.objects.count() == 1


def test_levels_text_round_trips():
    levels = [{"code": "A", "label": "优秀", "percent": 100.0}, {"code": "B", "label": "B", "percent": 62.5}]
    assert spreadsheet.format_levels(levels) == "A优秀=100, B=62.5"
    assert spreadsheet.read_levels(spreadsheet.format_levels(levels)) == levels
