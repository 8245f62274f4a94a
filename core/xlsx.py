"""Reading uploaded .xlsx tables and writing styled ones, for every import and export.

Reading is defensive: an upload may be anything with any name, so every check turns into a
``SpreadsheetError`` with a message for the user, never a crash. Tables are found by their header
row (offices often put a title or a date above it), matched by name with aliases.
"""

import datetime
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# Real workbooks compress 5-20 times; far beyond that is a zip bomb, not a roster.
MAX_UNCOMPRESSED_RATIO = 30
ZIP_MAGIC = b"PK\x03\x04"
# Old .xls files and password-protected .xlsx files are both OLE compound documents.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SpreadsheetError(Exception):
    """A problem with the file as a whole (or its header), with a message for the user."""

    def __init__(self, code, message, *, row=None, column=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.row = row
        self.column = column


@dataclass
class ImportProblem:
    """One problem of an import: ``row`` is the Excel row number, ``column`` the header as written."""

    code: str
    detail: str
    row: int | None = None
    column: str = ""
    letter: str = ""
    index: int = -1  # column position, to list problems in reading order

    @property
    def message(self):
        values = {"row": self.row, "column": self.column, "letter": self.letter, "problem": self.detail}
        if self.row and self.letter:
            return _("Row %(row)d, column %(letter)s (%(column)s): %(problem)s") % values
        if self.row:
            return _("Row %(row)d: %(problem)s") % values
        return self.detail


def read_upload(uploaded_file, *, max_bytes=None) -> bytes:
    """The bytes of an upload, refused early when larger than the limit."""
    limit = settings.MOFAN_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    too_large = SpreadsheetError(
        "too_large",
        _("The file is larger than %(size)s MB; split it into smaller files.") % {"size": _megabytes(limit)},
    )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        buffer = bytearray()
        for chunk in uploaded_file.chunks():
            buffer += chunk
            if len(buffer) > limit:
                raise too_large
        content = bytes(buffer)
    else:
        content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise too_large
    return content


def _megabytes(limit):
    return f"{limit / (1024 * 1024):g}"


def check_extension(name: str):
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xlsx":
        return
    if suffix in {"xls", "et", "csv", "ods", "xlsm", "wps"}:
        message = _("The file %(name)s is not in .xlsx format. Open it in Excel or WPS and save it as .xlsx (Excel workbook).")
    else:
        message = _("The file %(name)s is not an Excel workbook; only .xlsx files can be imported.")
    raise SpreadsheetError("not_xlsx", message % {"name": name or "?"})


def open_workbook(uploaded_file, *, max_bytes=None):
    """A read-only workbook from an upload; raises SpreadsheetError for anything that is not one."""
    name = getattr(uploaded_file, "name", "") or ""
    check_extension(name)
    content = read_upload(uploaded_file, max_bytes=max_bytes)
    if not content:
        raise SpreadsheetError("empty_file", _("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            "not_xlsx",
            _(
                "The file is in the old .xls format or protected with a password. Open it in Excel or WPS, "
                "remove any password and save it as .xlsx."
            ),
        )
    not_a_spreadsheet = SpreadsheetError(
        "not_a_spreadsheet", _("The file %(name)s is not an Excel workbook; it cannot be read.") % {"name": name}
    )
    if not content.startswith(ZIP_MAGIC):
        raise not_a_spreadsheet
    limit = settings.MOFAN_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_a_spreadsheet from None
    if unpacked > limit * MAX_UNCOMPRESSED_RATIO:
        raise SpreadsheetError("too_large", _("The workbook holds too much data to import at once; split it."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds (KeyError for a zip without a workbook part, parse errors…).
        raise not_a_spreadsheet from None
    for worksheet in workbook.worksheets:
        # Read-only mode trusts the size a sheet declares; some programs declare it wrong, which
        # would cut rows off silently (or pad a million empty ones). Read what is really there.
        worksheet.reset_dimensions()
    return workbook


def cell_text(value, *, nfkc=False) -> str:
    """A cell as trimmed text: 13800138000.0 → "13800138000"; ``nfkc`` folds full-width characters."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    if nfkc:
        text = unicodedata.normalize("NFKC", text)
    return text.strip()


def normalize_header(value) -> str:
    """姓 名 / 姓名* / 手机号（必填）/ 手机号码(11位) all reduce to their bare name."""
    text = cell_text(value, nfkc=True)
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s*]", "", text)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def names(self):
        return (self.label, *self.aliases)


@dataclass
class Table:
    """A table found on a sheet: where its header is and which column holds what."""

    worksheet: object
    header_row: int
    columns: list[Column]
    positions: dict[str, int] = field(default_factory=dict)  # key → 0-based column index
    headers: dict[str, str] = field(default_factory=dict)  # key → header text as written

    @property
    def missing(self) -> list[Column]:
        return [column for column in self.columns if column.required and column.key not in self.positions]

    def letter(self, key) -> str:
        return get_column_letter(self.positions[key] + 1) if key in self.positions else ""

    def header(self, key) -> str:
        """The header as the user wrote it, or the canonical label for a column the file lacks."""
        if key in self.headers:
            return self.headers[key]
        return next(column.label for column in self.columns if column.key == key)

    def rows(self, *, ignore=()) -> Iterator[tuple[int, dict]]:
        """(Excel row number, {key: value}) for each data row; rows blank apart from ``ignore`` are skipped."""
        counted = [key for key in self.positions if key not in ignore]
        for number, values in enumerate(self.worksheet.iter_rows(min_row=self.header_row + 1, values_only=True), self.header_row + 1):
            record = {key: values[index] if index < len(values) else None for key, index in self.positions.items()}
            if all(cell_text(record[key]) == "" for key in counted):
                continue
            yield number, record


def _match_header(values, columns):
    """{key: (index, header text)} for the cells of one row that name a known column."""
    rank = {}
    for column in columns:
        for order, name in enumerate(column.names):
            rank.setdefault(normalize_header(name), (column.key, order))
    found = {}
    for index, value in enumerate(values):
        hit = rank.get(normalize_header(value))
        if hit is None:
            continue
        key, order = hit
        # With two columns for one field (手机 and 联系电话), the name listed first wins.
        if key not in found or order < found[key][0]:
            found[key] = (order, index, cell_text(value))
    return {key: (index, text) for key, (_order, index, text) in found.items()}


def find_table(workbook, columns: list[Column], *, scan_rows=10) -> Table:
    """The first sheet whose first ``scan_rows`` rows hold a header with every required column.

    When no sheet has all of them, the table of the first sheet is returned with its best header
    guess, and ``Table.missing`` names what is absent. A workbook without any cell is an error.
    """
    best = None
    anything = False
    for worksheet in workbook.worksheets:
        candidate = None
        for number, values in enumerate(worksheet.iter_rows(max_row=scan_rows, values_only=True), 1):
            if any(cell_text(value) for value in values):
                anything = True
            found = _match_header(values, columns)
            if found and (candidate is None or len(found) > len(candidate.positions)):
                candidate = Table(worksheet, number, columns)
                candidate.positions = {key: index for key, (index, _text) in found.items()}
                candidate.headers = {key: text for key, (_index, text) in found.items()}
        if candidate is not None and not candidate.missing:
            return candidate
        if best is None and worksheet is workbook.worksheets[0]:
            best = candidate or Table(worksheet, 0, columns)
    if not anything:
        raise SpreadsheetError("empty_file", _("The workbook is empty."))
    return best


# Writing ------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
WRAP = Alignment(wrap_text=True, vertical="top")
CAPTION_FONT = Font(bold=True, size=14)
CENTERED = Alignment(horizontal="center", vertical="center")
MIN_WIDTH, MAX_WIDTH = 6, 60
WIDTH_SAMPLE = 200


@dataclass
class Sheet:
    """One sheet to write: a bold, frozen header row and data rows (any iterable, streamed).

    ``caption`` puts a printed ledger's title in a merged row above the header. ``merges`` lists
    cell ranges ("A3:A5") to merge; the rows' iterator may still add to it while it runs, as merged
    ranges are written when the file is saved.
    """

    title: str
    headers: list[str]
    rows: Iterable = ()
    wrap: bool = False  # wrap long text (instructions), else widths follow the content
    caption: str = ""
    merges: list = field(default_factory=list)


def display_width(value) -> int:
    """Columns a value takes in Excel: CJK characters are twice as wide as Latin ones."""
    text = cell_text(value)
    longest = max((line for line in text.splitlines()), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def write_workbook(*sheets: Sheet) -> bytes:
    """An .xlsx file of the given sheets. Write-only mode keeps memory flat for big exports."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(title=sheet.title[:31]), sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(worksheet, sheet: Sheet):
    rows = iter(sheet.rows)
    # Widths must be set before the first row is written; a sample of rows is enough to size them.
    sample = [list(row) for _, row in zip(range(WIDTH_SAMPLE), rows)]
    widths = [display_width(header) for header in sheet.headers]
    for row in sample:
        for index, value in enumerate(row):
            if index < len(widths):
                widths[index] = max(widths[index], display_width(value))
    for index, width in enumerate(widths, 1):
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    # Panes are frozen before the first row is written (write-only mode needs it so).
    worksheet.freeze_panes = "A3" if sheet.caption else "A2"
    if sheet.caption:
        cell = WriteOnlyCell(worksheet, value=sheet.caption)
        cell.font = CAPTION_FONT
        cell.alignment = CENTERED
        worksheet.row_dimensions[1].height = 28
        worksheet.append([cell])
        worksheet.merged_cells.add(f"A1:{get_column_letter(max(len(sheet.headers), 1))}1")
    header_cells = []
    for header in sheet.headers:
        cell = WriteOnlyCell(worksheet, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header_cells.append(cell)
    worksheet.append(header_cells)
    for row in itertools.chain(sample, rows):
        if sheet.wrap:
            row = [_wrapped(worksheet, value) for value in row]
        worksheet.append(list(row))
    for cell_range in sheet.merges:
        worksheet.merged_cells.add(cell_range)


def _wrapped(worksheet, value):
    cell = WriteOnlyCell(worksheet, value=value)
    cell.alignment = WRAP
    return cell
