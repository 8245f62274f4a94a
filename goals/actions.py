"""Business operations of goal management: plan → decompose → supervise (reports) → evaluate.

Each action is transactional, checks the permission layer and leaves its trace in the audit trail.
A published plan (its title, goals and task dates) changes only through a recorded
``PlanAdjustment``; decomposing its tasks further is carrying it out and goes on after publication.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import GOAL_CHANGE, TASK_REPORT
from core.actions import business_action
from core.models import snapshot
from core.numbers import bounded_decimal
from standard.models import Level

from . import lights
from .models import (
    Cadence,
    Goal,
    Light,
    Milestone,
    Plan,
    PlanAdjustment,
    PlanStatus,
    ProgressReport,
    ReportStatus,
    Task,
    TaskStatus,
)

GOAL_FIELDS = ("title", "measure", "target_value", "key_actions", "weight")


def _may(actor, perm, obj):
    return actor is None or permissions.has_perm(actor, perm, obj)


def _within(unit, root):
    return unit.path.startswith(root.path)


def _text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


@business_action
def create_plan(actor, *, unit, year, title):
    """A draft annual plan of ``unit``; one per unit and year."""
    permissions.require_actor(actor, GOAL_CHANGE, unit)
    title = _text(title, "title", _("The title cannot be empty."))
    if Plan.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": _("%(unit)s already has a plan for %(year)s.") % {"unit": unit, "year": year}})
    return Plan.objects.create(unit=unit, year=year, title=title, created_by=actor)


@business_action
def approve_plan(actor, plan):
    """A draft plan with at least one goal is approved."""
    permissions.require_actor(actor, GOAL_CHANGE, plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be approved."))
    if not plan.goals.exists():
        raise ValidationError(_("A plan needs at least one goal."))
    plan.status, plan.approved_at = PlanStatus.APPROVED, timezone.now()
    plan.save()
    return plan


@business_action
def publish_plan(actor, plan):
    """An approved plan is published: its tasks can be signed for, and it changes only by adjustment."""
    permissions.require_actor(actor, GOAL_CHANGE, plan)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("Only an approved plan can be published."))
    plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
    plan.save()
    return plan


def _record(actor, plan, reason, before, after):
    reason = _text(reason, "reason", _("A published plan changes only with a reason for the adjustment."))
    return PlanAdjustment.objects.create(plan=plan, reason=reason, before=before, after=after, by=actor)


def _clean_goal_fields(plan, fields):
    cleaned = {}
    for name in GOAL_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name == "weight":
            value = bounded_decimal(value, "weight", high=Decimal("1000"))
        elif name == "title":
            value = _text(value, "title", _("The goal needs a title."))
        else:
            value = (value or "").strip()
        cleaned[name] = value
    if "owner_unit" in fields:
        if not _within(fields["owner_unit"], plan.unit):
            raise ValidationError({"owner_unit": _("The owner unit must be in the plan's unit or below it.")})
        cleaned["owner_unit"] = fields["owner_unit"]
    if "node" in fields:
        node = fields["node"]
        if node is not None and node.level not in (Level.DIMENSION, Level.INDICATOR):
            raise ValidationError({"node": _("A goal serves a dimension or an indicator of the standard.")})
        cleaned["node"] = node
    return cleaned


@business_action
def add_goal(actor, plan, *, title, owner_unit, reason="", **fields):
    """A goal of the plan; once the plan is published, only with a reason, as an adjustment."""
    permissions.require_actor(actor, GOAL_CHANGE, plan)
    cleaned = _clean_goal_fields(plan, {"title": title, "owner_unit": owner_unit, **fields})
    if plan.goals.filter(title=cleaned["title"]).exists():
        # Goals are told apart by their titles (the task list, the dashboard), so one title is one goal.
        raise ValidationError({"title": _("The plan already has a goal %(title)s.") % {"title": cleaned["title"]}})
    position = plan.goals.count() + 1
    goal = Goal.objects.create(plan=plan, position=position, **cleaned)
    if plan.status == PlanStatus.PUBLISHED:
        _record(actor, plan, reason, {}, {"goal": snapshot(goal)})
    return goal


@business_action
def adjust_plan(actor, plan, *, reason, title=None, goals=None):
    """Changes a published plan's title or goals ({goal: {field: value}}), recording before and after."""
    permissions.require_actor(actor, GOAL_CHANGE, plan)
    if plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(_("Only a published plan is adjusted; edit a draft directly."))
    reason = _text(reason, "reason", _("A published plan changes only with a reason for the adjustment."))
    before, after = {}, {}
    if title is not None:
        title = _text(title, "title", _("The title cannot be empty."))
        if title != plan.title:
            before["title"], after["title"], plan.title = plan.title, title, title
    for goal, fields in (goals or {}).items():
        if goal.plan_id != plan.pk:
            raise ValidationError(_("The goal is not in this plan."))
        cleaned = _clean_goal_fields(plan, fields)
        changed = {name: value for name, value in cleaned.items() if getattr(goal, name) != value}
        if changed:
            old = snapshot(goal)
            for name, value in changed.items():
                setattr(goal, name, value)
            new = snapshot(goal)
            keys = sorted(key for key in new if new[key] != old[key])
            before[f"goal {goal.pk}"] = {key: old[key] for key in keys}
            after[f"goal {goal.pk}"] = {key: new[key] for key in keys}
            goal.save()
    if not after:
        raise ValidationError(_("The adjustment changes nothing."))
    adjustment = _record(actor, plan, reason, before, after)
    plan.save()
    return adjustment


def belongs_to(person, unit) -> bool:
    """A person answers for work of ``unit`` when their unit, or their party organization (a branch
    leading a task), is that unit or below it."""
    return any(home is not None and home.path.startswith(unit.path) for home in (person.unit, person.party_unit))


def _may_decompose(actor, goal, parent):
    """The plan's office decomposes its goals; a unit given a task decomposes it inside its subtree."""
    if parent is None:
        return _may(actor, GOAL_CHANGE, goal.plan)
    return _may(actor, GOAL_CHANGE, parent.lead_unit)


@business_action
def add_task(
    actor, goal, *, title, lead_unit, start_date, due_date, parent=None, supporting_units=(), owner=None,
    expected_output="", cadence=Cadence.MONTHLY, weight="1",
):
    """A task under a goal, or a sub-task under a task led inside the parent's lead unit's subtree."""
    if not _may_decompose(actor, goal, parent):
        raise PermissionDenied
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("The task needs a title.")
    root = parent.lead_unit if parent is not None else goal.plan.unit
    if not _within(lead_unit, root):
        errors["lead_unit"] = _("The lead unit must be %(unit)s or a unit below it.") % {"unit": root}
    if any(not _within(unit, goal.plan.unit) for unit in supporting_units):
        errors["supporting_units"] = _("Supporting units must be in the plan's unit or below it.")
    if due_date < start_date:
        errors["due_date"] = _("The due date cannot be before the start date.")
    if parent is not None:
        if parent.goal_id != goal.pk:
            errors["parent"] = _("The parent task belongs to another goal.")
        elif due_date > parent.due_date or start_date < parent.start_date:
            errors["due_date"] = _("A sub-task must fall within its parent's dates.")
        elif parent.status in (TaskStatus.DECLINED, TaskStatus.DONE, TaskStatus.WITHDRAWN):
            errors["parent"] = _("A declined, finished or withdrawn task cannot be decomposed.")
        elif parent.status == TaskStatus.ISSUED and not _may(actor, GOAL_CHANGE, parent.issuer_unit):
            errors["parent"] = _("Sign for the task before decomposing it.")
    if cadence not in Cadence.values:
        errors["cadence"] = _("Choose a reporting cadence.")
    if errors:
        raise ValidationError(errors)
    siblings = Task.objects.filter(goal=goal, parent=parent).count()
    task = Task.objects.create(
        goal=goal, parent=parent, title=title, lead_unit=lead_unit, owner=owner, start_date=start_date,
        due_date=due_date, expected_output=(expected_output or "").strip(), cadence=cadence,
        weight=bounded_decimal(weight, "weight", high=Decimal("1000")), position=siblings + 1,
    )
    task.supporting_units.set(supporting_units)
    return task


@business_action
def add_milestone(actor, task, *, title, due):
    if not _may_decompose(actor, task.goal, task):
        raise PermissionDenied
    title = _text(title, "title", _("The milestone needs a title."))
    if not (task.start_date <= due <= task.due_date):
        raise ValidationError({"due": _("A milestone must fall within its task's dates.")})
    return Milestone.objects.create(task=task, title=title, due=due)


def _issuer_only(actor, task) -> bool:
    """签收 is the lead unit's word: the office that issued a task does not sign for it (or decline it),
    unless it leads the task too."""
    issuer_unit = task.issuer_unit
    return task.lead_unit_id != issuer_unit.pk and permissions.has_perm(actor, GOAL_CHANGE, issuer_unit)


def signs_for(actor, task) -> bool:
    """May ``actor`` sign for or decline ``task`` (whatever its state): the lead unit's people or office."""
    if actor is None:
        return True
    if not (permissions.has_perm(actor, TASK_REPORT, task) or permissions.has_perm(actor, GOAL_CHANGE, task)):
        return False
    return not _issuer_only(actor, task)


def _require_receiver(actor, task):
    if not signs_for(actor, task):
        if _issuer_only(actor, task):
            raise PermissionDenied(_("The unit that issued the task cannot sign for it or decline it; the lead unit does."))
        raise PermissionDenied
    if task.goal.plan.status != PlanStatus.PUBLISHED:
        raise ValidationError(_("Tasks are signed for once their plan is published."))
    if task.status != TaskStatus.ISSUED:
        raise ValidationError(_("Only an issued task can be signed for or declined."))


@business_action
def sign_task(actor, task):
    """签收: the lead unit takes the task on."""
    _require_receiver(actor, task)
    task.status, task.signed_at = TaskStatus.SIGNED, timezone.now()
    task.save()
    return task


@business_action
def decline_task(actor, task, *, reason):
    """The lead unit declines the task, saying why; the issuer decides what follows."""
    _require_receiver(actor, task)
    task.decline_reason = _text(reason, "reason", _("Say why the task is declined."))
    task.status = TaskStatus.DECLINED
    task.save()
    return task


def _require_issuer(actor, task):
    permissions.require_actor(actor, GOAL_CHANGE, task.issuer_unit)


@business_action
def reassign_task(actor, task, *, lead_unit, reason):
    """After a decline, the issuer hands the task to another lead unit (or back to the same one with
    the matter settled); the task is issued again and the change is recorded on the plan."""
    _require_issuer(actor, task)
    if task.status != TaskStatus.DECLINED:
        raise ValidationError(_("Only a declined task is handed to another unit."))
    root = task.issuer_unit
    if not _within(lead_unit, root):
        raise ValidationError({"lead_unit": _("The lead unit must be %(unit)s or a unit below it.") % {"unit": root}})
    before = {"task": task.pk, "lead_unit": str(task.lead_unit), "decline_reason": task.decline_reason}
    after = {"task": task.pk, "lead_unit": str(lead_unit)}
    _record(actor, task.goal.plan, reason, before, after)
    task.lead_unit, task.status, task.decline_reason, task.signed_at = lead_unit, TaskStatus.ISSUED, "", None
    task.save()
    return task


@business_action
def withdraw_task(actor, task, *, reason):
    """The issuer withdraws (撤销) a task that is not done, with its sub-tasks: it no longer counts in
    any roll-up, colour or reminder, and stays on record with the reason."""
    _require_issuer(actor, task)
    if task.status in (TaskStatus.DONE, TaskStatus.WITHDRAWN):
        raise ValidationError(_("A finished or withdrawn task cannot be withdrawn."))
    reason = _text(reason, "reason", _("Say why the task is withdrawn."))
    _record(actor, task.goal.plan, reason, {"task": task.pk, "status": task.status}, {"task": task.pk, "status": TaskStatus.WITHDRAWN})
    for item in [task, *descendants(task)]:
        if item.status != TaskStatus.DONE:
            item.status, item.withdraw_reason = TaskStatus.WITHDRAWN, reason
            item.save()
    return task


def descendants(task):
    """Every task below ``task``, parents before children."""
    found, frontier = [], [task.pk]
    while frontier:
        level = list(Task.objects.filter(parent_id__in=frontier).order_by("position", "id"))
        found.extend(level)
        frontier = [item.pk for item in level]
    return found


@business_action
def reschedule_task(actor, task, *, due_date, reason, today=None):
    """Moves a task's due date as a recorded plan adjustment; a red task given time shows yellow at best
    until its next accepted report."""
    _require_issuer(actor, task)
    if due_date < task.start_date:
        raise ValidationError({"due_date": _("The due date cannot be before the start date.")})
    if task.parent_id and due_date > task.parent.due_date:
        raise ValidationError({"due_date": _("A sub-task must fall within its parent's dates.")})
    latest_child = max((child.due_date for child in _open_children(task)), default=None)
    if latest_child is not None and due_date < latest_child:
        raise ValidationError(
            {"due_date": _("A sub-task is due on %(date)s: move it first, or choose a later date.") % {"date": latest_child.isoformat()}}
        )
    was_red = lights.light(task, today) == Light.RED
    before = {"task": task.pk, "due_date": task.due_date.isoformat()}
    task.due_date = due_date
    if was_red:
        task.light_floor = Light.YELLOW
    if task.goal.plan.status == PlanStatus.PUBLISHED:
        _record(actor, task.goal.plan, reason, before, {"task": task.pk, "due_date": due_date.isoformat()})
    task.save()
    return task


def _open_children(task):
    return task.children.exclude(status__in=(TaskStatus.DONE, TaskStatus.WITHDRAWN))


def _check_finish(task, percent):
    """A task is finished only when each of its sub-tasks is finished (or withdrawn)."""
    if percent == 100 and _open_children(task).exists():
        raise ValidationError({"percent": _("Sub-tasks of this task are not finished yet: it cannot be reported as finished.")})


@business_action
def submit_report(actor, task, *, period, percent, done_text, problems="", support_needed=""):
    """A progress report of a signed task; one waits for review at a time."""
    if not (_may(actor, TASK_REPORT, task) or (actor is not None and task.owner_id == actor.pk)):
        raise PermissionDenied
    if task.status not in (TaskStatus.SIGNED, TaskStatus.IN_PROGRESS):
        raise ValidationError(_("Reports are made on a task that has been signed for and is not done."))
    if task.reports.filter(status=ReportStatus.SUBMITTED).exists():
        raise ValidationError(_("The last report is still waiting for review."))
    percent = bounded_decimal(percent, "percent", high=Decimal("100"))
    latest = max(task.due_date, timezone.localdate())  # an overdue task still reports what it did
    if period < task.start_date or period > latest:
        raise ValidationError(
            {"period": _("The report period must fall between the task's start (%(start)s) and %(latest)s.") % {
                "start": task.start_date.isoformat(), "latest": latest.isoformat(),
            }}
        )
    _check_finish(task, percent)
    report = ProgressReport.objects.create(
        task=task, period=period, percent=percent,
        done_text=_text(done_text, "done_text", _("Say what was done.")),
        problems=(problems or "").strip(), support_needed=(support_needed or "").strip(), submitted_by=actor,
    )
    if task.status == TaskStatus.SIGNED:
        task.status = TaskStatus.IN_PROGRESS
        task.save()
    return report


def _require_reviewer(actor, report):
    permissions.require_actor(actor, GOAL_CHANGE, report.task.issuer_unit)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or returned."))


@business_action
def accept_report(actor, report):
    """The issuer accepts a report: its percent becomes the task's, 100 finishes the task."""
    _require_reviewer(actor, report)
    _check_finish(report.task, report.percent)
    now = timezone.now()
    report.status, report.reviewed_by, report.reviewed_at = ReportStatus.ACCEPTED, actor, now
    report.save()
    task = report.task
    task.percent_done, task.last_accepted_report_at, task.light_floor = report.percent, now, ""
    task.status = TaskStatus.DONE if report.percent == 100 else TaskStatus.IN_PROGRESS
    task.save()
    _freshen_ancestors(task, now)
    return report


def _freshen_ancestors(task, when):
    """A parent is reported on through its sub-tasks: their accepted reports keep it from turning
    yellow for a missing report (its own colour floor still waits for its own next report)."""
    ids, parent_id = [], task.parent_id
    while parent_id is not None:
        ids.append(parent_id)
        parent_id = Task.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    # A derived timestamp, not a change anyone made: no audit entry of its own.
    Task.objects.filter(pk__in=ids).filter(Q(last_accepted_report_at__isnull=True) | Q(last_accepted_report_at__lt=when)).update(
        last_accepted_report_at=when
    )


@business_action
def return_report(actor, report, *, reason):
    """The issuer returns a report with the reason; the task keeps its last accepted progress."""
    _require_reviewer(actor, report)
    report.return_reason = _text(reason, "reason", _("Say why the report is returned."))
    report.status, report.reviewed_by, report.reviewed_at = ReportStatus.RETURNED, actor, timezone.now()
    report.save()
    return report
