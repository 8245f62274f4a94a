"""Pages of the second factor: enrolment, the code step after the password, recovery codes, and the
security administrator's list of people with their second factor and its reset."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions
from accounts.models import RoleGrant, User
from accounts.roles import ADMIN_ROLES, OTP_RESET
from core.forms import add_validation_errors

from . import otp
from .otp_forms import CodeForm


def _next_url(request):
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:workbench")


@login_required
def status(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    codes_left = StaticToken.objects.filter(device__user=user, device__confirmed=True).count() if device else 0
    return render(
        request,
        "security/otp_status.html",
        {"device": device, "codes_left": codes_left, "required": otp.required_for(user), "verified": otp.is_verified(request)},
    )


@login_required
def enrol(request):
    user = request.user
    if otp.has_device(user):
        if otp.is_verified(request):
            messages.info(request, _("You already have an authenticator app."))
            return redirect("security:otp_status")
        return redirect(f"{reverse('security:otp_verify')}?{request.GET.urlencode()}")
    device = otp.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.confirm_enrolment(request, device, form.cleaned_data["code"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            request.session[otp.NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(f"{reverse('security:otp_codes')}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}")
    return render(
        request,
        "security/otp_enrol.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(device),
            "secret": otp.secret_text(device),
            "required": otp.required_for(user),
            "next": _next_url(request),
        },
    )


@login_required
def verify(request):
    if otp.is_verified(request):
        return redirect(_next_url(request))
    user = request.user
    if not otp.has_device(user):
        # Reset since login, or never had one: work the state out again.
        otp.remember_state(request, user)
        if otp.session_state(request) == otp.ENROL:
            return redirect("security:otp_enrol")
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        try:
            otp.verify(request, form.cleaned_data["code"])
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return redirect(_next_url(request))
    return render(request, "security/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def codes(request):
    """The recovery codes just made, shown once (they are stored only as used-once tokens)."""
    if request.method == "POST":
        try:
            new_codes = otp.renew_recovery_codes(request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("security:otp_status")
        request.session[otp.NEW_CODES_SESSION_KEY] = new_codes
        return redirect("security:otp_codes")
    new_codes = request.session.pop(otp.NEW_CODES_SESSION_KEY, None)
    if not new_codes:
        messages.info(request, _("Recovery codes are shown only once. You can make new ones here."))
        return redirect("security:otp_status")
    return render(request, "security/otp_codes.html", {"codes": new_codes, "next": _next_url(request)})


def _require_reset_scope(user):
    if not permissions.has_any_scope(user, OTP_RESET):
        raise PermissionDenied


@login_required
def people(request):
    """People in the security administrator's scope and whether they have a second factor."""
    _require_reset_scope(request.user)
    people = permissions.restrict(User.objects.select_related("unit"), request.user, perm=OTP_RESET).filter(is_active=True)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(real_name__icontains=query) | Q(username__icontains=query))
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True).distinct())
    if request.GET.get("enrolled") == "1":
        people = people.filter(pk__in=enrolled)
    page = Paginator(people.order_by("unit__path", "sort_order", "id"), 50).get_page(request.GET.get("page"))
    admins = set(
        RoleGrant.objects.filter(person_id__in=[person.pk for person in page], role__in=ADMIN_ROLES).values_list("person_id", flat=True)
    )
    for person in page:
        person.has_otp = person.pk in enrolled
        person.is_admin = person.pk in admins
    return render(request, "security/otp_people.html", {"page_obj": page, "query": query, "enrolled_only": request.GET.get("enrolled") == "1"})


@login_required
@require_POST
def reset(request, pk):
    _require_reset_scope(request.user)
    person = permissions.restrict(User.objects.select_related("unit"), request.user, perm=OTP_RESET).filter(pk=pk).first()
    if person is None:
        raise Http404
    try:
        removed = otp.reset(request.user, person)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if removed:
            messages.success(request, _("The second factor of %(name)s was reset.") % {"name": person.real_name})
        else:
            messages.info(request, _("%(name)s had no second factor.") % {"name": person.real_name})
    return redirect("security:otp_people")
