"""The inbox, the group robots (钉钉 / 企业微信 群机器人) and the records that keep reminders to one a day."""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import AuditedModel, TimeStampedModel


class Message(models.Model):
    """An inbox message of one person. ``sections`` holds a digest's items grouped by category:
    ``[{"label": str, "items": [{"title", "url", "level"}]}]``."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    sections = models.JSONField(default=list, blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notifications:message", args=[self.pk])


class RobotKind(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


class Robot(AuditedModel, TimeStampedModel):
    """A chat group's robot that receives the unit's daily reminder post, naming the people concerned.

    The webhook URL and signing secret are credentials (whoever has them can post to the group): the
    audit trail records a fingerprint of them, never their text.
    """

    unit = models.ForeignKey("organization.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=10, choices=RobotKind.choices)
    name = models.CharField(_("name"), max_length=100)
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("DingTalk robots with the signing security setting (加签) only."),
    )
    credentials_fingerprint = models.CharField(max_length=16, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    scope_path_field = "unit__path"
    audit_exclude = ("updated_at", "webhook_url", "secret")

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["unit__path", "name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notifications:robot_edit", args=[self.pk])

    def get_scope_path(self):
        return self.unit.path

    def save(self, *args, **kwargs):
        text = f"{self.webhook_url}\n{self.secret}".encode()
        self.credentials_fingerprint = hashlib.sha256(text).hexdigest()[:16]
        super().save(*args, **kwargs)

    @property
    def masked_url(self):
        """Enough of the address to recognise it, not enough to post with it."""
        url = self.webhook_url
        return url if len(url) <= 40 else f"{url[:36]}…{url[-4:]}"


class Delivery(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not configured")


class Digest(models.Model):
    """The one reminder a person gets on a day: its row is the guard, its text is what every channel sends."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    title = models.CharField(max_length=200)
    body = models.TextField()
    item_count = models.PositiveIntegerField(default=0)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, related_name="+")
    email = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    email_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        ordering = ["-date", "person_id"]
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="one_digest_per_person_per_day")]


class RobotPost(models.Model):
    """A robot's one post of a day; a failed post is tried again by the next run of the day's job."""

    robot = models.ForeignKey(Robot, on_delete=models.CASCADE, related_name="posts")
    date = models.DateField(_("date"))
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("robot post")
        verbose_name_plural = _("robot posts")
        ordering = ["-date", "robot_id"]
        constraints = [models.UniqueConstraint(fields=["robot", "date"], name="one_robot_post_per_day")]
