"""Benchmark: the ledger export (台账导出) keeps memory flat as the ledger grows.

For each scenario a ledger is built on a scratch SQLite database and a scratch MEDIA_ROOT, then
exported in a *fresh* process (so ru_maxrss, a high-water mark, measures the export and not the
building), and exported once more in another fresh process under tracemalloc (which slows Python
down, so its wall time is not reported). Each archive is then checked against its index: every
member's SHA-256, computed from the bytes read back from the zip, must equal its index row, and
every row must have its member.

With --standard the default creation standard is published for the ledger's agency and most
documents are linked to its scoring items (one in five to two items, one in six to none), so the
export files them by dimension/indicator/item (``structure_layout``): a file proving two items is
written twice, so "files" (archive members) exceeds "documents".

Scenarios: 200, 1,000, 3,000 and 10,000 small files (20-200 KB, uploaded through upload_document
like a user's files), and a 5 GB ledger of large files (32 files of 50-200 MB). The large files are sparse files placed
directly in the store (uploads above MOFAN_UPLOAD_MAX_BYTES are refused, and writing gigabytes
of real data would only measure the disk); the export still reads every byte of them.

    .venv/bin/python bench/ledger_export.py [--sizes 200,1000,3000] [--large 200,200,200,100,50,50] [--standard]

Writes bench/results/ledger_export.json. DEBUG is off in the measured processes: with DEBUG on,
Django keeps the last 9,000 queries in memory (the reset_queries caveat of bench/org_pages.py),
which would show up as export memory.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2026
FOLDERS = ["政治过硬/理论学习", "政治过硬/三会一课", "业务过硬/服务群众", "作风过硬", "纪律过硬/廉政教育", ""]
MB = 1024 * 1024
# A 5 GB ledger (5,000 MB): 20 files of 200 MB, 8 of 100 MB and 4 of 50 MB.
DEFAULT_LARGE = ",".join(["200"] * 20 + ["100"] * 8 + ["50"] * 4)


def _setup(scratch):
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ["MOFAN_MEDIA_ROOT"] = f"{scratch}/media"
    os.environ["MOFAN_DEBUG"] = "0"
    os.environ["MOFAN_TASK_BACKEND"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mofan.settings")
    import django

    django.setup()


# ------------------------------------------------------------------------------------------- build


def build(scratch, files, large, by_standard=False):
    _setup(scratch)
    import datetime

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from evidence import actions
    from evidence.models import Blob, Document, DocumentVersion, blob_path
    from mofan.testing.factories import make_person, make_unit

    started = time.perf_counter()
    rng = random.Random(files)
    root = make_unit(name="省局", code="P0", kind="agency")
    units = [root] + [make_unit(root, name=name, code=f"D{i}") for i, name in enumerate(["办公室", "人事处", "财务处", "机关党委"])]
    office = make_person(root, username="bench_office", real_name="办公室主任", roles=[(Role.OFFICE, root)])
    items = []
    if by_standard:
        from standard import default

        items = list(default.load(root).items().order_by("id"))

    def link(document, number):
        if not items or number % 6 == 5:
            return 0
        targets = [items[number % len(items)]] + ([items[(number * 7 + 3) % len(items)]] if number % 5 == 0 else [])
        for target in targets:
            actions.link_document(office, document, target, unit=document.unit)
        return len(targets)

    stored = placed = 0
    for number in range(files):
        size = rng.randint(20 * 1024, 200 * 1024)
        head = f"%PDF-1.4\n% 第{number}号\n".encode()
        content = head + rng.randbytes(size - len(head))
        document = actions.upload_document(
            office, unit=units[number % len(units)], file=SimpleUploadedFile(f"材料{number}.pdf", content), name=f"材料{number}.pdf",
            title=f"{'会议记录' if number % 7 == 0 else '学习材料'}{number // 7}", folder=FOLDERS[number % len(FOLDERS)],
            period=datetime.date(YEAR, 1 + number % 12, 1), period_precision="month",
        ).document
        stored += size
        placed += link(document, number) or 1
    for number, megabytes in enumerate(large):
        head = f"%PDF-1.4\n% 大文件{number}\n".encode()
        size = megabytes * MB
        digest = hashlib.sha256(head)
        zeros = bytes(MB)
        remaining = size - len(head)
        while remaining:
            step = min(remaining, MB)
            digest.update(zeros[:step])
            remaining -= step
        blob = Blob(sha256=digest.hexdigest(), size=size, content_type="application/pdf")
        blob.file.name = blob_path(blob, None)
        path = Path(settings.MEDIA_ROOT) / blob.file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:  # sparse: the zeros cost no disk and no writing time
            handle.write(head)
            handle.truncate(size)
        blob.save()
        document = Document.objects.create(
            unit=root, title=f"全年影像资料{number}", folder="影像资料", period=datetime.date(YEAR, 12, 1), uploaded_by=office
        )
        version = DocumentVersion.objects.create(
            document=document, number=1, blob=blob, name=f"影像{number}.pdf", kind="pdf", extension="pdf", uploaded_by=office, unit=root
        )
        document.current, document.version_count = version, 1
        document.save()
        stored += size
        placed += link(document, number) or 1
    built = {"documents": files + len(large), "stored_bytes": stored, "build_seconds": round(time.perf_counter() - started, 1)}
    return {**built, "archive_members_expected": placed}


# ------------------------------------------------------------------------------------------ export


def _rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def export(scratch, trace):
    _setup(scratch)
    import tracemalloc

    from django.db import connection

    from accounts.models import User
    from evidence import export as ledger_export
    from evidence import tasks
    from evidence.export_models import LedgerExport
    from organization.models import Unit

    office = User.objects.get(username="bench_office")
    root = Unit.objects.get(code="P0")
    queries = []
    connection.ensure_connection()
    connection.execute_wrappers.append(lambda execute, sql, params, many, context: queries.append(1) or execute(sql, params, many, context))
    baseline = _rss_mb()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    record, _ = ledger_export.request_export(office, unit=root, year=YEAR, include_sub=True)
    tasks.enqueue_export(record)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    rss = _rss_mb()
    record = LedgerExport.objects.get(pk=record.pk)
    assert record.status == "done", (record.status, record.error)
    result = {
        "archive_bytes": record.size,
        "files": record.done,
        "queries": len(queries),
        "rss_baseline_mb": round(baseline, 1),
        "rss_peak_mb": round(rss, 1),
        "rss_delta_mb": round(rss - baseline, 1),
    }
    if trace:
        result["tracemalloc_peak_mb"] = round(peak / MB, 2)
    else:
        result["seconds"] = round(seconds, 2)
        result["mb_per_second"] = round(record.size / MB / seconds, 1)
        result["check"] = check(record.result.path)
    return result


def check(path):
    """The archive against its index, by SHA-256 of the bytes read back from the archive."""
    from openpyxl import load_workbook

    from evidence.export import INDEX_HEADERS, INDEX_NAME

    path_column, sha_column = INDEX_HEADERS.index("文件名（归档路径）"), INDEX_HEADERS.index("SHA-256")
    with zipfile.ZipFile(path) as archive:
        members = {}
        for info in archive.infolist():
            if info.filename == INDEX_NAME:
                continue
            digest = hashlib.sha256()
            with archive.open(info) as member:
                while chunk := member.read(MB):
                    digest.update(chunk)
            members[info.filename] = digest.hexdigest()
        with archive.open(INDEX_NAME) as handle, tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
            shutil.copyfileobj(handle, copy)
            copy.flush()
            rows = list(load_workbook(copy.name, read_only=True).active.iter_rows(min_row=2, values_only=True))
    index = {row[path_column]: row[sha_column] for row in rows}
    return {
        "members": len(members),
        "index_rows": len(rows),
        "missing_from_index": len(set(members) - set(index)),
        "missing_from_archive": len(set(index) - set(members)),
        "checksum_mismatches": sum(1 for name, sha in members.items() if index.get(name) not in (None, sha)),
        "ok": members == index and len(rows) == len(members),
    }


# -------------------------------------------------------------------------------------------- main


def _child(*args, env=None):
    completed = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT, env={**os.environ, **(env or {})}
    )
    if completed.returncode:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"child {args} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def scenario(name, files, large, by_standard=False):
    scratch = tempfile.mkdtemp(prefix="mofan-bench-export-")
    try:
        extra = ["--standard"] if by_standard else []
        built = _child("--phase", "build", "--scratch", scratch, "--files", str(files), "--large", ",".join(map(str, large)), *extra)
        plain = _child("--phase", "export", "--scratch", scratch)
        traced = _child("--phase", "export", "--scratch", scratch, "--trace")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = {"scenario": name, **built, **plain, "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"]}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def summarise(results):
    """How memory grows: per file (small-file scenarios) and per gigabyte of archive (all)."""
    small = [r for r in results if r["stored_bytes"] < 2 * 1024 * MB]
    summary = {"max_rss_delta_mb": max(r["rss_delta_mb"] for r in results), "all_archives_match_their_index": all(r["check"]["ok"] for r in results),
               "every_file_in_every_place": all(r["check"]["members"] == r["archive_members_expected"] for r in results)}
    if len(small) >= 2:
        first, last = small[0], small[-1]
        files = last["files"] - first["files"]
        summary["tracemalloc_kb_per_file"] = round((last["tracemalloc_peak_mb"] - first["tracemalloc_peak_mb"]) * 1024 / files, 2)
        summary["rss_kb_per_file"] = round((last["rss_delta_mb"] - first["rss_delta_mb"]) * 1024 / files, 2)
    big = max(results, key=lambda r: r["archive_bytes"])
    summary["largest_archive_gb"] = round(big["archive_bytes"] / 1024 / MB, 2)
    summary["largest_archive_rss_delta_mb"] = big["rss_delta_mb"]
    summary["largest_archive_tracemalloc_peak_mb"] = big["tracemalloc_peak_mb"]
    return summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,1000,3000,10000", help="numbers of small files, one scenario each")
    parser.add_argument("--large", default=DEFAULT_LARGE, help="sizes in MB of the large-file scenario ('' to skip)")
    parser.add_argument("--phase", choices=["build", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--files", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--standard", action="store_true", help="link documents to the default standard's items")
    args = parser.parse_args()
    large = [int(size) for size in args.large.split(",") if size.strip()]

    if args.phase == "build":
        print(json.dumps(build(args.scratch, args.files, large, args.standard)))
        return
    if args.phase == "export":
        print(json.dumps(export(args.scratch, args.trace)))
        return

    suffix = ", by the standard" if args.standard else ""
    results = [scenario(f"{files} small files{suffix}", files, [], args.standard) for files in map(int, args.sizes.split(","))]
    if large:
        results.append(scenario(f"{len(large)} large files ({sum(large)} MB) + 100 small{suffix}", 100, large, args.standard))
    report = {
        "benchmark": "ledger_export",
        "layout": "standard" if args.standard else "folders",
        "database": "sqlite",
        "python": sys.version.split()[0],
        "note": "rss_delta_mb: growth of the process's peak RSS during the export (fresh process per run); "
        "tracemalloc_peak_mb: peak of Python allocations during the export (separate fresh run).",
        "scenarios": results,
        "summary": summarise(results),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"ledger_export{'_standard' if args.standard else ''}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
