"""What the login security keeps: the state and history of each person's password, and the
sessions each person has open (so that logout and disabling an account can end them all)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordState(models.Model):
    """When a person's password was last set, and whether they must choose a new one.

    ``must_change`` is set whenever someone other than the person sets the password (an issued
    password: created by an administrator, a roster import, a management command).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="password_state", verbose_name=_("person")
    )
    changed_at = models.DateTimeField(_("password set at"))
    must_change = models.BooleanField(_("must change the password"), default=False)

    class Meta:
        verbose_name = _("password state")
        verbose_name_plural = _("password states")

    def __str__(self):
        return str(self.user)


class PasswordHistory(models.Model):
    """A hash of a password the person had, so that it cannot be chosen again soon."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="security_pwhistory_user")]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A logged-in session of a person, kept from login to logout."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in at"))
    last_seen = models.DateTimeField(_("last active at"))
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen", "-id"]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
