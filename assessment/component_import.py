"""Importing the scores of components assessed outside Mofan (领导班子年度考核, 纪检考核…) from .xlsx.

The sheet has a unit column (单位 name or 单位编码 code) and one column per entered component,
headed by the component's name. All or nothing: every problem is reported, with row and column,
and a file with any problem changes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import ROUND_CHANGE
from core import xlsx
from core.events import log_event
from core.xlsx import Column, ImportProblem, SpreadsheetError, cell_text

from .models import ComponentScore, ComponentSource, RoundStatus


@dataclass
class ImportOutcome:
    errors: list = field(default_factory=list)
    saved: int = 0

    @property
    def ok(self):
        return not self.errors


def import_component_scores(actor, round_, uploaded_file) -> ImportOutcome:
    """Reads every row, checks everything, then writes all scores in one transaction."""
    outcome = ImportOutcome()
    if actor is not None:
        permissions.require(actor, ROUND_CHANGE, round_)
    if round_.status == RoundStatus.PUBLISHED:
        outcome.errors.append(ImportProblem("published", _("The round is published; its scores can no longer change.")))
        return outcome
    components = list(round_.components.filter(source=ComponentSource.ENTERED))
    if not components:
        outcome.errors.append(ImportProblem("no_component", _("This round has no component whose scores are entered.")))
        return outcome
    columns = [Column("unit", "单位", ("单位名称", "部门", "股室"), False), Column("code", "单位编码", ("编码",), False)]
    columns += [Column(f"c{component.pk}", component.name, (), True) for component in components]
    try:
        workbook = xlsx.open_workbook(uploaded_file)
        try:
            table = xlsx.find_table(workbook, columns)
            rows = _check(round_, table, components, outcome) if not _header_problems(table, outcome) else []
        finally:
            workbook.close()
    except SpreadsheetError as error:
        outcome.errors.append(ImportProblem(error.code, error.message, error.row, error.column or ""))
        return outcome
    if outcome.errors:
        return outcome
    if not rows:
        outcome.errors.append(ImportProblem("empty_file", _("The file has no scores under the header row.")))
        return outcome
    with transaction.atomic():
        for unit, component, score in rows:
            ComponentScore.objects.update_or_create(component=component, unit=unit, defaults={"score": score})
            outcome.saved += 1
        log_event("import", round_, summary=_("%(count)d component scores imported") % {"count": outcome.saved})
    return outcome


def _header_problems(table, outcome):
    for column in table.missing:
        outcome.errors.append(ImportProblem("missing_header", _("The header row has no column %(column)s.") % {"column": column.label}, table.header_row or None, column.label))
    if "unit" not in table.positions and "code" not in table.positions:
        outcome.errors.append(ImportProblem("missing_header", _("The header row has no column %(column)s.") % {"column": "单位"}, table.header_row or None, "单位"))
    return bool(outcome.errors)


def _check(round_, table, components, outcome):
    assessed = {scorecard.unit.code: scorecard.unit for scorecard in round_.scorecards.select_related("unit")}
    by_name = {}
    for unit in assessed.values():
        by_name.setdefault(unit.name, []).append(unit)
    rows, seen = [], {}
    for number, record in table.rows():
        code, name = cell_text(record.get("code")), cell_text(record.get("unit"))
        unit = assessed.get(code) if code else None
        if unit is None and not code and len(by_name.get(name, [])) == 1:
            unit = by_name[name][0]
        if unit is None:
            label = table.header("code") if code else table.header("unit")
            if name and len(by_name.get(name, [])) > 1:
                message = _("Several assessed units are named %(name)s; give the unit code.") % {"name": name}
            else:
                message = _("%(unit)s is not assessed in this round.") % {"unit": code or name or "?"}
            outcome.errors.append(ImportProblem("unknown_unit", message, number, label, table.letter("code" if code else "unit")))
            continue
        if unit.pk in seen:
            outcome.errors.append(ImportProblem(
                "duplicate_unit", _("%(unit)s is also in row %(row)d.") % {"unit": unit.name, "row": seen[unit.pk]},
                number, table.header("unit"), table.letter("unit"),
            ))
            continue
        seen[unit.pk] = number
        for component in components:
            key = f"c{component.pk}"
            text = cell_text(record.get(key))
            try:
                score = Decimal(text)
            except InvalidOperation:
                score = None
            if score is None or not score.is_finite() or not (0 <= score <= 100):
                outcome.errors.append(ImportProblem("bad_score", _("Enter a score from 0 to 100."), number, table.header(key), table.letter(key)))
                continue
            rows.append((unit, component, score.quantize(Decimal("0.01"))))
    return rows
