"""The second factor: TOTP from any authenticator app, with ten one-time recovery codes.

Who must have one is a setting (MOFAN_2FA_REQUIRED): "admins" (the three administrators, the
default), "all", or "none". Whoever has a confirmed device must pass the one-time code step after
the password, whatever the setting. The state of a session is worked out once at login (see
``remember_state``) and kept in the session, so pages pay no query for it.

Enrolment, reset, refused codes and used recovery codes are written to the audit trail.
"""

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions
from accounts.roles import ADMIN_ROLES, OTP_RESET
from core.events import log_event

RECOVERY_CODE_COUNT = 10
STATE_SESSION_KEY = "mofan_2fa_state"
NEW_CODES_SESSION_KEY = "mofan_2fa_new_codes"

# Session states: what a logged-in but not yet verified session still has to do.
VERIFY = "verify"  # has a device: must enter a code
ENROL = "enrol"  # must have a device and has none: must enrol
FREE = "free"  # no device and none required


def required_for(user, *, keep_cache=True) -> bool:
    """Must this user have a second factor (MOFAN_2FA_REQUIRED)?"""
    policy = getattr(settings, "MOFAN_2FA_REQUIRED", "admins")
    if policy == "all":
        return True
    if policy == "none":
        return False
    cached = hasattr(user, "_mofan_scopes")
    is_admin = bool(permissions.roles(user) & ADMIN_ROLES)
    if not keep_cache and not cached:
        permissions.forget(user)  # the caller's user object must not carry scopes read at login
    return is_admin


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_for(user, *, keep_cache=True) -> str:
    if has_device(user):
        return VERIFY
    return ENROL if required_for(user, keep_cache=keep_cache) else FREE


def remember_state(request, user, *, keep_cache=True):
    """Work the session's state out now (at login), so later requests need no query for it."""
    session = getattr(request, "session", None)
    if session is not None:
        session[STATE_SESSION_KEY] = [user.pk, state_for(user, keep_cache=keep_cache)]


def session_state(request) -> str:
    """The state of this session's user, from the session, or worked out now when missing."""
    user = request.user
    stored = request.session.get(STATE_SESSION_KEY)
    if isinstance(stored, list) and len(stored) == 2 and stored[0] == user.pk:
        return stored[1]
    remember_state(request, user)
    return request.session[STATE_SESSION_KEY][1]


def on_user_logged_in(sender, request, user, **kwargs):
    """Receiver of user_logged_in (connected at the end of this module)."""
    if request is not None:
        remember_state(request, user, keep_cache=False)


def is_verified(request) -> bool:
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


# --- Enrolment --------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first call, the same one on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def secret_text(device) -> str:
    """The device's key in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device) -> str:
    """The otpauth:// address as an inline SVG QR code (no image file, no inline script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, light="#fff", title=_("QR code for your authenticator app"))


def _normalize(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def confirm_enrolment(request, device, token) -> list[str]:
    """Confirm ``device`` with a code from the app; returns the new recovery codes (shown once).

    The session is verified with the new device. Raises ValidationError for a wrong code (the
    refusal and the device's throttling are kept: they are written outside the transaction).
    """
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("This enrolment is no longer valid; please start again."))
    if has_device(user):
        raise ValidationError(_("You already have an authenticator app. Ask the security administrator to reset it."))
    if not device.verify_token(_normalize(token)):
        log_event("otp_failed", instance=user, summary=_("Wrong code at second-factor enrolment"))
        raise ValidationError(_("The code is wrong or has expired. Enter the current code from your app."))
    return _confirm(request, device)


@transaction.atomic
def _confirm(request, device) -> list[str]:
    user = request.user
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    request.session[STATE_SESSION_KEY] = [user.pk, VERIFY]
    log_event("otp_enrolled", instance=user, summary=_("Second factor enrolled with %(count)d recovery codes") % {"count": len(codes)})
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def renew_recovery_codes(request) -> list[str]:
    """New recovery codes for a verified user; the old ones stop working."""
    user = request.user
    if not is_verified(request) or not has_device(user):
        raise ValidationError(_("Verify with your second factor first."))
    codes = _new_recovery_codes(user)
    log_event("otp_codes_renewed", instance=user, summary=_("Recovery codes renewed"))
    return codes


# --- Verification -----------------------------------------------------------------------------


def verify(request, token) -> None:
    """Check a code from the app or a recovery code; verifies the session or raises ValidationError."""
    user = request.user
    token = _normalize(token)
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if token.isdigit():
        candidates = devices
    else:
        candidates = list(StaticDevice.objects.filter(user=user, confirmed=True)) if devices else []
    for device in candidates:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            wait = (info or {}).get("locked_until")
            log_event("otp_failed", instance=user, summary=_("Code refused: too many wrong codes"))
            raise ValidationError(_("Too many wrong codes. Wait a moment and try again.") if wait else _("Code refused."))
        with transaction.atomic():
            if device.verify_token(token):
                otp_login(request, device)
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    log_event("otp_recovery_used", instance=user, summary=_("Recovery code used, %(left)d left") % {"left": left})
                return
    log_event("otp_failed", instance=user, summary=_("Wrong second-factor code"))
    raise ValidationError(_("The code is wrong or has expired."))


# --- Reset by the security administrator --------------------------------------------------------


@transaction.atomic
def reset(actor, person) -> int:
    """Remove every device of ``person``: they enrol again at their next request if they must.

    Returns the number of devices removed. Only the security administrator, within their scope,
    and never on themselves (a lost phone of the security administrator is for another one).
    """
    permissions.require(actor, OTP_RESET, person)
    if actor.pk == person.pk:
        raise ValidationError(_("You cannot reset your own second factor."))
    removed = TOTPDevice.objects.filter(user=person).count() + StaticDevice.objects.filter(user=person).count()
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    log_event("otp_reset", instance=person, summary=_("Second factor reset by the security administrator"))
    return removed


# --- Enforcement ------------------------------------------------------------------------------


def second_factor_paths() -> tuple[str, ...]:
    """The paths a session that still owes its second factor may open (besides logging out).

    A middleware that sends users elsewhere first (e.g. a forced password change) must let these
    through, or the two would send the user back and forth.
    """
    return (reverse("security:otp_verify"), reverse("security:otp_enrol"), reverse("accounts:logout"))


class SecondFactorMiddleware:
    """Sends a logged-in session that owes its second factor to the code step or to enrolment,
    and refuses everything else (403 for the API). Install after OTPMiddleware and HtmxMiddleware.

    API calls with a token (integrations) are authenticated by the API itself, not here: tokens are
    issued by the system to service accounts (docs/security.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not is_verified(request):
            state = session_state(request)
            if state != FREE and request.path_info not in second_factor_paths():
                return _send_to_step(request, state)
        return self.get_response(request)


def _send_to_step(request, state):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("Second factor required: log in through the web page first.")}, status=403)
    url = reverse("security:otp_verify" if state == VERIFY else "security:otp_enrol")
    if request.method == "GET" and not getattr(request, "htmx", False):
        url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


# Connected on import: the middleware imports this module when the first request is served, and
# SecurityConfig.ready should import it too so that logins before any request are covered.
user_logged_in.connect(on_user_logged_in, dispatch_uid="security.otp.on_user_logged_in")
