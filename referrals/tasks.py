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
    """Periodic: reduce closed and withdrawn referrals past REFERRAL_RETENTION_DAYS, and drop the
    audit and outbox months past AUDIT_RETENTION_MONTHS / OUTBOX_RETENTION_MONTHS; logs what it erased."""
    report = referrals_reduce_expired()
    report["partitions_dropped"] = partitions.partitions_apply_retention()
    logger.info("retention: %s", report)
    return report


@shared_task(name="referrals.tasks.ensure_partitions", ignore_result=True)
def ensure_partitions() -> list[str]:
    """Periodic (daily): the audit trail and the outbox have their partitions for the coming
    PARTITION_MONTHS_AHEAD months before a row needs them (the DEFAULT partition is only a net)."""
    return partitions.ensure_partitions(months_ahead=settings.PARTITION_MONTHS_AHEAD)
