"""Backup and restore of a whole installation: the database (Django's dumpdata) and the media files.

An archive (``mofan-backup-<time>.tar.gz``) holds ``data/db.json``, the files under ``media/`` and a
``manifest.json`` with the size and SHA-256 of every file, the migration state and the Mofan version.
It works the same on SQLite and PostgreSQL.

Encrypted columns stay ciphertext in the archive and go back as the same ciphertext: the same data
keys (MOFAN_DATA_KEY / MOFAN_DATA_KEYS) are needed to read them after a restore, and the same audit
keys for the chain to verify. loaddata saves raw (Model.save_base), so audit entries keep their
stored hashes and no signal writes new ones.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import tomllib
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers import json as json_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fields import EncryptedCharField

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "data/db.json"
MEDIA = "media/"
# Rebuilt by migrate (content types, permissions) or not worth keeping (sessions, admin log).
EXCLUDE = {"contenttypes": "django.contrib.contenttypes", "sessions": "django.contrib.sessions",
           "auth.permission": "django.contrib.auth", "admin.logentry": "django.contrib.admin"}
# Django's JSON encoder cuts times to milliseconds; the backup keeps them whole (audit hashes cover them).
FORMAT_NAME = "mofan-backup-json"


class BackupError(Exception):
    """A backup cannot be restored (or made); the message says why. Nothing was changed."""


# --- The dump format: Django's JSON with whole microseconds ----------------------------------------


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class Serializer(json_serializer.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = _Encoder


Deserializer = json_serializer.Deserializer


def _register_format():
    if FORMAT_NAME not in serializers.get_serializer_formats():
        serializers.register_serializer(FORMAT_NAME, __name__)


# --- Helpers --------------------------------------------------------------------------------------


def excluded() -> list:
    return [label for label, app in EXCLUDE.items() if django_apps.is_installed(app)]


def backup_dir() -> Path:
    return Path(settings.MOFAN_BACKUP_DIR)


def mofan_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def migration_state() -> dict:
    """The latest applied migration of every app."""
    state = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > state.get(app, ""):
            state[app] = name
    return dict(sorted(state.items()))


def _type_models():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return {"content_types": ContentType, "permissions": Permission}


def type_maps() -> dict:
    """Ids of content types and permissions by label: migrate numbers them per installation."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return {
        "content_types": {str(pk): f"{app}.{model}" for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")},
        "permissions": {
            str(pk): f"{app}.{model}.{codename}"
            for pk, app, model, codename in Permission.objects.values_list(
                "pk", "content_type__app_label", "content_type__model", "codename"
            )
        },
    }


def _renumbering(manifest) -> dict:
    """{model: {archive id: id here}} for content types and permissions, None where the label is unknown here."""
    here = type_maps()
    renumbering = {}
    for kind, model in _type_models().items():
        by_label = {label: int(pk) for pk, label in here[kind].items()}
        mapping = {int(pk): by_label.get(label) for pk, label in manifest.get(kind, {}).items()}
        if any(old != new for old, new in mapping.items()):
            renumbering[model] = mapping
    return renumbering


def renumber_types(dump: Path, manifest: dict):
    """Rewrites references to content types and permissions in the dump to this installation's ids."""
    renumbering = _renumbering(manifest)
    if not renumbering:
        return
    references = {}
    for model in django_apps.get_models():
        for field in model._meta.get_fields():
            if (field.concrete or field.many_to_many) and not field.auto_created and field.related_model in renumbering:
                references.setdefault(model._meta.label_lower, []).append((field.name, renumbering[field.related_model]))
    rows = json.loads(dump.read_text("utf-8"))

    def new_id(mapping, value):
        if value is None:
            return None
        if mapping.get(value, value) is None:
            raise BackupError(_("The archive refers to content type or permission %(id)s, unknown here.") % {"id": value})
        return mapping.get(value, value)

    for row in rows:
        for name, mapping in references.get(row["model"], ()):
            value = row["fields"].get(name)
            if isinstance(value, list):
                row["fields"][name] = [new_id(mapping, item) for item in value]
            else:
                row["fields"][name] = new_id(mapping, value)
    dump.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")


@contextlib.contextmanager
def raw_ciphertext():
    """While active, encrypted columns are read and written as stored: the dump never holds clear text."""
    read, prep = EncryptedCharField.from_db_value, EncryptedCharField.get_prep_value
    EncryptedCharField.from_db_value = lambda self, value, expression, connection: value
    EncryptedCharField.get_prep_value = lambda self, value: super(EncryptedCharField, self).get_prep_value(value)
    try:
        yield
    finally:
        EncryptedCharField.from_db_value, EncryptedCharField.get_prep_value = read, prep


class _Hashing:
    """A file reader that hashes what passes through it."""

    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add(archive, path: Path, name: str) -> dict:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as handle:
        reader = _Hashing(handle)
        archive.addfile(info, reader)
    return {"path": name, "size": reader.size, "sha256": reader.digest.hexdigest()}


def _media_files(root: Path):
    if not root.is_dir():
        return
    for folder, _dirs, names in os.walk(root):
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


# --- Backup -----------------------------------------------------------------------------------------


def backup(out_dir=None) -> Path:
    """Writes one archive into ``out_dir`` (default MOFAN_BACKUP_DIR or VAR_DIR/backups); returns its path."""
    from core.events import log_event

    out_dir = Path(out_dir or backup_dir())
    out_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    name = f"mofan-backup-{created:%Y%m%d-%H%M%S-%f}.tar.gz"
    # Logged first, so the backup holds the record of its own making.
    log_event("export", object_type="core.backup", summary=_("Backup %(name)s") % {"name": name})
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".backup-") as staging:
        staging = Path(staging)
        dump = staging / "db.json"
        with transaction.atomic(), raw_ciphertext():
            # One transaction: on PostgreSQL the dump and the state below are one consistent snapshot.
            _register_format()
            call_command("dumpdata", format=FORMAT_NAME, exclude=excluded(), output=str(dump), indent=None, verbosity=0)
            manifest = {
                "format": FORMAT,
                "mofan_version": mofan_version(),
                "created_at": created.isoformat(),
                "database": connection.vendor,
                "migrations": migration_state(),
                **type_maps(),
                "files": [],
            }
        partial = staging / name
        with tarfile.open(partial, "w:gz") as archive:
            manifest["files"].append(_add(archive, dump, DUMP))
            for path, relative in _media_files(Path(settings.MEDIA_ROOT)):
                manifest["files"].append(_add(archive, path, MEDIA + relative))
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(created.timestamp())
            archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)
        final = out_dir / name
        os.replace(partial, final)
    return final


# --- Restore ----------------------------------------------------------------------------------------


def installation_is_empty() -> bool:
    from accounts.models import User
    from organization.models import Unit

    return not User.objects.exists() and not Unit.objects.exists()


def _safe_member(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def read_verified(archive_path, into: Path) -> dict:
    """Extracts the archive into ``into`` and checks every file against the manifest; returns the manifest."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            members = archive.getmembers()
            names = [member.name for member in members]
            if MANIFEST not in names:
                raise BackupError(_("The archive has no manifest."))
            for member in members:
                if not member.isfile() or not _safe_member(member.name):
                    raise BackupError(_("The archive holds an unexpected entry: %(name)s.") % {"name": member.name})
            archive.extractall(into, filter="data")
    except (OSError, tarfile.TarError, EOFError) as error:
        raise BackupError(_("The archive cannot be read: %(error)s") % {"error": error}) from error
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
        listed = {entry["path"]: entry for entry in manifest["files"]}
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(_("The manifest cannot be read.")) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This archive format is not supported."))
    present = set(names) - {MANIFEST}
    if present != set(listed) or DUMP not in listed:
        raise BackupError(_("The files in the archive do not match its manifest."))
    for name, entry in listed.items():
        size, digest = _measure(into / name)
        if size != entry["size"] or digest != entry["sha256"]:
            raise BackupError(_("The file %(name)s does not match its checksum in the manifest.") % {"name": name})
    return manifest


def _measure(path: Path):
    with open(path, "rb") as handle:
        return path.stat().st_size, hashlib.file_digest(handle, "sha256").hexdigest()


def check_compatible(manifest: dict):
    if manifest.get("migrations") != migration_state():
        raise BackupError(
            _("The migration state of the archive differs from this installation: install Mofan %(version)s and migrate.")
            % {"version": manifest.get("mofan_version", "?")}
        )


def restore(archive_path) -> dict:
    """Restores an archive into an empty installation; raises BackupError before changing anything."""
    from core.events import log_event

    if not installation_is_empty():
        raise BackupError(_("The database already holds users or units: a backup is only restored into an empty installation."))
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="mofan-restore-") as staging:
        staging = Path(staging)
        manifest = read_verified(archive_path, staging)
        check_compatible(manifest)
        renumber_types(staging / DUMP, manifest)
        media = [entry for entry in manifest["files"] if entry["path"].startswith(MEDIA)]
        clashes = [entry["path"] for entry in media if (media_root / entry["path"][len(MEDIA):]).exists()]
        if clashes:
            raise BackupError(_("MEDIA_ROOT already holds %(name)s: restore into an empty folder.") % {"name": clashes[0]})
        with transaction.atomic(), raw_ciphertext():
            call_command("loaddata", str(staging / DUMP), verbosity=0)
            copied = []
            try:
                for entry in media:
                    target = media_root / entry["path"][len(MEDIA):]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(staging / entry["path"], target)
                    copied.append(target)
                    if _measure(target) != (entry["size"], entry["sha256"]):
                        raise BackupError(_("The file %(name)s changed while it was restored.") % {"name": entry["path"]})
            except BaseException:
                # The database rolls back; take the files back out too.
                for target in copied:
                    target.unlink(missing_ok=True)
                raise
    log_event(
        "import",
        object_type="core.backup",
        summary=_("Restored backup of %(time)s") % {"time": manifest.get("created_at", "?")},
    )
    return manifest


def describe(manifest: dict) -> str:
    return _("%(files)s files restored from the backup of %(time)s (Mofan %(version)s).") % {
        "files": len(manifest["files"]),
        "time": manifest.get("created_at", "?"),
        "version": manifest.get("mofan_version", "?"),
    }

