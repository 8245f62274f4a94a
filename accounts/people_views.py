"""Pages for people, the roster import/export and role grants. Every query goes through permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.events import log_event
from core.forms import submit
from organization.models import PARTY_KINDS, Unit

from . import actions, permissions, roster
from .forms import GrantForm, PersonForm, RosterUploadForm
from .models import PartyStatus, RoleGrant, User
from .roles import GRANT_CHANGE, GRANT_VIEW, PERSON_CHANGE, PERSON_EXPORT, PERSON_VIEW, PERSON_VIEW_CONTACT, Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered_people(request):
    """The people the user may see, narrowed by the list filters."""
    people = permissions.restrict(User.objects.select_related("unit"), request.user, "view")
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(Q(real_name__icontains=query) | Q(username__icontains=query) | Q(position__icontains=query))
    within = request.GET.get("unit")
    unit = None
    if within and within.isdigit():
        unit = permissions.visible_units(request.user).filter(pk=within).first()
        if unit is not None:
            people = people.filter(unit__path__startswith=unit.path)
    status = request.GET.get("party_status")
    if status in PartyStatus.values:
        people = people.filter(party_status=status)
    active = request.GET.get("active", "1")
    if active in {"0", "1"}:
        people = people.filter(is_active=active == "1")
    return people.order_by("unit__path", "sort_order", "id"), unit


@login_required
def person_list(request):
    if not permissions.has_any_scope(request.user, PERSON_VIEW):
        raise PermissionDenied
    people, unit = _filtered_people(request)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    contact_paths = permissions.scope_paths(request.user, PERSON_VIEW_CONTACT)
    for person in page:
        person.show_phone = any(person.unit and person.unit.path.startswith(path) for path in contact_paths)
    return render(
        request,
        "accounts/person_list.html",
        {
            "page_obj": page,
            "filter_unit": unit,
            "party_statuses": PartyStatus.choices,
            "can_change": permissions.has_any_scope(request.user, PERSON_CHANGE),
            "can_export": permissions.has_any_scope(request.user, PERSON_EXPORT),
        },
    )


@login_required
def person_detail(request, pk):
    person = permissions.get_visible_or_404(User.objects.select_related("unit", "party_unit"), request.user, pk=pk)
    user = request.user
    grants = []
    if permissions.has_perm(user, GRANT_VIEW, person):
        grants = list(person.grants.select_related("unit", "granted_by"))
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "grants": grants,
            "seats": list(person.leading_group_seats.select_related("group__unit")),
            "show_contact": permissions.has_perm(user, PERSON_VIEW_CONTACT, person),
            "can_change": permissions.has_perm(user, PERSON_CHANGE, person),
            "can_grant": permissions.has_any_scope(user, GRANT_CHANGE),
            "now": timezone.now(),
        },
    )


def _form_units(user):
    changeable = permissions.restrict(Unit.objects.all(), user, perm=PERSON_CHANGE).filter(is_active=True)
    return changeable, changeable.filter(kind__in=PARTY_KINDS)


@login_required
def person_create(request):
    if not permissions.has_any_scope(request.user, PERSON_CHANGE):
        raise PermissionDenied
    units, party_units = _form_units(request.user)
    form = PersonForm(request.POST or None, units=units, party_units=party_units, initial={"unit": request.GET.get("unit")})
    done = submit(
        request,
        form,
        lambda data: actions.create_person(request.user, **data),
        success=lambda person: _("%(name)s added with the username %(username)s.")
        % {"name": person.real_name, "username": person.username},
        then=lambda person: person.get_absolute_url(),
    )
    return done or render(request, "accounts/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request, pk):
    person = permissions.get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    permissions.require(request.user, PERSON_CHANGE, person)
    units, party_units = _form_units(request.user)
    initial = {field: getattr(person, field) for field in actions.PERSON_FIELDS}
    form = PersonForm(request.POST or None, units=units, party_units=party_units, initial=initial, editing=True)
    done = submit(
        request,
        form,
        lambda data: actions.update_person(request.user, person, **data),
        success=_("Changes saved."),
        then=person.get_absolute_url(),
    )
    return done or render(request, "accounts/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_set_active(request, pk, active):
    person = permissions.get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    try:
        actions.set_person_active(request.user, person, active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Account enabled.") if active else _("Account disabled; its sessions have ended."))
    return redirect("people:detail", pk=person.pk)


@login_required
@require_POST
def person_issue_password(request, pk):
    """Sets a new random password and shows it once, for the administrator to hand over; the person
    must change it at their next login. Nothing keeps it: lost, it is issued again."""
    person = permissions.get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    try:
        password = actions.issue_password(request.user, person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people:detail", pk=person.pk)
    return render(request, "accounts/password_issued.html", {"person": person, "password": password})


@login_required
def person_import(request):
    if not permissions.has_any_scope(request.user, PERSON_CHANGE):
        raise PermissionDenied
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = roster.import_roster(request.user, form.cleaned_data["file"])
        if not result.errors:
            messages.success(
                request,
                _("Import finished: %(created)d added, %(updated)d updated.") % {"created": result.created, "updated": result.updated},
            )
            return redirect("people:list")
    return render(request, "accounts/person_import.html", {"form": form, "result": result})


@login_required
def person_export(request):
    if not permissions.has_any_scope(request.user, PERSON_EXPORT):
        raise PermissionDenied
    people, _unit = _filtered_people(request)
    people = permissions.restrict(people, request.user, perm=PERSON_EXPORT)
    content = roster.export_roster(people, include_phone=True)
    log_event("export", object_type="accounts.user", summary=_("Roster exported"))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"roster-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def roster_template(request):
    if not permissions.has_any_scope(request.user, PERSON_CHANGE):
        raise PermissionDenied
    response = HttpResponse(roster.roster_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


@login_required
def grant_list(request):
    if not permissions.has_any_scope(request.user, GRANT_VIEW):
        raise PermissionDenied
    grants = permissions.restrict(RoleGrant.objects.select_related("person", "unit", "granted_by"), request.user, "view")
    role = request.GET.get("role")
    if role in Role.values:
        grants = grants.filter(role=role)
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/grant_list.html",
        {"page_obj": page, "roles": Role.choices, "can_change": permissions.has_any_scope(request.user, GRANT_CHANGE)},
    )


@login_required
def grant_create(request, pk):
    person = permissions.get_visible_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    if not permissions.has_any_scope(request.user, GRANT_CHANGE):
        raise PermissionDenied
    units = permissions.restrict(Unit.objects.all(), request.user, perm=GRANT_CHANGE).filter(is_active=True)
    form = GrantForm(request.POST or None, units=units, initial={"unit": person.unit_id})
    done = submit(
        request,
        form,
        lambda data: actions.grant_role(request.user, person=person, **data),
        success=_("Role granted."),
        then=person.get_absolute_url(),
    )
    return done or render(request, "accounts/grant_form.html", {"form": form, "person": person})


@login_required
@require_POST
def grant_revoke(request, pk):
    grant = get_object_or_404(permissions.restrict(RoleGrant.objects.select_related("unit", "person"), request.user, "change"), pk=pk)
    actions.revoke_role(request.user, grant)
    messages.success(request, _("Role revoked."))
    return redirect("people:detail", pk=grant.person_id)
