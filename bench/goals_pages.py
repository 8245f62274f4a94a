"""Benchmark: the goal-management overview pages on a province-sized tree.

Builds an agency with ~300 units (30 counties × 10 departments), one published plan of this year with
10 goals, and tasks in three levels (county task → department sub-task → department sub-sub-task),
written in bulk with a spread of statuses, reports, dates and supporting units, plus a year of daily
snapshots. It measures the query count and wall time of the pages (test client, logged-in office
user) with 100 tasks, then grows the same plan to 50,000 tasks and measures again; the query counts
must not move. Also times the daily snapshot job. The client and SQLite run in this process, so the
CPU time of a request (``cpu_median_s``) is its cost even when other work shares the machine. Writes JSON to bench/results/goals_pages.json.

    .venv/bin/python bench/goals_pages.py [--small 100] [--large 50000] [--repeat 3]
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTIES, DEPARTMENTS, GOALS = 30, 10, 10


def build_tree(root):
    from mofan.testing.factories import make_unit

    counties = []
    for c in range(COUNTIES):
        county = make_unit(root, name=f"县局{c}", code=f"GB{c}", kind="subordinate_unit")
        departments = [make_unit(county, name=f"县局{c}股室{d}", code=f"GB{c}-D{d}") for d in range(DEPARTMENTS)]
        counties.append((county, departments))
    return counties


def build_plan(office, root):
    from goals import actions

    today = datetime.date.today()
    plan = actions.create_plan(office, unit=root, year=today.year, title="基准年度目标计划")
    goals = [actions.add_goal(office, plan, title=f"目标{g}", owner_unit=root, weight=str(1 + g % 3)) for g in range(GOALS)]
    actions.approve_plan(office, plan)
    actions.publish_plan(office, plan)
    return plan, goals


def grow(goals, counties, count, rng, start_index):
    """Adds ``count`` tasks in bulk, a third at each level; returns how many were written."""
    from django.utils import timezone

    from goals.models import Task, TaskStatus

    today = timezone.localdate()
    now = timezone.now()
    statuses = [TaskStatus.ISSUED, TaskStatus.SIGNED, TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS,
                TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.DECLINED]

    def task(index, goal, parent, lead, start, due):
        status = rng.choice(statuses)
        percent = Decimal(100 if status == TaskStatus.DONE else rng.choice([0, 10, 30, 50, 70, 90]) if status == TaskStatus.IN_PROGRESS else 0)
        reported = status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE) and rng.random() < 0.7
        return Task(
            goal=goal, parent=parent, title=f"任务{index}", lead_unit=lead, start_date=start, due_date=due,
            status=status, percent_done=percent, position=index, weight=Decimal(rng.choice([1, 1, 2])),
            last_accepted_report_at=now - datetime.timedelta(days=rng.randint(0, 60)) if reported else None,
        )

    groups = max(1, count // 3)
    tops = []
    for number in range(groups):
        county, departments = counties[number % len(counties)]
        start = today - datetime.timedelta(days=rng.randint(30, 200))
        due = today + datetime.timedelta(days=rng.randint(-20, 120))
        tops.append((task(start_index + number, goals[number % len(goals)], None, county, start, due), departments))
    Task.objects.bulk_create([top for top, _ in tops], batch_size=2000)
    children = []
    for top, departments in tops:
        children.append((task(start_index + groups + len(children), top.goal, top, rng.choice(departments), top.start_date, top.due_date), top))
    Task.objects.bulk_create([child for child, _ in children], batch_size=2000)
    grandchildren = [
        task(start_index + 2 * groups + index, child.goal, child, child.lead_unit, child.start_date, child.due_date)
        for index, (child, _) in enumerate(children[: count - 2 * groups])
    ]
    Task.objects.bulk_create(grandchildren, batch_size=2000)
    written = len(tops) + len(children) + len(grandchildren)
    # One top task in five is supported by a department of another county.
    through = Task.supporting_units.through
    links = []
    for index, (top, _) in enumerate(tops[::5]):
        _, departments = counties[(index + 7) % len(counties)]
        links.append(through(task_id=top.pk, unit_id=departments[0].pk))
    through.objects.bulk_create(links, batch_size=2000)
    return written


def snapshots(plan, days=300):
    from goals.models import PlanSnapshot

    today = datetime.date.today()
    PlanSnapshot.objects.bulk_create([
        PlanSnapshot(plan=plan, date=today - datetime.timedelta(days=day), percent=Decimal(max(0, 60 - day / 5)), total=100,
                     green=60, yellow=30, red=10, done=20)
        for day in range(1, days + 1)
    ])


def measure(client, urls, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = {}
    for name, url in urls.items():
        client.get(url)  # warm caches
        times, cpu, queries, status = [], [], 0, None
        for _ in range(repeat):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            queries, status = len(captured), response.status_code
        pages[name] = {"status": status, "queries": queries, "median_s": round(statistics.median(times), 4),
                       "min_s": round(min(times), 4), "cpu_median_s": round(statistics.median(cpu), 4)}
    return pages


def timed(func, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="mofan-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mofan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from goals.models import Task
    from goals.snapshots import take_snapshots
    from mofan.testing.factories import make_person, make_unit

    rng = random.Random(11)
    started = time.perf_counter()
    root = make_unit(name="省局", code="GBP", kind="agency")
    office_unit = make_unit(root, name="办公室", code="GBP-BGS")
    office = make_person(office_unit, username="bench_office", roles=[(Role.OFFICE, root)])
    counties = build_tree(root)
    county_office = make_person(counties[0][0], username="bench_county", roles=[(Role.OFFICE, counties[0][0])])
    plan, goals = build_plan(office, root)
    snapshots(plan)
    report = {
        "units": 2 + COUNTIES * (DEPARTMENTS + 1), "goals": GOALS,
        "database": settings.DATABASES["default"]["ENGINE"], "setup_s": round(time.perf_counter() - started, 2),
    }

    client, county_client = Client(), Client()
    client.force_login(office)
    county_client.force_login(county_office)
    board = reverse("goals:board")
    urls = {
        "goals:board": board,
        "goals:board (include supporting)": board + "?supporting=1",
        "goals:board (red only, page 2)": board + "?light=red&page=2",
        "goals:dashboard": reverse("goals:dashboard", args=[plan.pk]),
        "goals:gantt (2 levels)": reverse("goals:gantt", args=[plan.pk]),
        "goals:my_tasks": reverse("goals:my_tasks"),
    }
    county_urls = {
        "goals:board (county office)": board,
        "goals:my_tasks (county office)": reverse("goals:my_tasks"),
    }
    today = datetime.date.today()
    sizes = {}
    written = 0
    for size in (args.small, args.large):
        started = time.perf_counter()
        written += grow(goals, counties, size - written, rng, written)
        build_s = round(time.perf_counter() - started, 2)
        pages = measure(client, urls, args.repeat)
        pages.update(measure(county_client, county_urls, args.repeat))
        sizes[str(size)] = {
            "tasks": Task.objects.count(), "build_s": build_s, "pages": pages,
            "take_snapshots": timed(lambda: take_snapshots(today), args.repeat),
        }
    report["sizes"] = sizes
    small, large = sizes[str(args.small)]["pages"], sizes[str(args.large)]["pages"]
    report["query_counts_flat"] = all(small[name]["queries"] == large[name]["queries"] for name in small)

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "goals_pages.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
