import logging

from celery import shared_task

from .services import offers_expire_due, referrals_reduce_expired

logger = logging.getLogger(__name__)


@shared_task(name="referrals.tasks.expire_offers", ignore_result=True)
def expire_offers() -> int:
    """Periodic: offers nobody answered within REFERRAL_OFFER_TTL expire."""
    return offers_expire_due()


@shared_task(name="referrals.tasks.apply_retention", ignore_result=True)
def apply_retention() -> dict:
    """Periodic: reduce closed and withdrawn referrals past REFERRAL_RETENTION_DAYS; logs what it erased."""
    report = referrals_reduce_expired()
    logger.info("retention: %s", report)
    return report
