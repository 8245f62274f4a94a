from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.events import business_event
from core.models import AuditedModel, snapshot

from . import log
from .models import AuditAction


@receiver(post_save)
def on_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    after = snapshot(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    if not created and before == after:
        return
    if not created and before is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    log.write(AuditAction.CREATE if created else AuditAction.UPDATE, instance=instance, before=before, after=after)
    instance._audit_before = snapshot(instance)


@receiver(post_delete)
def on_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        log.write(AuditAction.DELETE, instance=instance, before=snapshot(instance))


@receiver(business_event)
def on_business_event(sender, action, instance=None, summary="", before=None, after=None, unit_id=None, object_type="", **kwargs):
    log.write(action, instance=instance, object_type=object_type, summary=summary, before=before, after=after, unit_id=unit_id)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    log.write(AuditAction.LOGIN, instance=user, actor_user=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        log.write(AuditAction.LOGOUT, instance=user, actor_user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted name is kept for the auditor; the login page never says whether it exists.
    username = str(credentials.get("username", ""))[:150]
    log.write(
        AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        actor_name=username,
        summary=username,
    )

