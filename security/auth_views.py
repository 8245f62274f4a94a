"""Pages of the login security: changing one's own password (forced when issued or expired), the
security administrator's lockouts, and the administrators' view of people's sessions."""

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import User
from accounts.roles import LOCKOUT_CHANGE, SESSION_END

from . import lockout, passwords, sessions
from .forms import OwnPasswordForm, UnlockForm


def _next_url(request):
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("core:workbench")


@login_required
def password_change(request):
    reason = request.session.get(passwords.CHANGE_SESSION_KEY)
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        passwords.change_own_password(request, form.cleaned_data["new_password1"])
        messages.success(request, _("Your password was changed."))
        return redirect(_next_url(request))
    return render(request, "security/password_change.html", {"form": form, "reason": reason, "next": _next_url(request)})


# --- Lockouts (security administrator) ---------------------------------------------------------------


def _require_scope(user, perm):
    if not permissions.has_any_scope(user, perm):
        raise PermissionDenied


@login_required
def lockout_list(request):
    _require_scope(request.user, LOCKOUT_CHANGE)
    return render(
        request,
        "security/lockout_list.html",
        {"lockouts": lockout.visible_lockouts(request.user), "minutes": lockout.lockout_minutes()},
    )


@login_required
@require_POST
def lockout_unlock(request):
    _require_scope(request.user, LOCKOUT_CHANGE)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        raise Http404
    kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
    if not any(lock.kind == kind and lock.value == value for lock in lockout.visible_lockouts(request.user)):
        raise Http404
    lockout.unlock(request.user, kind, value)
    messages.success(request, _("%(value)s can log in again.") % {"value": value})
    return redirect("security:lockout_list")


# --- Sessions (security and system administrators) ------------------------------------------------


def _people(user):
    return permissions.restrict(User.objects.select_related("unit"), user, perm=SESSION_END)


@login_required
def session_list(request):
    """People in scope with open sessions (or everyone matching a search)."""
    _require_scope(request.user, SESSION_END)
    active = sessions.active_sessions()
    people = _people(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(real_name__icontains=query) | Q(username__icontains=query))
    else:
        people = people.filter(pk__in=active.values("user_id"))
    counts = {
        row["user_id"]: row
        for row in active.filter(user_id__in=people.values("pk")).values("user_id").annotate(count=Count("pk"), last=Max("last_seen"))
    }
    page = Paginator(people.order_by("unit__path", "sort_order", "id"), 50).get_page(request.GET.get("page"))
    for person in page:
        row = counts.get(person.pk, {})
        person.session_count = row.get("count", 0)
        person.last_seen = row.get("last")
    return render(request, "security/sessions_list.html", {"page_obj": page, "query": query})


def _person_or_404(request, pk):
    _require_scope(request.user, SESSION_END)
    person = _people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


@login_required
def session_person(request, pk):
    person = _person_or_404(request, pk)
    return render(
        request,
        "security/sessions_person.html",
        {"person": person, "sessions": sessions.active_sessions(person).order_by("-last_seen")},
    )


@login_required
@require_POST
def session_end(request, pk):
    person = _person_or_404(request, pk)
    try:
        count = sessions.end_person_sessions(request.user, person)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("security:session_person", pk=person.pk)
    messages.success(request, _("%(count)d sessions of %(name)s were ended.") % {"count": count, "name": person.real_name})
    return redirect("security:session_list")

