"""A standard (评分细则) imported from and exported to .xlsx in the layout offices use.

One row per scoring item; 一级指标 and 二级指标 are written once and left blank (or merged) below,
or repeated on every row. A row with no 考核内容 is a heading: it starts a dimension or an indicator
and may give its points; left out, a heading's points are the sum of the base points under it.
An import is all or nothing: every row is read and checked first and every problem is reported with
its row and column; only a clean file is written, in one transaction, through the standard actions.
Header names and method words are Chinese literals: they are a file format, not interface text.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import STANDARD_CHANGE
from core import xlsx
from core.events import log_event
from core.xlsx import Column, ImportProblem, Sheet, SpreadsheetError, cell_text

from . import actions
from .models import Cadence, Level, Method, Standard, StandardStatus
from .scoring import Tree

COLUMNS = [
    Column("dimension", "一级指标", ("一级指标名称", "考核维度", "维度", "考核类别"), required=True),
    Column("indicator", "二级指标", ("二级指标名称", "考核指标", "考核项目"), required=True),
    Column("title", "考核内容", ("考核要点", "评分项", "考核内容及要求", "具体内容", "三级指标"), required=True),
    Column("points", "分值", ("分数", "标准分", "满分", "分值（分）")),
    Column("method", "评分方法", ("计分方法", "评分方式", "计分方式")),
    Column("per_occurrence", "每次扣分", ("每项扣分", "单次扣分", "扣分标准")),
    Column("levels", "分档", ("评分档次", "档次", "分档标准")),
    Column("guide", "评分标准", ("评分说明", "评分细则", "评分办法")),
    Column("evidence_required", "佐证材料", ("佐证资料", "印证材料", "台账资料", "所需材料")),
    Column("lead_department", "牵头部门", ("责任部门", "牵头单位", "责任单位", "牵头股室")),
    Column("cadence", "报送周期", ("报送频次", "周期", "报送时间")),
]
SHEET_TITLE = "评分细则"
INFO_TITLE = "标准信息"
INFO_NAME, INFO_TOTAL, INFO_NOTE = "标准名称", "满分", "说明"

METHOD_LABELS = {
    Method.DEDUCT: "扣分",
    Method.BONUS: "加分",
    Method.GRADED: "分档",
    Method.PASS_FAIL: "达标",
    Method.VETO: "一票否决",
}
_METHOD_VARIANTS = {
    Method.DEDUCT: "扣分制 扣分项 按次扣分",
    Method.BONUS: "加分项 加分制",
    Method.GRADED: "分档评分 档次 等次 分级",
    Method.PASS_FAIL: "达标制 是否达标 合格 达标评分",
    Method.VETO: "否决 一票否决项 否决项",
}
METHOD_BY_TEXT = {
    text: method
    for method, variants in _METHOD_VARIANTS.items()
    for text in (METHOD_LABELS[method], method.value, *variants.split())
}
CADENCE_LABELS = {Cadence.MONTHLY: "月度", Cadence.QUARTERLY: "季度", Cadence.YEARLY: "年度"}
CADENCE_BY_TEXT = {
    "": "", "无": "", "不定期": "", "随时": "",
    **{text: cadence for cadence, words in {
        Cadence.MONTHLY: "月度 每月 按月 monthly",
        Cadence.QUARTERLY: "季度 每季度 按季 按季度 quarterly",
        Cadence.YEARLY: "年度 每年 按年 yearly",
    }.items() for text in words.split()},
}
# "政治过硬（20分）" as offices often title a merged dimension cell.
TITLE_POINTS_RE = re.compile(r"^(?P<title>.+?)\s*[(（]\s*(?P<points>\d+(?:\.\d+)?)\s*分\s*[)）]$")
ITEM_ONLY = ("method", "per_occurrence", "levels", "cadence")


StandardError = ImportProblem  # the shared shape of an import problem (core.xlsx)


@dataclass
class ImportResult:
    standard: Standard | None = None
    created: int = 0
    errors: list[StandardError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class _Node:
    level: int
    row: int
    data: dict
    points_given: bool
    children: list = field(default_factory=list)


def _number(text):
    text = text.removesuffix("分").removesuffix("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def format_levels(levels) -> str:
    """Levels as offices write them: "A好=100, B较好=75"; the code alone when there is no label."""
    parts = []
    for level in levels:
        label = level["label"] if level["label"] != level["code"] else ""
        parts.append(f"{level['code']}{label}={Decimal(str(level['percent'])).normalize():f}")
    return ", ".join(parts)


def read_levels(text) -> list:
    """The reverse of ``format_levels``, checked."""
    return actions.clean_levels(actions.parse_levels(text))


class _Reader:
    """Reads and checks every row of the table, collecting every problem."""

    def __init__(self, table):
        self.table = table
        self.errors: list[StandardError] = []
        self.dimensions: list[_Node] = []

    def error(self, row, key, code, detail):
        self.errors.append(StandardError(
            code, detail, row=row, column=self.table.header(key), letter=self.table.letter(key),
            index=self.table.positions.get(key, -1),
        ))

    def read(self):
        dimension = indicator = None
        for number, record in self.table.rows():
            text = {key: cell_text(value, nfkc=key in ("points", "per_occurrence", "method", "cadence")) for key, value in record.items()}
            dim_text, ind_text, title = text.get("dimension", ""), text.get("indicator", ""), text.get("title", "")
            if dim_text and (dimension is None or self._title_of(dim_text) != dimension.data["title"] or not (ind_text or title)):
                dimension = self._heading(Level.DIMENSION, number, dim_text, text if not (ind_text or title) else {})
                self.dimensions.append(dimension)
                indicator = None
            if ind_text and (indicator is None or self._title_of(ind_text) != indicator.data["title"] or not title):
                if dimension is None:
                    self.error(number, "indicator", "no_dimension", _("This indicator has no 一级指标 above it; fill in the 一级指标."))
                    continue
                indicator = self._heading(Level.INDICATOR, number, ind_text, text if not title else {})
                dimension.children.append(indicator)
            if title:
                if indicator is None:
                    self.error(number, "title", "no_indicator", _("This item has no 二级指标 above it; fill in the 二级指标."))
                    continue
                item = self._item(number, text)
                if item:
                    indicator.children.append(item)
            elif not (dim_text or ind_text):
                self.error(number, "title", "empty_title", _("The 考核内容 is empty; every row needs one (or a 一级指标 or 二级指标 heading)."))
        for dimension in self.dimensions:
            for indicator in dimension.children:
                self._default_points(indicator)
            self._default_points(dimension)

    @staticmethod
    def _title_of(text):
        match = TITLE_POINTS_RE.match(text)
        return match["title"] if match else text

    def _heading(self, level, number, title_text, text):
        """A dimension or indicator; ``text`` is the row when the row is its own heading, else empty."""
        key = "dimension" if level == Level.DIMENSION else "indicator"
        data = {"title": self._title_of(title_text)}
        match = TITLE_POINTS_RE.match(title_text)
        points_text = text.get("points", "") or (match["points"] if match else "")
        for name in ITEM_ONLY:
            if text.get(name):
                self.error(number, name, "item_only", _("Only a scoring item (a row with 考核内容) has this column; clear it on a heading row."))
        for name in ("guide", "evidence_required", "lead_department"):
            data[name] = text.get(name, "")
        node = _Node(level, number, data, points_given=bool(points_text))
        if points_text:
            data["points"] = self._points(number, "points" if text.get("points") else key, points_text)
        self._clean(node, key)
        return node

    def _points(self, number, key, value):
        points = _number(value)
        if points is None or points < 0:
            self.error(number, key, "bad_points", _("%(value)s is not a number of points.") % {"value": value})
            return Decimal("0")
        return points

    def _item(self, number, text):
        data = {name: text.get(name, "") for name in ("title", "guide", "evidence_required", "lead_department")}
        failed = len(self.errors)
        if text.get("points"):
            data["points"] = self._points(number, "points", text["points"])
        method_text = text.get("method", "")
        method = METHOD_BY_TEXT.get(method_text.lower())
        if method is None:
            known = "、".join(METHOD_LABELS.values())
            detail = (_("Fill in the scoring method: one of %(methods)s.") if not method_text else
                      _("Unknown scoring method %(value)s; write one of %(methods)s.")) % {"value": method_text, "methods": known}
            self.error(number, "method", "bad_method", detail)
        data["method"] = method
        if text.get("per_occurrence"):
            if method and method != Method.DEDUCT:
                self.error(number, "per_occurrence", "not_deduct", _("Only a deduct item has a deduction per occurrence."))
            data["per_occurrence"] = self._points(number, "per_occurrence", text["per_occurrence"])
        if text.get("levels"):
            if method and method != Method.GRADED:
                self.error(number, "levels", "not_graded", _("Only a graded item has levels."))
            try:
                data["levels"] = read_levels(text["levels"])
            except ValidationError as error:
                self.error(number, "levels", "bad_levels", " ".join(error.messages))
        cadence = CADENCE_BY_TEXT.get(text.get("cadence", "").lower())
        if cadence is None:
            self.error(number, "cadence", "bad_cadence", _("Write the cadence as 月度, 季度, 年度 or leave it empty."))
        data["cadence"] = cadence or ""
        if len(self.errors) > failed:
            return None
        node = _Node(Level.ITEM, number, data, points_given=True)
        return node if self._clean(node, "title") else None

    def _clean(self, node, title_key):
        """The action's own rules for the node (deduct without a deduction, veto with points…)."""
        try:
            node.data = actions.clean_node(node.level, node.data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = title_key if name in ("title", "__all__") else name
                for message in messages:
                    self.error(node.row, key, "invalid", message)
            return False
        return True

    @staticmethod
    def _default_points(node):
        if not node.points_given:
            node.data["points"] = sum(
                (child.data["points"] for child in node.children
                 if child.level != Level.ITEM or child.data["method"] not in (Method.BONUS, Method.VETO)),
                Decimal("0"),
            )


def _read_info(workbook):
    """Name, full marks and note from the second sheet the export writes, when the file has it."""
    info = {}
    if INFO_TITLE in workbook.sheetnames:
        for values in workbook[INFO_TITLE].iter_rows(max_row=10, values_only=True):
            if len(values) >= 2:
                info[cell_text(values[0], nfkc=True)] = cell_text(values[1])
    return info


def import_standard(actor, uploaded_file, *, unit=None, name="", standard=None) -> ImportResult:
    """Creates a draft standard of ``unit`` from an .xlsx file, or replaces the contents of the
    draft ``standard``; any problem in the file changes nothing."""
    if standard is not None:
        if actor is not None:
            permissions.require(actor, STANDARD_CHANGE, standard)
        if standard.status != StandardStatus.DRAFT:
            raise ValidationError(_("A published standard cannot be changed; create a new version to change it."))
        unit = standard.unit
    elif actor is not None:
        permissions.require(actor, STANDARD_CHANGE, unit)
    result = ImportResult()
    try:
        workbook = xlsx.open_workbook(uploaded_file)
    except SpreadsheetError as error:
        result.errors.append(StandardError(error.code, error.message))
        return result
    try:
        reader, info = _read(workbook, result)
    except SpreadsheetError as error:
        result.errors.append(StandardError(error.code, error.message))
        return result
    finally:
        workbook.close()
    name = (name or info.get(INFO_NAME, "")).strip() if standard is None else standard.name
    total = None
    if info.get(INFO_TOTAL):
        total = _number(info[INFO_TOTAL])
        if total is None or total <= 0:
            result.errors.append(StandardError("bad_total", _("The full marks %(value)s on the sheet %(sheet)s is not a number above 0.")
                                               % {"value": info[INFO_TOTAL], "sheet": INFO_TITLE}))
    elif standard is None:
        total = sum((dimension.data["points"] for dimension in reader.dimensions), Decimal("0")) or Decimal("100")
    if standard is None:
        if not name:
            result.errors.append(StandardError("no_name", _("Give the standard a name.")))
        elif Standard.objects.filter(unit=unit, name=name).exists():
            result.errors.append(StandardError(
                "name_taken", _("This unit already has a standard with this name; create a new version of it instead.")))
    if result.errors:
        return result
    try:
        result.standard = _write(actor, reader.dimensions, result, unit=unit, name=name, total=total,
                                 note=info.get(INFO_NOTE, ""), standard=standard, filename=getattr(uploaded_file, "name", ""))
    except (ValidationError, PermissionDenied) as error:
        # Only a change made by someone else between the check and the write gets here.
        result.created = 0
        messages = error.messages if isinstance(error, ValidationError) else [_("You may not change this standard.")]
        result.errors.extend(StandardError("rejected", message) for message in messages)
    return result


def _read(workbook, result):
    table = xlsx.find_table(workbook, COLUMNS)
    for column in table.missing:
        result.errors.append(StandardError(
            "missing_header", _("The header row has no column %(column)s.") % {"column": column.label},
            row=table.header_row or None, column=column.label,
        ))
    info = _read_info(workbook)
    if table.missing:
        return _Reader(table), info
    reader = _Reader(table)
    reader.read()
    result.errors.extend(sorted(reader.errors, key=lambda error: (error.row or 0, error.index)))
    if not reader.dimensions and not reader.errors:
        raise SpreadsheetError("empty_file", _("The file has no indicators under the header row."))
    return reader, info


def _write(actor, dimensions, result, *, unit, name, total, note, standard, filename):
    with transaction.atomic():
        if standard is None:
            standard = actions.create_standard(actor, unit=unit, name=name, total_points=total, note=note)
        else:
            for node in standard.nodes.filter(level=Level.DIMENSION):
                actions.delete_node(actor, node)
            actions.update_standard(actor, standard, total_points=total, note=note or None)

        def add(parent, nodes):
            for position, node in enumerate(nodes, 1):
                created = actions.add_node(actor, standard, parent=parent, position=position, **node.data)
                result.created += 1
                add(created, node.children)

        add(None, dimensions)
        log_event("import", standard, summary=_("Standard imported from %(file)s: %(count)d nodes.")
                  % {"file": filename, "count": result.created})
    return standard


def export_rows(standard):
    """The rows of the sheet: a heading row per dimension and indicator, then one row per item."""
    tree = Tree.of(standard)
    for node in tree.walk():
        row = [""] * len(COLUMNS)
        row[{Level.DIMENSION: 0, Level.INDICATOR: 1, Level.ITEM: 2}[node.level]] = node.title
        row[3] = node.points
        if node.level == Level.ITEM:
            row[4] = METHOD_LABELS[node.method]
            row[5] = node.per_occurrence if node.per_occurrence is not None else ""
            row[6] = format_levels(node.levels) if node.levels else ""
            row[10] = CADENCE_LABELS.get(node.cadence, "")
        row[7], row[8], row[9] = node.guide, node.evidence_required, node.lead_department
        yield [_cell_number(value) if isinstance(value, Decimal) else value for value in row]


def _cell_number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def export_standard(standard) -> bytes:
    """The standard in the import's own layout; importing the file gives the same tree."""
    info = [[INFO_NAME, standard.name], ["版本", standard.version], [INFO_TOTAL, _cell_number(standard.total_points)],
            [INFO_NOTE, standard.note]]
    return xlsx.write_workbook(
        Sheet(SHEET_TITLE, [column.label for column in COLUMNS], export_rows(standard), wrap=True),
        Sheet(INFO_TITLE, ["项目", "内容"], info),
    )
