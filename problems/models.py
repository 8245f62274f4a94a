"""Problems and rectification (问题查摆与整改), the suggestion box (金点子) and public feedback.

A problem is found in a unit, analysed for its root cause, fixed through one or more measures and
signed off (销号) by a verifier whose scope is above the unit. Suggestions and public feedback are
their own records; either can become a problem in one step, and so can a weakness of a published
scorecard or a supervision notice. The origin stays linked to the problem.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import masking
from core.fields import EncryptedCharField
from core.models import AuditedModel, TimeStampedModel


class Source(models.TextChoices):
    STAFF = "staff", _("Raised by staff")
    SELF = "self", _("Found by the unit itself")
    SUPERIOR = "superior", _("Pointed out by a superior")
    PEERS = "peers", _("Raised by peers")
    PUBLIC = "public", _("Reported by the public")
    INSPECTION = "inspection", _("Inspection tour")
    LIFE_MEETING = "life_meeting", _("Democratic life meeting")
    ASSESSMENT = "assessment", _("Found in assessment")
    SUPERVISION = "supervision", _("Supervision")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class Kind(models.TextChoices):
    FIX_NOW = "fix_now", _("Fix now")
    BY_DEADLINE = "by_deadline", _("Fix by deadline")
    ONGOING = "ongoing", _("Ongoing")


class ProblemStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ANALYSED = "analysed", _("Analysed")
    RECTIFYING = "rectifying", _("Rectifying")
    SUBMITTED = "submitted", _("Submitted for verification")
    SIGNED_OFF = "signed_off", _("Signed off")


class Problem(AuditedModel, TimeStampedModel):
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("how it shows"), blank=True)
    node = models.ForeignKey(
        "standard.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("part of the standard"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.BY_DEADLINE)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("raised by"),
    )
    found_on = models.DateField(_("date found"))
    root_cause = models.TextField(_("root-cause analysis"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.REGISTERED)
    send_back_reason = models.TextField(_("reason for sending back"), blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("signed off by"),
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Where it came from, when it came from another record (one at most).
    origin_item = models.ForeignKey(
        "assessment.ItemScore", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("from the scorecard item"),
    )
    origin_notice = models.ForeignKey(
        "goals.SupervisionNotice", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("from the supervision notice"),
    )
    origin_suggestion = models.OneToOneField(
        "Suggestion", on_delete=models.PROTECT, null=True, blank=True, related_name="problem",
        verbose_name=_("from the suggestion"),
    )
    origin_feedback = models.OneToOneField(
        "Feedback", on_delete=models.PROTECT, null=True, blank=True, related_name="problem",
        verbose_name=_("from the public feedback"),
    )

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["status", "found_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problems:problem", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path


class Measure(AuditedModel, TimeStampedModel):
    """整改措施: what will be done, by whom, by when. Overdue while open past its deadline."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="measures")
    text = models.TextField(_("rectification measure"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible leader"),
    )
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("responsible person"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")
        ordering = ["problem", "position", "id"]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return self.problem.get_absolute_url()

    def get_scope_path(self):
        return self.unit.path


class MeasureUpdate(AuditedModel):
    """整改进展: what was done on a measure; evidence links to it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("progress"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    scope_path_field = "measure__unit__path"

    class Meta:
        verbose_name = _("rectification progress")
        verbose_name_plural = _("rectification progress")
        ordering = ["measure", "at", "id"]

    def __str__(self):
        return self.text[:60]

    def get_scope_path(self):
        return self.measure.unit.path

    def audit_unit_id(self):
        return self.measure.unit_id


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    ADOPTED = "adopted", _("Adopted")
    DECLINED = "declined", _("Not adopted")


class Suggestion(models.Model):
    """金点子. An anonymous one keeps no link to its author: no person, no time of day, no audit entry
    of its submission; only the hash of the receipt code given to the author once.

    Not an ``AuditedModel`` for that reason: the office's handling is audited through business events.
    """

    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("addressed to"))
    title = models.CharField(_("idea title"), max_length=200)
    content = models.TextField(_("idea content"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("author"),
    )
    submitted_on = models.DateField(_("submitted on"))
    receipt_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUBMITTED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("answered by"),
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    on_board = models.BooleanField(_("shown on the board"), default=False)
    task = models.ForeignKey(
        "goals.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("became the task"),
    )

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problems:suggestion", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path


class Channel(models.TextChoices):
    ONLINE = "online", _("Online inquiry")
    PHONE = "phone", _("Phone complaint")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Awaiting reply")
    REPLIED = "replied", _("Replied")


class Feedback(AuditedModel, TimeStampedModel):
    """网络问政 / 电话投诉 from the public, handled by a unit by a reply deadline."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    # Stored SM4-encrypted (core.fields); shown masked to anyone without the full contact.
    contact_phone = EncryptedCharField(_("contact phone"), max_length=30, blank=True, mask=masking.phone)
    content = models.TextField(_("what was said"))
    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("handling unit"))
    reply_due = models.DateField(_("reply due"))
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = _("public feedback")
        verbose_name_plural = _("public feedback")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.received_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("problems:feedback", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path
