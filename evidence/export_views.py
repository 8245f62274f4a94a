"""Pages of the ledger export: start an export, follow its progress (htmx), download the archive."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts import permissions
from accounts.roles import DOCUMENT_EXPORT
from organization.models import Unit

from . import export as ledger_export
from . import tasks
from .export_models import keep_days
from .uploads import clean_filename

RECENT = 10


def _year(value):
    value = value or ""
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


@login_required
def start(request):
    """GET: what will be exported and the recent exports of the unit; POST: start the export."""
    source = request.POST if request.method == "POST" else request.GET
    unit_id = source.get("unit", "")
    unit = permissions.get_visible_or_404(Unit.objects.all(), request.user, pk=int(unit_id) if unit_id.isdigit() else 0)
    permissions.require(request.user, DOCUMENT_EXPORT, unit)
    year = _year(source.get("year"))
    include_sub = source.get("sub") == "1"
    if request.method == "POST":
        export, created = ledger_export.request_export(request.user, unit=unit, year=year, include_sub=include_sub)
        if created:
            tasks.enqueue_export(export)
        return redirect(export.get_absolute_url())
    recent = ledger_export.visible_exports(request.user).filter(unit=unit)[:RECENT]
    return render(
        request,
        "evidence/export_start.html",
        {"unit": unit, "year": year, "include_sub": include_sub, "recent": recent, "keep_days": keep_days()},
    )


def _export_or_404(request, pk):
    return get_object_or_404(ledger_export.visible_exports(request.user), pk=pk)


@login_required
def status(request, pk):
    """The export's page; htmx polls the progress fragment of the same URL until it is finished."""
    export = _export_or_404(request, pk)
    context = {"export": export, "expired": export.is_expired(timezone.now()), "keep_days": keep_days()}
    if request.htmx:
        return render(request, "evidence/export_progress.html", context)
    return render(request, "evidence/export_status.html", context)


@login_required
def download(request, pk):
    export = _export_or_404(request, pk)
    handle = ledger_export.open_export(request.user, export)
    response = FileResponse(
        handle, as_attachment=True, filename=clean_filename(export.download_name, default="ledger.zip"), content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
