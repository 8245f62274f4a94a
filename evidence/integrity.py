"""The integrity of stored evidence files: each Blob keeps the SHA-256 of its bytes from the upload.

``verify_files`` rehashes every file (``manage.py verify_evidence_files``); ``check_before_serving``
rehashes one before it is downloaded or previewed, so a file changed on disk is refused, not served.
"""

import hashlib

from django.conf import settings

from .models import Blob

CHUNK = 1024 * 1024


def file_sha256(blob) -> str | None:
    """The SHA-256 of the stored bytes, or None when the file is gone."""
    digest = hashlib.sha256()
    try:
        with blob.file.storage.open(blob.file.name, "rb") as stored:
            for chunk in iter(lambda: stored.read(CHUNK), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


def verify_files():
    """(blobs checked, [(blob, "missing" | "changed")])."""
    failures, checked = [], 0
    for blob in Blob.objects.order_by("id").iterator(chunk_size=500):
        checked += 1
        actual = file_sha256(blob)
        if actual is None:
            failures.append((blob, "missing"))
        elif actual != blob.sha256:
            failures.append((blob, "changed"))
    return checked, failures


class FileAltered(Exception):
    """The stored bytes no longer match the SHA-256 recorded at upload (or the file is gone)."""


def check_before_serving(blob):
    """Raises FileAltered unless the file still has its recorded SHA-256. Files larger than
    MOFAN_EVIDENCE_VERIFY_MAX_BYTES (default 100 MB) are left to the nightly command."""
    limit = getattr(settings, "MOFAN_EVIDENCE_VERIFY_MAX_BYTES", 100 * 1024 * 1024)
    if blob.size > limit:
        return
    if file_sha256(blob) != blob.sha256:
        raise FileAltered(blob.sha256)
