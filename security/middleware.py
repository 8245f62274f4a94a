"""Session timeouts and the forced password change, applied to every request.

Install SessionTimeoutMiddleware after MessageMiddleware (it logs out and leaves a message) and
PasswordChangeMiddleware after SecondFactorMiddleware: the second factor is proved before a new
password may be set, so a stolen password alone cannot be changed into the thief's own.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import passwords, sessions


def _is_api(request):
    return request.path_info.startswith("/api/")


def _is_htmx(request):
    # Read from the header: the timeout runs before django-htmx's middleware sets request.htmx.
    return request.headers.get("HX-Request") == "true"


def _send(request, url, keep_next=True):
    if keep_next and request.method == "GET" and not _is_htmx(request):
        url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionTimeoutMiddleware:
    """Ends a session idle longer than MOFAN_SESSION_IDLE_SECONDS or older than SESSION_COOKIE_AGE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = sessions.check(request)
            if reason:
                sessions.expire(request, reason)
                if _is_api(request):
                    return JsonResponse({"detail": _("Your session has ended. Please log in again.")}, status=401)
                if reason == sessions.IDLE:
                    messages.info(request, _("You were logged out after %(minutes)d minutes without activity.") % {
                        "minutes": settings.MOFAN_SESSION_IDLE_SECONDS // 60
                    })
                else:
                    messages.info(request, _("Your session reached its maximum length. Please log in again."))
                return _send(request, reverse(settings.LOGIN_URL))
        return self.get_response(request)


def _free_paths():
    paths = {reverse("security:password_change"), reverse("accounts:logout")}
    try:
        from .otp import second_factor_paths
    except ImportError:  # the second factor is not installed
        return paths
    return paths | set(second_factor_paths())


class PasswordChangeMiddleware:
    """Sends a session that owes a new password (issued or expired) to the change page, and
    refuses everything else until it is changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(passwords.CHANGE_SESSION_KEY):
            path = request.path_info
            if path not in _free_paths() and not path.startswith(settings.STATIC_URL):
                if _is_api(request):
                    return JsonResponse({"detail": _("Change your password through the web page first.")}, status=403)
                return _send(request, reverse("security:password_change"))
        return self.get_response(request)
