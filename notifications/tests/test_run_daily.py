"""`manage.py run_daily`: in-process on the embedded default backend, only queued with a worker's backend."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django_tasks import default_task_backend

from core import schedule
from notifications.models import Message
from notifications.reminders import Reminder


@pytest.fixture
def one_reminder(collectors, agency_tree):
    t = agency_tree
    collectors.register(
        "test", lambda today: [Reminder(t["staff_a"], t["dept_a"], "due_soon", "任务", obj=t["dept_a"], perm="organization.unit.view")],
        {"due_soon": "即将到期"},
    )
    return t


def test_immediate_backend_runs_the_jobs_in_process(one_reminder, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = io.StringIO()
    call_command("run_daily", "--date", "2026-06-01", stdout=out)
    assert Message.objects.filter(recipient=one_reminder["staff_a"]).count() == 1
    assert '"notifications.digests": {"status": "ok"' in out.getvalue()
    call_command("run_daily", "--date", "2026-06-01", stdout=io.StringIO())
    assert Message.objects.count() == 1


def test_a_workers_backend_only_queues_them(one_reminder, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    out = io.StringIO()
    call_command("run_daily", "--date", "2026-06-01", stdout=out)
    assert "queued" in out.getvalue() and not Message.objects.exists()
    [queued] = default_task_backend.results
    assert queued.task.name == "run_daily_jobs" and queued.args == ["2026-06-01"]


def test_one_failing_job_does_not_stop_the_others_and_the_command_says_so(one_reminder, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    days = []

    def broken(today):
        days.append(today)
        raise RuntimeError("boom")

    monkeypatch.setattr(schedule, "_daily", {"broken": broken, **schedule.daily_jobs()})
    with pytest.raises(CommandError, match="broken"):
        call_command("run_daily", "--date", "2026-06-01", stdout=io.StringIO())
    assert days == [datetime.date(2026, 6, 1)] and Message.objects.count() == 1


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_daily", "--date", "1/6/2026")
