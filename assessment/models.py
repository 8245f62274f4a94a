"""Assessment rounds (考核活动): scorecards per unit, item scores, grades, results and appeals.

Workflow status is kept apart from scores; roll-ups are computed from the item scores (see
``engine``) and written only into ``Result`` when a round is published.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, TimeStampedModel

MONEY = {"max_digits": 8, "decimal_places": 2}


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being set up")
    OPEN = "open", _("Under way")
    PUBLISHED = "published", _("Published")


class Round(AuditedModel, TimeStampedModel):
    """A scoring round over a period for a set of units, against one published standard."""

    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organizing unit"))
    name = models.CharField(_("name"), max_length=100)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    standard = models.ForeignKey("standard.Standard", on_delete=models.PROTECT, related_name="rounds", verbose_name=_("standard"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    self_assessment_due = models.DateField(_("self-assessment due"))
    review_due = models.DateField(_("review due"))
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal"), default=5)
    allow_over_full_marks = models.BooleanField(_("bonus may pass the full marks"), default=False)
    bonus_cap = models.DecimalField(_("bonus cap"), null=True, blank=True, **MONEY)
    higher_level_multiplier = models.DecimalField(
        _("multiplier on deductions found by the reviewer"), default=Decimal("1"), max_digits=4, decimal_places=2
    )
    veto_grade = models.ForeignKey(
        "RoundGrade", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("best grade after a veto"), help_text=_("Empty: a vetoed unit gets the lowest grade."),
    )
    children_share = models.DecimalField(
        _("share of the units below (%)"), default=Decimal("0"), max_digits=5, decimal_places=2,
        help_text=_("A parent unit's result includes this share of the average of its assessed children."),
    )
    weakness_percent = models.DecimalField(
        _("weakness threshold (%)"), default=Decimal("60"), max_digits=5, decimal_places=2,
        help_text=_("Items scoring below this share of their points are listed as weaknesses."),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("reviewers"),
        help_text=_("Empty: every assessor in scope may review."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-period_end", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("assessment:round", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path


class RoundGrade(AuditedModel):
    """A grade (等次) of a round: its threshold, its quota among peers and what it brings."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="grades")
    position = models.PositiveSmallIntegerField(_("order"), help_text=_("1 is the best grade."))
    name = models.CharField(_("grade"), max_length=20)
    min_score = models.DecimalField(_("lowest score"), **MONEY)
    quota_count = models.PositiveIntegerField(_("at most (units)"), null=True, blank=True)
    quota_percent = models.DecimalField(_("at most (percent of peers)"), null=True, blank=True, max_digits=5, decimal_places=2)
    pay_coefficient = models.DecimalField(_("pay coefficient"), default=Decimal("1"), max_digits=5, decimal_places=3)
    award_eligible = models.BooleanField(_("eligible for awards"), default=False)

    scope_path_field = "round__unit__path"

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["round", "position"]
        constraints = [models.UniqueConstraint(fields=["round", "position"], name="unique_grade_position")]

    def __str__(self):
        return self.name

    def audit_unit_id(self):
        return self.round.unit_id


class ConditionKind(models.TextChoices):
    NODE_BELOW = "node_below", _("A dimension or indicator below a share of its points")
    REVIEWER_FOUND = "reviewer_found", _("Deductions found by the reviewer")
    MISSING_EVIDENCE = "missing_evidence", _("Items without evidence")


class GradeCondition(AuditedModel):
    """"Cannot be better than ``best_grade`` if …" (e.g. no 优秀 with a dimension below 80%)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(_("condition"), max_length=20, choices=ConditionKind.choices)
    node = models.ForeignKey(
        "standard.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("dimension or indicator"), help_text=_("Empty: any dimension."),
    )
    percent = models.DecimalField(_("threshold (%)"), default=Decimal("0"), max_digits=5, decimal_places=2)
    best_grade = models.ForeignKey(RoundGrade, on_delete=models.CASCADE, related_name="+", verbose_name=_("best grade allowed"))

    scope_path_field = "round__unit__path"

    class Meta:
        verbose_name = _("grade condition")
        verbose_name_plural = _("grade conditions")

    def audit_unit_id(self):
        return self.round.unit_id


class ComponentSource(models.TextChoices):
    STANDARD = "standard", _("Scored by the standard")
    ENTERED = "entered", _("Entered or imported")


class RoundComponent(AuditedModel):
    """A weighted part of a round's result (三级联动: party building, leadership team, discipline…)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("component"), max_length=50)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=20, default=ComponentSource.STANDARD)

    scope_path_field = "round__unit__path"

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["round", "position", "id"]

    def __str__(self):
        return self.name

    def audit_unit_id(self):
        return self.round.unit_id

    @property
    def source_label(self):
        """The source as users read it: a built-in one, or one a capability registered."""
        from . import components

        if self.source in ComponentSource.values:
            return ComponentSource(self.source).label
        provider = components.get(self.source)
        return provider.label if provider else self.source


class ComponentScore(AuditedModel):
    """A unit's score (0-100) on a component that is entered or imported, not scored here."""

    component = models.ForeignKey(RoundComponent, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_path_field = "unit__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["component", "unit"], name="unique_component_score")]


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Self-assessment")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


# The statuses in which the unit may still change its self-assessment.
EDITABLE_STATUSES = (ScorecardStatus.DRAFT, ScorecardStatus.RETURNED)


class Scorecard(AuditedModel, TimeStampedModel):
    """One unit's self-assessment and review in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scorecards")
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="scorecards", verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["round", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="unique_scorecard")]

    def __str__(self):
        return f"{self.round} · {self.unit}"

    def get_absolute_url(self):
        return reverse("assessment:scorecard", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path


class ItemScore(AuditedModel):
    """A unit's answer on one scoring item, by itself and by the reviewer.

    Scores are computed from the answers by the item's method when saved (``standard.scoring``);
    ``version`` guards against two people overwriting each other (optimistic locking).
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    node = models.ForeignKey("standard.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("scoring item"))
    self_answer = models.JSONField(_("self-assessment"), null=True, blank=True)
    self_score = models.DecimalField(_("self score"), null=True, blank=True, **MONEY)
    self_note = models.TextField(_("self-assessment note"), blank=True)
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_answer = models.JSONField(_("review"), null=True, blank=True)
    review_score = models.DecimalField(_("review score"), null=True, blank=True, **MONEY)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    # Effective facts (the review's when there is one), kept for aggregation in SQL.
    vetoed = models.BooleanField(default=False)
    found_by_reviewer = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "scorecard__unit__path"
    audit_exclude = ("updated_at", "version")

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["scorecard", "node__level", "node__position"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "node"], name="unique_item_score")]

    def get_scope_path(self):
        return self.scorecard.unit.path

    def audit_unit_id(self):
        return self.scorecard.unit_id

    @property
    def score(self):
        return self.review_score if self.review_answer is not None else self.self_score


class ScorecardEvent(models.Model):
    """The history shown on a scorecard: who submitted, returned (why), reviewed, published, appealed."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scorecard", "at", "id"]


class Result(AuditedModel):
    """A unit's frozen result in a published round; changed afterwards only by an accepted appeal."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    standard_score = models.DecimalField(_("score by the standard"), null=True, **MONEY)
    own_score = models.DecimalField(_("own score"), **MONEY)
    children_score = models.DecimalField(_("score of the units below"), null=True, **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    grade = models.ForeignKey(RoundGrade, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("grade"))
    grade_note = models.CharField(_("why this grade"), max_length=200, blank=True)
    rank = models.PositiveIntegerField(_("rank"))
    peer_count = models.PositiveIntegerField(_("peers"))
    dimension_scores = models.JSONField(default=dict)
    # Each weighted component's score on a scale of 100 (the standard's, goal completion…), by component id.
    component_scores = models.JSONField(default=dict)

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["round", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="unique_result")]


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Appeal(AuditedModel, TimeStampedModel):
    """申诉: a unit contests its published result within the round's appeal days."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    scope_path_field = "scorecard__unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]

    def get_scope_path(self):
        return self.scorecard.unit.path

    def audit_unit_id(self):
        return self.scorecard.unit_id
