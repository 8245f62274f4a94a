"""Goal management (目标管理): annual plans, goals tied to the standard, tasks decomposed to any depth,
milestones and progress reports.

Progress is kept on each task as the percent of its last accepted report; roll-ups to parents, goals
and plans are computed (``rollup``), never stored over the reports. Colours come from ``lights``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, TimeStampedModel

WEIGHT = {"max_digits": 6, "decimal_places": 2}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


class Plan(AuditedModel, TimeStampedModel):
    """A unit's annual goal plan (年度目标计划): drafted, approved, published, then only adjusted."""

    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("goal plan")
        verbose_name_plural = _("goal plans")
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unique_plan_per_unit_year")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("goals:plan", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path


class PlanAdjustment(AuditedModel):
    """A recorded change to a published plan: who, when, why, and what it was before and after."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="adjustments")
    reason = models.TextField(_("reason"))
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "plan__unit__path"

    class Meta:
        verbose_name = _("plan adjustment")
        verbose_name_plural = _("plan adjustments")
        ordering = ["plan", "at", "id"]

    def get_scope_path(self):
        return self.plan.unit.path

    def audit_unit_id(self):
        return self.plan.unit_id


class Goal(AuditedModel):
    """A goal of a plan: the part of the standard it serves, its measure (衡量标准) and key actions (重点举措)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    node = models.ForeignKey(
        "standard.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dimension or indicator"),
    )
    title = models.CharField(_("goal"), max_length=200)
    measure = models.TextField(_("measure"), blank=True)
    target_value = models.CharField(_("target value"), max_length=100, blank=True)
    key_actions = models.TextField(_("key actions"), blank=True)
    owner_unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner unit"))
    weight = models.DecimalField(_("weight"), default=Decimal("1"), **WEIGHT)
    position = models.PositiveIntegerField(_("order"), default=0)

    scope_path_field = "plan__unit__path"

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "position", "id"]

    def __str__(self):
        return self.title

    def get_scope_path(self):
        return self.plan.unit.path

    def audit_unit_id(self):
        return self.plan.unit_id


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class TaskStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    SIGNED = "signed", _("Signed for")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Light(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("At risk")
    RED = "red", _("Overdue")


class Task(AuditedModel, TimeStampedModel):
    """A piece of decomposed work led by one unit; sub-tasks nest to any depth.

    The issuing unit is the parent task's lead unit, or the plan's unit for a task directly under a
    goal: its office reviews the reports.
    """

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    title = models.CharField(_("task"), max_length=200)
    lead_unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit"))
    supporting_units = models.ManyToManyField(
        "organization.Unit", blank=True, related_name="+", verbose_name=_("supporting units")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    expected_output = models.CharField(_("expected output"), max_length=200, blank=True)
    cadence = models.CharField(_("reporting cadence"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    weight = models.DecimalField(_("weight"), default=Decimal("1"), **WEIGHT)
    position = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ISSUED)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    percent_done = models.DecimalField(_("percent done"), default=Decimal("0"), max_digits=5, decimal_places=2)
    last_accepted_report_at = models.DateTimeField(_("last accepted report"), null=True, blank=True)
    # The best colour the task may show whatever its dates say: a red task given more time shows
    # yellow until its next accepted report (see lights.light).
    light_floor = models.CharField(max_length=10, choices=Light.choices, blank=True)

    scope_path_field = "lead_unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["goal", "position", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("goals:task", args=[self.pk])

    def get_scope_path(self):
        return self.lead_unit.path

    def audit_unit_id(self):
        return self.lead_unit_id

    @property
    def issuer_unit(self):
        return self.parent.lead_unit if self.parent_id else self.goal.plan.unit


class Milestone(AuditedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due date"))

    scope_path_field = "task__lead_unit__path"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task", "due", "id"]

    def __str__(self):
        return self.title

    def get_scope_path(self):
        return self.task.lead_unit.path

    def audit_unit_id(self):
        return self.task.lead_unit_id


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ProgressReport(AuditedModel, TimeStampedModel):
    """进展报告: what a task's lead unit did in a period; the issuer accepts or returns it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    period = models.DateField(_("period ending"))
    percent = models.DecimalField(_("percent done"), max_digits=5, decimal_places=2)
    done_text = models.TextField(_("what was done"))
    problems = models.TextField(_("problems met"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    return_reason = models.TextField(_("reason for return"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    scope_path_field = "task__lead_unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task", "-period", "-id"]

    def __str__(self):
        return f"{self.task} · {self.period}"

    def get_scope_path(self):
        return self.task.lead_unit.path

    def audit_unit_id(self):
        return self.task.lead_unit_id


class PlanSnapshot(models.Model):
    """A plan's completion and colour counts on one day, written by the daily job: the dashboard's trend."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(_("date"))
    percent = models.DecimalField(_("percent done"), max_digits=5, decimal_places=2)
    total = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)

    scope_path_field = "plan__unit__path"

    class Meta:
        verbose_name = _("plan snapshot")
        verbose_name_plural = _("plan snapshots")
        ordering = ["plan", "date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="unique_plan_snapshot_per_day")]

    def get_scope_path(self):
        return self.plan.unit.path


class SupervisionLevel(models.TextChoices):
    """Escalation levels, lowest first: 提醒 → 督办 → 约谈/通报."""

    REMINDER = "reminder", _("Reminder")
    SUPERVISION = "supervision", _("Supervision")
    INTERVIEW = "interview", _("Interview or public notice")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting reply")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated")


class SupervisionNotice(AuditedModel, TimeStampedModel):
    """督办单: an office asks a lagging unit (on one of its tasks, or as a whole) to reply by a date.

    The supervised unit replies; the issuing office closes the notice or escalates it, which closes
    this one as escalated and opens a new notice at the next level (``escalated_from``).
    """

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="supervision_notices", verbose_name=_("task")
    )
    unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("supervised unit")
    )
    issuing_unit = models.ForeignKey(
        "organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing unit")
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("issued by")
    )
    reason = models.TextField(_("reason"))
    reply_due = models.DateField(_("reply due"))
    level = models.CharField(
        _("level"), max_length=12, choices=SupervisionLevel.choices, default=SupervisionLevel.REMINDER
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="escalated_to",
        verbose_name=_("escalated from"),
    )

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_level_display()} · {self.unit}"

    def get_absolute_url(self):
        return reverse("goals:notice", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path
