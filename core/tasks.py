"""The daily job: every job registered in ``core.schedule`` run once for a date, through the one task
interface (in-process on the embedded default, ``manage.py db_worker`` in production)."""

import datetime
import logging

from django_tasks import task

from .schedule import daily_jobs

logger = logging.getLogger(__name__)


@task()
def run_daily_jobs(date_iso: str) -> dict:
    """Runs each daily job for the date; one job failing does not stop the others. Returns
    {job name: "ok" or the error, with the job's own result when it gives one}."""
    today = datetime.date.fromisoformat(date_iso)
    outcomes = {}
    for name, job in daily_jobs().items():
        try:
            result = job(today)
        except Exception as error:  # recorded per job; the next run tries again
            logger.exception("daily job %s failed for %s", name, date_iso)
            outcomes[name] = {"status": "failed", "error": f"{type(error).__name__}: {error}"[:500]}
        else:
            outcomes[name] = {"status": "ok", "result": result if isinstance(result, (dict, int, str)) else None}
    return outcomes
