"""Business events that are not a plain save (a move, an export, an import) for the audit trail.

Apps send, the audit app listens: no app below audit imports it.
"""

from django.dispatch import Signal

# kwargs: action (str), instance (model or None), summary (str), before (dict|None),
# after (dict|None), unit_id (int|None), object_type (str, when instance is None)
business_event = Signal()


def log_event(action, instance=None, *, summary="", before=None, after=None, unit_id=None, object_type=""):
    business_event.send(
        sender=type(instance) if instance is not None else None,
        action=action,
        instance=instance,
        summary=summary,
        before=before,
        after=after,
        unit_id=unit_id,
        object_type=object_type,
    )
