"""The safe-upload check: every fixture is built here from real bytes; nothing touches the database."""

import hashlib
import io
import random
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from evidence.uploads import UploadRefused, clean_filename, inspect_upload

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 56 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 120
MACHO = bytes.fromhex("cffaedfe") + b"\x07\x00\x00\x01" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
BMP = b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4, 0, 0, 0, 0) + b"\0\0\xff\0"
WEBP = b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8 " + b"\x00" * 22
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32


def png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def zipped(members, **kwargs):
    """A zip of {name: bytes}, or of a list of (name or ZipInfo, bytes) pairs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=kwargs.get("compression", zipfile.ZIP_DEFLATED)) as archive:
        for name, data in members.items() if isinstance(members, dict) else members:
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def ooxml(folder, part, extra=None):
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": b"<Relationships/>", f"{folder}/{part}": b"<x/>", **(extra or {})})


def docx(extra=None):
    return ooxml("word", "document.xml", extra)


def xlsx():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "台账"
    workbook.save(buffer)
    return buffer.getvalue()


def pptx():
    return ooxml("ppt", "presentation.xml")


def ole(*streams, clsid=b"\x00" * 16, word_flags=None):
    """A real compound file (512-byte sectors): FAT in sector 0, the directory chained through sectors 1
    and 3, a Word FIB in sector 2; the root's children form a binary tree as in files Office writes."""
    free, end, fat_mark = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    if len(streams) > 7:
        raise ValueError("two directory sectors hold eight entries")
    header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *[free] * 108)
    fat = struct.pack("<128I", fat_mark, 3, end, end, *[free] * 124)

    def entry(name, kind, left=free, right=free, child=free, start=end, size=0, entry_clsid=b"\x00" * 16):
        encoded = (name + "\x00").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", left, right, child)
            + entry_clsid
            + b"\x00" * 20
            + struct.pack("<II", start, size)
            + b"\x00" * 4
        )

    def tree(ids):  # (root id, {id: (left, right)})
        if not ids:
            return free, {}
        middle = len(ids) // 2
        left, left_links = tree(ids[:middle])
        right, right_links = tree(ids[middle + 1 :])
        return ids[middle], {**left_links, **right_links, ids[middle]: (left, right)}

    top, links = tree(list(range(1, len(streams) + 1)))
    entries = [entry("Root Entry", 5, child=top, entry_clsid=clsid)]
    for number, name in enumerate(streams, start=1):
        left, right = links[number]
        if name == "WordDocument" and word_flags is not None:
            entries.append(entry(name, 2, left, right, start=2, size=4096))
        else:
            entries.append(entry(name, 2, left, right))
    directory = b"".join(entries).ljust(1024, b"\x00")
    fib = struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0, 0, word_flags or 0).ljust(512, b"\x00")
    return header + fat + directory[:512] + fib + directory[512:]


def check(data, name, **kwargs):
    return inspect_upload(io.BytesIO(data), name, **kwargs)


def refused(data, name, **kwargs):
    with pytest.raises(UploadRefused) as caught:
        check(data, name, **kwargs)
    assert caught.value.message and caught.value.code
    return caught.value


# ----------------------------------------------------------------------------------------------- accepted


def test_django_upload_objects_are_read_in_place(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    for data, name, kind in ((zipped({"通知.pdf": PDF, "总结.docx": docx()}), "资料.zip", "zip"), (ole("Workbook"), "名单.et", "wps_sheet")):
        upload = TemporaryUploadedFile(name, "application/octet-stream", len(data), None)  # what Django spools big uploads to
        upload.write(data)
        assert inspect_upload(upload, name).kind == kind
        assert upload.tell() == 0 and upload.read() == data
        upload.close()


def test_a_pdf_is_described_from_its_bytes():
    upload = SimpleUploadedFile("学习记录.pdf", PDF)
    upload.read(10)  # a half-read upload is read from the start all the same
    result = inspect_upload(upload, "学习记录.pdf")
    assert (result.name, result.kind, result.extension, result.content_type) == ("学习记录.pdf", "pdf", "pdf", "application/pdf")
    assert result.size == len(PDF) and result.sha256 == hashlib.sha256(PDF).hexdigest()
    assert result.previewable
    assert upload.tell() == 0


@pytest.mark.parametrize(
    "make, name, kind, extension",
    [
        (docx, "总结.docx", "word", "docx"),
        (xlsx, "台账.xlsx", "excel", "xlsx"),
        (pptx, "汇报.pptx", "powerpoint", "pptx"),
        (lambda: ole("WordDocument", "1Table"), "通知.doc", "word", "doc"),
        (lambda: ole("Workbook"), "名单.xls", "excel", "xls"),
        (lambda: ole("Book"), "旧名单.xls", "excel", "xls"),
        (lambda: ole("PowerPoint Document", "Current User"), "讲稿.ppt", "powerpoint", "ppt"),
        (lambda: ole("WordDocument"), "通知.wps", "wps_writer", "wps"),
        (lambda: ole("Workbook"), "名单.et", "wps_sheet", "et"),
        (lambda: ole("PowerPoint Document"), "讲稿.dps", "wps_slides", "dps"),
    ],
)
def test_office_and_wps_documents_are_accepted(make, name, kind, extension):
    result = check(make(), name)
    assert (result.name, result.kind, result.extension, result.previewable) == (name, kind, extension, False)


def test_word_streams_in_the_second_directory_sector_are_found_through_the_fat():
    data = ole("\x05SummaryInformation", "1Table", "Data", "CompObj", "ObjectPool", "Macros2", "WordDocument")
    assert check(data, "长文件").name == "长文件.doc"
    assert refused(data, "长文件.xls").code == "extension_mismatch"


def test_an_ole_file_whose_streams_cannot_be_read_takes_the_office_type_its_name_claims():
    header_only = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600
    assert check(header_only, "演示.dps").kind == "wps_slides"
    assert refused(header_only, "演示").code == "not_allowed"  # nothing says which application it is


@pytest.mark.parametrize(
    "data, name, extension, previewable",
    [(png(), "照片.png", "png", True), (GIF, "a.gif", "gif", True), (BMP, "a.bmp", "bmp", True),
     (WEBP, "a.webp", "webp", True), (TIFF, "扫描件.tif", "tif", False)],
)
def test_images_are_recognised(data, name, extension, previewable):
    result = check(data, name)
    assert (result.kind, result.extension, result.previewable, result.name) == ("image", extension, previewable, name)


def test_an_image_with_the_wrong_image_extension_is_renamed_to_its_true_one():
    result = check(png(), "合影.JPG")
    assert (result.name, result.extension, result.content_type) == ("合影.png", "png", "image/png")
    jpeg = check(JPEG, "合影.JPEG")
    assert (jpeg.name, jpeg.extension) == ("合影.jpeg", "jpg")


def test_a_word_document_with_the_old_word_extension_is_renamed_but_not_across_applications():
    assert check(docx(), "报告.doc").name == "报告.docx"
    assert check(ole("WordDocument"), "报告.docx").name == "报告.doc"
    mismatch = refused(xlsx(), "报告.doc")
    assert mismatch.code == "extension_mismatch" and "报告.doc" in mismatch.message
    assert refused(ole("WordDocument"), "名单.xlsx").code == "extension_mismatch"
    assert refused(ole("Workbook"), "通知.wps").code == "extension_mismatch"
    assert refused(png(), "报告.pdf").code == "extension_mismatch"
    assert refused(PDF, "报告.docx").code == "extension_mismatch"


def test_a_name_without_an_extension_gets_the_detected_one():
    assert check(PDF, "第3.1节").name == "第3.1节.pdf"
    assert check(xlsx(), "名单").name == "名单.xlsx"
    assert check(png(), "").name == "file.png"


@pytest.mark.parametrize(
    "data, name, charset",
    [
        ("会议记录\n第一项".encode(), "记录.txt", "utf-8"),
        ("姓名,单位\n张三,办公室\n".encode("gbk"), "名单.csv", "gb18030"),
        ("# 标题\n正文".encode("utf-16"), "说明.md", "utf-16"),
    ],
)
def test_plain_text_in_utf8_gbk_or_utf16_is_accepted_with_its_charset(data, name, charset):
    result = check(data, name)
    assert result.kind == "text" and result.content_type.endswith(f"charset={charset}")
    assert not result.previewable


def test_text_that_merely_starts_like_a_signature_is_still_text():
    assert check(b"MZ-2024 work plan", "plan.txt").kind == "text"
    assert check(b"BMW fleet list", "fleet.txt").kind == "text"


# ----------------------------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    "data, name",
    [
        (EXE, "通知.pdf"),
        (ELF, "总结.docx"),
        (MACHO, "photo.png"),
        (b"#!/bin/sh\nrm -rf /\n", "readme.txt"),
        (b"\xef\xbb\xbf#!/usr/bin/env python\n", "notes"),
        (PDF, "报告.pdf.exe"),
        (b"@echo off\r\n", "run.bat"),
        (b"console.log(1)", "a.JS"),
        (ole(clsid=bytes.fromhex("84100c0000000000c000000000000046")), "setup.doc"),
        (zipped({"META-INF/MANIFEST.MF": b"Main-Class: A\n", "A.class": b"\xca\xfe\xba\xbe"}), "tool.zip"),
    ],
)
def test_programs_are_refused_even_when_renamed(data, name):
    assert refused(data, name).code == "executable"


@pytest.mark.parametrize(
    "data, name",
    [
        (b"<!DOCTYPE html><html><body>hi</body></html>", "page.txt"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.png"),
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "logo"),
        (b"<svg/>", "logo.svg"),
        (b"<p>hi</p>", "page.html"),
        ("说明<script>alert(1)</script>".encode("gbk"), "说明.txt"),
    ],
)
def test_web_pages_and_svg_are_refused(data, name):
    assert refused(data, name).code == "executable"


def test_documents_with_macros_or_passwords_are_refused():
    assert refused(docx({"word/vbaProject.bin": b"\x00" * 10}), "宏.docx").code == "macros"
    assert refused(ole("WordDocument", "Macros"), "宏.doc").code == "macros"
    assert refused(ole("EncryptionInfo", "EncryptedPackage"), "加密.docx").code == "encrypted"
    assert refused(ole("WordDocument", word_flags=0x0100), "加密.doc").code == "encrypted"
    assert check(ole("WordDocument", word_flags=0x0000), "明文.doc").kind == "word"


@pytest.mark.parametrize(
    "data, name",
    [(b"Rar!\x1a\x07\x00" + b"\x00" * 40, "资料.rar"), (b"{\\rtf1\\ansi hello}", "通知.rtf"), (b"\x00\x01\x02\x03" * 50, "data.bin2"),
     (b'{"a": 1}', "data.json")],
)
def test_other_types_are_not_allowed(data, name):
    assert refused(data, name).code == "not_allowed"


def test_an_empty_file_is_refused():
    error = refused(b"", "空.pdf")
    assert error.code == "empty" and "空.pdf" in error.message


def test_a_file_over_the_limit_is_refused_before_it_is_all_read(settings):
    reads = []

    class Counting(io.BytesIO):
        def read(self, size=-1):
            data = super().read(size)
            reads.append(len(data))
            return data

    big = Counting(PDF + b"0" * (5 * 1024 * 1024))
    with pytest.raises(UploadRefused) as caught:
        inspect_upload(big, "大.pdf", max_bytes=1024)
    assert caught.value.code == "too_large" and sum(reads) <= 1024 * 1024
    assert big.tell() == 0
    settings.MOFAN_UPLOAD_MAX_BYTES = 100
    assert refused(PDF, "a.pdf").code == "too_large"  # the setting is the default limit
    assert refused(PDF, "a.pdf", max_bytes=len(PDF) - 1).code == "too_large"
    assert check(PDF, "a.pdf", max_bytes=len(PDF)).size == len(PDF)
    declared = SimpleUploadedFile("a.pdf", PDF)
    declared.size = 10**12  # Django's declared size refuses without reading
    with pytest.raises(UploadRefused):
        inspect_upload(declared, "a.pdf", max_bytes=10**9)


def test_a_large_file_is_read_in_bounded_chunks(tmp_path):
    path = tmp_path / "big.pdf"
    with path.open("wb") as out:
        out.write(PDF)
        for _ in range(20):
            out.write(b"%" + b"x" * (1024 * 1024 - 2) + b"\n")

    class Bounded(io.FileIO):
        def read(self, size=-1):
            assert 0 < size <= 4 * 1024 * 1024, "read the whole file at once"
            return super().read(size)

        def readall(self):
            raise AssertionError("read the whole file at once")

    with Bounded(path, "r") as handle:
        handle.seek(500)
        result = inspect_upload(handle, "big.pdf")
        assert handle.tell() == 0
    assert result.size == path.stat().st_size > 20 * 1024 * 1024
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------------------------- archives


def test_a_zip_of_allowed_files_is_accepted():
    members = {
        "资料/通知.pdf": PDF,
        "资料/总结.docx": docx(),
        "资料/照片.jpg": png(),  # an image under another image extension is harmless
        "资料/空.txt": b"",
        "资料/": b"",
        "__MACOSX/资料/._通知.pdf": b"\x00\x05\x16\x07",
        "名单.csv": "姓名\n张三".encode("gbk"),
    }
    result = check(zipped(members), "资料汇编.zip")
    assert (result.kind, result.extension, result.content_type, result.name) == ("zip", "zip", "application/zip", "资料汇编.zip")


def test_gbk_member_names_are_read_as_chinese():
    # Windows' own zip tool writes GBK names without the UTF-8 flag: put such a name in place of "b.txtxxx".
    gbk = "报告.exe".encode("gbk")
    data = zipped({"a.pdf": PDF, "b.txtxxx": b"x"})
    assert len(gbk) == len(b"b.txtxxx") and data.count(b"b.txtxxx") == 2
    error = refused(data.replace(b"b.txtxxx", gbk), "a.zip")
    assert error.code == "executable" and "报告.exe" in error.message


def test_an_archive_bomb_is_refused_from_its_declared_sizes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.txt", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(200):  # 200 MB of zeros, written in chunks: about 200 KB compressed
                member.write(block)
    assert len(buffer.getvalue()) < 1024 * 1024
    assert refused(buffer.getvalue(), "bomb.zip").code == "archive_bomb"
    assert refused(buffer.getvalue(), "bomb.docx").code == "archive_bomb"


def test_an_archive_that_unpacks_past_the_total_limit_is_refused(settings):
    # Runs of 50 equal letters compress about 20 times: under the ratio limit, over the total.
    letters = random.Random(7).choices(b"abcdefghijklmnopqrstuvwxyz", k=26_000)
    data = bytes(letter for letter in letters for _ in range(50))
    archive = zipped({f"part{i}.txt": data for i in range(4)})
    settings.MOFAN_UPLOAD_ARCHIVE_MAX_BYTES = 3 * len(data)
    error = refused(archive, "parts.zip")
    assert error.code == "archive_bomb"
    settings.MOFAN_UPLOAD_ARCHIVE_MAX_BYTES = None  # then ten times the upload limit
    assert check(archive, "parts.zip").kind == "zip"
    assert refused(archive, "parts.zip", max_bytes=len(archive) + len(data) // 10).code == "archive_bomb"


def test_an_archive_with_too_many_members_is_refused(settings):
    settings.MOFAN_UPLOAD_ARCHIVE_MAX_MEMBERS = 50
    assert check(zipped({f"{i}.txt": b"x" for i in range(50)}), "ok.zip").kind == "zip"
    error = refused(zipped({f"{i}.txt": b"x" for i in range(51)}), "many.zip")
    assert error.code == "archive_too_many_files" and "50" in error.message


@pytest.mark.parametrize(
    "member, code",
    [
        ("../evil.txt", "archive_bad_member"),
        ("ok/../../evil.txt", "archive_bad_member"),
        ("/etc/passwd.txt", "archive_bad_member"),
        ("C:/Windows/a.txt", "archive_bad_member"),
        ("..\\evil.txt", "archive_bad_member"),
        ("资料/CON.txt", "archive_bad_member"),
        ("notes.txt:stream", "archive_bad_member"),
        ("run.exe.", "archive_bad_member"),
        ("工具/setup.exe", "executable"),
        ("inner.zip", "archive_nested"),
        ("inner.7z", "archive_nested"),
    ],
)
def test_unsafe_members_are_refused(member, code):
    error = refused(zipped([("ok.pdf", PDF), (member, b"hello")]), "资料.zip")
    assert error.code == code and "资料.zip" in error.message


@pytest.mark.parametrize(
    "data, code",
    [
        (EXE, "executable"),
        (b"#!/bin/sh\n", "executable"),
        (b"<html><script>alert(1)</script></html>", "executable"),
        (zipped({"a.txt": b"x"}), "archive_nested"),
        (b"\x00\x01\x02" * 100, "not_allowed"),
        (png(), "extension_mismatch"),
    ],
)
def test_members_are_checked_from_their_bytes(data, code):
    assert refused(zipped({"通知.pdf": data}), "资料.zip").code == code


def test_a_bomb_that_lies_about_its_size_is_never_inflated():
    # 20 MB of "a" in one member whose headers claim 2,000 bytes: the ratio rule cannot see it, and
    # zipfile stops inflating at the declared size, so only the first bytes are ever produced.
    data = bytearray(zipped({"a.txt": b"a" * (20 * 1024 * 1024)}))
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, 2000)
    struct.pack_into("<I", data, central + 24, 2000)
    assert refused(bytes(data), "a.zip").code == "archive_corrupt"  # its checksum gives it away


def set_encrypted_flag(data):
    data = bytearray(data)
    data[data.index(b"PK\x03\x04") + 6] |= 1
    data[data.index(b"PK\x01\x02") + 8] |= 1
    return bytes(data)


def test_encrypted_bzip2_linked_and_damaged_archives_are_refused():
    assert refused(set_encrypted_flag(zipped({"secret.pdf": PDF})), "加密.zip").code == "archive_encrypted"

    assert refused(zipped({"a.txt": b"x" * 100}, compression=zipfile.ZIP_BZIP2), "a.zip").code == "archive_bad_member"

    link = zipfile.ZipInfo("link.txt")
    link.external_attr = 0o120777 << 16
    assert refused(zipped([(link, b"/etc/passwd")]), "a.zip").code == "archive_bad_member"

    good = zipped({"a.pdf": PDF})
    assert refused(b"PK\x03\x04" + b"garbage" * 20, "坏.zip").code == "archive_corrupt"
    assert refused(good[: len(good) - 30], "截断.zip").code == "archive_corrupt"
    flipped = bytearray(good)
    flipped[40:60] = b"\xff" * 20  # the compressed bytes of the member
    assert refused(bytes(flipped), "坏.zip").code in ("archive_corrupt", "not_allowed")


def test_an_empty_archive_is_refused():
    assert refused(zipped({}), "空.zip").code == "empty"
    assert refused(zipped({"文件夹/": b""}), "空.zip").code == "empty"


def test_a_refused_upload_is_left_at_its_start():
    upload = io.BytesIO(zipped({"../evil.txt": b"x"}))
    with pytest.raises(UploadRefused):
        inspect_upload(upload, "a.zip")
    assert upload.tell() == 0


# ----------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\桌面\\报告.pdf", "报告.pdf"),
        ("a\x00b\x1fc\x7f.pdf", "abc.pdf"),
        ('问<>:"|?*答.pdf', "问答.pdf"),
        ("  ..报告.pdf.. ", "报告.pdf"),
        ("报告\u202efdp.exe", "报告fdp.exe"),  # right-to-left override would show it as "exe.pdf"
        ("工作   总结\t2024.docx", "工作 总结 2024.docx"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("lpt9.tar.gz", "_lpt9.tar.gz"),
        ("console.txt", "console.txt"),
        (".pdf", "file.pdf"),
        ("...", "file"),
        ("", "file"),
        (None, "file"),
    ],
)
def test_clean_filename(raw, clean):
    assert clean_filename(raw) == clean


def test_long_chinese_names_are_cut_keeping_the_extension():
    name = clean_filename("关于开展模范机关创建工作的通知" * 20 + ".docx")
    assert len(name) == 150 and name.endswith(".docx")
    assert name.startswith("关于开展模范机关创建工作的通知")
    assert clean_filename("x", default="资料") == "x" and clean_filename("/", default="资料") == "资料"


def test_the_stored_name_is_the_cleaned_one():
    result = check(PDF, "..\\..\\通知\x07.PDF")
    assert result.name == "通知.pdf"
    assert check(PDF, "nul.pdf").name == "_nul.pdf"
