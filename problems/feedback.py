"""Public feedback: online inquiries (网络问政) and phone complaints (电话投诉), recorded by the office,
handed to a unit, answered by a deadline. Contacts are shown masked in lists."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import FEEDBACK_CHANGE, FEEDBACK_REPLY
from core.actions import business_action

from .models import Channel, Feedback, FeedbackStatus


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits of a number long enough to hide anything."""
    digits = (phone or "").strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str) -> str:
    name = (name or "").strip()
    return f"{name[0]}{'*' * (len(name) - 1)}" if len(name) > 1 else name


@business_action
def record(actor, *, channel, received_at, content, unit, reply_due, contact_name="", contact_phone=""):
    permissions.require_actor(actor, FEEDBACK_CHANGE, unit)
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose the channel.")
    content = (content or "").strip()
    if not content:
        errors["content"] = _("Write down what the person said.")
    if received_at is None:
        errors["received_at"] = _("Set when it was received.")
    elif received_at > timezone.now():
        errors["received_at"] = _("The time received cannot be in the future.")
    if reply_due is None:
        errors["reply_due"] = _("Set the date the reply is due.")
    elif received_at is not None and reply_due < timezone.localtime(received_at).date():
        errors["reply_due"] = _("The reply cannot be due before the feedback was received.")
    phone = (contact_phone or "").strip()
    if phone and not phone.replace("-", "").replace(" ", "").isdigit():
        errors["contact_phone"] = _("A phone number has digits only.")
    if errors:
        raise ValidationError(errors)
    return Feedback.objects.create(
        channel=channel, received_at=received_at, content=content, unit=unit, reply_due=reply_due,
        contact_name=(contact_name or "").strip(), contact_phone=phone, recorded_by=actor,
    )


@business_action
def reply(actor, feedback, *, text):
    permissions.require_actor(actor, FEEDBACK_REPLY, feedback)
    if feedback.status != FeedbackStatus.OPEN:
        raise ValidationError(_("This feedback has already been answered."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The reply cannot be empty.")})
    feedback.reply, feedback.status = text, FeedbackStatus.REPLIED
    feedback.replied_by, feedback.replied_at = actor, timezone.now()
    feedback.save()
    return feedback


def is_overdue(feedback, today=None):
    return feedback.status == FeedbackStatus.OPEN and feedback.reply_due < (today or timezone.localdate())


def shows_full_contact(user, record) -> bool:
    """Lists always mask the contact; one record shows it whole to those who record feedback over its
    unit and to those who must reply (the handling unit calls the person back)."""
    return permissions.has_perm(user, FEEDBACK_CHANGE, record) or permissions.has_perm(user, FEEDBACK_REPLY, record)
