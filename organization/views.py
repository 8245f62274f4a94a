"""Pages of the unit tree. Every query goes through accounts.permissions."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import GRANT_VIEW, LEADING_GROUP_CHANGE, LEADING_GROUP_VIEW, PERSON_VIEW, PERSON_VIEW_CONTACT, UNIT_CHANGE
from core.forms import add_validation_errors, submit

from . import actions
from .forms import LeadingGroupForm, LeadingGroupMemberForm, MoveForm, UnitForm
from .models import LeadingGroup, LeadingGroupMember, Unit

SEARCH_LIMIT = 100


def _with_people_counts(queryset):
    return queryset.annotate(people_count=Count("people", filter=Q(people__is_active=True)))


def _visible(user):
    return permissions.visible_units(user)


def _visible_unit_or_404(user, pk):
    return permissions.get_visible_or_404(Unit.objects.all(), user, pk=pk)


@login_required
def tree(request):
    """The tree from the roots of the user's scope; deeper levels load on demand (htmx)."""
    show_inactive = request.GET.get("inactive") == "1"
    query = request.GET.get("q", "").strip()
    visible = _visible(request.user)
    if not show_inactive:
        visible = visible.filter(is_active=True)
    context = {"query": query, "show_inactive": show_inactive, "can_change": permissions.has_any_scope(request.user, UNIT_CHANGE)}
    if query:
        matches = list(
            visible.filter(Q(name__icontains=query) | Q(short_name__icontains=query) | Q(code__icontains=query))[
                : SEARCH_LIMIT + 1
            ]
        )
        context["truncated"] = len(matches) > SEARCH_LIMIT
        matches = matches[:SEARCH_LIMIT]
        ancestor_paths = {path for unit in matches for path in unit.ancestor_paths()}
        names = dict(Unit.objects.filter(path__in=ancestor_paths).values_list("path", "name"))
        for unit in matches:
            unit.trail = [names[path] for path in unit.ancestor_paths() if path in names]
        context["matches"] = matches
    else:
        roots = permissions.scope_paths(request.user, "organization.unit.view")
        top = _with_people_counts(visible.filter(path__in=roots))
        children = _with_people_counts(
            visible.filter(Q(*[Q(path__startswith=root) for root in roots], _connector=Q.OR))
            .filter(depth__in={len(root) // Unit.steplen + 1 for root in roots})
        ) if roots else Unit.objects.none()
        by_parent = {}
        for child in children:
            by_parent.setdefault(child.path[: -Unit.steplen], []).append(child)
        nodes = list(top)
        for node in nodes:
            node.loaded_children = by_parent.get(node.path, [])
        context["nodes"] = nodes
    return render(request, "organization/tree.html", context)


@login_required
def children(request, pk):
    """The children of one node, as a fragment for the tree."""
    unit = _visible_unit_or_404(request.user, pk)
    nodes = _visible(request.user).filter(path__startswith=unit.path, depth=unit.depth + 1)
    if request.GET.get("inactive") != "1":
        nodes = nodes.filter(is_active=True)
    return render(request, "organization/includes/tree_children.html", {"nodes": _with_people_counts(nodes)})


@login_required
def detail(request, pk):
    user = request.user
    unit = _visible_unit_or_404(user, pk)
    include_sub = request.GET.get("sub") == "1"
    ancestors = list(Unit.objects.filter(path__in=unit.ancestor_paths()))
    visible_ids = set(_visible(user).filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True))
    for ancestor in ancestors:
        ancestor.linkable = ancestor.pk in visible_ids
    child_units = _with_people_counts(_visible(user).filter(path__startswith=unit.path, depth=unit.depth + 1))
    people_page = None
    if permissions.has_perm(user, PERSON_VIEW, unit):
        people = permissions.restrict(get_user_model().objects.select_related("unit"), user, "view")
        people = people.filter(unit__path__startswith=unit.path) if include_sub else people.filter(unit=unit)
        people_page = Paginator(people.order_by("unit__path", "sort_order", "id"), 50).get_page(request.GET.get("page"))
    group = None
    members = []
    if permissions.has_perm(user, LEADING_GROUP_VIEW, unit):
        group = LeadingGroup.objects.filter(unit=unit).first()
        if group:
            members = list(group.members.select_related("person__unit"))
    grants = []
    if permissions.has_perm(user, GRANT_VIEW, unit):
        grants = list(unit.grants.select_related("person"))
    return render(
        request,
        "organization/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "child_units": child_units,
            "people_page": people_page,
            "include_sub": include_sub,
            "show_contact": permissions.has_perm(user, PERSON_VIEW_CONTACT, unit),
            "group": group,
            "members": members,
            "grants": grants,
            "can_change": permissions.has_perm(user, UNIT_CHANGE, unit),
            "can_change_group": permissions.has_perm(user, LEADING_GROUP_CHANGE, unit),
        },
    )


def _changeable_unit(request, pk, perm=UNIT_CHANGE):
    unit = _visible_unit_or_404(request.user, pk)
    if not permissions.has_perm(request.user, perm, unit):
        raise PermissionDenied
    return unit


@login_required
def create(request):
    parent = None
    if request.GET.get("parent") or request.POST.get("parent"):
        parent = _changeable_unit(request, request.GET.get("parent") or request.POST.get("parent"))
    elif not permissions.has_any_scope(request.user, UNIT_CHANGE):
        raise PermissionDenied
    form = UnitForm(request.POST or None, initial={"kind": "department" if parent else "agency"})
    done = submit(
        request,
        form,
        lambda data: actions.create_unit(request.user, parent=parent, **data),
        success=lambda unit: _("Unit %(name)s created.") % {"name": unit.name},
        then=lambda unit: unit.get_absolute_url(),
    )
    return done or render(request, "organization/unit_form.html", {"form": form, "parent": parent, "unit": None})


@login_required
def edit(request, pk):
    unit = _changeable_unit(request, pk)
    initial = {"name": unit.name, "short_name": unit.short_name, "code": unit.code, "kind": unit.kind}
    form = UnitForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: actions.update_unit(request.user, unit, **data),
        success=_("Changes saved."),
        then=unit.get_absolute_url(),
    )
    return done or render(request, "organization/unit_form.html", {"form": form, "unit": unit, "parent": None})


@login_required
def move(request, pk):
    unit = _changeable_unit(request, pk)
    parents = (
        permissions.restrict(Unit.objects.all(), request.user, perm=UNIT_CHANGE)
        .filter(is_active=True)
        .exclude(path__startswith=unit.path)
    )
    form = MoveForm(request.POST or None, parents=parents)
    done = submit(
        request,
        form,
        lambda data: actions.move_unit(request.user, unit, new_parent=data["new_parent"]),
        success=_("Unit moved."),
        then=unit.get_absolute_url(),
    )
    return done or render(request, "organization/unit_move.html", {"form": form, "unit": unit})


@login_required
@require_POST
def reorder(request, pk, direction):
    unit = _changeable_unit(request, pk)
    actions.reorder_unit(request.user, unit, direction="up" if direction == "up" else "down")
    parent = Unit.objects.get_parent(unit)
    return redirect("organization:detail", pk=parent.pk if parent else unit.pk)


@login_required
@require_POST
def set_active(request, pk, active):
    unit = _changeable_unit(request, pk)
    try:
        if active:
            actions.reactivate_unit(request.user, unit)
            messages.success(request, _("Unit reactivated."))
        else:
            actions.deactivate_unit(request.user, unit)
            messages.success(request, _("Unit deactivated with the units under it."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("organization:detail", pk=unit.pk)


@login_required
def leading_group(request, pk):
    unit = _changeable_unit(request, pk, LEADING_GROUP_CHANGE)
    group = LeadingGroup.objects.filter(unit=unit).first()
    people = permissions.restrict(get_user_model().objects.select_related("unit"), request.user, "view").filter(
        is_active=True, unit__path__startswith=unit.path
    )
    group_form = LeadingGroupForm(
        request.POST if request.POST.get("form") == "group" else None,
        initial={"name": group.name if group else _("Leading group for the model agency drive"),
                 "established_on": group.established_on if group else None,
                 "office_duties": group.office_duties if group else ""},
    )
    member_form = LeadingGroupMemberForm(request.POST if request.POST.get("form") == "member" else None, people=people)
    if request.method == "POST":
        form = group_form if request.POST.get("form") == "group" else member_form
        if form.is_valid():
            try:
                if form is group_form:
                    actions.save_leading_group(request.user, unit, **form.cleaned_data)
                elif group is None:
                    raise ValidationError(_("Save the leading group first."))
                else:
                    actions.add_leading_group_member(request.user, group, **form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("organization:leading_group", pk=unit.pk)
    members = list(group.members.select_related("person__unit")) if group else []
    return render(
        request,
        "organization/leading_group.html",
        {"unit": unit, "group": group, "members": members, "group_form": group_form, "member_form": member_form},
    )


@login_required
@require_POST
def remove_member(request, pk, member_pk):
    unit = _changeable_unit(request, pk, LEADING_GROUP_CHANGE)
    member = get_object_or_404(LeadingGroupMember, pk=member_pk, group__unit=unit)
    actions.remove_leading_group_member(request.user, member)
    messages.success(request, _("Member removed."))
    return redirect("organization:leading_group", pk=unit.pk)
