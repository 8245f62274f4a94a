"""The rectification ledger (整改台账): the filters of the ledger page and its .xlsx in the columns
offices print, one row per measure with the problem's cells merged over its measures.

Header names, 是/否-like states and the title are Chinese literals: they are a document format,
not interface text.
"""

import io

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.xlsx import HEADER_FILL, HEADER_FONT, MAX_WIDTH, MIN_WIDTH, display_width

from .actions import is_overdue, overdue_measures
from .models import Kind, Measure, MeasureUpdate, ProblemStatus

HEADERS = [
    "序号", "问题表现", "整改措施", "责任领导", "责任单位", "责任人", "整改时限", "整改进展", "完成情况", "销号情况",
    "单位", "问题来源", "对应指标",
]
# Columns of the problem (merged over its measures) and of the measure, by position in HEADERS.
PROBLEM_COLUMNS = (0, 1, 9, 10, 11, 12)
SHEET_TITLE = "整改台账"
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CELL = Alignment(wrap_text=True, vertical="center")
FIRST_DATA_ROW = 4  # title, date, header


def problem_number(problem) -> str:
    """问题编号 from the year the problem was found and its id: WT-2026-0001."""
    return f"WT-{problem.found_on.year}-{problem.pk:04d}"


def filter_problems(queryset, *, unit=None, source="", dimension=None, status="", severity="", kind="", overdue=False,
                    year=None, today=None):
    """The problems matching the ledger's filters; ``unit`` takes its whole subtree, ``dimension``
    every indicator and item under it."""
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    for field, value in (("source", source), ("status", status), ("severity", severity), ("kind", kind)):
        if value:
            queryset = queryset.filter(**{field: value})
    if dimension is not None:
        queryset = queryset.filter(Q(node=dimension) | Q(node__parent=dimension) | Q(node__parent__parent=dimension))
    if overdue:
        queryset = queryset.filter(pk__in=overdue_measures(today=today).values("problem_id"))
    if year:
        queryset = queryset.filter(found_on__year=year)
    return queryset


def with_row_figures(queryset, today=None):
    """What a row of the ledger page shows, read with the problems: unit, measure count, overdue flag."""
    late = overdue_measures(Measure.objects.filter(problem=OuterRef("pk")), today)
    return queryset.select_related("unit").annotate(measure_count=Count("measures", distinct=True), overdue=Exists(late))


def ledger_queryset(queryset):
    """Every cell of the export, fetched with the problems (a fixed number of queries)."""
    updates = MeasureUpdate.objects.order_by("at", "id")
    measures = Measure.objects.select_related("leader", "unit", "person").prefetch_related(Prefetch("updates", queryset=updates))
    return (
        queryset.select_related("unit", "node")
        .prefetch_related(Prefetch("measures", queryset=measures.order_by("position", "id")))
        .order_by("unit__path", "found_on", "id")
    )


def _day(moment):
    return timezone.localtime(moment).date().isoformat() if moment else ""


def problem_text(problem):
    return f"{problem.title}\n{problem.description}" if problem.description else problem.title


def deadline_text(problem, measure):
    if measure.deadline is not None:
        return measure.deadline.isoformat()
    return "长期坚持" if problem.kind == Kind.ONGOING else ""


def progress_text(measure):
    return "\n".join(f"{_day(update.at)} {update.text}" for update in measure.updates.all())


def completion_text(measure, today):
    if measure.done:
        return f"已完成（{_day(measure.done_at)}）"
    if is_overdue(measure, today):
        return "逾期未完成"
    return "整改中"


def sign_off_text(problem):
    """销号情况 of the problem."""
    if problem.status == ProblemStatus.SIGNED_OFF:
        return f"已销号（{_day(problem.signed_off_at)}）"
    if problem.status == ProblemStatus.SUBMITTED:
        return "待验收销号"
    if problem.send_back_reason:
        return f"验收退回：{problem.send_back_reason}"
    return "未销号"


def _name(person):
    return person.real_name if person is not None else ""


def rows(problems, today=None):
    """[(problem cells, [measure cells, …])] in the order of HEADERS; a problem without measures has
    one empty measure row saying so."""
    today = today or timezone.localdate()
    for number, problem in enumerate(problems, 1):
        node = f"{problem.node.number} {problem.node.title}" if problem.node_id else ""
        head = {
            0: number, 1: problem_text(problem), 9: sign_off_text(problem), 10: problem.unit.name,
            11: problem.get_source_display(), 12: node,
        }
        measures = []
        for measure in problem.measures.all():
            measures.append({
                2: measure.text, 3: _name(measure.leader), 4: measure.unit.name, 5: _name(measure.person),
                6: deadline_text(problem, measure), 7: progress_text(measure), 8: completion_text(measure, today),
            })
        if not measures:
            status = "待原因剖析" if problem.status == ProblemStatus.REGISTERED else "未制定措施"
            measures.append({2: "", 3: "", 4: "", 5: "", 6: "", 7: "", 8: status})
        yield head, measures


def ledger_workbook(problems, *, title, today=None) -> bytes:
    """The ledger as .xlsx: a title row, the date row, the header row, then one row per measure."""
    today = today or timezone.localdate()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    last = get_column_letter(len(HEADERS))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title
    sheet["A1"].font = TITLE_FONT
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 28
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"] = f"截至{today.year}年{today.month}月{today.day}日"
    sheet["A2"].alignment = Alignment(horizontal="right")
    widths = [display_width(header) for header in HEADERS]
    for column, header in enumerate(HEADERS, 1):
        cell = sheet.cell(row=3, column=column, value=header)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CELL
    row = FIRST_DATA_ROW
    for head, measures in rows(ledger_queryset(problems), today):
        for offset, measure in enumerate(measures):
            values = {**measure, **head} if offset == 0 else measure
            for index, value in values.items():
                sheet.cell(row=row + offset, column=index + 1, value=value)
                widths[index] = max(widths[index], display_width(value))
            for index in range(len(HEADERS)):
                cell = sheet.cell(row=row + offset, column=index + 1)
                cell.border, cell.alignment = BORDER, CELL
        if len(measures) > 1:
            for index in PROBLEM_COLUMNS:
                letter = get_column_letter(index + 1)
                sheet.merge_cells(f"{letter}{row}:{letter}{row + len(measures) - 1}")
        row += len(measures)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_title(unit_name: str, year: int | None) -> str:
    return f"{unit_name}{year}年问题整改台账" if year else f"{unit_name}问题整改台账"

