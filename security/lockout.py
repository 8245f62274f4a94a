"""Lockout after failed logins, on django-axes.

AXES_FAILURE_LIMIT failures for a username, and separately for an address, within
AXES_COOLOFF_TIME lock that username (or address) for AXES_COOLOFF_TIME, or until the security
administrator unlocks it. Axes counts failures by the name typed, so an unknown username is
locked like a real one and the refusal says nothing about whether it exists. The failures
themselves are audited by the audit app (user_login_failed); the lockouts and unlocks here.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from accounts.roles import LOCKOUT_CHANGE
from core.events import log_event

USERNAME = "username"
ADDRESS = "ip_address"


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a login while its username or address is locked.

    A call without a request is no login over the web (the test client's ``login``, a shell) and
    is not counted: every login form passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_username(request, credentials):
    """The username failures are counted under: as typed, without case or surrounding spaces."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username")
    name = str(name or "").strip().lower()[:150]
    return name or None


def lockout_response(request, original_response, credentials):
    """The page a locked login gets: the same for known and unknown usernames."""
    return render(request, "security/lockout_refused.html", {"minutes": lockout_minutes()}, status=429)


def lockout_minutes() -> int:
    cool_off = get_cool_off()
    return round(cool_off.total_seconds() / 60) if cool_off else 0


def on_locked_out(sender, request, username, ip_address, **kwargs):
    if getattr(request, "axes_failures_since_start", None):
        summary = _("Login locked after %(count)d failures: username %(username)s, address %(address)s")
    else:
        summary = _("Login refused while locked: username %(username)s, address %(address)s")
    log_event(
        "login_locked",
        object_type="accounts.user",
        summary=summary % {"count": request.axes_failures_since_start or 0, "username": username or "-", "address": ip_address or "-"},
    )


user_locked_out.connect(on_locked_out, dispatch_uid="security.lockout.on_locked_out")


# --- Current lockouts and unlocking ---------------------------------------------------------------


@dataclass
class Lockout:
    kind: str  # USERNAME or ADDRESS
    value: str
    failures: int
    last_failure: datetime
    until: datetime
    person: User | None = None


def current_lockouts() -> list[Lockout]:
    """Every username and address locked right now, the latest first."""
    cool_off = get_cool_off()
    recent = AccessAttempt.objects.all()
    if cool_off:
        recent = recent.filter(attempt_time__gte=timezone.now() - cool_off)
    limit = settings.AXES_FAILURE_LIMIT
    found = []
    for kind in (USERNAME, ADDRESS):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
        )
        for row in rows:
            until = row["last"] + cool_off if cool_off else None
            found.append(Lockout(kind, row[kind], row["failures"], row["last"], until))
    names = [lock.value for lock in found if lock.kind == USERNAME]
    if names:
        # Failures are counted under the lower-case name; the account may be spelt otherwise.
        matching = Q()
        for name in names:
            matching |= Q(username__iexact=name)
        people = {person.username.lower(): person for person in User.objects.filter(matching).select_related("unit")}
        for lock in found:
            if lock.kind == USERNAME:
                lock.person = people.get(lock.value)
    return sorted(found, key=lambda lock: lock.last_failure, reverse=True)


def visible_lockouts(user) -> list[Lockout]:
    """The lockouts ``user`` may see: people in their scope, unknown usernames and addresses."""
    return [lock for lock in current_lockouts() if lock.person is None or permissions.has_perm(user, LOCKOUT_CHANGE, lock.person)]


def _forget(kind, value) -> int:
    """Stops counting failures under ``value`` only. An axes record counts for its username and its
    address at once: deleting it would also unlock the other (a username unlocked would free every
    name tried from its address). So the value is blanked, and only records left with neither go."""
    other = ADDRESS if kind == USERNAME else USERNAME
    records = AccessAttempt.objects.filter(**{kind: value})
    count = records.count()
    records.filter(**{f"{other}__isnull": True}).delete()
    records.update(**{kind: None})
    return count


def unlock(actor, kind, value) -> int:
    """Lifts the lockout of a username or an address; returns how many failure records were cleared."""
    if not permissions.has_any_scope(actor, LOCKOUT_CHANGE):
        raise PermissionDenied
    if kind == USERNAME:
        person = User.objects.filter(username__iexact=value).first()
        if person is not None and not permissions.has_perm(actor, LOCKOUT_CHANGE, person):
            raise PermissionDenied
        cleared = _forget(USERNAME, value)
        summary = _("Login unlocked for username %(value)s") % {"value": value}
    elif kind == ADDRESS:
        person = None
        cleared = _forget(ADDRESS, value)
        summary = _("Login unlocked for address %(value)s") % {"value": value}
    else:
        raise ValueError(kind)
    log_event("login_unlocked", instance=person, object_type="accounts.user", summary=summary)
    return cleared
