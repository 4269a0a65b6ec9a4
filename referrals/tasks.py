from celery import shared_task

from .services import offers_expire_due


@shared_task(name="referrals.tasks.expire_offers", ignore_result=True)
def expire_offers() -> int:
    """Periodic: offers nobody answered within REFERRAL_OFFER_TTL expire."""
    return offers_expire_due()
