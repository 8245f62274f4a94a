"""Daily jobs (reminder digests, plan snapshots…) that capabilities register.

``register_daily(name, func)`` with ``func(today: date) -> None``. The jobs run through the one task
interface (django-tasks): ``manage.py run_daily`` enqueues them, in-process on the embedded default
and in a worker in production. Each job must be safe to run twice on the same day.
"""

_daily: dict[str, object] = {}


def register_daily(name: str, func):
    _daily[name] = func
    return func


def daily_jobs() -> dict[str, object]:
    return dict(_daily)
