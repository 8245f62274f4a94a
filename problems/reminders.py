"""Rectification reminders for the daily digest (registered in ``notifications.reminders``).

What is told, and to whom:
- an open measure of a problem being rectified, due within ``goals.lights.yellow_days()`` days or
  overdue (``actions.is_overdue``, shown red): to its responsible person when active and allowed to
  see it, else to the responsible unit's keepers;
- a problem submitted for verification: to the office above its unit (at the top of the tree, the
  unit's own office), only those of them who may sign it off (``actions.may_verify``);
- public feedback awaiting its reply, due within the yellow days or past its reply date: to the
  handling unit's keepers.
A unit's keepers are found as for goal management (``goals.reminders.Keepers``): the office and
records clerks granted on the unit, else the nearest office above.
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.roles import FEEDBACK_VIEW, PROBLEM_VIEW
from goals.lights import yellow_days
from goals.models import Light
from goals.reminders import Keepers
from notifications import reminders

from . import actions, feedback
from .models import Feedback, FeedbackStatus, Measure, Problem, ProblemStatus

SOURCE = "problems"
MEASURE_OVERDUE, MEASURE_DUE_SOON = "measure_overdue", "measure_due_soon"
TO_SIGN_OFF = "problem_to_sign_off"
FEEDBACK_OVERDUE, FEEDBACK_REPLY_DUE = "feedback_overdue", "feedback_reply_due"
CATEGORIES = {
    MEASURE_OVERDUE: gettext_lazy("Overdue rectification measures"),
    MEASURE_DUE_SOON: gettext_lazy("Rectification measures due soon"),
    TO_SIGN_OFF: gettext_lazy("Problems waiting for sign-off"),
    FEEDBACK_OVERDUE: gettext_lazy("Public feedback past its reply date"),
    FEEDBACK_REPLY_DUE: gettext_lazy("Public feedback to reply to soon"),
}


def _answering_for(measure, keepers):
    """The measure's responsible person when active and allowed to see it, else its unit's keepers."""
    person = measure.person
    if person is not None and person.is_active:
        person = keepers.person(person)
        if permissions.has_perm(person, PROBLEM_VIEW, measure):
            return [person]
    return keepers.of_unit(measure.unit)


def _measure_reminders(today, keepers):
    soon = today + datetime.timedelta(days=yellow_days())
    measures = (
        Measure.objects.filter(done=False, problem__status=ProblemStatus.RECTIFYING, deadline__lte=soon)
        .select_related("problem", "unit", "person__unit")
        .order_by("deadline", "id")
    )
    for measure in measures:
        overdue = actions.is_overdue(measure, today)
        category, level = (MEASURE_OVERDUE, Light.RED) if overdue else (MEASURE_DUE_SOON, Light.YELLOW)
        title = _("%(measure)s (%(problem)s, deadline %(date)s)") % {
            "measure": str(measure), "problem": measure.problem.title, "date": measure.deadline.isoformat(),
        }
        url = measure.problem.get_absolute_url()
        for person in _answering_for(measure, keepers):
            yield reminders.Reminder(person, measure.unit, category, title, measure, PROBLEM_VIEW, url, level)


def _verifiers(problem, keepers):
    unit = problem.unit
    offices = keepers.office_above(unit.path)
    if not offices and unit.depth == 1:
        offices = keepers.offices.get(unit.path, [])
    return [person for person in offices if actions.may_verify(person, problem)]


def _sign_off_reminders(keepers):
    problems = Problem.objects.filter(status=ProblemStatus.SUBMITTED).select_related("unit").order_by("updated_at", "id")
    for problem in problems:
        title = _("%(problem)s from %(unit)s") % {"problem": problem.title, "unit": problem.unit.name}
        for person in _verifiers(problem, keepers):
            yield reminders.Reminder(person, problem.unit, TO_SIGN_OFF, title, problem, PROBLEM_VIEW, problem.get_absolute_url())


def _feedback_reminders(today, keepers):
    soon = today + datetime.timedelta(days=yellow_days())
    records = (
        Feedback.objects.filter(status=FeedbackStatus.OPEN, reply_due__lte=soon)
        .select_related("unit")
        .order_by("reply_due", "id")
    )
    for record in records:
        category = FEEDBACK_OVERDUE if feedback.is_overdue(record, today) else FEEDBACK_REPLY_DUE
        # The content only, never the contact: a digest may go out by e-mail.
        title = _("%(channel)s: %(content)s (reply due %(date)s)") % {
            "channel": record.get_channel_display(), "content": record.content[:40], "date": record.reply_due.isoformat(),
        }
        for person in keepers.of_unit(record.unit):
            yield reminders.Reminder(person, record.unit, category, title, record, FEEDBACK_VIEW, record.get_absolute_url())


def collect(today: datetime.date):
    """Every rectification and public feedback reminder for ``today``."""
    keepers = Keepers()
    yield from _measure_reminders(today, keepers)
    yield from _sign_off_reminders(keepers)
    yield from _feedback_reminders(today, keepers)


reminders.register(SOURCE, collect, CATEGORIES)
