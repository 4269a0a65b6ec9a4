import logging

from celery import shared_task
from django.conf import settings

from . import partitions
from .services import offers_expire_due, referrals_reduce_expired

logger = logging.getLogger(__name__)


@shared_task(name="referrals.tasks.expire_offers", ignore_result=True)
def expire_offers() -> int:
    """Periodic: offers nobody answered within REFERRAL_OFFER_TTL expire."""
    return offers_expire_due()


@shared_task(name="referrals.tasks.apply_retention", ignore_result=True)
def apply_retention() -> dict:
    """Periodic: reduce closed and withdrawn referrals past REFERRAL_RETENTION_DAYS; logs what it
    erased. (Whole months of the audit trail and the outbox go in maintain_partitions.)"""
    report = referrals_reduce_expired()
    logger.info("retention: %s", report)
    return report


@shared_task(name="referrals.tasks.maintain_partitions", ignore_result=True)
def maintain_partitions() -> dict:
    """Periodic (daily): the audit trail and the outbox get their partitions for the coming
    PARTITION_MONTHS_AHEAD months before a row needs them (the DEFAULT partition is only a net), and
    lose the whole months past AUDIT_RETENTION_MONTHS / OUTBOX_RETENTION_MONTHS."""
    report = {
        "created": partitions.ensure_partitions(months_ahead=settings.PARTITION_MONTHS_AHEAD),
        "dropped": partitions.partitions_apply_retention(),
    }
    logger.info("partitions: %s", report)
    return report
