"""Goal-management reminders for the daily digest (registered in ``notifications.reminders``).

What is told, and to whom:
- a task due within ``lights.yellow_days()`` days, or red (``lights.light``), not done nor withdrawn:
  to its owner when the owner may see it, else to the lead unit's keepers (below);
- a task issued more than ``MOFAN_GOALS_SIGN_DAYS`` days ago and not yet signed for: to the lead
  unit's keepers (the last save of an issued task is when it was issued or reissued);
- a progress report waiting for review: to the office of the issuing unit;
- an open supervision notice with its reply due within the yellow days, or past it: to the
  supervised unit's keepers.
A unit's keepers are the people holding the office or records clerk role granted on the unit itself;
a unit without any is answered for by the office of the nearest unit above that has one.
Only tasks of published plans count.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import RoleGrant
from accounts.roles import GOAL_VIEW, Role
from notifications import reminders
from organization.models import Unit

from . import lights
from .apps import GOALS_SOURCE
from .models import (
    Light,
    PlanStatus,
    ProgressReport,
    ReportStatus,
    SupervisionNotice,
    SupervisionStatus,
    Task,
    TaskStatus,
)

OVERDUE, DUE_SOON, NOT_SIGNED = "overdue", "due_soon", "not_signed"
TO_REVIEW = "to_review"
NOTICE_OVERDUE, NOTICE_REPLY_DUE = "notice_overdue", "notice_reply_due"
CATEGORIES = {
    OVERDUE: gettext_lazy("Overdue tasks"),
    DUE_SOON: gettext_lazy("Tasks due soon"),
    NOT_SIGNED: gettext_lazy("Tasks not yet signed for"),
    TO_REVIEW: gettext_lazy("Progress reports waiting for review"),
    NOTICE_OVERDUE: gettext_lazy("Supervision notices past their reply date"),
    NOTICE_REPLY_DUE: gettext_lazy("Supervision notices to reply to soon"),
}
OPEN_STATUSES = (TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS)


def sign_days() -> int:
    return getattr(settings, "MOFAN_GOALS_SIGN_DAYS", 3)


class Keepers:
    """Who answers for a unit, read in one query. One object per person, so each person's scopes
    are read once however many reminders they get."""

    def __init__(self):
        now = timezone.now()
        grants = (
            RoleGrant.objects.filter(role__in=[Role.OFFICE, Role.RECORDS_CLERK], person__is_active=True)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
            .select_related("unit", "person__unit")
            .order_by("unit__path", "role", "person_id")
        )
        self.people, self.keepers, self.offices = {}, {}, {}
        for grant in grants:
            person = self.person(grant.person)
            self.keepers.setdefault(grant.unit.path, []).append(person)
            if grant.role == Role.OFFICE:
                self.offices.setdefault(grant.unit.path, []).append(person)

    def person(self, user):
        return self.people.setdefault(user.pk, user)

    def office_above(self, path):
        for end in range(len(path) - Unit.steplen, 0, -Unit.steplen):
            if path[:end] in self.offices:
                return self.offices[path[:end]]
        return []

    def of_unit(self, unit):
        """The office and records clerks of ``unit``, else the nearest office above."""
        return self.keepers.get(unit.path) or self.office_above(unit.path)

    def office_of(self, unit):
        """The office of ``unit``, else the nearest office above."""
        return self.offices.get(unit.path) or self.office_above(unit.path)

    def answering_for(self, task):
        """The task's owner when active and allowed to see it, else its lead unit's keepers."""
        owner = task.owner
        if owner is not None and owner.is_active:
            owner = self.person(owner)
            if permissions.has_perm(owner, GOAL_VIEW, task):
                return [owner]
        return self.of_unit(task.lead_unit)


def _task_reminders(today, keepers):
    soon = today + datetime.timedelta(days=lights.yellow_days())
    issued_before = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=sign_days()), datetime.time.min)
    )
    tasks = (
        Task.objects.filter(goal__plan__status=PlanStatus.PUBLISHED, status__in=OPEN_STATUSES)
        .filter(Q(due_date__lte=soon) | Q(status=TaskStatus.ISSUED, updated_at__lt=issued_before))
        .select_related("lead_unit", "owner__unit")
        .order_by("due_date", "id")
    )
    for task in tasks:
        colour = lights.light(task, today)
        url = task.get_absolute_url()
        if task.due_date <= soon:
            category = OVERDUE if colour == Light.RED else DUE_SOON
            title = _("%(task)s (due %(date)s)") % {"task": task.title, "date": task.due_date.isoformat()}
            for person in keepers.answering_for(task):
                yield reminders.Reminder(person, task.lead_unit, category, title, task, GOAL_VIEW, url, colour)
        if task.status == TaskStatus.ISSUED and task.updated_at < issued_before:
            for person in keepers.of_unit(task.lead_unit):
                yield reminders.Reminder(person, task.lead_unit, NOT_SIGNED, task.title, task, GOAL_VIEW, url, colour)


def _review_reminders(keepers):
    reports = (
        ProgressReport.objects.filter(status=ReportStatus.SUBMITTED)
        .exclude(task__status=TaskStatus.WITHDRAWN)
        .select_related("task__lead_unit", "task__parent__lead_unit", "task__goal__plan__unit")
        .order_by("created_at", "id")
    )
    for report in reports:
        task = report.task
        issuer = task.issuer_unit
        title = _("%(task)s: report for %(period)s from %(unit)s") % {
            "task": task.title, "period": report.period.isoformat(), "unit": task.lead_unit.name,
        }
        for person in keepers.office_of(issuer):
            yield reminders.Reminder(person, issuer, TO_REVIEW, title, report, GOAL_VIEW, task.get_absolute_url())


def _notice_reminders(today, keepers):
    soon = today + datetime.timedelta(days=lights.yellow_days())
    notices = (
        SupervisionNotice.objects.filter(status=SupervisionStatus.OPEN, reply_due__lte=soon)
        .exclude(task__status__in=[TaskStatus.WITHDRAWN, TaskStatus.DONE])
        .select_related("unit", "task")
        .order_by("reply_due", "id")
    )
    for notice in notices:
        category = NOTICE_OVERDUE if notice.reply_due < today else NOTICE_REPLY_DUE
        title = _("%(level)s on %(subject)s (reply due %(date)s)") % {
            "level": notice.get_level_display(),
            "subject": notice.task.title if notice.task_id else notice.unit.name,
            "date": notice.reply_due.isoformat(),
        }
        for person in keepers.of_unit(notice.unit):
            yield reminders.Reminder(person, notice.unit, category, title, notice, GOAL_VIEW, notice.get_absolute_url())


def collect(today: datetime.date):
    """Every goal-management reminder for ``today``."""
    keepers = Keepers()
    yield from _task_reminders(today, keepers)
    yield from _review_reminders(keepers)
    yield from _notice_reminders(today, keepers)


reminders.register(GOALS_SOURCE, collect, CATEGORIES)
