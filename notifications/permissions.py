"""Who may still be told: checked again right before each message leaves, so that a person who
lost access between the event and the sending (removed from the organisation, moved to a viewer
role, or the organisation's offer ended) hears nothing. The referral rule is the referrals app's
own (`Referral.objects.restrict(user, "view")`), a return's is the returns app's
(`ReturnCase.objects.restrict(user, "view")`): nothing here decides access a second way."""

from organisations.selectors import membership_of
from referrals.models import OfferStatus, Referral
from returns.models import ReturnCase

from .mechanism import RETURN_KINDS
from .models import Notification, NotificationKind
from .selectors import NOTIFIED_ROLES

# Reminders of an offer make sense only while it stands.
ABOUT_A_STANDING_OFFER = (NotificationKind.OFFER_RECEIVED, NotificationKind.OFFER_EXPIRING)


def may_receive(notification: Notification) -> bool:
    user = notification.recipient
    if not user.is_active or not user.email:
        return False
    user.__dict__.pop("_cached_membership", None)  # a fresh look: the membership may have changed
    membership = membership_of(user)
    if membership is None or membership.organisation_id != notification.organisation_id:
        return False
    if membership.role not in NOTIFIED_ROLES:
        return False
    if notification.kind == NotificationKind.CONSENT_WITHDRAWN:
        # The accepting organisation lost the referral with the consent, by design: it is told
        # that, and nothing more (the message links to the inbox, not to the referral).
        return True
    if notification.kind in ABOUT_A_STANDING_OFFER and (
        notification.offer is None or notification.offer.status != OfferStatus.PENDING
    ):
        return False
    if notification.kind in RETURN_KINDS:
        # The return's own rule (returns.permissions): its destination reads the return only.
        return (notification.return_case_id is not None
                and ReturnCase.objects.restrict(user, "view").filter(pk=notification.return_case_id).exists())
    user.__dict__.pop("_referral_grant_key", None)
    return Referral.objects.restrict(user, "view").filter(pk=notification.referral_id).exists()
