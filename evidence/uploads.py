"""Safe uploads: every file is checked from its bytes before anything is stored.

Policy:
- The type comes from the content. The name only chooses among formats sharing a container when the
  content cannot tell them apart (an OLE2 file whose streams are unreadable is accepted as the doc,
  xls, ppt, wps, et or dps its name claims).
- A wrong extension within one application is corrected (a PNG named .jpg is stored as .png, a docx
  named .doc as .docx); across applications it is refused (an Excel workbook named .doc). A name
  without a known extension gets the detected one ("第3.1节" becomes "第3.1节.pdf").
- Programs and scripts, web pages and SVG images (they can carry scripts) and documents with macros
  are refused whatever their name.
- A zip archive is checked from its directory and the first bytes of each member only: a bomb is
  refused from its declared sizes and is never inflated. Archives inside archives are refused, except
  Office documents, which are checked from their opening bytes only.
"""

import codecs
import hashlib
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from filetype.types import image as filetype_image

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
ARCHIVE_EXPANSION = 10  # an archive may unpack to ten times the upload limit
MAX_ARCHIVE_MEMBERS = 10_000
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # small members may compress very well without harm
MAX_NAME_LENGTH = 150
CHUNK = 1024 * 1024
HEAD = 64 * 1024  # sniffed bytes of an upload
MEMBER_HEAD = 16 * 1024  # sniffed bytes of an archive member

# canonical extension -> (kind, MIME type)
FORMATS = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("word", "application/msword"),
    "docx": ("word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xls": ("excel", "application/vnd.ms-excel"),
    "xlsx": ("excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt": ("powerpoint", "application/vnd.ms-powerpoint"),
    "pptx": ("powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "wps": ("wps_writer", "application/wps-office.wps"),
    "et": ("wps_sheet", "application/wps-office.et"),
    "dps": ("wps_slides", "application/wps-office.dps"),
    "jpg": ("image", "image/jpeg"),
    "png": ("image", "image/png"),
    "gif": ("image", "image/gif"),
    "bmp": ("image", "image/bmp"),
    "webp": ("image", "image/webp"),
    "tif": ("image", "image/tiff"),
    "txt": ("text", "text/plain"),
    "csv": ("text", "text/csv"),
    "md": ("text", "text/markdown"),
    "zip": ("zip", "application/zip"),
}
ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg", "tiff": "tif", "markdown": "md"}
EXECUTABLE_EXTENSIONS = frozenset(
    "exe com bat cmd btm js jse mjs vbs vbe wsf wsh ws ps1 psm1 psd1 sh bash zsh csh ksh fish jar apk aab xapk "
    "msi msp mst dll scr cpl sys drv ocx hta lnk pif reg inf url scf app dmg pkg deb rpm run bin elf so dylib "
    "py pyc pyw pl php rb lua class dex war ear xap xbap appx appxbundle msix msixbundle gadget application "
    "html htm xhtml xht shtml mht mhtml svg svgz".split()
)
ARCHIVE_EXTENSIONS = frozenset("zip rar 7z gz tgz tar bz2 tbz xz txz zst cab lzh lha arj z".split())
OTHER_KNOWN_EXTENSIONS = ARCHIVE_EXTENSIONS | frozenset(
    "rtf odt ods odp ofd ceb caj xps oxps docm dotx dotm dot xlsm xltx xltm xlt xlsb pptm potx potm pot ppsx ppsm pps "
    "wpt ett dpt vsd vsdx pub one msg eml xml json yaml yml ini cfg heic heif avif ico psd jp2 raw cr2 nef "
    "mp3 mp4 m4a m4v avi mov wmv flv mkv webm wav ogg flac iso img vhd vhdx db sqlite".split()
)

_LABELS = {
    "pdf": gettext_lazy("a PDF document"),
    "word": gettext_lazy("a Word document"),
    "excel": gettext_lazy("an Excel workbook"),
    "powerpoint": gettext_lazy("a PowerPoint presentation"),
    "office": gettext_lazy("an Office 97-2003 document"),
    "image": gettext_lazy("an image"),
    "text": gettext_lazy("plain text"),
    "zip": gettext_lazy("a zip archive"),
}
ALLOWED_TYPES = gettext_lazy("PDF, Word, Excel, PowerPoint, WPS, images, plain text and zip archives of these")

_WINDOWS_INVALID = frozenset('<>:"/\\|?*')
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"] + [f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³"]
)


class UploadRefused(Exception):
    """The file is refused; ``code`` is for programs, ``message`` (translated) for people.

    Codes: empty, too_large, not_allowed, executable, macros, encrypted, extension_mismatch, archive_bomb,
    archive_too_many_files, archive_nested, archive_bad_member, archive_encrypted, archive_corrupt.
    Names are cleaned rather than refused, so there is no bad_name.
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Inspected:
    name: str
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str
    previewable: bool


@dataclass(frozen=True)
class _Detected:
    label: str  # key of _LABELS
    extensions: tuple  # canonical extensions the content may carry
    default: str | None  # given to a name without one of them; None: the name must say
    corrects: frozenset = frozenset()  # claimed extensions replaced by the default (same application)
    charset: str = ""


_IMAGES = ("jpg", "png", "gif", "bmp", "webp", "tif")
PDF = _Detected("pdf", ("pdf",), "pdf")
ZIP = _Detected("zip", ("zip",), "zip")
OOXML = {
    "word": _Detected("word", ("docx",), "docx", frozenset({"doc", "wps"})),
    "excel": _Detected("excel", ("xlsx",), "xlsx", frozenset({"xls", "et"})),
    "powerpoint": _Detected("powerpoint", ("pptx",), "pptx", frozenset({"ppt", "dps"})),
}
OLE = {
    "word": _Detected("word", ("doc", "wps"), "doc", frozenset({"docx"})),
    "excel": _Detected("excel", ("xls", "et"), "xls", frozenset({"xlsx"})),
    "powerpoint": _Detected("powerpoint", ("ppt", "dps"), "ppt", frozenset({"pptx"})),
}
OLE_ANY = _Detected("office", ("doc", "xls", "ppt", "wps", "et", "dps"), None)
_OOXML_EXTENSIONS = frozenset({"docx", "xlsx", "pptx"})


@dataclass(frozen=True)
class _Limits:
    total: int
    members: int


# ----------------------------------------------------------------------------------------------- names


def clean_filename(name, *, default="file"):
    """A file name safe on Windows, macOS and Linux that still reads like the original."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    kept = []
    for ch in name:
        if ch in "\t\n\r\v\f" or unicodedata.category(ch) in ("Zs", "Zl", "Zp"):
            kept.append(" ")
        elif not unicodedata.category(ch).startswith("C") and ch not in _WINDOWS_INVALID:
            kept.append(ch)
    name = " ".join("".join(kept).split())
    if name.startswith(".") and _canonical(name[1:]) is not None:
        name = default + name  # ".pdf" is a name without a stem, not a hidden file
    name = name.strip(" .")
    if not name:
        return default
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        name = "_" + name
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if not dot or not ext.isalnum() or len(ext) > 10:
            stem, ext = name, ""
        stem = stem[: MAX_NAME_LENGTH - (len(ext) + 1 if ext else 0)].rstrip(" .") or default
        name = f"{stem}.{ext}" if ext else stem
    return name


def _canonical(ext):
    """The canonical form of a known extension, None for anything else."""
    ext = ext.lower()
    ext = ALIASES.get(ext, ext)
    if ext in FORMATS or ext in EXECUTABLE_EXTENSIONS or ext in OTHER_KNOWN_EXTENSIONS:
        return ext
    return None


def _split_name(name):
    """(stem, claimed canonical extension or None): an unknown suffix belongs to the stem."""
    stem, dot, ext = name.rpartition(".")
    canonical = _canonical(ext) if dot and stem else None
    return (stem, canonical) if canonical else (name, None)


# ----------------------------------------------------------------------------------------------- sniffing

_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_MACHO = {bytes.fromhex(m) for m in ("feedface", "feedfacf", "cefaedfe", "cffaedfe", "cafebabe")}
_IMAGE_MATCHERS = (
    (filetype_image.Jpeg(), "jpg"),
    (filetype_image.Png(), "png"),
    (filetype_image.Webp(), "webp"),
    (filetype_image.Tiff(), "tif"),
)
_MARKUP = ("<html", "<svg", "<script", "<body", "<head", "<iframe", "<!doctype html", "<meta", "<object", "<embed")


def _is_program(head):
    return (
        head.startswith((b"\x7fELF", b"#!", codecs.BOM_UTF8 + b"#!", b"dex\n"))
        or head[:4] in _MACHO
        or (head.startswith(b"MZ") and b"\x00" in head[:64])  # DOS/PE header, not text starting "MZ"
    )


def _image(head):
    for matcher, ext in _IMAGE_MATCHERS:
        if matcher.match(head):
            return ext
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    # "BM" alone is too weak (a text may start with it): reserved zeros and a known DIB header size.
    if head[:2] == b"BM" and head[6:10] == b"\0\0\0\0" and len(head) >= 18:
        if struct.unpack_from("<I", head, 14)[0] in (12, 40, 52, 56, 64, 108, 124):
            return "bmp"
    return None


def _text(head, complete):
    """(charset, decoded sample) when the bytes read as text, else None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in head:
        return None
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f\x1b")
        if controls * 100 > len(text):
            return None
        return encoding, text
    return None


def _is_markup(text):
    lowered = text.lower()
    start = lowered.lstrip("\ufeff \t\r\n")
    return "<script" in lowered or (start.startswith("<") and any(tag in start for tag in _MARKUP))


def _sniff(head, complete):
    """What the opening bytes say: "program", "web", "ole", "zip", a _Detected, or None (unknown)."""
    if _is_program(head):
        return "program"
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head[:4] in _ZIP_MAGICS:
        return "zip"
    image = _image(head)
    if image:
        return _Detected("image", (image,), image, frozenset(_IMAGES) - {image})
    text = _text(head, complete)
    if text is None:
        return None
    charset, decoded = text
    if _is_markup(decoded):
        return "web"
    return _Detected("text", ("txt", "csv", "md"), "txt", charset=charset)


# ----------------------------------------------------------------------------------------------- OLE2


def _read_at(fileobj, offset, length):
    fileobj.seek(offset)
    data = fileobj.read(length)
    if len(data) != length:
        raise EOFError
    return data


def _ole_info(fileobj):
    """(names at the root, root CLSID, Word's encryption flag) of a compound file; None if unreadable."""
    try:
        header = _read_at(fileobj, 0, 512)
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12) or header[28:30] != b"\xfe\xff":
            return None
        size = 1 << shift
        per = size // 4
        difat = struct.unpack_from("<109I", header, 76)
        first_difat, difat_count = struct.unpack_from("<II", header, 68)

        def sector(number):
            return _read_at(fileobj, (number + 1) * size, size)

        def fat_sector(index):
            if index < 109:
                return difat[index]
            index -= 109
            number = first_difat
            for _step in range(index // (per - 1)):
                if _step >= difat_count:
                    raise EOFError
                number = struct.unpack_from("<I", sector(number), size - 4)[0]
            return struct.unpack_from("<I", sector(number), (index % (per - 1)) * 4)[0]

        entries, number = [], struct.unpack_from("<I", header, 48)[0]
        for _step in range(256):  # bounded: the names we look for sit at the top of the directory
            if number >= 0xFFFFFFFA:
                break
            data = sector(number)
            entries += [data[i : i + 128] for i in range(0, size, 128)]
            number = struct.unpack_from("<I", sector(fat_sector(number // per)), (number % per) * 4)[0]
        if not entries or entries[0][66] != 5:
            return None
        root = {}
        pending, seen = [struct.unpack_from("<I", entries[0], 76)[0]], set()
        while pending:
            sid = pending.pop()
            if sid >= len(entries) or sid in seen:
                continue
            seen.add(sid)
            entry = entries[sid]
            length = min(struct.unpack_from("<H", entry, 64)[0], 64)
            root[entry[: max(length - 2, 0)].decode("utf-16-le", "replace")] = entry
            pending += struct.unpack_from("<II", entry, 68)  # left and right siblings
        encrypted = False
        word = root.get("WordDocument")
        if word is not None and struct.unpack_from("<I", word, 120)[0] >= 4096:
            fib = sector(struct.unpack_from("<I", word, 116)[0])
            ident, flags = struct.unpack_from("<HH", fib, 0)[0], struct.unpack_from("<H", fib, 10)[0]
            encrypted = ident == 0xA5EC and bool(flags & 0x8100)  # fEncrypted or fObfuscated
        return set(root), entries[0][80:96], encrypted
    except (EOFError, OSError, struct.error, IndexError):
        return None


_MSI_CLSID = bytes.fromhex("84100c0000000000c000000000000046")


def _detect_ole(fileobj, name):
    info = _ole_info(fileobj)
    if info is None:
        return OLE_ANY
    names, clsid, word_encrypted = info
    if clsid == _MSI_CLSID:
        raise _refused("executable", name)
    if "EncryptedPackage" in names or word_encrypted:
        raise _refused("encrypted", name)
    if "Macros" in names or "_VBA_PROJECT_CUR" in names:
        raise _refused("macros", name)
    if "WordDocument" in names:
        return OLE["word"]
    if "Workbook" in names or "Book" in names:
        return OLE["excel"]
    if "PowerPoint Document" in names:
        return OLE["powerpoint"]
    return OLE_ANY


# ----------------------------------------------------------------------------------------------- zip


def _zip_counts(fileobj, size, name):
    """(entries, central directory bytes) from the end record, read before zipfile parses anything."""
    try:
        tail_length = min(size, 22 + 65535 + 20)
        tail = _read_at(fileobj, size - tail_length, tail_length)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise _refused("archive_corrupt", name)
        count, directory = struct.unpack_from("<HI", tail, at + 10)
        if count == 0xFFFF or directory == 0xFFFFFFFF:  # zip64: the real numbers are in another record
            if at < 20 or tail[at - 20 : at - 16] != b"PK\x06\x07":
                raise _refused("archive_corrupt", name)
            record = _read_at(fileobj, struct.unpack_from("<Q", tail, at - 12)[0], 56)
            if record[:4] != b"PK\x06\x06":
                raise _refused("archive_corrupt", name)
            count, directory = struct.unpack_from("<QQ", record, 32)
        return count, directory
    except (EOFError, OSError, struct.error):
        raise _refused("archive_corrupt", name) from None


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, NotImplementedError, RuntimeError)


def _open_zip(fileobj, size, name, limits):
    count, directory = _zip_counts(fileobj, size, name)
    if count > limits.members:
        raise _refused("archive_too_many_files", name, limit=limits.members)
    if directory > max(count, 1) * 4096:  # far more than names and extra fields need: not a real directory
        raise _refused("archive_corrupt", name)
    try:
        fileobj.seek(0)
        archive = zipfile.ZipFile(fileobj)
    except _ZIP_ERRORS:
        raise _refused("archive_corrupt", name) from None
    if len(archive.infolist()) > limits.members:
        raise _refused("archive_too_many_files", name, limit=limits.members)
    return archive


def _member_path(info):
    """The member's path as its author saw it: names without the UTF-8 flag are often GBK."""
    path = info.orig_filename
    if not info.flag_bits & 0x800:
        try:
            raw = path.encode("cp437")
        except UnicodeEncodeError:
            return path
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                pass
    return path


def _unsafe_path(path):
    path = path.replace("\\", "/")
    if path.startswith("/") or re.match(r"[A-Za-z]:", path):
        return True
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == ".." or part != part.rstrip(" ."):  # Windows drops trailing dots: "a.exe." is a.exe
            return True
        if any(ch in _WINDOWS_INVALID or unicodedata.category(ch).startswith("C") for ch in part):
            return True
        if part.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
            return True
    return False


def _printable(path):
    return "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in path)


def _is_program_archive(names):
    return bool(names & {"META-INF/MANIFEST.MF", "classes.dex", "AndroidManifest.xml"})


def _check_sizes(infos, name, limits):
    """Refuses a bomb from the declared sizes; zipfile never inflates a member beyond its declared size."""
    total = 0
    for info in infos:
        member = _printable(_member_path(info))
        if info.flag_bits & 0x1:
            raise _refused("archive_encrypted", name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and LZMA would inflate without a bound on what one read returns.
            raise _refused("archive_bad_member", name, member=member, reason="method")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise _refused("archive_bomb", name, member=member)
        total += info.file_size
        if total > limits.total:
            raise _refused("archive_bomb", name, limit=limits.total)


def _member_head(archive, info):
    head = b""
    with archive.open(info) as member:
        while len(head) < MEMBER_HEAD:
            chunk = member.read(MEMBER_HEAD - len(head))
            if not chunk:
                break
            head += chunk
    return head


_JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$)", re.IGNORECASE)


def _check_member(archive, info, name):
    path = _member_path(info)
    member = _printable(path)
    if _unsafe_path(path):
        raise _refused("archive_bad_member", name, member=member, reason="path")
    if info.is_dir() or _JUNK.search(path):
        return False
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise _refused("archive_bad_member", name, member=member, reason="link")
    _stem, claimed = _split_name(path.rsplit("/", 1)[-1])
    if claimed in EXECUTABLE_EXTENSIONS:
        raise _refused("executable", name, member=member)
    if claimed in ARCHIVE_EXTENSIONS:
        raise _refused("archive_nested", name, member=member)
    if info.file_size == 0:
        return True
    head = _member_head(archive, info)
    found = _sniff(head, complete=len(head) >= info.file_size)
    if found in ("program", "web"):
        raise _refused("executable", name, member=member)
    if found == "zip":
        if claimed not in _OOXML_EXTENSIONS:
            raise _refused("archive_nested", name, member=member)
        if any(marker in head for marker in (b"META-INF/MANIFEST.MF", b"classes.dex", b"AndroidManifest.xml")):
            raise _refused("executable", name, member=member)
        return True
    found = OLE_ANY if found == "ole" else found
    if found is None or (claimed is not None and claimed not in FORMATS):
        raise _refused("not_allowed", name, member=member)
    if claimed is not None and claimed not in found.extensions and claimed not in found.corrects:
        raise _refused("extension_mismatch", name, member=member, detected=found.label, extension=claimed)
    return True


def _detect_zip(fileobj, size, name, limits):
    with _open_zip(fileobj, size, name, limits) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if _is_program_archive(names):
            raise _refused("executable", name)
        _check_sizes(infos, name, limits)
        if "[Content_Types].xml" in names:
            if any(n.lower().endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
                raise _refused("macros", name)
            for folder, family in (("word/", "word"), ("xl/", "excel"), ("ppt/", "powerpoint")):
                if any(n.startswith(folder) for n in names):
                    return OOXML[family]
            return None
        try:
            files = sum([_check_member(archive, info, name) for info in infos])
        except _ZIP_ERRORS:
            raise _refused("archive_corrupt", name) from None
        if not files:
            raise _refused("empty", name, archive=True)
    return ZIP


# ----------------------------------------------------------------------------------------------- messages


def _refused(code, name, **params):
    member = params.get("member")
    params = {**params, "name": name}
    if "limit" in params and code in ("too_large", "archive_bomb"):
        params["limit"] = filesizeformat(params["limit"])
    if "detected" in params:
        params["detected"] = _LABELS[params["detected"]]
    params["allowed"] = ALLOWED_TYPES
    if code == "empty":
        text = _("The archive %(name)s contains no files.") if params.get("archive") else _("The file %(name)s is empty.")
    elif code == "too_large":
        text = _("The file %(name)s is larger than the limit of %(limit)s.")
    elif code == "executable" and member:
        text = _("The archive %(name)s contains %(member)s, a program, script or web page; these cannot be uploaded.")
    elif code == "executable":
        text = _("%(name)s is a program or script; programs cannot be uploaded.")
    elif code == "web":
        code = "executable"
        text = _("%(name)s is a web page or SVG image, which can carry scripts; save it as PDF or as an image instead.")
    elif code == "macros":
        text = _("%(name)s contains macros, which can run programs; save it without macros and upload it again.")
    elif code == "encrypted":
        text = _("%(name)s is protected by a password; remove the password and upload it again.")
    elif code == "not_allowed" and member:
        text = _("The archive %(name)s contains %(member)s, of a type that cannot be uploaded. Allowed: %(allowed)s.")
    elif code == "not_allowed":
        text = _("%(name)s is of a type that cannot be uploaded. Allowed: %(allowed)s.")
    elif code == "extension_mismatch" and member:
        text = _("In the archive %(name)s, %(member)s is %(detected)s but its name ends in .%(extension)s.")
    elif code == "extension_mismatch":
        text = _("%(name)s is %(detected)s but its name ends in .%(extension)s.")
    elif code == "archive_bomb" and member:
        params["ratio"] = MAX_COMPRESSION_RATIO
        text = _("In the archive %(name)s, %(member)s is compressed more than %(ratio)s times; it looks like an archive bomb.")
    elif code == "archive_bomb":
        text = _("%(name)s unpacks to more than %(limit)s; it looks like an archive bomb.")
    elif code == "archive_too_many_files":
        text = _("%(name)s contains more than %(limit)s files.")
    elif code == "archive_nested":
        text = _("The archive %(name)s contains another archive, %(member)s; put the files themselves in one archive.")
    elif code == "archive_bad_member" and params.get("reason") == "method":
        text = _("The archive %(name)s compresses %(member)s with a method that is not supported; make it again as a plain zip.")
    elif code == "archive_bad_member" and params.get("reason") == "link":
        text = _("The archive %(name)s contains a link, %(member)s; links cannot be uploaded.")
    elif code == "archive_bad_member":
        text = _("The archive %(name)s contains an unsafe file name: %(member)s.")
    elif code == "archive_encrypted":
        text = _("The archive %(name)s is protected by a password; upload it without a password.")
    else:
        code = "archive_corrupt"
        text = _("%(name)s is damaged and cannot be opened.")
    return UploadRefused(code, text % params)


# ----------------------------------------------------------------------------------------------- inspection


def _limits(max_bytes):
    total = getattr(settings, "MOFAN_UPLOAD_ARCHIVE_MAX_BYTES", None) or ARCHIVE_EXPANSION * max_bytes
    return _Limits(total=total, members=getattr(settings, "MOFAN_UPLOAD_ARCHIVE_MAX_MEMBERS", MAX_ARCHIVE_MEMBERS))


def _digest(fileobj, max_bytes, name):
    """(size, sha256, opening bytes), reading chunk by chunk and stopping as soon as the limit is passed."""
    fileobj.seek(0)
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := fileobj.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise _refused("too_large", name, limit=max_bytes)
        digest.update(chunk)
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
    return size, digest.hexdigest(), head


def _detect(fileobj, head, size, name, limits):
    found = _sniff(head, complete=size <= len(head))
    if found == "program":
        raise _refused("executable", name)
    if found == "web":
        raise _refused("web", name)
    if found == "ole":
        return _detect_ole(fileobj, name)
    if found == "zip":
        return _detect_zip(fileobj, size, name, limits)
    return found


def inspect_upload(fileobj, name, *, max_bytes=None):
    """Checks an upload and describes it; raises UploadRefused with a reason a person can act on."""
    if max_bytes is None:
        max_bytes = getattr(settings, "MOFAN_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    cleaned = clean_filename(name)
    stem, claimed = _split_name(cleaned)
    try:
        if claimed in EXECUTABLE_EXTENSIONS:
            raise _refused("web" if claimed in ("html", "htm", "xhtml", "xht", "shtml", "svg", "svgz") else "executable", cleaned)
        declared = getattr(fileobj, "size", None)
        if isinstance(declared, int) and declared > max_bytes:
            raise _refused("too_large", cleaned, limit=max_bytes)
        size, sha256, head = _digest(fileobj, max_bytes, cleaned)
        if size == 0:
            raise _refused("empty", cleaned)
        found = _detect(fileobj, head, size, cleaned, _limits(max_bytes))
        if found is None or (claimed is not None and claimed not in FORMATS):
            raise _refused("not_allowed", cleaned)
        if claimed in found.extensions:
            extension = claimed
        elif claimed is None or claimed in found.corrects:
            if found.default is None:
                raise _refused("not_allowed", cleaned)
            extension = found.default
            cleaned = clean_filename(f"{stem}.{extension}")
        else:
            raise _refused("extension_mismatch", cleaned, detected=found.label, extension=claimed)
    finally:
        fileobj.seek(0)
    if claimed is not None and extension == claimed:
        cleaned = f"{stem}.{cleaned.rpartition('.')[2].lower()}"  # keeps ".jpeg" but not ".PDF"
    kind, content_type = FORMATS[extension]
    if found.charset:
        content_type = f"{content_type}; charset={found.charset}"
    return Inspected(
        name=cleaned,
        kind=kind,
        extension=extension,
        content_type=content_type,
        size=size,
        sha256=sha256,
        previewable=kind == "pdf" or (kind == "image" and extension != "tif"),  # browsers do not show TIFF
    )
