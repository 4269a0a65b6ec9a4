"""Reads: who is told of an event, what a person chose, what waits for their digest."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from organisations.models import Membership, Role

from .models import DEFAULT_DELIVERY, DEFAULT_DIGEST_TIME, Delivery, Notification, NotificationPreference

# Those who act on referrals are told; viewers read the console when they choose to.
NOTIFIED_ROLES = (Role.ADMIN, Role.CASEWORKER)


def members_notified(organisation_id) -> QuerySet[Membership]:
    """The active members of the organisation who are told of its referrals' events."""
    return (
        Membership.objects.filter(organisation_id=organisation_id, role__in=NOTIFIED_ROLES, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )


def preferences_of(user) -> dict:
    """{"choices": {kind: delivery, every kind}, "digest_time": time} with the defaults filled in."""
    stored = NotificationPreference.objects.filter(user=user).first()
    choices = {str(kind): str(delivery) for kind, delivery in DEFAULT_DELIVERY.items()}
    if stored is not None:
        choices.update({kind: value for kind, value in stored.choices.items() if kind in choices})
    return {"choices": choices, "digest_time": stored.digest_time if stored else DEFAULT_DIGEST_TIME}


def delivery_for(user, kind: str) -> str:
    return preferences_of(user)["choices"].get(kind, Delivery.DIGEST)


def digest_items_pending(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, delivery=Delivery.DIGEST, status="pending").select_related(
        "referral", "offer", "organisation", "return_case__origin_organisation").order_by("created", "id")


def users_with_digest_pending() -> QuerySet:
    return get_user_model().objects.filter(
        pk__in=Notification.objects.filter(delivery=Delivery.DIGEST, status="pending").values("recipient_id")
    ).order_by("pk")
