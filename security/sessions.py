"""Sessions: idle timeout, absolute lifetime, and the list of each person's open sessions.

The login time and the last activity are kept in the session itself (seconds since the epoch), so
checking them costs no query. The last activity is written at most once every
MOFAN_SESSION_TOUCH_SECONDS: a session may end up to that much earlier than the idle timeout,
never later. Each login is also kept as a ``UserSession`` row so that every session of a person
can be ended at once: at logout, when the account is disabled, or by an administrator.
"""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import SESSION_END
from core.context import client_ip
from core.events import log_event

from . import passwords
from .models import UserSession

LOGIN_AT = "mofan_login_at"
SEEN_AT = "mofan_seen_at"
IDLE = "idle"
ABSOLUTE = "absolute"


def _now() -> float:
    return timezone.now().timestamp()


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=dt_timezone.utc)


def absolute_seconds() -> int:
    return settings.SESSION_COOKIE_AGE


# --- Checking a request --------------------------------------------------------------------------


def check(request) -> str | None:
    """IDLE or ABSOLUTE when the session of this request has run out; otherwise notes the activity."""
    session = request.session
    now = _now()
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        # Logged in before the timestamps were kept: the clock starts now.
        session[LOGIN_AT] = session[SEEN_AT] = now
        return None
    if now - login_at > absolute_seconds():
        return ABSOLUTE
    idle = settings.MOFAN_SESSION_IDLE_SECONDS
    if idle and now - seen_at > idle:
        return IDLE
    if now - seen_at >= settings.MOFAN_SESSION_TOUCH_SECONDS:
        session[SEEN_AT] = now
        UserSession.objects.filter(session_key=session.session_key).update(last_seen=_moment(now))
    return None


def expire(request, reason):
    """Ends the session of this request only (the person's other sessions have their own clocks)."""
    from django.contrib.auth import logout

    user = request.user
    summary = {
        IDLE: _("Session ended after %(minutes)d minutes without activity") % {"minutes": settings.MOFAN_SESSION_IDLE_SECONDS // 60},
        ABSOLUTE: _("Session ended after %(hours)s hours") % {"hours": round(absolute_seconds() / 3600, 1)},
    }[reason]
    log_event("session_expired", instance=user, summary=summary)
    request.mofan_session_expired = True
    logout(request)


# --- Keeping the list of sessions -------------------------------------------------------------------


def _store(session_key):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def end_sessions(user, keep=None) -> int:
    """Ends every session of ``user`` but ``keep`` (a session key); returns how many were ended."""
    rows = UserSession.objects.filter(user_id=user.pk)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    if keys:
        UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def follow_new_key(old_key, new_key):
    """The session changed its key (e.g. after a password change): its row follows."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def active_sessions(user=None):
    """Sessions that have neither been idle too long nor lived too long."""
    now = timezone.now()
    rows = UserSession.objects.filter(created_at__gt=now - timedelta(seconds=absolute_seconds()))
    idle = settings.MOFAN_SESSION_IDLE_SECONDS
    if idle:
        rows = rows.filter(last_seen__gt=now - timedelta(seconds=idle))
    if user is not None:
        rows = rows.filter(user_id=user.pk)
    return rows


def on_logged_in(sender, request, user, **kwargs):
    session = request.session
    if session.session_key is None:
        session.save()
    now = _now()
    session[LOGIN_AT] = session[SEEN_AT] = now
    moment = _moment(now)
    # Rows of sessions that ran out without a logout are of no further use.
    stale = UserSession.objects.filter(user_id=user.pk).exclude(pk__in=active_sessions(user).values("pk"))
    stale.delete()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "created_at": moment,
            "last_seen": moment,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )
    passwords.remember_reason(request, user)


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    if getattr(request, "mofan_session_expired", False):
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    else:
        # Logging out ends every session of the person, on every device.
        end_sessions(user)


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    """A disabled account keeps no session."""
    if not raw and not instance.is_active:
        end_sessions(instance)


user_logged_in.connect(on_logged_in, dispatch_uid="security.sessions.on_logged_in")
user_logged_out.connect(on_logged_out, dispatch_uid="security.sessions.on_logged_out")
post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="security.sessions.on_user_saved")


# --- The administrator's action ---------------------------------------------------------------------


def end_person_sessions(actor, person) -> int:
    """An administrator (security or system) ends every session of a person in their scope."""
    permissions.require(actor, SESSION_END, person)
    if actor.pk == person.pk:
        raise ValidationError(_("Log out to end your own sessions."))
    count = end_sessions(person)
    log_event(
        "sessions_ended",
        instance=person,
        summary=_("%(count)d sessions ended by an administrator") % {"count": count},
    )
    return count
