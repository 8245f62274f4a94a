"""Writing audit entries. Called from signal receivers, never from business code directly.

Saving an entry chains it (audit.chain.append): the next id and both hashes, under a lock.
"""

from core.context import current_actor

from .models import AuditEntry


def write(action, *, instance=None, object_type="", summary="", before=None, after=None, unit_id=None, actor_user=None, actor_name=""):
    actor = current_actor()
    user = actor_user or actor.current_user()
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        if unit_id is None and hasattr(instance, "audit_unit_id"):
            unit_id = instance.audit_unit_id()
    return AuditEntry.objects.create(
        actor=user,
        actor_name=(user.get_full_name() if user else actor_name)[:150],
        ip=actor.ip,
        source=actor.source,
        request_id=actor.request_id,
        action=action,
        object_type=object_type,
        object_id=str(instance.pk) if instance is not None and instance.pk is not None else "",
        object_repr=str(instance)[:200] if instance is not None else "",
        unit_id=unit_id,
        summary=summary[:300],
        before=before,
        after=after,
    )
