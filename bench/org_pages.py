"""Benchmark: the organization pages on a province-sized tree.

Builds N units (default 2,000: agencies → counties → departments → branches) with people on a
scratch SQLite database (or DATABASE_URL), then times the tree page, a search, a children fragment,
a unit page, the people list and the API lists, with their query counts. Writes JSON to
bench/results/org_pages.json.

    .venv/bin/python bench/org_pages.py [--units 2000] [--repeat 5]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="mofan-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mofan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from mofan.testing.factories import make_person, make_unit

    started = time.perf_counter()
    root = make_unit(name="省局", code="P0", kind="agency")
    units = [root]
    office = make_person(root, username="bench_office", roles=[(Role.OFFICE, root)])
    county_count = max(1, args.units // 40)
    per_county = max(1, (args.units - 1) // county_count - 1)
    for c in range(county_count):
        county = make_unit(root, name=f"县局{c}", code=f"C{c}", kind="subordinate_unit")
        units.append(county)
        for d in range(per_county):
            if len(units) >= args.units:
                break
            dept = make_unit(county, name=f"县局{c}股室{d}", code=f"C{c}-D{d}")
            units.append(dept)
            if d % 10 == 0:
                make_person(dept)
    build_seconds = time.perf_counter() - started

    # Keep one connection for the whole run, as a server with persistent connections does, so the
    # query log of each request can be read.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)

    client = Client()
    client.force_login(office)
    sample = units[len(units) // 2]
    pages = {
        "tree": "/units/",
        "search": "/units/?q=股室1",
        "children": f"/units/{units[1].pk}/children/",
        "unit": f"/units/{sample.pk}/?sub=1",
        "people": "/people/",
        "api_units": "/api/v1/units/",
        "api_people": "/api/v1/people/",
    }
    results = {}
    for name, url in pages.items():
        timings = []
        queries = None
        for _ in range(args.repeat):
            reset_queries()  # the log is capped; a full log would hide every new query
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - t0)
            queries = len(ctx)
            status = response.status_code
        timings.sort()
        results[name] = {
            "url": url,
            "status": status,
            "queries": queries,
            "median_ms": round(timings[len(timings) // 2] * 1000, 1),
            "max_ms": round(timings[-1] * 1000, 1),
            "bytes": len(response.content),
        }
    report = {
        "benchmark": "org_pages",
        "database": connection.vendor,
        "units": len(units),
        "build_seconds": round(build_seconds, 1),
        "repeat": args.repeat,
        "pages": results,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "org_pages.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
