"""Periodic work of the accounts app."""

import logging

from celery import shared_task
from django.utils import timezone
from knox.models import AuthToken

logger = logging.getLogger(__name__)


@shared_task(name="accounts.tasks.purge_expired_tokens", ignore_result=True)
def purge_expired_tokens() -> int:
    """Delete every expired API token. A request only judges the token it presents
    (api.authentication), so the others are swept here."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    if deleted:
        logger.info("expired API tokens deleted: %s", deleted)
    return deleted
