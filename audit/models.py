"""The audit trail: who did what, when, from where, with the row before and after.

Entries form a chain (audit/chain.py): each carries an HMAC-SM3 over its content and the hash of the
entry before it, so an entry changed, inserted or deleted in the database is detected.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    MOVE = "move", _("Move")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    PREVIEW = "preview", _("Preview")
    DOWNLOAD = "download", _("Download")
    NEW_VERSION = "new_version", _("New version")
    SET_REVIEWERS = "set_reviewers", _("Reviewers set")
    ADD_UNITS = "add_units", _("Units added")
    RESCORE = "rescore", _("Result changed after an appeal")
    SUGGESTION_SUBMITTED = "suggestion.submit", _("Idea submitted")
    SUGGESTION_ANSWERED = "suggestion.answered", _("Idea answered")
    SUGGESTION_ADOPTED = "suggestion.adopted", _("Idea adopted")
    SUGGESTION_DECLINED = "suggestion.declined", _("Idea not adopted")
    SUGGESTION_TO_TASK = "suggestion.to_task", _("Idea turned into a task")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_ISSUED = "password_issued", _("Password issued")
    LOGIN_LOCKED = "login_locked", _("Login locked")
    LOGIN_UNLOCKED = "login_unlocked", _("Login unlocked")
    SESSIONS_ENDED = "sessions_ended", _("Sessions ended")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    OTP_ENROLLED = "otp_enrolled", _("Second factor enrolled")
    OTP_FAILED = "otp_failed", _("Wrong second-factor code")
    OTP_RECOVERY_USED = "otp_recovery_used", _("Recovery code used")
    OTP_CODES_RENEWED = "otp_codes_renewed", _("Recovery codes renewed")
    OTP_RESET = "otp_reset", _("Second factor reset")
    CHAIN_VERIFIED = "chain_verified", _("Audit chain verified")
    FILE_ALTERED = "file_altered", _("Altered file refused")


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit entries cannot be changed")

    def delete(self):
        raise PermissionError("audit entries cannot be deleted")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("audit entries are written one by one, each chained to the one before")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("audit entries cannot be changed")


class AuditEntry(models.Model):
    """One event. Entries are written once and never changed or deleted by the application."""

    # Set when the entry is chained (not auto_now_add: the time is part of the hashed content).
    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The unit whose scope the entry belongs to. No constraint: the trail outlives any row.
    unit = models.ForeignKey(
        "organization.Unit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = ImmutableQuerySet.as_manager()

    scope_path_field = "unit__path"

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit entries cannot be changed")
        from .chain import append

        append(self, kwargs.get("using"))

    def insert_chained(self, using):
        """The plain insert, for audit.chain.append once the id and hashes are set."""
        super().save(force_insert=True, using=using)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries cannot be deleted")

    def get_scope_path(self):
        return self.unit.path if self.unit_id and self.unit else None

    def changes(self):
        """(field, before, after) for every field that differs."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(key, before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)]


class AuditAnchor(models.Model):
    """Where the chain starts after pruning: the id and hash of the last entry removed (archived first)."""

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    last_id = models.BigIntegerField(_("last pruned entry"))
    last_hash = models.CharField(_("hash of the last pruned entry"), max_length=64)
    last_timestamp = models.DateTimeField(_("time of the last pruned entry"))
    pruned = models.PositiveIntegerField(_("entries pruned"))
    archive = models.CharField(_("archive"), max_length=255, blank=True)
    archive_sm3 = models.CharField(_("SM3 of the archive"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain anchor")
        verbose_name_plural = _("audit chain anchors")
        ordering = ["-last_id"]

    def __str__(self):
        return f"#{self.last_id} {self.last_hash[:12]}"


class ChainCheck(models.Model):
    """The result of one verification of the chain, kept so the audit page shows the last one cheaply."""

    checked_at = models.DateTimeField(_("checked at"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("chain intact"))
    entries = models.PositiveIntegerField(_("entries checked"))
    last_id = models.BigIntegerField(_("last entry"), null=True, blank=True)
    last_hash = models.CharField(_("hash of the last entry"), max_length=64, blank=True)
    first_broken_id = models.BigIntegerField(_("first broken entry"), null=True, blank=True)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    checked_by = models.CharField(_("checked by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("audit chain check")
        verbose_name_plural = _("audit chain checks")
        ordering = ["-checked_at", "-id"]

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'broken'}"
