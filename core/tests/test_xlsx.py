import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from core import xlsx
from core.xlsx import Column, Sheet, SpreadsheetError

COLUMNS = [
    Column("name", "姓名", ("名字",), required=True),
    Column("phone", "手机号", ("手机", "联系电话")),
    Column("unit", "单位", ("所在单位",), required=True),
]


def workbook_bytes(*sheets):
    """An .xlsx file; each sheet is a list of rows (a sheet given as a dict maps title → rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, rows in enumerate(sheets):
        worksheet = workbook.create_sheet(f"Sheet{index + 1}")
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content, name="people.xlsx"):
    return SimpleUploadedFile(name, content)


def error_code(uploaded, **kwargs):
    with pytest.raises(SpreadsheetError) as caught:
        xlsx.open_workbook(uploaded, **kwargs)
    return caught.value.code


@pytest.mark.parametrize("name", ["people.xls", "people.csv", "people.docx", "people"])
def test_other_extensions_are_refused(name):
    assert error_code(upload(workbook_bytes([["姓名"]]), name)) == "not_xlsx"


def test_a_text_file_named_xlsx_is_not_a_spreadsheet():
    assert error_code(upload("姓名,单位\n张三,办公室\n".encode())) == "not_a_spreadsheet"


def test_a_pdf_named_xlsx_is_not_a_spreadsheet():
    assert error_code(upload(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF")) == "not_a_spreadsheet"


def test_a_zip_without_a_workbook_is_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert error_code(upload(buffer.getvalue())) == "not_a_spreadsheet"


def test_a_truncated_workbook_is_not_a_spreadsheet():
    content = workbook_bytes([["姓名", "单位"], ["张三", "办公室"]])
    assert error_code(upload(content[: len(content) // 2])) == "not_a_spreadsheet"


def test_an_old_xls_renamed_to_xlsx_is_told_to_save_as_xlsx():
    assert error_code(upload(xlsx.OLE_MAGIC + b"\0" * 512)) == "not_xlsx"


def test_empty_upload():
    assert error_code(upload(b"")) == "empty_file"


def test_size_limit(settings):
    content = workbook_bytes([["姓名", "单位"]])
    settings.MOFAN_IMPORT_MAX_BYTES = len(content) - 1
    assert error_code(upload(content)) == "too_large"
    settings.MOFAN_IMPORT_MAX_BYTES = len(content)
    assert xlsx.open_workbook(upload(content)) is not None


def test_a_zip_bomb_is_refused(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    settings.MOFAN_IMPORT_MAX_BYTES = 100_000
    assert len(buffer.getvalue()) < 100_000
    assert error_code(upload(buffer.getvalue())) == "too_large"


def open_table(*sheets):
    return xlsx.find_table(xlsx.open_workbook(upload(workbook_bytes(*sheets))), COLUMNS)


def test_header_below_a_title_and_aliases():
    table = open_table([["2026年花名册"], [], ["序号", "名 字", "所在单位*", "手机号码（11位）", "联系电话"], [1, "张三", "办公室", "x", 13800138000]])
    assert table.header_row == 3
    assert table.positions == {"name": 1, "unit": 2, "phone": 4}
    assert table.headers["name"] == "名 字" and table.letter("unit") == "C"
    assert list(table.rows()) == [(4, {"name": "张三", "unit": "办公室", "phone": 13800138000})]


def test_a_sheet_that_declares_the_wrong_size_is_read_in_full():
    source = io.BytesIO(workbook_bytes([["姓名", "单位"], ["张三", "办公室"], ["李四", "财务科"]]))
    patched = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(patched, "w") as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                # openpyxl writes "<dimension .../>" with lxml and "<dimension ... />" without it.
                data, count = re.subn(rb'<dimension ref="A1:B3"\s*/>', b'<dimension ref="A1:A1"/>', data)
                assert count == 1
            copy.writestr(item, data)
    table = xlsx.find_table(xlsx.open_workbook(upload(patched.getvalue())), COLUMNS)
    assert [values for _number, values in table.rows()] == [{"name": "张三", "unit": "办公室"}, {"name": "李四", "unit": "财务科"}]


def test_the_first_listed_name_wins_when_two_columns_mean_the_same():
    table = open_table([["姓名", "单位", "联系电话", "手机"]])
    assert table.positions["phone"] == 3


def test_rows_skip_blank_rows_and_rows_blank_apart_from_ignored_columns():
    table = open_table(
        [["姓名", "单位", "手机号"], ["张三", "办公室", None], [None, None, None], ["  ", None, None], [None, None, "x"], ["李四", "财务科", None]]
    )
    assert [number for number, _values in table.rows()] == [2, 5, 6]
    assert [number for number, _values in table.rows(ignore=("phone",))] == [2, 6]


def test_missing_required_column_is_named():
    table = open_table([["姓名", "手机号"], ["张三", "13800138000"]])
    assert [column.label for column in table.missing] == ["单位"]
    assert table.header_row == 1


def test_no_header_at_all():
    table = open_table([["hello", "world"], ["张三", "办公室"]])
    assert {column.label for column in table.missing} == {"姓名", "单位"}


def test_header_on_a_later_sheet_is_found():
    table = open_table([["说明"], ["请填写第二页"]], [["姓名", "单位"], ["张三", "办公室"]])
    assert table.worksheet.title == "Sheet2"
    assert not table.missing


def test_a_workbook_without_cells_is_empty():
    with pytest.raises(SpreadsheetError) as caught:
        open_table([])
    assert caught.value.code == "empty_file"


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (13800138000, "13800138000"),
        (13800138000.0, "13800138000"),
        (1.38e10, "13800000000"),
        (2.5, "2.5"),
        ("  张三 ", "张三"),
    ],
)
def test_cell_text(value, text):
    assert xlsx.cell_text(value) == text


def test_cell_text_folds_full_width_characters_on_request():
    assert xlsx.cell_text("１３８００１３８０００", nfkc=True) == "13800138000"
    assert xlsx.cell_text("１３８") == "１３８"


def test_written_workbook_has_bold_frozen_header_and_widths():
    rows = ([index, "测试单位" * 3, "x"] for index in range(1, 301))
    content = xlsx.write_workbook(Sheet("名单", ["序号", "单位", "备注"], rows), Sheet("说明", ["项目"], [["很长的说明" * 30]], wrap=True))
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["名单"]
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == ["序号", "单位", "备注"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 301 and sheet["B301"].value == "测试单位" * 3
    # CJK text is twice as wide as Latin text.
    assert sheet.column_dimensions["B"].width >= 24 > sheet.column_dimensions["C"].width
    notes = workbook["说明"]
    assert notes.column_dimensions["A"].width == xlsx.MAX_WIDTH
    assert notes["A2"].alignment.wrap_text
