"""Business operations on evidence: upload, new versions, links, opening files, inspection visits.

Each action is transactional, checks the actor's permission through accounts.permissions (an actor
of None is the system itself) and leaves an audit entry.
"""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import actions as account_actions
from accounts import permissions
from accounts.roles import DOCUMENT_CHANGE, DOCUMENT_VIEW, LINK_CHANGE, VISIT_CHANGE, Role
from core.actions import business_action
from core.events import log_event

from . import integrity, links
from .models import Blob, Document, DocumentVersion, InspectionVisit, Link, PeriodPrecision
from .uploads import UploadRefused, inspect_upload

MAX_VISIT_DAYS = 90


@dataclass
class UploadResult:
    document: Document
    version: DocumentVersion | None
    duplicate: bool  # the same bytes were already in this unit: nothing new was stored


def normalise_period(period: datetime.date, precision: str) -> datetime.date:
    if precision == PeriodPrecision.YEAR:
        return period.replace(month=1, day=1)
    if precision == PeriodPrecision.MONTH:
        return period.replace(day=1)
    return period


def _inspect(fileobj, name):
    try:
        return inspect_upload(fileobj, name)
    except UploadRefused as refused:
        raise ValidationError({"file": refused.message}, code=refused.code) from None


def _store(fileobj, inspected) -> Blob:
    """The blob of these bytes: reused when any unit stored them before, written once otherwise."""
    blob = Blob.objects.filter(sha256=inspected.sha256).first()
    if blob is not None:
        return blob
    blob = Blob(sha256=inspected.sha256, size=inspected.size, content_type=inspected.content_type)
    fileobj.seek(0)
    blob.file.save(inspected.sha256, File(fileobj), save=False)
    try:
        with transaction.atomic():
            blob.save()
    except IntegrityError:  # stored by a concurrent upload of the same bytes
        blob = Blob.objects.get(sha256=inspected.sha256)
    return blob


def _existing_in_unit(unit, sha256):
    return (
        DocumentVersion.objects.select_related("document")
        .filter(unit=unit, blob__sha256=sha256)
        .order_by("id")
        .first()
    )


def _add_version(actor, document, fileobj, inspected, note=""):
    number = document.version_count + 1
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        blob=_store(fileobj, inspected),
        name=inspected.name,
        kind=inspected.kind,
        extension=inspected.extension,
        note=note,
        uploaded_by=actor,
        unit=document.unit,
    )
    document.current = version
    document.version_count = number
    document.save()
    return version


@business_action
def upload_document(actor, *, unit, file, name, title="", period, period_precision=PeriodPrecision.DAY, folder="", description=""):
    """Stores a new document in a unit; the same bytes already in the unit are not stored twice."""
    permissions.require_actor(actor, DOCUMENT_CHANGE, unit)
    if not unit.is_active:
        raise ValidationError({"unit": _("The unit %(unit)s is deactivated.") % {"unit": unit.name}})
    inspected = _inspect(file, name)
    existing = _existing_in_unit(unit, inspected.sha256)
    if existing is not None:
        return UploadResult(existing.document, existing, duplicate=True)
    title = (title or "").strip() or inspected.name.rsplit(".", 1)[0]
    document = Document.objects.create(
        unit=unit,
        title=title[:200],
        folder=clean_folder(folder),
        period=normalise_period(period, period_precision),
        period_precision=period_precision,
        description=description,
        uploaded_by=actor,
    )
    version = _add_version(actor, document, file, inspected)
    return UploadResult(document, version, duplicate=False)


@business_action
def add_version(actor, document, *, file, name, note=""):
    """Adds a new version; the old ones stay readable. The same bytes as an earlier version are refused."""
    permissions.require_actor(actor, DOCUMENT_CHANGE, document)
    inspected = _inspect(file, name)
    existing = _existing_in_unit(document.unit, inspected.sha256)
    if existing is not None:
        if existing.document_id == document.pk:
            message = _("This file is already version %(number)d of this document.") % {"number": existing.number}
        else:
            message = _("This file is already stored in this unit as %(title)s.") % {"title": existing.document.title}
        raise ValidationError({"file": message}, code="duplicate")
    return _add_version(actor, document, file, inspected, note=note)


@business_action
def update_document(actor, document, *, title, folder="", period, period_precision, description=""):
    permissions.require_actor(actor, DOCUMENT_CHANGE, document)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("The title cannot be empty.")})
    document.title = title[:200]
    document.folder = clean_folder(folder)
    document.period = normalise_period(period, period_precision)
    document.period_precision = period_precision
    document.description = description
    document.save()
    return document


def clean_folder(folder: str) -> str:
    """'政治过硬 / 理论学习/' → '政治过硬/理论学习'."""
    parts = [part.strip() for part in (folder or "").replace("\\", "/").split("/")]
    return "/".join(part for part in parts if part and part not in {".", ".."})[:200]


@business_action
def link_document(actor, document, target, *, unit=None, period=None):
    """Links a document to what it proves; the user must see both and may change the document's unit."""
    linkable = links.get(target._meta.label_lower)
    if linkable is None:
        raise ValidationError(_("Evidence cannot be linked to this kind of object."))
    unit = unit or linkable.unit_of(target) or document.unit
    if actor is not None:
        if not linkable.can_see(actor, target):
            raise PermissionDenied
        permissions.require_actor(actor, LINK_CHANGE, document)
        permissions.require_actor(actor, LINK_CHANGE, unit)
    target_type = ContentType.objects.get_for_model(target)
    existing = Link.objects.filter(
        document=document, target_type=target_type, target_id=target.pk, unit=unit, period=period
    ).first()
    if existing is not None:
        return existing
    return Link.objects.create(
        document=document, target_type=target_type, target_id=target.pk, unit=unit, period=period, created_by=actor
    )


@business_action
def upload_evidence_for(actor, target, *, unit, file, name, **fields) -> UploadResult:
    """Uploads a document into ``unit`` and links it to ``target`` for that unit, all or nothing.

    A file already in the unit is not stored again: the existing document is linked instead.
    """
    if actor is not None:
        permissions.require_actor(actor, LINK_CHANGE, unit)
    result = upload_document(actor, unit=unit, file=file, name=name, **fields)
    link_document(actor, result.document, target, unit=unit)
    return result


@business_action
def unlink(actor, link):
    """Removes a link. The document and its file stay: other links and the ledger still hold them."""
    permissions.require_actor(actor, LINK_CHANGE, link)
    link.delete()


def open_version(actor, version, *, purpose="download"):
    """Records that ``actor`` opened a file (every download and preview is in the audit trail).
    A file whose bytes changed since the upload is refused (integrity.FileAltered) and that is audited."""
    permissions.require_actor(actor, DOCUMENT_VIEW, version)
    try:
        integrity.check_before_serving(version.blob)
    except integrity.FileAltered:
        log_event(
            "file_altered",
            version.document,
            summary=_("%(name)s, version %(number)d: the stored file no longer matches its SHA-256 %(sha)s; not served")
            % {"name": version.name, "number": version.number, "sha": version.blob.sha256[:16]},
        )
        raise
    log_event(
        purpose,
        version.document,
        summary=_("%(name)s, version %(number)d, SHA-256 %(sha)s")
        % {"name": version.name, "number": version.number, "sha": version.blob.sha256[:16]},
    )
    return version.blob.file.open("rb")


@business_action
def create_inspection_visit(actor, *, unit, team_name, members, units, valid_from, valid_until, purpose=""):
    """Gives an inspection team read-only access to chosen units' ledgers for a time window."""
    permissions.require_actor(actor, VISIT_CHANGE, unit)
    errors = {}
    if not (team_name or "").strip():
        errors["team_name"] = _("Name the inspection team.")
    if not members:
        errors["members"] = _("Add at least one member.")
    if not units:
        errors["units"] = _("Choose at least one unit.")
    if valid_until <= valid_from:
        errors["valid_until"] = _("The end must be after the start.")
    elif valid_until - valid_from > datetime.timedelta(days=MAX_VISIT_DAYS):
        errors["valid_until"] = _("Inspection access can last at most %(days)d days.") % {"days": MAX_VISIT_DAYS}
    if valid_until <= timezone.now():
        errors.setdefault("valid_until", _("The end is already past."))
    for inspected in units:
        if not inspected.path.startswith(unit.path):
            errors["units"] = _("%(unit)s is outside the granting unit.") % {"unit": inspected.name}
    if any(not person.is_active for person in members):
        errors["members"] = _("A disabled account cannot join an inspection team.")
    if errors:
        raise ValidationError(errors)
    visit = InspectionVisit.objects.create(
        unit=unit,
        team_name=team_name.strip(),
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=actor,
    )
    visit.units.set(units)
    visit.members.set(members)
    grants = []
    note = _("Inspection: %(team)s") % {"team": visit.team_name}
    now = timezone.now()
    for person in members:
        for inspected in units:
            _clear_expired_inspection(person, inspected, now)
            grants.append(
                account_actions.grant_role(
                    None,
                    person=person,
                    role=Role.INSPECTOR,
                    unit=inspected,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    note=note[:200],
                )
            )
    visit.grants.set(grants)
    return visit


def _clear_expired_inspection(person, unit, now):
    """A person inspects a unit through one grant at a time: an ended one makes way, a running one refuses."""
    from accounts.models import RoleGrant

    grant = RoleGrant.objects.filter(person=person, role=Role.INSPECTOR, unit=unit).first()
    if grant is None:
        return
    if grant.valid_until is not None and grant.valid_until <= now:
        account_actions.revoke_role(None, grant)
        return
    raise ValidationError(
        {
            "members": _("%(person)s already has inspection access to %(unit)s until %(until)s.")
            % {"person": person.real_name, "unit": unit.name, "until": f"{timezone.localtime(grant.valid_until):%Y-%m-%d %H:%M}"}
        }
    )


@business_action
def end_inspection_visit(actor, visit):
    """Ends an inspection visit now: its access grants are revoked."""
    permissions.require_actor(actor, VISIT_CHANGE, visit)
    for grant in visit.grants.all():
        account_actions.revoke_role(None, grant)
    visit.ended_at = timezone.now()
    visit.save()
    return visit
