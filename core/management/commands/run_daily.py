"""Runs the daily jobs (reminder digests, plan snapshots…) for today or a given date.

With the embedded default task backend the jobs run right here; with MOFAN_TASK_BACKEND=database
this only queues them and `manage.py db_worker` runs them. Safe to run several times a day: each job
does its day's work once (see core.schedule). Run it from cron or a systemd timer (docs/deployment.md).
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from core.tasks import run_daily_jobs


class Command(BaseCommand):
    help = "Run (or queue, with a task worker) the daily jobs: reminders, snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        result = run_daily_jobs.enqueue(day.isoformat())
        if result.status == TaskResultStatus.READY:
            self.stdout.write(f"Daily jobs for {day} queued ({result.id}); a task worker runs them.")
            return
        if result.status == TaskResultStatus.FAILED:
            raise CommandError(f"Daily jobs for {day} failed: {result.errors[-1].traceback if result.errors else ''}")
        outcomes = result.return_value or {}
        failed = [name for name, outcome in outcomes.items() if outcome.get("status") != "ok"]
        if options["verbosity"] > 0:
            self.stdout.write(f"Daily jobs for {day}: {json.dumps(outcomes, ensure_ascii=False, default=str)}")
        if failed:
            raise CommandError(f"Daily job(s) failed: {', '.join(failed)}")
