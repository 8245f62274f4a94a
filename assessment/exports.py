"""Results exports: the round's workbook keeping the standard's hierarchy, and a unit's .docx score sheet.

Both read the same numbers as the pages (``publication.compute``; after publication the frozen
``Result`` rows for total, grade and rank). Callers check permissions and log the export.
"""

import io
from decimal import Decimal

from django.utils.http import content_disposition_header
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from core.xlsx import Sheet, write_workbook
from standard.models import Level
from standard.scoring import Tree

from . import publication, sheet
from .models import ComponentSource, Result, RoundStatus

LEVEL_NAMES = {Level.DIMENSION: "一级指标", Level.INDICATOR: "二级指标", Level.ITEM: "考核内容"}


def attachment(filename):
    return content_disposition_header(True, filename)


def _fmt(value):
    return "" if value is None else float(value)


def outcomes_and_tree(round_):
    """Live outcomes of every unit; a published round's total, grade and rank are the frozen ones."""
    tree = Tree.of(round_.standard)
    outcomes = publication.compute(round_, tree=tree)
    if round_.status == RoundStatus.PUBLISHED:
        for result in Result.objects.filter(round=round_).select_related("grade"):
            outcome = outcomes.get(result.unit_id)
            if outcome is not None:
                outcome.total, outcome.grade, outcome.rank, outcome.peer_count = (
                    result.total, result.grade, result.rank, result.peer_count,
                )
                outcome.component_scores = {int(key): Decimal(value) for key, value in result.component_scores.items()}
    return outcomes, tree


def results_workbook(round_) -> bytes:
    outcomes, tree = outcomes_and_tree(round_)
    units = sorted((outcome.unit for outcome in outcomes.values()), key=lambda unit: unit.path)
    ranked = sorted(outcomes.values(), key=lambda outcome: (-outcome.total, outcome.unit.path))
    # Every weighted component but the standard's own (already a column), e.g. goal completion.
    others = [component for component in round_.components.order_by("position", "id") if component.source != ComponentSource.STANDARD]
    ranking = Sheet(
        "排名与等次",
        ["排名", "单位", "同级单位数", "标准得分", *[f"{component.name}（百分制）" for component in others], "总分", "等次",
         "绩效系数", "评先评优资格", "等次说明"],
        (
            [
                outcome.rank, outcome.unit.name, outcome.peer_count, _fmt(outcome.standard_score),
                *[_fmt(outcome.component_scores.get(component.pk)) for component in others], _fmt(outcome.total),
                outcome.grade.name if outcome.grade else "",
                _fmt(outcome.grade.pay_coefficient) if outcome.grade else "",
                ("是" if outcome.grade.award_eligible else "否") if outcome.grade else "",
                "、".join(outcome.grade_notes),
            ]
            for outcome in ranked
        ),
    )

    def score(node, unit):
        outcome = outcomes[unit.pk]
        if node.level == Level.DIMENSION:
            return _fmt(outcome.dimension_scores.get(node.pk))
        if node.level == Level.INDICATOR:
            return _fmt(outcome.node_scores.get(node.pk))
        return _fmt(outcome.item_scores.get(node.pk))

    indent = {Level.DIMENSION: "", Level.INDICATOR: "  ", Level.ITEM: "    "}
    by_item = Sheet(
        "分项得分",
        ["编号", "层级", "内容", "评分方法", "分值", *[unit.name for unit in units]],
        (
            [node.number, LEVEL_NAMES.get(node.level, ""), indent.get(node.level, "") + node.title,
             node.get_method_display() if node.method else "", float(node.points), *[score(node, unit) for unit in units]]
            for node in tree.walk()
        ),
    )
    return write_workbook(ranking, by_item)


def score_sheet_docx(card) -> bytes:
    """A unit's score sheet: its result and every item's self and review score, by dimension and indicator."""
    layout = sheet.build(card, with_evidence=False)
    result = Result.objects.filter(round=card.round, unit=card.unit).select_related("grade").first()
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(12)
    title = document.add_heading(f"{card.round.name}评分表", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"被考核单位：{card.unit.name}")
    document.add_paragraph(f"考核期间：{card.round.period_start:%Y年%m月%d日}至{card.round.period_end:%Y年%m月%d日}")
    if result is not None:
        grade = result.grade.name if result.grade else ""
        document.add_paragraph(f"总分：{result.total}　等次：{grade}　排名：{result.rank}/{result.peer_count}")
    else:
        document.add_paragraph(f"标准得分（未发布）：{layout.total}")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["编号", "内容", "分值", "自评", "复核", "得分"]):
        cell.text = text
    for dimension in layout.dimensions:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = dimension.node.number, dimension.node.title, str(dimension.node.points)
        cells[5].text = str(dimension.score)
        for indicator in dimension.children:
            if indicator.node is not None:
                cells = table.add_row().cells
                cells[0].text, cells[1].text, cells[2].text = indicator.node.number, indicator.node.title, str(indicator.node.points)
                cells[5].text = "" if indicator.score is None else str(indicator.score)
            for item in indicator.children:
                cells = table.add_row().cells
                cells[0].text, cells[1].text, cells[2].text = item.node.number, item.node.title, str(item.node.points)
                cells[3].text = " ".join(filter(None, [sheet.answer_text(item.self_answer), _score(item.self_score)]))
                cells[4].text = " ".join(filter(None, [sheet.answer_text(item.review_answer), _score(item.review_score)]))
                cells[5].text = _score(item.score)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _score(value):
    return "" if value is None else f"{value}分"
