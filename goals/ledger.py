"""The supervision ledger (督办台账): every notice a user may see, one row each, in the columns offices use.

The same filters serve the ledger page and its .xlsx export (``filter_notices``). 是否逾期 says
whether the reply came late: replied after the reply date, or never replied and the date has passed
(still open, or closed or escalated after the date without a reply). Header names and 是/否 are
Chinese literals: they are a document format, not interface text.
"""


from django.utils import timezone

from core.xlsx import Sheet, write_workbook

from . import supervision
from .models import SupervisionStatus

HEADERS = [
    "序号", "督办编号", "督办事项/关联任务", "被督办单位", "督办单位", "督办级别", "督办事由", "下达日期",
    "要求回复日期", "回复情况", "回复日期", "是否逾期", "状态", "办结日期", "备注",
]
SHEET_TITLE = "督办台账"


def notice_number(notice) -> str:
    """督办编号 from the year the notice was issued and its id: DB-2026-0001."""
    return f"DB-{timezone.localtime(notice.created_at).year}-{notice.pk:04d}"


def _date(moment):
    return timezone.localtime(moment).date() if moment else None


def reply_late(notice, today=None) -> bool:
    """Whether the reply did not come by the reply date (see the module docstring)."""
    if notice.replied_at is not None:
        return _date(notice.replied_at) > notice.reply_due
    if notice.status == SupervisionStatus.OPEN:
        return supervision.is_overdue(notice, today)
    return notice.closed_at is not None and _date(notice.closed_at) > notice.reply_due


def filter_notices(queryset, *, status="", level="", overdue=False, unit=None, year=None, today=None):
    """The notices matching the ledger's filters; ``unit`` takes its whole subtree."""
    if status:
        queryset = queryset.filter(status=status)
    if level:
        queryset = queryset.filter(level=level)
    if overdue:
        queryset = supervision.overdue(queryset, today)
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    if year:
        queryset = queryset.filter(created_at__year=year)
    return queryset


def ledger_queryset(queryset):
    """What one ledger row reads, fetched with the notices (one query, whatever their number)."""
    return queryset.select_related(
        "task", "unit", "issuing_unit", "escalated_from", "escalated_to"
    ).order_by("created_at", "id")


def remark(notice) -> str:
    """备注: where the notice sits in its escalation chain."""
    parts = []
    if notice.escalated_from_id:
        parts.append(f"由{notice_number(notice.escalated_from)}升级")
    escalated_to = getattr(notice, "escalated_to", None)
    if escalated_to is not None:
        parts.append(f"已升级为{notice_number(escalated_to)}")
    return "；".join(parts)


def rows(notices, today=None):
    for index, notice in enumerate(notices, 1):
        yield [
            index,
            notice_number(notice),
            notice.task.title if notice.task_id else "单位整体督办",
            notice.unit.name,
            notice.issuing_unit.name,
            notice.get_level_display(),
            notice.reason,
            _date(notice.created_at),
            notice.reply_due,
            notice.reply,
            _date(notice.replied_at),
            "是" if reply_late(notice, today) else "否",
            notice.get_status_display(),
            _date(notice.closed_at) if notice.status == SupervisionStatus.CLOSED else None,
            remark(notice),
        ]


def ledger_workbook(notices, *, title=SHEET_TITLE, today=None) -> bytes:
    """The ledger as .xlsx: a title row, the frozen header row below it, then one row per notice."""
    return write_workbook(Sheet(SHEET_TITLE, HEADERS, rows(ledger_queryset(notices), today), caption=title))
