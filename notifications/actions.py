"""Inbox and group-robot operations: transactional, permission-checked, audited (robots)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import ROBOT_CHANGE
from core.actions import business_action

from . import robots
from .models import Message, Robot, RobotKind


def mark_read(person, message):
    """Marks one of the person's own messages read (the first time it is opened)."""
    if message.recipient_id != person.pk:
        raise PermissionDenied
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def mark_all_read(person) -> int:
    return Message.objects.filter(recipient=person, read_at__isnull=True).update(read_at=timezone.now())


def _clean_robot(unit, kind, name, webhook_url, secret):
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the robot a name.")
    if kind not in RobotKind.values:
        errors["kind"] = _("Choose DingTalk or WeCom.")
    if secret and kind == RobotKind.WECOM:
        errors["secret"] = _("WeCom robots have no signing secret.")
    try:
        robots.check_webhook_url((webhook_url or "").strip())
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return name, (webhook_url or "").strip(), (secret or "").strip()


@business_action
def create_robot(actor, *, unit, kind, name, webhook_url, secret=""):
    """A group robot of ``unit``, set up by the unit's office."""
    permissions.require_actor(actor, ROBOT_CHANGE, unit)
    name, webhook_url, secret = _clean_robot(unit, kind, name, webhook_url, secret)
    return Robot.objects.create(unit=unit, kind=kind, name=name, webhook_url=webhook_url, secret=secret, created_by=actor)


@business_action
def update_robot(actor, robot, *, kind, name, webhook_url=None, secret=None, active=True):
    """Changes a robot; webhook URL or secret None keeps the stored one (the page never shows them),
    an empty secret removes it."""
    permissions.require_actor(actor, ROBOT_CHANGE, robot)
    webhook_url = webhook_url or robot.webhook_url
    secret = robot.secret if secret is None else secret
    name, webhook_url, secret = _clean_robot(robot.unit, kind, name, webhook_url, secret)
    robot.kind, robot.name, robot.webhook_url, robot.secret, robot.active = kind, name, webhook_url, secret, active
    robot.save()
    return robot


def post_test_message(actor, robot):
    """Posts a short test message to the robot's group now; raises ValidationError with the reason."""
    permissions.require_actor(actor, ROBOT_CHANGE, robot)
    title = _("Mofan test message")
    lines = [_("%(name)s set up this robot for %(unit)s's daily reminders.") % {"name": actor, "unit": robot.unit}]
    try:
        robots.post(robot, robots.payload(robot.kind, title, lines, []))
    except robots.PostFailed as error:
        raise ValidationError(_("The robot did not take the message: %(reason)s") % {"reason": error}) from None
