"""Pages of the creation standard. Every query goes through accounts.permissions; rules live in actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import STANDARD_CHANGE
from core.events import log_event
from core.forms import submit
from organization.models import Unit

from . import actions, default, spreadsheet
from .forms import ImportForm, NewStandardForm, NodeForm, StandardForm
from .models import Level, Node, Standard
from .scoring import Tree

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible_or_404(user, pk):
    try:
        return actions.visible_standards(user).select_related("unit").prefetch_related("nodes").get(pk=pk)
    except Standard.DoesNotExist:
        raise Http404 from None


def _changeable(request, pk):
    standard = _visible_or_404(request.user, pk)
    if not permissions.has_perm(request.user, STANDARD_CHANGE, standard):
        raise PermissionDenied
    return standard


def _node(request, pk):
    """A node of a standard the user may change; 404 when its standard is out of sight."""
    node = Node.objects.filter(pk=pk).select_related("standard__unit").first()
    if node is None or not actions.visible_standards(request.user).filter(pk=node.standard_id).exists():
        raise Http404
    if not permissions.has_perm(request.user, STANDARD_CHANGE, node.standard):
        raise PermissionDenied
    return node


def _changeable_units(user):
    return permissions.restrict(Unit.objects.filter(is_active=True), user, perm=STANDARD_CHANGE)


@login_required
def standard_list(request):
    standards = actions.visible_standards(request.user).select_related("unit").annotate(
        item_count=Count("nodes", filter=Q(nodes__level=Level.ITEM))
    ).order_by("unit__path", "name", "-version")
    return render(request, "standard/standard_list.html", {
        "standards": standards,
        "can_change": permissions.has_any_scope(request.user, STANDARD_CHANGE),
    })


@login_required
def create(request):
    if not permissions.has_any_scope(request.user, STANDARD_CHANGE):
        raise PermissionDenied
    form = NewStandardForm(request.POST or None, units=_changeable_units(request.user), initial={"name": default.NAME})

    def perform(data):
        if data["start"] == "default":
            return default.build(request.user, data["unit"], name=data["name"])
        return actions.create_standard(request.user, unit=data["unit"], name=data["name"],
                                       total_points=data["total_points"], note=data["note"])

    done = submit(request, form, perform, success=_("Draft standard created."), then=lambda standard: standard.get_absolute_url())
    return done or render(request, "standard/standard_form.html", {"form": form, "standard": None})


@login_required
def detail(request, pk):
    standard = _visible_or_404(request.user, pk)
    tree = Tree.of(standard)
    for node in tree.nodes:
        node.kids = tree.children.get(node.pk, [])
    can_change = standard.is_draft and permissions.has_perm(request.user, STANDARD_CHANGE, standard)
    versions = actions.visible_standards(request.user).filter(unit=standard.unit_id, name=standard.name).order_by("-version")
    return render(request, "standard/standard_detail.html", {
        "standard": standard,
        "dimensions": tree.dimensions,
        "item_count": len(tree.items),
        "problems": actions.problems(standard) if standard.is_draft else [],
        "can_change": can_change,
        "can_copy": permissions.has_perm(request.user, STANDARD_CHANGE, standard),
        "versions": list(versions.only("pk", "version", "status")),
    })


@login_required
def edit(request, pk):
    standard = _changeable(request, pk)
    initial = {"name": standard.name, "total_points": standard.total_points, "note": standard.note}
    form = StandardForm(request.POST or None, initial=initial)
    done = submit(request, form, lambda data: actions.update_standard(request.user, standard, **data),
                  success=_("Changes saved."), then=standard.get_absolute_url())
    return done or render(request, "standard/standard_form.html", {"form": form, "standard": standard})


@login_required
def node_add(request, pk):
    standard = _changeable(request, pk)
    parent = None
    if request.GET.get("parent"):
        parent = next((node for node in standard.nodes.all() if str(node.pk) == request.GET["parent"]), None)
        if parent is None or parent.level == Level.ITEM:
            raise Http404
    level = Level.DIMENSION if parent is None else parent.level + 1
    form = NodeForm(request.POST or None, level=level)
    done = submit(request, form, lambda data: actions.add_node(request.user, standard, parent=parent, **data),
                  success=_("Added."), then=lambda node: f"{standard.get_absolute_url()}#node-{node.pk}")
    return done or render(request, "standard/node_form.html", {
        "form": form, "standard": standard, "parent": parent, "node": None, "level": Level(level).label,
    })


@login_required
def node_edit(request, pk):
    node = _node(request, pk)
    initial = {name: getattr(node, name) for name in actions.NODE_FIELDS}
    initial["levels"] = spreadsheet.format_levels(node.levels)
    form = NodeForm(request.POST or None, level=node.level, initial=initial)
    done = submit(request, form, lambda data: actions.update_node(request.user, node, **data),
                  success=_("Changes saved."), then=f"{node.standard.get_absolute_url()}#node-{node.pk}")
    return done or render(request, "standard/node_form.html", {
        "form": form, "standard": node.standard, "parent": None, "node": node, "level": node.get_level_display(),
    })


def _run(request, perform, success):
    """A POST-only action on a standard: flash its success or every message of its refusal."""
    try:
        result = perform()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    messages.success(request, success)
    return result


@login_required
@require_POST
def node_delete(request, pk):
    node = _node(request, pk)
    standard = node.standard
    _run(request, lambda: actions.delete_node(request.user, node), _("Deleted with everything under it."))
    return redirect(standard)


@login_required
@require_POST
def publish(request, pk):
    standard = _changeable(request, pk)
    _run(request, lambda: actions.publish_standard(request.user, standard), _("Published; the standard can no longer be changed."))
    return redirect(standard)


@login_required
@require_POST
def copy(request, pk):
    standard = _changeable(request, pk)
    created = _run(request, lambda: actions.new_version(request.user, standard), _("New draft version created."))
    return redirect(created or standard)


@login_required
@require_POST
def delete(request, pk):
    standard = _changeable(request, pk)
    if _run(request, lambda: actions.delete_draft(request.user, standard) or True, _("Draft deleted.")):
        return redirect("standard:list")
    return redirect(standard)


@login_required
def import_file(request, pk=None):
    """Imports an .xlsx as a new draft, or (with ``pk``) replaces the contents of a draft."""
    standard = _changeable(request, pk) if pk else None
    if standard is None and not permissions.has_any_scope(request.user, STANDARD_CHANGE):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, units=_changeable_units(request.user), replace=standard is not None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = spreadsheet.import_standard(
                request.user, data["file"], unit=data.get("unit"), name=data.get("name", ""), standard=standard
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if result.ok:
                messages.success(request, _("Import finished: %(count)d indicators and items.") % {"count": result.created})
                return redirect(result.standard)
    return render(request, "standard/import.html", {"form": form, "result": result, "standard": standard})


@login_required
def export_file(request, pk):
    standard = _visible_or_404(request.user, pk)
    log_event("export", standard, summary=_("Standard exported"))
    response = HttpResponse(spreadsheet.export_standard(standard), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="standard-{standard.pk}-v{standard.version}.xlsx"'
    return response
