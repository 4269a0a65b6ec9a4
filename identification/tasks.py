from celery import shared_task

from .services import reflection_reminders_due


@shared_task(name="identification.tasks.remind_reflection_periods", ignore_result=True)
def remind_reflection_periods(now=None) -> int:
    """Periodic: remind the parties, once, before a reflection and recovery period ends."""
    return reflection_reminders_due(now=now)
