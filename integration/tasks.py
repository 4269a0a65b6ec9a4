"""Celery tasks of the integration app. They take ids, call a service, and are safe to run twice:
relaying marks events under a row lock, delivering locks the subscription."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from api.idempotency import idempotency_prune
from config.celery import send_task_if_broker_up

from . import webhooks

logger = logging.getLogger(__name__)


@shared_task(name="integration.tasks.relay_outbox", ignore_result=True)
def relay_outbox() -> int:
    total = 0
    while True:
        relayed, subscriptions = webhooks.outbox_relay()
        for subscription_id in subscriptions:
            deliver_subscription.delay(str(subscription_id))
        total += relayed
        if relayed < webhooks.RELAY_BATCH:
            return total


@shared_task(name="integration.tasks.deliver_subscription", ignore_result=True)
def deliver_subscription(subscription_id: str) -> None:
    retry_in = webhooks.subscription_deliver(subscription_id)
    if retry_in is not None:
        deliver_subscription.apply_async((subscription_id,), countdown=max(retry_in.total_seconds(), 1))


@shared_task(name="integration.tasks.sweep", ignore_result=True)
def sweep() -> None:
    """Periodic: relay what a crash or a broker outage left in the outbox, resume due deliveries,
    forget idempotency keys older than a day."""
    relayed = relay_outbox()
    due = webhooks.subscriptions_due()
    for subscription_id in due:
        deliver_subscription.delay(str(subscription_id))
    pruned = idempotency_prune(before=timezone.now())
    if relayed or due or pruned:
        logger.info("sweep: %s events relayed, %s subscriptions resumed, %s keys pruned", relayed, len(due), pruned)


def relay_soon(*, event=None, **_) -> None:
    """Receiver of referrals.signals.outbox_event_written: ask a worker to relay the outbox once
    the write commits; with the broker down, the periodic sweep relays it later."""
    transaction.on_commit(lambda: send_task_if_broker_up(relay_outbox.name), robust=True)


# The names these tasks had in the api app, for messages queued before an upgrade (a retry
# scheduled with a countdown, a beat schedule not yet reloaded). Remove one release later.
@shared_task(name="api.tasks.relay_outbox", ignore_result=True)
def _api_relay_outbox() -> int:
    return relay_outbox()


@shared_task(name="api.tasks.deliver_subscription", ignore_result=True)
def _api_deliver_subscription(subscription_id: str) -> None:
    deliver_subscription(subscription_id)


@shared_task(name="api.tasks.sweep", ignore_result=True)
def _api_sweep() -> None:
    sweep()
