"""Read-only pages of the audit trail. Nothing here writes, changes or deletes an entry.

The list also shows the state of the hash chain as last verified; the auditor can verify it again.
"""

import json

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from accounts import permissions
from accounts.roles import AUDIT_VIEW

from . import chain, log
from .filters import AuditEntryFilter, object_type_label
from .models import AuditAction, AuditEntry

PAGE_SIZE = 50

# Where an entry came from (core.context.Actor.source).
SOURCES = {"web": _("Web page"), "api": _("API"), "command": _("Command"), "system": _("System")}


def _visible_entries(user):
    if not permissions.has_any_scope(user, AUDIT_VIEW):
        raise PermissionDenied
    return permissions.restrict(AuditEntry.objects.select_related("actor", "unit"), user, "view")


@require_safe
@login_required
def entry_list(request):
    entries = _visible_entries(request.user)
    filterset = AuditEntryFilter(request.GET or None, queryset=entries, request=request)
    page = Paginator(filterset.qs.order_by("-timestamp", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.type_label = object_type_label(entry.object_type)
    check = chain.last_check()
    return render(
        request,
        "audit/entry_list.html",
        {
            "page_obj": page,
            "filter": filterset,
            "form": filterset.form,
            "LOGIN_FAILED": AuditAction.LOGIN_FAILED,
            "chain_check": check,
            "chain_findings": [chain.Finding.from_dict(item) for item in check.findings[:5]] if check else [],
        },
    )


@require_POST
@login_required
def verify_chain(request):
    """Walks the whole chain now and keeps the result; the list shows it."""
    _visible_entries(request.user)
    report = chain.verify(record=True, checked_by=request.user.get_full_name())
    # The auditor's own work is on the trail too (三员分立: each administrator's actions are audited).
    summary = gettext("%(count)s entries checked, intact") if report.ok else gettext("%(count)s entries checked, broken")
    log.write(AuditAction.CHAIN_VERIFIED, object_type="audit.auditentry", summary=summary % {"count": report.entries}, unit_id=request.user.unit_id)
    if report.ok:
        messages.success(request, gettext("The audit chain verifies: %(count)s entries checked.") % {"count": report.entries})
    else:
        messages.error(request, gettext("The audit chain is broken at entry %(id)s.") % {"id": report.first_broken})
    return redirect("audit:list")


def _model_field(model, key):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        # Relations are recorded by their column ("unit_id").
        for field in model._meta.concrete_fields:
            if field.attname == key:
                return field
    return None


def _shown(field, value):
    """A recorded value as a reader wants it: choice labels instead of codes, JSON for structures."""
    if value is None:
        return None
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return f"{label} ({value})"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def change_rows(entry):
    """One row per recorded field: label, before, after and whether the value changed."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        model = None
    changed = {key for key, _before, _after in entry.changes()}
    before, after = entry.before or {}, entry.after or {}
    rows = []
    for key in dict.fromkeys([*before.keys(), *after.keys()]):
        field = _model_field(model, key)
        rows.append(
            {
                "key": key,
                "label": field.verbose_name if field is not None else key,
                "before": _shown(field, before.get(key)),
                "after": _shown(field, after.get(key)),
                "has_before": key in before,
                "has_after": key in after,
                "changed": key in changed,
            }
        )
    return rows


@require_safe
@login_required
def entry_detail(request, pk):
    # Out of the auditor's scope, an entry does not exist for them.
    entry = get_object_or_404(_visible_entries(request.user), pk=pk)
    entry.type_label = object_type_label(entry.object_type)
    entry.source_label = SOURCES.get(entry.source, entry.source)
    return render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "rows": change_rows(entry),
            "has_before": entry.before is not None,
            "has_after": entry.after is not None,
            "LOGIN_FAILED": AuditAction.LOGIN_FAILED,
        },
    )
