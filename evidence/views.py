"""Pages of the evidence ledger: the ledger of a unit, documents, uploads and file delivery."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.roles import DOCUMENT_CHANGE, DOCUMENT_EXPORT, DOCUMENT_VIEW, LINK_CHANGE
from core.forms import add_validation_errors, submit
from organization.models import Unit

from . import actions, integrity, links
from . import ledger as structured_ledger
from . import structure as ledger_structure
from .forms import DocumentForm, LinkForm, UploadForm, VersionForm
from .models import Document, DocumentVersion, Link

PAGE_SIZE = 100


def _ledger_unit(request):
    """The unit asked for, or the user's own unit, or the first unit of their scope."""
    visible = permissions.restrict(Unit.objects.all(), request.user, perm=DOCUMENT_VIEW)
    wanted = request.GET.get("unit")
    if wanted and wanted.isdigit():
        unit = visible.filter(pk=wanted).first()
        if unit is None:
            raise Http404
        return unit
    user_unit = request.user.unit
    if user_unit is not None and permissions.has_perm(request.user, DOCUMENT_VIEW, user_unit):
        return user_unit
    return visible.order_by("path").first()


def _year(request):
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


@login_required
def ledger(request):
    """The ledger of a unit for a year: by the standard that applies to the unit, or by folder.

    Under the standard, documents linked to no scoring item are listed by folder below the tree.
    """
    if not permissions.has_any_scope(request.user, DOCUMENT_VIEW):
        raise PermissionDenied
    unit = _ledger_unit(request)
    year = _year(request)
    include_sub = request.GET.get("sub") == "1"
    structure = ledger_structure.for_unit(unit) if unit is not None else None
    by_standard = structure is not None and request.GET.get("view") != "folders"
    structured, documents = None, Document.objects.none()
    if by_standard:
        structured, documents = structured_ledger.build(request.user, structure, unit, year, include_sub)
    elif unit is not None:
        documents = structured_ledger.unit_documents(request.user, unit, year, include_sub)
    documents = (
        documents.select_related("unit", "current__blob", "uploaded_by")
        .annotate(link_count=Count("links", distinct=True))
        .order_by("folder", "-period", "title", "id")
    )
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    folders = [(folder or _("(No folder)"), list(items)) for folder, items in groupby(page, key=lambda d: d.folder)]
    can_upload = unit is not None and permissions.has_perm(request.user, DOCUMENT_CHANGE, unit)
    return render(
        request,
        "evidence/ledger.html",
        {
            "unit": unit,
            "year": year,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            "include_sub": include_sub,
            "has_structure": structure is not None,
            "ledger": structured,
            "page_obj": page,
            "folders": folders,
            "can_upload": can_upload,
            "can_link": can_upload and permissions.has_perm(request.user, LINK_CHANGE, unit),
            "can_export": unit is not None and permissions.has_perm(request.user, DOCUMENT_EXPORT, unit),
        },
    )


def _folders(unit):
    return list(Document.objects.filter(unit=unit).exclude(folder="").values_list("folder", flat=True).distinct()[:200])


def _upload_item(request, unit):
    """The scoring item named by ?item= as (headings above it, item, target), or None; 404 when it is
    not an item of the structure that applies to the unit."""
    wanted = request.GET.get("item", "")
    if not wanted:
        return None
    structure = ledger_structure.for_unit(unit)
    found = structure.find(int(wanted)) if structure is not None and wanted.isdigit() else None
    target = structure.model.objects.filter(pk=found[1].pk).first() if found else None
    if target is None:
        raise Http404
    permissions.require(request.user, LINK_CHANGE, unit)
    return (*found, target)


@login_required
def upload(request):
    """Upload into a unit's ledger; with ?item= each file is also linked to that scoring item."""
    unit = permissions.get_visible_or_404(Unit.objects.all(), request.user, pk=request.GET.get("unit") or request.POST.get("unit") or 0)
    permissions.require(request.user, DOCUMENT_CHANGE, unit)
    item = _upload_item(request, unit)
    initial = {"period": _upload_period(request)}
    if item is not None:
        initial["folder"] = "/".join(heading.title for heading in item[0])
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        stored, duplicates = [], []
        data = dict(form.cleaned_data)
        files = data.pop("files")
        try:
            for uploaded in files:
                fields = {**data, "title": data["title"] if len(files) == 1 else ""}
                if item is None:
                    result = actions.upload_document(request.user, unit=unit, file=uploaded, name=uploaded.name, **fields)
                else:
                    result = actions.upload_evidence_for(request.user, item[2], unit=unit, file=uploaded, name=uploaded.name, **fields)
                (duplicates if result.duplicate else stored).append(result.document)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            for document in duplicates:
                messages.warning(
                    request, _("%(title)s is already in the ledger of this unit; it was not stored again.") % {"title": document.title}
                )
            if stored:
                messages.success(request, _("%(count)d file(s) stored.") % {"count": len(stored)})
            if item is not None:
                messages.success(request, _("Linked to %(item)s.") % {"item": item[1].label})
                back = request.GET.get("next", "")
                if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
                    return redirect(back)  # e.g. the scorecard the clerk came from
                return redirect(f"{_ledger_url(unit)}&year={data['period'].year}#item-{item[1].pk}")
            if len(files) == 1:
                return redirect((stored or duplicates)[0].get_absolute_url())
            return redirect(f"{_ledger_url(unit)}&year={data['period'].year}")
    context = {"form": form, "unit": unit, "folders": _folders(unit), "item": item[1] if item else None}
    return render(request, "evidence/upload.html", context)


def _upload_period(request):
    """Today, or the first day of the ledger year the user came from when it is another year."""
    today = timezone.localdate()
    year = _year(request)
    return today if year == today.year else datetime.date(year, 1, 1)


def _ledger_url(unit):
    from django.urls import reverse

    return f"{reverse('evidence:ledger')}?unit={unit.pk}"


def _visible_document(request, pk):
    return permissions.get_visible_or_404(Document.objects.select_related("unit", "current__blob", "uploaded_by"), request.user, pk=pk)


@login_required
def document(request, pk):
    doc = _visible_document(request, pk)
    user = request.user
    can_change = permissions.has_perm(user, DOCUMENT_CHANGE, doc)
    doc_links = list(permissions.restrict(doc.links.select_related("target_type", "unit"), user, "view"))
    for link in doc_links:
        link.label = links.describe_target(link)
        link.can_unlink = permissions.has_perm(user, LINK_CHANGE, link)
    return render(
        request,
        "evidence/document.html",
        {
            "document": doc,
            "versions": list(doc.versions.select_related("blob", "uploaded_by")),
            "links": doc_links,
            "can_change": can_change,
            "version_form": VersionForm() if can_change else None,
            "link_form": LinkForm(user=user) if permissions.has_perm(user, LINK_CHANGE, doc) else None,
        },
    )


@login_required
def edit(request, pk):
    doc = _visible_document(request, pk)
    permissions.require(request.user, DOCUMENT_CHANGE, doc)
    initial = {
        "title": doc.title, "folder": doc.folder, "period": doc.period,
        "period_precision": doc.period_precision, "description": doc.description,
    }
    form = DocumentForm(request.POST or None, initial=initial)
    done = submit(
        request, form, lambda data: actions.update_document(request.user, doc, **data),
        success=_("Changes saved."), then=doc.get_absolute_url(),
    )
    return done or render(request, "evidence/document_form.html", {"form": form, "document": doc, "folders": _folders(doc.unit)})


@login_required
@require_POST
def new_version(request, pk):
    doc = _visible_document(request, pk)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            actions.add_version(request.user, doc, file=upload, name=upload.name, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("New version stored; the earlier versions stay readable."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(doc.get_absolute_url())


@login_required
@require_POST
def link(request, pk):
    doc = _visible_document(request, pk)
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            actions.link_document(request.user, doc, form.cleaned_data["target"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Linked."))
    else:
        messages.error(request, _("Choose what the document proves."))
    return redirect(doc.get_absolute_url())


@login_required
@require_POST
def unlink(request, pk):
    link = permissions.get_visible_or_404(Link.objects.select_related("document", "unit"), request.user, pk=pk)
    actions.unlink(request.user, link)
    messages.success(request, _("Link removed; the document stays in the ledger."))
    return redirect(link.document.get_absolute_url())


def _deliver(request, pk, *, inline):
    # A version is seen through its document's permission (no role names versions on their own).
    versions = DocumentVersion.objects.select_related("blob", "document", "unit")
    version = get_object_or_404(permissions.restrict(versions, request.user, perm=DOCUMENT_VIEW), pk=pk)
    if inline and not version.previewable:
        raise Http404
    try:
        handle = actions.open_version(request.user, version, purpose="preview" if inline else "download")
    except integrity.FileAltered:
        message = _("The stored file of %(name)s no longer matches the SHA-256 recorded at upload, so it is not served. Tell the security administrator.") % {
            "name": version.name}
        return render(request, "evidence/file_altered.html", {"version": version, "message": message}, status=409)
    response = FileResponse(handle, as_attachment=not inline, filename=version.name, content_type=version.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request, pk):
    return _deliver(request, pk, inline=False)


@login_required
@xframe_options_sameorigin
def preview(request, pk):
    return _deliver(request, pk, inline=True)

