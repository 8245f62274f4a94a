"""The daily digest job: everything registered collectors find for a day, told once per person.

Per person and day: one inbox message listing every item by category, and one e-mail of the same
text when e-mail is configured and the person has an address. Per group robot and day: one post
naming the people concerned in the units it serves (its own and those below without a robot of
their own). ``Digest`` and ``RobotPost`` rows are the guards: a second run on the same day sends
nothing new and only tries again what failed.
"""

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import robots
from .models import Delivery, Digest, Message, Robot, RobotKind, RobotPost
from .reminders import category_label, category_order, gather

SOURCE = "digest"


def absolute(url: str) -> str:
    """A link usable outside the site (e-mail, chat groups) when MOFAN_SITE_URL is set."""
    site = getattr(settings, "MOFAN_SITE_URL", "").rstrip("/")
    return f"{site}{url}" if site and url.startswith("/") else url


def _sections(reminders):
    by_category = defaultdict(list)
    for reminder in reminders:
        by_category[reminder.category].append(reminder)
    return [
        {
            "label": category_label(category),
            "items": [{"title": r.title, "url": r.url, "level": r.level} for r in by_category[category]],
        }
        for category in sorted(by_category, key=category_order)
    ]


def _body(sections) -> str:
    lines = []
    for section in sections:
        lines.append(f"{section['label']} ({len(section['items'])})")
        for item in section["items"]:
            link = absolute(item["url"])
            lines.append(f"- {item['title']}" + (f"  {link}" if link else ""))
        lines.append("")
    return "\n".join(lines).strip()


def _digest(person, reminders, today):
    """Today's digest of ``person`` with its inbox message, created by the first run of the day."""
    existing = Digest.objects.filter(person=person, date=today).first()
    if existing is not None:
        return existing, False
    sections = _sections(reminders)
    count = len(reminders)
    title = ngettext("Daily reminder: %(count)d item", "Daily reminder: %(count)d items", count) % {"count": count}
    body = _body(sections)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=person, title=title, body=body, sections=sections, source=SOURCE,
                url=reverse("notifications:inbox"),
            )
            digest = Digest.objects.create(
                person=person, date=today, title=title, body=body, item_count=count, message=message,
            )
    except IntegrityError:  # another worker made it a moment ago
        return Digest.objects.get(person=person, date=today), False
    return digest, True


def email_configured() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def _email(digest, person) -> str:
    """Sends the digest by e-mail when it has not gone yet; records and returns the outcome."""
    if digest.email == Delivery.SENT:
        return digest.email
    if not email_configured() or not person.email:
        digest.email, digest.email_error = Delivery.SKIPPED, ""
    else:
        footer = _("Open the inbox: %(url)s") % {"url": absolute(reverse("notifications:inbox"))}
        try:
            send_mail(digest.title, f"{digest.body}\n\n{footer}", None, [person.email])
        except Exception as error:  # any transport failure is recorded and tried again next run
            digest.email, digest.email_error = Delivery.FAILED, str(error)[:500]
        else:
            digest.email, digest.email_error = Delivery.SENT, ""
    digest.save(update_fields=["email", "email_error"])
    return digest.email


def robot_for_units(active_robots):
    """unit path -> the robots of that unit."""
    by_path = defaultdict(list)
    for robot in active_robots:
        by_path[robot.unit.path].append(robot)
    return by_path


def nearest_robots(by_path, path, steplen):
    """The robots of the unit at ``path`` or, failing that, of its nearest ancestor that has any."""
    for end in range(len(path), 0, -steplen):
        if path[:end] in by_path:
            return by_path[path[:end]]
    return []


def _robot_text(robot, people, today):
    """The post's title, lines and mentioned mobiles for ``people`` ({person: Counter(category)})."""
    title = _("Daily reminders %(date)s") % {"date": today.isoformat()}
    lines, mobiles = [], []
    for person in sorted(people, key=lambda p: (p.real_name, p.pk)):
        counts = people[person]
        summary = _(", ").join(
            _("%(label)s %(count)d") % {"label": category_label(category), "count": counts[category]}
            for category in sorted(counts, key=category_order)
        )
        mention = f" @{person.phone}" if person.phone else ""
        prefix = "- " if robot.kind == RobotKind.DINGTALK else ""
        lines.append(f"{prefix}{person.real_name}{mention}: {summary}")
        if person.phone:
            mobiles.append(person.phone)
    link = absolute(reverse("notifications:inbox"))
    if link.startswith("http"):
        lines.append(f"[{_('Open Mofan')}]({link})" if robot.kind == RobotKind.DINGTALK else link)
    return title, lines, mobiles


def _robot_posts(reminders, today, outcome):
    from organization.models import Unit

    by_path = robot_for_units(Robot.objects.filter(active=True).select_related("unit"))
    if not by_path:
        return
    per_robot = defaultdict(lambda: defaultdict(Counter))
    for reminder in reminders:
        for robot in nearest_robots(by_path, reminder.unit.path, Unit.steplen):
            per_robot[robot][reminder.person][reminder.category] += 1
    for robot, people in per_robot.items():
        title, lines, mobiles = _robot_text(robot, people, today)
        post, _created = RobotPost.objects.get_or_create(
            robot=robot, date=today, defaults={"payload": robots.payload(robot.kind, title, lines, mobiles)}
        )
        if post.status == Delivery.SENT:
            continue
        post.attempts += 1
        try:
            robots.post(robot, post.payload)
        except robots.PostFailed as error:
            post.status, post.error = Delivery.FAILED, str(error)[:500]
            outcome["robot_failures"] += 1
        else:
            post.status, post.error, post.sent_at = Delivery.SENT, "", timezone.now()
            outcome["robot_posts"] += 1
        post.save(update_fields=["status", "error", "attempts", "sent_at"])


def send_digests(today: datetime.date) -> dict:
    """Tells everyone what is due, overdue or waiting for them on ``today``: once, whatever the runs."""
    reminders = gather(today)
    by_person = defaultdict(list)
    for reminder in reminders:
        by_person[reminder.person].append(reminder)
    outcome = Counter(digests=0, emails=0, email_failures=0, robot_posts=0, robot_failures=0)
    for person, items in by_person.items():
        digest, created = _digest(person, items, today)
        outcome["digests"] += created
        if digest.email in (Delivery.PENDING, Delivery.FAILED):
            status = _email(digest, person)
            outcome["emails"] += status == Delivery.SENT
            outcome["email_failures"] += status == Delivery.FAILED
    _robot_posts(reminders, today, outcome)
    return dict(outcome)
