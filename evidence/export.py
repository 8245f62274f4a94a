"""Ledger export (台账导出): a .zip of a unit's ledger for a year with an index workbook 索引.xlsx.

Memory stays flat whatever the size of the ledger: documents are read from the database in chunks,
each file is copied into the archive 1 MB at a time, the index is written by openpyxl's write-only
mode (rows go to a temporary file) and the archive is built in a scratch file, never in memory.
What grows with the number of files is zipfile's central directory and the set of names used so
far, about 1 KB per file; nothing grows with the size of the files (bench/ledger_export.py: a 5 GB
ledger adds under 4 MB to the process, 10,000 files under 20 MB).

Where a file goes in the archive is decided by a *layout* (export_layouts.py): a function from
documents to ``Entry(path, place, document, version)``. When a standard applies to the exported
unit (evidence.structure) files go under dimension/indicator/item folders (``structure_layout``),
otherwise under the ledger's folders (``folder_layout``); the archive writer is the same.

Compression, measured on this machine (zlib level 1 / 6, ratio = compressed/original): real PDFs
0.98 at ~40 MB/s, JPEG/PNG 0.88-0.90, an .xlsx 0.76, plain text 0.33 at ~100 MB/s (level 1) vs 0.28
at ~30 MB/s (level 6); storing runs at disk speed (~150-200 MB/s in the benchmark). Evidence is
mostly PDFs and photos, where deflating would cost a CPU second per 40 MB to save 2-12 %, so those
(and zips) are stored as they are. Everything else (text, Office and WPS files, bmp/tif) is
deflated at level 1: most of the gain of the default level at three times its speed.
"""

import datetime
import hashlib
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import islice

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts import permissions
from accounts.roles import DOCUMENT_EXPORT, DOCUMENT_VIEW
from core.actions import business_action
from core.context import acting_as, current_actor
from core.events import log_event
from core.xlsx import HEADER_FILL, HEADER_FONT

from . import structure as ledger_structure
from .export_layouts import INDEX_NAME, Entry, Layout, folder_layout, structure_layout
from .export_models import ExportStatus, LedgerExport, keep_days
from .links import describe_target
from .models import Document, Link

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
DB_CHUNK = 200  # documents fetched (with their links) per query
PROGRESS_SECONDS = 1.0  # progress is written at most this often (the page polls every 2 s)
STORED_EXTENSIONS = frozenset("pdf jpg png gif webp zip".split())
DEFLATE_LEVEL = 1
STALE_PARTIAL_SECONDS = 24 * 3600  # a scratch archive not written to for this long belongs to a dead job

# The index is part of the archive handed to inspectors: its columns are Chinese, like the archive.
INDEX_HEADERS = [
    "序号", "单位", "期间", "目录", "标题", "文件名（归档路径）", "版本", "大小（字节）", "SHA-256", "上传人", "上传时间", "关联事项",
]
INDEX_WIDTHS = [7, 24, 10, 24, 36, 60, 6, 12, 66, 10, 17, 40]


class ExportRefused(Exception):
    """The export cannot run (the requester lost the right to export); the message is for people."""


@dataclass
class ArchiveSummary:
    files: int = 0
    bytes: int = 0
    mismatches: list = None  # archive paths whose bytes differ from their recorded SHA-256


# --------------------------------------------------------------------------------------- archive


def _cell_value(worksheet, value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            # A title like "=HYPERLINK(…)" is text, not a formula for Excel to run.
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"
            return cell
    return value


class IndexWriter:
    """索引.xlsx, written row by row in openpyxl's write-only mode (rows go to a temporary file)."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title="索引")
        for index, width in enumerate(INDEX_WIDTHS):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width
        self.sheet.freeze_panes = "A2"
        header = []
        for text in INDEX_HEADERS:
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            header.append(cell)
        self.sheet.append(header)

    def add(self, values):
        self.sheet.append([_cell_value(self.sheet, value) for value in values])

    def write_into(self, archive: zipfile.ZipFile, directory=None):
        handle, path = tempfile.mkstemp(suffix=".xlsx", dir=directory)
        os.close(handle)
        try:
            self.workbook.save(path)
            archive.write(path, INDEX_NAME, compress_type=zipfile.ZIP_STORED)
        finally:
            os.unlink(path)


def _links_text(document) -> str:
    return "；".join(getattr(document, "link_labels", ()))


def _zip_info(entry: Entry) -> zipfile.ZipInfo:
    uploaded = timezone.localtime(entry.version.uploaded_at)
    info = zipfile.ZipInfo(entry.path, date_time=max(uploaded.timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
    info.external_attr = 0o644 << 16
    # The size known in advance lets zipfile use ZIP64 records only for files that need them.
    info.file_size = entry.version.blob.size
    if entry.version.extension.lower() in STORED_EXTENSIONS:
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = DEFLATE_LEVEL  # ZipFile.open(ZipInfo) takes the level from here (3.7-3.13)
    return info


def _copy_into(archive: zipfile.ZipFile, entry: Entry) -> tuple[str, int]:
    """Copies one stored file into the archive in chunks; returns the SHA-256 and size of what was written."""
    digest, size = hashlib.sha256(), 0
    blob_file = entry.version.blob.file
    with blob_file.storage.open(blob_file.name, "rb") as source, archive.open(_zip_info(entry), "w") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def write_archive(fileobj, entries: Iterable[Entry], *, on_progress=None, scratch_dir=None) -> ArchiveSummary:
    """Writes the files of ``entries`` and 索引.xlsx into a zip on ``fileobj`` (a seekable binary file).

    The index says what was written: its SHA-256 is computed from the bytes copied, so archive and
    index always agree; a difference from the checksum recorded at upload is reported, not hidden.
    """
    summary = ArchiveSummary(mismatches=[])
    index = IndexWriter()
    documents, last = 0, None  # progress counts documents: one may be filed in several places
    with zipfile.ZipFile(fileobj, "w", allowZip64=True) as archive:
        for number, entry in enumerate(entries, 1):
            sha256, size = _copy_into(archive, entry)
            if sha256 != entry.version.blob.sha256:
                summary.mismatches.append(entry.path)
            version, document = entry.version, entry.document
            index.add([
                number, document.unit.name, document.period_label, entry.place, document.title, entry.path, version.number,
                size, sha256, version.uploaded_by.get_full_name(),
                f"{timezone.localtime(version.uploaded_at):%Y-%m-%d %H:%M}", _links_text(document),
            ])
            summary.files, summary.bytes = number, summary.bytes + size
            if entry.document.pk != last:
                documents, last = documents + 1, entry.document.pk
            if on_progress is not None:
                on_progress(documents)
        index.write_into(archive, scratch_dir)
    return summary


# ----------------------------------------------------------------------------------- the export


def export_documents(export: LedgerExport):
    """The documents of the export, as the requester may see them: the permission layer decides."""
    requester = export.requested_by
    documents = permissions.restrict(Document.objects.all(), requester, "view")
    unit = export.unit
    documents = documents.filter(unit__path__startswith=unit.path) if export.include_sub else documents.filter(unit=unit)
    return (
        documents.filter(period__year=export.year, current__isnull=False)
        .select_related("unit", "current__blob", "current__uploaded_by")
        .order_by("unit__path", "folder", "period", "title", "id")
    )


def with_link_labels(documents, requester) -> Iterator[Document]:
    """The documents, read DB_CHUNK at a time, each with ``link_labels`` (what it proves, as text)
    and ``link_places`` ((target type id, target id, unit) of each link, for the layout).

    Links are fetched per chunk rather than prefetched onto the documents: a prefetch ties each
    link back to its document, and those cycles wait for the garbage collector, so memory would
    climb by megabytes between collections.
    """
    rows = documents.iterator(chunk_size=DB_CHUNK)
    while chunk := list(islice(rows, DB_CHUNK)):
        labels, places = {}, {}
        links = permissions.restrict(Link.objects.filter(document_id__in=[d.pk for d in chunk]), requester, "view")
        links = links.select_related("target_type", "unit").prefetch_related("target").order_by("created_at", "id")
        for link in links:
            labels.setdefault(link.document_id, []).append(describe_target(link))
            places.setdefault(link.document_id, []).append((link.target_type_id, link.target_id, link.unit))
        for document in chunk:
            document.link_labels = labels.get(document.pk, [])
            document.link_places = places.get(document.pk, [])
            yield document


def layout_for(export: LedgerExport) -> Layout:
    """By the standard when one applies to the exported unit, by folder otherwise."""
    structure = ledger_structure.for_unit(export.unit)
    if structure is None:
        return folder_layout
    unit = export.unit
    if export.include_sub:
        return structure_layout(structure, in_scope=lambda other: other.path.startswith(unit.path))
    return structure_layout(structure, in_scope=lambda other: other.pk == unit.pk)


@business_action
def request_export(actor, *, unit, year, include_sub=False) -> tuple[LedgerExport, bool]:
    """Records an export request: (export, created). An identical one still queued or running is reused."""
    permissions.require(actor, DOCUMENT_EXPORT, unit)
    pending = LedgerExport.objects.filter(
        unit=unit, year=year, include_sub=include_sub, requested_by=actor,
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
    ).first()
    if pending is not None:
        return pending, False
    export = LedgerExport.objects.create(unit=unit, year=year, include_sub=include_sub, requested_by=actor)
    log_event(
        "export", export, unit_id=unit.pk,
        summary=_("Ledger export requested: %(unit)s, %(year)d%(sub)s")
        % {"unit": unit.name, "year": year, "sub": _(" with the units under it") if include_sub else ""},
    )
    return export, True


def visible_exports(user):
    """Exports a user may follow and download: any of a unit where they may export its ledger, and
    their own as long as they still see that unit's ledger."""
    exports = LedgerExport.objects.select_related("unit", "requested_by")
    return permissions.restrict(exports, user, perm=DOCUMENT_EXPORT) | permissions.restrict(
        exports.filter(requested_by_id=user.pk), user, perm=DOCUMENT_VIEW
    )


def can_access(user, export) -> bool:
    return permissions.has_perm(user, DOCUMENT_EXPORT, export) or (
        export.requested_by_id == user.pk and permissions.has_perm(user, DOCUMENT_VIEW, export)
    )


def open_export(actor, export):
    """The archive of a finished export, opened for download; every download is in the audit trail."""
    if not can_access(actor, export):
        raise PermissionDenied
    if export.status != ExportStatus.DONE or not export.result.name or export.is_expired(timezone.now()):
        raise Http404
    log_event(
        "export", export, unit_id=export.unit_id,
        summary=_("Ledger export downloaded: %(name)s, SHA-256 %(sha)s") % {"name": export.download_name, "sha": export.sha256[:16]},
    )
    return export.result.storage.open(export.result.name, "rb")


def _scratch_dir(storage):
    """Beside the final place when the storage is a local disk (the result is then moved, not copied)."""
    try:
        directory = storage.path("exports/.partial")
    except NotImplementedError:
        directory = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or tempfile.gettempdir()
    os.makedirs(directory, exist_ok=True)
    return directory


class _ScratchFile(File):
    """Lets FileSystemStorage move the finished archive into place instead of copying it."""

    def temporary_file_path(self):
        return self.file.name


@contextmanager
def _as_requester(user):
    context = current_actor()
    if context.current_user() is None:
        with acting_as(replace(context, user=user)):
            yield
    else:
        yield


def _progress_writer(export_id):
    """Bounded writes: one UPDATE per second at most, however many small files go by."""
    last = {"time": time.monotonic()}

    def write(done):
        now = time.monotonic()
        if now - last["time"] >= PROGRESS_SECONDS:
            LedgerExport.objects.filter(pk=export_id).update(done=done)
            last["time"] = now

    return write


def _sha256_of(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def run_export(export_id: int, *, layout: Layout | None = None) -> LedgerExport | None:
    """Builds the archive of one export. Runs once: a second delivery of the same job does nothing."""
    claimed = LedgerExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    export = LedgerExport.objects.select_related("unit", "requested_by").get(pk=export_id)
    scratch = None
    with translation.override(settings.LANGUAGE_CODE), _as_requester(export.requested_by):
        try:
            # Jobs go through the permission layer like requests: rights are checked again when it runs.
            if not permissions.has_perm(export.requested_by, DOCUMENT_EXPORT, export.unit):
                raise ExportRefused(_("You may no longer export the ledger of %(unit)s.") % {"unit": export.unit.name})
            layout = layout or layout_for(export)
            documents = export_documents(export)
            export.total = documents.count()
            LedgerExport.objects.filter(pk=export.pk).update(total=export.total)
            directory = _scratch_dir(export.result.storage)
            with tempfile.NamedTemporaryFile(dir=directory, suffix=".zip", delete=False) as scratch:
                summary = write_archive(
                    scratch, layout(with_link_labels(documents, export.requested_by)),
                    on_progress=_progress_writer(export.pk), scratch_dir=directory,
                )
            export.size = os.path.getsize(scratch.name)
            export.sha256 = _sha256_of(scratch.name)
            with open(scratch.name, "rb") as handle:
                export.result.save(f"ledger-{export.pk}-{os.urandom(6).hex()}.zip", _ScratchFile(handle), save=False)
            export.status, export.done, export.total = ExportStatus.DONE, summary.files, summary.files
            if summary.mismatches:
                export.error = _("%(count)d file(s) differ from the checksum recorded at upload: %(paths)s") % {
                    "count": len(summary.mismatches), "paths": "；".join(summary.mismatches[:20]),
                }
            export.finished_at = timezone.now()
            export.save()
            log_event(
                "export", export, unit_id=export.unit_id,
                summary=_("Ledger export finished: %(files)d files, %(size)d bytes, SHA-256 %(sha)s")
                % {"files": summary.files, "size": export.size, "sha": export.sha256[:16]},
            )
        except Exception as error:  # the job must end in a state the user can see
            if not isinstance(error, ExportRefused):
                logger.exception("ledger export %s failed", export_id)
            export.status = ExportStatus.FAILED
            export.error = str(error) if isinstance(error, ExportRefused) else _("The export failed; please try again or ask the administrator.")
            export.finished_at = timezone.now()
            export.result = ""
            export.save()
        finally:
            if scratch is not None and os.path.exists(scratch.name):
                os.unlink(scratch.name)
    return export


def expire_exports(now=None) -> int:
    """Deletes result files older than MOFAN_EXPORT_KEEP_DAYS; the rows stay as history."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=keep_days())
    count = 0
    for export in LedgerExport.objects.filter(status=ExportStatus.DONE, finished_at__lte=cutoff).iterator():
        if export.result.name:
            export.result.storage.delete(export.result.name)
        LedgerExport.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, result="")
        count += 1
    # A worker that died mid-export leaves its row running and a partial archive behind.
    LedgerExport.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], created_at__lte=cutoff).update(
        status=ExportStatus.FAILED, finished_at=now, error=_("The export was interrupted; please start it again."),
    )
    _remove_stale_partials(now)
    return count


def _remove_stale_partials(now):
    storage = LedgerExport._meta.get_field("result").storage
    try:
        directory = storage.path("exports/.partial")
    except NotImplementedError:
        return  # scratch files then live in the system's temporary folder
    if not os.path.isdir(directory):
        return
    for entry in os.scandir(directory):
        if entry.is_file() and entry.stat().st_mtime < now.timestamp() - STALE_PARTIAL_SECONDS:
            os.unlink(entry.path)
