"""Tasks and progress reports as targets of evidence: a document proves the work it records."""

from accounts.roles import GOAL_VIEW
from evidence import links


def register():
    from .models import ProgressReport, Task

    links.register(Task, view_perm=GOAL_VIEW, unit_of=lambda task: task.lead_unit, describe=describe_task)
    links.register(
        ProgressReport, view_perm=GOAL_VIEW, unit_of=lambda report: report.task.lead_unit, describe=describe_report
    )


def describe_task(task):
    return f"{task._meta.verbose_name}：{task.title}"


def describe_report(report):
    return f"{report._meta.verbose_name}：{report.task.title} · {report.period.isoformat()}"
