"""A plan's task list (任务清单) exported to and imported from .xlsx, in the layout offices fill by hand.

序号 is hierarchical: the goal's number, then the task's path below it (1.1, 1.1.2). An import adds
tasks to a plan, all or nothing: the whole file is read and checked, every task is created through
``actions.add_task`` inside one transaction so that all of its rules apply, and if any row has a
problem the transaction is rolled back and every problem is reported with its row and column.

- A row's parent is the row whose 序号 is its own without the last part, in the same file; a row
  numbered with one part only and no 任务名称 names the goal of its number.
- Goals are matched by title. A goal the plan lacks is created when the plan is a draft (owned by
  the plan's unit, weight 1, to be completed on the plan page) and is an error otherwise.
- Units are matched by code, then by name or short name within the plan's unit; 责任人 by login
  name, then by real name, among the people of the lead unit and the units below it.
- A blank 开始日期 is the parent's start date, or 1 January of the plan's year; a blank 报送周期 is
  monthly; a blank 权重 is 1.
- Existing tasks are left as they are; the import does not update or match them.

Header names, 报送周期 words and 红黄绿灯 words are Chinese literals: they are a file format.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from accounts import permissions
from accounts.models import User
from accounts.roles import GOAL_CHANGE
from core import xlsx
from core.events import log_event
from core.xlsx import Column, ImportProblem, Sheet, SpreadsheetError, cell_text
from organization.models import Unit

from . import actions, lights, rollup
from .models import Cadence, Light, PlanStatus, Task, TaskStatus

COLUMNS = [
    Column("seq", "序号", ("编号", "任务编号"), required=True),
    Column("goal", "目标", ("目标名称", "所属目标", "年度目标"), required=True),
    Column("title", "任务名称", ("任务", "工作任务", "任务内容", "具体任务"), required=True),
    Column("lead_unit", "牵头单位", ("牵头部门", "责任单位", "牵头股室", "责任部门"), required=True),
    Column("supporting", "配合单位", ("配合部门", "协办单位", "配合股室")),
    Column("owner", "责任人", ("负责人", "具体责任人")),
    Column("start", "开始日期", ("开始时间", "起始日期", "启动时间")),
    Column("due", "完成时限", ("完成时间", "截止日期", "截止时间", "完成日期"), required=True),
    Column("output", "产出形式", ("成果形式", "预期成果", "预期产出")),
    Column("cadence", "报送周期", ("报送频次", "报告频次", "汇报周期", "报告周期")),
    Column("weight", "权重", ("权数",)),
]
EXPORT_ONLY = ["进度%", "状态", "红黄绿灯"]
SHEET_TITLE = "任务清单"
INSTRUCTIONS_TITLE = "填写说明"

CADENCE_LABELS = {Cadence.WEEKLY: "每周", Cadence.MONTHLY: "每月", Cadence.QUARTERLY: "每季度"}
CADENCE_BY_TEXT = {
    text: cadence
    for cadence, words in {
        Cadence.WEEKLY: "每周 周 按周 周报 每周一次 weekly",
        Cadence.MONTHLY: "每月 月 月度 按月 月报 每月一次 monthly",
        Cadence.QUARTERLY: "每季度 每季 季 季度 按季 按季度 季报 每季度一次 quarterly",
    }.items()
    for text in words.split()
}
LIGHT_LABELS = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}

NUMBER_RE = re.compile(r"^\d+(\.\d+)*$")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
LIST_SPLIT_RE = re.compile(r"[、,，;；\n]+")
# Excel serial numbers of plausible dates (1982-2173), for a date cell that lost its format.
SERIAL_RANGE = (30000, 100000)

# Which column an ``add_task`` error is about.
FIELD_COLUMNS = {
    "title": "title", "lead_unit": "lead_unit", "supporting_units": "supporting", "owner": "owner",
    "start_date": "start", "due_date": "due", "parent": "seq", "cadence": "cadence", "weight": "weight",
    "expected_output": "output",
}


def _key(text) -> str:
    """Titles and names compared without spaces and full-width forms."""
    return re.sub(r"\s+", "", cell_text(text, nfkc=True))


def number_text(numbers) -> str:
    return ".".join(str(number) for number in numbers)


# Export -------------------------------------------------------------------------------------


@dataclass
class NumberedTask:
    number: tuple
    goal: object
    task: Task


def numbered_tasks(plan) -> list[NumberedTask]:
    """The plan's tasks depth first with their hierarchical numbers; withdrawn tasks and everything
    below them are left out, so the numbers have no gaps. Three queries."""
    goals = list(plan.goals.all())
    tasks = (
        Task.objects.filter(goal__plan=plan).exclude(status=TaskStatus.WITHDRAWN)
        .select_related("lead_unit", "owner").prefetch_related("supporting_units").order_by("position", "id")
    )
    children = defaultdict(list)
    for task in tasks:
        children[(task.goal_id, task.parent_id)].append(task)
    found = []

    def visit(goal, parent_id, prefix):
        for index, task in enumerate(children.get((goal.pk, parent_id), ()), 1):
            number = (*prefix, index)
            found.append(NumberedTask(number, goal, task))
            visit(goal, task.pk, number)

    for index, goal in enumerate(goals, 1):
        visit(goal, None, (index,))
    return found


def _unit_label(plan):
    """A unit as the export writes it: its name where no other unit of the plan is called so (by
    name or short name), else its code, so that the import finds it again."""
    counts = Counter()
    for name, short_name in Unit.objects.filter(path__startswith=plan.unit.path).values_list("name", "short_name"):
        counts.update({_key(name), _key(short_name)} - {""})
    return lambda unit: unit.name if counts[_key(unit.name)] == 1 else unit.code


def _owner_label(plan, numbered):
    """A person by real name where nobody else of the plan's units shares it, else by login name."""
    if not any(item.task.owner_id for item in numbered):
        return lambda person: ""
    people = User.objects.filter(is_active=True, unit__path__startswith=plan.unit.path)
    counts = Counter(_key(name) for name in people.values_list("real_name", flat=True))

    def label(person):
        if person is None:
            return ""
        return person.real_name if person.real_name and counts[_key(person.real_name)] == 1 else person.username

    return label


def export_tasks(plan, *, visible=None, today=None) -> bytes:
    """The task list of ``plan``; ``visible`` (a set of task ids) limits the rows to what the reader
    may see, the numbers staying those of the whole plan."""
    today = today or timezone.localdate()
    numbered = numbered_tasks(plan)
    percents = rollup.task_percents([item.task for item in numbered])
    parents = {item.task.parent_id for item in numbered}
    unit_label = _unit_label(plan)
    owner_label = _owner_label(plan, numbered)

    def row(item):
        task = item.task
        percent = percents[task.pk]
        colour = lights.light(task, today, percent=percent if task.pk in parents else None)
        return [
            number_text(item.number), item.goal.title, task.title, unit_label(task.lead_unit),
            "、".join(unit_label(unit) for unit in task.supporting_units.all()), owner_label(task.owner),
            task.start_date, task.due_date, task.expected_output, CADENCE_LABELS.get(task.cadence, ""),
            task.weight, percent, task.get_status_display(), LIGHT_LABELS.get(colour, ""),
        ]

    rows = (row(item) for item in numbered if visible is None or item.task.pk in visible)
    headers = [column.label for column in COLUMNS] + EXPORT_ONLY
    return xlsx.write_workbook(
        Sheet(SHEET_TITLE, headers, rows),
        Sheet(INSTRUCTIONS_TITLE, [_("Column"), _("How to fill it in")], _instructions(), wrap=True),
    )


def _instructions():
    cadences = "、".join(CADENCE_LABELS.values())
    notes = [
        ("序号", _("The goal's number, then the task's path below it: 1.1 is the first task of goal 1, 1.1.2 the second sub-task of task 1.1. A sub-task's parent must be in the same file.")),
        ("目标", _("The goal's title as it stands in the plan. A sub-task may leave it blank.")),
        ("任务名称", _("Required.")),
        ("牵头单位", _("The unit's code, or its name where no other unit has the same name.")),
        ("配合单位", _("Codes or names separated by 、 or a comma.")),
        ("责任人", _("Login name or real name of a person of the lead unit.")),
        ("开始日期", _("Left blank: the parent task's start date, or 1 January of the plan's year.")),
        ("完成时限", _("Required. A sub-task must fall within its parent's dates.")),
        ("报送周期", _("One of %(values)s; left blank: 每月.") % {"values": cadences}),
        ("权重", _("A number; left blank: 1.")),
        ("进度% / 状态 / 红黄绿灯", _("Written by the export for reading; not imported.")),
    ]
    rows = [list(note) for note in notes]
    rows.append(["", _("The import adds tasks and leaves existing ones unchanged. If any row has a problem, nothing is imported and every problem is listed with its row and column.")])
    return rows


# Import -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    goals_created: int = 0
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class _Row:
    row: int
    number: tuple = ()
    goal_title: str = ""
    title: str = ""
    lead_unit: Unit | None = None
    supporting: list = field(default_factory=list)
    owner_text: str = ""
    owner: User | None = None
    start: datetime.date | None = None
    due: datetime.date | None = None
    output: str = ""
    cadence: str = Cadence.MONTHLY
    weight: str = "1"
    failed: bool = False
    parent: "_Row | None" = None


def parse_date(value):
    """A date from a date cell, an Excel serial number, or text like 2026-03-31, 2026/3/31, 2026年3月31日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1]:
            return from_excel(value).date()
        return None
    text = cell_text(value, nfkc=True)
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if match is None:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class _Reader:
    """Reads every row, resolves numbers, goals, units and people; collects every problem."""

    def __init__(self, plan, table):
        self.plan = plan
        self.table = table
        self.errors: list[ImportProblem] = []
        self.rows: list[_Row] = []
        units = list(Unit.objects.filter(path__startswith=plan.unit.path, is_active=True))
        self.units_by_code = {unit.code.casefold(): unit for unit in units}
        self.units_by_name = defaultdict(list)
        for unit in units:
            for name in {_key(unit.name), _key(unit.short_name)} - {""}:
                self.units_by_name[name].append(unit)
        self.goals_by_title = defaultdict(list)
        for goal in plan.goals.all():
            self.goals_by_title[_key(goal.title)].append(goal)

    def error(self, row, key, code, detail):
        self.errors.append(ImportProblem(
            code, detail, row=row, column=self.table.header(key), letter=self.table.letter(key),
            index=self.table.positions.get(key, -1),
        ))

    def read(self):
        limit = settings.MOFAN_IMPORT_MAX_ROWS
        records = []
        for number, record in self.table.rows():
            if len(records) >= limit:
                raise SpreadsheetError("too_many_rows", _("The file has more than %(limit)d rows of tasks; split it.") % {"limit": limit})
            records.append((number, record))
        goal_headings = {}
        for number, record in records:
            row = self.parse(number, record, goal_headings)
            if row is not None:
                self.rows.append(row)
        self.link(goal_headings)
        self.resolve_owners()
        return self.rows

    def parse(self, number, record, goal_headings):
        text = {key: cell_text(value) for key, value in record.items()}
        row = _Row(number, goal_title=text.get("goal", ""), title=text.get("title", ""))
        seq = cell_text(record.get("seq"), nfkc=True).rstrip(".").replace(" ", "")
        if not seq:
            self.error(number, "seq", "missing_number", _("Give the row its number, such as 1.1 or 1.1.2."))
            row.failed = True
        elif not NUMBER_RE.match(seq):
            self.error(number, "seq", "bad_number", _("%(value)s is not a number such as 1.1 or 1.1.2.") % {"value": seq})
            row.failed = True
        else:
            row.number = tuple(int(part) for part in seq.split("."))
            if len(row.number) == 1:
                if row.title:
                    self.error(number, "seq", "bad_number", _("A task's number starts with its goal's number, such as 1.1; a number of one part names a goal."))
                elif row.goal_title:
                    goal_headings.setdefault(row.number[0], (number, row.goal_title))
                return None
        self.parse_fields(row, record, text)
        return row

    def parse_fields(self, row, record, text):
        number = row.row
        if not row.title:
            self.error(number, "title", "required", _("Fill in the task's name."))
            row.failed = True
        lead_text = text.get("lead_unit", "")
        if not lead_text:
            self.error(number, "lead_unit", "required", _("Fill in the lead unit."))
            row.failed = True
        else:
            row.lead_unit = self.unit(number, "lead_unit", lead_text)
            row.failed |= row.lead_unit is None
        for part in LIST_SPLIT_RE.split(text.get("supporting", "")):
            if part.strip():
                unit = self.unit(number, "supporting", part.strip())
                if unit is None:
                    row.failed = True
                elif unit not in row.supporting:
                    row.supporting.append(unit)
        row.owner_text = text.get("owner", "")
        if text.get("start", ""):
            row.start = parse_date(record.get("start"))
            if row.start is None:
                self.error(number, "start", "bad_date", _("%(value)s is not a date such as 2026-03-31.") % {"value": text["start"]})
                row.failed = True
        if not text.get("due", ""):
            self.error(number, "due", "required", _("Fill in the due date."))
            row.failed = True
        else:
            row.due = parse_date(record.get("due"))
            if row.due is None:
                self.error(number, "due", "bad_date", _("%(value)s is not a date such as 2026-03-31.") % {"value": text["due"]})
                row.failed = True
        row.output = text.get("output", "")
        cadence = cell_text(record.get("cadence"), nfkc=True).replace(" ", "")
        if cadence:
            row.cadence = CADENCE_BY_TEXT.get(cadence.lower())
            if row.cadence is None:
                self.error(number, "cadence", "bad_cadence", _("%(value)s is not a reporting cadence; write one of %(values)s.") % {
                    "value": cadence, "values": "、".join(CADENCE_LABELS.values())})
                row.failed = True
        row.weight = cell_text(record.get("weight"), nfkc=True) or "1"
        try:
            Decimal(row.weight)
        except InvalidOperation:
            # Its range is add_task's rule; a word where a number belongs is caught here with the rest.
            self.error(number, "weight", "bad_weight", _("Enter a number."))
            row.failed = True

    def unit(self, number, key, text):
        unit = self.units_by_code.get(cell_text(text, nfkc=True).casefold())
        if unit is not None:
            return unit
        named = self.units_by_name.get(_key(text), [])
        if len(named) == 1:
            return named[0]
        if named:
            self.error(number, key, "ambiguous_unit", _("Several units are named %(name)s; write the unit's code.") % {"name": text})
        else:
            self.error(number, key, "unknown_unit", _("No unit %(name)s in %(plan_unit)s or below it.") % {
                "name": text, "plan_unit": self.plan.unit.name})
        return None

    def link(self, goal_headings):
        """Finds each row's parent in the file and its goal, and checks the numbering."""
        by_number = {}
        for row in self.rows:
            if not row.number:
                continue
            if row.number in by_number:
                self.error(row.row, "seq", "duplicate_number", _("The number %(number)s is also in row %(row)d.") % {
                    "number": number_text(row.number), "row": by_number[row.number].row})
                row.failed, row.number = True, ()
                continue
            by_number[row.number] = row
        goal_of_number = {number: (row, title) for number, (row, title) in goal_headings.items()}
        for row in sorted((row for row in self.rows if row.number), key=lambda row: row.number):
            if len(row.number) > 2:
                row.parent = by_number.get(row.number[:-1])
                if row.parent is None:
                    self.error(row.row, "seq", "missing_parent", _("No row numbered %(number)s, the parent of this task, in the file.") % {
                        "number": number_text(row.number[:-1])})
                    row.failed = True
                    continue
                row.goal_title = row.goal_title or row.parent.goal_title
            if not row.goal_title and row.number[0] in goal_of_number:
                row.goal_title = goal_of_number[row.number[0]][1]
            if not row.goal_title:
                self.error(row.row, "goal", "required", _("Fill in the goal this task serves."))
                row.failed = True
                continue
            first_row, first_title = goal_of_number.setdefault(row.number[0], (row.row, row.goal_title))
            if _key(first_title) != _key(row.goal_title):
                self.error(row.row, "goal", "goal_mismatch", _("Numbers %(number)s.… belong to the goal %(goal)s (row %(row)d); this row names another goal.") % {
                    "number": row.number[0], "goal": first_title, "row": first_row})
                row.failed = True
            elif row.parent is not None and _key(row.parent.goal_title) != _key(row.goal_title):
                self.error(row.row, "goal", "goal_mismatch", _("A sub-task serves the goal of its parent (row %(row)d).") % {"row": row.parent.row})
                row.failed = True

    def resolve_owners(self):
        wanted = [row for row in self.rows if row.owner_text and row.lead_unit is not None]
        if not wanted:
            return
        people = User.objects.filter(is_active=True, unit__path__startswith=self.plan.unit.path).select_related("unit", "party_unit")
        by_login, by_name = {}, defaultdict(list)
        for person in people:
            by_login[person.username.casefold()] = person
            by_name[_key(person.real_name)].append(person)
        for row in wanted:
            person = by_login.get(row.owner_text.casefold())
            if person is None:
                # A name is looked for in the lead unit first (its people or its party members), then
                # anywhere in the plan's unit: the responsible person may be a leader in charge above it.
                everyone = by_name.get(_key(row.owner_text), [])
                in_lead = [item for item in everyone if actions.belongs_to(item, row.lead_unit)]
                named, where = (in_lead, row.lead_unit) if in_lead else (everyone, self.plan.unit)
                if len(named) > 1:
                    self.error(row.row, "owner", "ambiguous_owner", _("Several people of %(unit)s are named %(name)s; write the login name.") % {
                        "unit": where.name, "name": row.owner_text})
                    row.failed = True
                    continue
                person = named[0] if named else None
            if person is None:
                self.error(row.row, "owner", "unknown_owner", _("No person %(name)s in %(unit)s or below it.") % {
                    "name": row.owner_text, "unit": self.plan.unit.name})
                row.failed = True
            row.owner = person


def import_tasks(actor, plan, uploaded_file) -> ImportResult:
    """Adds the file's tasks to ``plan``, all or nothing (see the module docstring)."""
    if actor is not None:
        permissions.require(actor, GOAL_CHANGE, plan)
    result = ImportResult()
    try:
        workbook = xlsx.open_workbook(uploaded_file)
        try:
            reader = _read(plan, workbook, result)
        finally:
            workbook.close()
    except SpreadsheetError as error:
        result.errors.append(ImportProblem(error.code, error.message, error.row, error.column or ""))
        return result
    if reader is None:
        return result
    if not reader.rows and not reader.errors:
        result.errors.append(ImportProblem("empty_file", _("The file has no tasks under the header row.")))
        return result
    result.errors.extend(reader.errors)
    _write(actor, plan, reader, result, getattr(uploaded_file, "name", ""))
    result.errors.sort(key=lambda problem: (problem.row or 0, problem.index))
    return result


def _read(plan, workbook, result):
    table = xlsx.find_table(workbook, COLUMNS)
    for column in table.missing:
        result.errors.append(ImportProblem(
            "missing_header", _("The header row has no column %(column)s.") % {"column": column.label},
            row=table.header_row or None, column=column.label,
        ))
    if result.errors:
        return None
    reader = _Reader(plan, table)
    reader.read()
    return reader


def _write(actor, plan, reader, result, filename):
    """Creates the tasks parents first; rolls everything back if any row has a problem."""
    created = {}
    goals = {}
    # A task directly under a goal is there once per lead unit: importing a list twice must not double it.
    existing = set(
        Task.objects.filter(goal__plan=plan, parent=None)
        .exclude(status=TaskStatus.WITHDRAWN)
        .values_list("goal_id", "lead_unit_id", "title")
    )
    with transaction.atomic():
        for row in sorted((row for row in reader.rows if row.number), key=lambda row: row.number):
            if row.failed:
                continue
            if row.parent is not None and id(row.parent) not in created:
                reader.error(row.row, "seq", "parent_failed", _("Its parent task (row %(row)d) has a problem; this row is checked once that is fixed.") % {"row": row.parent.row})
                row.failed = True
                continue
            goal = _goal(actor, plan, reader, row, goals, result)
            if goal is None:
                row.failed = True
                continue
            parent = created[id(row.parent)] if row.parent is not None else None
            if parent is None and (goal.pk, row.lead_unit.pk, row.title) in existing:
                reader.error(row.row, "title", "task_exists", _("The goal %(goal)s already has the task %(title)s led by %(unit)s; it is not added twice.") % {
                    "goal": goal.title, "title": row.title, "unit": row.lead_unit.name})
                row.failed = True
                continue
            start = row.start or (parent.start_date if parent is not None else datetime.date(plan.year, 1, 1))
            try:
                task = actions.add_task(
                    actor, goal, title=row.title, lead_unit=row.lead_unit, start_date=start, due_date=row.due,
                    parent=parent, supporting_units=row.supporting, owner=row.owner, expected_output=row.output,
                    cadence=row.cadence, weight=row.weight,
                )
            except ValidationError as error:
                _rejected(reader, row, error)
                row.failed = True
                continue
            except PermissionDenied:
                reader.error(row.row, "seq", "not_allowed", _("You may not decompose this task."))
                row.failed = True
                continue
            created[id(row)] = task
        result.errors = reader.errors
        if result.errors:
            transaction.set_rollback(True)
            result.goals_created = 0
            return
        result.created = len(created)
        log_event("import", plan, summary=_("Task list %(file)s imported: %(count)d tasks added.") % {
            "file": filename, "count": result.created}, unit_id=plan.unit_id)


def _goal(actor, plan, reader, row, goals, result):
    key = _key(row.goal_title)
    if key in goals:
        return goals[key]
    found = reader.goals_by_title.get(key, [])
    if len(found) > 1:
        reader.error(row.row, "goal", "ambiguous_goal", _("The plan has several goals titled %(goal)s.") % {"goal": row.goal_title})
        return None
    if found:
        goals[key] = found[0]
    elif plan.status == PlanStatus.DRAFT:
        goals[key] = actions.add_goal(actor, plan, title=row.goal_title, owner_unit=plan.unit)
        result.goals_created += 1
    else:
        reader.error(row.row, "goal", "unknown_goal", _("The plan has no goal %(goal)s; a goal is added to a plan that is no longer a draft on the plan page.") % {"goal": row.goal_title})
        return None
    return goals[key]


def _rejected(reader, row, error):
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                if name in FIELD_COLUMNS:
                    reader.error(row.row, FIELD_COLUMNS[name], "rejected", message)
                else:
                    reader.errors.append(ImportProblem("rejected", message, row=row.row))
    else:
        for message in error.messages:
            reader.errors.append(ImportProblem("rejected", message, row=row.row))
