"""Celery tasks of the notifications app. They take ids, call a service, and are safe to run
twice: intake keys each notification by event and recipient, sending locks the row."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction

from config.celery import send_task_if_broker_up

from . import services
from .selectors import users_with_digest_pending

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.intake_outbox", ignore_result=True)
def intake_outbox() -> int:
    total = 0
    while True:
        taken, due = services.outbox_intake()
        for notification_id in due:
            send_notification.delay(notification_id)
        total += taken
        if taken < services.INTAKE_BATCH:
            return total


@shared_task(name="notifications.tasks.send_notification", ignore_result=True)
def send_notification(notification_id: int) -> None:
    retry_in = services.notification_send(notification_id)
    if retry_in is not None:
        send_notification.apply_async((notification_id,), countdown=max(retry_in.total_seconds(), 1))


@shared_task(name="notifications.tasks.sweep", ignore_result=True)
def sweep() -> None:
    """Periodic: take in what a crash or a broker outage left in the outbox, remind of offers
    about to expire, resume due and lost sends."""
    taken = intake_outbox()
    reminders = services.offers_expiring_remind()
    due = sorted(set(services.notifications_due()) | set(reminders))
    for notification_id in due:
        send_notification.delay(notification_id)
    if taken or due:
        logger.info("notifications sweep: %s events taken in, %s messages enqueued", taken, len(due))


@shared_task(name="notifications.tasks.send_digests", ignore_result=True)
def send_digests() -> int:
    """Periodic: each user whose digest time has come in their own time zone gets one digest."""
    sent = 0
    for user_id in users_with_digest_pending().values_list("pk", flat=True):
        send_digest.delay(user_id)
        sent += 1
    return sent


@shared_task(name="notifications.tasks.send_digest", ignore_result=True)
def send_digest(user_id: int) -> int:
    user = get_user_model().objects.filter(pk=user_id).first()
    return services.digest_send(user) if user else 0


def intake_soon(*, event_id=None, **_) -> None:
    """Receiver of referrals.signals.outbox_event_written: ask a worker to take the outbox in once
    the write commits; with the broker down, the periodic sweep does it later."""
    transaction.on_commit(lambda: send_task_if_broker_up(intake_outbox.name), robust=True)
