"""Benchmark: an assessment round on a province-sized tree.

Builds an agency with N units (default 1,500 departments under 30 counties), a standard of 200
scoring items (5 dimensions × 8 indicators × 5 items, every method), a round over all of them, and
self-scores for every item (written in bulk: the benchmark measures reading, not clicking). Then it
times, with query counts:
- opening the round (one row per unit and item: N × 200 rows),
- the whole round's computation (roll-up with caps, bonus, veto, grades, quotas, ranks),
- a single SQL aggregate over the same rows (the floor: a plain sum per scorecard, no rules),
- the round's pages when they exist (dashboard, a scorecard), for the query counts.
Writes JSON to bench/results/assessment_round_<units>.json (run with 10 and 1,000 to compare page query counts).

    .venv/bin/python bench/assessment_round.py [--units 1500] [--items 200] [--repeat 3]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(func, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _ in range(repeat):
        connection.queries_log.clear()  # the log holds 9,000 queries; the set-up overflowed it
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return {"median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4), "queries": queries}


def build_units(root, count):
    from mofan.testing.factories import make_unit

    counties = max(1, count // 50)
    units = []
    for c in range(counties):
        county = make_unit(root, name=f"县局{c}", code=f"BC{c}", kind="subordinate_unit")
        for d in range(count // counties):
            units.append(make_unit(county, name=f"县局{c}股室{d}", code=f"BC{c}-D{d}"))
    return units


def build_standard(root, item_count):
    from standard import actions

    standard = actions.create_standard(None, unit=root, name="基准评分细则")
    methods = [
        {"method": "deduct", "points": "2", "per_occurrence": "0.5"},
        {"method": "graded", "points": "2", "levels": "A=100, B=75, C=50, D=0"},
        {"method": "pass_fail", "points": "2"},
        {"method": "deduct", "points": "2", "per_occurrence": "1"},
        {"method": "bonus", "points": "1"},
    ]
    per_indicator = max(1, item_count // 40)
    for d in range(5):
        dimension = actions.add_node(None, standard, title=f"维度{d}", points="20")
        for i in range(8):
            indicator = actions.add_node(None, standard, parent=dimension, title=f"指标{d}.{i}", points="2.5")
            for k in range(per_indicator):
                spec = dict(methods[k % len(methods)])
                if d == 4 and i == 7 and k == per_indicator - 1:
                    spec = {"method": "veto", "points": "0"}
                actions.add_node(None, standard, parent=indicator, title=f"考核内容{d}.{i}.{k}", **spec)
    return actions.publish_standard(None, standard)


def fill_scores(round_):
    from assessment.models import ItemScore
    from standard.scoring import item_score

    rng = random.Random(7)
    nodes = {node.pk: node for node in round_.standard.nodes.filter(level=3)}
    answers = {
        "deduct": lambda: {"occurrences": rng.choice([0, 0, 0, 1, 2])},
        "graded": lambda: {"level": rng.choice("AABC")},
        "pass_fail": lambda: {"passed": rng.random() > 0.1},
        "bonus": lambda: {"value": str(rng.choice([0, 0, 0.5, 1]))},
        "veto": lambda: {"vetoed": rng.random() < 0.002},
    }
    batch = []
    for item in ItemScore.objects.filter(scorecard__round=round_).only("pk", "node_id").iterator(chunk_size=5000):
        node = nodes[item.node_id]
        item.self_answer = answers[node.method]()
        item.self_score = item_score(node, item.self_answer)
        item.vetoed = bool(item.self_answer.get("vetoed"))
        batch.append(item)
        if len(batch) >= 5000:
            ItemScore.objects.bulk_update(batch, ["self_answer", "self_score", "vetoed"])
            batch = []
    ItemScore.objects.bulk_update(batch, ["self_answer", "self_score", "vetoed"])


def sql_aggregate(round_):
    from django.db.models import Case, F, Sum, When

    from assessment.models import ItemScore

    effective = Case(When(review_answer__isnull=True, then=F("self_score")), default=F("review_score"))
    return list(
        ItemScore.objects.filter(scorecard__round=round_).values("scorecard_id").annotate(total=Sum(effective))
    )


def page_queries(client, round_, scorecard):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    pages = {}
    for name, args in [("assessment:dashboard", [round_.pk]), ("assessment:scorecard", [scorecard.pk])]:
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        pages[name] = {"status": response.status_code, "queries": len(captured), "seconds": round(elapsed, 4)}
    return pages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1500)
    parser.add_argument("--items", type=int, default=200)
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

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)

    from accounts.roles import Role
    from assessment import actions, engine
    from mofan.testing.factories import make_person, make_unit

    report = {"units": args.units, "items": args.items, "database": settings.DATABASES["default"]["ENGINE"]}
    started = time.perf_counter()
    root = make_unit(name="省局", code="BP", kind="agency")
    office = make_person(root, username="bench_office", roles=[(Role.OFFICE, root)])
    build_units(root, args.units)
    standard = build_standard(root, args.items)
    report["build_s"] = round(time.perf_counter() - started, 2)

    day = datetime.date(2026, 12, 1)
    round_ = actions.create_round(
        office, unit=root, name="基准考核", standard=standard, period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31), self_assessment_due=day, review_due=day, bonus_cap="3",
    )
    actions.set_grades(office, round_, [
        {"name": "优秀", "min_score": 90, "quota_percent": 20}, {"name": "良好", "min_score": 80},
        {"name": "一般", "min_score": 60}, {"name": "较差", "min_score": 0},
    ])
    actions.add_units(office, round_, root=root, kinds=["department"])
    started = time.perf_counter()
    actions.open_round(office, round_)
    report["open_round_s"] = round(time.perf_counter() - started, 2)
    report["item_rows"] = round_.scorecards.count() * standard.nodes.filter(level=3).count()
    fill_scores(round_)

    report["compute_round"] = timed(lambda: engine.compute(round_), args.repeat)
    report["sql_aggregate"] = timed(lambda: sql_aggregate(round_), args.repeat)
    report["compute_over_sql"] = round(report["compute_round"]["median_s"] / max(report["sql_aggregate"]["median_s"], 1e-6), 1)

    client = Client()
    client.force_login(office)
    report["pages"] = page_queries(client, round_, round_.scorecards.first())

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"assessment_round_{args.units}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
