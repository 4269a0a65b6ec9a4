"""Celery tasks of returns: they call a service and are safe to run twice."""

from datetime import datetime

from celery import shared_task

from . import services


@shared_task(name="returns.tasks.remind_follow_ups", ignore_result=True)
def remind_follow_ups(now: str | datetime | None = None) -> int:
    """Periodic: reminders for follow-ups coming due, each once. `now` (an instant, or its ISO
    form) fixes the clock."""
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    return services.follow_ups_remind_due(now=now)
