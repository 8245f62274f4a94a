"""The checks behind the compliance page: each item of the level-3 checklist (等保 2.0, issue 7) with
its current setting and whether it holds right now.

A check is a small function returning ``Check(label, setting, ok, detail)``; ``ok`` is True, False,
or None when the capability it checks is not installed yet. Register one with ``@check(item)``
(item: the number in the checklist); a check that raises is shown as failed with the error.
"""

import os
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable, NamedTuple

from django.conf import settings
from django.core import checks as system_checks
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Check(NamedTuple):
    label: str
    setting: str
    ok: bool | None
    detail: str = ""


@dataclass(frozen=True)
class Item:
    number: int
    title: str


ITEMS = [
    Item(1, gettext_lazy("Passwords")),
    Item(2, gettext_lazy("Login failures")),
    Item(3, gettext_lazy("Sessions")),
    Item(4, gettext_lazy("Two factors")),
    Item(5, gettext_lazy("Separation of the three administrators")),
    Item(6, gettext_lazy("Audit trail")),
    Item(7, gettext_lazy("Protecting data")),
    Item(8, gettext_lazy("Transport and headers")),
    Item(9, gettext_lazy("Backup and restore")),
]

_checks: list[tuple[int, Callable[[], Check]]] = []


def check(item: int):
    def register(func):
        _checks.append((item, func))
        return func

    return register


def run() -> list[tuple[Item, list[Check]]]:
    """Every item with the results of its checks, in checklist order."""
    results = {item.number: [] for item in ITEMS}
    for number, func in _checks:
        try:
            result = func()
        except Exception as error:  # a broken check must not hide the others
            result = Check(func.__name__, "", False, _("The check failed: %(error)s") % {"error": error})
        results.setdefault(number, []).append(result)
    return [(item, results[item.number]) for item in ITEMS]


def _setting(name, default=None):
    """A setting another module adds; None (or ``default``) until that module is installed."""
    return getattr(settings, name, default)


def _yes(value):
    return _("yes") if value else _("no")


# --- 1. Passwords -----------------------------------------------------------------------------------

_WEAK_HASHERS = ("MD5", "SHA1", "Unsalted", "Crypt")


@check(1)
def password_policy():
    validators = settings.AUTH_PASSWORD_VALIDATORS
    min_length = 0
    for validator in validators:
        if validator["NAME"].endswith("MinimumLengthValidator"):
            min_length = validator.get("OPTIONS", {}).get("min_length", 8)
    classes = _setting("MOFAN_PASSWORD_MIN_CLASSES")
    history = _setting("MOFAN_PASSWORD_HISTORY")
    max_age = _setting("MOFAN_PASSWORD_MAX_AGE_DAYS")
    common = any("Common" in validator["NAME"].rsplit(".", 1)[-1] for validator in validators)
    setting = _("at least %(length)s characters, %(classes)s of 4 classes, not one of the last %(history)s, expires after %(age)s days") % {
        "length": min_length,
        "classes": classes if classes is not None else "?",
        "history": history if history is not None else "?",
        "age": max_age if max_age is not None else "?",
    }
    problems = []
    if min_length < 8:
        problems.append(_("minimum length below 8"))
    if classes is None or classes < 3:
        problems.append(_("character classes not enforced"))
    if history is None or history < 5:
        problems.append(_("previous passwords not refused"))
    if max_age is None or not 0 < max_age <= 90:
        problems.append(_("no expiry within 90 days"))
    if not common:
        problems.append(_("common passwords not refused"))
    return Check(_("Password policy"), setting, not problems, "; ".join(problems))


@check(1)
def password_hashing():
    hasher = settings.PASSWORD_HASHERS[0]
    weak = any(word in hasher.rsplit(".", 1)[-1] for word in _WEAK_HASHERS)
    return Check(_("Password hashing"), hasher.rsplit(".", 1)[-1], not weak, _("weak algorithm") if weak else "")


# --- 2. Login failures --------------------------------------------------------------------------------


@check(2)
def lockout():
    limit = _setting("AXES_FAILURE_LIMIT")
    cooloff = _setting("AXES_COOLOFF_TIME")
    if isinstance(cooloff, timedelta):
        lock = cooloff.total_seconds()
    elif isinstance(cooloff, (int, float)):
        lock = cooloff * 3600  # django-axes reads a bare number as hours
    else:
        lock = None  # a callable or a path: not readable here
    if limit is None or "axes" not in settings.INSTALLED_APPS:
        return Check(_("Lockout after failed logins"), _("not configured"), None, _("The lockout is not installed yet."))
    setting = _("%(limit)s failures per username and per address, locked for %(minutes)s minutes") % {
        "limit": limit,
        "minutes": round(lock / 60) if lock else "?",
    }
    ok = limit <= 5 and bool(lock) and lock >= 15 * 60
    return Check(_("Lockout after failed logins"), setting, ok, "" if ok else _("expected at most 5 failures and 15 minutes"))


# --- 3. Sessions ---------------------------------------------------------------------------------------


@check(3)
def session_timeouts():
    absolute = settings.SESSION_COOKIE_AGE
    idle = _setting("MOFAN_SESSION_IDLE_SECONDS")
    setting = _("idle %(idle)s minutes, at most %(hours)s hours") % {
        "idle": round(idle / 60) if idle else "?",
        "hours": round(absolute / 3600, 1),
    }
    problems = []
    if not idle or idle > 15 * 60:
        problems.append(_("no idle timeout of 15 minutes or less"))
    if absolute > 8 * 3600:
        problems.append(_("absolute lifetime above 8 hours"))
    return Check(_("Session timeouts"), setting, not problems, "; ".join(problems))


# --- 4. Two factors -------------------------------------------------------------------------------------


def _current_admin_grants():
    from django.db.models import Q

    from accounts.models import RoleGrant
    from accounts.roles import ADMIN_ROLES

    now = timezone.now()
    return (
        RoleGrant.objects.filter(role__in=ADMIN_ROLES, person__is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    )


def _names(people: dict) -> str:
    """The names of ``people`` ({pk: name}) the viewer may see, the others only counted: the checks
    hold for the whole installation, but an office sees its own people only."""
    from accounts import permissions
    from accounts.models import User
    from accounts.roles import COMPLIANCE_VIEW
    from core.context import current_actor

    viewer = current_actor().current_user()
    if viewer is None:
        return "、".join(sorted(people.values()))
    visible = set(permissions.restrict(User.objects.filter(pk__in=people), viewer, perm=COMPLIANCE_VIEW).values_list("pk", flat=True))
    text = "、".join(sorted(name for pk, name in people.items() if pk in visible))
    others = len(people) - len(visible)
    if others:
        text = (text + "；" if text else "") + _("%(count)d in other units") % {"count": others}
    return text


@check(4)
def two_factor():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    policy = settings.MOFAN_2FA_REQUIRED
    labels = {"admins": _("required for administrators"), "all": _("required for everyone"), "none": _("not required")}
    admins = {grant.person_id: grant.person.real_name for grant in _current_admin_grants().select_related("person")}
    enrolled = set(TOTPDevice.objects.filter(user_id__in=admins, confirmed=True).values_list("user_id", flat=True))
    missing = {pk: name for pk, name in admins.items() if pk not in enrolled}
    problems = []
    if policy == "none":
        problems.append(_("the second factor is switched off"))
    if missing:
        problems.append(_("administrators without a second factor: %(names)s") % {"names": _names(missing)})
    return Check(_("Second factor (TOTP)"), labels.get(policy, policy), not problems, "; ".join(problems))


# --- 5. Separation of the three administrators ----------------------------------------------------------


@check(5)
def three_administrators():
    from accounts.roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role

    held = {}
    for person_id, role, name in _current_admin_grants().values_list("person_id", "role", "person__real_name"):
        held.setdefault((person_id, name), set()).add(role)
    doubles = sorted(name for (_pk, name), roles in held.items() if len(roles) > 1)
    business = set()
    for role, perms in ROLE_PERMISSIONS.items():
        if role not in ADMIN_ROLES:
            business |= perms
    admin_only = {
        Role.SYSTEM_ADMIN: ROLE_PERMISSIONS[Role.SYSTEM_ADMIN],
        Role.SECURITY_ADMIN: ROLE_PERMISSIONS[Role.SECURITY_ADMIN],
        Role.AUDIT_ADMIN: ROLE_PERMISSIONS[Role.AUDIT_ADMIN],
    }
    # Reading units and people is the administrators' own work; anything else shared with a
    # business role would let an administrator do business work.
    allowed_shared = {"organization.unit.view", "accounts.user.view", "accounts.user.view_contact", "accounts.user.export"}
    leaks = sorted({perm for perms in admin_only.values() for perm in perms if perm in business and perm not in allowed_shared})
    from accounts.models import RoleGrant

    mixed = sorted(
        set(
            RoleGrant.objects.filter(person_id__in=[pk for pk, _name in held], person__is_active=True)
            .exclude(role__in=ADMIN_ROLES)
            .values_list("person__real_name", flat=True)
        )
    )
    problems = []
    if doubles:
        problems.append(_("holding two administrator roles: %(names)s") % {"names": "、".join(doubles)})
    if mixed:
        problems.append(_("administrators also holding business roles: %(names)s") % {"names": "、".join(mixed)})
    if leaks:
        problems.append(_("administrator roles with business permissions: %(perms)s") % {"perms": ", ".join(leaks)})
    setting = _("%(count)d people hold administrator roles") % {"count": len(held)}
    return Check(_("One person, one administrator role"), setting, not problems, "; ".join(problems))


# --- 6. Audit trail --------------------------------------------------------------------------------------


@check(6)
def audit_retention():
    from audit.retention import retention_days

    days = retention_days()
    ok = days >= 180
    return Check(_("Audit retention"), _("%(days)s days") % {"days": days}, ok, "" if ok else _("below 180 days"))


@check(6)
def audit_chain():
    """Verified live, so an entry changed by hand a minute ago shows here (the daily job records a check too)."""
    from audit.chain import verify

    report = verify()
    messages = [str(finding.message) for finding in report.findings[:3]]
    detail = "" if report.ok else " ".join([_("%(count)d findings:") % {"count": len(report.findings)}, *messages])
    setting = _("HMAC-SM3 chain, %(count)d entries checked") % {"count": report.entries}
    return Check(_("Audit chain verifies"), setting, report.ok, detail)


# --- 7. Protecting data ------------------------------------------------------------------------------------


def _configured_secret(name):
    value = getattr(settings, name, None) or os.environ.get(name, "")
    return str(value).strip()


@check(7)
def encryption():
    """The data key is set, and the phone column holds only ciphertexts (read raw from the database)."""
    from accounts.models import User
    from core.crypto import is_ciphertext

    key_set = bool(_configured_secret("MOFAN_DATA_KEY"))
    field = User._meta.get_field("phone")
    quote = connection.ops.quote_name
    column, table = quote(field.column), quote(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> '' LIMIT 200")  # noqa: S608
        values = [row[0] for row in cursor.fetchall()]
    clear = sum(1 for value in values if not is_ciphertext(value))
    problems = []
    if not key_set:
        problems.append(_("no data key configured (MOFAN_DATA_KEY): the public development key is in use"))
    if clear:
        problems.append(_("%(count)d phone numbers stored in clear") % {"count": clear})
    setting = _("SM4; data key configured: %(key)s; phone column: %(checked)d values checked") % {
        "key": _yes(key_set),
        "checked": len(values),
    }
    return Check(_("Encryption of personal data"), setting, not problems, "; ".join(problems))


@check(7)
def evidence_checksums():
    from evidence.models import Blob

    has_sha = any(field.name == "sha256" for field in Blob._meta.get_fields())
    return Check(_("Evidence files keep their SHA-256"), _yes(has_sha), has_sha, "")


# --- 8. Transport and headers ---------------------------------------------------------------------------------


@check(8)
def transport():
    redirect = settings.SECURE_SSL_REDIRECT
    hsts = settings.SECURE_HSTS_SECONDS
    cookies = settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
    setting = _("HTTPS only: %(https)s; HSTS: %(hsts)s s; secure HttpOnly cookies: %(cookies)s") % {
        "https": _yes(redirect),
        "hsts": hsts,
        "cookies": _yes(cookies),
    }
    problems = []
    if not redirect:
        problems.append(_("plain HTTP is accepted"))
    if hsts < 180 * 86400:
        problems.append(_("HSTS shorter than 180 days"))
    if not cookies:
        problems.append(_("cookies may travel over plain HTTP or be read by scripts"))
    if problems and not getattr(settings, "PRODUCTION", False):
        problems.append(_("the server runs in development mode"))
    return Check(_("HTTPS and cookies"), setting, not problems, "; ".join(problems))


@check(8)
def headers():
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    script_src = directives.get("script-src", directives.get("default-src", []))
    middleware = settings.MIDDLEWARE
    problems = []
    if "csp.middleware.CSPMiddleware" not in middleware or not directives:
        problems.append(_("no Content-Security-Policy"))
    elif "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(_("the policy allows inline scripts"))
    if settings.X_FRAME_OPTIONS != "DENY" or "django.middleware.clickjacking.XFrameOptionsMiddleware" not in middleware:
        problems.append(_("pages may be framed"))
    if "security.headers.NoStoreMiddleware" not in middleware:
        problems.append(_("pages may be cached"))
    setting = _("script-src %(script)s; X-Frame-Options %(xfo)s; no-store on logged-in pages") % {
        "script": " ".join(script_src),
        "xfo": settings.X_FRAME_OPTIONS,
    }
    return Check(_("Security headers"), setting, not problems, "; ".join(problems))


@check(8)
def deploy_checks():
    messages = [
        message
        for message in system_checks.run_checks(include_deployment_checks=True)
        if message.level >= system_checks.WARNING and not message.is_silenced()
    ]
    detail = "; ".join(f"{message.id}" for message in messages)
    return Check(_("manage.py check --deploy"), _("%(count)d warnings") % {"count": len(messages)}, not messages, detail)


# --- 9. Backup and restore ---------------------------------------------------------------------------------------


@check(9)
def last_backup():
    from core.backup import backup_dir

    directory = backup_dir()
    max_hours = _setting("MOFAN_BACKUP_MAX_AGE_HOURS", default=26)
    files = [path for path in Path(directory).glob("*") if path.is_file()] if Path(directory).is_dir() else []
    if not files:
        return Check(_("Last backup"), str(directory), False, _("no backup found"))
    age_hours = (time.time() - max(path.stat().st_mtime for path in files)) / 3600
    ok = age_hours <= max_hours
    setting = _("%(hours)d hours ago") % {"hours": age_hours}
    return Check(_("Last backup"), setting, ok, "" if ok else _("older than %(hours)s hours") % {"hours": max_hours})
